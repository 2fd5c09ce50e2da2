/*
 * QEMU virt's emulated ECAM window (monitor/ecam/window.c): one bus in the hole
 * between the last virtio-mmio slot (0x0a00_3fff) and the platform bus
 * (0x0c00_0000), where nothing answers. Its one shim function describes the
 * PL031 real-time clock (0x0901_0000, SPI 2), which has no PCI function:
 * a device every virt machine has, so a test can read the window and find
 * a real device behind the BAR. No Linux PCI driver claims an RTC by class,
 * so on virt the window is a demonstration, not a way to a driver; sbsa-ref
 * is where real drivers bind to shims.
 *
 * IDs: Arm's PCI vendor ID with the PrimeCell part number as device ID
 * (the PL031's peripheral ID registers read 0x031 as its part number);
 * class 0x080300, base system peripheral / RTC controller / generic.
 */
#include <lib/pci/config_space.h>

#include <monitor/plat.h>

#define VIRT_ECAM_BASE 0x0b000000
#define VIRT_PL031_BASE 0x09010000
#define VIRT_PL031_SIZE 0x1000
#define VIRT_PL031_SPI 2
#define PCI_VENDOR_ID_ARM 0x13b5
#define PL031_PART_NUMBER 0x0031
#define PCI_CLASS_SYSTEM_RTC 0x080300u

static const struct pci_ecam_fn virt_shims[] = {{
	.bus = 0,
	.dev = 0,
	.fn = 0,
	.vendor_id = PCI_VENDOR_ID_ARM,
	.device_id = PL031_PART_NUMBER,
	.revision_id = 1,
	.class_code = PCI_CLASS_SYSTEM_RTC,
	.bar = {.base = VIRT_PL031_BASE,
		.size = VIRT_PL031_SIZE,
		.index = 0,
		.mem64 = false},
	.int_pin = PCI_INTERRUPT_INTA,
	.spi = VIRT_PL031_SPI,
}};

static const struct pci_ecam_window virt_window = {
	.base = VIRT_ECAM_BASE,
	.bus_start = 0,
	.bus_end = 0,
	.fns = virt_shims,
	.nfns = sizeof(virt_shims) / sizeof(virt_shims[0]),
};

const struct pci_ecam_window *plat_ecam_window(void)
{
	return &virt_window;
}
