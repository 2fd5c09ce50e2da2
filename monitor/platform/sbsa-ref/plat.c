/*
 * The QEMU sbsa-ref port: QEMU passes firmware a minimal DT (memory, CPUs,
 * the GIC's frames), from which the monitor writes the full one the OS
 * needs (monitor/platform/sbsa-ref/os_dt.c), with what the port knows about the machine.
 */
#include <stddef.h>
#include <string.h>

#include <libfdt.h>

#include <arch/sysreg.h>
#include <lib/console.h>
#include <monitor/platform/sbsa-ref/os_dt.h>
#include <lib/mm/pgtable.h>

#include <monitor/monitor.h>
#include <platform.h>

/* QEMU's minimal DT has 1 MiB of room but fills under 1 KiB of it; this is
 * where it is kept, repacked, while the full one is written in its place. */
#define MACHINE_DT_MAX 0x10000

const struct plat_region plat_el3_regions[] = {
	{PLAT_FLASH_BASE, PLAT_FLASH_SIZE, PT_NORMAL | PT_RO | PT_PAS_ROOT},
	/* Read only, for the boot image: the monitor never programs flash. */
	{PLAT_BOOT_FLASH_BASE, PLAT_BOOT_FLASH_SIZE,
	 PT_NORMAL | PT_RO | PT_XN | PT_PAS_ROOT},
	{PLAT_SRAM_BASE, PLAT_SRAM_SIZE, PT_NORMAL | PT_XN | PT_PAS_ROOT},
	{PLAT_MMIO_LOW_BASE, PLAT_MMIO_LOW_END - PLAT_MMIO_LOW_BASE,
	 PT_DEVICE | PT_PAS_ROOT},
};
const unsigned plat_el3_region_count =
	sizeof(plat_el3_regions) / sizeof(plat_el3_regions[0]);

static uint8_t machine_dt[MACHINE_DT_MAX] __attribute__((aligned(8)));

void *plat_dt_setup(void)
{
	const struct os_dt_params p = {
		.model = "QEMU sbsa-ref",
		.uart_base = PLAT_EARLY_UART,
		.uart_size = PLAT_UART_SIZE,
		.uart_spi = PLAT_UART_SPI,
		.uart_clk_hz = PLAT_UART_CLK_HZ,
		.gic_maint_ppi = PLAT_PPI_GIC_MAINT,
		.timer_ppi = {PLAT_PPI_TIMER_SEC_PHYS, PLAT_PPI_TIMER_PHYS,
			      PLAT_PPI_TIMER_VIRT, PLAT_PPI_TIMER_HYP_PHYS},
		.secure_mem_base = PLAT_SRAM_BASE,
		.secure_mem_size = PLAT_SRAM_SIZE,
	};
	void *fdt = (void *)PLAT_DT_BASE;
	uint32_t machine_size;
	int err;

	/* Packed where it is (it is about to be overwritten anyway), then
	 * kept aside. */
	if (fdt_check_header(fdt) || fdt_totalsize(fdt) > DT_AREA || fdt_pack(fdt) ||
	    fdt_totalsize(fdt) > sizeof(machine_dt)) {
		log_printf(
			"monitor: no valid device tree from QEMU at the base of RAM\n");
		return NULL;
	}
	machine_size = fdt_totalsize(fdt);
	memcpy(machine_dt, fdt, machine_size);
	err = os_dt_build(fdt, DT_AREA - DT_GROWTH, machine_dt, &p);
	if (err) {
		log_printf("monitor: cannot write the device tree for the OS: %s\n",
			   os_dt_strerror(err));
		return NULL;
	}
	log_printf("monitor: device tree for the OS written from QEMU's minimal one "
		   "(%u bytes from %u)\n",
		   fdt_totalsize(fdt), machine_size);
	return fdt;
}

void plat_cpu_setup(void)
{
	/* CNTFRQ_EL0 is only writable at the highest EL and its reset value
	 * is architecturally unknown: firmware tells the OS the counter's
	 * frequency here (QEMU's reset value is the same). */
	write_sysreg(cntfrq_el0, PLAT_TIMER_HZ);
}
