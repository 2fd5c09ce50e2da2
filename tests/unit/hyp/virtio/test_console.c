/*
 * The virtio console device (hyp/virtio/console.c) behind its transport,
 * driven through its registers as Linux's virtio_console does it: probe,
 * features, both queues set up, DRIVER_OK, receive buffers posted, output
 * chains kicked. The rings are laid out here from the spec (virtio 1.2,
 * 2.7) in a host buffer standing for the VM's RAM. Covered: what the
 * device says it is (5.3.1-5.3.4), output in order through the callback,
 * input held until buffers are posted and never dropped while it fits,
 * input beyond VCONS_INPUT_SIZE refused and reported once the guest has
 * caught up, and each refusal (a writable buffer in a transmitq chain, a
 * readable one in a receiveq chain, broken rings) next to the working
 * case, with the device usable again after the driver's reset.
 */
#include <stdint.h>
#include <string.h>

#include <hyp/virtio/console.h>
#include <lib/le.h>

#include "unit.h"

#define RAM_IPA 0x40000000ull
#define RAM_SIZE 0x20000ull
#define NUM 8u
/* Rings: receiveq at 0x0000.., transmitq at 0x1000..; buffers from 0x8000. */
#define Q_BASE(q) (RAM_IPA + 0x1000ull * (q))
#define DESC(q) (Q_BASE(q) + 0x000)
#define AVAIL(q) (Q_BASE(q) + 0x200)
#define USED(q) (Q_BASE(q) + 0x400)
#define BUF (RAM_IPA + 0x8000ull)

#define F_VERSION_1 (1ull << VIRTIO_F_VERSION_1)
#define F_EVENT_IDX (1ull << VIRTIO_F_RING_EVENT_IDX)
#define STATUS_UP                                                                       \
	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK | \
	 VIRTIO_STATUS_DRIVER_OK)

static uint8_t ram_buf[RAM_SIZE];
static const struct guest_ram ram = {RAM_IPA, RAM_SIZE, 0x880000000ull, ram_buf};
static struct vcons dev;

/* ---- the output callback --------------------------------------------------- */

static char outbuf[8192];
static size_t out_len;
static unsigned out_calls;
/* Set by a test: the callback publishes another chain each time, as a
 * second vCPU refilling the ring while the device serves it. */
static bool refill_in_out;
static void refill(void);

static void out(void *ctx, const uint8_t *p, size_t n)
{
	CHECK(ctx == &dev);
	CHECK(n > 0);
	CHECK(p >= ram_buf && p + n <= ram_buf + RAM_SIZE);
	if (out_len + n <= sizeof(outbuf)) {
		memcpy(outbuf + out_len, p, n);
		out_len += n;
	}
	out_calls++;
	if (refill_in_out)
		refill();
}

/* ---- the driver ------------------------------------------------------------ */

static uint16_t avail_idx[2], used_seen[2];

static uint8_t *at(uint64_t ipa)
{
	return ram_buf + (ipa - RAM_IPA);
}

static void le_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static uint16_t le_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd(uint64_t off)
{
	uint64_t v = ~0ull;

	CHECK(virtio_mmio_read(&dev.mmio, off, 4, &v));
	return (uint32_t)v;
}

static void wr(uint64_t off, uint32_t v)
{
	CHECK(virtio_mmio_write(&dev.mmio, off, 4, v));
}

static void desc(unsigned q, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		 uint16_t next)
{
	uint8_t *p = at(DESC(q) + 16ull * i);

	le_put64(p, addr);
	le_put32(p + 8, len);
	le_put16(p + 12, flags);
	le_put16(p + 14, next);
}

static void publish(unsigned q, uint16_t head)
{
	le_put16(at(AVAIL(q) + 4 + 2 * (avail_idx[q] % NUM)), head);
	avail_idx[q]++;
	le_put16(at(AVAIL(q) + 2), avail_idx[q]);
}

static uint16_t used_idx(unsigned q)
{
	return le_get16(at(USED(q) + 2));
}

static uint32_t used_len(unsigned q, uint16_t i)
{
	return le_get32(at(USED(q) + 8 + 8 * (i % NUM)));
}

static uint32_t used_id(unsigned q, uint16_t i)
{
	return le_get32(at(USED(q) + 4 + 8 * (i % NUM)));
}

static bool needs_reset(void)
{
	return rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}

static void ack(void)
{
	wr(VIRTIO_MMIO_InterruptACK, rd(VIRTIO_MMIO_InterruptStatus));
}

