/*
 * Test guest: the VM's virtio console (hyp/vdev/vconsole.c), driven by a
 * driver written here from virtio 1.2 (3.1.1 set-up, 2.7 split rings,
 * 4.2 virtio-mmio, 5.3 console), for tests/system/test_vconsole.sh, which
 * boots it with `--console virtio` so that the keyboard's input comes to
 * this device. The device serves a chain within the trapped QueueNotify
 * write, so the used ring has moved when the write returns: no interrupt
 * is needed.
 *
 * Lines, through the virtio console:
 *   vconsole: esc: ESC[31mred ESC[0m (an ESC sequence, to be escaped)
 *   vconsole: ready          then it echoes the line typed at it:
 *   vconsole: got 'LINE'
 *   vconsole: quiet          then it takes one byte, posts no buffer for
 *                            three seconds while the test types 6 000
 *                            bytes ('a' to 'z' over and over), then reads
 *                            until the device holds nothing more:
 *   vconsole: N bytes, M out of order
 * The first byte and the 4 096 the device holds must arrive, in order;
 * the hypervisor logs the rest as dropped, in the PL011's words.
 */
#include <stddef.h>
#include <string.h>

#include <arch/mmio.h>
#include <arch/sysreg.h>

#include <hyp/virtio/console.h>
#include <hyp/virtio/mmio_regs.h>
#include <lib/fmt.h>

#include "rt/rt.h"
#include "rt/virtio_blk.h"

/* Slot 4 (VCONSOLE_SLOT) of the VM's virtio-mmio transports. */
#define CONS_BASE 0x0a000800ul
#define QSIZE 8u
#define RX 0u
#define TX 1u

static struct vb_rings rings[2];
static uint8_t rxbuf[1024] __attribute__((aligned(16)));
static char txbuf[256] __attribute__((aligned(16)));
static uint16_t avail_idx[2], used_seen[2];

static uint32_t rd(uint32_t off)
{
	return mmio_read32(CONS_BASE + off);
}

static void wr(uint32_t off, uint32_t v)
{
	mmio_write32(CONS_BASE + off, v);
}

static void barrier(void)
{
	__asm__ volatile("dmb sy" ::: "memory");
}

