/*
 * The GUID partition table reader (hyp/disk/gpt.c), on disk images built
 * here (gpt_image.h): a valid table, then each field the reader checks
 * broken in turn, in the primary alone (the backup must then be used, and
 * info says why the primary was not) or in both copies (the table is
 * refused with that reason). The disk's read function refuses, and fails
 * the test on, any request outside the disk or larger than the scratch.
 *
 * `test_gpt_disk --dump IMAGE` prints the table of a disk image file
 * instead: a line with the result, which copy was used and why the other
 * was not, then "NUMBER FIRST LAST LABEL" per partition (" (lossy)" after
 * a label with characters replaced), for tests/system/test_gpt_sfdisk.sh.
 * Exits 1 when the table is refused.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <hyp/disk/gpt.h>

#include "gpt_image.h"
#include "unit.h"

/* Header fields (UEFI 2.11, 5.3.2), for the tests that break them. */
#define H_SIGNATURE 0
#define H_REVISION 8
#define H_SIZE 12
#define H_MY_LBA 24
#define H_ALT_LBA 32
#define H_FIRST 40
#define H_LAST 48
#define H_ENTRY_LBA 72
#define H_NUM 80
#define H_ENTRY_SIZE 84

/* A partition named name, with no attributes. */
#define P(name, first, last)               \
	{                                  \
		name, first, last, 0, NULL \
	}

#define DISK 2048 /* sectors: 1 MiB */
#define MAX_PARTS 8

struct mdisk {
	struct img *m;
	void *scratch;
	size_t scratch_size;
	bool fail;
	uint64_t fail_lba;
	unsigned reads;
	bool bad_request;
};

static int mread(void *ctx, uint64_t lba, unsigned count, void *buf)
{
	struct mdisk *d = ctx;

	d->reads++;
	if (!count || lba >= d->m->sectors || count > d->m->sectors - lba ||
	    buf != d->scratch || (uint64_t)count * IMG_SECTOR > d->scratch_size) {
		d->bad_request = true;
		return -1;
	}
	if (d->fail && d->fail_lba >= lba && d->fail_lba - lba < count)
		return -1;
	memcpy(buf, img_at(d->m, lba), (size_t)count * IMG_SECTOR);
	return 0;
}

struct run {
	struct gpt_disk_part parts[MAX_PARTS];
	struct gpt_disk_info info;
	enum gpt_disk_err err;
	struct mdisk d;
};

/* Reads m's table with scratch_size bytes of scratch; max_parts entries. */
static void read_gpt(struct run *r, struct img *m, size_t scratch_size,
		     unsigned max_parts)
{
	void *scratch = malloc(scratch_size ? scratch_size : 1);

	memset(r->parts, 0xa5, sizeof(r->parts));
	r->d.m = m;
	r->d.scratch = scratch;
	r->d.scratch_size = scratch_size;
	r->d.reads = 0;
	r->d.bad_request = false;
	r->err = gpt_disk_read(mread, &r->d, m->sectors, scratch, scratch_size, r->parts,
			       max_parts, &r->info);
	CHECK(!r->d.bad_request);
	if (r->err)
		CHECK_EQ(r->info.count, 0);
	free(scratch);
}

static void read_std(struct run *r, struct img *m)
{
	read_gpt(r, m, 4096, MAX_PARTS);
}

static const struct img_part three[] = {
	{"boot", 34, 133, 0, NULL},
	{"vm0-root", 134, 1133, GPT_DISK_ATTR_LEGACY_BOOT | 1ull << 60, NULL},
	{"data", 1500, 2014, 0, NULL},
};

/* The standard disk: 2048 sectors, 128 entries of 128 bytes (usable
 * 34..2014), the three partitions above. */
static struct img std_disk(void)
{
	struct img m = img_new(DISK);

	img_gpt(&m, 128, 128, three, 3);
	return m;
}

/* The three partitions as written. */
static void check_three(const struct run *r)
{
	CHECK_EQ(r->info.count, 3);
	for (unsigned i = 0; i < 3 && i < r->info.count; i++) {
		const struct gpt_disk_part *p = &r->parts[i];

		CHECK(!strcmp(p->label, three[i].name));
		CHECK(!p->label_lossy);
		CHECK_EQ(p->index, i);
		CHECK_EQ(p->first_lba, three[i].first);
		CHECK_EQ(p->last_lba, three[i].last);
		CHECK_EQ(p->attrs, three[i].attrs);
		CHECK(!memcmp(p->type_guid, img_linux_type, 16));
		CHECK_EQ(p->part_guid[0], i * 16 + 1);
		CHECK_EQ(p->part_guid[15], i * 16 + 16);
	}
}