/* Probe, features, both queues, DRIVER_OK (3.1.1), as Linux does. */
static void driver_up(uint64_t feat)
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
	CHECK(rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_FEATURES_OK);
	memset(ram_buf, 0, 0x2000);
	for (unsigned q = 0; q < 2; q++) {
		wr(VIRTIO_MMIO_QueueSel, q);
		CHECK_EQ(rd(VIRTIO_MMIO_QueueReady), 0);
		CHECK_EQ(rd(VIRTIO_MMIO_QueueNumMax), VCONS_QUEUE_MAX);
		wr(VIRTIO_MMIO_QueueNum, NUM);
		wr(VIRTIO_MMIO_QueueDescLow, (uint32_t)DESC(q));
		wr(VIRTIO_MMIO_QueueDescHigh, 0);
		wr(VIRTIO_MMIO_QueueDriverLow, (uint32_t)AVAIL(q));
		wr(VIRTIO_MMIO_QueueDriverHigh, 0);
		wr(VIRTIO_MMIO_QueueDeviceLow, (uint32_t)USED(q));
		wr(VIRTIO_MMIO_QueueDeviceHigh, 0);
		wr(VIRTIO_MMIO_QueueReady, 1);
		CHECK_EQ(rd(VIRTIO_MMIO_QueueReady), 1);
		avail_idx[q] = used_seen[q] = 0;
	}
	wr(VIRTIO_MMIO_Status, STATUS_UP);
	CHECK_EQ(rd(VIRTIO_MMIO_Status), STATUS_UP);
}

static void fresh(void)
{
	memset(&dev, 0xa5, sizeof(dev));
	memset(ram_buf, 0, sizeof(ram_buf));
	CHECK(vcons_init(&dev, &ram, out, &dev));
	out_len = out_calls = 0;
	refill_in_out = false;
}

static void up(void)
{
	fresh();
	driver_up(F_VERSION_1);
}

/* Output: "text" at BUF + off as one readable descriptor i of the
 * transmitq, published. */
static void tx_one(unsigned i, uint64_t off, const char *text)
{
	memcpy(at(BUF + off), text, strlen(text));
	desc(VCONS_TRANSMITQ, i, BUF + off, (uint32_t)strlen(text), 0, 0);
	publish(VCONS_TRANSMITQ, (uint16_t)i);
}

static void refill(void)
{
	tx_one(avail_idx[VCONS_TRANSMITQ] % NUM,
	       0x100 * (avail_idx[VCONS_TRANSMITQ] % NUM), "x");
}

/* A receive buffer: descriptor i, len writable bytes at BUF + off. */
static void rx_post(unsigned i, uint64_t off, uint32_t len)
{
	desc(VCONS_RECEIVEQ, i, BUF + off, len, VIRTQ_DESC_F_WRITE, 0);
	publish(VCONS_RECEIVEQ, (uint16_t)i);
}

static size_t input(const char *s)
{
	return vcons_input(&dev, (const uint8_t *)s, strlen(s));
}

/* ---- tests ----------------------------------------------------------------- */

static void identifies_itself(void)
{
	uint64_t v = 1;

	fresh();
	CHECK_EQ(rd(VIRTIO_MMIO_MagicValue), VIRTIO_MMIO_MAGIC);
	CHECK_EQ(rd(VIRTIO_MMIO_Version), 2);
	CHECK_EQ(rd(VIRTIO_MMIO_DeviceID), VIRTIO_ID_CONSOLE);
	wr(VIRTIO_MMIO_DeviceFeaturesSel, 0);
	/* 5.3.3: no SIZE, MULTIPORT, EMERG_WRITE; no INDIRECT_DESC. */
	CHECK_EQ(rd(VIRTIO_MMIO_DeviceFeatures), 1u << VIRTIO_F_RING_EVENT_IDX);
	wr(VIRTIO_MMIO_DeviceFeaturesSel, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_DeviceFeatures), 1u);
	/* Two queues (5.3.2): receiveq and transmitq, nothing after. */
	wr(VIRTIO_MMIO_QueueSel, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_QueueNumMax), VCONS_QUEUE_MAX);
	wr(VIRTIO_MMIO_QueueSel, 2);
	CHECK_EQ(rd(VIRTIO_MMIO_QueueNumMax), 0);
	/* 5.3.4: 12 bytes of configuration, all 0; none past them. */
	for (uint32_t off = 0; off < VIRTIO_CONSOLE_CONFIG_SIZE; off += 2) {
		CHECK(virtio_mmio_read(&dev.mmio, VIRTIO_MMIO_Config + off, 2, &v));
		CHECK_EQ(v, 0);
	}
	CHECK(!virtio_mmio_read(&dev.mmio, VIRTIO_MMIO_Config + 12, 1, &v));
	CHECK(virtio_mmio_write(&dev.mmio, VIRTIO_MMIO_Config + 8, 4, 0x41));
	CHECK(virtio_mmio_read(&dev.mmio, VIRTIO_MMIO_Config + 8, 4, &v));
	CHECK_EQ(v, 0);
	CHECK_EQ(out_calls, 0);
	/* Indirect descriptors were not offered: accepting them is refused. */
	wr(VIRTIO_MMIO_Status, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DriverFeaturesSel, 0);
	wr(VIRTIO_MMIO_DriverFeatures, 1u << VIRTIO_F_RING_INDIRECT_DESC);
	wr(VIRTIO_MMIO_DriverFeaturesSel, 1);
	wr(VIRTIO_MMIO_DriverFeatures, 1);
	wr(VIRTIO_MMIO_Status,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	CHECK(!(rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_FEATURES_OK));
}