static const char *setup(void)
{
	uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	if (rd(VIRTIO_MMIO_MagicValue) != VIRTIO_MMIO_MAGIC ||
	    rd(VIRTIO_MMIO_Version) != VIRTIO_MMIO_VERSION ||
	    rd(VIRTIO_MMIO_DeviceID) != VIRTIO_ID_CONSOLE)
		return "no virtio-mmio v2 console at slot 4";
	wr(VIRTIO_MMIO_Status, 0);
	wr(VIRTIO_MMIO_Status, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_Status, st);
	wr(VIRTIO_MMIO_DeviceFeaturesSel, 0);
	/* 5.3.3: none of the console's features is offered. */
	if (rd(VIRTIO_MMIO_DeviceFeatures) & 7u)
		return "console features offered";
	wr(VIRTIO_MMIO_DriverFeaturesSel, 0);
	wr(VIRTIO_MMIO_DriverFeatures, 0);
	wr(VIRTIO_MMIO_DriverFeaturesSel, 1);
	wr(VIRTIO_MMIO_DriverFeatures, 1); /* VIRTIO_F_VERSION_1 */
	st |= VIRTIO_STATUS_FEATURES_OK;
	wr(VIRTIO_MMIO_Status, st);
	if (!(rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_FEATURES_OK))
		return "FEATURES_OK refused";
	for (unsigned q = 0; q < 2; q++) {
		struct vb_rings *r = &rings[q];

		wr(VIRTIO_MMIO_QueueSel, q);
		if (rd(VIRTIO_MMIO_QueueNumMax) < QSIZE)
			return "queue too small";
		wr(VIRTIO_MMIO_QueueNum, QSIZE);
		wr(VIRTIO_MMIO_QueueDescLow, (uint32_t)(uintptr_t)r->desc);
		wr(VIRTIO_MMIO_QueueDescHigh, 0);
		wr(VIRTIO_MMIO_QueueDriverLow, (uint32_t)(uintptr_t)&r->avail);
		wr(VIRTIO_MMIO_QueueDriverHigh, 0);
		wr(VIRTIO_MMIO_QueueDeviceLow, (uint32_t)(uintptr_t)&r->used);
		wr(VIRTIO_MMIO_QueueDeviceHigh, 0);
		wr(VIRTIO_MMIO_QueueReady, 1);
		if (rd(VIRTIO_MMIO_QueueReady) != 1)
			return "queue refused";
	}
	wr(VIRTIO_MMIO_Status, st | VIRTIO_STATUS_DRIVER_OK);
	if (rd(VIRTIO_MMIO_Status) & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		return "device needs a reset";
	return 0;
}

static uint16_t used_new(unsigned q)
{
	return (uint16_t)(((volatile struct vb_used *)&rings[q].used)->idx - used_seen[q]);
}

/* One buffer as chain 0 of queue q, published and notified. */
static void kick(unsigned q, uintptr_t buf, uint32_t len, bool writable)
{
	volatile struct vb_rings *r = &rings[q];

	r->desc[0] = (struct vb_desc){buf, len, writable ? VIRTQ_DESC_F_WRITE : 0, 0};
	r->avail.ring[avail_idx[q] % QSIZE] = 0;
	barrier();
	r->avail.idx = ++avail_idx[q];
	barrier();
	wr(VIRTIO_MMIO_QueueNotify, q);
}

/* The used element the device just added to q: its length. */
static uint32_t take_used(unsigned q)
{
	volatile struct vb_used *u = &rings[q].used;
	uint32_t len;

	barrier();
	len = u->ring[used_seen[q] % QSIZE].len;
	used_seen[q]++;
	wr(VIRTIO_MMIO_InterruptACK, rd(VIRTIO_MMIO_InterruptStatus));
	return len;
}

static void say(const char *s)
{
	size_t n = strlen(s);

	memcpy(txbuf, s, n);
	kick(TX, (uintptr_t)txbuf, (uint32_t)n, false);
	GCHECK(used_new(TX) == 1, "output not used at once");
	if (used_new(TX) == 1)
		GCHECK(take_used(TX) == 0, "output used with a length");
}

/* Posts a buffer of len bytes; the bytes the device put in it at once. */
static uint32_t receive(uint32_t len)
{
	kick(RX, (uintptr_t)rxbuf, len, true);
	return used_new(RX) ? take_used(RX) : 0;
}

/* Waits for the posted buffer to be used (input typed): its length. */
static uint32_t wait_used(uint64_t seconds)
{
	uint64_t end = read_sysreg(cntvct_el0) + read_sysreg(cntfrq_el0) * seconds;

	while (!used_new(RX) && read_sysreg(cntvct_el0) < end)
		;
	return used_new(RX) ? take_used(RX) : 0;
}

void guest_main(uint64_t dt)
{
	const char *why = setup();
	char line[64];
	size_t n = 0;
	unsigned long got = 0, wrong = 0;
	uint32_t len;
	uint64_t end;

	(void)dt;
	GCHECK(!why, "set-up: %s", why);
	if (why)
		guest_finish("vconsole");
	/* An ESC: a shared console shows it escaped, as the PL011's. */
	say("vconsole: esc: \x1b[31mred\x1b[0m\n");
	say("vconsole: ready\n");
	/* A line, a buffer at a time: none is left posted at its end. */
	while (n < sizeof(line) - 1) {
		len = receive(sizeof(rxbuf));
		if (!len)
			len = wait_used(60);
		if (!len)
			break; /* 60 s without input */
		for (uint32_t i = 0; i < len && n < sizeof(line) - 1; i++) {
			if (rxbuf[i] == '\r' || rxbuf[i] == '\n')
				goto got_line;
			line[n++] = (char)rxbuf[i];
		}
	}
got_line:
	line[n] = 0;
	GCHECK(used_new(RX) == 0 && avail_idx[RX] == used_seen[RX], "a buffer left posted");
	fmt_snprintf(txbuf, sizeof(txbuf), "vconsole: got '%s'\n", line);
	say(txbuf);

	/* The flood: one byte, three seconds without buffers, then all the
	 * device held. */
	say("vconsole: quiet\n");
	len = receive(1);
	if (!len)
		len = wait_used(60);
	if (len) {
		wrong += rxbuf[0] != 'a';
		got = 1;
	}
	end = read_sysreg(cntvct_el0) + read_sysreg(cntfrq_el0) * 3;
	while (read_sysreg(cntvct_el0) < end)
		;
	while ((len = receive(sizeof(rxbuf))) != 0) {
		for (uint32_t i = 0; i < len; i++, got++)
			wrong += rxbuf[i] != (uint8_t)('a' + got % 26);
	}
	fmt_snprintf(txbuf, sizeof(txbuf), "vconsole: %lu bytes, %lu out of order\n", got,
		     wrong);
	say(txbuf);
	GCHECK(got && !wrong, "input lost or reordered");
	guest_finish("vconsole");
}

void guest_secondary(uint64_t ctx)
{
	(void)ctx;
	guest_exit(98);
}
