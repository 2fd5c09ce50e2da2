/*
 * libFuzzer target for the emulated PL011 (hyp/vdev/pl011_model.c): a sequence of
 * guest reads and writes of every size at every offset of the 4 KiB frame
 * (aimed at the registers most of the time), bytes arriving on the line
 * (some echoed back from the transmitter, as a terminal does), idle
 * periods, firmware setup and resets. What must hold after every step:
 * - both FIFO levels stay within their depth, the indexes within the
 *   arrays, and the bytes held back within the transmit level;
 * - an access is refused exactly when it is not a 1, 2 or 4-byte naturally
 *   aligned one inside the frame, and a refused read returns 0;
 * - UARTFR's RXFE and TXFE agree with the levels it was read at;
 * - pl011_emu_rx_room() bytes are taken without loss, and no more than
 *   the FIFO can hold;
 * - the interrupt line is the OR of the unmasked raw interrupts, all of
 *   them among the eleven defined;
 * - every byte the guest wrote to UARTDR has left the transmitter, or
 *   waits in the FIFO for a transmitter that is off (output is never
 *   lost, even written while TXFF is set), unless the guest flushed the
 *   FIFO (FEN cleared) or looped the transmitter back;
 * - console input is lost only when the 4 KiB buffer is full, and the
 *   buffer's level and head stay within it;
 * - the counter (advanced by the input, at a frequency from the input,
 *   0 included) moves the FIFO's level only down;
 * - the quick forms of a UARTFR, UARTRIS or UARTMIS read and a UARTDR,
 *   UARTICR or UARTIMSC write, tried first on a
 *   copy, either decline and change nothing or end in the state the full
 *   call leaves, with its value and the byte it sent;
 * and nothing is accessed outside the struct pl011_emu (exact size, ASan).
 *
 * fuzz-libs: hyp/vdev/pl011_model.c
 */
#include <hyp/vdev/pl011_model.h>

#include "fuzz.h"

#define ALL_INTS 0x7ffu /* the eleven interrupt bits */

static struct pl011_emu *uart, *quick, *before;
static bool echo;
static unsigned long written, sent;
static uint8_t last_sent;
static uint64_t clock_now;
/* Loopback allowed: bytes written then go to the receiver, not out. */
static bool loopback;

static void tx(void *ctx, uint8_t c)
{
	(void)ctx;
	sent++;
	last_sent = c;
	if (echo)
		pl011_emu_rx(uart, c);
}

/* The quick form of the access about to be made, on a copy of the UART
 * (quick); the full call's result is compared with it afterwards by
 * quick_check(). -1: declined, which must have changed nothing. */
static int quick_try(bool write, uint32_t off, unsigned sz, uint32_t val)
{
	int q;

	memcpy(quick, uart, sizeof(*uart));
	memcpy(before, uart, sizeof(*uart));
	if (write && off == UARTDR)
		q = pl011_emu_write_dr_quick(quick, clock_now, sz, val);
	else if (write)
		q = pl011_emu_write_int_quick(quick, off, sz, val);
	else if (off == UARTFR)
		q = pl011_emu_read_fr_quick(quick, clock_now, sz);
	else
		q = pl011_emu_read_int_quick(quick, off, sz);
	if (q < 0)
		FUZZ_CHECK(!memcmp(quick, before, sizeof(*uart)),
			   "a declined %s of 0x%x changed the UART",
			   write ? "write" : "read", off);
	else if (write && off == UARTDR && echo)
		pl011_emu_rx(quick, (uint8_t)q); /* what tx() does with the byte */
	return q;
}

static void quick_check(int q, bool write, uint32_t off, bool ok, uint32_t val,
			unsigned long sent_before)
{
	if (q < 0)
		return;
	FUZZ_CHECK(ok, "quick %s taken, the full call refused it",
		   write ? "write" : "read");
	if (write && off != UARTDR)
		FUZZ_CHECK(q == 0 && sent == sent_before,
			   "quick write 0x%x: %d, sent %lu", off, q, sent - sent_before);
	else if (write)
		FUZZ_CHECK(sent == sent_before + 1 && last_sent == (uint8_t)q,
			   "quick write 0x%x, full sent %lu (0x%x)", q,
			   sent - sent_before, last_sent);
	else
		FUZZ_CHECK((uint32_t)q == val, "quick read 0x%x: 0x%x, full 0x%x", off, q,
			   val);
	FUZZ_CHECK(!memcmp(quick, uart, sizeof(*uart)), "quick %s: another state",
		   write ? "write" : "read");
}

