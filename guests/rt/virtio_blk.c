/*
 * The test guests' virtio block driver (virtio_blk.h). Section numbers are
 * those of virtio 1.2.
 */
#include <arch/mmio.h>

#include "virtio_blk.h"

#define F_VERSION_1 (1ull << VIRTIO_F_VERSION_1)

/* The driver's stores to the rings before the device's reads of them
 * (2.7.13.3.1), and the device's stores before ours (2.7.13.4). The MMU is
 * off, so these are Device accesses and already in order: the barriers say
 * what the protocol needs. */
static void barrier(void)
{
	__asm__ volatile("dmb sy" ::: "memory");
}

uint32_t vb_rd(const struct vb_dev *d, uint32_t off)
{
	return mmio_read32(d->base + off);
}

void vb_wr(const struct vb_dev *d, uint32_t off, uint32_t val)
{
	mmio_write32(d->base + off, val);
}

static void set_status(const struct vb_dev *d, uint32_t bits)
{
	vb_wr(d, VIRTIO_MMIO_Status, vb_rd(d, VIRTIO_MMIO_Status) | bits);
}

/* The capacity, a 64-bit field read as two 32-bit halves (4.2.2.2), again
 * if ConfigGeneration moved meanwhile (2.5.1). */
static uint64_t capacity(const struct vb_dev *d)
{
	uint32_t gen, lo, hi;

	do {
		gen = vb_rd(d, VIRTIO_MMIO_ConfigGeneration);
		lo = vb_rd(d, VIRTIO_MMIO_Config + VIRTIO_BLK_CFG_capacity);
		hi = vb_rd(d, VIRTIO_MMIO_Config + VIRTIO_BLK_CFG_capacity + 4);
	} while (gen != vb_rd(d, VIRTIO_MMIO_ConfigGeneration));
	return (uint64_t)hi << 32 | lo;
}

const char *vb_negotiate(struct vb_dev *d, uintptr_t base, struct vb_rings *r,
			 uint64_t want)
{
	uint64_t offered;

	*d = (struct vb_dev){.base = base, .r = r};
	if (vb_rd(d, VIRTIO_MMIO_MagicValue) != VIRTIO_MMIO_MAGIC ||
	    vb_rd(d, VIRTIO_MMIO_Version) != VIRTIO_MMIO_VERSION ||
	    vb_rd(d, VIRTIO_MMIO_DeviceID) != VIRTIO_ID_BLOCK)
		return "not a virtio-mmio v2 block device";
	/* 3.1.1 steps 1 to 3; 2.4.1: a reset reads back 0. */
	vb_wr(d, VIRTIO_MMIO_Status, 0);
	if (vb_rd(d, VIRTIO_MMIO_Status) != 0)
		return "Status does not read 0 after the reset";
	set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(d, VIRTIO_STATUS_DRIVER);
	/* Step 4: the features, in two 32-bit words (4.2.2). */
	vb_wr(d, VIRTIO_MMIO_DeviceFeaturesSel, 0);
	offered = vb_rd(d, VIRTIO_MMIO_DeviceFeatures);
	vb_wr(d, VIRTIO_MMIO_DeviceFeaturesSel, 1);
	offered |= (uint64_t)vb_rd(d, VIRTIO_MMIO_DeviceFeatures) << 32;
	if (!(offered & F_VERSION_1))
		return "VIRTIO_F_VERSION_1 not offered";
	d->features = (want | F_VERSION_1) & offered;
	vb_wr(d, VIRTIO_MMIO_DriverFeaturesSel, 0);
	vb_wr(d, VIRTIO_MMIO_DriverFeatures, (uint32_t)d->features);
	vb_wr(d, VIRTIO_MMIO_DriverFeaturesSel, 1);
	vb_wr(d, VIRTIO_MMIO_DriverFeatures, (uint32_t)(d->features >> 32));
	/* Steps 5 and 6. */
	set_status(d, VIRTIO_STATUS_FEATURES_OK);
	if (!(vb_rd(d, VIRTIO_MMIO_Status) & VIRTIO_STATUS_FEATURES_OK))
		return "FEATURES_OK refused";
	d->capacity = capacity(d);
	return 0;
}

