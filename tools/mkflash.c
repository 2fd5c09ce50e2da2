/*
 * mkflash: puts a boot image into a boot flash bank (QEMU sbsa-ref's
 * flash1): the header of lib/image/flash_image.h, the image from the first page
 * on, and the file extended to the bank's size, which QEMU requires of a
 * pflash drive (sparse, so the unused part costs no disk).
 *
 *   mkflash -o OUT [--seed N] [--size SIZE] IMAGE
 *   mkflash --list FLASH
 *
 * --seed fixes the monitor's load-address seed (docs/BOOT_IMAGE.md); the
 * finished header goes through the monitor's own flash_image_parse()
 * before the output is written.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lib/crc32.h>
#include <lib/image/flash_image.h>

#include "bundle_write.h"
#include "common.h"

#define DEFAULT_BANK_SIZE (256ull << 20) /* QEMU sbsa-ref's pflash banks */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s -o OUT [--seed N] [--size SIZE] IMAGE\n"
		"       %s --list FLASH\n"
		"SIZE: the bank size, bytes with an optional K, M or G (default 256M)\n",
		tool_name, tool_name);
}

__attribute__((noreturn)) static void usage_error(const char *what)
{
	fprintf(stderr, "%s: %s\n", tool_name, what);
	usage(stderr);
	exit(1);
}

/* A decimal or 0x number with an optional K/M/G suffix; false if not one. */
static int parse_number(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!*s || *s == '-')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return 0;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return 0;
	*out = (uint64_t)v << shift;
	return 1;
}

static uint8_t *read_file(const char *path, uint64_t *size)
{
	char err[512];
	uint8_t *buf;

	if (bundle_read_file(path, &buf, size, err, sizeof(err)))
		tool_die("%s", err);
	return buf;
}

static void write_flash(const char *path, const uint8_t *hdr, const uint8_t *img,
			uint64_t img_size, uint64_t bank_size)
{
	static const uint8_t pad[FLASH_IMAGE_ALIGN];
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		tool_die("cannot create '%s': %s", path, strerror(errno));
	ok = fwrite(hdr, 1, FLASH_HEADER_SIZE, f) == FLASH_HEADER_SIZE &&
	     fwrite(pad, 1, FLASH_IMAGE_ALIGN - FLASH_HEADER_SIZE, f) ==
		     FLASH_IMAGE_ALIGN - FLASH_HEADER_SIZE &&
	     fwrite(img, 1, (size_t)img_size, f) == img_size && fflush(f) == 0 &&
	     ftruncate(fileno(f), (off_t)bank_size) == 0;
	if (fclose(f) || !ok) {
		remove(path);
		tool_die("cannot write '%s': %s", path, strerror(errno));
	}
}

static int make(const char *out, const char *in, uint64_t bank_size, int has_seed,
		uint64_t seed)
{
	struct flash_image fi;
	uint8_t hdr[FLASH_HEADER_MAX] = {0};
	uint64_t size;
	uint8_t *img = read_file(in, &size);

	if (size == 0)
		tool_die("boot image '%s' is empty", in);
	if (bank_size < FLASH_IMAGE_ALIGN || size > bank_size - FLASH_IMAGE_ALIGN)
		tool_die("boot image '%s' (%llu bytes) does not fit a %llu-byte flash "
			 "after "
			 "its %u-byte header page",
			 in, (unsigned long long)size, (unsigned long long)bank_size,
			 FLASH_IMAGE_ALIGN);
	flash_image_write_header(hdr, size, crc32(0, img, (size_t)size), has_seed, seed);
	/* The monitor's checks, on a bank that is the header page and the
	 * image: what it will see, short of the zero tail. */
	{
		uint8_t *bank = calloc(1, FLASH_IMAGE_ALIGN + size);

		if (!bank)
			tool_die("out of memory");
		memcpy(bank, hdr, FLASH_HEADER_SIZE);
		memcpy(bank + FLASH_IMAGE_ALIGN, img, (size_t)size);
		if (flash_image_parse(&fi, bank, FLASH_IMAGE_ALIGN + size) ||
		    flash_image_verify(&fi, bank + fi.offset))
			tool_die("internal error: the header written does not check: %s",
				 fi.error);
		free(bank);
	}
	write_flash(out, hdr, img, size, bank_size);
	free(img);
	return 0;
}

static int list(const char *path)
{
	struct flash_image fi;
	uint64_t size;
	uint8_t *bank = read_file(path, &size);

	if (flash_image_parse(&fi, bank, size) ||
	    flash_image_verify(&fi, bank + fi.offset)) {
		fprintf(stderr, "%s: %s: %s\n", tool_name, path, fi.error);
		free(bank);
		return 1;
	}
	printf("%s: boot flash version %u, %llu bytes\n", path, FLASH_IMAGE_VERSION,
	       (unsigned long long)size);
	printf("  image: %llu bytes at 0x%llx, crc32 0x%08x\n",
	       (unsigned long long)fi.size, (unsigned long long)fi.offset, fi.crc);
	if (fi.has_seed)
		printf("  seed: %llu\n", (unsigned long long)fi.seed);
	else
		printf("  seed: none (the monitor draws one)\n");
	free(bank);
	return 0;
}

int main(int argc, char **argv)
{
	const char *out = NULL, *in = NULL, *list_path = NULL;
	uint64_t bank_size = DEFAULT_BANK_SIZE, seed = 0;
	int has_seed = 0;

	tool_name = "mkflash";
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];

		if (!strcmp(opt, "-h") || !strcmp(opt, "--help")) {
			usage(stdout);
			return 0;
		}
		if (opt[0] != '-') {
			if (in)
				usage_error("more than one boot image given");
			in = opt;
			continue;
		}
		if (i + 1 >= argc)
			usage_error("an option needs an argument");
		if (!strcmp(opt, "-o") && !out)
			out = argv[++i];
		else if (!strcmp(opt, "--list") && !list_path)
			list_path = argv[++i];
		else if (!strcmp(opt, "--seed") && !has_seed) {
			if (!parse_number(argv[++i], &seed))
				tool_die("--seed wants a number, got '%s'", argv[i]);
			has_seed = 1;
		} else if (!strcmp(opt, "--size")) {
			if (!parse_number(argv[++i], &bank_size) ||
			    bank_size % FLASH_IMAGE_ALIGN)
				tool_die("--size wants a multiple of %u bytes, got '%s'",
					 FLASH_IMAGE_ALIGN, argv[i]);
		} else
			usage_error("unknown or repeated option");
	}
	if (list_path) {
		if (out || in || has_seed)
			usage_error("--list takes no other options");
		return list(list_path);
	}
	if (!out)
		usage_error("no output file (-o OUT)");
	if (!in)
		usage_error("no boot image given");
	return make(out, in, bank_size, has_seed, seed);
}