static uint64_t now(void *ctx)
{
	(void)ctx;
	return clock_now;
}

static const struct pl011_emu_ops ops = {tx, now};

static const uint32_t regs[] = {
	UARTDR, UARTRSR,  UARTFR,   UARTILPR, UARTIBRD,	     UARTFBRD,	   UARTLCR_H,
	UARTCR, UARTIFLS, UARTIMSC, UARTRIS,  UARTMIS,	     UARTICR,	   UARTDMACR,
	UARTDR, UARTFR,	  UARTCR,   UARTIMSC, UARTPeriphID0, UARTPCellID3,
};

static void check(const struct pl011_emu *u)
{
	FUZZ_CHECK(u->rx_count <= PL011_EMU_FIFO_DEPTH &&
			   u->tx_count <= PL011_EMU_FIFO_DEPTH,
		   "levels rx %u tx %u", u->rx_count, u->tx_count);
	FUZZ_CHECK(u->rx_head < PL011_EMU_FIFO_DEPTH && u->tx_head < PL011_EMU_FIFO_DEPTH,
		   "heads rx %u tx %u", u->rx_head, u->tx_head);
	FUZZ_CHECK(u->tx_held <= u->tx_count, "%u held of %u", u->tx_held, u->tx_count);
	FUZZ_CHECK(pl011_emu_rx_room(u) + u->rx_count <= PL011_EMU_FIFO_DEPTH, "room %u",
		   pl011_emu_rx_room(u));
	FUZZ_CHECK(!(u->ris & ~ALL_INTS) && !(u->imsc & ~ALL_INTS), "ris 0x%x imsc 0x%x",
		   u->ris, u->imsc);
	FUZZ_CHECK(pl011_emu_irq_level(u) == ((u->ris & u->imsc) != 0), "interrupt line");
	if (loopback)
		FUZZ_CHECK(sent <= written, "%lu bytes sent of %lu written", sent,
			   written);
	else
		FUZZ_CHECK(sent + u->tx_held == written,
			   "%lu bytes sent and %u held of %lu written", sent, u->tx_held,
			   written);
	FUZZ_CHECK(u->in_count <= PL011_EMU_INPUT_SIZE &&
			   u->in_head < PL011_EMU_INPUT_SIZE,
		   "input %u at %u", u->in_count, u->in_head);
}

