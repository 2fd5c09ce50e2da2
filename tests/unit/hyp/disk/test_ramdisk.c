/*
 * RAM disks (hyp/disk/ramdisk.c): the claim rules (read-write to one VM,
 * read-only to many, each refusal with its one line), the size rule (a
 * non-zero multiple of 512 bytes), and the copies behind a VM's requests:
 * reads and writes land where they should, and every range the backend
 * is handed that reaches past the image, however it wraps, is refused
 * with nothing copied. The images sit inside guard bytes that must never
 * change.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <hyp/disk/ramdisk.h>

#include "unit.h"

#define GUARD 4096u
#define GUARD_BYTE 0xa5
#define IMG_SECTORS 8u
#define IMG_SIZE (IMG_SECTORS * RAMDISK_SECTOR_SIZE)

static struct ramdisk_set set;
/* guard | image (IMG_SIZE) | guard */
static uint8_t mem[GUARD + IMG_SIZE + GUARD];
static uint8_t *const img = mem + GUARD;
static char err[160];

/* The image holds byte i = i * 7 + 3 (mod 256); the guards GUARD_BYTE. */
static void fill(void)
{
	memset(mem, GUARD_BYTE, sizeof(mem));
	for (unsigned i = 0; i < IMG_SIZE; i++)
		img[i] = (uint8_t)(i * 7 + 3);
}

static bool guards_intact(void)
{
	for (unsigned i = 0; i < GUARD; i++)
		if (mem[i] != GUARD_BYTE || mem[GUARD + IMG_SIZE + i] != GUARD_BYTE)
			return false;
	return true;
}

static void setup(void)
{
	static uint8_t odd[1000], empty[1];

	fill();
	ramdisk_set_init(&set);
	CHECK_EQ(ramdisk_add(&set, "disk", img, IMG_SIZE), 0);
	CHECK_EQ(ramdisk_add(&set, "shared", img, IMG_SIZE), 0);
	CHECK_EQ(ramdisk_add(&set, "odd", odd, sizeof(odd)), 0);
	CHECK_EQ(ramdisk_add(&set, "empty", empty, 0), 0);
	CHECK_EQ(ramdisk_add(&set, "one", img, RAMDISK_SECTOR_SIZE), 0);
	err[0] = 0;
}

static enum ramdisk_err claim(unsigned vm, const char *name, bool ro, struct ramdisk *out)
{
	err[0] = 0;
	return ramdisk_claim(&set, vm, name, ro, out, err, sizeof(err));
}

static void add_refuses(void)
{
	char name[40];

	ramdisk_set_init(&set);
	CHECK_EQ(ramdisk_add(&set, "", img, IMG_SIZE), -1);
	CHECK_EQ(ramdisk_add(&set, "a b", img, IMG_SIZE), -1);
	CHECK_EQ(ramdisk_add(&set, "abcdefghijabcdefghijabcdefghijab", img, IMG_SIZE),
		 -1);
	CHECK_EQ(set.count, 0);
	for (unsigned i = 0; i < RAMDISK_MAX; i++) {
		snprintf(name, sizeof(name), "d%u", i);
		CHECK_EQ(ramdisk_add(&set, name, img, IMG_SIZE), 0);
	}
	CHECK_EQ(ramdisk_add(&set, "more", img, IMG_SIZE), -1);
	CHECK_EQ(set.count, RAMDISK_MAX);
}

static void claim_gives_the_image(void)
{
	struct ramdisk r = {0};

	setup();
	CHECK_EQ(claim(0, "disk", false, &r), RAMDISK_OK);
	CHECK(r.data == img);
	CHECK_EQ(r.sectors, IMG_SECTORS);
	CHECK(!r.read_only);
	CHECK_EQ(err[0], 0);
	CHECK_EQ(claim(1, "one", true, &r), RAMDISK_OK);
	CHECK_EQ(r.sectors, 1);
	CHECK(r.read_only);
}

static void claim_refusals(void)
{
	struct ramdisk r = {0}, before;

	setup();
	before = r;
	CHECK_EQ(claim(0, "nosuch", false, &r), RAMDISK_E_NONE);
	CHECK(!strcmp(err, "no disk image 'nosuch' in the boot image"));
	/* Names are whole: no prefix matches. */
	CHECK_EQ(claim(0, "dis", true, &r), RAMDISK_E_NONE);
	CHECK_EQ(claim(0, "odd", true, &r), RAMDISK_E_SIZE);
	CHECK(!strcmp(err, "disk image 'odd' is 1000 bytes, not a non-zero multiple "
			   "of 512"));
	CHECK_EQ(claim(0, "empty", false, &r), RAMDISK_E_SIZE);
	CHECK(!strcmp(err, "disk image 'empty' is 0 bytes, not a non-zero multiple "
			   "of 512"));
	CHECK_EQ(claim(RAMDISK_MAX_VMS, "disk", true, &r), RAMDISK_E_VM);
	CHECK(!memcmp(&r, &before, sizeof(r)));
	/* No room for the message: still refused. */
	CHECK_EQ(ramdisk_claim(&set, 0, "nosuch", false, &r, NULL, 0), RAMDISK_E_NONE);
}

