/*
 * The virtio-mmio transport, version 2 (hyp/virtio/mmio_dev.h says what it
 * does where virtio 1.2 section 4.2 leaves a choice). Every value the
 * driver writes is kept as written and checked where it is used: QueueSel
 * against num_queues before it indexes queues[], a QueueNotify value
 * before it names a queue, the feature selectors before they pick a word.
 */
#include <stddef.h>

#include <hyp/virtio/mmio_dev.h>

/* The bits a driver may set in Status (2.1): all it defines but
 * DEVICE_NEEDS_RESET, which is the device's. */
#define STATUS_DRIVER_BITS                                                            \
	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK | \
	 VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_FAILED)
#define INT_BITS (VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG)
#define F_VERSION_1 (1ull << VIRTIO_F_VERSION_1)
#define F_INDIRECT (1ull << VIRTIO_F_RING_INDIRECT_DESC)
#define F_EVENT_IDX (1ull << VIRTIO_F_RING_EVENT_IDX)

static uint64_t offered(const struct virtio_mmio_dev *d)
{
	return d->ops->features | F_VERSION_1;
}

/* The selected queue, or NULL if QueueSel names none. */
static struct virtq *selected(struct virtio_mmio_dev *d)
{
	if (d->queue_sel >= d->ops->num_queues)
		return NULL;
	return &d->queues[d->queue_sel];
}

/* What a reset leaves (4.2.2.1: InterruptStatus and every QueueReady
 * clear; 2.4.1: status 0). ConfigGeneration keeps counting, so a driver
 * that straddles a reset still sees a change. */
static void reset_state(struct virtio_mmio_dev *d)
{
	d->status = 0;
	d->int_status = 0;
	d->dev_feat_sel = 0;
	d->drv_feat_sel = 0;
	d->driver_features = 0;
	d->drv_feat_beyond = false;
	d->queue_sel = 0;
	d->notify_pending = 0;
	d->fault = (struct virtio_mmio_fault){VIRTIO_MMIO_FAULT_NONE, VIRTQ_OK, 0, false};
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		virtq_reset(&d->queues[i]);
}

bool virtio_mmio_init(struct virtio_mmio_dev *d, const struct virtio_mmio_dev_ops *ops,
		      void *priv, const struct guest_ram *ram)
{
	if (!ops || !ops->num_queues || ops->num_queues > VIRTIO_MMIO_MAX_QUEUES ||
	    !ops->queue_max || ops->queue_max > VIRTQ_MAX_SIZE ||
	    (ops->queue_max & (ops->queue_max - 1)) ||
	    ops->config_size > VIRTIO_MMIO_FRAME - VIRTIO_MMIO_Config ||
	    !ops->config_read || !ops->notify)
		return false;
	d->ops = ops;
	d->priv = priv;
	d->ram = ram;
	d->config_gen = 0;
	reset_state(d);
	return true;
}

/* DEVICE_NEEDS_RESET with its reason (the first since the reset is
 * kept), and the configuration change interrupt if the driver is there
 * to take it (2.1.2). */
