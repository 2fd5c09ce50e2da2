/*
 * Test guest: a hostile driver of its virtio disk
 * (tests/system/test_vm_disk_hostile.sh). It drives the virtio-mmio
 * transport of its first disk (vda) itself, with the rings in its own RAM
 * (guests/rt/virtio_blk.c), and breaks the protocol one way at a time:
 * descriptor loops, chains longer than the queue or than the device takes,
 * indirect tables outside RAM, of a bad size, nested or not negotiated,
 * buffers outside RAM or wrapping past 2^64, chains longer than 2^32 bytes,
 * the available index jumping or moving back, notifications for a queue
 * that does not exist or is not set up, rings outside RAM or misaligned at
 * QueueReady; and requests the device must answer with an error rather than
 * a reset: sectors past the partition's end (sector 2^64 - 1 too), data
 * not a whole number of sectors; the used index rewritten backwards
 * between requests; and, with its second vCPU (the VM needs two), the ring
 * refilled while the device serves it.
 *
 * What the device must do (virtio 1.2; docs/VIRTIO.md says where each rule
 * comes from): a broken ring or transport rule sets DEVICE_NEEDS_RESET
 * (2.1.2), takes nothing (the used index does not move, the status byte is
 * not written) and drops later notifications until the driver resets it;
 * with DRIVER_OK set it raises the configuration change interrupt. A
 * well-formed request it cannot carry out completes with
 * VIRTIO_BLK_S_IOERR (5.2.6) and writes nothing to the disk. After each
 * case the guest resets the device (Status 0) and sets it up again, reads
 * sector 0 back and writes and reads back the partition's last sector: the
 * device still works. One line per case, "guest virtio_hostile: case NAME
 * ok"; the system test matches each against the hypervisor's log line
 * (one per reset case) and checks from the host that nothing outside this
 * VM's partition changed.
 */
#include <string.h>

#include <arch/smccc.h>
#include <arch/sysreg.h>
#include <lib/psci.h>

#include "rt/rpci.h"
#include "rt/rt.h"
#include "rt/virtio_blk.h"

#define VDA_BASE 0x0a000000ull /* the VM's first virtio-mmio transport */
#define GIC_BASE 0x08000000ull /* the vGIC distributor: no RAM there either */
#define SECTOR VIRTIO_BLK_SECTOR_SIZE
#define F_INDIRECT (1ull << VIRTIO_F_RING_INDIRECT_DESC)
#define F_EVENT_IDX (1ull << VIRTIO_F_RING_EVENT_IDX)
#define D_NEXT VIRTQ_DESC_F_NEXT
#define D_WRITE VIRTQ_DESC_F_WRITE
#define D_INDIRECT VIRTQ_DESC_F_INDIRECT
#define IND_MAX 200u	       /* indirect table entries: above the device's 130 */
#define STATUS_UNTOUCHED 0xffu /* vb_chain3()'s status: never a device's */

static struct vb_rings rings;
static struct vb_desc ind[IND_MAX] __attribute__((aligned(16)));
static uint8_t data[8 * SECTOR] __attribute__((aligned(16)));
static uint8_t sector0[SECTOR], last_sector[SECTOR];
static struct vb_dev dev;
static uint64_t ram_base, ram_end, beyond_ram;
static unsigned rounds; /* good writes of the last sector so far */

static uintptr_t ipa(const volatile void *p)
{
	return (uintptr_t)p;
}

/* ---- the VM's RAM, from the device tree's /memory node ------------------ */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The flattened tree's structure block (Devicetree Specification 0.4,
 * 5.4): the reg of the first node named memory or memory@..., with the
 * two address and two size cells the hypervisor's tree has
 * (hyp/vdev/guest_dt.c). */
static bool find_memory(const uint8_t *fdt, uint64_t *base, uint64_t *size)
{
	const uint8_t *s, *strings;
	uint32_t off, end;
	bool in_memory = false;

	if (be32(fdt) != 0xd00dfeedu)
		return false;
	s = fdt + be32(fdt + 8);
	strings = fdt + be32(fdt + 12);
	end = be32(fdt + 36); /* size_dt_struct */
	for (off = 0; off + 4 <= end;) {
		uint32_t tok = be32(s + off), len;

		off += 4;
		switch (tok) {
		case 1: /* FDT_BEGIN_NODE, then the NUL-ended name, padded */
			len = (uint32_t)strlen((const char *)s + off);
			in_memory = !strncmp((const char *)s + off, "memory", 6) &&
				    (s[off + 6] == 0 || s[off + 6] == '@');
			off += (len + 4) & ~3u;
			break;
		case 3: /* FDT_PROP: len, nameoff, value, padded */
			len = be32(s + off);
			if (in_memory && len == 16 &&
			    !strcmp((const char *)strings + be32(s + off + 4), "reg")) {
				*base = (uint64_t)be32(s + off + 8) << 32 |
					be32(s + off + 12);
				*size = (uint64_t)be32(s + off + 16) << 32 |
					be32(s + off + 20);
				return true;
			}
			off += 8 + ((len + 3) & ~3u);
			break;
		case 2: /* FDT_END_NODE */
			in_memory = false;
			break;
		case 4: /* FDT_NOP */
			break;
		default: /* FDT_END, or not a token */
			return false;
		}
	}
	return false;
}

