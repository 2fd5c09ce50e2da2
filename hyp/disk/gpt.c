/*
 * Reading a GUID partition table (hyp/disk/gpt.h). Section numbers are
 * those of the UEFI Specification 2.11, chapter 5; docs/DATASTORE.md says
 * which spec rule each check enforces and where this reader chose.
 *
 * The entry array is streamed through the scratch buffer, as many sectors
 * at a time as it holds: its CRC-32 chains over the pieces and each
 * entry's first 128 bytes (all that is defined, 5.3.3) lie inside one
 * sector, because entries are 128 x 2^n bytes and the array starts on a
 * sector. So any array up to GPT_DISK_MAX_ARRAY_BYTES is read with one sector
 * of scratch, and the caller needs no buffer sized by the disk.
 */
#include <string.h>

#include <hyp/disk/gpt.h>
#include <lib/crc32.h>
#include <lib/le.h>

/* The legacy MBR at LBA 0 (5.2.1, "Legacy MBR" table): four 16-byte
 * partition records at 446, the signature 0x55 0xAA at 510; a protective
 * MBR (5.2.3) has a record of OSType 0xEE. */
#define MBR_RECORDS 446
#define MBR_RECORD_SIZE 16
#define MBR_RECORD_OSTYPE 4
#define MBR_SIGNATURE 510
#define MBR_OSTYPE_GPT_PROTECTIVE 0xee

/* The GPT header (5.3.2, "GPT Header" table): byte offsets. */
#define HDR_SIGNATURE 0
#define HDR_REVISION 8
#define HDR_SIZE 12
#define HDR_CRC 16
#define HDR_MY_LBA 24
#define HDR_ALTERNATE_LBA 32
#define HDR_FIRST_USABLE 40
#define HDR_LAST_USABLE 48
#define HDR_DISK_GUID 56
#define HDR_ENTRY_LBA 72
#define HDR_NUM_ENTRIES 80
#define HDR_ENTRY_SIZE 84
#define HDR_ARRAY_CRC 88
/* HeaderSize: at least the fields above, at most one block (5.3.2). */
#define HDR_MIN_SIZE 92
/* Revision 1.0 is 0x00010000; a different major version would be a
 * different layout, a newer minor one only adds (HeaderSize grows). */
#define HDR_REVISION_MAJOR 1

/* A partition entry (5.3.3, "GPT Partition Entry" table): byte offsets.
 * SizeOfPartitionEntry is 128 x 2^n; bytes past 128 are reserved. */
#define ENT_TYPE_GUID 0
#define ENT_PART_GUID 16
#define ENT_FIRST_LBA 32
#define ENT_LAST_LBA 40
#define ENT_ATTRS 48
#define ENT_NAME 56
#define ENT_MIN_SIZE 128

#define PRIMARY_LBA 1

/* The fields of a header that passed check_header(). */
struct hdr {
	uint64_t my_lba, alternate_lba, first_usable, last_usable, entry_lba;
	uint32_t num_entries, entry_size, array_crc;
	uint8_t disk_guid[16];
};

struct disk {
	gpt_disk_read_fn read;
	void *ctx;
	uint64_t sectors;
	uint8_t *buf;
	unsigned buf_sectors; /* >= 1 */
};

/* Where the used entries of the copy being read go, and the first rule
 * one of them broke (reported only if the array's CRC holds). */
struct collect {
	struct gpt_disk_part *parts;
	unsigned max, count;
	enum gpt_disk_err err;
	unsigned bad;
};