static void reads_three_named_partitions(void)
{
	struct img m = std_disk();
	struct run r = {0};

	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_OK);
	check_three(&r);
	CHECK(!r.info.used_backup);
	CHECK_EQ(r.info.primary, GPT_DISK_OK);
	CHECK_EQ(r.info.backup, GPT_DISK_OK);
	CHECK_EQ(r.info.header_lba, 1);
	CHECK_EQ(r.info.first_usable, 34);
	CHECK_EQ(r.info.last_usable, DISK - 34);
	CHECK_EQ(r.info.disk_guid[0], 0xd0);
	CHECK_EQ(r.info.disk_guid[15], 0xdf);
	CHECK(gpt_disk_find(r.parts, r.info.count, "vm0-root") == &r.parts[1]);
	CHECK(gpt_disk_find(r.parts, r.info.count, "data") == &r.parts[2]);
	CHECK(gpt_disk_find(r.parts, r.info.count, "Data") == NULL);
	CHECK(gpt_disk_find(r.parts, r.info.count, "dat") == NULL);
	CHECK(gpt_disk_find(r.parts, r.info.count, "") == NULL);
	CHECK(gpt_disk_find(r.parts, r.info.count, NULL) == NULL);
	/* The partitions beyond count are not looked at. */
	CHECK(gpt_disk_find(r.parts, 2, "data") == NULL);
	free(m.d);
}

/* Any scratch of at least a sector gives the same table; whole sectors
 * of it are used, and a larger one means fewer reads. */
static void any_scratch_of_a_sector_or_more(void)
{
	static const size_t sizes[] = {512,  513,   1000,  1536,
				       4096, 16384, 65536, 2u << 20};
	struct img m = std_disk();
	unsigned reads_512 = 0, reads_64k = 0;
	struct run r = {0};

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		read_gpt(&r, &m, sizes[i], MAX_PARTS);
		CHECK_EQ(r.err, GPT_DISK_OK);
		CHECK_EQ(r.info.backup, GPT_DISK_OK);
		check_three(&r);
		if (sizes[i] == 512)
			reads_512 = r.d.reads;
		if (sizes[i] == 65536)
			reads_64k = r.d.reads;
	}
	/* MBR, 2 x (header + 32 array sectors) one at a time; then whole. */
	CHECK_EQ(reads_512, 1 + 2 * 33);
	CHECK_EQ(reads_64k, 1 + 2 * 2);
	free(m.d);
}

static void scratch_too_small(void)
{
	struct img m = std_disk();
	struct run r = {0};

	read_gpt(&r, &m, 511, MAX_PARTS);
	CHECK_EQ(r.err, GPT_DISK_E_SCRATCH);
	CHECK_EQ(r.d.reads, 0);
	read_gpt(&r, &m, 0, MAX_PARTS);
	CHECK_EQ(r.err, GPT_DISK_E_SCRATCH);
	free(m.d);
}

/* Corrupting a byte of the primary header (a field, not the CRC). */
static void primary_header_crc_broken_uses_backup(void)
{
	struct img m = std_disk();
	struct run r = {0};

	img_at(&m, 1)[H_FIRST] ^= 1;
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_OK);
	CHECK(r.info.used_backup);
	CHECK_EQ(r.info.primary, GPT_DISK_E_CRC);
	CHECK_EQ(r.info.backup, GPT_DISK_OK);
	CHECK_EQ(r.info.header_lba, DISK - 1);
	check_three(&r);
	CHECK(gpt_disk_find(r.parts, r.info.count, "boot") == &r.parts[0]);
	free(m.d);
}

static void primary_array_crc_broken_uses_backup(void)
{
	struct img m = std_disk();
	struct run r = {0};

	/* A byte of the last (unused) entry: covered by the CRC all the
	 * same. */
	img_at(&m, 33)[511] ^= 0x40;
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_OK);
	CHECK(r.info.used_backup);
	CHECK_EQ(r.info.primary, GPT_DISK_E_ARRAY_CRC);
	check_three(&r);
	free(m.d);
}

static void primary_read_error_uses_backup(void)
{
	struct img m = std_disk();
	struct run r = {0};

	r.d.fail = true;
	r.d.fail_lba = 1;
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_OK);
	CHECK(r.info.used_backup);
	CHECK_EQ(r.info.primary, GPT_DISK_E_IO);
	check_three(&r);
	/* In the middle of the primary's array. */
	r.d.fail_lba = 20;
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_OK);
	CHECK(r.info.used_backup);
	CHECK_EQ(r.info.primary, GPT_DISK_E_IO);
	check_three(&r);
	/* The MBR: nothing else is tried. */
	r.d.fail_lba = 0;
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_E_IO);
	CHECK_EQ(r.info.backup, GPT_DISK_E_NOT_READ);
	CHECK_EQ(r.d.reads, 1);
	free(m.d);
}

static void both_broken_is_an_error(void)
{
	struct img m = std_disk();
	struct run r = {0};

	img_at(&m, 1)[H_FIRST] ^= 1;
	img_at(&m, DISK - 2)[0] ^= 1; /* the backup array's last sector */
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_E_CRC); /* the primary's reason */
	CHECK_EQ(r.info.primary, GPT_DISK_E_CRC);
	CHECK_EQ(r.info.backup, GPT_DISK_E_ARRAY_CRC);
	CHECK(!r.info.used_backup);
	/* No header at all at the end. */
	memset(img_at(&m, DISK - 1), 0, IMG_SECTOR);
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_E_CRC);
	CHECK_EQ(r.info.backup, GPT_DISK_E_HEADER);
	free(m.d);
}

/* A valid primary is used whatever the backup's state, which info
 * reports; the backup checked is the one AlternateLBA names. */