static void one_writer_many_readers(void)
{
	struct ramdisk r;

	setup();
	CHECK_EQ(claim(0, "disk", false, &r), RAMDISK_OK);
	CHECK_EQ(claim(1, "disk", false, &r), RAMDISK_E_WRITTEN);
	CHECK(!strcmp(err, "disk image 'disk' is written by another VM"));
	CHECK_EQ(claim(1, "disk", true, &r), RAMDISK_E_WRITTEN);
	/* The writer asking again gets it, read-only or not. */
	CHECK_EQ(claim(0, "disk", false, &r), RAMDISK_OK);
	CHECK_EQ(claim(0, "disk", true, &r), RAMDISK_OK);

	CHECK_EQ(claim(2, "shared", true, &r), RAMDISK_OK);
	CHECK_EQ(claim(3, "shared", true, &r), RAMDISK_OK);
	CHECK_EQ(claim(31, "shared", true, &r), RAMDISK_OK);
	CHECK_EQ(claim(4, "shared", false, &r), RAMDISK_E_IN_USE);
	CHECK(!strcmp(err, "disk image 'shared' is in use by another VM: read-write "
			   "refused"));
	/* A reader alone may write what only it reads. */
	CHECK_EQ(claim(5, "one", true, &r), RAMDISK_OK);
	CHECK_EQ(claim(5, "one", false, &r), RAMDISK_OK);
}

static void release_frees_claims(void)
{
	struct ramdisk r;

	setup();
	CHECK_EQ(claim(0, "disk", false, &r), RAMDISK_OK);
	CHECK_EQ(claim(2, "shared", true, &r), RAMDISK_OK);
	CHECK_EQ(claim(3, "shared", true, &r), RAMDISK_OK);
	ramdisk_release(&set, 0);
	CHECK_EQ(claim(1, "disk", false, &r), RAMDISK_OK);
	ramdisk_release(&set, 2);
	CHECK_EQ(claim(4, "shared", false, &r), RAMDISK_E_IN_USE);
	ramdisk_release(&set, 3);
	CHECK_EQ(claim(4, "shared", false, &r), RAMDISK_OK);
	/* Out of range: nothing happens. */
	ramdisk_release(&set, RAMDISK_MAX_VMS);
	CHECK_EQ(claim(0, "shared", true, &r), RAMDISK_E_WRITTEN);
}

static void reads_and_writes(void)
{
	struct ramdisk r;
	uint8_t a[RAMDISK_SECTOR_SIZE], b[3 * RAMDISK_SECTOR_SIZE];
	uint8_t c[RAMDISK_SECTOR_SIZE / 2], d[RAMDISK_SECTOR_SIZE / 2];
	struct blk_span s[3];

	setup();
	CHECK_EQ(claim(0, "disk", false, &r), RAMDISK_OK);
	/* The last sector, read. */
	s[0] = (struct blk_span){0, a, sizeof(a)};
	CHECK_EQ(ramdisk_rw(&r, false, IMG_SECTORS - 1, s, 1), 0);
	CHECK(!memcmp(a, img + (IMG_SECTORS - 1) * RAMDISK_SECTOR_SIZE, sizeof(a)));
	/* Sectors 2..5 in three spans, two of them half a sector. */
	memset(b, 0x11, sizeof(b));
	memset(c, 0x22, sizeof(c));
	memset(d, 0x33, sizeof(d));
	s[0] = (struct blk_span){0, c, sizeof(c)};
	s[1] = (struct blk_span){0, b, sizeof(b)};
	s[2] = (struct blk_span){0, d, sizeof(d)};
	CHECK_EQ(ramdisk_rw(&r, true, 2, s, 3), 0);
	CHECK_EQ(img[2 * 512 - 1], (uint8_t)((2 * 512 - 1) * 7 + 3));
	CHECK_EQ(img[2 * 512], 0x22);
	CHECK_EQ(img[2 * 512 + 255], 0x22);
	CHECK_EQ(img[2 * 512 + 256], 0x11);
	CHECK_EQ(img[5 * 512 + 255], 0x11);
	CHECK_EQ(img[5 * 512 + 256], 0x33);
	CHECK_EQ(img[5 * 512 + 511], 0x33);
	CHECK_EQ(img[6 * 512], (uint8_t)(6 * 512 * 7 + 3));
	/* Read back in one span. */
	s[0] = (struct blk_span){0, a, sizeof(a)};
	CHECK_EQ(ramdisk_rw(&r, false, 5, s, 1), 0);
	CHECK_EQ(a[0], 0x11);
	CHECK_EQ(a[256], 0x33);
	/* The whole image in one go. */
	{
		static uint8_t all[IMG_SIZE];

		s[0] = (struct blk_span){0, all, sizeof(all)};
		CHECK_EQ(ramdisk_rw(&r, false, 0, s, 1), 0);
		CHECK(!memcmp(all, img, IMG_SIZE));
	}
	CHECK(guards_intact());
}