/* ---- what the device must do -------------------------------------------- */

static void init(uint64_t want)
{
	const char *why = vb_init(&dev, VDA_BASE, &rings, want);

	GCHECK(!why, "device set-up: %s", why);
}

/* A request the device must complete with status want and used length
 * len. */
static void kick_done(const char *what, uint8_t want, uint32_t len)
{
	struct vb_used_elem e = {0xffffffffu, 0};
	bool used = vb_kick(&dev, 0, &e);
	uint8_t status = ((volatile struct vb_rings *)&rings)->status;

	GCHECK(used && e.id == 0 && e.len == len, "%s: used %d id %u len %u (want %u)",
	       what, used, e.id, e.len, len);
	GCHECK(status == want, "%s: status %u, want %u", what, status, want);
	GCHECK(!vb_needs_reset(&dev), "%s: the device needs a reset", what);
}

/* The device refused what it was given: DEVICE_NEEDS_RESET, nothing
 * taken or written, the driver told (if it was there), and a second
 * notification changes nothing. */
static void expect_needs_reset(const char *what, uint16_t used_before)
{
	volatile struct vb_rings *r = &rings;
	uint32_t st = vb_rd(&dev, VIRTIO_MMIO_Status);

	GCHECK(st & VIRTIO_STATUS_DEVICE_NEEDS_RESET, "%s: Status 0x%x", what, st);
	GCHECK(r->used.idx == used_before, "%s: used index %u, was %u", what, r->used.idx,
	       used_before);
	GCHECK(r->status == STATUS_UNTOUCHED, "%s: status byte written: %u", what,
	       r->status);
	if (st & VIRTIO_STATUS_DRIVER_OK)
		GCHECK(vb_rd(&dev, VIRTIO_MMIO_InterruptStatus) & VIRTIO_MMIO_INT_CONFIG,
		       "%s: no configuration change interrupt", what);
	vb_notify(&dev, 0);
	GCHECK(r->used.idx == used_before && vb_needs_reset(&dev),
	       "%s: a notification after the fault was served", what);
}

/* Publishes head and notifies: the device must refuse. */
static void kick_refused(const char *what, uint16_t head)
{
	uint16_t before = ((volatile struct vb_rings *)&rings)->used.idx;

	vb_publish(&dev, head);
	vb_notify(&dev, 0);
	expect_needs_reset(what, before);
}

/* Reads sector 0 (written once at the start) and writes and reads back
 * the last sector: the device works. */
static void check_device_works(const char *after)
{
	uint64_t last = dev.capacity - 1;
	uint8_t *back = data + SECTOR;

	rounds++;
	memset(data, 0, SECTOR);
	GCHECK(vb_rw(&dev, false, 0, data, SECTOR) == VIRTIO_BLK_S_OK &&
		       !memcmp(data, sector0, SECTOR),
	       "after %s: sector 0 does not read back", after);
	/* "lastNNN\n" 64 times, NNN the round (the test knows the last). */
	for (unsigned i = 0; i < SECTOR; i += 8) {
		memcpy(last_sector + i, "last000\n", 8);
		last_sector[i + 4] = (uint8_t)('0' + rounds / 100 % 10);
		last_sector[i + 5] = (uint8_t)('0' + rounds / 10 % 10);
		last_sector[i + 6] = (uint8_t)('0' + rounds % 10);
	}
	memcpy(data, last_sector, SECTOR);
	memset(back, 0, SECTOR);
	GCHECK(vb_rw(&dev, true, last, data, SECTOR) == VIRTIO_BLK_S_OK &&
		       vb_rw(&dev, false, last, back, SECTOR) == VIRTIO_BLK_S_OK &&
		       !memcmp(back, last_sector, SECTOR),
	       "after %s: the last sector %lu does not read back", after, last);
}

/* ---- the cases ---------------------------------------------------------- */

/* A read of sector 0 into data, in the queue's table. */
static void read3(void)
{
	vb_chain3(&dev, VIRTIO_BLK_T_IN, 0, ipa(data), SECTOR, true);
}

/* 1 -> 2 -> 1: both device-writable, so only the loop is wrong. */
static void c_loop(void)
{
	read3();
	rings.desc[2].flags |= D_NEXT;
	rings.desc[2].next = 1;
	kick_refused("loop", 0);
}

static void c_self_loop(void)
{
	read3();
	rings.desc[1].next = 1;
	kick_refused("self loop", 0);
}