static void backup_checked_when_primary_used(void)
{
	struct img m = std_disk(), big;
	struct run r = {0};

	img_at(&m, DISK - 1)[H_LAST] ^= 1;
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_OK);
	CHECK(!r.info.used_backup);
	CHECK_EQ(r.info.backup, GPT_DISK_E_CRC);
	check_three(&r);
	/* A disk grown after partitioning: the backup is no longer at the
	 * end, but where the primary says. */
	img_gpt(&m, 128, 128, three, 3);
	big = img_new(DISK + 100);
	memcpy(big.d, m.d, (size_t)DISK * IMG_SECTOR);
	read_std(&r, &big);
	CHECK_EQ(r.err, GPT_DISK_OK);
	CHECK_EQ(r.info.backup, GPT_DISK_OK);
	check_three(&r);
	/* AlternateLBA naming a sector with no header. */
	le_put64(img_at(&m, 1) + H_ALT_LBA, DISK - 2);
	img_fix(&m, 1);
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_OK);
	CHECK_EQ(r.info.backup, GPT_DISK_E_HEADER);
	free(m.d);
	free(big.d);
}

/* A header field set in the primary (CRCs fixed) must make the backup be
 * used, with the primary refused for err; set in both, the table is
 * refused for err. */
static void refused(unsigned off, unsigned width, uint64_t val, enum gpt_disk_err err,
		    bool both_too, int line)
{
	struct img m = std_disk();
	struct run r = {0};

	for (int both = 0; both < 1 + both_too; both++) {
		uint64_t lbas[2] = {1, DISK - 1};

		for (int c = 0; c < 1 + both; c++) {
			uint8_t *h = img_at(&m, lbas[c]);

			if (width == 8)
				le_put64(h + off, val);
			else
				le_put32(h + off, (uint32_t)val);
			img_fix(&m, lbas[c]);
		}
		read_std(&r, &m);
		if (r.info.primary != err)
			printf("  (refused() at line %d, both %d)\n", line, both);
		CHECK_EQ(r.info.primary, err);
		if (!both) {
			CHECK_EQ(r.err, GPT_DISK_OK);
			CHECK(r.info.used_backup);
			check_three(&r);
		} else {
			CHECK_EQ(r.err, err);
			CHECK_EQ(r.info.backup, err);
		}
	}
	free(m.d);
}

/* The same with the field accepted: the primary is used. */
static void accepted(unsigned off, unsigned width, uint64_t val, int line)
{
	struct img m = std_disk();
	struct run r = {0};
	uint8_t *h = img_at(&m, 1);

	if (width == 8)
		le_put64(h + off, val);
	else
		le_put32(h + off, (uint32_t)val);
	img_fix(&m, 1);
	read_std(&r, &m);
	if (r.err || r.info.used_backup)
		printf("  (accepted() at line %d)\n", line);
	CHECK_EQ(r.err, GPT_DISK_OK);
	CHECK(!r.info.used_backup);
	free(m.d);
}

#define REFUSED(off, width, val, err) refused(off, width, val, err, true, __LINE__)
/* Refused in the primary only: the backup's array is elsewhere. */
#define REFUSED_PRIMARY(off, width, val, err) \
	refused(off, width, val, err, false, __LINE__)
#define ACCEPTED(off, width, val) accepted(off, width, val, __LINE__)

static void header_signature_revision_size(void)
{
	REFUSED(H_SIGNATURE, 8, 0x5452415020494646ull,
		GPT_DISK_E_HEADER); /* "FFI PART" */
	REFUSED(H_REVISION, 4, 0x00020000, GPT_DISK_E_HEADER);
	REFUSED(H_REVISION, 4, 0, GPT_DISK_E_HEADER);
	ACCEPTED(H_REVISION, 4, 0x00010001);
	REFUSED(H_SIZE, 4, 91, GPT_DISK_E_HEADER);
	REFUSED(H_SIZE, 4, 0, GPT_DISK_E_HEADER);
	REFUSED(H_SIZE, 4, 513, GPT_DISK_E_HEADER);
	REFUSED(H_SIZE, 4, 0xffffffff, GPT_DISK_E_HEADER);
	ACCEPTED(H_SIZE, 4, 93);
	ACCEPTED(H_SIZE, 4, 512);
}

/* HeaderSize says how many bytes the CRC covers: a byte past 92 counts
 * once the size includes it. */
static void header_crc_covers_header_size(void)
{
	struct img m = std_disk();
	struct run r = {0};
	uint8_t *h = img_at(&m, 1);

	le_put32(h + H_SIZE, 100);
	img_fix(&m, 1);
	h[99] = 1; /* inside: breaks the CRC */
	read_std(&r, &m);
	CHECK_EQ(r.info.primary, GPT_DISK_E_CRC);
	h[99] = 0;
	h[100] = 1; /* outside */
	read_std(&r, &m);
	CHECK_EQ(r.info.primary, GPT_DISK_OK);
	free(m.d);
}

