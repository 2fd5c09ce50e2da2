/*
 * The virtio-mmio transport (hyp/virtio/mmio_dev.c) as Linux's
 * drivers/virtio/virtio_mmio.c and the virtio core drive it: probe (magic,
 * version, device ID), reset, ACKNOWLEDGE, DRIVER, the features in two
 * halves (word 1 first), FEATURES_OK and its read-back, each queue set up
 * (QueueSel, QueueReady read as 0, QueueNumMax, QueueNum, the three
 * addresses, QueueReady = 1), DRIVER_OK, notifications and interrupts;
 * and every access and sequence the transport refuses.
 *
 * virtq_start() and virtq_reset() are test doubles defined below (they
 * take precedence over hyp/virtio/virtq.c's in the host archive): they
 * count their calls, so that when the transport starts and resets queues
 * can be seen, and check what virtq.h says virtq_start() checks (size,
 * alignment, rings inside RAM), so that the transport's handling of each
 * refusal can be seen without building rings.
 */
#include <stdint.h>
#include <string.h>

#include <hyp/virtio/mmio_dev.h>

#include "unit.h"

/* ---- test doubles of virtq_start() and virtq_reset() ---------------------- */

static unsigned start_calls, reset_calls;
static uint32_t start_max;
static const struct guest_ram *start_ram;

static bool ring_ok(const struct guest_ram *ram, uint64_t ipa, uint64_t len,
		    uint64_t align)
{
	return ipa % align == 0 && guest_ram_ptr(ram, ipa, len);
}

enum virtq_err virtq_start(struct virtq *q, const struct guest_ram *ram, uint32_t max)
{
	start_calls++;
	start_max = max;
	start_ram = ram;
	q->ready = false;
	if (!q->num || q->num > max || q->num > VIRTQ_MAX_SIZE || (q->num & (q->num - 1)))
		return VIRTQ_E_SIZE;
	if (!ring_ok(ram, q->desc_ipa, 16ull * q->num, 16) ||
	    !ring_ok(ram, q->avail_ipa, 6 + 2ull * q->num, 2) ||
	    !ring_ok(ram, q->used_ipa, 6 + 8ull * q->num, 4))
		return VIRTQ_E_RING;
	q->desc = guest_ram_ptr(ram, q->desc_ipa, 16ull * q->num);
	q->avail = guest_ram_ptr(ram, q->avail_ipa, 6 + 2ull * q->num);
	q->used = guest_ram_ptr(ram, q->used_ipa, 6 + 8ull * q->num);
	q->last_avail = q->used_idx = q->signalled_used = 0;
	q->ready = true;
	return VIRTQ_OK;
}

void virtq_reset(struct virtq *q)
{
	reset_calls++;
	memset(q, 0, sizeof(*q));
}

/* ---- a fake device --------------------------------------------------------- */

#define RAM_IPA 0x40000000ull
#define RAM_PA 0x880000000ull
#define RAM_SIZE 0x10000ull
#define QMAX 256u

static uint8_t ram_buf[RAM_SIZE];
static const struct guest_ram ram = {RAM_IPA, RAM_SIZE, RAM_PA, ram_buf};

#define F_DEV_A (1ull << 0) /* device-type bits the fake offers */
#define F_DEV_B (1ull << 9)
#define F_VERSION_1 (1ull << VIRTIO_F_VERSION_1)
#define F_INDIRECT (1ull << VIRTIO_F_RING_INDIRECT_DESC)
#define F_EVENT_IDX (1ull << VIRTIO_F_RING_EVENT_IDX)
#define F_OFFERED (F_DEV_A | F_DEV_B | F_INDIRECT | F_EVENT_IDX)

static struct virtio_mmio_dev dev;
static int priv_tag;
static uint8_t cfg[12] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
			  0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc};
static unsigned notify_calls, notify_queue, dev_resets, cfg_writes;
static uint32_t cfg_write_off;
static unsigned cfg_write_size;
static uint64_t cfg_write_val;

static bool cb_config_read(void *priv, uint32_t off, unsigned size, uint64_t *val)
{
	CHECK(priv == &priv_tag);
	CHECK(off + size <= sizeof(cfg));
	*val = 0;
	for (unsigned i = 0; i < size; i++)
		*val |= (uint64_t)cfg[off + i] << (8 * i);
	*val |= 0xdead00000000ull; /* junk above the access: the transport masks */
	return true;
}

static bool cb_config_write(void *priv, uint32_t off, unsigned size, uint64_t val)
{
	CHECK(priv == &priv_tag);
	cfg_writes++;
	cfg_write_off = off;
	cfg_write_size = size;
	cfg_write_val = val;
	return true;
}

static void cb_notify(void *priv, unsigned queue)
{
	CHECK(priv == &priv_tag);
	notify_calls++;
	notify_queue = queue;
}

static void cb_reset(void *priv)
{
	CHECK(priv == &priv_tag);
	dev_resets++;
}

