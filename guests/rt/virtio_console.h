/*
 * The test guests' virtio console driver: the smallest driver of the VM's
 * virtio console (virtio 1.2, section 5.3; hyp/vdev/vconsole.c) behind
 * its virtio-mmio transport (section 4.2), with both queues (receiveq 0,
 * transmitq 1) of VC_QSIZE entries on split rings (section 2.7), for
 * guests/vconsole.c and guests/bench.c. As the block driver
 * (virtio_blk.h), it relies on the device serving a chain within the
 * trapped QueueNotify write: the used ring has moved when the write
 * returns. Each chain is one buffer, descriptor 0 of its queue.
 */
#ifndef GUEST_VIRTIO_CONSOLE_H
#define GUEST_VIRTIO_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio_blk.h"

/* Slot 4 (VCONSOLE_SLOT) of the VM's virtio-mmio transports. */
#define VC_BASE 0x0a000800ul
#define VC_QSIZE VB_QSIZE
#define VC_RX 0u
#define VC_TX 1u

struct vc_dev {
	uintptr_t base;
	struct vb_rings *r; /* r[VC_RX], r[VC_TX] */
	uint16_t avail_idx[2], used_seen[2];
};

/* 3.1.1: reset, ACKNOWLEDGE, DRIVER, VIRTIO_F_VERSION_1 alone (checking
 * that none of the console's features is offered, 5.3.3), FEATURES_OK,
 * both queues on r[0..1], DRIVER_OK. NULL, or what went wrong. */
const char *vc_init(struct vc_dev *d, uintptr_t base, struct vb_rings r[2]);
/* Buffer [buf, buf + len) as descriptor 0 of queue q, device-writable or
 * not, made available (2.7.13), without a notification. */
void vc_publish(struct vc_dev *d, unsigned q, uintptr_t buf, uint32_t len, bool writable);
/* QueueNotify with q (4.2.3.3). */
void vc_notify(const struct vc_dev *d, unsigned q);
/* Used elements of q not taken yet. */
uint16_t vc_used_new(const struct vc_dev *d, unsigned q);
/* Takes the next used element of q (after vc_used_new() said there is
 * one), acknowledges the interrupt: its length. */
uint32_t vc_take_used(struct vc_dev *d, unsigned q);

#endif