static void output_in_order(void)
{
	up();
	/* A chain of two buffers, then a chain of one. */
	memcpy(at(BUF), "hello ", 6);
	memcpy(at(BUF + 0x100), "world", 5);
	desc(VCONS_TRANSMITQ, 0, BUF, 6, VIRTQ_DESC_F_NEXT, 1);
	desc(VCONS_TRANSMITQ, 1, BUF + 0x100, 5, 0, 0);
	publish(VCONS_TRANSMITQ, 0);
	tx_one(2, 0x200, "!\n");
	wr(VIRTIO_MMIO_QueueNotify, VCONS_TRANSMITQ);
	CHECK_EQ(out_len, 13);
	CHECK(!memcmp(outbuf, "hello world!\n", 13));
	CHECK_EQ(used_idx(VCONS_TRANSMITQ), 2);
	CHECK_EQ(used_id(VCONS_TRANSMITQ, 0), 0);
	CHECK_EQ(used_len(VCONS_TRANSMITQ, 0), 0); /* nothing written */
	CHECK_EQ(used_id(VCONS_TRANSMITQ, 1), 2);
	CHECK(rd(VIRTIO_MMIO_InterruptStatus) & VIRTIO_MMIO_INT_VRING);
	CHECK(virtio_mmio_irq_level(&dev.mmio));
	ack();
	CHECK(!virtio_mmio_irq_level(&dev.mmio));
	/* The driver asks for no interrupt (2.7.7): none. */
	le_put16(at(AVAIL(VCONS_TRANSMITQ)), VIRTQ_AVAIL_F_NO_INTERRUPT);
	tx_one(3, 0x300, "quiet");
	wr(VIRTIO_MMIO_QueueNotify, VCONS_TRANSMITQ);
	CHECK_EQ(out_len, 18);
	CHECK_EQ(used_idx(VCONS_TRANSMITQ), 3);
	CHECK(!virtio_mmio_irq_level(&dev.mmio));
	CHECK(!needs_reset());
	CHECK(!vcons_take_again(&dev));
	/* A notification with nothing new does nothing. */
	wr(VIRTIO_MMIO_QueueNotify, VCONS_TRANSMITQ);
	CHECK_EQ(out_len, 18);
	CHECK_EQ(used_idx(VCONS_TRANSMITQ), 3);
}

static void output_with_event_idx(void)
{
	fresh();
	driver_up(F_VERSION_1 | F_EVENT_IDX);
	/* used_event = 1: an interrupt only once used index passes 1. */
	le_put16(at(AVAIL(VCONS_TRANSMITQ) + 4 + 2 * NUM), 1);
	tx_one(0, 0, "a");
	wr(VIRTIO_MMIO_QueueNotify, VCONS_TRANSMITQ);
	CHECK(!virtio_mmio_irq_level(&dev.mmio));
	tx_one(1, 0x100, "b");
	wr(VIRTIO_MMIO_QueueNotify, VCONS_TRANSMITQ);
	CHECK(virtio_mmio_irq_level(&dev.mmio));
	CHECK_EQ(out_len, 2);
	CHECK(!memcmp(outbuf, "ab", 2));
}