static const struct virtio_mmio_dev_ops ops = {
	.device_id = 2,
	.features = F_OFFERED,
	.num_queues = 2,
	.queue_max = QMAX,
	.config_size = sizeof(cfg),
	.config_read = cb_config_read,
	.config_write = cb_config_write,
	.notify = cb_notify,
	.reset = cb_reset,
};

static void fresh(void)
{
	memset(&dev, 0xa5, sizeof(dev)); /* init must not rely on zeroed memory */
	CHECK(virtio_mmio_init(&dev, &ops, &priv_tag, &ram));
	start_calls = reset_calls = notify_calls = dev_resets = cfg_writes = 0;
	notify_queue = ~0u;
	start_ram = NULL;
}

static uint32_t rd(uint64_t off)
{
	uint64_t val = 0xfeedfeedfeedfeedull;

	CHECK(virtio_mmio_read(&dev, off, 4, &val));
	CHECK(val <= UINT32_MAX);
	return (uint32_t)val;
}

static void wr(uint64_t off, uint32_t val)
{
	CHECK(virtio_mmio_write(&dev, off, 4, val));
}

/* Where the test's rings go: 16-aligned, inside RAM. */
#define DESC 0x40001000ull
#define AVAIL 0x40002000ull
#define USED 0x40003000ull

static void set_queue(unsigned sel, uint32_t num, uint64_t desc, uint64_t avail,
		      uint64_t used)
{
	wr(VIRTIO_MMIO_QueueSel, sel);
	wr(VIRTIO_MMIO_QueueNum, num);
	wr(VIRTIO_MMIO_QueueDescLow, (uint32_t)desc);
	wr(VIRTIO_MMIO_QueueDescHigh, (uint32_t)(desc >> 32));
	wr(VIRTIO_MMIO_QueueDriverLow, (uint32_t)avail);
	wr(VIRTIO_MMIO_QueueDriverHigh, (uint32_t)(avail >> 32));
	wr(VIRTIO_MMIO_QueueDeviceLow, (uint32_t)used);
	wr(VIRTIO_MMIO_QueueDeviceHigh, (uint32_t)(used >> 32));
}

/* Linux's virtio_dev_probe() up to FEATURES_OK, accepting feat. */
static void negotiate(uint64_t feat)
{
	wr(VIRTIO_MMIO_Status, 0);
	wr(VIRTIO_MMIO_Status, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_Status, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DriverFeaturesSel, 1);
	wr(VIRTIO_MMIO_DriverFeatures, (uint32_t)(feat >> 32));
	wr(VIRTIO_MMIO_DriverFeaturesSel, 0);
	wr(VIRTIO_MMIO_DriverFeatures, (uint32_t)feat);
	wr(VIRTIO_MMIO_Status,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
}

#define STATUS_UP                                                                       \
	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK | \
	 VIRTIO_STATUS_DRIVER_OK)

/* A device with queue 0 running, as Linux leaves it after probe. */
static void bring_up(void)
{
	fresh();
	negotiate(F_OFFERED | F_VERSION_1);
	set_queue(0, 128, DESC, AVAIL, USED);
	wr(VIRTIO_MMIO_QueueReady, 1);
	wr(VIRTIO_MMIO_Status, STATUS_UP);
	CHECK_EQ(rd(VIRTIO_MMIO_Status), STATUS_UP);
	CHECK_EQ(start_calls, 1);
	dev_resets = notify_calls = 0; /* count from here */
}

/* ---- tests ----------------------------------------------------------------- */

static void identifies_itself(void)
{
	fresh();
	CHECK_EQ(rd(VIRTIO_MMIO_MagicValue), 0x74726976);
	CHECK_EQ(rd(VIRTIO_MMIO_Version), 2);
	CHECK_EQ(rd(VIRTIO_MMIO_DeviceID), 2);
	CHECK_EQ(rd(VIRTIO_MMIO_VendorID), 0x554d4551);
	CHECK_EQ(rd(VIRTIO_MMIO_Status), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_InterruptStatus), 0);
	CHECK(!virtio_mmio_irq_level(&dev));
	/* No shared memory: length -1 and base all ones for any SHMSel. */
	wr(VIRTIO_MMIO_SHMSel, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_SHMLenLow), 0xffffffff);
	CHECK_EQ(rd(VIRTIO_MMIO_SHMLenHigh), 0xffffffff);
	CHECK_EQ(rd(VIRTIO_MMIO_SHMBaseLow), 0xffffffff);
	CHECK_EQ(rd(VIRTIO_MMIO_SHMBaseHigh), 0xffffffff);
	/* QueueReset: VIRTIO_F_RING_RESET not offered. */
	CHECK_EQ(rd(VIRTIO_MMIO_QueueReset), 0);
	/* Write-only registers and holes read as zero. */
	CHECK_EQ(rd(VIRTIO_MMIO_QueueNotify), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_DriverFeatures), 0);
	CHECK_EQ(rd(0x018), 0);
	CHECK_EQ(rd(0x0f8), 0);
	/* Read-only registers ignore writes. */
	wr(VIRTIO_MMIO_MagicValue, 0);
	wr(VIRTIO_MMIO_InterruptStatus, 3);
	wr(0x018, 0xffffffff);
	CHECK_EQ(rd(VIRTIO_MMIO_MagicValue), 0x74726976);
	CHECK_EQ(rd(VIRTIO_MMIO_Status), 0);
}

