/*
 * The test guests' virtio console driver (virtio_console.h). Section
 * numbers are those of virtio 1.2.
 */
#include <arch/mmio.h>

#include <hyp/virtio/console.h>

#include "virtio_console.h"

/* The MMU is off: Device accesses, already in order; the barriers say
 * what the protocol needs (2.7.13.3.1, 2.7.13.4). */
static void barrier(void)
{
	__asm__ volatile("dmb sy" ::: "memory");
}

static uint32_t rd(const struct vc_dev *d, uint32_t off)
{
	return mmio_read32(d->base + off);
}

static void wr(const struct vc_dev *d, uint32_t off, uint32_t v)
{
	mmio_write32(d->base + off, v);
}

const char *vc_init(struct vc_dev *d, uintptr_t base, struct vb_rings r[2])
{
	uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	*d = (struct vc_dev){.base = base, .r = r};
	if (rd(d, VIRTIO_MMIO_MagicValue) != VIRTIO_MMIO_MAGIC ||
	    rd(d, VIRTIO_MMIO_Version) != VIRTIO_MMIO_VERSION ||
	    rd(d, VIRTIO_MMIO_DeviceID) != VIRTIO_ID_CONSOLE)
		return "no virtio-mmio v2 console device";
	wr(d, VIRTIO_MMIO_Status, 0);
	wr(d, VIRTIO_MMIO_Status, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(d, VIRTIO_MMIO_Status, st);
	wr(d, VIRTIO_MMIO_DeviceFeaturesSel, 0);
	if (rd(d, VIRTIO_MMIO_DeviceFeatures) &
	    (1u << VIRTIO_CONSOLE_F_SIZE | 1u << VIRTIO_CONSOLE_F_MULTIPORT |
	     1u << VIRTIO_CONSOLE_F_EMERG_WRITE))
		return "console features offered";
	wr(d, VIRTIO_MMIO_DriverFeaturesSel, 0);
	wr(d, VIRTIO_MMIO_DriverFeatures, 0);
	wr(d, VIRTIO_MMIO_DriverFeaturesSel, 1);
	wr(d, VIRTIO_MMIO_DriverFeatures, 1); /* VIRTIO_F_VERSION_1 */
	st |= VIRTIO_STATUS_FEATURES_OK;
	wr(d, VIRTIO_MMIO_Status, st);
	if (!(rd(d, VIRTIO_MMIO_Status) & VIRTIO_STATUS_FEATURES_OK))
		return "FEATURES_OK refused";
	for (unsigned q = 0; q < 2; q++) {
		struct vb_rings *rq = &r[q];

		rq->avail.flags = 0;
		rq->avail.idx = 0;
		wr(d, VIRTIO_MMIO_QueueSel, q);
		if (rd(d, VIRTIO_MMIO_QueueNumMax) < VC_QSIZE)
			return "queue smaller than the driver's";
		wr(d, VIRTIO_MMIO_QueueNum, VC_QSIZE);
		wr(d, VIRTIO_MMIO_QueueDescLow, (uint32_t)(uintptr_t)rq->desc);
		wr(d, VIRTIO_MMIO_QueueDescHigh,
		   (uint32_t)((uint64_t)(uintptr_t)rq->desc >> 32));
		wr(d, VIRTIO_MMIO_QueueDriverLow, (uint32_t)(uintptr_t)&rq->avail);
		wr(d, VIRTIO_MMIO_QueueDriverHigh,
		   (uint32_t)((uint64_t)(uintptr_t)&rq->avail >> 32));
		wr(d, VIRTIO_MMIO_QueueDeviceLow, (uint32_t)(uintptr_t)&rq->used);
		wr(d, VIRTIO_MMIO_QueueDeviceHigh,
		   (uint32_t)((uint64_t)(uintptr_t)&rq->used >> 32));
		wr(d, VIRTIO_MMIO_QueueReady, 1);
		if (rd(d, VIRTIO_MMIO_QueueReady) != 1)
			return "queue refused";
	}
	wr(d, VIRTIO_MMIO_Status, st | VIRTIO_STATUS_DRIVER_OK);
	if (rd(d, VIRTIO_MMIO_Status) & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		return "the device needs a reset after DRIVER_OK";
	return 0;
}

void vc_publish(struct vc_dev *d, unsigned q, uintptr_t buf, uint32_t len, bool writable)
{
	volatile struct vb_rings *r = &d->r[q];

	r->desc[0] = (struct vb_desc){buf, len, writable ? VIRTQ_DESC_F_WRITE : 0, 0};
	r->avail.ring[d->avail_idx[q] % VC_QSIZE] = 0;
	barrier(); /* 2.7.13.3.1: the entry before the index */
	r->avail.idx = ++d->avail_idx[q];
}

void vc_notify(const struct vc_dev *d, unsigned q)
{
	barrier(); /* 2.7.13.4.1: the index before the notification */
	wr(d, VIRTIO_MMIO_QueueNotify, q);
}

uint16_t vc_used_new(const struct vc_dev *d, unsigned q)
{
	return (uint16_t)(((volatile struct vb_used *)&d->r[q].used)->idx -
			  d->used_seen[q]);
}

uint32_t vc_take_used(struct vc_dev *d, unsigned q)
{
	volatile struct vb_used *u = &d->r[q].used;
	uint32_t len;

	barrier(); /* the element after the index (2.7.8.2) */
	len = u->ring[d->used_seen[q] % VC_QSIZE].len;
	d->used_seen[q]++;
	wr(d, VIRTIO_MMIO_InterruptACK, rd(d, VIRTIO_MMIO_InterruptStatus));
	return len;
}
