/*
 * The device side of the virtio-mmio transport, version 2 (virtio 1.x,
 * section 4.2 "Virtio Over MMIO"; section numbers here are those of virtio
 * 1.2, cs01): the register frame a VM's driver finds at a "virtio,mmio"
 * node of its device tree, and the status, feature and queue state behind
 * it. A device model (hyp/virtio/blk.c, and those to come) plugs in below
 * through struct virtio_mmio_dev_ops; the rings themselves are
 * hyp/virtio/virtq.h's. Pure logic, host-tested
 * (tests/unit/hyp/virtio/test_mmio_dev.c). No locks: the caller serialises
 * every call for one device, and after each read or write sets the VM's
 * interrupt line to virtio_mmio_irq_level() and logs
 * virtio_mmio_new_fault() if it returns one.
 *
 * The frame (4.2.2, table "MMIO Device Register Layout"): 32-bit registers
 * below 0x100, the device's configuration space from 0x100. What the
 * transport does where the specification leaves a choice:
 *
 * - Access rules (4.2.2.2): a register below 0x100 takes only 32-bit,
 *   4-aligned accesses; the configuration space takes 8, 16 and 32-bit
 *   accesses, naturally aligned, wholly inside the device's config_size
 *   bytes. 64-bit accesses are refused there too: the driver "MUST use
 *   ... 32 bit wide and aligned accesses for 32 and 64 bit wide fields"
 *   (Linux reads a 64-bit field as two 32-bit reads). Every other access
 *   returns false and the hypervisor injects an external abort; a refused
 *   read sets *val to 0. Within the rules, offsets the table does not
 *   name, reads of write-only registers and writes of read-only ones read
 *   as zero and are ignored (QEMU does the same), so only the width of an
 *   access is ever fatal.
 * - MagicValue 0x74726976, Version 2, DeviceID from the ops, VendorID
 *   0x554d4551 ("QEMU" in ASCII, QEMU's own value): the vendor is
 *   informational (Linux's virtio drivers match any vendor), and a guest
 *   image made for QEMU's virt machine then sees the same modalias.
 * - Features (2.2, 6): DeviceFeatures is ops->features with
 *   VIRTIO_F_VERSION_1 (32) added, which version 2 requires (Linux refuses
 *   a version 2 device without it). Setting FEATURES_OK is refused (the
 *   bit reads back clear, 2.2.2 and 3.1.1 step 6) if the driver accepted a
 *   bit not offered, in any word of DriverFeatures, or did not accept
 *   VIRTIO_F_VERSION_1 (section 6.1: a device "MAY fail to operate further
 *   if VIRTIO_F_VERSION_1 is not accepted"). Once FEATURES_OK is set,
 *   DriverFeatures writes are ignored (3.1.1 step 5: no new features
 *   after it), so the negotiated set is fixed until the next reset.
 * - Status (2.1, 4.2.2): writing 0 resets the device: every queue
 *   virtq_reset(), InterruptStatus clear, features and selectors 0, then
 *   ops->reset(). A non-zero write only sets bits (the driver "MUST NOT
 *   clear a device status bit", 2.1.1): clearing is ignored, and so is
 *   DEVICE_NEEDS_RESET (the device's) and any bit the 2.1 list does not
 *   define. FEATURES_OK is kept only as above; DRIVER_OK only once
 *   FEATURES_OK is set (3.1.1: a device is live after negotiation).
 * - Queues (4.2.3.2): QueueNumMax is ops->queue_max for a queue below
 *   ops->num_queues and 0 (not available) above. QueueNum and the three
 *   ring addresses are stored in the selected struct virtq while it is
 *   not ready; written while it is ready (4.2.2.2: the driver MUST NOT)
 *   or for a queue that does not exist, they are ignored. QueueReady = 1
 *   copies the negotiated VIRTIO_F_RING_INDIRECT_DESC and
 *   VIRTIO_F_RING_EVENT_IDX into the queue and calls virtq_start(); a
 *   refusal there (size 0 or above the maximum, a ring outside RAM or
 *   misaligned) leaves QueueReady reading 0 and puts the device in
 *   DEVICE_NEEDS_RESET with the virtq_err kept. So does QueueReady = 1
 *   before FEATURES_OK, when the ring features are not yet known (3.1.1
 *   orders queue setup, step 7, after negotiation). QueueReady = 0 stops
 *   the queue (virtq_reset()) but keeps its size and addresses, which the
 *   driver may not read back anyway.
 * - QueueNotify (4.2.3.3): the value is the queue index
 *   (VIRTIO_F_NOTIFICATION_DATA is not offered). An index >= num_queues,
 *   or a queue that is not ready, puts the device in DEVICE_NEEDS_RESET.
 *   A notification for a ready queue before DRIVER_OK (3.1.1: the driver
 *   MUST NOT send one) is kept and delivered when DRIVER_OK is set, since
 *   the device may not consume buffers before then (2.1.2). While
 *   DEVICE_NEEDS_RESET is set, notifications are dropped.
 * - Interrupts (4.2.2, 4.2.3.4): InterruptStatus bit 0 (used buffer) is
 *   set by virtio_mmio_used() and bit 1 (configuration change) by
 *   virtio_mmio_config_changed() and when the device needs a reset; both
 *   only once DRIVER_OK is set (2.1.2: no used buffer notification before
 *   it; the configuration change is "MUST send" once DRIVER_OK is set, and
 *   a device that needed a reset before DRIVER_OK sends it when DRIVER_OK
 *   is set). InterruptACK clears the bits written; the line is high while
 *   any bit is set.
 * - ConfigGeneration (2.5, 4.2.2): a counter that
 *   virtio_mmio_config_changed() advances; it is not reset.
 * - Not offered, so not implemented: shared memory regions (SHMLen and
 *   SHMBase read as all ones, "a length of -1", for every SHMSel),
 *   VIRTIO_F_RING_RESET (QueueReset reads 0 and ignores writes),
 *   VIRTIO_F_NOTIFICATION_DATA, VIRTIO_F_ACCESS_PLATFORM (the device
 *   reaches guest physical addresses directly), the legacy (version 1)
 *   layout.
 */