static void init_refuses_bad_ops(void)
{
	struct virtio_mmio_dev_ops o = ops;

	CHECK(!virtio_mmio_init(&dev, NULL, NULL, &ram));
	o.num_queues = 0;
	CHECK(!virtio_mmio_init(&dev, &o, NULL, &ram));
	o.num_queues = VIRTIO_MMIO_MAX_QUEUES + 1;
	CHECK(!virtio_mmio_init(&dev, &o, NULL, &ram));
	o.num_queues = VIRTIO_MMIO_MAX_QUEUES;
	CHECK(virtio_mmio_init(&dev, &o, NULL, &ram));
	o.queue_max = 0;
	CHECK(!virtio_mmio_init(&dev, &o, NULL, &ram));
	o.queue_max = 96; /* not a power of 2 */
	CHECK(!virtio_mmio_init(&dev, &o, NULL, &ram));
	o.queue_max = VIRTQ_MAX_SIZE * 2;
	CHECK(!virtio_mmio_init(&dev, &o, NULL, &ram));
	o.queue_max = VIRTQ_MAX_SIZE;
	CHECK(virtio_mmio_init(&dev, &o, NULL, &ram));
	o.config_size = 0x101;
	CHECK(!virtio_mmio_init(&dev, &o, NULL, &ram));
	o.config_size = 0x100;
	CHECK(virtio_mmio_init(&dev, &o, NULL, &ram));
	o.config_read = NULL;
	CHECK(!virtio_mmio_init(&dev, &o, NULL, &ram));
	o.config_read = cb_config_read;
	o.notify = NULL;
	CHECK(!virtio_mmio_init(&dev, &o, NULL, &ram));
}

static void linux_init_sequence(void)
{
	uint64_t feat;

	fresh();
	/* Reset: status reads 0 at once, the device's reset is called. */
	wr(VIRTIO_MMIO_Status, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_Status), 0);
	CHECK_EQ(dev_resets, 1);
	wr(VIRTIO_MMIO_Status, VIRTIO_STATUS_ACKNOWLEDGE);
	CHECK_EQ(rd(VIRTIO_MMIO_Status), VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_Status, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	CHECK_EQ(rd(VIRTIO_MMIO_Status),
		 VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	/* Features in two halves, word 1 first, as vm_get_features(). */
	wr(VIRTIO_MMIO_DeviceFeaturesSel, 1);
	feat = (uint64_t)rd(VIRTIO_MMIO_DeviceFeatures) << 32;
	wr(VIRTIO_MMIO_DeviceFeaturesSel, 0);
	feat |= rd(VIRTIO_MMIO_DeviceFeatures);
	CHECK_EQ(feat, F_OFFERED | F_VERSION_1);
	wr(VIRTIO_MMIO_DeviceFeaturesSel, 2);
	CHECK_EQ(rd(VIRTIO_MMIO_DeviceFeatures), 0);
	/* The configuration space is readable before FEATURES_OK (2.5.2). */
	CHECK_EQ(rd(VIRTIO_MMIO_Config), 0x44332211);
	/* Accept all, as vm_finalize_features() writes them. */
	wr(VIRTIO_MMIO_DriverFeaturesSel, 1);
	wr(VIRTIO_MMIO_DriverFeatures, (uint32_t)(feat >> 32));
	wr(VIRTIO_MMIO_DriverFeaturesSel, 0);
	wr(VIRTIO_MMIO_DriverFeatures, (uint32_t)feat);
	wr(VIRTIO_MMIO_Status,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	CHECK(rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_FEATURES_OK);
	CHECK_EQ(dev.driver_features, F_OFFERED | F_VERSION_1);
	/* vm_setup_vq() for queue 0. */
	wr(VIRTIO_MMIO_QueueSel, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_QueueReady), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_QueueNumMax), QMAX);
	set_queue(0, 128, DESC, AVAIL, USED);
	CHECK_EQ(dev.queues[0].num, 128);
	CHECK_EQ(dev.queues[0].desc_ipa, DESC);
	CHECK_EQ(dev.queues[0].avail_ipa, AVAIL);
	CHECK_EQ(dev.queues[0].used_ipa, USED);
	wr(VIRTIO_MMIO_QueueReady, 1);
	CHECK_EQ(start_calls, 1);
	CHECK_EQ(start_max, QMAX);
	CHECK(start_ram == &ram);
	CHECK(dev.queues[0].indirect && dev.queues[0].event_idx);
	CHECK_EQ(rd(VIRTIO_MMIO_QueueReady), 1);
	/* Queue 1 exists, queue 2 does not (QueueNumMax 0). */
	wr(VIRTIO_MMIO_QueueSel, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_QueueNumMax), QMAX);
	CHECK_EQ(rd(VIRTIO_MMIO_QueueReady), 0);
	wr(VIRTIO_MMIO_QueueSel, 2);
	CHECK_EQ(rd(VIRTIO_MMIO_QueueNumMax), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_QueueReady), 0);
	CHECK(!virtio_mmio_live(&dev));
	CHECK(!virtio_mmio_queue(&dev, 0));
	wr(VIRTIO_MMIO_Status, STATUS_UP);
	CHECK_EQ(rd(VIRTIO_MMIO_Status), STATUS_UP);
	CHECK(virtio_mmio_live(&dev));
	CHECK(virtio_mmio_queue(&dev, 0) == &dev.queues[0]);
	CHECK(!virtio_mmio_queue(&dev, 1)); /* not ready */
	CHECK(!virtio_mmio_queue(&dev, 2)); /* not there */
	/* vm_notify(): the queue index. */
	wr(VIRTIO_MMIO_QueueNotify, 0);
	CHECK_EQ(notify_calls, 1);
	CHECK_EQ(notify_queue, 0);
	CHECK(!virtio_mmio_new_fault(&dev));
	CHECK(!(rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_DEVICE_NEEDS_RESET));
}

