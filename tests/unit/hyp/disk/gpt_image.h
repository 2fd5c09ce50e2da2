/*
 * A small GPT writer for the tests of hyp/disk/gpt.c (the unit test and
 * the fuzz target): a disk image in memory with a protective MBR, the
 * primary header at LBA 1 and its array at LBA 2, the backup array and
 * header at the end, laid out as partitioning tools do (UEFI 2.11, 5.3.1).
 * It writes fields at the offsets of the spec's tables, independently of
 * the reader's code, and computes the CRCs with lib/crc32; the tests then
 * break one field at a time and call img_fix() to make the CRCs hold again
 * where a test wants a check past them to be the one refusing.
 */
#ifndef TESTS_GPT_IMAGE_H
#define TESTS_GPT_IMAGE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lib/crc32.h>
#include <lib/le.h>

#define IMG_SECTOR 512u

struct img {
	uint8_t *d;
	uint64_t sectors;
};

/* A partition to write: name is ASCII, or name16 (NUL-terminated UTF-16
 * code units) when not NULL. */
struct img_part {
	const char *name;
	uint64_t first, last;
	uint64_t attrs;
	const uint16_t *name16;
};

/* The Linux filesystem data type, 0FC63DAF-8483-4772-8E79-3D69D8477DE4,
 * as stored: the first three fields little-endian. */
static const uint8_t img_linux_type[16] = {0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84,
					   0x72, 0x47, 0x8e, 0x79, 0x3d, 0x69,
					   0xd8, 0x47, 0x7d, 0xe4};

static inline uint8_t *img_at(struct img *m, uint64_t lba)
{
	return m->d + lba * IMG_SECTOR;
}

static inline struct img img_new(uint64_t sectors)
{
	struct img m = {calloc(sectors ? sectors : 1, IMG_SECTOR), sectors};

	if (!m.d)
		abort();
	return m;
}

/* 5.2.3: one record, OSType 0xEE, from LBA 1 to the end (or 2^32 - 1). */
static inline void img_pmbr(struct img *m)
{
	uint8_t *r = m->d + 446;
	uint64_t size = m->sectors - 1;

	memset(m->d, 0, IMG_SECTOR);
	r[4] = 0xee;
	le_put32(r + 8, 1);
	le_put32(r + 12, size > 0xffffffffu ? 0xffffffffu : (uint32_t)size);
	m->d[510] = 0x55;
	m->d[511] = 0xaa;
}

/* The header at lba, 92 bytes, with no CRCs yet (img_fix()). */
static inline void img_header(struct img *m, uint64_t lba, uint64_t alt, uint64_t first,
			      uint64_t last, uint64_t entry_lba, uint32_t n,
			      uint32_t size)
{
	uint8_t *h = img_at(m, lba);

	memset(h, 0, IMG_SECTOR);
	memcpy(h, "EFI PART", 8);
	le_put32(h + 8, 0x00010000);
	le_put32(h + 12, 92);
	le_put64(h + 24, lba);
	le_put64(h + 32, alt);
	le_put64(h + 40, first);
	le_put64(h + 48, last);
	for (int i = 0; i < 16; i++)
		h[56 + i] = (uint8_t)(0xd0 + i); /* disk GUID */
	le_put64(h + 72, entry_lba);
	le_put32(h + 80, n);
	le_put32(h + 84, size);
}

/* Entry i of the array at entry_lba, entries of size bytes. */
static inline void img_entry(struct img *m, uint64_t entry_lba, uint32_t size, unsigned i,
			     const struct img_part *p)
{
	uint8_t *e = img_at(m, entry_lba) + (uint64_t)i * size;

	memset(e, 0, size);
	memcpy(e, img_linux_type, 16);
	for (int k = 0; k < 16; k++)
		e[16 + k] = (uint8_t)(i * 16 + k + 1); /* unique GUID */
	le_put64(e + 32, p->first);
	le_put64(e + 40, p->last);
	le_put64(e + 48, p->attrs);
	for (unsigned k = 0; k < 36; k++) {
		uint16_t c = p->name16 ? p->name16[k] : (uint16_t)(uint8_t)p->name[k];

		if (!c)
			break;
		e[56 + 2 * k] = (uint8_t)c;
		e[57 + 2 * k] = (uint8_t)(c >> 8);
	}
}

/*
 * Recomputes the CRCs of the header at lba from its fields as they are:
 * the array's first (when it lies inside the image), then the header's
 * over HeaderSize bytes (clamped to the sector) with the field zeroed.
 */
static inline void img_fix(struct img *m, uint64_t lba)
{
	uint8_t *h = img_at(m, lba);
	uint64_t entry_lba = le_get64(h + 72);
	uint64_t bytes = (uint64_t)le_get32(h + 80) * le_get32(h + 84);
	uint32_t size = le_get32(h + 12);

	if (entry_lba < m->sectors && bytes <= (m->sectors - entry_lba) * IMG_SECTOR)
		le_put32(h + 88, crc32(0, img_at(m, entry_lba), (size_t)bytes));
	if (size > IMG_SECTOR)
		size = IMG_SECTOR;
	if (size < 20)
		return;
	le_put32(h + 16, 0);
	le_put32(h + 16, crc32(0, h, size));
}

static inline uint64_t img_array_sectors(uint32_t n, uint32_t size)
{
	return ((uint64_t)n * size + IMG_SECTOR - 1) / IMG_SECTOR;
}

/* The usual layout, n entries of size bytes: primary header at 1 and
 * array at 2, backup array then header at the end, the partitions in
 * entries 0.. np-1 of both arrays. */
static inline void img_gpt(struct img *m, uint32_t n, uint32_t size,
			   const struct img_part *parts, unsigned np)
{
	uint64_t as = img_array_sectors(n, size);
	uint64_t last_lba = m->sectors - 1, backup_array = last_lba - as;
	uint64_t first = 2 + as, last = backup_array - 1;

	img_pmbr(m);
	memset(img_at(m, 2), 0, as * IMG_SECTOR);
	memset(img_at(m, backup_array), 0, as * IMG_SECTOR);
	for (unsigned i = 0; i < np; i++) {
		img_entry(m, 2, size, i, &parts[i]);
		img_entry(m, backup_array, size, i, &parts[i]);
	}
	img_header(m, 1, last_lba, first, last, 2, n, size);
	img_header(m, last_lba, 1, first, last, backup_array, n, size);
	img_fix(m, 1);
	img_fix(m, last_lba);
}

#endif