static void header_lbas(void)
{
	REFUSED(H_MY_LBA, 8, 2, GPT_DISK_E_HEADER);
	REFUSED(H_MY_LBA, 8, 0, GPT_DISK_E_HEADER);
	REFUSED(H_ALT_LBA, 8, DISK, GPT_DISK_E_HEADER);
	REFUSED(H_ALT_LBA, 8, ~0ull, GPT_DISK_E_HEADER);
	REFUSED(H_ALT_LBA, 8, 0, GPT_DISK_E_HEADER);
	/* Both copies naming themselves. */
	{
		struct img m = std_disk();
		struct run r = {0};

		le_put64(img_at(&m, 1) + H_ALT_LBA, 1);
		img_fix(&m, 1);
		le_put64(img_at(&m, DISK - 1) + H_ALT_LBA, DISK - 1);
		img_fix(&m, DISK - 1);
		read_std(&r, &m);
		CHECK_EQ(r.err, GPT_DISK_E_HEADER);
		CHECK_EQ(r.info.backup, GPT_DISK_E_HEADER);
		free(m.d);
	}
	/* The usable range: inside the disk, past LBA 1, first <= last,
	 * holding neither header. */
	REFUSED(H_LAST, 8, DISK, GPT_DISK_E_HEADER);
	REFUSED(H_LAST, 8, DISK - 1, GPT_DISK_E_HEADER); /* the backup header */
	REFUSED(H_LAST, 8, ~0ull, GPT_DISK_E_HEADER);
	REFUSED(H_LAST, 8, 33, GPT_DISK_E_HEADER); /* below first */
	REFUSED(H_FIRST, 8, 1, GPT_DISK_E_HEADER);
	REFUSED(H_FIRST, 8, 0, GPT_DISK_E_HEADER);
	REFUSED(H_FIRST, 8, DISK - 33, GPT_DISK_E_HEADER); /* > last */
	/* The usable range over the primary's array (the backup's is at the
	 * end, so in the backup these are valid values). */
	REFUSED_PRIMARY(H_FIRST, 8, 33, GPT_DISK_E_ENTRIES);
	REFUSED_PRIMARY(H_FIRST, 8, 2, GPT_DISK_E_ENTRIES);
	/* A range narrower than the partitions is their error, below. */
}

/* A backup whose usable range starts at LBA 1 (the primary header) with
 * its AlternateLBA elsewhere: only the "past LBA 1" rule refuses it. */
static void backup_usable_range_past_lba_1(void)
{
	static const struct img_part parts[] = {P("a", 100, 199)};

	for (uint64_t first = 1; first <= 34; first += 33) {
		struct img m = img_new(DISK);
		struct run r = {0};
		uint8_t *h = img_at(&m, DISK - 1);

		img_gpt(&m, 128, 128, parts, 1);
		img_at(&m, 1)[H_FIRST] ^= 1; /* primary unusable */
		le_put64(h + H_FIRST, first);
		le_put64(h + H_LAST, DISK - 40);
		le_put64(h + H_ALT_LBA, DISK - 35);
		img_fix(&m, DISK - 1);
		read_std(&r, &m);
		if (first == 1) {
			CHECK_EQ(r.err, GPT_DISK_E_CRC);
			CHECK_EQ(r.info.backup, GPT_DISK_E_HEADER);
		} else {
			CHECK_EQ(r.err, GPT_DISK_OK);
			CHECK(r.info.used_backup);
			CHECK_EQ(r.info.last_usable, DISK - 40);
		}
		free(m.d);
	}
}

/*
 * Header values that only one rule refuses, the others being met because
 * AlternateLBA is not where it usually is: the primary's array running
 * off the disk, its usable range past the disk, and the backup's array
 * over LBA 0. Without the rule the reader would read past the disk (which
 * the read function flags) or allow partitions there.
 */
static void header_rules_needed_alone(void)
{
	static const struct img_part parts[] = {P("a", 100, 199)};
	struct img m = img_new(DISK);
	struct run r = {0};
	uint8_t *h;

	/* The primary's array at DISK-10 for 32 sectors. */
	img_gpt(&m, 128, 128, parts, 1);
	h = img_at(&m, 1);
	le_put64(h + H_ALT_LBA, DISK - 40);
	le_put64(h + H_LAST, DISK - 50);
	le_put64(h + H_ENTRY_LBA, DISK - 10);
	img_fix(&m, 1);
	read_std(&r, &m);
	CHECK_EQ(r.info.primary, GPT_DISK_E_ENTRIES);
	CHECK(r.info.used_backup);

	/* The primary's usable range to DISK + 10, a partition past the
	 * end. */
	img_gpt(&m, 128, 128, parts, 1);
	h = img_at(&m, 1);
	le_put64(h + H_ALT_LBA, 35);
	le_put64(h + H_FIRST, 40);
	le_put64(h + H_LAST, DISK + 10);
	img_entry(&m, 2, 128, 0, &(struct img_part)P("a", 100, DISK + 5));
	img_fix(&m, 1);
	read_std(&r, &m);
	CHECK_EQ(r.info.primary, GPT_DISK_E_HEADER);
	CHECK(r.info.used_backup);

	/* The backup's array at LBA 0 and 1 (primary unusable). */
	for (uint64_t lba = 0; lba < 2; lba++) {
		img_gpt(&m, 128, 128, parts, 1);
		img_at(&m, 1)[H_FIRST] ^= 1;
		h = img_at(&m, DISK - 1);
		le_put64(h + H_ALT_LBA, DISK - 35);
		le_put64(h + H_LAST, DISK - 40);
		le_put64(h + H_ENTRY_LBA, lba);
		img_fix(&m, DISK - 1);
		read_std(&r, &m);
		CHECK_EQ(r.err, GPT_DISK_E_CRC);
		CHECK_EQ(r.info.backup, GPT_DISK_E_ENTRIES);
	}
	free(m.d);
}