/* Header, six sectors of data, status: every descriptor of the table. */
static void full_chain(void)
{
	read3();
	for (unsigned i = 1; i <= 6; i++)
		rings.desc[i] = (struct vb_desc){ipa(data + (i - 1) * SECTOR), SECTOR,
						 D_NEXT | D_WRITE, (uint16_t)(i + 1)};
	rings.desc[7] = (struct vb_desc){ipa(&rings.status), 1, D_WRITE, 0};
}

/* The longest chain a table of VB_QSIZE holds is fine... */
static void c_full_chain(void)
{
	full_chain();
	kick_done("chain of the queue's size", VIRTIO_BLK_S_OK, 6 * SECTOR + 1);
	GCHECK(!memcmp(data, sector0, SECTOR), "chain of the queue's size: data");
}

/* ... one more (back to the head) is longer than the queue. */
static void c_chain_longer_than_queue(void)
{
	full_chain();
	rings.desc[7].flags |= D_NEXT;
	rings.desc[7].next = 0;
	kick_refused("chain longer than the queue", 0);
}

/* Header, data, status in the indirect table, as vb_chain3(). */
static void ind3(uint64_t sector)
{
	rings.status = STATUS_UNTOUCHED;
	rings.hdr = (struct vb_req_hdr){VIRTIO_BLK_T_IN, 0, sector};
	ind[0] = (struct vb_desc){ipa(&rings.hdr), sizeof(rings.hdr), D_NEXT, 1};
	ind[1] = (struct vb_desc){ipa(data), SECTOR, D_NEXT | D_WRITE, 2};
	ind[2] = (struct vb_desc){ipa(&rings.status), 1, D_WRITE, 0};
}

static void indirect(uint64_t addr, uint32_t len, uint16_t flags)
{
	rings.desc[0] = (struct vb_desc){addr, len, (uint16_t)(D_INDIRECT | flags), 0};
}

static void c_indirect(void)
{
	ind3(0);
	indirect(ipa(ind), 3 * sizeof(ind[0]), 0);
	memset(data, 0, SECTOR);
	kick_done("indirect", VIRTIO_BLK_S_OK, SECTOR + 1);
	GCHECK(!memcmp(data, sector0, SECTOR), "indirect: data");
}

/* 2.7.5.3: a chain in an indirect table is bounded by the table only; the
 * device takes at most 130 buffers (seg_max 128, header, status). */
static void c_indirect_too_long(void)
{
	ind3(0);
	for (unsigned i = 1; i < IND_MAX - 1; i++)
		ind[i] = (struct vb_desc){ipa(data + 8 * i), 8, D_NEXT | D_WRITE,
					  (uint16_t)(i + 1)};
	ind[IND_MAX - 1] = (struct vb_desc){ipa(&rings.status), 1, D_WRITE, 0};
	indirect(ipa(ind), sizeof(ind), 0);
	kick_refused("indirect chain of 200", 0);
}

static void c_indirect_beyond_ram(void)
{
	ind3(0);
	indirect(beyond_ram, 3 * sizeof(ind[0]), 0);
	kick_refused("indirect table beyond RAM", 0);
}

static void c_indirect_across_ram_end(void)
{
	ind3(0);
	indirect(ram_end - 32, 3 * sizeof(ind[0]), 0);
	kick_refused("indirect table across RAM's end", 0);
}

static void c_indirect_len_not_16(void)
{
	ind3(0);
	indirect(ipa(ind), 24, 0);
	kick_refused("indirect table of 24 bytes", 0);
}

static void c_indirect_len_0(void)
{
	ind3(0);
	indirect(ipa(ind), 0, 0);
	kick_refused("indirect table of 0 bytes", 0);
}

static void c_indirect_nested(void)
{
	ind3(0);
	memmove(&ind[1], &ind[0], 3 * sizeof(ind[0]));
	ind[1].next = 2;
	ind[2].next = 3;
	ind[0] = (struct vb_desc){ipa(&ind[1]), 3 * sizeof(ind[0]), D_INDIRECT, 0};
	indirect(ipa(ind), 4 * sizeof(ind[0]), 0);
	kick_refused("nested indirect table", 0);
}

static void c_indirect_with_next(void)
{
	ind3(0);
	indirect(ipa(ind), 3 * sizeof(ind[0]), D_NEXT);
	rings.desc[0].next = 1;
	rings.desc[1] = (struct vb_desc){ipa(&rings.status), 1, D_WRITE, 0};
	kick_refused("indirect with NEXT", 0);
}

static void c_indirect_not_negotiated(void)
{
	init(0);
	ind3(0);
	indirect(ipa(ind), 3 * sizeof(ind[0]), 0);
	kick_refused("indirect not negotiated", 0);
}

static void c_buf_wraps(void)
{
	read3();
	rings.desc[1].addr = 0xfffffffffffff000ull;
	rings.desc[1].len = 0x2000;
	kick_refused("buffer wrapping past 2^64", 0);
}