#ifndef HYP_VIRTIO_MMIO_DEV_H
#define HYP_VIRTIO_MMIO_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include <hyp/virtio/mmio_regs.h>
#include <hyp/virtio/virtq.h>

/* ---- the device behind the transport ------------------------------------- */

/*
 * What a device model gives the transport. Constant for the device's
 * life; virtio_mmio_init() keeps the pointer.
 */
struct virtio_mmio_dev_ops {
	uint32_t device_id;   /* 5 "Device Types": 2 for a block device */
	uint64_t features;    /* offered (VIRTIO_F_VERSION_1 is added) */
	unsigned num_queues;  /* 1..VIRTIO_MMIO_MAX_QUEUES */
	uint32_t queue_max;   /* QueueNumMax: 1..VIRTQ_MAX_SIZE, a power of 2 */
	uint32_t config_size; /* bytes of configuration space, at most
				 VIRTIO_MMIO_FRAME - VIRTIO_MMIO_Config */
	/* An access to the configuration space: off into it, size 1, 2 or 4,
	 * naturally aligned and inside config_size (the transport checked).
	 * The value is the little-endian bytes at off. false refuses it (an
	 * external abort). config_write may be NULL: nothing is writable,
	 * writes are ignored. */
	bool (*config_read)(void *priv, uint32_t off, unsigned size, uint64_t *val);
	bool (*config_write)(void *priv, uint32_t off, unsigned size, uint64_t val);
	/* An available buffer notification for queue (< num_queues, ready,
	 * the device live: DRIVER_OK and not DEVICE_NEEDS_RESET). The device
	 * takes what it can with virtq_pop() from virtio_mmio_queue(). */
	void (*notify)(void *priv, unsigned queue);
	/* The driver reset the device (Status = 0): forget requests in
	 * flight and device state. The queues are already reset. May be NULL. */
	void (*reset)(void *priv);
};

/* Why a device went into DEVICE_NEEDS_RESET (the first reason since the
 * last reset is kept). */
enum virtio_mmio_why {
	VIRTIO_MMIO_FAULT_NONE = 0,
	VIRTIO_MMIO_FAULT_QUEUE_START,	    /* virtq_start() refused: see qerr */
	VIRTIO_MMIO_FAULT_QUEUE_EARLY,	    /* QueueReady = 1 before FEATURES_OK */
	VIRTIO_MMIO_FAULT_NOTIFY_RANGE,	    /* QueueNotify: index >= num_queues */
	VIRTIO_MMIO_FAULT_NOTIFY_NOT_READY, /* QueueNotify: queue not ready */
	VIRTIO_MMIO_FAULT_DEVICE,	    /* the device: virtio_mmio_needs_reset() */
};

