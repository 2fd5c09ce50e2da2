/*
 * Loading the boot image: QEMU's -kernel file, through fw_cfg, copied to
 * Non-secure RAM at an address the monitor draws at run time from a seed,
 * so nothing after it may assume where it runs. The seed is the fw_cfg file
 * opt/hv/seed when given (tests and reproducible runs), else the CPU's
 * random number generator, else the counter.
 */
#include <stddef.h>
#include <string.h>

#include <arch/rng.h>
#include <arch/sysreg.h>
#include <lib/console.h>
#include <lib/dt.h>
#include <lib/memmap.h>

#include "monitor.h"

#define FW_CFG_KERNEL_SIZE 0x0008
#define FW_CFG_KERNEL_DATA 0x0011
#define SEED_FILE "opt/hv/seed"

/* The arm64 Image header (Linux Documentation/arch/arm64/booting): the
 * bootloader carries one, so the monitor can tell an image from garbage. */
#define ARM64_IMAGE_MAGIC 0x644d5241u /* "ARM\x64" */
#define ARM64_IMAGE_MAGIC_OFFSET 56
#define ARM64_IMAGE_SIZE_OFFSET 16 /* bytes the image occupies, .bss included */

#define PAGE_SIZE 4096ull

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

static bool seed_from_fwcfg(uint64_t *seed)
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
	return true;
}

static uint64_t choose_seed(const char **source)
{
	uint64_t seed;

	if (seed_from_fwcfg(&seed)) {
		*source = "fw_cfg " SEED_FILE;
	} else if (rndr_read(&seed)) {
		*source = "RNDR";
	} else {
		seed = read_sysreg(cntpct_el0);
		*source = "counter";
	}
	return seed;
}

int load_boot_image(void *fdt, struct memmap *ram, uint64_t *entry)
{
	uint32_t size = fwcfg_read_le32(FW_CFG_KERNEL_SIZE);
	uint64_t seed, pa, span, image_size;
	const char *source;
	int err;

	if (size == 0) {
		log_printf("monitor: no boot image: give QEMU -kernel boot.img\n");
		return -1;
	}
	if (size < ARM64_IMAGE_MAGIC_OFFSET + 8) {
		log_printf("monitor: boot image too small (%u bytes)\n", size);
		return -1;
	}
	seed = choose_seed(&source);
	/* One page past the image holds the fw_cfg DMA descriptor. */
	span = ((size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)) + PAGE_SIZE;
	err = memmap_pick(ram, span, PAGE_SIZE, seed, &pa);
	if (err) {
		log_printf("monitor: no free RAM for the %u-byte boot image: %s\n", size,
			   memmap_strerror(err));
		return -1;
	}
	if (fwcfg_dma_read(FW_CFG_KERNEL_DATA, pa, size, pa + span - PAGE_SIZE)) {
		log_printf("monitor: fw_cfg failed to transfer the boot image\n");
		return -1;
	}
	if (*(volatile uint32_t *)(pa + ARM64_IMAGE_MAGIC_OFFSET) != ARM64_IMAGE_MAGIC) {
		log_printf("monitor: boot image is not an arm64 image (no ARM\\x64 "
			   "magic at offset %u)\n",
			   ARM64_IMAGE_MAGIC_OFFSET);
		return -1;
	}
	image_size = *(volatile uint64_t *)(pa + ARM64_IMAGE_SIZE_OFFSET);
	if (image_size > size) {
		log_printf("monitor: boot image truncated: its header says the "
			   "bootloader alone is %lu bytes, %u were loaded\n",
			   image_size, size);
		return -1;
	}
	memmap_reserve(ram, pa, span - PAGE_SIZE, MEM_BOOT_IMAGE);
	err = dt_chosen_set_range(fdt, DT_CHOSEN_BOOT_IMAGE, pa, size);
	if (err) {
		log_printf("monitor: cannot record the boot image in the DT (%d)\n", err);
		return -1;
	}
	log_printf("monitor: boot image: %u bytes at 0x%lx (seed %lu from %s)\n", size,
		   pa, seed, source);
	*entry = pa;
	return 0;
}
