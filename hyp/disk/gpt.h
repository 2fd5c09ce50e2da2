/*
 * The GUID partition table of the machine's disk (UEFI 2.11, chapter 5
 * "GUID Partition Table (GPT) Disk Layout"): the hypervisor reads it once
 * at boot and gives each VM a partition by its name (`vmN.disk = LABEL`),
 * so a partition's label is its identity here and must be unique.
 *
 * The layout (5.3.1): LBA 0 holds a protective MBR, LBA 1 the primary
 * header, which points at an array of partition entries (usually LBA 2-33);
 * the disk's last LBA holds the backup header, with its own copy of the
 * array just before it. Each header carries a CRC-32 of itself and one of
 * its array, so a torn or corrupted copy is detected and the other used.
 *
 * Everything read from the disk is untrusted: every field is checked
 * before it is used as a count, a size or an LBA (docs/DATASTORE.md lists
 * the checks and the spec text behind each). Pure logic, host-tested
 * (tests/unit/hyp/disk/test_gpt.c) and fuzzed (tests/fuzz/fuzz_gpt.c).
 * 512-byte sectors only: the LBA size of the virtio-blk disks this reads.
 *
 * The prefix is gpt_disk_ because gpt_ and GPT_ belong to the other GPT of
 * this project, the monitor's Granule Protection Table (monitor/gpt.h).
 */
#ifndef HYP_DISK_GPT_H
#define HYP_DISK_GPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GPT_DISK_SECTOR_SIZE 512u
/* Longest name: 36 UTF-16 code units (5.3.3, PartitionName), + NUL. */
#define GPT_DISK_LABEL_MAX 36
/*
 * The largest entry array read: 1 MiB (8192 entries of 128 bytes, 64 times
 * the usual 128). The spec sets no upper bound, so a hostile header could
 * otherwise have 2^32 entries of 2^31 bytes each read at boot; the array
 * is streamed through the scratch buffer, so the cap bounds the reading
 * time, not memory.
 */
#define GPT_DISK_MAX_ARRAY_BYTES (1u << 20)

/*
 * Partition attributes (5.3.3, "Defined GPT Partition Entry -
 * Attributes"). gpt_disk_read() reports them as found and acts on none: bit 0
 * (platform firmware needs the partition), bit 1 (no EFI block I/O for
 * it) and bit 2 (legacy BIOS bootable) concern firmware, not which VM gets
 * a partition; bits 48-63 mean what the partition's type GUID says they
 * mean (Microsoft's basic data partitions use bit 60 for read-only), so
 * honouring them is the caller's choice, per type.
 */
#define GPT_DISK_ATTR_REQUIRED (1ull << 0)
#define GPT_DISK_ATTR_NO_BLOCK_IO (1ull << 1)
#define GPT_DISK_ATTR_LEGACY_BOOT (1ull << 2)
#define GPT_DISK_ATTR_TYPE_SPECIFIC_SHIFT 48

/*
 * Reads count 512-byte sectors from lba into buf. Returns 0 on success,
 * anything else on failure. gpt_disk_read() asks only for sectors inside
 * [0, disk_sectors) and for at most scratch_size / 512 at a time, always
 * into the scratch buffer.
 */
typedef int (*gpt_disk_read_fn)(void *ctx, uint64_t lba, unsigned count, void *buf);

/* One used partition entry. */
struct gpt_disk_part {
	/*
	 * The name, as ASCII and NUL-terminated: PartitionName up to its
	 * first NUL code unit. A code unit outside printable ASCII (0x20 to
	 * 0x7e) becomes '?' and sets label_lossy: such a partition is
	 * still listed but gpt_disk_find() never returns it and it takes
	 * no part in the duplicate check, so "d?sk" in a configuration
	 * cannot name "dæsk" and two names that differ only outside ASCII
	 * do not clash. Empty names (many tools leave partitions unnamed)
	 * are likewise neither found nor checked for duplicates.
	 */
	char label[GPT_DISK_LABEL_MAX + 1];
	bool label_lossy;
	unsigned index; /* in the entry array; Linux's partition number - 1 */
	uint64_t first_lba, last_lba;	      /* inclusive, inside the usable range */
	uint8_t type_guid[16], part_guid[16]; /* as stored (mixed-endian) */
	uint64_t attrs;			      /* as stored: GPT_DISK_ATTR_* */
};