static void entry_array_size(void)
{
	/* Entry sizes: 128 x 2^n only. */
	REFUSED(H_ENTRY_SIZE, 4, 0, GPT_DISK_E_ENTRIES);
	REFUSED(H_ENTRY_SIZE, 4, 64, GPT_DISK_E_ENTRIES);
	REFUSED(H_ENTRY_SIZE, 4, 127, GPT_DISK_E_ENTRIES);
	REFUSED(H_ENTRY_SIZE, 4, 192, GPT_DISK_E_ENTRIES);
	REFUSED(H_ENTRY_SIZE, 4, 384, GPT_DISK_E_ENTRIES);
	REFUSED(H_ENTRY_SIZE, 4, 0x80000001, GPT_DISK_E_ENTRIES);
	/* Count x size past the cap, however large the product (both are
	 * 32-bit: up to 2^63). */
	REFUSED(H_NUM, 4, 0xffffffff, GPT_DISK_E_ENTRIES);
	REFUSED(H_ENTRY_SIZE, 4, 0x80000000, GPT_DISK_E_ENTRIES);
	REFUSED(H_NUM, 4, GPT_DISK_MAX_ARRAY_BYTES / 128 + 1, GPT_DISK_E_ENTRIES);
	/* 256 x 128 is within the cap but runs into the usable range. */
	REFUSED(H_NUM, 4, 256, GPT_DISK_E_ENTRIES);
	/* Fewer entries: the CRC covers only them; unused ones after them
	 * are not entries (the partitions are in the first three). */
	ACCEPTED(H_NUM, 4, 3);
	ACCEPTED(H_NUM, 4, 4);
}

/* Sizes that are multiples of 128 but not 128 x 2^n, in an array that
 * otherwise fits: two entries in LBA 2-3, partitions from LBA 100. */
static void entry_size_power_of_two(void)
{
	static const struct img_part parts[] = {P("a", 100, 199), P("b", 200, 299)};
	static const uint32_t sizes[] = {192, 384, 640, 256, 128};

	for (unsigned i = 0; i < 5; i++) {
		struct img m = img_new(DISK);
		struct run r = {0};

		img_gpt(&m, 2, sizes[i], parts, 2);
		read_std(&r, &m);
		if (sizes[i] & (sizes[i] - 1)) {
			CHECK_EQ(r.err, GPT_DISK_E_ENTRIES);
		} else {
			CHECK_EQ(r.err, GPT_DISK_OK);
			CHECK_EQ(r.info.count, 2);
		}
		free(m.d);
	}
}

static void entry_array_place(void)
{
	REFUSED(H_ENTRY_LBA, 8, 0, GPT_DISK_E_ENTRIES);
	REFUSED(H_ENTRY_LBA, 8, 1, GPT_DISK_E_ENTRIES);
	REFUSED(H_ENTRY_LBA, 8, 3, GPT_DISK_E_ENTRIES); /* over usable LBA 34 */
	REFUSED(H_ENTRY_LBA, 8, DISK - 32,
		GPT_DISK_E_ENTRIES); /* over the backup header */
	REFUSED(H_ENTRY_LBA, 8, DISK - 31, GPT_DISK_E_ENTRIES); /* past the end */
	REFUSED(H_ENTRY_LBA, 8, DISK, GPT_DISK_E_ENTRIES);
	REFUSED(H_ENTRY_LBA, 8, ~0ull, GPT_DISK_E_ENTRIES);
	REFUSED(H_ENTRY_LBA, 8, ~0ull - 10, GPT_DISK_E_ENTRIES);
}

/* The largest array allowed (8192 entries, 2048 sectors), and one entry
 * more. */
static void entry_array_cap(void)
{
	uint32_t n = GPT_DISK_MAX_ARRAY_BYTES / 128;
	struct img m = img_new(5000);
	struct img_part p = {"last", 2500, 2500, 0, NULL}; /* usable 2050-2950 */
	struct run r = {0};

	img_gpt(&m, n, 128, &p, 1);
	read_gpt(&r, &m, 65536, MAX_PARTS);
	CHECK_EQ(r.err, GPT_DISK_OK);
	CHECK_EQ(r.info.count, 1);
	free(m.d);
	m = img_new(5000);
	img_gpt(&m, n + 1, 128, &p, 1);
	read_gpt(&r, &m, 65536, MAX_PARTS);
	CHECK_EQ(r.err, GPT_DISK_E_ENTRIES);
	free(m.d);
}

/* Entries of 256 and 1024 bytes (larger than a sector), and a count that
 * ends mid-sector, through scratch of one and of several sectors. */
