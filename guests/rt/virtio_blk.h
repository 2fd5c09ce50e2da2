/*
 * The test guests' virtio block driver: the smallest driver of a virtio
 * block device (virtio 1.2, section 5.2) behind a virtio-mmio transport,
 * version 2 (section 4.2), with one split virtqueue (section 2.7), for the
 * guests that exercise the VMs' disks (guests/virtio_hostile.c,
 * guests/virtio_reader.c).
 *
 * It relies on what the hypervisor's device promises (docs/VIRTIO.md): a
 * request is served within the trapped QueueNotify write that announces
 * it, so the used ring has moved by the time the write returns, and no
 * interrupt is needed. The rings and the request's header and status live
 * in the caller's struct vb_rings, so guests that do not use the driver
 * carry no memory for them, and a hostile guest can rewrite every field of
 * them between calls. The guests run with the MMU off, where every access
 * is to Device memory and an unaligned one faults: every structure here is
 * naturally aligned, as section 2.7 wants of the rings anyway.
 */
#ifndef GUEST_VIRTIO_BLK_H
#define GUEST_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include <hyp/virtio/blk_proto.h>
#include <hyp/virtio/mmio_regs.h>
#include <hyp/virtio/virtq.h>

/* The queue size the driver sets: small, so that a chain through every
 * descriptor of the table is short to build. */
#define VB_QSIZE 8u

/* The split ring's parts (2.7.5, 2.7.6, 2.7.8), little-endian like the
 * guest. */
struct vb_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct vb_avail {
	uint16_t flags, idx;
	uint16_t ring[VB_QSIZE];
	uint16_t used_event;
};

struct vb_used_elem {
	uint32_t id, len;
};

struct vb_used {
	uint16_t flags, idx;
	struct vb_used_elem ring[VB_QSIZE];
	uint16_t avail_event;
};

/* A request's header (5.2.6). */
struct vb_req_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

/* Everything the device reads or writes besides the data. The table is
 * aligned to 16, the available ring to 2 and the used ring to 4 (2.7). */
struct vb_rings {
	struct vb_desc desc[VB_QSIZE] __attribute__((aligned(16)));
	struct vb_avail avail __attribute__((aligned(16)));
	struct vb_used used __attribute__((aligned(16)));
	struct vb_req_hdr hdr __attribute__((aligned(16)));
	uint8_t status;
};

struct vb_dev {
	uintptr_t base; /* the transport's registers */
	struct vb_rings *r;
	uint32_t num;	    /* the queue size set */
	uint64_t features;  /* what the driver accepted */
	uint64_t capacity;  /* in 512-byte sectors, from the configuration */
	uint16_t avail_idx; /* the driver's available index */
	uint16_t used_idx;  /* used entries taken so far */
};

uint32_t vb_rd(const struct vb_dev *d, uint32_t off);
void vb_wr(const struct vb_dev *d, uint32_t off, uint32_t val);

/*
 * The first steps of 3.1.1: reset (Status 0, which must read back 0),
 * ACKNOWLEDGE, DRIVER, the features (VIRTIO_F_VERSION_1 and those of want
 * the device offers), FEATURES_OK read back; and the capacity. NULL, or
 * what went wrong.
 */
const char *vb_negotiate(struct vb_dev *d, uintptr_t base, struct vb_rings *r,
			 uint64_t want);
/* Queue 0 (4.2.3.2): num entries at the three given guest physical
 * addresses, QueueReady = 1; whether QueueReady reads back 1. The driver's
 * indexes restart at 0. */
bool vb_queue(struct vb_dev *d, uint32_t num, uint64_t desc, uint64_t avail,
	      uint64_t used);
/* DRIVER_OK: the device is live. */
void vb_driver_ok(struct vb_dev *d);
/* All of it, the queue on d->r's rings with VB_QSIZE entries: NULL, or
 * what went wrong. */
const char *vb_init(struct vb_dev *d, uintptr_t base, struct vb_rings *r, uint64_t want);

/* Puts head in the available ring and moves its index (2.7.13), without
 * a notification. */
void vb_publish(struct vb_dev *d, uint16_t head);
/* QueueNotify with queue index q (4.2.3.3). */
void vb_notify(const struct vb_dev *d, uint32_t q);
/* Publishes head and notifies queue 0; true if the device then used
 * exactly one more chain, whose element is put in *elem. */
bool vb_kick(struct vb_dev *d, uint16_t head, struct vb_used_elem *elem);
/* The used entries the device has added that the driver has not taken. */
uint16_t vb_used_new(const struct vb_dev *d);

/* Descriptors 0 to 2 as a plain request: the header (type, sector), len
 * bytes of data at guest address data (device-writable for a read), the
 * status byte (set to 0xff, a value the device never writes). */
void vb_chain3(struct vb_dev *d, uint32_t type, uint64_t sector, uint64_t data,
	       uint32_t len, bool data_writable);
/* One read or write of len bytes at buf from sector, as vb_chain3() makes
 * it: its status (VIRTIO_BLK_S_*), or -1 if the device did not use it. */
int vb_rw(struct vb_dev *d, bool write, uint64_t sector, void *buf, uint32_t len);

/* Status has DEVICE_NEEDS_RESET (2.1.2). */
bool vb_needs_reset(const struct vb_dev *d);

#endif