static void refused_ranges(void)
{
	struct ramdisk r, ro;
	uint8_t a[2 * RAMDISK_SECTOR_SIZE];
	struct blk_span s[BLK_SEG_MAX + 1];
	static const uint64_t bad[] = {
		IMG_SECTORS - 1, /* one sector past the end, with 2 */
		IMG_SECTORS,
		IMG_SECTORS + 1,
		UINT64_MAX,
		UINT64_MAX - 1,
		UINT64_MAX / RAMDISK_SECTOR_SIZE,
		UINT64_MAX / RAMDISK_SECTOR_SIZE + 1,
		(1ull << 55), /* * 512 wraps to 0 */
	};

	setup();
	CHECK_EQ(claim(0, "disk", false, &r), RAMDISK_OK);
	CHECK_EQ(claim(1, "shared", true, &ro), RAMDISK_OK);
	memset(a, 0x5a, sizeof(a));
	s[0] = (struct blk_span){0, a, sizeof(a)};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(ramdisk_rw(&r, false, bad[i], s, 1), -1);
		CHECK_EQ(ramdisk_rw(&r, true, bad[i], s, 1), -1);
	}
	/* Exactly to the end is fine. */
	CHECK_EQ(ramdisk_rw(&r, false, IMG_SECTORS - 2, s, 1), 0);
	/* Not whole sectors. */
	s[0].len = RAMDISK_SECTOR_SIZE + 1;
	CHECK_EQ(ramdisk_rw(&r, true, 0, s, 1), -1);
	s[0].len = 0;
	CHECK_EQ(ramdisk_rw(&r, true, 0, s, 1), 0); /* nothing to do */
	/* Span counts: none, more than BLK_SEG_MAX. */
	for (unsigned i = 0; i <= BLK_SEG_MAX; i++)
		s[i] = (struct blk_span){0, a, 0};
	CHECK_EQ(ramdisk_rw(&r, false, 0, s, 0), -1);
	CHECK_EQ(ramdisk_rw(&r, false, 0, s, BLK_SEG_MAX), 0);
	CHECK_EQ(ramdisk_rw(&r, false, 0, s, BLK_SEG_MAX + 1), -1);
	/* BLK_SEG_MAX spans of a sector each add up past the image. */
	for (unsigned i = 0; i < BLK_SEG_MAX; i++)
		s[i].len = RAMDISK_SECTOR_SIZE;
	CHECK_EQ(ramdisk_rw(&r, true, 0, s, BLK_SEG_MAX), -1);
	/* Spans near 2^32 each: their total is checked in 64 bits. */
	for (unsigned i = 0; i < BLK_SEG_MAX; i++)
		s[i].len = UINT32_MAX - 511;
	CHECK_EQ(ramdisk_rw(&r, true, 0, s, BLK_SEG_MAX), -1);
	/* A span with length but no address. */
	s[0] = (struct blk_span){0, NULL, RAMDISK_SECTOR_SIZE};
	CHECK_EQ(ramdisk_rw(&r, false, 0, s, 1), -1);
	/* A read-only disk is never written. */
	s[0] = (struct blk_span){0, a, RAMDISK_SECTOR_SIZE};
	CHECK_EQ(ramdisk_rw(&ro, true, 0, s, 1), -1);
	CHECK_EQ(ramdisk_rw(&ro, false, 0, s, 1), 0);
	/* No disk, no spans. */
	CHECK_EQ(ramdisk_rw(NULL, false, 0, s, 1), -1);
	CHECK_EQ(ramdisk_rw(&r, false, 0, NULL, 1), -1);
	/* Nothing above wrote the image or beyond it. */
	for (unsigned i = 0; i < IMG_SIZE; i++)
		if (img[i] != (uint8_t)(i * 7 + 3)) {
			CHECK_EQ(i, IMG_SIZE);
			break;
		}
	CHECK(guards_intact());
}

int main(void)
{
	RUN(add_refuses);
	RUN(claim_gives_the_image);
	RUN(claim_refusals);
	RUN(one_writer_many_readers);
	RUN(release_frees_claims);
	RUN(reads_and_writes);
	RUN(refused_ranges);
	UNIT_DONE();
}
