/*
 * The driver side of a virtio split virtqueue (virtio 1.2, section 2.7),
 * for the machine's devices the hypervisor drives itself
 * (hyp/drivers/virtio_disk.c); hyp/virtio/virtq.h is the other side, for
 * the devices it emulates. Pure logic on memory the caller gives, so it
 * is host-tested (tests/unit/hyp/drivers/test_virtq_drv.c) with the test
 * playing the device.
 *
 * One chain at a time: the drivers here are synchronous, so a chain always
 * starts at descriptor 0 and the next is added only once the device has
 * returned the last (virtq_drv_take()). That keeps the free-descriptor
 * bookkeeping of section 2.7.13.1 out, and makes every used entry
 * checkable: exactly one, naming descriptor 0.
 *
 * Layout: one physically contiguous block in the legacy arrangement
 * (section 2.7.2): descriptor table, available ring, padding to `align`,
 * used ring. It satisfies the alignments a virtio 1.x transport asks
 * (16, 2 and 4: section 2.7) as well as a legacy one (the used ring on an
 * `align` boundary, 4.2.4's QueueAlign), so one layout serves both.
 *
 * Byte order: ring fields are little-endian for virtio 1.x and the
 * driver's native order for legacy devices (section 2.7.3). The
 * hypervisor runs little-endian (SCTLR_EL2.EE = 0), as do the host tests,
 * so both are the CPU's own order and fields are stored as they are.
 *
 * Barriers are the caller's, between the steps (section 2.7.13): after
 * virtq_drv_add() and before virtq_drv_publish(), a write barrier so the
 * device sees the descriptors and ring entry before the index; after
 * virtq_drv_publish(), a full barrier before virtq_drv_needs_notify() and
 * the notification. virtq_drv_used_pending() reads the used index with
 * acquire semantics; the caller adds what its device needs beyond that.
 */
#ifndef HYP_DRIVERS_VIRTQ_DRV_H
#define HYP_DRIVERS_VIRTQ_DRV_H

#include <stdbool.h>
#include <stdint.h>

#include <hyp/virtio/virtq.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "virtq_drv stores ring fields in the CPU's order, which must be little-endian"
#endif

/* The rings' entries (sections 2.7.5, 2.7.6, 2.7.8). */
struct virtq_drv_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_drv_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtq_drv_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_drv_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_drv_used_elem ring[];
};

/* Offsets in the block, and its size (a whole number of `align`). */
struct virtq_drv_layout {
	uint64_t desc, avail, used, size;
};

/* A piece of a chain: physical address, length, and whether the device
 * writes it (VIRTQ_DESC_F_WRITE) or reads it. */
struct virtq_drv_buf {
	uint64_t pa;
	uint32_t len;
	bool writable;
};

struct virtq_drv {
	unsigned num; /* queue size: a power of two, 1..VIRTQ_MAX_SIZE */
	volatile struct virtq_drv_desc *desc;
	volatile struct virtq_drv_avail *avail;
	volatile struct virtq_drv_used *used;
	uint64_t pa; /* of the block: desc_pa; avail and used follow the layout */
	struct virtq_drv_layout layout;
	uint16_t avail_idx; /* the next available index to publish (ours) */
	uint16_t last_used; /* used entries taken so far */
	bool busy;	    /* a chain is with the device */
};

enum virtq_drv_err {
	VIRTQ_DRV_OK = 0,
	VIRTQ_DRV_E_SIZE,     /* queue size 0, not a power of two, or above 32768 */
	VIRTQ_DRV_E_ALIGN,    /* alignment not a power of two, or below 4 */
	VIRTQ_DRV_E_BUSY,     /* a chain is already with the device */
	VIRTQ_DRV_E_CHAIN,    /* no buffers, more than the queue size */
	VIRTQ_DRV_E_BUF,      /* an empty buffer, or one that wraps the address space */
	VIRTQ_DRV_E_ORDER,    /* a device-readable buffer after a writable one */
	VIRTQ_DRV_E_TOTAL,    /* the chain's bytes reach 2^32 (section 2.7.5.2) */
	VIRTQ_DRV_E_IDLE,     /* virtq_drv_take() with no chain out, or nothing used */
	VIRTQ_DRV_E_USED_IDX, /* the device's used index moved by more than one */
	VIRTQ_DRV_E_USED_ID,  /* the used entry names a descriptor we did not send */
};

/* The block for a queue of num entries with the used ring aligned to
 * align (4096 for legacy: section 2.7.2's formula). */
enum virtq_drv_err virtq_drv_layout(unsigned num, uint64_t align,
				    struct virtq_drv_layout *l);

/* Sets q up on mem (layout.size bytes at physical address pa, both
 * aligned to align), which it zeroes (sections 2.7.10: used flags 0, and
 * 4.2.3.2 / 4.2.4: zeroed queue memory). The available ring's flags ask
 * for no used-buffer interrupts (section 2.7.7) until
 * virtq_drv_want_interrupts(). */
enum virtq_drv_err virtq_drv_init(struct virtq_drv *q, void *mem, uint64_t pa,
				  unsigned num, uint64_t align);

/* Whether the device is to interrupt when it uses a chain: the available
 * ring's flags (section 2.7.7; no VIRTIO_F_EVENT_IDX here), cleared for
 * yes. virtq_drv_init() leaves them asking for none. */
void virtq_drv_want_interrupts(struct virtq_drv *q, bool want);

/* The physical addresses the transport is told (QueueDesc/Driver/Device). */
static inline uint64_t virtq_drv_desc_pa(const struct virtq_drv *q)
{
	return q->pa + q->layout.desc;
}

static inline uint64_t virtq_drv_avail_pa(const struct virtq_drv *q)
{
	return q->pa + q->layout.avail;
}

static inline uint64_t virtq_drv_used_pa(const struct virtq_drv *q)
{
	return q->pa + q->layout.used;
}

/* Writes the n buffers as one chain from descriptor 0 and puts it in the
 * next available ring slot, not yet published. Checks the chain first
 * (section 2.7.4.2: readable before writable; 2.7.5.2: under 2^32 bytes)
 * and writes nothing when it is refused. */
enum virtq_drv_err virtq_drv_add(struct virtq_drv *q, const struct virtq_drv_buf *b,
				 unsigned n);

/* Makes the added chain visible: the available index moves on by one. */
void virtq_drv_publish(struct virtq_drv *q);

/* False when the device asked not to be notified (used ring flags,
 * section 2.7.10; no VIRTIO_F_EVENT_IDX). */
bool virtq_drv_needs_notify(const struct virtq_drv *q);

/* True when the device has put something in the used ring (acquire load). */
bool virtq_drv_used_pending(const struct virtq_drv *q);

/* Takes the used entry of the chain out: checks the device moved its
 * index by exactly one and named descriptor 0, gives the entry's len
 * (bytes the device wrote) in *len. The queue is free again after any
 * result but VIRTQ_DRV_E_IDLE; after a USED_* error the device is broken
 * and should be reset. */
enum virtq_drv_err virtq_drv_take(struct virtq_drv *q, uint32_t *len);

const char *virtq_drv_strerror(enum virtq_drv_err err);

#endif
