/*
 * QEMU sbsa-ref's emulated ECAM window (monitor/ecam/window.c): one bus in the
 * unbacked hole above the last sysbus device (0x6012_0000 up to the PCIe
 * MMIO window at 0x8000_0000), with shims for the two controllers sbsa-ref
 * has without a PCI function in front of them:
 *
 * - the AHCI controller at 0x6010_0000 (INTID 42): class 0x010601, SATA
 *   AHCI 1.0; its ABAR is BAR 5, where Linux's ahci driver looks for it;
 * - the xHCI controller at 0x6011_0000 (INTID 43): class 0x0c0330; its
 *   registers are BAR 0, as xhci-pci maps them.
 *
 * Each BAR is the device's 64 KiB slot in the platform's memory map (the
 * registers take 4 KiB and 16 KiB of it). The IDs are those QEMU gives the
 * same device models on a real PCI bus (ich9-ahci, qemu-xhci), with QEMU's
 * subsystem IDs: what the devices are, which is also what Linux's drivers
 * expect of them.
 */
#include <lib/pci/config_space.h>

#include <monitor/plat.h>

#define SBSA_ECAM_BASE 0x60120000
#define SBSA_AHCI_BASE 0x60100000
#define SBSA_XHCI_BASE 0x60110000
#define SBSA_DEVICE_SLOT 0x10000
#define SBSA_AHCI_SPI 10 /* INTID 42 */
#define SBSA_XHCI_SPI 11 /* INTID 43 */
#define AHCI_ABAR_INDEX 5
#define PCI_VENDOR_ID_INTEL 0x8086
#define PCI_DEVICE_ID_ICH9_AHCI 0x2922
#define PCI_VENDOR_ID_REDHAT 0x1b36
#define PCI_DEVICE_ID_QEMU_XHCI 0x000d
#define PCI_SUBVENDOR_ID_REDHAT_QUMRANET 0x1af4
#define PCI_SUBDEVICE_ID_QEMU 0x1100

static const struct pci_ecam_fn sbsa_shims[] = {
	{
		.bus = 0,
		.dev = 1,
		.fn = 0,
		.vendor_id = PCI_VENDOR_ID_INTEL,
		.device_id = PCI_DEVICE_ID_ICH9_AHCI,
		.revision_id = 2,
		.class_code = PCI_CLASS_STORAGE_SATA_AHCI,
		.subsys_vendor_id = PCI_SUBVENDOR_ID_REDHAT_QUMRANET,
		.subsys_id = PCI_SUBDEVICE_ID_QEMU,
		.bar = {.base = SBSA_AHCI_BASE,
			.size = SBSA_DEVICE_SLOT,
			.index = AHCI_ABAR_INDEX,
			.mem64 = false},
		.int_pin = PCI_INTERRUPT_INTA,
		.spi = SBSA_AHCI_SPI,
	},
	{
		.bus = 0,
		.dev = 2,
		.fn = 0,
		.vendor_id = PCI_VENDOR_ID_REDHAT,
		.device_id = PCI_DEVICE_ID_QEMU_XHCI,
		.revision_id = 1,
		.class_code = PCI_CLASS_SERIAL_USB_XHCI,
		.subsys_vendor_id = PCI_SUBVENDOR_ID_REDHAT_QUMRANET,
		.subsys_id = PCI_SUBDEVICE_ID_QEMU,
		.bar = {.base = SBSA_XHCI_BASE,
			.size = SBSA_DEVICE_SLOT,
			.index = 0,
			.mem64 = false},
		.int_pin = PCI_INTERRUPT_INTA,
		.spi = SBSA_XHCI_SPI,
	},
};

static const struct pci_ecam_window sbsa_window = {
	.base = SBSA_ECAM_BASE,
	.bus_start = 0,
	.bus_end = 0,
	.fns = sbsa_shims,
	.nfns = sizeof(sbsa_shims) / sizeof(sbsa_shims[0]),
};

const struct pci_ecam_window *plat_ecam_window(void)
{
	return &sbsa_window;
}
