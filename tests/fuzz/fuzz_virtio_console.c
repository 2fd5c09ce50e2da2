/*
 * libFuzzer target for the virtio console device (hyp/virtio/console.c)
 * behind its transport (hyp/virtio/mmio_dev.c) on the split ring
 * (hyp/virtio/virtq.c): a sequence of operations read from the input, on
 * a VM's RAM of 64 KiB whose bytes the input also writes (rings,
 * descriptors, indexes, buffers, at any time, as a hostile driver on
 * another vCPU could):
 *   register reads and writes of any offset, size and value; a bring-up
 *   that negotiates and sets both queues (at a canonical layout, or at
 *   input-chosen addresses and sizes), and DRIVER_OK; descriptors written
 *   into the canonical layout (any address from the buffer area on, even
 *   past RAM, any length, flags and next) and chains made available with
 *   a notification; console input of any length; vcons_deliver(); pokes
 *   of RAM.
 * What must hold after every step:
 * - output reaches the callback only as n > 0 bytes wholly inside RAM
 *   (every byte read, so ASan sees any overrun);
 * - vcons_input() takes exactly what the held buffer has room for, no
 *   more than it is given, and held input never exceeds VCONS_INPUT_SIZE
 *   nor grows by more than what was taken;
 * - the refused bytes vcons_input_dropped() reports never exceed those
 *   refused, and it reports nothing while input is held;
 * - while the device is in DEVICE_NEEDS_RESET because of itself, its
 *   reason is one of its own (never "unknown error");
 * - vcons_take_again() is set only by a QueueNotify write;
 * and nothing is read or written outside the RAM buffer (an exact-size
 * heap allocation) or the device.
 *
 * fuzz-libs: hyp/virtio/console.c hyp/virtio/mmio_dev.c hyp/virtio/virtq.c
 */
#include <hyp/virtio/console.h>

#include "fuzz.h"

#define RAM_IPA 0x40000000ull
#define RAM_SIZE 0x10000u

static uint8_t *ram_buf;
static struct guest_ram ram;
static struct vcons dev;
static uint64_t out_bytes;

static void out(void *ctx, const uint8_t *p, size_t n)
{
	volatile uint8_t sum = 0;

	FUZZ_CHECK(ctx == &dev, "context %p", ctx);
	FUZZ_CHECK(n > 0 && p >= ram_buf && (size_t)(p - ram_buf) <= RAM_SIZE - n,
		   "output of %zu bytes at RAM offset %td", n, p - ram_buf);
	for (size_t i = 0; i < n; i++)
		sum += p[i];
	out_bytes += n;
}

/* The canonical ring layout the structured operations write: queue q's
 * table at CANON(q), its available ring 0x400 and used ring 0x800 after,
 * CANON_NUM entries; buffers from BUFS. */
#define CANON(q) (0x1000u * (q))
#define CANON_NUM 8u
#define BUFS 0x4000u
static uint16_t avail_idx[2];

static void put16(uint32_t off, uint16_t v)
{
	ram_buf[off] = (uint8_t)v;
	ram_buf[off + 1] = (uint8_t)(v >> 8);
}

static void wr(uint32_t off, uint32_t v)
{
	virtio_mmio_write(&dev.mmio, off, 4, v);
}

/* Negotiation and both queues at addresses and sizes from the input,
 * then DRIVER_OK: the state the rest mostly wants to reach. */
