/*
 * The QEMU virt port: QEMU passes a full DT at the base of RAM (the
 * monitor checks it and may take a replacement from fw_cfg), power goes
 * through the secure GPIO lines the DT names, and the boot image (QEMU
 * -kernel) and an optional seed come through fw_cfg.
 */
#include <stddef.h>

#include <libfdt.h>

#include <arch/cache.h>
#include <lib/console.h>
#include <lib/mm/pgtable.h>

#include <monitor/monitor.h>
#include "virt.h"
#include <platform.h>

#define FW_CFG_KERNEL_SIZE 0x0008
#define FW_CFG_KERNEL_DATA 0x0011
#define SEED_FILE "opt/hv/seed"
/* A DT given to QEMU with -fw_cfg name=opt/hv/dtb,file=F replaces the
 * machine's (QEMU's own -dtb is rewritten by QEMU before firmware runs). */
#define DT_OVERRIDE_FILE "opt/hv/dtb"

const struct plat_region plat_el3_regions[] = {
	{PLAT_FLASH_BASE, PLAT_FLASH_SIZE, PT_NORMAL | PT_RO | PT_PAS_ROOT},
	{PLAT_MMIO_LOW_BASE, PLAT_SRAM_BASE - PLAT_MMIO_LOW_BASE,
	 PT_DEVICE | PT_PAS_ROOT},
	{PLAT_SRAM_BASE, PLAT_SRAM_SIZE, PT_NORMAL | PT_XN | PT_PAS_ROOT},
	{PLAT_SRAM_BASE + PLAT_SRAM_SIZE,
	 PLAT_MMIO_LOW_END - PLAT_SRAM_BASE - PLAT_SRAM_SIZE, PT_DEVICE | PT_PAS_ROOT},
};
const unsigned plat_el3_region_count =
	sizeof(plat_el3_regions) / sizeof(plat_el3_regions[0]);

/* Returns false (after logging why) when the override is there but bad. */
static bool apply_dt_override(void *fdt)
{
	uint16_t sel;
	uint32_t size;

	if (fwcfg_find(DT_OVERRIDE_FILE, &sel, &size))
		return true;
	if (size > DT_AREA - DT_GROWTH) {
		log_printf("monitor: the device tree in fw_cfg " DT_OVERRIDE_FILE
			   " is too large\n");
		return false;
	}
	fwcfg_read_bytes(sel, fdt, size);
	if (fdt_check_header(fdt) || fdt_totalsize(fdt) > size) {
		log_printf("monitor: fw_cfg " DT_OVERRIDE_FILE
			   " is not a valid device tree\n");
		return false;
	}
	log_printf("monitor: using the device tree from fw_cfg %s (%u bytes)\n",
		   DT_OVERRIDE_FILE, size);
	return true;
}

void *plat_dt_setup(void)
{
	void *fdt = (void *)PLAT_DT_BASE;

	if (fdt_check_header(fdt) || fdt_totalsize(fdt) > DT_AREA - DT_GROWTH) {
		log_printf("monitor: no valid device tree at the base of RAM\n");
		return NULL;
	}
	/* Power and fw_cfg come from the machine's DT, whatever replaces it. */
	if (virt_power_init(fdt))
		log_printf("monitor: no gpio-poweroff in the DT: power off will halt\n");
	if (fwcfg_init(fdt)) {
		log_printf("monitor: no fw_cfg device in the DT: cannot load the boot "
			   "image\n");
		return NULL;
	}
	return apply_dt_override(fdt) ? fdt : NULL;
}

void plat_cpu_setup(void)
{
	/* QEMU virt sets CNTFRQ_EL0 itself; nothing else is per CPU. */
}

int plat_boot_image_size(uint64_t *size)
{
	*size = fwcfg_read_le32(FW_CFG_KERNEL_SIZE);
	if (*size == 0) {
		log_printf("monitor: no boot image: give QEMU -kernel boot.img\n");
		return -1;
	}
	return 0;
}

int plat_boot_image_copy(uint64_t dst_pa, uint64_t size, uint64_t scratch_pa)
{
	/* fw_cfg's DMA leaves the data in memory; fwcfg_dma_read() has
	 * invalidated the caches over it. */
	if (fwcfg_dma_read(FW_CFG_KERNEL_DATA, dst_pa, (uint32_t)size, scratch_pa)) {
		log_printf("monitor: fw_cfg failed to transfer the boot image\n");
		return -1;
	}
	return 0;
}

static bool parse_decimal(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

bool plat_boot_seed(uint64_t *seed, const char **source)
{
	char text[32];
	uint16_t sel;
	uint32_t size;

	if (fwcfg_find(SEED_FILE, &sel, &size))
		return false;
	if (size >= sizeof(text)) {
		log_printf("monitor: %s is too long (%u bytes), ignored\n", SEED_FILE,
			   size);
		return false;
	}
	fwcfg_read_bytes(sel, text, size);
	text[size] = '\0';
	if (size && text[size - 1] == '\n')
		text[size - 1] = '\0';
	if (!parse_decimal(text, seed)) {
		log_printf("monitor: %s is not a decimal number, ignored\n", SEED_FILE);
		return false;
	}
	*source = "fw_cfg " SEED_FILE;
	return true;
}