enum gpt_disk_err {
	GPT_DISK_OK = 0,
	GPT_DISK_E_IO,	      /* the read function failed */
	GPT_DISK_E_SCRATCH,   /* the scratch buffer holds less than one sector */
	GPT_DISK_E_NO_GPT,    /* LBA 0: no 0x55 0xAA signature or no 0xEE record */
	GPT_DISK_E_HEADER,    /* a header's signature, revision, size, MyLBA,
			       * AlternateLBA or usable range is wrong */
	GPT_DISK_E_CRC,	      /* a header's HeaderCRC32 does not match */
	GPT_DISK_E_ENTRIES,   /* the entry array: entry size not 128 x 2^n, over
			       * GPT_DISK_MAX_ARRAY_BYTES, or not where it may be */
	GPT_DISK_E_ARRAY_CRC, /* the entry array's PartitionEntryArrayCRC32 */
	GPT_DISK_E_RANGE,     /* a partition: first > last, or outside the usable
			       * range */
	GPT_DISK_E_OVERLAP,   /* two partitions share a sector */
	GPT_DISK_E_DUP_LABEL, /* two partitions have the same (ASCII) label */
	GPT_DISK_E_TOO_MANY,  /* more used entries than max_parts */
	GPT_DISK_E_NOT_READ,  /* (in gpt_disk_info only) not read */
};

/* What gpt_disk_read() found besides the partitions, for the log. */
struct gpt_disk_info {
	unsigned count;	  /* partitions in parts[]; 0 unless GPT_DISK_OK */
	bool used_backup; /* the partitions come from the backup */
	/* The state of each copy: GPT_DISK_OK, or why it is unusable.
	 * backup is GPT_DISK_E_NOT_READ when the reading stopped before it:
	 * at the scratch size, the disk's size or its MBR, or at a primary
	 * whose CRCs hold but whose partitions break a rule. */
	enum gpt_disk_err primary, backup;
	/* The header the partitions come from, and what it says. */
	uint64_t header_lba, first_usable, last_usable;
	uint8_t disk_guid[16];
	/* On GPT_DISK_E_RANGE, _TOO_MANY: the entry refused (array index); on
	 * _OVERLAP and _DUP_LABEL, the two entries. */
	unsigned bad_entry, other_entry;
};

/*
 * Reads the partition table of a disk of disk_sectors 512-byte sectors
 * into parts[0..max_parts), using scratch (scratch_size bytes, at least
 * one sector; more sectors make fewer reads, whole sectors are used) for
 * the disk's sectors. On GPT_DISK_OK, info->count partitions are in
 * parts[] in their array order, and:
 * - each lies inside the disk and the header's usable range, first <= last;
 * - no two overlap;
 * - no two have the same label, unless it is empty or lossy.
 *
 * Which copy is read (5.3.2): the primary at LBA 1 when its header and
 * array are valid; otherwise the backup at the disk's last LBA, and
 * info->used_backup is set. A copy whose header and array CRCs hold but
 * whose partitions break a rule above is an error, not a reason to try the
 * other copy: the other was written from the same table. When the primary
 * is used, the backup it names (AlternateLBA) is checked too, and
 * info->backup says whether it is usable, for a warning.
 *
 * The protective MBR (5.2.3) must have the 0x55 0xAA signature at byte 510
 * and one of its four partition records of type 0xEE: that is what marks
 * the disk as GPT, and a disk repartitioned with MBR tools keeps a stale
 * GPT header at LBA 1. Nothing else in it is checked (hybrid MBRs, a
 * protective record not starting at LBA 1 or of the wrong size are
 * accepted): the GPT headers describe the disk, not the MBR.
 *
 * Returns GPT_DISK_OK, or the reason the table is refused: the fault in
 * the partitions of the copy read (primary, or backup when the primary is
 * unusable), or else the primary's reason when neither copy's header and
 * array are valid (info->backup has the backup's). parts[] is then
 * undefined and info->count 0.
 */
enum gpt_disk_err gpt_disk_read(gpt_disk_read_fn read, void *ctx, uint64_t disk_sectors,
				void *scratch, size_t scratch_size,
				struct gpt_disk_part *parts, unsigned max_parts,
				struct gpt_disk_info *info);

/* The partition labelled label (case-sensitive, exact), or NULL; never one
 * with an empty or lossy label. */
const struct gpt_disk_part *gpt_disk_find(const struct gpt_disk_part *parts,
					  unsigned count, const char *label);

/* A short description of an error, for logs. */
const char *gpt_disk_strerror(enum gpt_disk_err err);

#endif