bool vb_queue(struct vb_dev *d, uint32_t num, uint64_t desc, uint64_t avail,
	      uint64_t used)
{
	/* 4.2.3.2: select, check it is not in use, size, addresses, ready. */
	vb_wr(d, VIRTIO_MMIO_QueueSel, 0);
	if (vb_rd(d, VIRTIO_MMIO_QueueReady))
		return false;
	d->num = num;
	d->avail_idx = 0;
	d->used_idx = 0;
	vb_wr(d, VIRTIO_MMIO_QueueNum, num);
	vb_wr(d, VIRTIO_MMIO_QueueDescLow, (uint32_t)desc);
	vb_wr(d, VIRTIO_MMIO_QueueDescHigh, (uint32_t)(desc >> 32));
	vb_wr(d, VIRTIO_MMIO_QueueDriverLow, (uint32_t)avail);
	vb_wr(d, VIRTIO_MMIO_QueueDriverHigh, (uint32_t)(avail >> 32));
	vb_wr(d, VIRTIO_MMIO_QueueDeviceLow, (uint32_t)used);
	vb_wr(d, VIRTIO_MMIO_QueueDeviceHigh, (uint32_t)(used >> 32));
	vb_wr(d, VIRTIO_MMIO_QueueReady, 1);
	return vb_rd(d, VIRTIO_MMIO_QueueReady) == 1;
}

void vb_driver_ok(struct vb_dev *d)
{
	set_status(d, VIRTIO_STATUS_DRIVER_OK);
}

const char *vb_init(struct vb_dev *d, uintptr_t base, struct vb_rings *r, uint64_t want)
{
	const char *why = vb_negotiate(d, base, r, want);

	if (why)
		return why;
	/* The driver's side of the rings starts empty; the device's is the
	 * device's to clear (virtq_start() does). */
	r->avail.flags = 0;
	r->avail.idx = 0;
	r->avail.used_event = 0;
	if (vb_rd(d, VIRTIO_MMIO_QueueNumMax) < VB_QSIZE)
		return "QueueNumMax below the driver's queue size";
	if (!vb_queue(d, VB_QSIZE, (uintptr_t)r->desc, (uintptr_t)&r->avail,
		      (uintptr_t)&r->used))
		return "queue 0 refused";
	vb_driver_ok(d);
	if (vb_rd(d, VIRTIO_MMIO_Status) & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		return "the device needs a reset after DRIVER_OK";
	return 0;
}

void vb_publish(struct vb_dev *d, uint16_t head)
{
	volatile struct vb_avail *a = &d->r->avail;

	a->ring[d->avail_idx % d->num] = head;
	barrier(); /* 2.7.13.3.1: the entry before the index */
	a->idx = ++d->avail_idx;
}

void vb_notify(const struct vb_dev *d, uint32_t q)
{
	barrier(); /* 2.7.13.4.1: the index before the notification */
	vb_wr(d, VIRTIO_MMIO_QueueNotify, q);
}

uint16_t vb_used_new(const struct vb_dev *d)
{
	return (uint16_t)(((volatile struct vb_used *)&d->r->used)->idx - d->used_idx);
}

bool vb_kick(struct vb_dev *d, uint16_t head, struct vb_used_elem *elem)
{
	volatile struct vb_used *u = &d->r->used;

	vb_publish(d, head);
	vb_notify(d, 0);
	if (vb_used_new(d) != 1)
		return false;
	barrier(); /* the element after the index (2.7.8.2) */
	elem->id = u->ring[d->used_idx % d->num].id;
	elem->len = u->ring[d->used_idx % d->num].len;
	d->used_idx++;
	/* Ours to acknowledge; nothing waits for it with interrupts masked. */
	vb_wr(d, VIRTIO_MMIO_InterruptACK, vb_rd(d, VIRTIO_MMIO_InterruptStatus));
	return true;
}

void vb_chain3(struct vb_dev *d, uint32_t type, uint64_t sector, uint64_t data,
	       uint32_t len, bool data_writable)
{
	struct vb_rings *r = d->r;

	r->hdr = (struct vb_req_hdr){type, 0, sector};
	r->status = 0xff;
	r->desc[0] = (struct vb_desc){(uintptr_t)&r->hdr, sizeof(r->hdr),
				      VIRTQ_DESC_F_NEXT, 1};
	r->desc[1] = (struct vb_desc){
		data, len, VIRTQ_DESC_F_NEXT | (data_writable ? VIRTQ_DESC_F_WRITE : 0),
		2};
	r->desc[2] = (struct vb_desc){(uintptr_t)&r->status, 1, VIRTQ_DESC_F_WRITE, 0};
}

int vb_rw(struct vb_dev *d, bool write, uint64_t sector, void *buf, uint32_t len)
{
	struct vb_used_elem e;

	vb_chain3(d, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, sector, (uintptr_t)buf,
		  len, !write);
	if (!vb_kick(d, 0, &e) || e.id != 0)
		return -1;
	return ((volatile struct vb_rings *)d->r)->status;
}

bool vb_needs_reset(const struct vb_dev *d)
{
	return vb_rd(d, VIRTIO_MMIO_Status) & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}
