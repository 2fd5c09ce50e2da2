/*
 * The boot image on QEMU sbsa-ref, which has no fw_cfg: it is stored in
 * flash1 behind the header of lib/image/flash_image.h (written by
 * build/host/mkflash, docs/BOOT_IMAGE.md). The header is checked in
 * place; the image is checked again after it is copied to RAM, so the
 * bytes that run are the bytes that were checked. The header may fix the
 * load-address seed.
 */
#include <string.h>

#include <arch/cache.h>
#include <lib/console.h>
#include <lib/image/flash_image.h>

#include <monitor/plat.h>
#include <platform.h>

static struct flash_image flash;
static bool flash_ok;

int plat_boot_image_size(uint64_t *size)
{
	if (flash_image_parse(&flash, (const void *)PLAT_BOOT_FLASH_BASE,
			      PLAT_BOOT_FLASH_SIZE)) {
		log_printf("monitor: no boot image in flash1 at 0x%x: %s\n",
			   PLAT_BOOT_FLASH_BASE, flash.error);
		return -1;
	}
	flash_ok = true;
	*size = flash.size;
	return 0;
}

int plat_boot_image_copy(uint64_t dst_pa, uint64_t size, uint64_t scratch_pa)
{
	if (!flash_ok || size != flash.size) {
		log_printf("monitor: the boot image was not sized from flash1 first\n");
		return -1;
	}
	memcpy((void *)dst_pa, (const void *)(PLAT_BOOT_FLASH_BASE + flash.offset), size);
	if (flash_image_verify(&flash, (const void *)dst_pa)) {
		log_printf("monitor: boot image in flash1 rejected: %s\n", flash.error);
		return -1;
	}
	/* The bootloader starts with its caches off. */
	dcache_clean((const void *)dst_pa, size);
	return 0;
}

bool plat_boot_seed(uint64_t *seed, const char **source)
{
	if (!flash_ok || !flash.has_seed)
		return false;
	*seed = flash.seed;
	*source = "the flash1 header";
	return true;
}
