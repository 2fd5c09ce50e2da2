/*
 * libFuzzer target for a RAM disk's copies (ramdisk_rw() in
 * hyp/disk/ramdisk.c): an image of 0 to 16 sectors (an exact-size heap
 * block), read-only or not, and a request from the input: read or write,
 * a sector number (small, or near the wrapping points of sector * 512),
 * 0 to BLK_SEG_MAX + 1 spans, each an exact-size heap block of 0 to 1100
 * bytes or, now and then, a length near 2^32 on a one-byte block, which a
 * correct check refuses before touching it (ASan sees any copy that gets
 * through).
 *
 * What must hold, against a model written from blk.h's contract:
 * - accepted exactly when there are 1 to BLK_SEG_MAX spans, their total is
 *   a multiple of 512, sector + total / 512 <= sectors (in exact
 *   arithmetic), and it is not a write to a read-only disk;
 * - accepted: a read fills the spans with the image's bytes from sector
 *   on, in order, and leaves the image as it was; a write puts the spans'
 *   bytes there and changes nothing else of the image;
 * - refused: neither the image nor any span changes.
 *
 * fuzz-libs: hyp/disk/ramdisk.c lib/fmt.c lib/image/bundle.c lib/crc32.c
 */
#include <hyp/disk/ramdisk.h>

#include "fuzz.h"

#define MAX_SECTORS 16u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	uint64_t flags = fz_take(&f, 1);
	unsigned sectors = (unsigned)(fz_take(&f, 1) % (MAX_SECTORS + 1));
	uint64_t sector = fz_take(&f, 2) % (MAX_SECTORS + 4);
	unsigned n = (unsigned)(fz_take(&f, 1) % (BLK_SEG_MAX + 2));
	bool write = flags & 1, ro = flags & 2;
	size_t isize = (size_t)sectors * RAMDISK_SECTOR_SIZE;
	uint8_t *img = malloc(isize ? isize : 1), *before = malloc(isize ? isize : 1);
	static struct blk_span spans[BLK_SEG_MAX + 1];
	static uint8_t *copies[BLK_SEG_MAX + 1];
	struct ramdisk r = {img, sectors, ro};
	unsigned __int128 total = 0;
	bool want;
	int got;

	if (!img || !before)
		abort();
	/* Sector numbers whose * 512 or + length wraps. */
	if (flags & 4)
		sector = UINT64_MAX - sector;
	else if (flags & 8)
		sector = (1ull << 55) + sector;
	for (size_t i = 0; i < isize; i++)
		img[i] = (uint8_t)(i * 13 + 1);
	memcpy(before, img, isize);
	for (unsigned i = 0; i < n; i++) {
		uint64_t len = fz_take(&f, 2) % 1101;
		bool huge = fz_take(&f, 1) == 0xff;
		uint8_t *b = malloc(huge || !len ? 1 : len);

		if (!b)
			abort();
		if (huge)
			len = UINT32_MAX - (len & 0x1ff);
		for (uint64_t k = 0; k < (huge ? 1 : len); k++)
			b[k] = (uint8_t)(fz_take(&f, 1) ^ 0x5a);
		spans[i] = (struct blk_span){0, b, (uint32_t)len};
		copies[i] = malloc(huge || !len ? 1 : len);
		if (!copies[i])
			abort();
		memcpy(copies[i], b, huge ? 1 : len);
		total += len;
	}
	want = n >= 1 && n <= BLK_SEG_MAX && total % RAMDISK_SECTOR_SIZE == 0 &&
	       (unsigned __int128)sector * RAMDISK_SECTOR_SIZE + total <=
		       (unsigned __int128)isize &&
	       !(write && ro);
	got = ramdisk_rw(&r, write, sector, spans, n);
	FUZZ_CHECK((got == 0) == want,
		   "got %d, the model says %s (n %u, sector %lu, "
		   "total %lu, sectors %u, write %d ro %d)",
		   got, want ? "accept" : "refuse", n, (unsigned long)sector,
		   (unsigned long)total, sectors, write, ro);
	if (got == 0) {
		size_t off = (size_t)sector * RAMDISK_SECTOR_SIZE;

		for (unsigned i = 0; i < n; i++) {
			FUZZ_CHECK(!memcmp(write ? img + off : spans[i].host,
					   write ? copies[i] : before + off,
					   spans[i].len),
				   "span %u's bytes are not the image's at %zu", i, off);
			if (write)
				memcpy(before + off, copies[i], spans[i].len);
			off += spans[i].len;
		}
	} else {
		for (unsigned i = 0; i < n; i++)
			FUZZ_CHECK(!memcmp(spans[i].host, copies[i],
					   spans[i].len > 1100 ? 1 : spans[i].len),
				   "span %u changed by a refused request", i);
	}
	/* before is now what the image must hold. */
	FUZZ_CHECK(!memcmp(img, before, isize), "the image holds other bytes");
	for (unsigned i = 0; i < n; i++) {
		free(spans[i].host);
		free(copies[i]);
	}
	free(img);
	free(before);
	return 0;
}