static bool valid(uint32_t off, unsigned size)
{
	return off < PL011_EMU_FRAME && (size == 1 || size == 2 || size == 4) &&
	       off % size == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	unsigned setup = (unsigned)fz_take(&f, 1);

	uart = malloc(sizeof(*uart));
	quick = malloc(sizeof(*uart));
	before = malloc(sizeof(*uart));
	if (!uart || !quick || !before)
		abort();
	echo = setup & 2;
	loopback = setup & 8;
	written = sent = 0;
	clock_now = fz_take(&f, 8);
	pl011_emu_init(uart, &ops, NULL);
	pl011_emu_set_clock(uart, setup & 4 ? 0 : fz_take(&f, 4));
	if (setup & 1)
		pl011_emu_fw_setup(uart, 24000000, 115200);
	check(uart);
	while (f.n) {
		unsigned op = (unsigned)fz_take(&f, 1);
		unsigned sz = (const unsigned[]){4, 4, 1, 2, 4, 3, 8, 0}[(op >> 3) & 7];
		uint32_t off, val;
		unsigned held;
		unsigned long sent_before = sent;
		bool ok, fifos;
		int q = -1;

		if (op & 0x80)
			off = (uint32_t)fz_take(&f, 2) & 0x1fff;
		else
			off = regs[fz_take(&f, 1) % 20] + ((op >> 6) & 1) * (sz & 3);
		switch (op & 7) {
		case 0:
		case 1: /* reads */
			val = 0x5a5a5a5a;
			if (off == UARTFR || (off & ~3u) == UARTRIS ||
			    (off & ~3u) == UARTMIS)
				q = quick_try(false, off, sz, 0);
			ok = pl011_emu_read(uart, off, sz, &val);
			quick_check(q, false, off, ok, val, sent_before);
			FUZZ_CHECK(ok == valid(off, sz), "read 0x%x/%u: %d", off, sz, ok);
			FUZZ_CHECK(ok || val == 0, "a refused read returned 0x%x", val);
			if (ok && off == UARTFR && sz == 4) {
				FUZZ_CHECK(!(val & UARTFR_RXFE) == (uart->rx_count != 0),
					   "RXFE 0x%x with %u in the FIFO", val,
					   uart->rx_count);
				FUZZ_CHECK(!(val & UARTFR_TXFE) == (uart->tx_count != 0),
					   "TXFE 0x%x with %u in the FIFO", val,
					   uart->tx_count);
			}
			break;
		case 2:
		case 3: /* writes, most of them data */
			if ((op & 7) == 3)
				off = UARTDR;
			val = (uint32_t)fz_take(&f, 4);
			if (!loopback && (off & ~3u) == UARTCR)
				val &= ~(UARTCR_LBE >> 8 * (off & 3));
			held = uart->tx_held;
			fifos = uart->lcr_h & UARTLCR_H_FEN;
			if (off == UARTDR || (off & ~3u) == UARTICR ||
			    (off & ~3u) == UARTIMSC)
				q = quick_try(true, off, sz, val); /* uncut, as vuart.c */
			ok = pl011_emu_write(uart, off, sz, val);
			quick_check(q, true, off, ok, 0, sent_before);
			/* The TRM's reprogramming sequence: clearing FEN flushes
			 * the transmit FIFO, what waited for the transmitter too. */
			if (fifos && !(uart->lcr_h & UARTLCR_H_FEN))
				written -= held;
			FUZZ_CHECK(ok == valid(off, sz), "write 0x%x/%u: %d", off, sz,
				   ok);
			if (ok && off < 4)
				written++; /* any write within UARTDR sends a byte */
			break;
		case 4: { /* a burst of input, as much as there is room for */
			unsigned room = pl011_emu_rx_room(uart),
				 n = (unsigned)fz_take(&f, 1) % 40;

			for (unsigned i = 0; i < n; i++) {
				ok = pl011_emu_rx(uart, (uint8_t)fz_take(&f, 1));
				FUZZ_CHECK(ok || i >= room,
					   "byte %u of %u lost with room %u", i, n, room);
			}
			break;
		}
		case 5:
			if (op & 0x40) {
				/* time passes: the level only falls */
				unsigned before = uart->tx_count;

				clock_now += fz_take(&f, 3);
				val = 0;
				pl011_emu_read(uart, UARTRIS, 4, &val);
				FUZZ_CHECK(uart->tx_count <= before,
					   "level %u rose to %u", before, uart->tx_count);
			} else if (op & 0x20) {
				/* keyboard input, lost only to a full buffer */
				unsigned n = (unsigned)fz_take(&f, 2) % 5000;

				for (unsigned i = 0; i < n; i++) {
					bool full =
						uart->in_count == PL011_EMU_INPUT_SIZE;

					ok = pl011_emu_input(uart, (uint8_t)i);
					FUZZ_CHECK(ok || full, "input byte %u lost", i);
				}
			} else {
				pl011_emu_rx_idle(uart);
			}
			break;
		case 6:
			echo = !echo;
			break;
		default:
			if (op & 0x40) {
				pl011_emu_init(uart, &ops, NULL);
				written = sent; /* a reset empties the FIFO */
			} else
				pl011_emu_fw_setup(uart, (uint32_t)fz_take(&f, 4),
						   (uint32_t)fz_take(&f, 3));
			break;
		}
		check(uart);
	}
	free(uart);
	free(quick);
	free(before);
	return 0;
}