static void bring_up(struct fz *f)
{
	uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	uint8_t feat = (uint8_t)fz_take(f, 1);

	wr(VIRTIO_MMIO_Status, 0);
	wr(VIRTIO_MMIO_Status, st);
	wr(VIRTIO_MMIO_DriverFeaturesSel, 0);
	wr(VIRTIO_MMIO_DriverFeatures, feat & 1 ? 1u << VIRTIO_F_RING_EVENT_IDX : 0);
	wr(VIRTIO_MMIO_DriverFeaturesSel, 1);
	wr(VIRTIO_MMIO_DriverFeatures, 1);
	st |= VIRTIO_STATUS_FEATURES_OK;
	wr(VIRTIO_MMIO_Status, st);
	for (unsigned q = 0; q < 2; q++) {
		uint32_t num = CANON_NUM;
		uint64_t desc = RAM_IPA + CANON(q), avail = desc + 0x400,
			 used = desc + 0x800;

		/* Mostly the canonical layout; else anything. */
		if (feat & 2) {
			num = (uint32_t)fz_take(f, 1) % (VCONS_QUEUE_MAX + 1);
			desc = RAM_IPA + (fz_take(f, 2) & ~15ull);
			avail = RAM_IPA + (fz_take(f, 2) & ~1ull);
			used = RAM_IPA + (fz_take(f, 2) & ~3ull);
		}
		avail_idx[q] = 0;
		put16(CANON(q) + 0x400 + 2, 0);

		wr(VIRTIO_MMIO_QueueSel, q);
		wr(VIRTIO_MMIO_QueueNum, num);
		wr(VIRTIO_MMIO_QueueDescLow, (uint32_t)desc);
		wr(VIRTIO_MMIO_QueueDescHigh, 0);
		wr(VIRTIO_MMIO_QueueDriverLow, (uint32_t)avail);
		wr(VIRTIO_MMIO_QueueDriverHigh, 0);
		wr(VIRTIO_MMIO_QueueDeviceLow, (uint32_t)used);
		wr(VIRTIO_MMIO_QueueDeviceHigh, 0);
		wr(VIRTIO_MMIO_QueueReady, 1);
	}
	wr(VIRTIO_MMIO_Status, st | VIRTIO_STATUS_DRIVER_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	uint64_t refused = 0, reported = 0;
	static uint8_t inbuf[8192];

	if (!ram_buf) {
		ram_buf = malloc(RAM_SIZE);
		if (!ram_buf)
			abort();
	}
	memset(ram_buf, 0, RAM_SIZE);
	ram = (struct guest_ram){RAM_IPA, RAM_SIZE, 0x80000000ull, ram_buf};
	FUZZ_CHECK(vcons_init(&dev, &ram, out, &dev), "init refused");
	out_bytes = 0;
	for (unsigned steps = 0; f.n && steps < 256; steps++) {
		uint8_t op = (uint8_t)fz_take(&f, 1);
		bool notify_write = false;
		unsigned held = vcons_held(&dev);
		uint32_t got;

		switch (op % 8) {
		case 0: { /* a register write */
			uint32_t off = (uint32_t)fz_take(&f, 2) % 0x140;
			unsigned sz = 1u << (fz_take(&f, 1) % 4);
			uint64_t val = fz_take(&f, 4);

			notify_write = off == VIRTIO_MMIO_QueueNotify;
			virtio_mmio_write(&dev.mmio, off, sz, val);
			break;
		}
		case 1: { /* a register read */
			uint32_t off = (uint32_t)fz_take(&f, 2) % 0x140;
			unsigned sz = 1u << (fz_take(&f, 1) % 4);
			uint64_t val;

			virtio_mmio_read(&dev.mmio, off, sz, &val);
			break;
		}
		case 2: { /* console input */
			size_t n = (size_t)fz_take(&f, 2) % sizeof(inbuf), take;
			size_t room = VCONS_INPUT_SIZE - held;

			for (size_t i = 0; i < n; i++)
				inbuf[i] = (uint8_t)(i + steps);
			take = vcons_input(&dev, inbuf, n);
			FUZZ_CHECK(take == (n < room ? n : room),
				   "took %zu of %zu, room %zu", take, n, room);
			FUZZ_CHECK(vcons_held(&dev) <= held + take,
				   "held %u from %u + %zu", vcons_held(&dev), held, take);
			refused += n - take;
			break;
		}
		case 3:
			vcons_deliver(&dev);
			FUZZ_CHECK(vcons_held(&dev) <= held, "deliver grew held input");
			break;
		case 4: { /* the driver writes its RAM */
			uint32_t off = (uint32_t)fz_take(&f, 2) % RAM_SIZE;
			uint32_t len = (uint32_t)fz_take(&f, 1);

			for (uint32_t i = 0; i < len && off + i < RAM_SIZE; i++)
				ram_buf[off + i] = (uint8_t)fz_take(&f, 1);
			break;
		}
		case 5:
			bring_up(&f);
			break;
		case 6: { /* a descriptor of the canonical layout */
			unsigned q = op >> 7, i = (unsigned)fz_take(&f, 1) % CANON_NUM;
			uint32_t at = CANON(q) + 16 * i;
			uint64_t addr = RAM_IPA + BUFS + fz_take(&f, 2);
			uint16_t len = (uint16_t)fz_take(&f, 2);

			for (unsigned b = 0; b < 8; b++)
				ram_buf[at + b] = (uint8_t)(addr >> (8 * b));
			put16(at + 8, len);
			put16(at + 10, 0);
			put16(at + 12, (uint16_t)(fz_take(&f, 1) & 7));
			put16(at + 14, (uint16_t)(fz_take(&f, 1) % (CANON_NUM + 1)));
			break;
		}
		case 7: { /* a chain made available, and the notification */
			unsigned q = op >> 7;
			uint16_t head = (uint16_t)(fz_take(&f, 1) % (CANON_NUM + 1));

			put16(CANON(q) + 0x400 + 4 + 2 * (avail_idx[q] % CANON_NUM),
			      head);
			put16(CANON(q) + 0x400 + 2, ++avail_idx[q]);
			notify_write = true;
			wr(VIRTIO_MMIO_QueueNotify, q);
			break;
		}
		}
		FUZZ_CHECK(vcons_held(&dev) <= VCONS_INPUT_SIZE, "held %u",
			   vcons_held(&dev));
		if (vcons_take_again(&dev))
			FUZZ_CHECK(notify_write, "again without a QueueNotify write");
		if (dev.mmio.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET &&
		    dev.mmio.fault.why == VIRTIO_MMIO_FAULT_DEVICE)
			FUZZ_CHECK(strcmp(vcons_strerror(&dev), "unknown error") &&
					   strcmp(vcons_strerror(&dev), "ok"),
				   "device fault without a reason");
		got = vcons_input_dropped(&dev);
		if (got)
			FUZZ_CHECK(!vcons_held(&dev), "reported %u while input is held",
				   got);
		reported += got;
		FUZZ_CHECK(reported <= refused, "reported %llu of %llu refused",
			   (unsigned long long)reported, (unsigned long long)refused);
	}
	return 0;
}