/* A buffer as long as a descriptor says (2^32 - 1), from the start of RAM:
 * device-readable, so a device that took it would have nothing to write. */
static void c_buf_len_max(void)
{
	vb_chain3(&dev, VIRTIO_BLK_T_OUT, 0, ram_base, 0xffffffffu, false);
	kick_refused("buffer of 2^32 - 1 bytes", 0);
}

/* The chain's readable bytes add up to more than 2^32 - 1 (2.7.5.2), each
 * buffer in RAM: all of RAM, again and again. */
static void c_chain_over_4g(void)
{
	uint64_t len = ram_end - ram_base;
	unsigned n;

	if (len > 0x80000000ull)
		len = 0x80000000ull;
	n = (unsigned)(0xffffffffull / len) + 1;
	GCHECK(n <= IND_MAX, "RAM too small for a chain over 2^32 bytes: %u buffers", n);
	if (n > IND_MAX)
		return;
	for (unsigned i = 0; i < n; i++)
		ind[i] = (struct vb_desc){ram_base, (uint32_t)len, i + 1 < n ? D_NEXT : 0,
					  (uint16_t)(i + 1)};
	rings.status = STATUS_UNTOUCHED;
	indirect(ipa(ind), n * sizeof(ind[0]), 0);
	kick_refused("chain over 2^32 bytes", 0);
}

static void buffer_at(const char *what, uint64_t addr, uint32_t len)
{
	read3();
	rings.desc[1].addr = addr;
	rings.desc[1].len = len;
	kick_refused(what, 0);
}

static void c_buf_in_device(void)
{
	buffer_at("buffer on the device's registers", VDA_BASE, SECTOR);
}

static void c_buf_beyond_ram(void)
{
	buffer_at("buffer beyond RAM", beyond_ram, SECTOR);
}

static void c_buf_below_ram(void)
{
	buffer_at("buffer below RAM", ram_base - SECTOR, SECTOR);
}

static void c_buf_across_ram_end(void)
{
	buffer_at("buffer across RAM's end", ram_end - SECTOR / 2, SECTOR);
}

static void c_buf_len_0(void)
{
	buffer_at("empty buffer", ipa(data), 0);
}

static void c_status_in_gic(void)
{
	read3();
	rings.desc[2].addr = GIC_BASE;
	kick_refused("status on the GIC", 0);
}

static void c_header_in_device(void)
{
	read3();
	rings.desc[0].addr = VDA_BASE;
	kick_refused("header on the device's registers", 0);
}

static void c_readable_after_writable(void)
{
	vb_chain3(&dev, VIRTIO_BLK_T_OUT, 0, ipa(data), SECTOR, false);
	rings.desc[0].next = 2;
	rings.desc[2].flags |= D_NEXT;
	rings.desc[2].next = 1;
	rings.desc[1].flags &= (uint16_t)~D_NEXT;
	kick_refused("readable after writable", 0);
}

static void c_no_status(void)
{
	vb_chain3(&dev, VIRTIO_BLK_T_OUT, 0, ipa(data), SECTOR, false);
	rings.desc[1].flags &= (uint16_t)~D_NEXT;
	kick_refused("no status byte", 0);
}

static void c_head_beyond_table(void)
{
	read3();
	kick_refused("head beyond the table", VB_QSIZE);
}

static void c_next_beyond_table(void)
{
	read3();
	rings.desc[1].next = VB_QSIZE;
	kick_refused("next beyond the table", 0);
}

/* Sets the available index to idx, with a good request in every slot, and
 * notifies. */
static void avail_idx_to(const char *what, uint16_t idx)
{
	uint16_t before = rings.used.idx;

	read3();
	for (unsigned i = 0; i < VB_QSIZE; i++)
		rings.avail.ring[i] = 0;
	((volatile struct vb_rings *)&rings)->avail.idx = idx;
	vb_notify(&dev, 0);
	expect_needs_reset(what, before);
}

static void c_avail_idx_jump(void)
{
	avail_idx_to("available index ahead by the queue size + 1", VB_QSIZE + 1);
}

static void c_avail_idx_far(void)
{
	avail_idx_to("available index ahead by 0x8000", 0x8000);
}

static void c_avail_idx_back(void)
{
	read3();
	kick_done("the request before", VIRTIO_BLK_S_OK, SECTOR + 1);
	avail_idx_to("available index back by one", (uint16_t)(dev.avail_idx - 1));
}

static void c_notify_queue_1(void)
{
	rings.status = STATUS_UNTOUCHED;
	vb_notify(&dev, 1);
	expect_needs_reset("notify queue 1", 0);
}

static void c_notify_queue_max(void)
{
	rings.status = STATUS_UNTOUCHED;
	vb_notify(&dev, 0xffffffffu);
	expect_needs_reset("notify queue 0xffffffff", 0);
}

