/*
 * libFuzzer target for the GUID partition table reader (hyp/disk/gpt.c):
 * a disk of 0 to 511 sectors, zeros or a valid table written by the
 * tests' GPT writer (tests/unit/hyp/disk/gpt_image.h) with partitions
 * placed from the input, then overwritten in places by the input; the
 * CRCs of either header are recomputed over what the input left when it
 * asks, so the checks past the CRCs are reached as often as those before.
 * A read may be made to fail at one LBA; the scratch buffer is 0 to 4 KiB
 * (an exact-size heap block) and the partition array 0 to 16 entries.
 * Header fields can also be set relative to the disk's end, before the
 * bytes are overwritten.
 *
 * What must hold:
 * - every read is inside the disk, non-empty, into the scratch and no
 *   larger than it;
 * - on success: the partitions come from the primary at LBA 1 or, with
 *   used_backup, from the backup at the last LBA, whose sector holds "EFI
 *   PART" and its own LBA; the usable range lies inside the disk past LBA
 *   1 and holds neither header; each partition is inside it, first <=
 *   last; no two overlap; their indexes rise; labels are NUL-terminated
 *   within their 37 bytes, printable ASCII, and lossy if anything was
 *   replaced; no two non-empty exact labels are equal, and
 *   gpt_disk_find() returns each such one;
 * - on failure: no partitions, not from the backup;
 * - a template with no partitions, nothing overwritten and no read
 *   failure is read as valid, from the primary, with a valid backup.
 *
 * fuzz-libs: hyp/disk/gpt.c lib/crc32.c
 */
#include <hyp/disk/gpt.h>

#include "../unit/hyp/disk/gpt_image.h"
#include "fuzz.h"

#define MAX_PARTS 16

enum {
	F_TEMPLATE = 1 << 0,
	F_FIX_PRIMARY = 1 << 1,
	F_FIX_BACKUP = 1 << 2,
	F_FIX_ALTERNATE = 1 << 3, /* the header the primary's AlternateLBA names */
	F_FAIL_READ = 1 << 4,
};

struct fdisk {
	struct img *m;
	void *scratch;
	size_t scratch_size;
	bool fail;
	uint64_t fail_lba;
};

static int fread_disk(void *ctx, uint64_t lba, unsigned count, void *buf)
{
	struct fdisk *d = ctx;

	FUZZ_CHECK(count && lba < d->m->sectors && count <= d->m->sectors - lba,
		   "read of %u at %llu, disk %llu", count, (unsigned long long)lba,
		   (unsigned long long)d->m->sectors);
	FUZZ_CHECK(buf == d->scratch && (uint64_t)count * IMG_SECTOR <= d->scratch_size,
		   "read of %u sectors into %zu bytes of scratch", count,
		   d->scratch_size);
	if (d->fail && d->fail_lba >= lba && d->fail_lba - lba < count)
		return -1;
	memcpy(buf, img_at(d->m, lba), (size_t)count * IMG_SECTOR);
	return 0;
}

static const char *const names[] = {"a", "b", "vm0", "", "a", "data"};

/* A valid table whose layout and partitions the input chooses; false if
 * it does not fit the disk. Sets *nparts. */
static bool template(struct fz *f, struct img *m, unsigned *nparts)
{
	uint32_t n = 1 + (uint32_t)fz_take(f, 1) % 64;
	uint32_t size = 128u << (fz_take(f, 1) % 4);
	uint64_t as = img_array_sectors(n, size);
	struct img_part parts[6];
	uint16_t name16[6][3];
	uint64_t first, last;

	*nparts = (unsigned)fz_take(f, 1) % 7;
	if (*nparts > n)
		*nparts = n;
	if (m->sectors < 2 * as + 4) {
		*nparts = 0;
		return false;
	}
	first = 2 + as;
	last = m->sectors - 2 - as;
	for (unsigned i = 0; i < *nparts; i++) {
		uint64_t start = first + fz_take(f, 2) % (last - first + 1);
		uint64_t len = fz_take(f, 1) % 64;
		unsigned name = (unsigned)fz_take(f, 1);

		parts[i] = (struct img_part){names[name % 6], start, start + len,
					     fz_take(f, 1) << 56, NULL};
		if (name & 0x80) { /* a UTF-16 name, maybe not ASCII */
			name16[i][0] = 'd';
			name16[i][1] = (uint16_t)fz_take(f, 2);
			name16[i][2] = 0;
			parts[i].name16 = name16[i];
		}
	}
	img_gpt(m, n, size, parts, *nparts);
	return true;
}

