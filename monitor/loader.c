/*
 * Loading the boot image: the platform port says how large it is and
 * copies it (fw_cfg on virt, the boot flash on sbsa-ref) to Non-secure RAM
 * at an address the monitor draws at run time from a seed, so nothing after
 * it may assume where it runs. The seed is the one the image's source fixes
 * when it has one (tests and reproducible runs), else the CPU's random
 * number generator, else the counter.
 */
#include <stddef.h>
#include <string.h>

#include <arch/rng.h>
#include <arch/sysreg.h>
#include <lib/console.h>
#include <lib/dt/dt.h>
#include <lib/image/linux_boot.h>
#include <lib/mm/memmap.h>
#include <lib/mm/pgtable.h>

#include <monitor/monitor.h>

/* The bootloader carries an arm64 Image header (lib/image/linux_boot.h),
 * so the monitor can tell an image from garbage and knows its size. */

static uint64_t choose_seed(const char **source)
{
	uint64_t seed;

	if (plat_boot_seed(&seed, source))
		return seed;
	if (rndr_read(&seed)) {
		*source = "RNDR";
	} else {
		seed = read_sysreg(cntpct_el0);
		*source = "counter";
	}
	return seed;
}

int load_boot_image(void *fdt, struct memmap *ram, uint64_t *entry)
{
	uint64_t size, seed, pa, span, image_size;
	const char *source;
	int err;

	if (plat_boot_image_size(&size))
		return -1;
	if (size < ARM64_IMAGE_MAGIC_OFFSET + 8) {
		log_printf("monitor: boot image too small (%lu bytes)\n", size);
		return -1;
	}
	seed = choose_seed(&source);
	/* One page past the image is the port's scratch (fw_cfg's DMA
	 * descriptor); it stays free afterwards. */
	span = ((size + PT_PAGE_SIZE - 1) & ~(PT_PAGE_SIZE - 1)) + PT_PAGE_SIZE;
	err = memmap_pick(ram, span, PT_PAGE_SIZE, seed, &pa);
	if (err) {
		log_printf("monitor: no free RAM for the %lu-byte boot image: %s\n", size,
			   memmap_strerror(err));
		return -1;
	}
	if (plat_boot_image_copy(pa, size, pa + span - PT_PAGE_SIZE))
		return -1;
	if (*(volatile uint32_t *)(pa + ARM64_IMAGE_MAGIC_OFFSET) != ARM64_IMAGE_MAGIC) {
		log_printf("monitor: boot image is not an arm64 image (no ARM\\x64 "
			   "magic at offset %u)\n",
			   ARM64_IMAGE_MAGIC_OFFSET);
		return -1;
	}
	image_size = *(volatile uint64_t *)(pa + ARM64_IMAGE_IMAGE_SIZE);
	if (image_size > size) {
		log_printf("monitor: boot image truncated: its header says the "
			   "bootloader alone is %lu bytes, %lu were loaded\n",
			   image_size, size);
		return -1;
	}
	memmap_reserve(ram, pa, span - PT_PAGE_SIZE, MEM_BOOT_IMAGE);
	err = dt_chosen_set_range(fdt, DT_CHOSEN_BOOT_IMAGE, pa, size);
	if (err) {
		log_printf("monitor: cannot record the boot image in the DT (%d)\n", err);
		return -1;
	}
	log_printf("monitor: boot image: %lu bytes at 0x%lx (seed %lu from %s)\n", size,
		   pa, seed, source);
	*entry = pa;
	return 0;
}
