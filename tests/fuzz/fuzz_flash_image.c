/*
 * libFuzzer target for the boot flash header (lib/image/flash_image.c), which
 * the monitor parses in place in a flash bank anyone may have written.
 *
 * The input's first byte chooses whether the harness fixes up the header's
 * and the image's checksums first (so the fuzzer gets past them); the
 * rest is the bank, in an exact-size buffer. What must hold:
 * - a refused header comes with one terminated, non-empty error line;
 * - an accepted one places a non-empty image, page-aligned, after the
 *   header and inside the bank, without wrapping;
 * - verifying an exact-size copy of that image reads only the copy and
 *   agrees with the checksum the header states;
 * and nothing reads outside the bank (ASan).
 *
 * fuzz-libs: lib/image/flash_image.c lib/crc32.c lib/fmt.c
 */
#include <lib/le.h>
#include <lib/crc32.h>
#include <lib/image/flash_image.h>

#include "fuzz.h"

#define FIX_HEADER_CRC 1u
#define FIX_IMAGE_CRC 2u

static uint64_t rd(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void fix_crcs(uint8_t *h, size_t len, unsigned what)
{
	uint64_t hsize, off, size;

	if (len < FLASH_HEADER_SIZE)
		return;
	hsize = rd(h + FLASH_HDR_HEADER_SIZE, 4);
	off = rd(h + FLASH_HDR_IMAGE_OFFSET, 8);
	size = rd(h + FLASH_HDR_IMAGE_SIZE, 8);
	if ((what & FIX_IMAGE_CRC) && off <= len && size <= len - off)
		le_put32(h + FLASH_HDR_IMAGE_CRC, crc32(0, h + off, (size_t)size));
	if ((what & FIX_HEADER_CRC) && hsize >= FLASH_HDR_CRC + 4 && hsize <= len) {
		static const uint8_t zero[4];
		uint32_t crc = crc32(0, h, FLASH_HDR_CRC);

		crc = crc32(crc, zero, sizeof(zero));
		crc = crc32(crc, h + FLASH_HDR_CRC + 4,
			    (size_t)hsize - FLASH_HDR_CRC - 4);
		le_put32(h + FLASH_HDR_CRC, crc);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	unsigned what = (unsigned)fz_take(&f, 1);
	struct flash_image fi;
	size_t len;
	uint8_t *bank = fz_copy(&f, f.n, &len), *copy;
	int r, v;

	fix_crcs(bank, len, what);
	memset(&fi, 0x5a, sizeof(fi));
	r = flash_image_parse(&fi, bank, len);
	FUZZ_CHECK(fz_terminated(fi.error, sizeof(fi.error)), "error line unterminated");
	if (r) {
		FUZZ_CHECK(r < 0 && fi.error[0], "refusal %d without a reason", r);
		free(bank);
		return 0;
	}
	FUZZ_CHECK(fi.offset % FLASH_IMAGE_ALIGN == 0 && fi.offset >= FLASH_HEADER_SIZE,
		   "image offset 0x%llx", (unsigned long long)fi.offset);
	FUZZ_CHECK(fi.size > 0 && fi.offset <= len && fi.size <= len - fi.offset,
		   "image of %llu bytes at 0x%llx in a bank of %zu",
		   (unsigned long long)fi.size, (unsigned long long)fi.offset, len);
	FUZZ_CHECK(fi.offset >= rd(bank + FLASH_HDR_HEADER_SIZE, 4),
		   "image inside the header");
	FUZZ_CHECK(!fi.has_seed || fi.seed == rd(bank + FLASH_HDR_SEED, 8), "seed");
	copy = malloc((size_t)fi.size);
	if (!copy)
		abort();
	memcpy(copy, bank + fi.offset, (size_t)fi.size);
	v = flash_image_verify(&fi, copy);
	FUZZ_CHECK((v == 0) == (crc32(0, copy, (size_t)fi.size) == fi.crc),
		   "verify says %d", v);
	FUZZ_CHECK(v == 0 || v == FLASH_E_IMAGE_CRC, "verify returned %d", v);
	free(copy);
	free(bank);
	return 0;
}