static bool in_range(uint64_t x, uint64_t first, uint64_t last)
{
	return first <= x && x <= last;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* 5.2.3: the protective MBR. See gpt_disk_read() in the header for what is
 * not checked, and why. */
static enum gpt_disk_err check_mbr(const struct disk *d)
{
	const uint8_t *b = d->buf;

	if (d->read(d->ctx, 0, 1, d->buf))
		return GPT_DISK_E_IO;
	if (b[MBR_SIGNATURE] != 0x55 || b[MBR_SIGNATURE + 1] != 0xaa)
		return GPT_DISK_E_NO_GPT;
	for (int i = 0; i < 4; i++)
		if (b[MBR_RECORDS + i * MBR_RECORD_SIZE + MBR_RECORD_OSTYPE] ==
		    MBR_OSTYPE_GPT_PROTECTIVE)
			return GPT_DISK_OK;
	return GPT_DISK_E_NO_GPT;
}

/*
 * Reads the header at lba and checks it alone (5.3.2): signature,
 * revision, HeaderSize, HeaderCRC32, MyLBA; then that what it points at
 * is somewhere it may be: AlternateLBA inside the disk and not itself,
 * the usable range inside the disk past LBA 1 and holding neither header,
 * the entry array of a valid entry size, no larger than
 * GPT_DISK_MAX_ARRAY_BYTES, inside the disk past LBA 1 and outside the usable
 * range and both headers.
 */
static enum gpt_disk_err check_header(const struct disk *d, uint64_t lba, struct hdr *h)
{
	static const uint8_t zero_crc[4];
	const uint8_t *b = d->buf;
	uint32_t size, crc;
	uint64_t bytes, sectors, last;

	if (d->read(d->ctx, lba, 1, d->buf))
		return GPT_DISK_E_IO;
	if (memcmp(b + HDR_SIGNATURE, "EFI PART", 8))
		return GPT_DISK_E_HEADER;
	if (le_get32(b + HDR_REVISION) >> 16 != HDR_REVISION_MAJOR)
		return GPT_DISK_E_HEADER;
	size = le_get32(b + HDR_SIZE);
	if (size < HDR_MIN_SIZE || size > GPT_DISK_SECTOR_SIZE)
		return GPT_DISK_E_HEADER;
	/* Over HeaderSize bytes with the CRC field taken as zero. */
	crc = crc32(0, b, HDR_CRC);
	crc = crc32(crc, zero_crc, sizeof(zero_crc));
	crc = crc32(crc, b + HDR_CRC + 4, size - HDR_CRC - 4);
	if (crc != le_get32(b + HDR_CRC))
		return GPT_DISK_E_CRC;

	h->my_lba = le_get64(b + HDR_MY_LBA);
	h->alternate_lba = le_get64(b + HDR_ALTERNATE_LBA);
	h->first_usable = le_get64(b + HDR_FIRST_USABLE);
	h->last_usable = le_get64(b + HDR_LAST_USABLE);
	memcpy(h->disk_guid, b + HDR_DISK_GUID, sizeof(h->disk_guid));
	h->entry_lba = le_get64(b + HDR_ENTRY_LBA);
	h->num_entries = le_get32(b + HDR_NUM_ENTRIES);
	h->entry_size = le_get32(b + HDR_ENTRY_SIZE);
	h->array_crc = le_get32(b + HDR_ARRAY_CRC);

	if (h->my_lba != lba)
		return GPT_DISK_E_HEADER;
	if (h->alternate_lba == 0 || h->alternate_lba >= d->sectors ||
	    h->alternate_lba == lba)
		return GPT_DISK_E_HEADER;
	/* LBA 0 and 1 are the MBR and the primary header whichever copy
	 * this is. */
	if (h->first_usable <= PRIMARY_LBA || h->first_usable > h->last_usable ||
	    h->last_usable >= d->sectors)
		return GPT_DISK_E_HEADER;
	if (in_range(h->my_lba, h->first_usable, h->last_usable) ||
	    in_range(h->alternate_lba, h->first_usable, h->last_usable))
		return GPT_DISK_E_HEADER;

	if (h->entry_size < ENT_MIN_SIZE || (h->entry_size & (h->entry_size - 1)))
		return GPT_DISK_E_ENTRIES;
	/* Two 32-bit factors: the product fits in 64 bits. */
	bytes = (uint64_t)h->num_entries * h->entry_size;
	if (bytes > GPT_DISK_MAX_ARRAY_BYTES)
		return GPT_DISK_E_ENTRIES;
	sectors = (bytes + GPT_DISK_SECTOR_SIZE - 1) / GPT_DISK_SECTOR_SIZE;
	if (!sectors)
		return GPT_DISK_OK; /* no entries: the array is nowhere */
	if (h->entry_lba <= PRIMARY_LBA || h->entry_lba >= d->sectors ||
	    sectors > d->sectors - h->entry_lba)
		return GPT_DISK_E_ENTRIES;
	last = h->entry_lba + sectors - 1;
	if (h->entry_lba <= h->last_usable && h->first_usable <= last)
		return GPT_DISK_E_ENTRIES;
	if (in_range(h->my_lba, h->entry_lba, last) ||
	    in_range(h->alternate_lba, h->entry_lba, last))
		return GPT_DISK_E_ENTRIES;
	return GPT_DISK_OK;
}

/* PartitionName, UTF-16LE, to ASCII (see struct gpt_disk_part). */
static void take_label(struct gpt_disk_part *p, const uint8_t *name)
{
	unsigned i;

	p->label_lossy = false;
	for (i = 0; i < GPT_DISK_LABEL_MAX; i++) {
		uint16_t c = (uint16_t)(name[2 * i] | name[2 * i + 1] << 8);

		if (!c)
			break;
		if (c < 0x20 || c > 0x7e) {
			c = '?';
			p->label_lossy = true;
		}
		p->label[i] = (char)c;
	}
	p->label[i] = '\0';
}

/* One entry of the array: unused (zero type GUID, 5.3.3), or a partition
 * inside the usable range. */
static void take_entry(const struct hdr *h, const uint8_t *e, unsigned index,
		       struct collect *c)
{
	struct gpt_disk_part *p;
	uint64_t first, last;

	if (c->err || all_zero(e + ENT_TYPE_GUID, 16))
		return;
	if (c->count == c->max) {
		c->err = GPT_DISK_E_TOO_MANY;
		c->bad = index;
		return;
	}
	first = le_get64(e + ENT_FIRST_LBA);
	last = le_get64(e + ENT_LAST_LBA);
	if (first > last || first < h->first_usable || last > h->last_usable) {
		c->err = GPT_DISK_E_RANGE;
		c->bad = index;
		return;
	}
	p = &c->parts[c->count++];
	take_label(p, e + ENT_NAME);
	p->index = index;
	p->first_lba = first;
	p->last_lba = last;
	memcpy(p->type_guid, e + ENT_TYPE_GUID, 16);
	memcpy(p->part_guid, e + ENT_PART_GUID, 16);
	p->attrs = le_get64(e + ENT_ATTRS);
}

/*
 * Reads the entry array of a checked header and checks its CRC, which
 * covers NumberOfPartitionEntries * SizeOfPartitionEntry bytes (5.3.2).
 * With c, collects the used entries too.
 */
static enum gpt_disk_err read_array(const struct disk *d, const struct hdr *h,
				    struct collect *c)
{
	uint64_t bytes = (uint64_t)h->num_entries * h->entry_size;
	uint64_t done = 0, lba = h->entry_lba;
	uint32_t crc = 0, next = 0;

	while (done < bytes) {
		uint64_t left = bytes - done, chunk;
		unsigned n = d->buf_sectors;

		if ((uint64_t)n * GPT_DISK_SECTOR_SIZE > left)
			n = (unsigned)((left + GPT_DISK_SECTOR_SIZE - 1) /
				       GPT_DISK_SECTOR_SIZE);
		if (d->read(d->ctx, lba, n, d->buf))
			return GPT_DISK_E_IO;
		chunk = (uint64_t)n * GPT_DISK_SECTOR_SIZE;
		if (chunk > left)
			chunk = left;
		crc = crc32(crc, d->buf, (size_t)chunk);
		/* The entries starting in this piece; each one's first 128
		 * bytes are in it (see the top of this file). */
		for (; c && next < h->num_entries &&
		       (uint64_t)next * h->entry_size < done + chunk;
		     next++)
			take_entry(h, d->buf + ((uint64_t)next * h->entry_size - done),
				   next, c);
		done += chunk;
		lba += n;
	}
	return crc == h->array_crc ? GPT_DISK_OK : GPT_DISK_E_ARRAY_CRC;
}

/* One copy: its header, then its array. */
static enum gpt_disk_err read_copy(const struct disk *d, uint64_t lba, struct hdr *h,
				   struct collect *c)
{
	enum gpt_disk_err err = check_header(d, lba, h);

	if (err)
		return err;
	if (c) {
		c->count = 0;
		c->err = GPT_DISK_OK;
	}
	return read_array(d, h, c);
}

/* The rules between partitions of a copy whose CRCs held (5.3.3: defined
 * partitions must not overlap; unique labels are this reader's rule). */
static enum gpt_disk_err check_parts(const struct collect *c, struct gpt_disk_info *info)
{
	const struct gpt_disk_part *p = c->parts;

	if (c->err) {
		info->bad_entry = c->bad;
		return c->err;
	}
	for (unsigned i = 0; i < c->count; i++)
		for (unsigned j = 0; j < i; j++)
			if (p[j].first_lba <= p[i].last_lba &&
			    p[i].first_lba <= p[j].last_lba) {
				info->bad_entry = p[j].index;
				info->other_entry = p[i].index;
				return GPT_DISK_E_OVERLAP;
			}
	for (unsigned i = 0; i < c->count; i++) {
		if (!p[i].label[0] || p[i].label_lossy)
			continue;
		for (unsigned j = 0; j < i; j++)
			if (!p[j].label_lossy && !strcmp(p[i].label, p[j].label)) {
				info->bad_entry = p[j].index;
				info->other_entry = p[i].index;
				return GPT_DISK_E_DUP_LABEL;
			}
	}
	return GPT_DISK_OK;
}

static void use_copy(const struct hdr *h, uint64_t lba, const struct collect *c,
		     struct gpt_disk_info *info)
{
	info->count = c->count;
	info->header_lba = lba;
	info->first_usable = h->first_usable;
	info->last_usable = h->last_usable;
	memcpy(info->disk_guid, h->disk_guid, sizeof(info->disk_guid));
}

enum gpt_disk_err gpt_disk_read(gpt_disk_read_fn read, void *ctx, uint64_t disk_sectors,
				void *scratch, size_t scratch_size,
				struct gpt_disk_part *parts, unsigned max_parts,
				struct gpt_disk_info *info)
{
	struct disk d = {read, ctx, disk_sectors, scratch, 0};
	struct collect c = {parts, max_parts, 0, GPT_DISK_OK, 0};
	struct hdr h;
	uint64_t backup_lba;
	enum gpt_disk_err err;

	*info = (struct gpt_disk_info){.primary = GPT_DISK_E_NOT_READ,
				       .backup = GPT_DISK_E_NOT_READ};
	if (scratch_size < GPT_DISK_SECTOR_SIZE)
		return info->primary = GPT_DISK_E_SCRATCH;
	/* More than the largest array would never be used. */
	d.buf_sectors = scratch_size / GPT_DISK_SECTOR_SIZE >
					GPT_DISK_MAX_ARRAY_BYTES / GPT_DISK_SECTOR_SIZE
				? GPT_DISK_MAX_ARRAY_BYTES / GPT_DISK_SECTOR_SIZE
				: (unsigned)(scratch_size / GPT_DISK_SECTOR_SIZE);
	/* The MBR and two headers at least: a header's AlternateLBA is
	 * neither LBA 0 nor itself. */
	if (disk_sectors < 3)
		return info->primary = GPT_DISK_E_NO_GPT;
	err = check_mbr(&d);
	if (err)
		return info->primary = err;

	err = read_copy(&d, PRIMARY_LBA, &h, &c);
	if (!err) {
		err = check_parts(&c, info);
		info->primary = err;
		if (err)
			return err;
		use_copy(&h, PRIMARY_LBA, &c, info);
		/* 5.3.2: with a valid primary, the backup is the one its
		 * AlternateLBA names. Only checked, for the caller's log. */
		backup_lba = h.alternate_lba;
		info->backup = read_copy(&d, backup_lba, &h, NULL);
		return GPT_DISK_OK;
	}

	/* 5.3.2: the primary is unusable, so the backup is the one at the
	 * last LBA (the primary's AlternateLBA cannot be trusted). */
	info->primary = err;
	backup_lba = disk_sectors - 1;
	info->backup = read_copy(&d, backup_lba, &h, &c);
	if (info->backup)
		return info->primary;
	info->backup = check_parts(&c, info);
	if (info->backup)
		return info->backup;
	info->used_backup = true;
	use_copy(&h, backup_lba, &c, info);
	return GPT_DISK_OK;
}

const struct gpt_disk_part *gpt_disk_find(const struct gpt_disk_part *parts,
					  unsigned count, const char *label)
{
	if (!label || !label[0])
		return NULL;
	for (unsigned i = 0; i < count; i++)
		if (!parts[i].label_lossy && !strcmp(parts[i].label, label))
			return &parts[i];
	return NULL;
}

const char *gpt_disk_strerror(enum gpt_disk_err err)
{
	switch (err) {
	case GPT_DISK_OK:
		return "ok";
	case GPT_DISK_E_IO:
		return "read error";
	case GPT_DISK_E_SCRATCH:
		return "scratch buffer smaller than a sector";
	case GPT_DISK_E_NO_GPT:
		return "no protective MBR (not a GPT disk)";
	case GPT_DISK_E_HEADER:
		return "bad GPT header";
	case GPT_DISK_E_CRC:
		return "GPT header CRC mismatch";
	case GPT_DISK_E_ENTRIES:
		return "bad partition entry array (size or place)";
	case GPT_DISK_E_ARRAY_CRC:
		return "partition entry array CRC mismatch";
	case GPT_DISK_E_RANGE:
		return "partition outside the usable range";
	case GPT_DISK_E_OVERLAP:
		return "partitions overlap";
	case GPT_DISK_E_DUP_LABEL:
		return "two partitions have the same label";
	case GPT_DISK_E_TOO_MANY:
		return "more partitions than the caller has room for";
	case GPT_DISK_E_NOT_READ:
		return "not read";
	}
	return "unknown error";
}