/* Live, but queue 0 never set up. */
static void c_notify_not_set_up(void)
{
	const char *why = vb_negotiate(&dev, VDA_BASE, &rings, F_INDIRECT);

	GCHECK(!why, "negotiate: %s", why);
	vb_driver_ok(&dev);
	GCHECK(!vb_needs_reset(&dev), "live without a queue: needs a reset");
	rings.status = STATUS_UNTOUCHED;
	vb_notify(&dev, 0);
	expect_needs_reset("notify a queue not set up", rings.used.idx);
}

/* Before DRIVER_OK, a notification for a ready queue waits for it
 * (2.1.2: the device may not use buffers before DRIVER_OK). */
static void c_notify_before_driver_ok(void)
{
	const char *why = vb_negotiate(&dev, VDA_BASE, &rings, F_INDIRECT);

	GCHECK(!why, "negotiate: %s", why);
	GCHECK(vb_queue(&dev, VB_QSIZE, ipa(rings.desc), ipa(&rings.avail),
			ipa(&rings.used)),
	       "queue refused");
	read3();
	memset(data, 0, SECTOR);
	vb_publish(&dev, 0);
	vb_notify(&dev, 0);
	GCHECK(vb_used_new(&dev) == 0, "used before DRIVER_OK");
	vb_driver_ok(&dev);
	GCHECK(vb_used_new(&dev) == 1 && rings.status == VIRTIO_BLK_S_OK &&
		       !memcmp(data, sector0, SECTOR),
	       "not served at DRIVER_OK: used %u status %u", vb_used_new(&dev),
	       rings.status);
	GCHECK(!vb_needs_reset(&dev), "notify before DRIVER_OK: needs a reset");
}

/* Queue 0 with these rings: refused at QueueReady (which reads 0), the
 * device needs a reset, and says so once the driver is there. */
static void queue_refused(const char *what, uint32_t num, uint64_t desc, uint64_t avail,
			  uint64_t used)
{
	const char *why = vb_negotiate(&dev, VDA_BASE, &rings, F_INDIRECT);

	GCHECK(!why, "%s: negotiate: %s", what, why);
	rings.status = STATUS_UNTOUCHED;
	GCHECK(!vb_queue(&dev, num, desc, avail, used), "%s: QueueReady reads 1", what);
	GCHECK(vb_needs_reset(&dev), "%s: no DEVICE_NEEDS_RESET", what);
	vb_driver_ok(&dev);
	expect_needs_reset(what, rings.used.idx);
}

static void c_ring_beyond_ram(void)
{
	queue_refused("descriptor table beyond RAM", VB_QSIZE, beyond_ram,
		      ipa(&rings.avail), ipa(&rings.used));
}

static void c_ring_misaligned(void)
{
	queue_refused("descriptor table misaligned", VB_QSIZE, ipa(rings.desc) + 8,
		      ipa(&rings.avail), ipa(&rings.used));
}

static void c_ring_across_ram_end(void)
{
	queue_refused("used ring across RAM's end", VB_QSIZE, ipa(rings.desc),
		      ipa(&rings.avail), ram_end - 16);
}

static void c_ring_in_device(void)
{
	queue_refused("available ring on the device's registers", VB_QSIZE,
		      ipa(rings.desc), VDA_BASE, ipa(&rings.used));
}

static void c_queue_size_0(void)
{
	queue_refused("queue size 0", 0, ipa(rings.desc), ipa(&rings.avail),
		      ipa(&rings.used));
}

static void c_queue_size_above_max(void)
{
	uint32_t max = vb_rd(&dev, VIRTIO_MMIO_QueueNumMax);

	queue_refused("queue size above QueueNumMax", max * 2, ipa(rings.desc),
		      ipa(&rings.avail), ipa(&rings.used));
}