static void fail(struct virtio_mmio_dev *d, enum virtio_mmio_why why, enum virtq_err qerr,
		 uint32_t queue)
{
	if (d->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		return;
	d->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	d->fault = (struct virtio_mmio_fault){why, qerr, queue, false};
	if (d->status & VIRTIO_STATUS_DRIVER_OK)
		d->int_status |= VIRTIO_MMIO_INT_CONFIG;
}

bool virtio_mmio_live(const struct virtio_mmio_dev *d)
{
	return (d->status &
		(VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_DEVICE_NEEDS_RESET)) ==
	       VIRTIO_STATUS_DRIVER_OK;
}

struct virtq *virtio_mmio_queue(struct virtio_mmio_dev *d, unsigned i)
{
	if (i >= d->ops->num_queues || !d->queues[i].ready || !virtio_mmio_live(d))
		return NULL;
	return &d->queues[i];
}

void virtio_mmio_used(struct virtio_mmio_dev *d)
{
	if (d->status & VIRTIO_STATUS_DRIVER_OK)
		d->int_status |= VIRTIO_MMIO_INT_VRING;
}

void virtio_mmio_config_changed(struct virtio_mmio_dev *d)
{
	d->config_gen++;
	if (d->status & VIRTIO_STATUS_DRIVER_OK)
		d->int_status |= VIRTIO_MMIO_INT_CONFIG;
}

void virtio_mmio_needs_reset(struct virtio_mmio_dev *d)
{
	fail(d, VIRTIO_MMIO_FAULT_DEVICE, VIRTQ_OK, 0);
}

const char *virtio_mmio_strfault(enum virtio_mmio_why why)
{
	switch (why) {
	case VIRTIO_MMIO_FAULT_NONE:
		return "no fault";
	case VIRTIO_MMIO_FAULT_QUEUE_START:
		return "queue refused at QueueReady";
	case VIRTIO_MMIO_FAULT_QUEUE_EARLY:
		return "QueueReady before FEATURES_OK";
	case VIRTIO_MMIO_FAULT_NOTIFY_RANGE:
		return "QueueNotify for a queue the device does not have";
	case VIRTIO_MMIO_FAULT_NOTIFY_NOT_READY:
		return "QueueNotify for a queue not ready";
	case VIRTIO_MMIO_FAULT_DEVICE:
		return "device error";
	}
	return "unknown fault";
}

/* ---- reads ---------------------------------------------------------------- */

static uint32_t reg_read(struct virtio_mmio_dev *d, uint32_t off)
{
	const struct virtq *q = selected(d);

	switch (off) {
	case VIRTIO_MMIO_MagicValue:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_Version:
		return VIRTIO_MMIO_VERSION;
	case VIRTIO_MMIO_DeviceID:
		return d->ops->device_id;
	case VIRTIO_MMIO_VendorID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DeviceFeatures:
		/* Words 2 and above: nothing offered there. */
		if (d->dev_feat_sel > 1)
			return 0;
		return (uint32_t)(offered(d) >> (32 * d->dev_feat_sel));
	case VIRTIO_MMIO_QueueNumMax:
		return q ? d->ops->queue_max : 0;
	case VIRTIO_MMIO_QueueReady:
		return q && q->ready;
	case VIRTIO_MMIO_InterruptStatus:
		return d->int_status;
	case VIRTIO_MMIO_Status:
		return d->status;
	case VIRTIO_MMIO_SHMLenLow:
	case VIRTIO_MMIO_SHMLenHigh:
	case VIRTIO_MMIO_SHMBaseLow:
	case VIRTIO_MMIO_SHMBaseHigh:
		/* No region has an ID: length -1, base all ones (4.2.2). */
		return 0xffffffffu;
	case VIRTIO_MMIO_ConfigGeneration:
		return d->config_gen;
	default:
		/* Write-only registers, QueueReset (VIRTIO_F_RING_RESET is
		 * not offered) and offsets the table does not name. */
		return 0;
	}
}

/* [off, off + size) a naturally aligned 1, 2 or 4-byte access inside the
 * configuration space (4.2.2.2); off is already below the frame's end. */
static bool config_access_ok(const struct virtio_mmio_dev *d, uint32_t off, unsigned size)
{
	if (size != 1 && size != 2 && size != 4)
		return false;
	if (off % size)
		return false;
	return off <= d->ops->config_size && size <= d->ops->config_size - off;
}

bool virtio_mmio_read(struct virtio_mmio_dev *d, uint64_t off, unsigned size,
		      uint64_t *val)
{
	*val = 0;
	if (off >= VIRTIO_MMIO_FRAME)
		return false;
	if (off >= VIRTIO_MMIO_Config) {
		uint32_t cfg = (uint32_t)off - VIRTIO_MMIO_Config;

		if (!config_access_ok(d, cfg, size))
			return false;
		if (!d->ops->config_read(d->priv, cfg, size, val)) {
			*val = 0;
			return false;
		}
		/* Only the access's bytes, whatever the device left above. */
		*val &= (1ull << (8 * size)) - 1;
		return true;
	}
	if (size != 4 || off % 4)
		return false;
	*val = reg_read(d, (uint32_t)off);
	return true;
}

/* ---- writes --------------------------------------------------------------- */

static void write_driver_features(struct virtio_mmio_dev *d, uint32_t val)
{
	/* 3.1.1 step 5: nothing new once FEATURES_OK is set. */
	if (d->status & VIRTIO_STATUS_FEATURES_OK)
		return;
	switch (d->drv_feat_sel) {
	case 0:
		d->driver_features = (d->driver_features & ~0xffffffffull) | val;
		break;
	case 1:
		d->driver_features = (uint32_t)d->driver_features | (uint64_t)val << 32;
		break;
	default:
		/* Nothing is offered above bit 63: any bit there is a feature
		 * not offered, and FEATURES_OK will be refused. */
		if (val)
			d->drv_feat_beyond = true;
		break;
	}
}

/* 2.2.2: FEATURES_OK only for a valid subset of what was offered, and
 * VIRTIO_F_VERSION_1 among it (6.1). */
static bool features_acceptable(const struct virtio_mmio_dev *d)
{
	return !d->drv_feat_beyond && !(d->driver_features & ~offered(d)) &&
	       (d->driver_features & F_VERSION_1);
}

static void deliver_pending(struct virtio_mmio_dev *d)
{
	uint32_t pending = d->notify_pending;

	d->notify_pending = 0;
	for (unsigned i = 0; i < d->ops->num_queues; i++)
		if ((pending & (1u << i)) && d->queues[i].ready && virtio_mmio_live(d))
			d->ops->notify(d->priv, i);
}

static void write_status(struct virtio_mmio_dev *d, uint32_t val)
{
	uint32_t set = val & STATUS_DRIVER_BITS & ~d->status;

	if (!val) {
		reset_state(d);
		if (d->ops->reset)
			d->ops->reset(d->priv);
		return;
	}
	if ((set & VIRTIO_STATUS_FEATURES_OK) && !features_acceptable(d))
		set &= ~VIRTIO_STATUS_FEATURES_OK;
	d->status |= set & ~VIRTIO_STATUS_DRIVER_OK;
	if (!(set & VIRTIO_STATUS_DRIVER_OK) || !(d->status & VIRTIO_STATUS_FEATURES_OK))
		return;
	d->status |= VIRTIO_STATUS_DRIVER_OK;
	/* A reset needed before the driver was there to hear it (a queue
	 * refused at QueueReady): tell it now (2.1.2). */
	if (d->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		d->int_status |= VIRTIO_MMIO_INT_CONFIG;
	deliver_pending(d);
}

static void queue_ready(struct virtio_mmio_dev *d, struct virtq *q, uint32_t val)
{
	enum virtq_err err;

	if (!val) {
		/* Stop the queue; what the driver configured stays. */
		uint32_t num = q->num;
		uint64_t desc = q->desc_ipa, avail = q->avail_ipa, used = q->used_ipa;

		virtq_reset(q);
		q->num = num;
		q->desc_ipa = desc;
		q->avail_ipa = avail;
		q->used_ipa = used;
		d->notify_pending &= ~(1u << d->queue_sel);
		return;
	}
	if (q->ready)
		return;
	if (!(d->status & VIRTIO_STATUS_FEATURES_OK)) {
		fail(d, VIRTIO_MMIO_FAULT_QUEUE_EARLY, VIRTQ_OK, d->queue_sel);
		return;
	}
	q->indirect = d->driver_features & F_INDIRECT;
	q->event_idx = d->driver_features & F_EVENT_IDX;
	err = virtq_start(q, d->ram, d->ops->queue_max);
	if (err) {
		q->ready = false; /* virtq_start() promises it; be sure */
		fail(d, VIRTIO_MMIO_FAULT_QUEUE_START, err, d->queue_sel);
	}
}

/* One half of a ring address, for a queue that is not ready. */
static void set_half(uint64_t *addr, bool high, uint32_t val)
{
	if (high)
		*addr = (*addr & 0xffffffffull) | (uint64_t)val << 32;
	else
		*addr = (*addr & ~0xffffffffull) | val;
}

static void queue_notify(struct virtio_mmio_dev *d, uint32_t index)
{
	if (d->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		return;
	if (index >= d->ops->num_queues) {
		fail(d, VIRTIO_MMIO_FAULT_NOTIFY_RANGE, VIRTQ_OK, index);
		return;
	}
	if (!d->queues[index].ready) {
		fail(d, VIRTIO_MMIO_FAULT_NOTIFY_NOT_READY, VIRTQ_OK, index);
		return;
	}
	if (!(d->status & VIRTIO_STATUS_DRIVER_OK)) {
		d->notify_pending |= 1u << index;
		return;
	}
	d->ops->notify(d->priv, index);
}

static void reg_write(struct virtio_mmio_dev *d, uint32_t off, uint32_t val)
{
	struct virtq *q = selected(d);

	switch (off) {
	case VIRTIO_MMIO_DeviceFeaturesSel:
		d->dev_feat_sel = val;
		return;
	case VIRTIO_MMIO_DriverFeatures:
		write_driver_features(d, val);
		return;
	case VIRTIO_MMIO_DriverFeaturesSel:
		d->drv_feat_sel = val;
		return;
	case VIRTIO_MMIO_QueueSel:
		d->queue_sel = val;
		return;
	case VIRTIO_MMIO_QueueNotify:
		queue_notify(d, val);
		return;
	case VIRTIO_MMIO_InterruptACK:
		d->int_status &= ~(val & INT_BITS);
		return;
	case VIRTIO_MMIO_Status:
		write_status(d, val);
		return;
	default:
		break;
	}
	/* The selected queue's registers. A queue that does not exist takes
	 * nothing; a ready one takes only QueueReady (4.2.2.2). */
	if (!q)
		return;
	if (off == VIRTIO_MMIO_QueueReady) {
		queue_ready(d, q, val);
		return;
	}
	if (q->ready)
		return;
	switch (off) {
	case VIRTIO_MMIO_QueueNum:
		q->num = val;
		break;
	case VIRTIO_MMIO_QueueDescLow:
	case VIRTIO_MMIO_QueueDescHigh:
		set_half(&q->desc_ipa, off == VIRTIO_MMIO_QueueDescHigh, val);
		break;
	case VIRTIO_MMIO_QueueDriverLow:
	case VIRTIO_MMIO_QueueDriverHigh:
		set_half(&q->avail_ipa, off == VIRTIO_MMIO_QueueDriverHigh, val);
		break;
	case VIRTIO_MMIO_QueueDeviceLow:
	case VIRTIO_MMIO_QueueDeviceHigh:
		set_half(&q->used_ipa, off == VIRTIO_MMIO_QueueDeviceHigh, val);
		break;
	default:
		/* Read-only registers, SHMSel (no regions), QueueReset
		 * (VIRTIO_F_RING_RESET is not offered), unnamed offsets. */
		break;
	}
}

bool virtio_mmio_write(struct virtio_mmio_dev *d, uint64_t off, unsigned size,
		       uint64_t val)
{
	if (off >= VIRTIO_MMIO_FRAME)
		return false;
	if (off >= VIRTIO_MMIO_Config) {
		uint32_t cfg = (uint32_t)off - VIRTIO_MMIO_Config;

		if (!config_access_ok(d, cfg, size))
			return false;
		if (!d->ops->config_write)
			return true;
		return d->ops->config_write(d->priv, cfg, size,
					    val & ((1ull << (8 * size)) - 1));
	}
	if (size != 4 || off % 4)
		return false;
	reg_write(d, (uint32_t)off, (uint32_t)val);
	return true;
}