static void output_refusals(void)
{
	/* A device-writable buffer in a transmitq chain (5.3.6.1): nothing of
	 * the chain goes out, the device needs a reset. */
	up();
	memcpy(at(BUF), "leak", 4);
	desc(VCONS_TRANSMITQ, 0, BUF, 4, VIRTQ_DESC_F_NEXT, 1);
	desc(VCONS_TRANSMITQ, 1, BUF + 0x100, 4, VIRTQ_DESC_F_WRITE, 0);
	publish(VCONS_TRANSMITQ, 0);
	wr(VIRTIO_MMIO_QueueNotify, VCONS_TRANSMITQ);
	CHECK_EQ(out_len, 0);
	CHECK_EQ(used_idx(VCONS_TRANSMITQ), 0);
	CHECK(needs_reset());
	CHECK(rd(VIRTIO_MMIO_InterruptStatus) & VIRTIO_MMIO_INT_CONFIG);
	CHECK(!strcmp(vcons_strerror(&dev),
		      "device-writable buffer in a transmitq chain"));
	/* Nothing more happens until the reset... */
	tx_one(2, 0x200, "late");
	wr(VIRTIO_MMIO_QueueNotify, VCONS_TRANSMITQ);
	CHECK_EQ(out_len, 0);
	/* ...after which the device works again. */
	driver_up(F_VERSION_1);
	CHECK(!needs_reset());
	CHECK(!strcmp(vcons_strerror(&dev), "ok"));
	tx_one(0, 0, "again");
	wr(VIRTIO_MMIO_QueueNotify, VCONS_TRANSMITQ);
	CHECK_EQ(out_len, 5);

	/* A buffer outside RAM. */
	up();
	desc(VCONS_TRANSMITQ, 0, RAM_IPA + RAM_SIZE - 2, 4, 0, 0);
	publish(VCONS_TRANSMITQ, 0);
	wr(VIRTIO_MMIO_QueueNotify, VCONS_TRANSMITQ);
	CHECK_EQ(out_len, 0);
	CHECK(needs_reset());
	CHECK(!strcmp(vcons_strerror(&dev), virtq_strerror(VIRTQ_E_BUF)));

	/* A descriptor loop. */
	up();
	desc(VCONS_TRANSMITQ, 0, BUF, 1, VIRTQ_DESC_F_NEXT, 1);
	desc(VCONS_TRANSMITQ, 1, BUF, 1, VIRTQ_DESC_F_NEXT, 0);
	publish(VCONS_TRANSMITQ, 0);
	wr(VIRTIO_MMIO_QueueNotify, VCONS_TRANSMITQ);
	CHECK_EQ(out_len, 0);
	CHECK(needs_reset());
	CHECK(!strcmp(vcons_strerror(&dev), virtq_strerror(VIRTQ_E_LOOP)));

	/* An indirect descriptor, not negotiated. */
	up();
	desc(VCONS_TRANSMITQ, 0, BUF, 16, VIRTQ_DESC_F_INDIRECT, 0);
	publish(VCONS_TRANSMITQ, 0);
	wr(VIRTIO_MMIO_QueueNotify, VCONS_TRANSMITQ);
	CHECK(needs_reset());
	CHECK(!strcmp(vcons_strerror(&dev), virtq_strerror(VIRTQ_E_INDIRECT)));

	/* The available index jumping past the queue's size; the first
	 * reason is kept. */
	up();
	le_put16(at(AVAIL(VCONS_TRANSMITQ) + 2), NUM + 1);
	wr(VIRTIO_MMIO_QueueNotify, VCONS_TRANSMITQ);
	CHECK(needs_reset());
	CHECK(!strcmp(vcons_strerror(&dev), virtq_strerror(VIRTQ_E_AVAIL_IDX)));
	le_put16(at(AVAIL(VCONS_RECEIVEQ) + 2), NUM + 5);
	CHECK_EQ(input("x"), 1);
	CHECK(!strcmp(vcons_strerror(&dev), virtq_strerror(VIRTQ_E_AVAIL_IDX)));
	CHECK_EQ(out_len, 0);
}

/* Chains refilled while they are served: a queue's size per notification,
 * then the write is to be made again, and the rest is served then. */
static void output_budget(void)
{
	up();
	refill();
	refill_in_out = true;
	wr(VIRTIO_MMIO_QueueNotify, VCONS_TRANSMITQ);
	CHECK_EQ(out_calls, NUM);
	CHECK(vcons_take_again(&dev));
	CHECK(!vcons_take_again(&dev)); /* cleared by the asking */
	refill_in_out = false;
	wr(VIRTIO_MMIO_QueueNotify, VCONS_TRANSMITQ);
	CHECK_EQ(out_calls, NUM + 1);
	CHECK(!vcons_take_again(&dev));
	CHECK(!needs_reset());
}

