/*
 * QEMU's firmware configuration device (docs/specs/fw_cfg in QEMU), MMIO
 * flavour: where the boot image (-kernel) and the seed file come from.
 * Small items are read byte by byte through the data register; the boot
 * image goes by DMA, which is orders of magnitude faster.
 */
#include <stddef.h>
#include <string.h>

#include <arch/cache.h>
#include <arch/sysreg.h>
#include <lib/dt/dt.h>

#include "virt.h"

#define FW_CFG_DATA 0x00
#define FW_CFG_SELECTOR 0x08 /* 16-bit, big-endian */
#define FW_CFG_DMA_ADDR 0x10 /* 64-bit, big-endian */

#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_ID 0x0001
#define FW_CFG_ID_DMA (1u << 1)
#define FW_CFG_FILE_DIR 0x0019

#define FW_CFG_DMA_CTL_ERROR 0x01
#define FW_CFG_DMA_CTL_READ 0x02
#define FW_CFG_DMA_CTL_SELECT 0x08

struct fw_cfg_file { /* one FW_CFG_FILE_DIR entry, big-endian fields */
	uint32_t size;
	uint16_t select;
	uint16_t reserved;
	char name[56];
};

struct fw_cfg_dma_access { /* big-endian fields */
	uint32_t control;
	uint32_t length;
	uint64_t address;
};

static uint64_t base;
static bool has_dma;

static void select_item(uint16_t sel)
{
	*(volatile uint16_t *)(base + FW_CFG_SELECTOR) = __builtin_bswap16(sel);
}

static uint8_t read_byte(void)
{
	return *(volatile uint8_t *)(base + FW_CFG_DATA);
}

int fwcfg_read_bytes(uint16_t sel, void *dst, uint32_t len)
{
	uint8_t *d = dst;

	if (!base)
		return -1;
	select_item(sel);
	while (len--)
		*d++ = read_byte();
	return 0;
}

uint32_t fwcfg_read_le32(uint16_t sel)
{
	uint8_t b[4];

	if (fwcfg_read_bytes(sel, b, sizeof(b)))
		return 0;
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

int fwcfg_init(const void *fdt)
{
	char sig[4];

	if (dt_find_compatible(fdt, "qemu,fw-cfg-mmio", &base, NULL) < 0) {
		base = 0;
		return -1;
	}
	fwcfg_read_bytes(FW_CFG_SIGNATURE, sig, sizeof(sig));
	if (memcmp(sig, "QEMU", 4) != 0) {
		base = 0;
		return -1;
	}
	has_dma = fwcfg_read_le32(FW_CFG_ID) & FW_CFG_ID_DMA;
	return 0;
}

int fwcfg_find(const char *name, uint16_t *sel, uint32_t *size)
{
	uint32_t count;
	struct fw_cfg_file f;

	if (!base)
		return -1;
	select_item(FW_CFG_FILE_DIR);
	/* The directory is one stream: a count, then the entries. */
	count = 0;
	for (int i = 0; i < 4; i++)
		count = count << 8 | read_byte();
	for (uint32_t i = 0; i < count; i++) {
		uint8_t *p = (uint8_t *)&f;

		for (size_t j = 0; j < sizeof(f); j++)
			p[j] = read_byte();
		f.name[sizeof(f.name) - 1] = '\0';
		if (strcmp(f.name, name) == 0) {
			*sel = __builtin_bswap16(f.select);
			*size = __builtin_bswap32(f.size);
			return 0;
		}
	}
	return -1;
}

/*
 * Reads len bytes of item sel into physical memory at dst_pa. The DMA
 * descriptor must be in memory the device reaches (Non-secure DRAM):
 * scratch_pa is one page there that the caller lends for it.
 */
int fwcfg_dma_read(uint16_t sel, uint64_t dst_pa, uint32_t len, uint64_t scratch_pa)
{
	volatile struct fw_cfg_dma_access *d = (void *)scratch_pa;

	if (!base)
		return -1;
	if (!has_dma) /* old QEMU: the slow way, still correct */
		return fwcfg_read_bytes(sel, (void *)dst_pa, len);

	d->control = __builtin_bswap32((uint32_t)sel << 16 | FW_CFG_DMA_CTL_SELECT |
				       FW_CFG_DMA_CTL_READ);
	d->length = __builtin_bswap32(len);
	d->address = __builtin_bswap64(dst_pa);
	dcache_clean_inval((const void *)d, sizeof(*d));
	dcache_clean_inval((const void *)dst_pa, len);

	*(volatile uint64_t *)(base + FW_CFG_DMA_ADDR) = __builtin_bswap64(scratch_pa);
	dsb(sy);
	for (;;) {
		uint32_t ctl;

		dcache_clean_inval((const void *)d, sizeof(*d));
		ctl = __builtin_bswap32(d->control);
		if (ctl & FW_CFG_DMA_CTL_ERROR)
			return -1;
		if (ctl == 0)
			break;
	}
	dcache_clean_inval((const void *)dst_pa, len);
	return 0;
}