struct virtio_mmio_fault {
	enum virtio_mmio_why why;
	enum virtq_err qerr; /* VIRTIO_MMIO_FAULT_QUEUE_START: virtq_start()'s */
	uint32_t queue;	     /* the queue index the driver gave */
	bool reported;	     /* virtio_mmio_new_fault() returned it */
};

/* Only virtio_mmio_*() write the fields; the device reads driver_features
 * and the queues through virtio_mmio_queue(). */
struct virtio_mmio_dev {
	const struct virtio_mmio_dev_ops *ops;
	void *priv;
	const struct guest_ram *ram;
	uint32_t status;	  /* device status (2.1) */
	uint32_t int_status;	  /* InterruptStatus */
	uint32_t config_gen;	  /* ConfigGeneration */
	uint32_t dev_feat_sel;	  /* DeviceFeaturesSel */
	uint32_t drv_feat_sel;	  /* DriverFeaturesSel */
	uint64_t driver_features; /* DriverFeatures words 0 and 1 */
	bool drv_feat_beyond;	  /* a non-zero word 2 or above was written */
	uint32_t queue_sel;	  /* QueueSel, as written */
	uint32_t notify_pending;  /* queues notified before DRIVER_OK, a bit each */
	struct virtio_mmio_fault fault;
	struct virtq queues[VIRTIO_MMIO_MAX_QUEUES];
};

/*
 * A device in its reset state, its queues reset, on ops (kept, with priv)
 * and the VM's RAM (kept). ops->reset is not called. false (and d not
 * usable) if ops is not valid: num_queues 0 or above
 * VIRTIO_MMIO_MAX_QUEUES, queue_max 0, above VIRTQ_MAX_SIZE or not a
 * power of 2, config_size above the frame, no config_read or no notify.
 */
bool virtio_mmio_init(struct virtio_mmio_dev *d, const struct virtio_mmio_dev_ops *ops,
		      void *priv, const struct guest_ram *ram);

/* A trapped guest access: off into the frame, size in bytes. false: an
 * access the frame does not take (see above); a refused read sets *val
 * to 0. A write may call ops->notify or ops->reset (and virtq_start()). */
bool virtio_mmio_read(struct virtio_mmio_dev *d, uint64_t off, unsigned size,
		      uint64_t *val);
bool virtio_mmio_write(struct virtio_mmio_dev *d, uint64_t off, unsigned size,
		       uint64_t val);

/* The interrupt line: any InterruptStatus bit set (4.2.3.4). Inline, as
 * virtio_mmio_new_fault(): both are asked after every access. */
static inline bool virtio_mmio_irq_level(const struct virtio_mmio_dev *d)
{
	return d->int_status != 0;
}

/* Whether the device may process buffers: DRIVER_OK and not
 * DEVICE_NEEDS_RESET. */
bool virtio_mmio_live(const struct virtio_mmio_dev *d);

/* Queue i if it is ready and the device live, else NULL. */
struct virtq *virtio_mmio_queue(struct virtio_mmio_dev *d, unsigned i);

/* The device used buffers and virtq_should_interrupt() said so: sets
 * InterruptStatus bit 0 (once DRIVER_OK is set). */
void virtio_mmio_used(struct virtio_mmio_dev *d);

/* The device changed its configuration space: ConfigGeneration advances
 * and InterruptStatus bit 1 is set (once DRIVER_OK is set). */
void virtio_mmio_config_changed(struct virtio_mmio_dev *d);

/* The device met an error it cannot recover from (a ring virtq_pop()
 * refused, say; the device logs its own reason): DEVICE_NEEDS_RESET, and
 * the configuration change interrupt if DRIVER_OK is set (2.1.2). Nothing
 * more happens on the queues until the driver resets the device. */
void virtio_mmio_needs_reset(struct virtio_mmio_dev *d);

/* The reason the device needs a reset, the first time it is asked after
 * the fault (so one log line says it); NULL otherwise. */
static inline const struct virtio_mmio_fault *
virtio_mmio_new_fault(struct virtio_mmio_dev *d)
{
	if (d->fault.why == VIRTIO_MMIO_FAULT_NONE || d->fault.reported)
		return NULL;
	d->fault.reported = true;
	return &d->fault;
}

/* A short description of a fault reason, for that line. */
const char *virtio_mmio_strfault(enum virtio_mmio_why why);

#endif