static void other_entry_sizes(void)
{
	static const uint32_t sizes[] = {128, 256, 512, 1024, 4096};
	/* Past the largest array here: 7 x 4096 bytes, LBA 2-57. */
	static const struct img_part parts[] = {
		P("boot", 100, 133), P("vm0-root", 134, 1133), P("data", 1500, 1900)};
	static const size_t scratch[] = {512, 1536, 8192};

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (unsigned s = 0; s < 3; s++) {
			struct img m = img_new(DISK);
			struct run r = {0};

			/* 7 entries: 3 used; the array ends mid-sector for
			 * the small sizes. */
			img_gpt(&m, 7, sizes[i], parts, 3);
			read_gpt(&r, &m, scratch[s], MAX_PARTS);
			CHECK_EQ(r.err, GPT_DISK_OK);
			CHECK_EQ(r.info.backup, GPT_DISK_OK);
			CHECK_EQ(r.info.count, 3);
			CHECK(r.info.count == 3 && !strcmp(r.parts[1].label, "vm0-root"));
			CHECK(r.info.count == 3 && r.parts[2].last_lba == 1900);
			free(m.d);
		}
	}
}

/* The array CRC covers count x size bytes exactly: 5 x 128 = 640. */
static void array_crc_covers_exactly_the_entries(void)
{
	struct img m = img_new(DISK);
	struct run r = {0};

	img_gpt(&m, 5, 128, three, 3);
	img_at(&m, 3)[128] = 0x77; /* byte 640: outside */
	read_std(&r, &m);
	CHECK_EQ(r.info.primary, GPT_DISK_OK);
	img_at(&m, 3)[127] = 0x77; /* byte 639: inside */
	read_std(&r, &m);
	CHECK_EQ(r.info.primary, GPT_DISK_E_ARRAY_CRC);
	CHECK(r.info.used_backup);
	free(m.d);
}

/* Partitions breaking a rule in a table whose CRCs hold: refused, with the
 * entry named, and no fallback to the backup (written from the same
 * table). */
static void bad_partitions(const struct img_part *parts, unsigned n,
			   enum gpt_disk_err err, unsigned bad, unsigned other, int line)
{
	struct img m = img_new(DISK);
	struct run r = {0};

	img_gpt(&m, 128, 128, parts, n);
	read_std(&r, &m);
	if (r.err != err)
		printf("  (bad_partitions() at line %d)\n", line);
	CHECK_EQ(r.err, err);
	CHECK_EQ(r.info.primary, err);
	CHECK(!r.info.used_backup);
	CHECK_EQ(r.info.bad_entry, bad);
	if (err == GPT_DISK_E_OVERLAP || err == GPT_DISK_E_DUP_LABEL)
		CHECK_EQ(r.info.other_entry, other);
	/* Only in the primary: the same. */
	img_gpt(&m, 128, 128, three, 3);
	for (unsigned i = 0; i < n; i++)
		img_entry(&m, 2, 128, i, &parts[i]);
	img_fix(&m, 1);
	read_std(&r, &m);
	CHECK_EQ(r.err, err);
	CHECK(!r.info.used_backup);
	free(m.d);
}

#define BAD(parts, err, bad, other) \
	bad_partitions(parts, sizeof(parts) / sizeof(parts[0]), err, bad, other, __LINE__)

static void partition_ranges(void)
{
	static const struct img_part past_end[] = {P("a", 34, 40), P("b", 100, DISK + 5)};
	static const struct img_part past_usable[] = {P("a", 34, 40),
						      P("b", 100, DISK - 33)};
	static const struct img_part below_usable[] = {P("a", 33, 40)};
	static const struct img_part in_backup_header[] = {P("a", DISK - 1, DISK - 1)};
	static const struct img_part first_after_last[] = {P("a", 34, 40),
							   P("b", 101, 100)};
	static const struct img_part huge[] = {P("a", ~0ull - 1, ~0ull)};
	static const struct img_part wraps[] = {P("a", ~0ull, 50)};
	static const struct img_part whole[] = {P("a", 34, DISK - 34)};
	static const struct img_part one_sector[] = {P("a", 34, 34), P("b", 35, 35)};
	struct img m = img_new(DISK);
	struct run r = {0};

	BAD(past_end, GPT_DISK_E_RANGE, 1, 0);
	BAD(past_usable, GPT_DISK_E_RANGE, 1, 0);
	BAD(below_usable, GPT_DISK_E_RANGE, 0, 0);
	BAD(in_backup_header, GPT_DISK_E_RANGE, 0, 0);
	BAD(first_after_last, GPT_DISK_E_RANGE, 1, 0);
	BAD(huge, GPT_DISK_E_RANGE, 0, 0);
	BAD(wraps, GPT_DISK_E_RANGE, 0, 0);
	img_gpt(&m, 128, 128, whole, 1);
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_OK);
	CHECK(r.info.count == 1 && r.parts[0].first_lba == 34 &&
	      r.parts[0].last_lba == DISK - 34);
	img_gpt(&m, 128, 128, one_sector, 2);
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_OK);
	CHECK_EQ(r.info.count, 2);
	free(m.d);
}

static void overlaps(void)
{
	static const struct img_part shared_sector[] = {P("a", 34, 40), P("b", 100, 199),
							P("c", 199, 300)};
	static const struct img_part inside[] = {P("a", 100, 500), P("b", 34, 40),
						 P("c", 200, 201)};
	static const struct img_part same[] = {P("a", 100, 100), P("b", 100, 100)};
	static const struct img_part touching[] = {P("a", 200, 300), P("b", 100, 199),
						   P("c", 301, 301)};
	struct img m = img_new(DISK);
	struct run r = {0};

	BAD(shared_sector, GPT_DISK_E_OVERLAP, 1, 2);
	BAD(inside, GPT_DISK_E_OVERLAP, 0, 2);
	BAD(same, GPT_DISK_E_OVERLAP, 0, 1);
	img_gpt(&m, 128, 128, touching, 3);
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_OK);
	CHECK_EQ(r.info.count, 3);
	free(m.d);
}

