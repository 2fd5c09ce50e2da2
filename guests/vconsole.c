/*
 * Test guest: the VM's virtio console (hyp/vdev/vconsole.c), through the
 * test guests' driver (guests/rt/virtio_console.c), for
 * tests/system/test_vconsole.sh, which boots it with `--console virtio`
 * so that the keyboard's input comes to this device. The device serves a
 * chain within the trapped QueueNotify write, so the used ring has moved
 * when the write returns: no interrupt is needed.
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

#include <arch/sysreg.h>
#include <lib/fmt.h>

#include "rt/rt.h"
#include "rt/virtio_console.h"

static struct vb_rings rings[2];
static struct vc_dev dev;
static uint8_t rxbuf[1024] __attribute__((aligned(16)));
static char txbuf[256] __attribute__((aligned(16)));

static void say(const char *s)
{
	size_t n = strlen(s);

	memcpy(txbuf, s, n);
	vc_publish(&dev, VC_TX, (uintptr_t)txbuf, (uint32_t)n, false);
	vc_notify(&dev, VC_TX);
	GCHECK(vc_used_new(&dev, VC_TX) == 1, "output not used at once");
	if (vc_used_new(&dev, VC_TX) == 1)
		GCHECK(vc_take_used(&dev, VC_TX) == 0, "output used with a length");
}

/* Posts a buffer of len bytes; the bytes the device put in it at once. */
static uint32_t receive(uint32_t len)
{
	vc_publish(&dev, VC_RX, (uintptr_t)rxbuf, len, true);
	vc_notify(&dev, VC_RX);
	return vc_used_new(&dev, VC_RX) ? vc_take_used(&dev, VC_RX) : 0;
}

/* Waits for the posted buffer to be used (input typed): its length. */
static uint32_t wait_used(uint64_t seconds)
{
	uint64_t end = read_sysreg(cntvct_el0) + read_sysreg(cntfrq_el0) * seconds;

	while (!vc_used_new(&dev, VC_RX) && read_sysreg(cntvct_el0) < end)
		;
	return vc_used_new(&dev, VC_RX) ? vc_take_used(&dev, VC_RX) : 0;
}

void guest_main(uint64_t dt)
{
	const char *why = vc_init(&dev, VC_BASE, rings);
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
	GCHECK(dev.avail_idx[VC_RX] == dev.used_seen[VC_RX], "a buffer left posted");
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
