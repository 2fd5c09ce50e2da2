/*
 * Test guest: a RAM disk as its first disk, vda (tests/system/test_ramdisk.sh,
 * hyp/disk/ramdisk.h). It prints the disk's size and the FNV-1a 64 hash of
 * all its bytes, which the test compares with the image file's; a read
 * reaching one sector past the end must get IOERR. Then, by guestinfo.mode:
 *
 *   read (default)  with guestinfo.ro = 1, a write of sector 0 (its own
 *                   bytes back) must get IOERR; ends.
 *   write           writes a pattern (the 64-bit word at byte offset o is
 *                   RAMDISK_MARK ^ o) over the first WRITE_SECTORS sectors
 *                   and the last one, reads them back, prints the hash of
 *                   the disk again; with guestinfo.reset = 1 it then asks
 *                   for PSCI SYSTEM_RESET. Booting again finds the pattern
 *                   there (a restarted VM keeps its RAM disk's content),
 *                   says so, prints the hash, and ends.
 */
#include <arch/smccc.h>
#include <lib/psci.h>

#include "rt/rpci.h"
#include "rt/rt.h"
#include "rt/virtio_blk.h"

#define VDA_BASE 0x0a000000ull
#define RAMDISK_MARK 0x4b5349444d4152ull /* "RAMDISK" */
#define CHUNK (32u * VIRTIO_BLK_SECTOR_SIZE)
#define WRITE_SECTORS 16u

static struct vb_rings rings;
static uint8_t buf[CHUNK] __attribute__((aligned(16)));
static struct vb_dev dev;

/* FNV-1a, 64 bits, over the whole disk; false if a read failed. */
static bool disk_hash(uint64_t *h)
{
	*h = 0xcbf29ce484222325ull;
	for (uint64_t s = 0; s < dev.capacity; s += CHUNK / VIRTIO_BLK_SECTOR_SIZE) {
		uint64_t left = (dev.capacity - s) * VIRTIO_BLK_SECTOR_SIZE;
		uint32_t len = left < CHUNK ? (uint32_t)left : CHUNK;
		int st = vb_rw(&dev, false, s, buf, len);

		if (st != VIRTIO_BLK_S_OK) {
			gprintf("ramdisk: read of sector %lu: status %d\n", s, st);
			return false;
		}
		for (uint32_t i = 0; i < len; i++) {
			*h ^= buf[i];
			*h *= 0x100000001b3ull;
		}
	}
	return true;
}

static void print_hash(const char *when)
{
	uint64_t h;

	GCHECK(disk_hash(&h), "hash %s", when);
	gprintf("ramdisk: %s: fnv1a64 %016lx\n", when, h);
}

/* Sector s as the pattern, or checks it is; the number of wrong words. */
static unsigned pattern(uint64_t s, bool fill)
{
	uint64_t *w = (uint64_t *)buf;
	unsigned bad = 0;

	for (unsigned i = 0; i < VIRTIO_BLK_SECTOR_SIZE / 8; i++) {
		uint64_t want = RAMDISK_MARK ^ (s * VIRTIO_BLK_SECTOR_SIZE + 8ull * i);

		if (fill)
			w[i] = want;
		else
			bad += w[i] != want;
	}
	return bad;
}

/* The sectors write mode writes: the first ones and the last. */
static uint64_t written_sector(unsigned k)
{
	return k < WRITE_SECTORS ? k : dev.capacity - 1;
}

static unsigned check_written(void)
{
	unsigned bad = 0;

	for (unsigned k = 0; k <= WRITE_SECTORS; k++) {
		uint64_t s = written_sector(k);

		GCHECK(vb_rw(&dev, false, s, buf, VIRTIO_BLK_SECTOR_SIZE) ==
			       VIRTIO_BLK_S_OK,
		       "read back sector %lu", s);
		bad += pattern(s, false);
	}
	return bad;
}

static void write_mode(void)
{
	uint64_t *w = (uint64_t *)buf;

	GCHECK(vb_rw(&dev, false, 0, buf, VIRTIO_BLK_SECTOR_SIZE) == VIRTIO_BLK_S_OK,
	       "read sector 0");
	if (w[0] == RAMDISK_MARK) {
		unsigned bad = check_written();

		GCHECK(!bad, "%u words differ after the reset", bad);
		gprintf("ramdisk: after the reset: the %u written sectors are %s\n",
			WRITE_SECTORS + 1, bad ? "changed" : "still there");
		print_hash("after the reset");
		return;
	}
	for (unsigned k = 0; k <= WRITE_SECTORS; k++) {
		uint64_t s = written_sector(k);

		pattern(s, true);
		GCHECK(vb_rw(&dev, true, s, buf, VIRTIO_BLK_SECTOR_SIZE) ==
			       VIRTIO_BLK_S_OK,
		       "write sector %lu", s);
	}
	GCHECK(!check_written(), "the written sectors read back differently");
	gprintf("ramdisk: wrote %u sectors and read them back\n", WRITE_SECTORS + 1);
	print_hash("after writing");
	if (guestinfo_u64("reset", 0) == 1) {
		gprintf("ramdisk: resetting\n");
		hvc_call(PSCI_SYSTEM_RESET, 0, 0, 0);
		GCHECK(false, "SYSTEM_RESET returned");
	}
}

void guest_main(uint64_t dt)
{
	const char *why = vb_init(&dev, VDA_BASE, &rings, 0);
	char mode[16];

	(void)dt;
	GCHECK(!why, "device set-up: %s", why);
	if (why)
		guest_finish("ramdisk");
	gprintf("ramdisk: vda has %lu sectors\n", dev.capacity);
	GCHECK(dev.capacity > WRITE_SECTORS, "a disk of %lu sectors is too small",
	       dev.capacity);
	if (dev.capacity <= WRITE_SECTORS)
		guest_finish("ramdisk");
	print_hash("as found");
	/* One sector past the end, and two sectors over it. */
	GCHECK(vb_rw(&dev, false, dev.capacity, buf, VIRTIO_BLK_SECTOR_SIZE) ==
		       VIRTIO_BLK_S_IOERR,
	       "read past the end");
	GCHECK(vb_rw(&dev, false, dev.capacity - 1, buf, 2 * VIRTIO_BLK_SECTOR_SIZE) ==
		       VIRTIO_BLK_S_IOERR,
	       "read across the end");
	if (guestinfo_get("mode", mode, sizeof(mode)) > 0 && mode[0] == 'w') {
		write_mode();
	} else if (guestinfo_u64("ro", 0) == 1) {
		GCHECK(vb_rw(&dev, false, 0, buf, VIRTIO_BLK_SECTOR_SIZE) ==
			       VIRTIO_BLK_S_OK,
		       "read sector 0");
		GCHECK(vb_rw(&dev, true, 0, buf, VIRTIO_BLK_SECTOR_SIZE) ==
			       VIRTIO_BLK_S_IOERR,
		       "a write to a read-only disk");
		gprintf("ramdisk: the write was refused\n");
	}
	guest_finish("ramdisk");
}
