/*
 * Test guest: the VM beside a hostile one (tests/system/test_vm_disk_hostile.sh).
 * It reads the whole of its first disk (vda) again and again, through the
 * same hypervisor and the same machine disk the hostile VM attacks, and
 * checks every byte against the pattern the test wrote there from the
 * host: the 64-bit little-endian word at byte offset o of the partition is
 * READER_PATTERN ^ o. It prints a line per pass and ends, with its failure
 * count, after guestinfo.seconds seconds (default 20) and at least one
 * pass: long enough to outlive the hostile guest, which the test checks
 * from the order of the lines. It never writes.
 */
#include <string.h>

#include <arch/sysreg.h>

#include "rt/rpci.h"
#include "rt/rt.h"
#include "rt/virtio_blk.h"

#define VDA_BASE 0x0a000000ull
#define READER_PATTERN 0x76696374696d0000ull /* "victim" */
#define CHUNK (64u * VIRTIO_BLK_SECTOR_SIZE)

static struct vb_rings rings;
static uint64_t buf[CHUNK / 8];
static struct vb_dev dev;

/* One pass over the disk: the number of the first wrong word's byte
 * offset + 1, or 0 when every word is right; -1ull when a read failed. */
static uint64_t pass(void)
{
	for (uint64_t s = 0; s < dev.capacity; s += CHUNK / VIRTIO_BLK_SECTOR_SIZE) {
		uint64_t left = (dev.capacity - s) * VIRTIO_BLK_SECTOR_SIZE;
		uint32_t len = left < CHUNK ? (uint32_t)left : CHUNK;
		int st = vb_rw(&dev, false, s, buf, len);

		if (st != VIRTIO_BLK_S_OK) {
			gprintf("virtio_reader: read of sector %lu: status %d\n", s, st);
			return ~0ull;
		}
		for (uint32_t i = 0; i < len / 8; i++) {
			uint64_t off = s * VIRTIO_BLK_SECTOR_SIZE + 8ull * i;

			if (buf[i] != (READER_PATTERN ^ off)) {
				gprintf("virtio_reader: offset 0x%lx holds 0x%lx\n", off,
					buf[i]);
				return off + 1;
			}
		}
	}
	return 0;
}

void guest_main(uint64_t dt)
{
	uint64_t freq = read_sysreg(cntfrq_el0);
	uint64_t end = read_sysreg(cntvct_el0) + freq * guestinfo_u64("seconds", 20);
	const char *why = vb_init(&dev, VDA_BASE, &rings, 0);
	unsigned long n = 0;

	(void)dt;
	GCHECK(!why, "device set-up: %s", why);
	if (why)
		guest_finish("virtio_reader");
	gprintf("virtio_reader: vda has %lu sectors\n", dev.capacity);
	do {
		uint64_t bad = pass();

		GCHECK(!bad, "pass %lu: %s", n + 1,
		       bad == ~0ull ? "read failed" : "wrong data");
		if (bad)
			break;
		gprintf("virtio_reader: pass %lu ok\n", ++n);
	} while (read_sysreg(cntvct_el0) < end);
	guest_finish("virtio_reader");
}