static void c_queue_ready_early(void)
{
	vb_wr(&dev, VIRTIO_MMIO_Status, 0);
	vb_wr(&dev, VIRTIO_MMIO_Status, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	rings.status = STATUS_UNTOUCHED;
	GCHECK(!vb_queue(&dev, VB_QSIZE, ipa(rings.desc), ipa(&rings.avail),
			 ipa(&rings.used)),
	       "QueueReady before FEATURES_OK reads 1");
	expect_needs_reset("QueueReady before FEATURES_OK", rings.used.idx);
}

/* A well-formed request for what the disk does not have: IOERR, the used
 * length every writable byte, the device still live. */
static void ioerr(const char *what, bool write, uint64_t sector, uint32_t len)
{
	vb_chain3(&dev, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, sector, ipa(data),
		  len, !write);
	kick_done(what, VIRTIO_BLK_S_IOERR, write ? 1 : len + 1);
}

/* Junk that must not reach the disk. */
static void junk(void)
{
	for (unsigned i = 0; i < sizeof(data); i += 8)
		memcpy(data + i, "hostile!", 8);
}

static void c_read_past_end(void)
{
	ioerr("read at the capacity", false, dev.capacity, SECTOR);
}

static void c_read_across_end(void)
{
	ioerr("read across the end", false, dev.capacity - 1, 2 * SECTOR);
}

static void c_read_sector_max(void)
{
	ioerr("read at sector 2^64 - 1", false, ~0ull, SECTOR);
}

static void c_write_past_end(void)
{
	junk();
	ioerr("write at the capacity", true, dev.capacity, SECTOR);
}

/* The first sector is the partition's: the request is refused whole, so
 * the last sector still holds what check_device_works() wrote. */
static void c_write_across_end(void)
{
	junk();
	ioerr("write across the end", true, dev.capacity - 1, 2 * SECTOR);
	memset(data, 0, SECTOR);
	GCHECK(vb_rw(&dev, false, dev.capacity - 1, data, SECTOR) == VIRTIO_BLK_S_OK &&
		       !memcmp(data, last_sector, SECTOR),
	       "write across the end: the last sector changed");
}

static void c_write_sector_max(void)
{
	junk();
	ioerr("write at sector 2^64 - 1", true, ~0ull, 2 * SECTOR);
}

/* sector * 512 wraps to 0. */
static void c_write_sector_2_55(void)
{
	junk();
	ioerr("write at sector 2^55", true, 1ull << 55, SECTOR);
}

/* sector + count wraps past 2^64 to inside the partition. */
static void c_write_sector_wraps(void)
{
	junk();
	ioerr("write wrapping to sector 0", true, ~0ull - 1, 4 * SECTOR);
}

static void c_read_not_512(void)
{
	memset(data, 0xa5, SECTOR);
	ioerr("read of 256 bytes", false, 0, SECTOR / 2);
	/* 2.7.8.2: the device wrote the used length's bytes: zeros. */
	for (unsigned i = 0; i < SECTOR / 2; i++)
		if (data[i]) {
			GCHECK(!data[i], "read of 256 bytes: byte %u is 0x%x", i,
			       data[i]);
			break;
		}
}

static void c_write_not_512(void)
{
	junk();
	ioerr("write of 513 bytes", true, 0, SECTOR + 1);
}

/* The used ring is the device's: the guest moving its index back (and
 * scribbling on its elements) between requests changes nothing for the
 * device, whose index runs on from its own copy. */
static void c_used_idx_back(void)
{
	volatile struct vb_rings *r = &rings;

	read3();
	kick_done("the request before", VIRTIO_BLK_S_OK, SECTOR + 1);
	r->used.idx = 0xfff0;
	for (unsigned i = 0; i < VB_QSIZE; i++)
		r->used.ring[i] = (struct vb_used_elem){0xdead, 0xbeef};
	read3();
	memset(data, 0, SECTOR);
	kick_done("after the used index moved back", VIRTIO_BLK_S_OK, SECTOR + 1);
	GCHECK(r->used.idx == 2, "used index %u, want 2", r->used.idx);
	GCHECK(!memcmp(data, sector0, SECTOR), "after the used index moved back: data");
}

/* With VIRTIO_F_RING_EVENT_IDX: used_event anywhere, requests still
 * complete. */
static void c_event_idx_junk(void)
{
	init(F_INDIRECT | F_EVENT_IDX);
	GCHECK(dev.features & F_EVENT_IDX, "EVENT_IDX not offered");
	rings.avail.used_event = 0x7777;
	read3();
	kick_done("used_event junk", VIRTIO_BLK_S_OK, SECTOR + 1);
	rings.avail.flags = 0xffff;
	read3();
	kick_done("avail flags junk", VIRTIO_BLK_S_OK, SECTOR + 1);
}

/*
 * A second vCPU keeps the ring full while the device serves it: every
 * chain is well-formed (a read of 4 KiB: slow enough that the other vCPU
 * always tops the ring up in time), and the available index only moves
 * forwards, at most num - 1 ahead of the used one, so the device sees
 * nothing wrong, only more work each time it looks. The device serves a
 * notification inside the trapped QueueNotify write. It must not stay in
 * that trap for as long as the other vCPU refills the ring (its CPU held
 * in the hypervisor meanwhile, interrupts masked): it serves at most a
 * queue's worth of chains (all that can have been available at the
 * notification) per trap, and has the write made again for the rest.
 * The guest sees the write take longer, and counts its traps (the STATS
 * service): never more than VB_QSIZE chains served per trap.
 */
enum { REFILL_IDLE, REFILL_GO, REFILL_RUNNING, REFILL_DONE };
static volatile uint32_t refill_state;
static volatile uint64_t refill_until; /* CNTVCT */
static volatile uint16_t refill_idx;   /* the available index it starts from */

static uint64_t now(void)
{
	uint64_t t;

	__asm__ volatile("isb\n mrs %0, cntvct_el0" : "=r"(t)::"memory");
	return t;
}

void guest_secondary(uint64_t ctx)
{
	volatile struct vb_rings *r = &rings;
	uint16_t a;

	(void)ctx;
	while (refill_state != REFILL_GO)
		;
	a = refill_idx;
	refill_state = REFILL_RUNNING;
	while (now() < refill_until) {
		uint16_t used = r->used.idx;

		if ((uint16_t)(a - used) < VB_QSIZE - 1) {
			a = (uint16_t)(used + VB_QSIZE - 1);
			__asm__ volatile("dmb sy" ::: "memory");
			r->avail.idx = a;
		}
	}
	refill_state = REFILL_DONE;
	for (;;)
		__asm__ volatile("wfe");
}

/* This vCPU's traps so far (docs/ABI.md, STATS index 1); the call is one. */
static uint64_t my_exits(void)
{
	struct bdcall c = bd_request(BD_CMD_STATS, 1);

	bd_invoke(BD_DCC, &c);
	return (c.x[1] & 0xffffffffull) | (c.x[4] & 0xffffffffull) << 32;
}

/* A good read announced by a store from x20, a register the short exit
 * path (hyp/vdev/mmio_fast.S) does not save, so that the full one serves
 * it: the hypervisor then waits for the disk with its interrupts open
 * (hyp/drivers/virtio_disk.c), and the guest's x20 must come back. */
static void c_notify_full_exit_path(void)
{
	volatile struct vb_rings *r = &rings;
	uint16_t before = r->used.idx;
	register uint64_t x20 __asm__("x20") = 0; /* queue 0 */

	memset(data, 0, SECTOR);
	read3();
	vb_publish(&dev, 0);
	__asm__ volatile("dmb sy\n str %w1, [%0]"
			 :
			 : "r"(dev.base + VIRTIO_MMIO_QueueNotify), "r"(x20)
			 : "memory");
	GCHECK(x20 == 0, "x20 is 0x%lx after the notification", x20);
	GCHECK(r->used.idx == (uint16_t)(before + 1) && r->status == VIRTIO_BLK_S_OK &&
		       !memcmp(data, sector0, SECTOR),
	       "the read was not served: used %u (was %u), status %u", r->used.idx,
	       before, r->status);
}

static void c_ring_refilled(void)
{
	uint64_t freq = read_sysreg(cntfrq_el0), ms = guestinfo_u64("refill_ms", 500);
	volatile struct vb_rings *r = &rings;
	uint64_t total = 0, worst_traps = 0, exits;
	uint16_t worst = 0;
	unsigned calls = 0;

	GCHECK((int64_t)hvc_call(PSCI_CPU_ON_64, 1, (uint64_t)guest_secondary_entry, 0) ==
		       PSCI_SUCCESS,
	       "CPU_ON of vcpu 1 (the VM needs 2 vCPUs)");
	vb_chain3(&dev, VIRTIO_BLK_T_IN, 0, ipa(data), sizeof(data), true);
	for (unsigned i = 0; i < VB_QSIZE; i++)
		rings.avail.ring[i] = 0;
	refill_idx = dev.avail_idx;
	refill_until = now() + freq / 1000 * ms;
	refill_state = REFILL_GO;
	do {
		uint16_t before = r->used.idx, served;
		uint64_t traps;

		while (r->avail.idx == r->used.idx && refill_state != REFILL_DONE)
			;
		exits = my_exits();
		vb_notify(&dev, 0);
		/* Less the second STATS call's own trap. */
		traps = my_exits() - exits - 1;
		served = (uint16_t)(r->used.idx - before);
		total += served;
		calls++;
		if (served > worst) {
			worst = served;
			worst_traps = traps;
		}
		GCHECK(served <= VB_QSIZE * traps, "%u chains in %lu trap(s)", served,
		       (unsigned long)traps);
	} while (refill_state != REFILL_DONE && guest_failures < 10);
	gprintf("virtio_hostile: refilled ring: %lu chains in %u notifications, at most "
		"%u in one (%lu traps)\n",
		(unsigned long)total, calls, worst, (unsigned long)worst_traps);
	GCHECK(total > 2 * VB_QSIZE, "the ring was refilled for only %lu chains",
	       (unsigned long)total);
	/* What the last refills left is served at the next notification. */
	vb_notify(&dev, 0);
	GCHECK(r->used.idx == r->avail.idx && r->status == VIRTIO_BLK_S_OK &&
		       !vb_needs_reset(&dev),
	       "refilled ring: used %u of %u, status %u", r->used.idx, r->avail.idx,
	       r->status);
	dev.avail_idx = dev.used_idx = r->used.idx;
}

static const struct {
	const char *name;
	void (*run)(void);
} cases[] = {
	{"descriptor_loop", c_loop},
	{"descriptor_self_loop", c_self_loop},
	{"chain_of_queue_size", c_full_chain},
	{"chain_longer_than_queue", c_chain_longer_than_queue},
	{"indirect", c_indirect},
	{"indirect_chain_too_long", c_indirect_too_long},
	{"indirect_beyond_ram", c_indirect_beyond_ram},
	{"indirect_across_ram_end", c_indirect_across_ram_end},
	{"indirect_len_not_16", c_indirect_len_not_16},
	{"indirect_len_0", c_indirect_len_0},
	{"indirect_nested", c_indirect_nested},
	{"indirect_with_next", c_indirect_with_next},
	{"indirect_not_negotiated", c_indirect_not_negotiated},
	{"buffer_wraps_2_64", c_buf_wraps},
	{"buffer_len_2_32", c_buf_len_max},
	{"chain_over_2_32_bytes", c_chain_over_4g},
	{"buffer_in_device", c_buf_in_device},
	{"buffer_beyond_ram", c_buf_beyond_ram},
	{"buffer_below_ram", c_buf_below_ram},
	{"buffer_across_ram_end", c_buf_across_ram_end},
	{"buffer_len_0", c_buf_len_0},
	{"status_in_gic", c_status_in_gic},
	{"header_in_device", c_header_in_device},
	{"readable_after_writable", c_readable_after_writable},
	{"no_status", c_no_status},
	{"head_beyond_table", c_head_beyond_table},
	{"next_beyond_table", c_next_beyond_table},
	{"avail_idx_jump", c_avail_idx_jump},
	{"avail_idx_far", c_avail_idx_far},
	{"avail_idx_back", c_avail_idx_back},
	{"notify_queue_1", c_notify_queue_1},
	{"notify_queue_max", c_notify_queue_max},
	{"notify_not_set_up", c_notify_not_set_up},
	{"notify_before_driver_ok", c_notify_before_driver_ok},
	{"ring_beyond_ram", c_ring_beyond_ram},
	{"ring_misaligned", c_ring_misaligned},
	{"ring_across_ram_end", c_ring_across_ram_end},
	{"ring_in_device", c_ring_in_device},
	{"queue_size_0", c_queue_size_0},
	{"queue_size_above_max", c_queue_size_above_max},
	{"queue_ready_early", c_queue_ready_early},
	{"read_past_end", c_read_past_end},
	{"read_across_end", c_read_across_end},
	{"read_sector_max", c_read_sector_max},
	{"write_past_end", c_write_past_end},
	{"write_across_end", c_write_across_end},
	{"write_sector_max", c_write_sector_max},
	{"write_sector_2_55", c_write_sector_2_55},
	{"write_sector_wraps", c_write_sector_wraps},
	{"read_not_512", c_read_not_512},
	{"write_not_512", c_write_not_512},
	{"used_idx_back", c_used_idx_back},
	{"event_idx_junk", c_event_idx_junk},
	{"ring_refilled_while_served", c_ring_refilled},
	{"notify_full_exit_path", c_notify_full_exit_path},
};

void guest_main(uint64_t dt)
{
	uint64_t size = 0;

	GCHECK(find_memory((const uint8_t *)dt, &ram_base, &size) && size,
	       "no /memory in the device tree at 0x%lx", dt);
	ram_end = ram_base + size;
	/* An address no RAM of this VM has: where a hypervisor might keep
	 * itself, or else just past RAM. */
	beyond_ram = ram_end <= 0x7f000000ull ? 0x7f000000ull : ram_end + 0x1000000;
	gprintf("virtio_hostile: RAM 0x%lx-0x%lx\n", ram_base, ram_end);

	init(F_INDIRECT);
	gprintf("virtio_hostile: vda has %lu sectors\n", dev.capacity);
	GCHECK(dev.capacity >= 8, "capacity %lu", dev.capacity);
	for (unsigned i = 0; i < SECTOR; i += 8)
		memcpy(sector0 + i, "sector0!", 8);
	memcpy(data, sector0, SECTOR);
	GCHECK(vb_rw(&dev, true, 0, data, SECTOR) == VIRTIO_BLK_S_OK,
	       "the first write of sector 0");
	check_device_works("set-up");

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned before = guest_failures;

		init(F_INDIRECT);
		cases[i].run();
		/* 4.2.2.1: writing 0 to Status resets the device. */
		vb_wr(&dev, VIRTIO_MMIO_Status, 0);
		GCHECK(vb_rd(&dev, VIRTIO_MMIO_Status) == 0 &&
			       vb_rd(&dev, VIRTIO_MMIO_InterruptStatus) == 0,
		       "%s: not reset", cases[i].name);
		init(F_INDIRECT);
		check_device_works(cases[i].name);
		gprintf("guest virtio_hostile: case %s %s\n", cases[i].name,
			guest_failures == before ? "ok" : "FAILED");
	}
	gprintf("virtio_hostile: %u cases, last sector written %u times\n",
		(unsigned)(sizeof(cases) / sizeof(cases[0])), rounds);
	guest_finish("virtio_hostile");
}