static void features_ok_refusals(void)
{
	/* Without VIRTIO_F_VERSION_1: FEATURES_OK reads back clear. */
	fresh();
	negotiate(F_OFFERED);
	CHECK(!(rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_FEATURES_OK));
	CHECK(rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_DRIVER);
	/* DRIVER_OK is not taken without FEATURES_OK. */
	wr(VIRTIO_MMIO_Status, STATUS_UP);
	CHECK(!(rd(VIRTIO_MMIO_Status) &
		(VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FEATURES_OK)));
	CHECK(!virtio_mmio_live(&dev));

	/* A bit not offered, low word or high word. */
	fresh();
	negotiate(F_VERSION_1 | (1ull << 3));
	CHECK(!(rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_FEATURES_OK));
	fresh();
	negotiate(F_VERSION_1 | (1ull << 33));
	CHECK(!(rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_FEATURES_OK));
	/* The driver corrects its choice and sets FEATURES_OK again. */
	wr(VIRTIO_MMIO_DriverFeaturesSel, 1);
	wr(VIRTIO_MMIO_DriverFeatures, 1); /* VERSION_1 only */
	wr(VIRTIO_MMIO_Status,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	CHECK(rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_FEATURES_OK);

	/* A non-zero word 2 (nothing offered there). */
	fresh();
	wr(VIRTIO_MMIO_DriverFeaturesSel, 2);
	wr(VIRTIO_MMIO_DriverFeatures, 1);
	negotiate(F_VERSION_1);
	/* negotiate() reset the device first: the word-2 write is gone. */
	CHECK(rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_FEATURES_OK);
	fresh();
	wr(VIRTIO_MMIO_Status, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DriverFeaturesSel, 2);
	wr(VIRTIO_MMIO_DriverFeatures, 0x80);
	wr(VIRTIO_MMIO_DriverFeaturesSel, 1);
	wr(VIRTIO_MMIO_DriverFeatures, 1);
	wr(VIRTIO_MMIO_Status,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	CHECK(!(rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_FEATURES_OK));

	/* After FEATURES_OK, DriverFeatures is frozen (3.1.1 step 5). */
	fresh();
	negotiate(F_VERSION_1 | F_DEV_A);
	CHECK(rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_FEATURES_OK);
	wr(VIRTIO_MMIO_DriverFeaturesSel, 0);
	wr(VIRTIO_MMIO_DriverFeatures, (uint32_t)(F_DEV_B | F_EVENT_IDX));
	CHECK_EQ(dev.driver_features, F_VERSION_1 | F_DEV_A);
}

static void ring_features_follow_negotiation(void)
{
	fresh();
	negotiate(F_VERSION_1 | F_INDIRECT);
	set_queue(0, 64, DESC, AVAIL, USED);
	wr(VIRTIO_MMIO_QueueReady, 1);
	CHECK(dev.queues[0].ready);
	CHECK(dev.queues[0].indirect);
	CHECK(!dev.queues[0].event_idx);
	fresh();
	negotiate(F_VERSION_1 | F_EVENT_IDX);
	set_queue(0, 64, DESC, AVAIL, USED);
	wr(VIRTIO_MMIO_QueueReady, 1);
	CHECK(!dev.queues[0].indirect);
	CHECK(dev.queues[0].event_idx);
}

static void refuses_bad_sizes_and_alignment(void)
{
	uint64_t val;

	bring_up();
	/* Registers: 32-bit, aligned, only. */
	for (unsigned size = 1; size <= 8; size++) {
		if (size == 4)
			continue;
		val = 0x1234;
		CHECK(!virtio_mmio_read(&dev, VIRTIO_MMIO_MagicValue, size, &val));
		CHECK_EQ(val, 0);
		CHECK(!virtio_mmio_write(&dev, VIRTIO_MMIO_Status, size, 0));
	}
	val = 0x1234;
	CHECK(!virtio_mmio_read(&dev, VIRTIO_MMIO_Version + 2, 4, &val));
	CHECK_EQ(val, 0);
	CHECK(!virtio_mmio_read(&dev, VIRTIO_MMIO_Version + 1, 4, &val));
	CHECK(!virtio_mmio_write(&dev, VIRTIO_MMIO_Status + 2, 4, 0));
	CHECK(!virtio_mmio_write(&dev, VIRTIO_MMIO_QueueNotify + 1, 4, 0));
	/* The refused writes changed nothing: no reset, no notify. */
	CHECK_EQ(rd(VIRTIO_MMIO_Status), STATUS_UP);
	CHECK_EQ(dev_resets, 0);
	CHECK_EQ(notify_calls, 0);
	/* Beyond the frame, and offsets that would wrap. */
	CHECK(!virtio_mmio_read(&dev, VIRTIO_MMIO_FRAME, 4, &val));
	CHECK(!virtio_mmio_read(&dev, 0x1000, 4, &val));
	CHECK(!virtio_mmio_read(&dev, UINT64_MAX - 3, 4, &val));
	CHECK(!virtio_mmio_write(&dev, 1ull << 32, 4, 0)); /* would be Status's 0 */
	CHECK_EQ(rd(VIRTIO_MMIO_Status), STATUS_UP);

	/* Configuration space: 1, 2, 4 naturally aligned inside its 12 bytes. */
	CHECK(virtio_mmio_read(&dev, VIRTIO_MMIO_Config + 1, 1, &val));
	CHECK_EQ(val, 0x22);
	CHECK(virtio_mmio_read(&dev, VIRTIO_MMIO_Config + 2, 2, &val));
	CHECK_EQ(val, 0x4433);
	CHECK(virtio_mmio_read(&dev, VIRTIO_MMIO_Config + 8, 4, &val));
	CHECK_EQ(val, 0xccbbaa99);
	CHECK(virtio_mmio_read(&dev, VIRTIO_MMIO_Config + 11, 1, &val));
	CHECK_EQ(val, 0xcc);
	val = 1;
	CHECK(!virtio_mmio_read(&dev, VIRTIO_MMIO_Config, 8, &val)); /* 64-bit */
	CHECK_EQ(val, 0);
	CHECK(!virtio_mmio_read(&dev, VIRTIO_MMIO_Config + 1, 2, &val)); /* misaligned */
	CHECK(!virtio_mmio_read(&dev, VIRTIO_MMIO_Config + 2, 4, &val));
	CHECK(!virtio_mmio_read(&dev, VIRTIO_MMIO_Config, 3, &val));
	CHECK(!virtio_mmio_read(&dev, VIRTIO_MMIO_Config + 12, 1, &val)); /* past it */
	CHECK(!virtio_mmio_read(&dev, VIRTIO_MMIO_Config + 12, 4, &val));
	CHECK(!virtio_mmio_read(&dev, VIRTIO_MMIO_FRAME - 4, 4, &val));
	CHECK(!virtio_mmio_write(&dev, VIRTIO_MMIO_Config + 12, 4, 0));
	CHECK(!virtio_mmio_write(&dev, VIRTIO_MMIO_Config, 8, 0));
	CHECK(!virtio_mmio_write(&dev, VIRTIO_MMIO_Config + 3, 2, 0));
	CHECK_EQ(cfg_writes, 0);
}

static void config_writes_reach_the_device(void)
{
	struct virtio_mmio_dev_ops o = ops;

	bring_up();
	CHECK(virtio_mmio_write(&dev, VIRTIO_MMIO_Config + 4, 2, 0xffffabcd));
	CHECK_EQ(cfg_writes, 1);
	CHECK_EQ(cfg_write_off, 4);
	CHECK_EQ(cfg_write_size, 2);
	CHECK_EQ(cfg_write_val, 0xabcd); /* only the access's bytes */
	/* No config_write: nothing writable, writes ignored (not refused). */
	o.config_write = NULL;
	CHECK(virtio_mmio_init(&dev, &o, &priv_tag, &ram));
	CHECK(virtio_mmio_write(&dev, VIRTIO_MMIO_Config, 4, 0));
	CHECK_EQ(cfg_writes, 1);
}

static void notify_on_unready_or_absent_queue_needs_reset(void)
{
	const struct virtio_mmio_fault *f;

	/* Index out of range. */
	bring_up();
	wr(VIRTIO_MMIO_QueueNotify, 2);
	CHECK_EQ(notify_calls, 0);
	CHECK(rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	CHECK(!virtio_mmio_live(&dev));
	CHECK(!virtio_mmio_queue(&dev, 0));
	/* DRIVER_OK is set: the configuration change interrupt (2.1.2). */
	CHECK_EQ(rd(VIRTIO_MMIO_InterruptStatus), VIRTIO_MMIO_INT_CONFIG);
	CHECK(virtio_mmio_irq_level(&dev));
	f = virtio_mmio_new_fault(&dev);
	CHECK(f && f->why == VIRTIO_MMIO_FAULT_NOTIFY_RANGE && f->queue == 2);
	CHECK(!virtio_mmio_new_fault(&dev)); /* once */
	/* Further notifications, good or bad, are dropped; the first reason
	 * stays. */
	wr(VIRTIO_MMIO_QueueNotify, 0);
	wr(VIRTIO_MMIO_QueueNotify, 1);
	CHECK_EQ(notify_calls, 0);
	CHECK_EQ(dev.fault.why, VIRTIO_MMIO_FAULT_NOTIFY_RANGE);
	/* So do later faults of the device's, with no second interrupt once
	 * the first is acknowledged. */
	wr(VIRTIO_MMIO_InterruptACK, VIRTIO_MMIO_INT_CONFIG);
	virtio_mmio_needs_reset(&dev);
	CHECK_EQ(dev.fault.why, VIRTIO_MMIO_FAULT_NOTIFY_RANGE);
	CHECK(!virtio_mmio_new_fault(&dev));
	CHECK_EQ(rd(VIRTIO_MMIO_InterruptStatus), 0);
	/* The driver cannot clear DEVICE_NEEDS_RESET but by a reset. */
	wr(VIRTIO_MMIO_Status, STATUS_UP);
	CHECK(rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	wr(VIRTIO_MMIO_Status, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_Status), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_InterruptStatus), 0);
	CHECK(!virtio_mmio_new_fault(&dev));

	/* A huge index. */
	bring_up();
	wr(VIRTIO_MMIO_QueueNotify, 0xffffffff);
	f = virtio_mmio_new_fault(&dev);
	CHECK(f && f->why == VIRTIO_MMIO_FAULT_NOTIFY_RANGE && f->queue == 0xffffffff);

	/* Queue 1 exists but was never set up. */
	bring_up();
	wr(VIRTIO_MMIO_QueueNotify, 1);
	CHECK_EQ(notify_calls, 0);
	f = virtio_mmio_new_fault(&dev);
	CHECK(f && f->why == VIRTIO_MMIO_FAULT_NOTIFY_NOT_READY && f->queue == 1);

	/* A queue the driver stopped. */
	bring_up();
	wr(VIRTIO_MMIO_QueueSel, 0);
	wr(VIRTIO_MMIO_QueueReady, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_QueueReady), 0);
	wr(VIRTIO_MMIO_QueueNotify, 0);
	CHECK_EQ(notify_calls, 0);
	f = virtio_mmio_new_fault(&dev);
	CHECK(f && f->why == VIRTIO_MMIO_FAULT_NOTIFY_NOT_READY && f->queue == 0);
}

/* QueueReady = 1 with a bad queue: needs reset, QueueReady stays 0, the
 * virtq_err kept. */
static void refused_start(uint32_t num, uint64_t desc, uint64_t avail, uint64_t used,
			  enum virtq_err want)
{
	const struct virtio_mmio_fault *f;

	fresh();
	negotiate(F_OFFERED | F_VERSION_1);
	set_queue(0, num, desc, avail, used);
	wr(VIRTIO_MMIO_QueueReady, 1);
	CHECK_EQ(start_calls, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_QueueReady), 0);
	CHECK(rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	/* DRIVER_OK not set yet: no interrupt... */
	CHECK_EQ(rd(VIRTIO_MMIO_InterruptStatus), 0);
	f = virtio_mmio_new_fault(&dev);
	CHECK(f && f->why == VIRTIO_MMIO_FAULT_QUEUE_START && f->qerr == want &&
	      f->queue == 0);
	/* ...until Linux, which does not read QueueReady back, sets it. */
	wr(VIRTIO_MMIO_Status, STATUS_UP);
	CHECK_EQ(rd(VIRTIO_MMIO_InterruptStatus), VIRTIO_MMIO_INT_CONFIG);
	CHECK(!virtio_mmio_live(&dev));
	wr(VIRTIO_MMIO_QueueNotify, 0);
	CHECK_EQ(notify_calls, 0);
}

static void queue_start_refusals(void)
{
	refused_start(QMAX * 2, DESC, AVAIL, USED, VIRTQ_E_SIZE); /* above the max */
	refused_start(0, DESC, AVAIL, USED, VIRTQ_E_SIZE);
	refused_start(128, RAM_IPA + RAM_SIZE - 16, AVAIL, USED, VIRTQ_E_RING);
	refused_start(128, DESC, RAM_IPA - 0x1000, USED, VIRTQ_E_RING);
	refused_start(128, DESC, AVAIL, 0xffffffffffff0000ull, VIRTQ_E_RING);
	refused_start(128, DESC + 8, AVAIL, USED, VIRTQ_E_RING); /* misaligned */
}

static void queue_ready_before_features_ok_needs_reset(void)
{
	const struct virtio_mmio_fault *f;

	fresh();
	wr(VIRTIO_MMIO_Status, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	set_queue(0, 128, DESC, AVAIL, USED);
	wr(VIRTIO_MMIO_QueueReady, 1);
	CHECK_EQ(start_calls, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_QueueReady), 0);
	f = virtio_mmio_new_fault(&dev);
	CHECK(f && f->why == VIRTIO_MMIO_FAULT_QUEUE_EARLY);
}

static void queue_config_frozen_while_ready(void)
{
	bring_up();
	wr(VIRTIO_MMIO_QueueSel, 0);
	set_queue(0, 64, DESC + 0x100, AVAIL + 0x100, USED + 0x100);
	CHECK_EQ(dev.queues[0].num, 128);
	CHECK_EQ(dev.queues[0].desc_ipa, DESC);
	CHECK_EQ(dev.queues[0].avail_ipa, AVAIL);
	CHECK_EQ(dev.queues[0].used_ipa, USED);
	CHECK(dev.queues[0].ready);
	/* QueueReady = 1 again: nothing (no restart, which would lose the
	 * ring's position). */
	wr(VIRTIO_MMIO_QueueReady, 1);
	CHECK_EQ(start_calls, 1);
	/* Stopped: the configuration stays, and a restart uses it. */
	wr(VIRTIO_MMIO_QueueReady, 0);
	CHECK(!dev.queues[0].ready);
	CHECK_EQ(dev.queues[0].num, 128);
	CHECK_EQ(dev.queues[0].desc_ipa, DESC);
	wr(VIRTIO_MMIO_QueueNum, 32);
	CHECK_EQ(dev.queues[0].num, 32);
	wr(VIRTIO_MMIO_QueueReady, 1);
	CHECK_EQ(start_calls, 2);
	CHECK(dev.queues[0].ready);
	/* Writes for a queue that does not exist go nowhere. */
	set_queue(5, 16, DESC, AVAIL, USED);
	wr(VIRTIO_MMIO_QueueReady, 1);
	CHECK_EQ(start_calls, 2);
	CHECK(!(rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_DEVICE_NEEDS_RESET));
	for (unsigned i = 2; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		CHECK_EQ(dev.queues[i].num, 0);
}

static void notify_before_driver_ok_waits(void)
{
	fresh();
	negotiate(F_OFFERED | F_VERSION_1);
	set_queue(0, 128, DESC, AVAIL, USED);
	wr(VIRTIO_MMIO_QueueReady, 1);
	set_queue(1, 128, DESC + 0x4000, AVAIL + 0x4000, USED + 0x4000);
	wr(VIRTIO_MMIO_QueueReady, 1);
	wr(VIRTIO_MMIO_QueueNotify, 1);
	CHECK_EQ(notify_calls, 0); /* 2.1.2: no buffers consumed before DRIVER_OK */
	CHECK(!(rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_DEVICE_NEEDS_RESET));
	wr(VIRTIO_MMIO_Status, STATUS_UP);
	CHECK_EQ(notify_calls, 1);
	CHECK_EQ(notify_queue, 1);
	/* Delivered once. */
	wr(VIRTIO_MMIO_Status, STATUS_UP);
	CHECK_EQ(notify_calls, 1);
}

static void interrupt_status_and_ack(void)
{
	fresh();
	/* No used buffer notification before DRIVER_OK (2.1.2). */
	negotiate(F_OFFERED | F_VERSION_1);
	virtio_mmio_used(&dev);
	CHECK_EQ(rd(VIRTIO_MMIO_InterruptStatus), 0);
	CHECK(!virtio_mmio_irq_level(&dev));

	bring_up();
	virtio_mmio_used(&dev);
	CHECK_EQ(rd(VIRTIO_MMIO_InterruptStatus), VIRTIO_MMIO_INT_VRING);
	CHECK(virtio_mmio_irq_level(&dev));
	virtio_mmio_config_changed(&dev);
	CHECK_EQ(rd(VIRTIO_MMIO_InterruptStatus),
		 VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	/* Ack one bit: the other stays, and the line with it. */
	wr(VIRTIO_MMIO_InterruptACK, VIRTIO_MMIO_INT_VRING);
	CHECK_EQ(rd(VIRTIO_MMIO_InterruptStatus), VIRTIO_MMIO_INT_CONFIG);
	CHECK(virtio_mmio_irq_level(&dev));
	/* Undefined bits in the ack change nothing else. */
	wr(VIRTIO_MMIO_InterruptACK, 0xfffffffc);
	CHECK_EQ(rd(VIRTIO_MMIO_InterruptStatus), VIRTIO_MMIO_INT_CONFIG);
	/* vm_interrupt(): write back what was read. */
	wr(VIRTIO_MMIO_InterruptACK, rd(VIRTIO_MMIO_InterruptStatus));
	CHECK_EQ(rd(VIRTIO_MMIO_InterruptStatus), 0);
	CHECK(!virtio_mmio_irq_level(&dev));
	/* A device error: needs reset and the configuration interrupt. */
	virtio_mmio_needs_reset(&dev);
	CHECK(rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	CHECK_EQ(rd(VIRTIO_MMIO_InterruptStatus), VIRTIO_MMIO_INT_CONFIG);
	CHECK_EQ(virtio_mmio_new_fault(&dev)->why, VIRTIO_MMIO_FAULT_DEVICE);
	/* A reset clears InterruptStatus (4.2.2.1). */
	virtio_mmio_used(&dev);
	wr(VIRTIO_MMIO_Status, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_InterruptStatus), 0);
	CHECK(!virtio_mmio_irq_level(&dev));
}

static void config_generation_changes(void)
{
	uint32_t g0, g1;

	fresh();
	g0 = rd(VIRTIO_MMIO_ConfigGeneration);
	CHECK_EQ(rd(VIRTIO_MMIO_ConfigGeneration), g0); /* stable while unchanged */
	virtio_mmio_config_changed(&dev);
	g1 = rd(VIRTIO_MMIO_ConfigGeneration);
	CHECK(g1 != g0);
	/* Before DRIVER_OK: no interrupt for it. */
	CHECK_EQ(rd(VIRTIO_MMIO_InterruptStatus), 0);
	/* A reset does not take it back to a value already seen. */
	wr(VIRTIO_MMIO_Status, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_ConfigGeneration), g1);
	/* Read-only. */
	wr(VIRTIO_MMIO_ConfigGeneration, g0);
	CHECK_EQ(rd(VIRTIO_MMIO_ConfigGeneration), g1);
}

static void status_bits_only_set(void)
{
	bring_up();
	/* Clearing bits is ignored; the device's bit and undefined ones
	 * cannot be set by the driver. */
	wr(VIRTIO_MMIO_Status, VIRTIO_STATUS_ACKNOWLEDGE);
	CHECK_EQ(rd(VIRTIO_MMIO_Status), STATUS_UP);
	wr(VIRTIO_MMIO_Status, VIRTIO_STATUS_DEVICE_NEEDS_RESET | 0x30 | 0x100);
	CHECK_EQ(rd(VIRTIO_MMIO_Status), STATUS_UP);
	CHECK(virtio_mmio_live(&dev));
	wr(VIRTIO_MMIO_Status, STATUS_UP | VIRTIO_STATUS_FAILED);
	CHECK_EQ(rd(VIRTIO_MMIO_Status), STATUS_UP | VIRTIO_STATUS_FAILED);
	/* Reset: all queues reset, the device told, selectors back to 0. */
	wr(VIRTIO_MMIO_QueueSel, 1);
	wr(VIRTIO_MMIO_DeviceFeaturesSel, 1);
	reset_calls = 0;
	wr(VIRTIO_MMIO_Status, 0);
	CHECK_EQ(reset_calls, VIRTIO_MMIO_MAX_QUEUES);
	CHECK_EQ(dev_resets, 1);
	CHECK(!dev.queues[0].ready);
	CHECK_EQ(dev.queues[0].num, 0);
	CHECK_EQ(dev.driver_features, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_DeviceFeatures), (uint32_t)(F_OFFERED | F_VERSION_1));
	wr(VIRTIO_MMIO_QueueReady, 1); /* QueueSel 0 again, before FEATURES_OK */
	CHECK_EQ(dev.fault.why, VIRTIO_MMIO_FAULT_QUEUE_EARLY);
}

int main(void)
{
	RUN(identifies_itself);
	RUN(init_refuses_bad_ops);
	RUN(linux_init_sequence);
	RUN(features_ok_refusals);
	RUN(ring_features_follow_negotiation);
	RUN(refuses_bad_sizes_and_alignment);
	RUN(config_writes_reach_the_device);
	RUN(notify_on_unready_or_absent_queue_needs_reset);
	RUN(queue_start_refusals);
	RUN(queue_ready_before_features_ok_needs_reset);
	RUN(queue_config_frozen_while_ready);
	RUN(notify_before_driver_ok_waits);
	RUN(interrupt_status_and_ack);
	RUN(config_generation_changes);
	RUN(status_bits_only_set);
	UNIT_DONE();
}