/*
 * Up to 7 header fields set to a small value or to the disk's size less a
 * small value (wrapping when larger), in either copy: the LBAs that are
 * only wrong relative to the disk's end (an array running off it, a usable
 * range past it) are rarely reached by bytes written blindly.
 */
static bool edit_headers(struct fz *f, struct img *m)
{
	static const struct {
		unsigned off, width;
	} fields[8] = {{24, 8}, {32, 8}, {40, 8}, {48, 8},
		       {72, 8}, {80, 4}, {84, 4}, {12, 4}};
	unsigned n = (unsigned)fz_take(f, 1) % 8;

	for (unsigned i = 0; i < n; i++) {
		unsigned e = (unsigned)fz_take(f, 1);
		uint8_t *h = img_at(m, e & 8 ? m->sectors - 1 : 1) + fields[e % 8].off;
		uint64_t v = fz_take(f, 1);

		if (e & 16)
			v = m->sectors - v;
		if (fields[e % 8].width == 8)
			le_put64(h, v);
		else
			le_put32(h, (uint32_t)v);
	}
	return n != 0;
}

static void check_ok(const struct img *m, const struct gpt_disk_part *parts,
		     const struct gpt_disk_info *info, unsigned max_parts)
{
	uint64_t h = info->header_lba;
	const uint8_t *hdr;

	FUZZ_CHECK(info->count <= max_parts, "%u partitions, room for %u", info->count,
		   max_parts);
	FUZZ_CHECK(info->used_backup ? h == m->sectors - 1 : h == 1,
		   "header at %llu, backup %d", (unsigned long long)h, info->used_backup);
	FUZZ_CHECK(info->used_backup
			   ? info->primary != GPT_DISK_OK && info->backup == GPT_DISK_OK
			   : info->primary == GPT_DISK_OK,
		   "primary %d backup %d used_backup %d", info->primary, info->backup,
		   info->used_backup);
	hdr = m->d + h * IMG_SECTOR;
	FUZZ_CHECK(!memcmp(hdr, "EFI PART", 8) && le_get64(hdr + 24) == h,
		   "no header at %llu", (unsigned long long)h);
	FUZZ_CHECK(info->first_usable >= 2 && info->first_usable <= info->last_usable &&
			   info->last_usable < m->sectors,
		   "usable %llu-%llu", (unsigned long long)info->first_usable,
		   (unsigned long long)info->last_usable);
	FUZZ_CHECK(h < info->first_usable || h > info->last_usable,
		   "header in the usable range");
	for (unsigned i = 0; i < info->count; i++) {
		const struct gpt_disk_part *p = &parts[i];
		bool replaced = false;

		FUZZ_CHECK(p->first_lba <= p->last_lba &&
				   p->first_lba >= info->first_usable &&
				   p->last_lba <= info->last_usable,
			   "partition %u at %llu-%llu", i,
			   (unsigned long long)p->first_lba,
			   (unsigned long long)p->last_lba);
		FUZZ_CHECK(!i || p->index > parts[i - 1].index, "indexes %u, %u",
			   parts[i - 1].index, p->index);
		FUZZ_CHECK(fz_terminated(p->label, sizeof(p->label)),
			   "label %u unterminated", i);
		for (const char *c = p->label; *c; c++) {
			FUZZ_CHECK(*c >= 0x20 && *c <= 0x7e, "label %u has 0x%02x", i,
				   (unsigned)(uint8_t)*c);
			replaced |= *c == '?';
		}
		FUZZ_CHECK(!p->label_lossy || replaced, "label %u lossy without a '?'",
			   i);
		for (unsigned j = 0; j < i; j++) {
			FUZZ_CHECK(parts[j].last_lba < p->first_lba ||
					   p->last_lba < parts[j].first_lba,
				   "partitions %u and %u overlap", j, i);
			FUZZ_CHECK(
				!p->label[0] || p->label_lossy || parts[j].label_lossy ||
					strcmp(p->label, parts[j].label),
				"partitions %u and %u are both \"%s\"", j, i, p->label);
		}
		if (p->label[0] && !p->label_lossy)
			FUZZ_CHECK(gpt_disk_find(parts, info->count, p->label) == p,
				   "\"%s\" not found as %u", p->label, i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	unsigned flags = (unsigned)fz_take(&f, 1);
	struct img m = img_new(fz_take(&f, 2) % 512);
	unsigned max_parts = (unsigned)fz_take(&f, 1) % (MAX_PARTS + 1);
	size_t scratch_size = (size_t)(fz_take(&f, 2) % 4200);
	struct gpt_disk_part *parts =
		malloc(sizeof(*parts) * (max_parts ? max_parts : 1));
	struct fdisk d = {&m, malloc(scratch_size ? scratch_size : 1), scratch_size,
			  false, 0};
	struct gpt_disk_info info;
	unsigned nparts = 0;
	bool pristine = false, patched = false, edited = false;
	enum gpt_disk_err err;

	if (!parts || !d.scratch)
		abort();
	if (flags & F_TEMPLATE)
		pristine = template(&f, &m, &nparts);
	if (m.sectors > 1)
		edited = edit_headers(&f, &m);
	if (flags & F_FAIL_READ) {
		d.fail = true;
		d.fail_lba = fz_take(&f, 2) % (m.sectors + 1);
	}
	/* Overwrites: a position anywhere on the disk, up to 16 bytes. */
	while (m.sectors && f.n >= 4) {
		uint64_t at = fz_take(&f, 3) % (m.sectors * IMG_SECTOR);
		size_t len = (size_t)fz_take(&f, 1) % 17;

		for (size_t i = 0; i < len && at + i < m.sectors * IMG_SECTOR; i++)
			m.d[at + i] = (uint8_t)fz_take(&f, 1);
		patched = true;
	}
	if ((flags & F_FIX_PRIMARY) && m.sectors > 1)
		img_fix(&m, 1);
	if ((flags & F_FIX_BACKUP) && m.sectors > 1)
		img_fix(&m, m.sectors - 1);
	if ((flags & F_FIX_ALTERNATE) && m.sectors > 1) {
		uint64_t alt = le_get64(img_at(&m, 1) + 32);

		if (alt < m.sectors)
			img_fix(&m, alt);
	}

	err = gpt_disk_read(fread_disk, &d, m.sectors, d.scratch, scratch_size, parts,
			    max_parts, &info);
	if (err == GPT_DISK_OK) {
		check_ok(&m, parts, &info, max_parts);
	} else {
		FUZZ_CHECK(err != GPT_DISK_E_NOT_READ, "returned NOT_READ");
		FUZZ_CHECK(!info.count && !info.used_backup,
			   "error %d with %u partitions", err, info.count);
	}
	if (pristine && !patched && !edited && !d.fail && !nparts &&
	    scratch_size >= IMG_SECTOR)
		FUZZ_CHECK(err == GPT_DISK_OK && !info.used_backup &&
				   info.backup == GPT_DISK_OK,
			   "a valid empty table read as %d (backup %d)", err,
			   info.backup);
	free(parts);
	free(d.scratch);
	free(m.d);
	return 0;
}