static void input_to_posted_buffers(void)
{
	up();
	rx_post(0, 0, 4);
	rx_post(1, 0x100, 16);
	wr(VIRTIO_MMIO_QueueNotify, VCONS_RECEIVEQ);
	/* Nothing held: no buffer used yet, no interrupt. */
	CHECK_EQ(used_idx(VCONS_RECEIVEQ), 0);
	CHECK(!virtio_mmio_irq_level(&dev.mmio));
	CHECK_EQ(input("abcdef"), 6);
	CHECK_EQ(vcons_held(&dev), 0);
	CHECK_EQ(used_idx(VCONS_RECEIVEQ), 2);
	CHECK_EQ(used_id(VCONS_RECEIVEQ, 0), 0);
	CHECK_EQ(used_len(VCONS_RECEIVEQ, 0), 4);
	CHECK_EQ(used_id(VCONS_RECEIVEQ, 1), 1);
	CHECK_EQ(used_len(VCONS_RECEIVEQ, 1), 2);
	CHECK(!memcmp(at(BUF), "abcd", 4));
	CHECK(!memcmp(at(BUF + 0x100), "ef", 2));
	CHECK_EQ(at(BUF + 0x102)[0], 0); /* nothing past the used length */
	CHECK(virtio_mmio_irq_level(&dev.mmio));
	/* A chain of two writable buffers is filled across both. */
	ack();
	desc(VCONS_RECEIVEQ, 2, BUF + 0x200, 2, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
	     3);
	desc(VCONS_RECEIVEQ, 3, BUF + 0x300, 8, VIRTQ_DESC_F_WRITE, 0);
	publish(VCONS_RECEIVEQ, 2);
	wr(VIRTIO_MMIO_QueueNotify, VCONS_RECEIVEQ);
	CHECK_EQ(input("xyz"), 3);
	CHECK_EQ(used_idx(VCONS_RECEIVEQ), 3);
	CHECK_EQ(used_id(VCONS_RECEIVEQ, 2), 2);
	CHECK_EQ(used_len(VCONS_RECEIVEQ, 2), 3);
	CHECK(!memcmp(at(BUF + 0x200), "xy", 2));
	CHECK_EQ(at(BUF + 0x300)[0], 'z');
	CHECK(!needs_reset());
}

static void input_waits_for_buffers(void)
{
	/* Before the driver is there at all, and before DRIVER_OK: held. */
	fresh();
	CHECK_EQ(input("early "), 6);
	CHECK_EQ(vcons_held(&dev), 6);
	driver_up(F_VERSION_1);
	CHECK_EQ(input("bird"), 4);
	CHECK_EQ(vcons_held(&dev), 10);
	/* Buffers posted and notified: in they go, in order. */
	rx_post(0, 0, 64);
	wr(VIRTIO_MMIO_QueueNotify, VCONS_RECEIVEQ);
	CHECK_EQ(vcons_held(&dev), 0);
	CHECK_EQ(used_len(VCONS_RECEIVEQ, 0), 10);
	CHECK(!memcmp(at(BUF), "early bird", 10));
	/* Posted without a notification: vcons_deliver() finds them. */
	CHECK_EQ(input("late"), 4);
	CHECK_EQ(vcons_held(&dev), 4);
	rx_post(1, 0x100, 64);
	vcons_deliver(&dev);
	CHECK_EQ(vcons_held(&dev), 0);
	CHECK(!memcmp(at(BUF + 0x100), "late", 4));
	CHECK_EQ(vcons_input_dropped(&dev), 0);
	/* A driver reset keeps held input for the next driver. */
	CHECK_EQ(input("kept"), 4);
	wr(VIRTIO_MMIO_Status, 0);
	CHECK_EQ(vcons_held(&dev), 4);
	driver_up(F_VERSION_1);
	rx_post(0, 0, 64);
	wr(VIRTIO_MMIO_QueueNotify, VCONS_RECEIVEQ);
	CHECK_EQ(vcons_held(&dev), 0);
	CHECK(!memcmp(at(BUF), "kept", 4));
}

/* More input than the device holds: the first VCONS_INPUT_SIZE bytes wait
 * and arrive in order, the rest is refused, and the count of refused bytes
 * is given once, after the guest has taken everything held. */