static void labels(void)
{
	static const struct img_part dup[] = {P("x", 34, 40), P("data", 41, 50),
					      P("data", 51, 60)};
	static const uint16_t ae[] = {'d', 0xe6, 's', 'k', 0};	/* dæsk */
	static const uint16_t oe[] = {'d', 0xf8, 's', 'k', 0};	/* døsk */
	static const uint16_t bel[] = {'d', 7, 's', 'k', 0};	/* a control character */
	static const uint16_t del[] = {'d', 0x7f, 's', 'k', 0}; /* DEL: not printable */
	static const uint16_t sur[] = {0xd83d, 0xde00, 'a',
				       0}; /* an emoji, a surrogate pair */
	static const uint16_t after_nul[] = {'a', 0, 'b', 0};
	static const char full[] = "abcdefghijklmnopqrstuvwxyz0123456789"; /* 36 */
	static const struct img_part ok[] = {
		P("Data", 34, 40),	 P("data", 41, 50),	   P("", 51, 60),
		P("", 61, 70),		 {NULL, 71, 80, 0, ae},	   {NULL, 81, 90, 0, oe},
		{NULL, 91, 100, 0, bel}, {NULL, 101, 110, 0, sur},
	};
	static const struct img_part more[] = {
		P(full, 34, 40),
		{NULL, 41, 50, 0, after_nul},
		P("d?sk", 51, 60),
		P("with space", 61, 70),
		{NULL, 71, 80, 0, del},
		P(" ~", 81, 90), /* the first and last printable */
	};
	struct img m = img_new(DISK);
	struct run r = {0};

	BAD(dup, GPT_DISK_E_DUP_LABEL, 1, 2);
	/* Case matters; empty and lossy labels are neither found nor
	 * duplicates. */
	img_gpt(&m, 128, 128, ok, 8);
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_OK);
	CHECK_EQ(r.info.count, 8);
	if (r.info.count == 8) {
		CHECK(!strcmp(r.parts[4].label, "d?sk") && r.parts[4].label_lossy);
		CHECK(!strcmp(r.parts[5].label, "d?sk") && r.parts[5].label_lossy);
		CHECK(!strcmp(r.parts[6].label, "d?sk") && r.parts[6].label_lossy);
		CHECK(!strcmp(r.parts[7].label, "??a") && r.parts[7].label_lossy);
		CHECK(!strcmp(r.parts[2].label, "") && !r.parts[2].label_lossy);
		CHECK(gpt_disk_find(r.parts, 8, "d?sk") == NULL);
		CHECK(gpt_disk_find(r.parts, 8, "??a") == NULL);
		CHECK(gpt_disk_find(r.parts, 8, "") == NULL);
		CHECK(gpt_disk_find(r.parts, 8, "Data") == &r.parts[0]);
		CHECK(gpt_disk_find(r.parts, 8, "data") == &r.parts[1]);
	}
	/* 36 units with no NUL; what follows a NUL is not the name; an
	 * ASCII "d?sk" is found and does not clash with lossy ones. */
	img_gpt(&m, 128, 128, more, 6);
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_OK);
	CHECK_EQ(r.info.count, 6);
	if (r.info.count == 6) {
		CHECK(!strcmp(r.parts[4].label, "d?sk") && r.parts[4].label_lossy);
		CHECK(!strcmp(r.parts[5].label, " ~") && !r.parts[5].label_lossy);
		CHECK(!strcmp(r.parts[0].label, full));
		CHECK_EQ(strlen(r.parts[0].label), 36);
		CHECK(!strcmp(r.parts[1].label, "a"));
		CHECK(gpt_disk_find(r.parts, 6, "d?sk") == &r.parts[2]);
		CHECK(gpt_disk_find(r.parts, 6, "with space") == &r.parts[3]);
	}
	free(m.d);
}

static void zero_used_entries(void)
{
	struct img m = img_new(DISK);
	struct run r = {0};

	img_gpt(&m, 128, 128, NULL, 0);
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_OK);
	CHECK_EQ(r.info.count, 0);
	read_gpt(&r, &m, 4096, 0); /* no room needed */
	CHECK_EQ(r.err, GPT_DISK_OK);
	/* No entries at all: the array is nowhere, its LBA unused. */
	img_gpt(&m, 0, 128, NULL, 0);
	le_put64(img_at(&m, 1) + H_ENTRY_LBA, 0);
	img_fix(&m, 1);
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_OK);
	CHECK_EQ(r.info.count, 0);
	CHECK(!r.info.used_backup);
	free(m.d);
}

/* An entry is unused when its type GUID is zero, whatever else it holds. */
static void unused_entries_skipped(void)
{
	struct img m = img_new(DISK);
	struct run r = {0};

	img_gpt(&m, 128, 128, three, 3);
	memset(img_at(&m, 2) + 128, 0, 16); /* entry 1's type GUID */
	img_fix(&m, 1);
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_OK);
	CHECK_EQ(r.info.count, 2);
	CHECK(r.info.count == 2 && r.parts[1].index == 2 &&
	      !strcmp(r.parts[1].label, "data"));
	CHECK(!r.info.used_backup);
	/* Any non-zero byte makes it used: the last one here. */
	memset(img_at(&m, 2) + 128, 0, 15);
	img_at(&m, 2)[128 + 15] = 1;
	img_fix(&m, 1);
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_OK);
	CHECK_EQ(r.info.count, 3);
	free(m.d);
}