static void input_overflow(void)
{
	static uint8_t in[6000];
	size_t got = 0;
	bool order_ok = true;

	up();
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)('a' + i % 26);
	CHECK_EQ(vcons_input(&dev, in, 3000), 3000);
	CHECK_EQ(vcons_input(&dev, in + 3000, 3000), VCONS_INPUT_SIZE - 3000);
	CHECK_EQ(vcons_held(&dev), VCONS_INPUT_SIZE);
	CHECK_EQ(vcons_input(&dev, in, 1), 0);
	/* Not reported while the guest has not caught up. */
	CHECK_EQ(vcons_input_dropped(&dev), 0);
	/* The guest reads in 1 KiB buffers, four at a time. */
	while (vcons_held(&dev)) {
		for (unsigned i = 0; i < 4; i++)
			rx_post(i, 0x400ull * i, 0x400);
		wr(VIRTIO_MMIO_QueueNotify, VCONS_RECEIVEQ);
		for (; used_seen[0] != used_idx(VCONS_RECEIVEQ); used_seen[0]++) {
			uint32_t id = used_id(VCONS_RECEIVEQ, used_seen[0]);
			uint32_t len = used_len(VCONS_RECEIVEQ, used_seen[0]);

			CHECK(id < 4 && len <= 0x400);
			for (uint32_t j = 0; j < len && id < 4; j++, got++)
				if (at(BUF + 0x400ull * id)[j] != in[got % sizeof(in)])
					order_ok = false;
		}
		if (vcons_held(&dev))
			CHECK_EQ(vcons_input_dropped(&dev), 0);
	}
	CHECK_EQ(got, VCONS_INPUT_SIZE);
	CHECK(order_ok);
	CHECK_EQ(vcons_input_dropped(&dev), 6000 + 1 - VCONS_INPUT_SIZE);
	CHECK_EQ(vcons_input_dropped(&dev), 0); /* once */
	/* Room again. */
	CHECK_EQ(input("ok"), 2);
}

static void input_refusals(void)
{
	/* A device-readable buffer in a receiveq chain (5.3.6.1). */
	up();
	desc(VCONS_RECEIVEQ, 0, BUF, 4, VIRTQ_DESC_F_NEXT, 1);
	desc(VCONS_RECEIVEQ, 1, BUF + 0x100, 4, VIRTQ_DESC_F_WRITE, 0);
	publish(VCONS_RECEIVEQ, 0);
	wr(VIRTIO_MMIO_QueueNotify, VCONS_RECEIVEQ);
	CHECK(!needs_reset()); /* nothing to put in it yet */
	CHECK_EQ(input("abc"), 3);
	CHECK(needs_reset());
	CHECK(!strcmp(vcons_strerror(&dev),
		      "device-readable buffer in a receiveq chain"));
	CHECK_EQ(used_idx(VCONS_RECEIVEQ), 0);
	CHECK_EQ(at(BUF + 0x100)[0], 0);
	/* The input stays held for the device after its reset. */
	CHECK_EQ(vcons_held(&dev), 3);
	driver_up(F_VERSION_1);
	rx_post(0, 0, 8);
	wr(VIRTIO_MMIO_QueueNotify, VCONS_RECEIVEQ);
	CHECK_EQ(vcons_held(&dev), 0);
	CHECK(!memcmp(at(BUF), "abc", 3));

	/* A receive buffer reaching past RAM. */
	up();
	desc(VCONS_RECEIVEQ, 0, RAM_IPA + RAM_SIZE - 1, 2, VIRTQ_DESC_F_WRITE, 0);
	publish(VCONS_RECEIVEQ, 0);
	CHECK_EQ(input("q"), 1);
	CHECK(needs_reset());
	CHECK(!strcmp(vcons_strerror(&dev), virtq_strerror(VIRTQ_E_BUF)));
	CHECK_EQ(ram_buf[RAM_SIZE - 1], 0);
	CHECK_EQ(vcons_held(&dev), 1);

	/* A notification for a queue that does not exist: the transport's. */
	up();
	wr(VIRTIO_MMIO_QueueNotify, 2);
	CHECK(needs_reset());
	CHECK(!strcmp(vcons_strerror(&dev), "ok"));
}

int main(void)
{
	RUN(identifies_itself);
	RUN(output_in_order);
	RUN(output_with_event_idx);
	RUN(output_refusals);
	RUN(output_budget);
	RUN(input_to_posted_buffers);
	RUN(input_waits_for_buffers);
	RUN(input_overflow);
	RUN(input_refusals);
	UNIT_DONE();
}