static void too_many(void)
{
	struct img m = std_disk();
	struct run r = {0};

	read_gpt(&r, &m, 4096, 2);
	CHECK_EQ(r.err, GPT_DISK_E_TOO_MANY);
	CHECK_EQ(r.info.bad_entry, 2);
	CHECK(!r.info.used_backup);
	read_gpt(&r, &m, 4096, 3);
	CHECK_EQ(r.err, GPT_DISK_OK);
	CHECK_EQ(r.info.count, 3);
	free(m.d);
}

static void protective_mbr(void)
{
	struct img m = std_disk();
	struct run r = {0};

	m.d[510] = 0;
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_E_NO_GPT);
	CHECK_EQ(r.d.reads, 1);
	m.d[510] = 0x55;
	m.d[511] = 0x55;
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_E_NO_GPT);
	m.d[511] = 0xaa;
	m.d[446 + 4] = 0x83; /* an MBR partition, no 0xEE */
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_E_NO_GPT);
	/* Hybrid: 0xEE in the last record, others beside it; nothing else
	 * of the MBR matters. */
	m.d[446 + 3 * 16 + 4] = 0xee;
	memset(m.d, 0x90, 446);
	read_std(&r, &m);
	CHECK_EQ(r.err, GPT_DISK_OK);
	check_three(&r);
	free(m.d);
}

static void tiny_disks(void)
{
	for (uint64_t n = 0; n < 3; n++) {
		struct img m = img_new(n);
		struct run r = {0};

		read_std(&r, &m);
		CHECK_EQ(r.err, GPT_DISK_E_NO_GPT);
		CHECK_EQ(r.d.reads, 0);
		free(m.d);
	}
	/* The smallest table: MBR, headers, one-sector arrays, one usable
	 * sector. */
	{
		struct img m = img_new(6);
		struct img_part p = {"only", 3, 3, 0, NULL};
		struct run r = {0};

		img_gpt(&m, 4, 128, &p, 1);
		read_std(&r, &m);
		CHECK_EQ(r.err, GPT_DISK_OK);
		CHECK(r.info.count == 1 && r.parts[0].first_lba == 3);
		free(m.d);
	}
}

static void strerror_names_each(void)
{
	for (int e = GPT_DISK_OK; e <= GPT_DISK_E_NOT_READ; e++)
		CHECK(strcmp(gpt_disk_strerror((enum gpt_disk_err)e), "unknown error"));
	CHECK(!strcmp(gpt_disk_strerror((enum gpt_disk_err)99), "unknown error"));
}

/* --dump IMAGE: the table of a disk image file. */
static int dump(const char *path)
{
	struct img m = {0};
	struct run r = {0};
	FILE *f = fopen(path, "rb");
	long size;

	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		perror(path);
		return 2;
	}
	m = img_new((uint64_t)size / IMG_SECTOR);
	if (fread(m.d, IMG_SECTOR, m.sectors, f) != m.sectors) {
		perror(path);
		return 2;
	}
	fclose(f);
	read_gpt(&r, &m, 4096, MAX_PARTS);
	printf("%s primary=%s backup=%s used=%s\n", gpt_disk_strerror(r.err),
	       gpt_disk_strerror(r.info.primary), gpt_disk_strerror(r.info.backup),
	       r.info.used_backup ? "backup" : "primary");
	for (unsigned i = 0; i < r.info.count; i++)
		printf("%u %llu %llu %s%s\n", r.parts[i].index + 1,
		       (unsigned long long)r.parts[i].first_lba,
		       (unsigned long long)r.parts[i].last_lba, r.parts[i].label,
		       r.parts[i].label_lossy ? " (lossy)" : "");
	free(m.d);
	return r.err ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--dump"))
		return dump(argv[2]);
	RUN(reads_three_named_partitions);
	RUN(any_scratch_of_a_sector_or_more);
	RUN(scratch_too_small);
	RUN(primary_header_crc_broken_uses_backup);
	RUN(primary_array_crc_broken_uses_backup);
	RUN(primary_read_error_uses_backup);
	RUN(both_broken_is_an_error);
	RUN(backup_checked_when_primary_used);
	RUN(header_signature_revision_size);
	RUN(header_crc_covers_header_size);
	RUN(header_lbas);
	RUN(backup_usable_range_past_lba_1);
	RUN(header_rules_needed_alone);
	RUN(entry_array_size);
	RUN(entry_size_power_of_two);
	RUN(entry_array_place);
	RUN(entry_array_cap);
	RUN(other_entry_sizes);
	RUN(array_crc_covers_exactly_the_entries);
	RUN(partition_ranges);
	RUN(overlaps);
	RUN(labels);
	RUN(zero_used_entries);
	RUN(unused_entries_skipped);
	RUN(too_many);
	RUN(protective_mbr);
	RUN(tiny_disks);
	RUN(strerror_names_each);
	UNIT_DONE();
}
