/*
 * The emulated PL011 must look like an r1p5 to Linux's AMBA bus and to the
 * amba-pl011 driver, behave as the TRM says at its registers, and survive
 * any access a guest can make. The guest side below does what
 * drivers/tty/serial/amba-pl011.c does, with the 16-bit accesses it uses on
 * an AMBA PL011 and the byte writes of its earlycon.
 */
#include <stdint.h>
#include <string.h>

#include <hyp/vdev/pl011_model.h>

#include "unit.h"

static struct pl011_emu u;

/* ---- the hypervisor side ------------------------------------------------- */

static uint8_t out[4096];
static size_t out_len;
static unsigned long tx_calls;

static void cb_tx(void *ctx, uint8_t c)
{
	CHECK(ctx == &u);
	tx_calls++;
	if (out_len < sizeof(out))
		out[out_len++] = c;
}

static const struct pl011_emu_ops ops = {cb_tx, NULL};

/* A counter the test moves by hand. */
static uint64_t clock_now;

static uint64_t cb_now(void *ctx)
{
	CHECK(ctx == &u);
	return clock_now;
}

static const struct pl011_emu_ops clocked_ops = {cb_tx, cb_now};

static void fresh(void)
{
	memset(&u, 0xa5, sizeof(u)); /* init must not rely on zeroed memory */
	pl011_emu_init(&u, &ops, &u);
	out_len = 0;
	tx_calls = 0;
}

/* A UART on a counter of hz: 11.52 MHz makes a character 100 ticks. */
#define TICKS_PER_CHAR 100u
#define TEST_COUNTER_HZ (PL011_EMU_LINE_BAUD / PL011_EMU_CHAR_BITS * TICKS_PER_CHAR)

static void fresh_clocked(void)
{
	memset(&u, 0xa5, sizeof(u));
	pl011_emu_init(&u, &clocked_ops, &u);
	pl011_emu_set_clock(&u, TEST_COUNTER_HZ);
	out_len = 0;
	tx_calls = 0;
	clock_now = 1000000;
}

static int out_is(const char *s)
{
	return out_len == strlen(s) && !memcmp(out, s, out_len);
}

/* ---- guest accesses ------------------------------------------------------ */

static unsigned fr_reads; /* UARTFR reads, to count a driver's accesses */

static uint32_t rd_n(uint32_t off, unsigned size)
{
	uint32_t v = 0xdeadbeef;

	fr_reads += (off & ~3u) == UARTFR;
	CHECK(pl011_emu_read(&u, off, size, &v));
	return v;
}

static void wr_n(uint32_t off, unsigned size, uint32_t v)
{
	CHECK(pl011_emu_write(&u, off, size, v));
}

static uint32_t rd(uint32_t off)
{
	return rd_n(off, 4);
}

static void wr(uint32_t off, uint32_t v)
{
	wr_n(off, 4, v);
}

/* Linux's pl011_read()/pl011_write() on an AMBA PL011 (UPIO_MEM). */
static uint32_t readw(uint32_t off)
{
	return rd_n(off, 2);
}

static void writew(uint32_t v, uint32_t off)
{
	wr_n(off, 2, v);
}

#define RUN_BITS (UARTCR_UARTEN | UARTCR_TXE | UARTCR_RXE)
#define MODEM_ON (UARTFR_CTS | UARTFR_DSR | UARTFR_DCD)

static void enable(uint32_t lcr_h)
{
	wr(UARTLCR_H, lcr_h);
	wr(UARTCR, RUN_BITS);
}

static void fill_rx(unsigned n, uint8_t first)
{
	for (unsigned i = 0; i < n; i++)
		CHECK(pl011_emu_rx(&u, (uint8_t)(first + i)));
}

/* ---- identification and reset -------------------------------------------- */

static void id_registers(void)
{
	uint32_t pid = 0, cid = 0;

	fresh();
	/* drivers/amba/bus.c: readl of the last eight words of the frame. */
	for (int i = 0; i < 4; i++) {
		pid |= (rd(PL011_EMU_FRAME - 0x20 + 4 * i) & 255) << (i * 8);
		cid |= (rd(PL011_EMU_FRAME - 0x10 + 4 * i) & 255) << (i * 8);
	}
	CHECK_EQ(pid, 0x00341011);
	CHECK_EQ(cid, 0xb105f00d);		/* AMBA_CID */
	CHECK_EQ(pid & 0x000fffff, 0x00041011); /* amba-pl011's pl011_ids[] */
	CHECK_EQ((pid >> 20) & 0xf, 3);		/* rev 3: 32-entry FIFOs */

	CHECK_EQ(rd(UARTPeriphID0), 0x11);
	CHECK_EQ(rd(UARTPeriphID1), 0x10);
	CHECK_EQ(rd(UARTPeriphID2), 0x34);
	CHECK_EQ(rd(UARTPeriphID3), 0x00);
	CHECK_EQ(rd(UARTPCellID0), 0x0d);
	CHECK_EQ(rd(UARTPCellID1), 0xf0);
	CHECK_EQ(rd(UARTPCellID2), 0x05);
	CHECK_EQ(rd(UARTPCellID3), 0xb1);
	/* Narrow reads see the same registers; the upper lanes are zero. */
	CHECK_EQ(rd_n(UARTPCellID3, 1), 0xb1);
	CHECK_EQ(rd_n(UARTPCellID3, 2), 0xb1);
	CHECK_EQ(rd_n(UARTPCellID3 + 1, 1), 0);
	CHECK_EQ(rd_n(UARTPCellID3 + 2, 2), 0);
	/* Read-only. */
	wr(UARTPeriphID0, 0);
	wr(UARTPCellID3, 0xffffffff);
	CHECK_EQ(rd(UARTPeriphID0), 0x11);
	CHECK_EQ(rd(UARTPCellID3), 0xb1);
}

static void reset_values(void)
{
	static const uint32_t reserved[] = {0x008, 0x00c, 0x010, 0x014,	 0x01c,
					    0x04c, 0x080, 0x084, 0x088,	 0x08c,
					    0x100, 0xfd0, 0xfdc, UARTICR};

	fresh();
	CHECK_EQ(rd(UARTFR), UARTFR_TXFE | UARTFR_RXFE | MODEM_ON);
	CHECK_EQ(rd(UARTFR), 0x97);
	CHECK_EQ(rd(UARTCR), 0x300);
	CHECK_EQ(rd(UARTIFLS), 0x12);
	CHECK_EQ(rd(UARTRSR), 0);
	CHECK_EQ(rd(UARTILPR), 0);
	CHECK_EQ(rd(UARTIBRD), 0);
	CHECK_EQ(rd(UARTFBRD), 0);
	CHECK_EQ(rd(UARTLCR_H), 0);
	CHECK_EQ(rd(UARTIMSC), 0);
	CHECK_EQ(rd(UARTRIS), 0);
	CHECK_EQ(rd(UARTMIS), 0);
	CHECK_EQ(rd(UARTDMACR), 0);
	CHECK_EQ(rd(UARTDR), 0); /* empty FIFO */
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		CHECK_EQ(rd(reserved[i]), 0);
	CHECK(!pl011_emu_irq_level(&u));

	/* init is also the VM's reset: everything back, FIFOs emptied. */
	enable(UARTLCR_H_FEN);
	fill_rx(5, 'a');
	wr(UARTIMSC, 0x7ff);
	pl011_emu_rx_idle(&u);
	CHECK(pl011_emu_irq_level(&u));
	pl011_emu_init(&u, &ops, &u);
	CHECK_EQ(rd(UARTFR), 0x97);
	CHECK_EQ(rd(UARTCR), 0x300);
	CHECK_EQ(rd(UARTRIS), 0);
	CHECK(!pl011_emu_irq_level(&u));
}

static void register_widths(void)
{
	fresh();
	wr(UARTILPR, 0xffffffff);
	wr(UARTIBRD, 0xffffffff);
	wr(UARTFBRD, 0xffffffff);
	wr(UARTIFLS, 0xffffffff);
	wr(UARTIMSC, 0xffffffff);
	wr(UARTDMACR, 0xffffffff);
	wr(UARTLCR_H, 0xffffffff);
	CHECK_EQ(rd(UARTILPR), 0xff);
	CHECK_EQ(rd(UARTIBRD), 0xffff);
	CHECK_EQ(rd(UARTFBRD), 0x3f);
	CHECK_EQ(rd(UARTIFLS), 0x3f);
	CHECK_EQ(rd(UARTIMSC), 0x7ff);
	CHECK_EQ(rd(UARTDMACR), 0x7);
	CHECK_EQ(rd(UARTLCR_H), 0xff);
	wr(UARTCR, 0xffffffff);
	CHECK_EQ(rd(UARTCR), 0xff87); /* [6:3] reserved */

	/* Read-only registers ignore writes. */
	fresh();
	wr(UARTFR, 0);
	wr(UARTRIS, 0x7ff);
	wr(UARTMIS, 0x7ff);
	CHECK_EQ(rd(UARTFR), 0x97);
	CHECK_EQ(rd(UARTRIS), 0);
	CHECK_EQ(rd(UARTMIS), 0);
}

/* Linux spins on UARTFR; here a UART that never lets go fails the test
 * instead of hanging it. */
static void spin_while_fr(uint32_t bits)
{
	int n = 0;

	while ((readw(UARTFR) & bits) && n < 1000)
		n++;
	CHECK(n < 1000);
}

/* ---- transmit ------------------------------------------------------------ */

static void transmit_enabled(void)
{
	const char *msg = "hello";

	fresh();
	enable(UARTLCR_H_WLEN_8 | UARTLCR_H_FEN);
	for (const char *p = msg; *p; p++) {
		/* Only UARTDR[7:0] is data. It leaves at once; the FIFO level
		 * the guest sees rises (BUSY) until it polls. */
		wr(UARTDR, 0xabcd1200u | (uint8_t)*p);
		CHECK_EQ(rd(UARTFR) & (UARTFR_TXFE | UARTFR_TXFF | UARTFR_BUSY),
			 UARTFR_BUSY);
	}
	CHECK(out_is("hello"));
	CHECK_EQ(rd(UARTFR) & (UARTFR_TXFE | UARTFR_TXFF | UARTFR_BUSY), UARTFR_TXFE);

	/* Linux's 16-bit writes and earlycon's byte writes. */
	writew('!', UARTDR);
	wr_n(UARTDR, 1, '?');
	CHECK(out_is("hello!?"));

	/* FIFOs off: still sent at once; the holding register is full until
	 * the guest polls. */
	wr(UARTLCR_H, UARTLCR_H_WLEN_8);
	wr(UARTDR, 'x');
	CHECK(out_is("hello!?x"));
	CHECK_EQ(rd(UARTFR) & (UARTFR_TXFE | UARTFR_TXFF | UARTFR_BUSY),
		 UARTFR_TXFF | UARTFR_BUSY);
	CHECK_EQ(rd(UARTFR) & (UARTFR_TXFE | UARTFR_TXFF | UARTFR_BUSY), UARTFR_TXFE);

	/* No callback, no crash. */
	pl011_emu_init(&u, NULL, NULL);
	enable(0);
	wr(UARTDR, 'a');
	(void)rd(UARTFR);
	CHECK_EQ(rd(UARTFR) & UARTFR_TXFE, UARTFR_TXFE);
}

/* The FIFO level as a driver that writes while TXFF is clear sees it: full
 * after 32 writes with no poll between, though every byte went out at
 * once; empty again after a poll, or after any other register access. */
static void transmit_paced(void)
{
	fresh();
	enable(UARTLCR_H_WLEN_8 | UARTLCR_H_FEN);
	wr(UARTIFLS, 0x12); /* TX trigger at 1/2: 16 */
	/* Linux's pl011_tx_chars() outside the interrupt: UARTFR, UARTDR. */
	for (int i = 0; i < 32; i++) {
		CHECK(!(rd(UARTFR) & UARTFR_TXFF));
		wr(UARTDR, 'a' + i % 26);
	}
	CHECK_EQ(out_len, 32);
	CHECK_EQ(rd(UARTFR) & (UARTFR_TXFE | UARTFR_TXFF | UARTFR_BUSY),
		 UARTFR_TXFF | UARTFR_BUSY);
	/* Full: the PL011 would lose it; it goes out all the same, counted. */
	wr(UARTDR, '#');
	CHECK_EQ(out_len, 33);
	CHECK_EQ(out[32], '#');
	CHECK_EQ(u.tx_overruns, 1);
	CHECK_EQ(u.tx_count, 32);
	/* Another register: time has passed, the FIFO drained through its
	 * trigger level. */
	CHECK(rd(UARTRIS) & UARTRIS_TXRIS);
	CHECK_EQ(rd(UARTFR) & (UARTFR_TXFE | UARTFR_TXFF | UARTFR_BUSY), UARTFR_TXFE);

	/* From the interrupt: half a FIFO without looking, then UARTMIS. */
	wr(UARTICR, UARTICR_TXIC);
	for (int i = 0; i < 17; i++)
		wr(UARTDR, '0' + i % 10);
	CHECK_EQ(u.tx_count, 17);
	CHECK(!(u.ris & UARTRIS_TXRIS)); /* cleared, and above the trigger */
	CHECK(rd(UARTMIS) == 0);	 /* drained: TXRIS again, TXIM masked */
	CHECK(rd(UARTRIS) & UARTRIS_TXRIS);
	CHECK_EQ(out_len, 50);

	/* A poll drains too: the second of two UARTFR reads in a row. */
	wr(UARTDR, 'z');
	CHECK(rd(UARTFR) & UARTFR_BUSY);
	CHECK(!(rd(UARTFR) & UARTFR_BUSY));
	CHECK_EQ(out_len, 51);
	CHECK_EQ(u.tx_overruns, 1);
}

/* A guest that writes UARTDR and never reads UARTFR (bare-metal programs,
 * test frameworks, early consoles do): every byte reaches the console, in
 * order, though the FIFO shows full after 32. */
static void transmit_never_lost(void)
{
	static uint8_t want[4000];

	fresh();
	pl011_emu_fw_setup(&u, 24000000, 115200);
	for (unsigned i = 0; i < sizeof(want); i++) {
		want[i] = (uint8_t)('!' + (i * 7 + i / 93) % 94);
		wr(UARTDR, want[i]);
	}
	CHECK_EQ(out_len, sizeof(want));
	CHECK(!memcmp(out, want, sizeof(want)));
	CHECK_EQ(u.tx_overruns, sizeof(want) - 32);
	CHECK_EQ(rd(UARTFR) & (UARTFR_TXFF | UARTFR_TXFE), UARTFR_TXFF);

	/* FIFOs off: the same, one deep. */
	fresh();
	enable(UARTLCR_H_WLEN_8);
	for (unsigned i = 0; i < 100; i++)
		wr_n(UARTDR, 1, 'a' + i % 26);
	CHECK_EQ(out_len, 100);
	CHECK_EQ(u.tx_overruns, 99);
}

/* The level falls a character per line period of the counter, TXRIS
 * asserting as it passes the trigger level; a first UARTFR read sees it,
 * the fraction of a character carries over. */
static void transmit_drains_with_time(void)
{
	fresh_clocked();
	CHECK_EQ(u.char_ticks, TICKS_PER_CHAR);
	enable(UARTLCR_H_WLEN_8 | UARTLCR_H_FEN); /* TX trigger 16 */
	wr(UARTICR, 0x7ff);
	for (int i = 0; i < 32; i++)
		wr(UARTDR, 'a');
	CHECK_EQ(u.tx_count, 32);
	/* Not quite a character's time: still full, the next write counted. */
	clock_now += TICKS_PER_CHAR - 1;
	wr(UARTDR, 'b');
	CHECK_EQ(u.tx_overruns, 1);
	CHECK_EQ(u.tx_count, 32);
	/* 16 characters' time since the first write: 16 left, TXRIS. */
	clock_now += 15 * TICKS_PER_CHAR + 1;
	CHECK_EQ(rd(UARTFR) & (UARTFR_TXFF | UARTFR_TXFE | UARTFR_BUSY), UARTFR_BUSY);
	CHECK_EQ(u.tx_count, 16);
	CHECK(u.ris & UARTRIS_TXRIS);
	/* A write brings it above the level again (any other register would
	 * be the guest waiting: drained). */
	clock_now += TICKS_PER_CHAR / 2;
	wr(UARTDR, 'c');
	CHECK_EQ(u.tx_count, 17);
	CHECK(!(u.ris & UARTRIS_TXRIS));
	/* Half a character carried over: 16.5 periods later, all gone. */
	clock_now += 16 * TICKS_PER_CHAR + TICKS_PER_CHAR / 2;
	CHECK_EQ(rd(UARTFR) & (UARTFR_TXFF | UARTFR_TXFE | UARTFR_BUSY), UARTFR_TXFE);
	CHECK(u.ris & UARTRIS_TXRIS);
	CHECK_EQ(out_len, 34);

	/* The line starts with the first write into an empty FIFO, not
	 * before: an idle line banks no time. */
	clock_now += 1000 * TICKS_PER_CHAR;
	for (int i = 0; i < 32; i++)
		wr(UARTDR, 'd');
	CHECK_EQ(u.tx_count, 32);
	CHECK_EQ(u.tx_overruns, 1);

	/* A stopped transmitter holds its FIFO: time drains nothing. */
	fresh_clocked();
	wr(UARTLCR_H, UARTLCR_H_FEN);
	wr(UARTDR, 'x');
	clock_now += 100 * TICKS_PER_CHAR;
	CHECK_EQ(rd(UARTFR) & (UARTFR_TXFE | UARTFR_BUSY), UARTFR_BUSY);
	CHECK_EQ(tx_calls, 0);

	/* Without a clock, or with a zero frequency: only waiting drains. */
	fresh_clocked();
	pl011_emu_set_clock(&u, 0);
	enable(UARTLCR_H_FEN);
	wr(UARTDR, 'y');
	clock_now += 100 * TICKS_PER_CHAR;
	CHECK(rd(UARTFR) & UARTFR_BUSY);
	CHECK(!(rd(UARTFR) & UARTFR_BUSY));

	/* Counter frequencies at the edges. */
	pl011_emu_set_clock(&u, 1);
	CHECK_EQ(u.char_ticks, 1);
	pl011_emu_set_clock(&u, 62500000);
	CHECK_EQ(u.char_ticks, 5425); /* QEMU virt's 62.5 MHz */
	pl011_emu_set_clock(&u, 1000000000);
	CHECK_EQ(u.char_ticks, 86805); /* 1 GHz */
	pl011_emu_set_clock(&u, UINT64_MAX);
	CHECK_EQ(u.char_ticks, UINT32_MAX);
}

static void transmit_waits_while_disabled(void)
{
	/* Reset: UARTEN clear. Writes wait in the FIFO (BUSY, not TXFE). */
	fresh();
	wr(UARTLCR_H, UARTLCR_H_FEN);
	for (int i = 0; i < 32; i++) {
		CHECK(!(rd(UARTFR) & UARTFR_TXFF));
		wr(UARTDR, 'A' + i);
	}
	CHECK_EQ(tx_calls, 0);
	CHECK_EQ(rd(UARTFR) & (UARTFR_TXFE | UARTFR_TXFF | UARTFR_BUSY),
		 UARTFR_TXFF | UARTFR_BUSY);
	/* Full: not lost, but out in order after the 32 that waited. */
	wr(UARTDR, '#');
	CHECK_EQ(out_len, 33);
	for (int i = 0; i < 32 && i < (int)out_len; i++)
		CHECK_EQ(out[i], 'A' + i);
	CHECK_EQ(out[32], '#');
	CHECK_EQ(u.tx_overruns, 1);
	CHECK_EQ(rd(UARTFR) & (UARTFR_TXFF | UARTFR_BUSY), UARTFR_TXFF | UARTFR_BUSY);
	wr(UARTCR, RUN_BITS);
	CHECK_EQ(out_len, 33);
	CHECK_EQ(rd(UARTFR) & (UARTFR_TXFE | UARTFR_BUSY), UARTFR_TXFE);

	/* UARTEN set but TXE clear: the same. */
	fresh();
	wr(UARTLCR_H, UARTLCR_H_FEN);
	wr(UARTCR, UARTCR_UARTEN | UARTCR_RXE);
	wr(UARTDR, 'q');
	CHECK_EQ(tx_calls, 0);
	CHECK(rd(UARTFR) & UARTFR_BUSY);
	wr(UARTCR, RUN_BITS);
	CHECK(out_is("q"));

	/* FIFOs off: one holding register. */
	fresh();
	wr(UARTDR, '1');
	CHECK_EQ(rd(UARTFR) & (UARTFR_TXFF | UARTFR_BUSY), UARTFR_TXFF | UARTFR_BUSY);
	wr(UARTDR, '2'); /* full: both out, in order */
	CHECK(out_is("12"));
	wr(UARTCR, RUN_BITS);
	CHECK(out_is("12"));

	/* Clearing FEN flushes the transmit FIFO (TRM's reprogramming steps). */
	fresh();
	wr(UARTLCR_H, UARTLCR_H_FEN);
	wr(UARTDR, 'a');
	wr(UARTDR, 'b');
	wr(UARTLCR_H, 0);
	CHECK_EQ(rd(UARTFR) & (UARTFR_TXFE | UARTFR_BUSY), UARTFR_TXFE);
	wr(UARTCR, RUN_BITS);
	CHECK_EQ(tx_calls, 0);
}

/* ---- the quick forms ------------------------------------------------------ */

/*
 * pl011_emu_read_fr_quick() and pl011_emu_write_dr_quick() against the
 * full calls: on a copy of the UART, the full call at the same counter
 * value; the quick form either declines (-1) and changes nothing, or ends
 * in the same state with the same value (the byte it returns being what
 * the full call sent). Returns whether it was taken.
 */
static struct pl011_emu before_q, full_q;

static bool quick_fr_same(unsigned size)
{
	uint32_t v = 0;
	int q;

	memcpy(&before_q, &u, sizeof(u));
	memcpy(&full_q, &u, sizeof(u));
	q = pl011_emu_read_fr_quick(&u, clock_now, size);
	if (q < 0) {
		CHECK(!memcmp(&u, &before_q, sizeof(u)));
		return false;
	}
	CHECK(pl011_emu_read(&full_q, UARTFR, size, &v));
	CHECK_EQ((uint32_t)q, v);
	CHECK(!memcmp(&u, &full_q, sizeof(u)));
	return true;
}

static bool quick_dr_same(unsigned size, uint32_t val)
{
	size_t len = out_len;
	int q;

	memcpy(&before_q, &u, sizeof(u));
	memcpy(&full_q, &u, sizeof(u));
	q = pl011_emu_write_dr_quick(&u, clock_now, size, val);
	if (q < 0) {
		CHECK(!memcmp(&u, &before_q, sizeof(u)));
		CHECK_EQ(out_len, len);
		return false;
	}
	CHECK(pl011_emu_write(&full_q, UARTDR, size, val));
	CHECK_EQ(out_len, len + 1); /* the full call sent one byte: this one */
	CHECK_EQ((uint32_t)q, out[len]);
	CHECK(!memcmp(&u, &full_q, sizeof(u)));
	return true;
}

/* pl011_emu_read_int_quick() and pl011_emu_write_int_quick() the same
 * way: no byte is sent by either. */
static bool quick_int_read_same(uint32_t off, unsigned size)
{
	size_t len = out_len;
	uint32_t v = 0;
	int q;

	memcpy(&before_q, &u, sizeof(u));
	memcpy(&full_q, &u, sizeof(u));
	q = pl011_emu_read_int_quick(&u, off, size);
	if (q < 0) {
		CHECK(!memcmp(&u, &before_q, sizeof(u)));
		return false;
	}
	CHECK(pl011_emu_read(&full_q, off, size, &v));
	CHECK_EQ((uint32_t)q, v);
	CHECK_EQ(out_len, len);
	CHECK(!memcmp(&u, &full_q, sizeof(u)));
	return true;
}

static bool quick_int_write_same(uint32_t off, unsigned size, uint32_t val)
{
	size_t len = out_len;
	int q;

	memcpy(&before_q, &u, sizeof(u));
	memcpy(&full_q, &u, sizeof(u));
	q = pl011_emu_write_int_quick(&u, off, size, val);
	if (q < 0) {
		CHECK(!memcmp(&u, &before_q, sizeof(u)));
		return false;
	}
	CHECK_EQ(q, 0);
	CHECK(pl011_emu_write(&full_q, off, size, val));
	CHECK_EQ(out_len, len);
	CHECK(!memcmp(&u, &full_q, sizeof(u)));
	return true;
}

/* Linux's transmit interrupt, as the quick forms see it: UARTMIS, UARTICR
 * of nothing, half a FIFO of UARTDR writes, again; UARTIMSC to stop. */
static void quick_int_forms(void)
{
	fresh_clocked();
	enable(UARTLCR_H_WLEN_8 | UARTLCR_H_FEN); /* TX trigger 16 */
	wr(UARTICR, 0x7ff);
	CHECK(quick_int_write_same(UARTIMSC, 2, UARTIMSC_TXIM | UARTIMSC_RIMIM));
	CHECK_EQ(u.imsc, UARTIMSC_TXIM | UARTIMSC_RIMIM);
	/* Empty and nothing raised: each reads as it is. */
	CHECK(quick_int_read_same(UARTMIS, 4));
	CHECK(quick_int_read_same(UARTRIS, 2));
	CHECK_EQ(u.ris, 0);
	for (unsigned i = 0; i < 20; i++)
		CHECK(quick_dr_same(2, 'a' + i));
	CHECK(!(u.ris & UARTRIS_TXRIS));
	/* The read drains the FIFO and raises TXRIS, as the full read. */
	CHECK(quick_int_read_same(UARTMIS, 2));
	CHECK_EQ(u.tx_count, 0);
	CHECK_EQ(u.ris, UARTRIS_TXRIS);
	CHECK(quick_int_write_same(UARTICR, 2, 0));
	CHECK_EQ(u.ris, UARTRIS_TXRIS);
	CHECK(quick_dr_same(2, 'x'));
	/* A write drains it too; ICR clears only the interrupt bits, of the
	 * access's bytes. */
	CHECK(quick_int_write_same(UARTICR, 1, 0xffff00u | UARTICR_TXIC));
	CHECK_EQ(u.tx_count, 0);
	CHECK_EQ(u.ris, 0);
	u.ris = 0x7ff;
	CHECK(quick_int_write_same(UARTICR, 4, 0xfffff800u | UARTICR_RXIC));
	CHECK_EQ(u.ris, 0x7ff & ~UARTRIS_RXRIS);
	CHECK(quick_int_write_same(UARTIMSC, 4, 0xffffffffu));
	CHECK_EQ(u.imsc, 0x7ff);
	CHECK(quick_int_read_same(UARTMIS, 1));
	CHECK(quick_int_read_same(UARTRIS, 4));
	CHECK(quick_int_write_same(UARTIMSC, 1, 0x1ff));
	CHECK_EQ(u.imsc, 0xff);

	/* Other offsets, narrow ones inside the registers and sizes the UART
	 * does not take: the full call's. */
	CHECK(!quick_int_read_same(UARTICR, 4));
	CHECK(!quick_int_read_same(UARTFR, 4));
	CHECK(!quick_int_read_same(UARTMIS + 1, 1));
	CHECK(!quick_int_write_same(UARTRIS, 4, 0));
	CHECK(!quick_int_write_same(UARTICR + 2, 2, 0));
	for (unsigned size = 0; size <= 9; size++)
		if (size != 1 && size != 2 && size != 4) {
			CHECK(!quick_int_read_same(UARTMIS, size));
			CHECK(!quick_int_write_same(UARTICR, size, 0));
		}

	/* Bytes held for a stopped transmitter: the full call sends them. */
	wr(UARTCR, UARTCR_UARTEN | UARTCR_RXE);
	wr(UARTDR, 'h');
	CHECK(!quick_int_read_same(UARTMIS, 4));
	CHECK(!quick_int_write_same(UARTIMSC, 4, 0));
	wr(UARTCR, RUN_BITS);
	CHECK_EQ(out[out_len - 1], 'h');
	CHECK(quick_int_write_same(UARTIMSC, 4, 0));

	/* The cached trigger level follows UARTIFLS and FEN: 1/8 of 32. */
	wr(UARTIFLS, 0);
	CHECK_EQ(pl011_emu_tx_trigger(&u), 4);
	for (unsigned i = 0; i < 5; i++)
		CHECK(quick_dr_same(4, '0' + i));
	CHECK(!(u.ris & UARTRIS_TXRIS));
	wr(UARTIFLS, 7 << UARTIFLS_RXIFLSEL_SHIFT | 7); /* reserved: 1/2 */
	CHECK_EQ(pl011_emu_tx_trigger(&u), 16);
	wr(UARTLCR_H, UARTLCR_H_WLEN_8);
	CHECK_EQ(pl011_emu_tx_trigger(&u), 0);
}

static void quick_forms(void)
{
	fresh_clocked();
	enable(UARTLCR_H_WLEN_8 | UARTLCR_H_FEN); /* TX trigger 16 */
	wr(UARTICR, 0x7ff);

	/* An empty FIFO: UARTFR as it is, of every size the UART takes. */
	CHECK(quick_fr_same(4));
	CHECK(quick_fr_same(2));
	CHECK(quick_fr_same(1));
	CHECK_EQ(pl011_emu_read_fr_quick(&u, clock_now, 4),
		 MODEM_ON | UARTFR_TXFE | UARTFR_RXFE);
	CHECK_EQ(pl011_emu_read_fr_quick(&u, clock_now, 1),
		 (MODEM_ON | UARTFR_TXFE | UARTFR_RXFE) & 0xff);
	/* Sizes it does not take, to the full call (which refuses them). */
	for (unsigned size = 0; size <= 9; size++)
		if (size != 1 && size != 2 && size != 4) {
			CHECK(!quick_fr_same(size));
			CHECK(!quick_dr_same(size, 'x'));
		}

	/* Linux's start_tx: UARTFR, UARTDR, ... all quick, until the FIFO
	 * is full (32): the first write starts the line's clock. */
	for (unsigned i = 0; i < 32; i++) {
		CHECK(quick_fr_same(2));
		/* The byte only, whatever else the register holds. */
		CHECK(quick_dr_same(2, 0xfff0100 | ('a' + i)));
		CHECK_EQ(out[out_len - 1], 'a' + i);
		if (!i)
			CHECK_EQ(u.tx_since, clock_now);
		clock_now += TICKS_PER_CHAR / 64;
	}
	CHECK_EQ(u.tx_count, 32);
	CHECK(!(u.ris & UARTRIS_TXRIS)); /* cleared past the trigger level */
	CHECK(quick_fr_same(2));	 /* TXFF */
	CHECK(u.fr_polled);
	/* A poll drains the FIFO: the full call's. */
	CHECK(!quick_fr_same(2));
	CHECK(!pl011_emu_read(&u, UARTFR, 2, &(uint32_t){0}) || u.tx_count == 0);
	CHECK(u.ris & UARTRIS_TXRIS);

	/* A full FIFO: the write goes the full way (the clock, the overrun). */
	for (unsigned i = 0; i < 32; i++)
		CHECK(quick_dr_same(1, 'A' + i));
	CHECK(!quick_dr_same(1, '#'));
	wr(UARTDR, '#');
	CHECK_EQ(u.tx_overruns, 1);

	/* A character's time since the line started: the first UARTFR read
	 * drains by time, the full way; just before it, quick. */
	clock_now = u.tx_since + TICKS_PER_CHAR - 1;
	CHECK(quick_fr_same(4));
	wr_n(UARTDR, 1, '.'); /* full still: the level stays, not a poll now */
	clock_now = u.tx_since + TICKS_PER_CHAR;
	CHECK(!quick_fr_same(4));
	rd(UARTFR);
	CHECK_EQ(u.tx_count, 31);

	/* Writes at and above the trigger level clear TXRIS as the full
	 * call does; a write below it leaves it. */
	rd(UARTRIS); /* drained: TXRIS */
	CHECK(u.ris & UARTRIS_TXRIS);
	for (unsigned i = 0; i < 17; i++) {
		CHECK(quick_dr_same(4, '0' + i));
		CHECK_EQ(!!(u.ris & UARTRIS_TXRIS), i < 16);
	}

	/* A transmitter that is stopped, holds bytes or is looped back. */
	rd(UARTRIS);
	wr(UARTCR, UARTCR_UARTEN | UARTCR_RXE);
	CHECK(!quick_dr_same(4, 'h'));
	wr(UARTDR, 'h'); /* held */
	clock_now += 1000 * TICKS_PER_CHAR;
	CHECK(quick_fr_same(4)); /* stopped: time drains nothing */
	CHECK_EQ(u.tx_count, 1);
	CHECK(!quick_fr_same(4)); /* a poll: the full call's */
	rd(UARTFR);
	CHECK_EQ(u.tx_count, 1); /* held all the same */
	wr(UARTCR, RUN_BITS);
	CHECK(out[out_len - 1] == 'h');
	wr(UARTCR, RUN_BITS | UARTCR_LBE);
	CHECK(!quick_dr_same(4, 'l'));
	wr(UARTCR, RUN_BITS);
	CHECK(quick_dr_same(4, 'k'));

	/* FIFOs off: one deep. */
	wr(UARTLCR_H, UARTLCR_H_WLEN_8);
	rd(UARTRIS);
	CHECK(quick_dr_same(4, 'm'));
	CHECK(!quick_dr_same(4, 'n'));

	/* Without a clock: only a poll drains, and a first read is quick. */
	fresh();
	enable(UARTLCR_H_FEN);
	CHECK(quick_dr_same(4, 'p'));
	clock_now += 1000 * TICKS_PER_CHAR;
	CHECK(quick_fr_same(4));
	CHECK(!quick_fr_same(4));

	/* No console to send to: the full call (which drops the byte). */
	pl011_emu_init(&u, &(const struct pl011_emu_ops){NULL, NULL}, &u);
	pl011_emu_fw_setup(&u, 24000000, 115200);
	CHECK(!quick_dr_same(4, 'q'));
	CHECK(quick_fr_same(4));
}

/* ---- receive ------------------------------------------------------------- */

static void receive_fifo(void)
{
	fresh();
	enable(UARTLCR_H_WLEN_8 | UARTLCR_H_FEN);
	CHECK_EQ(pl011_emu_rx_room(&u), 32);
	fill_rx(31, 1);
	CHECK_EQ(rd(UARTFR) & (UARTFR_RXFE | UARTFR_RXFF), 0);
	fill_rx(1, 32);
	CHECK_EQ(rd(UARTFR) & (UARTFR_RXFE | UARTFR_RXFF), UARTFR_RXFF);
	CHECK_EQ(pl011_emu_rx_room(&u), 0);
	CHECK_EQ(rd(UARTRSR), 0);

	/* Overrun: the FIFO keeps its 32, the new byte is lost. */
	CHECK(!pl011_emu_rx(&u, 0xee));
	CHECK_EQ(rd(UARTRSR), UARTRSR_OE);
	CHECK(rd(UARTRIS) & UARTRIS_OERIS);
	for (int i = 1; i <= 32; i++)
		CHECK_EQ(rd(UARTDR), i); /* no error bits on these */
	CHECK_EQ(rd(UARTFR) & (UARTFR_RXFE | UARTFR_RXFF), UARTFR_RXFE);
	/* UARTDR.OE comes with the next character that gets in. */
	fill_rx(2, 'x');
	CHECK_EQ(rd(UARTDR), UARTDR_OE | 'x');
	CHECK_EQ(rd(UARTDR), 'y');
	/* UARTRSR.OE stays until UARTECR is written, with anything. */
	CHECK_EQ(rd(UARTRSR), UARTRSR_OE);
	wr(UARTECR, 0x1234);
	CHECK_EQ(rd(UARTRSR), 0);

	/* FIFOs off: one character deep. */
	fresh();
	enable(UARTLCR_H_WLEN_8);
	CHECK_EQ(pl011_emu_rx_room(&u), 1);
	CHECK(pl011_emu_rx(&u, 'a'));
	CHECK_EQ(rd(UARTFR) & (UARTFR_RXFE | UARTFR_RXFF), UARTFR_RXFF);
	CHECK(!pl011_emu_rx(&u, 'b'));
	CHECK_EQ(rd(UARTRSR), UARTRSR_OE);
	CHECK_EQ(rd_n(UARTDR, 1), 'a'); /* earlycon's readb */
	CHECK(pl011_emu_rx(&u, 'c'));
	CHECK_EQ(readw(UARTDR), UARTDR_OE | 'c');

	/* Clearing FEN keeps what was received; reads still drain it. */
	fresh();
	enable(UARTLCR_H_FEN);
	fill_rx(3, 'p');
	wr(UARTLCR_H, 0);
	CHECK(rd(UARTFR) & UARTFR_RXFF);
	CHECK(!pl011_emu_rx(&u, 'z'));
	CHECK_EQ(rd(UARTDR) & 0xff, 'p');
	CHECK_EQ(rd(UARTDR) & 0xff, 'q');
	CHECK_EQ(rd(UARTDR) & 0xff, 'r');
	CHECK_EQ(rd(UARTFR) & UARTFR_RXFE, UARTFR_RXFE);

	/* Nothing listening: lost, and no error recorded. */
	fresh(); /* UARTEN clear */
	CHECK_EQ(pl011_emu_rx_room(&u), 0);
	CHECK(!pl011_emu_rx(&u, 'a'));
	wr(UARTCR, UARTCR_UARTEN | UARTCR_TXE); /* RXE clear */
	CHECK(!pl011_emu_rx(&u, 'a'));
	CHECK_EQ(rd(UARTRSR), 0);
	CHECK_EQ(rd(UARTRIS), 0);
	CHECK_EQ(rd(UARTFR) & UARTFR_RXFE, UARTFR_RXFE);
}

/* ---- console input held for the guest ------------------------------------ */

static void input(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		CHECK(pl011_emu_input(&u, (uint8_t)s[i]));
}

/* What the FIFO gives a guest that reads until RXFE. */
static size_t drain_rx(char *buf, size_t max)
{
	size_t n = 0;

	while (!(rd(UARTFR) & UARTFR_RXFE) && n < max) {
		uint32_t ch = rd(UARTDR);

		CHECK_EQ(ch & ~UARTDR_DATA, 0);
		buf[n++] = (char)ch;
	}
	return n;
}

static void input_buffer(void)
{
	static char text[3000], got[sizeof(text) + 64];
	size_t n;

	for (unsigned i = 0; i < sizeof(text); i++)
		text[i] = (char)('a' + i % 26 + (i / 26) % 3);

	/* Room in the FIFO: straight in, nothing waits. */
	fresh();
	enable(UARTLCR_H_FEN);
	input("hi", 2);
	CHECK_EQ(u.rx_count, 2);
	CHECK_EQ(u.in_count, 0);

	/* A paste at full speed: the FIFO takes 32, the rest waits, and the
	 * guest reading until RXFE gets all of it in order, no overrun. */
	fresh();
	enable(UARTLCR_H_FEN);
	input(text, sizeof(text));
	CHECK_EQ(u.rx_count, 32);
	CHECK_EQ(u.in_count, sizeof(text) - 32);
	CHECK_EQ(rd(UARTRSR), 0);
	n = drain_rx(got, sizeof(got));
	CHECK_EQ(n, sizeof(text));
	CHECK(!memcmp(got, text, sizeof(text)));
	CHECK_EQ(rd(UARTRSR), 0);
	CHECK_EQ(rd(UARTRIS) & (UARTRIS_OERIS | UARTRIS_RXRIS | UARTRIS_RTRIS), 0);
	CHECK_EQ(pl011_emu_input_dropped(&u), 0);

	/* Input behind waiting input waits too, even when the FIFO has room:
	 * the order holds. */
	fresh();
	enable(UARTLCR_H_FEN);
	input(text, 40);
	CHECK_EQ(rd(UARTDR), (uint32_t)text[0]);
	input(text + 40, 1);
	CHECK_EQ(u.in_count, 9);
	n = drain_rx(got, sizeof(got));
	CHECK_EQ(n, 40);
	CHECK(!memcmp(got, text + 1, 40));

	/* Full: the FIFO's 32 and the buffer's 4096 kept, the rest dropped
	 * and counted; the count is reported once the guest has caught up. */
	fresh();
	enable(UARTLCR_H_FEN);
	for (unsigned i = 0; i < 32 + PL011_EMU_INPUT_SIZE; i++)
		CHECK(pl011_emu_input(&u, (uint8_t)i));
	for (unsigned i = 0; i < 10; i++)
		CHECK(!pl011_emu_input(&u, 0xee));
	CHECK_EQ(pl011_emu_input_dropped(&u), 0); /* still draining */
	{
		unsigned count = 0, wrong = 0;

		while (!(rd(UARTFR) & UARTFR_RXFE) && count < 10000) {
			if ((rd(UARTDR) & 0xff) != (count & 0xff))
				wrong++;
			count++;
		}
		CHECK_EQ(count, 32 + PL011_EMU_INPUT_SIZE);
		CHECK_EQ(wrong, 0);
	}
	CHECK_EQ(pl011_emu_input_dropped(&u), 10);
	CHECK_EQ(pl011_emu_input_dropped(&u), 0); /* once */
	CHECK_EQ(rd(UARTRSR), 0); /* no overrun: the guest lost nothing it took */

	/* Nothing listening: input waits instead of being lost, and comes in
	 * when the receiver is on. */
	fresh(); /* UARTEN clear */
	input("abc", 3);
	CHECK_EQ(u.in_count, 3);
	CHECK(rd(UARTFR) & UARTFR_RXFE);
	wr(UARTIMSC, UARTIMSC_RXIM | UARTIMSC_RTIM);
	enable(UARTLCR_H_FEN);
	CHECK_EQ(u.in_count, 0);
	CHECK(pl011_emu_irq_level(&u)); /* the timeout: below the level */
	CHECK_EQ(drain_rx(got, sizeof(got)), 3);
	CHECK(!memcmp(got, "abc", 3));

	/* Loopback disconnects the line: input waits for its end. */
	fresh();
	enable(UARTLCR_H_FEN);
	wr(UARTCR, RUN_BITS | UARTCR_LBE);
	input("xy", 2);
	wr(UARTDR, 'L');
	CHECK_EQ(drain_rx(got, sizeof(got)), 1);
	CHECK_EQ(got[0], 'L');
	wr(UARTCR, RUN_BITS);
	CHECK_EQ(drain_rx(got, sizeof(got)), 2);
	CHECK(!memcmp(got, "xy", 2));

	/* FIFOs off: one at a time, each read bringing the next. */
	fresh();
	enable(0);
	input("12345", 5);
	CHECK_EQ(u.rx_count, 1);
	CHECK_EQ(drain_rx(got, sizeof(got)), 5);
	CHECK(!memcmp(got, "12345", 5));
	/* Turning the FIFOs on makes room for what waits. */
	input("6789", 4);
	wr(UARTLCR_H, UARTLCR_H_FEN);
	CHECK_EQ(u.rx_count, 4);
	CHECK_EQ(u.in_count, 0);

	/* A reset empties the buffer. */
	input(text, 100);
	pl011_emu_init(&u, &ops, &u);
	CHECK_EQ(u.in_count, 0);
	CHECK_EQ(pl011_emu_input_dropped(&u), 0);
}

/* Each time the guest reads the FIFO empty the next burst comes in and
 * RXRIS asserts as it passes the level: a driver that cleared RXRIS with
 * a full FIFO (Linux's pl011_enable_interrupts()) still gets its
 * interrupt, and the timeout brings in a tail below the level. */
static void input_interrupts(void)
{
	char got[128];

	fresh();
	enable(UARTLCR_H_FEN); /* RX trigger 16 */
	for (int i = 0; i < 100; i++)
		CHECK(pl011_emu_input(&u, (uint8_t)i));
	wr(UARTICR, UARTICR_RXIC | UARTICR_RTIC);
	/* Linux: drain up to two FIFOs' worth, then unmask. */
	for (int i = 0; i < 64; i++) {
		if (rd(UARTFR) & UARTFR_RXFE)
			break;
		rd(UARTDR);
	}
	wr(UARTIMSC, UARTIMSC_RXIM | UARTIMSC_RTIM);
	CHECK(pl011_emu_irq_level(&u));
	CHECK_EQ(drain_rx(got, sizeof(got)), 36);
	for (int i = 0; i < 36; i++)
		CHECK_EQ(got[i], 64 + i);
	CHECK(!pl011_emu_irq_level(&u));

	/* A tail below the level: the timeout, with no call from outside. */
	for (int i = 0; i < 40; i++)
		CHECK(pl011_emu_input(&u, (uint8_t)i));
	CHECK_EQ(drain_rx(got, 32), 32); /* the first FIFO's worth */
	CHECK_EQ(u.rx_count, 8);
	CHECK_EQ(rd(UARTRIS) & (UARTRIS_RXRIS | UARTRIS_RTRIS), UARTRIS_RTRIS);
	CHECK(pl011_emu_irq_level(&u));
	CHECK_EQ(drain_rx(got, sizeof(got)), 8);
	CHECK(!pl011_emu_irq_level(&u));
}

/* ---- interrupts ---------------------------------------------------------- */

static void rx_interrupt_levels(void)
{
	static const unsigned trigger[8] = {4, 8, 16, 24, 28, 16, 16, 16};

	for (unsigned sel = 0; sel < 8; sel++) {
		fresh();
		enable(UARTLCR_H_FEN);
		wr(UARTIFLS, sel << 3 | 2);
		wr(UARTIMSC, UARTIMSC_RXIM);
		fill_rx(trigger[sel] - 1, 'a');
		CHECK(!(rd(UARTRIS) & UARTRIS_RXRIS));
		CHECK(!pl011_emu_irq_level(&u));
		fill_rx(1, 'z');
		CHECK(rd(UARTRIS) & UARTRIS_RXRIS);
		CHECK_EQ(rd(UARTMIS), UARTMIS_RXMIS);
		CHECK(pl011_emu_irq_level(&u));
		/* Read below the level: cleared. */
		rd(UARTDR);
		CHECK(!(rd(UARTRIS) & UARTRIS_RXRIS));
		CHECK(!pl011_emu_irq_level(&u));
	}

	/* It asserts on reaching the level, not while above it. */
	fresh();
	enable(UARTLCR_H_FEN); /* IFLS reset: 1/2 = 16 */
	fill_rx(16, 'a');
	CHECK(rd(UARTRIS) & UARTRIS_RXRIS);
	wr(UARTICR, UARTICR_RXIC);
	CHECK(!(rd(UARTRIS) & UARTRIS_RXRIS));
	fill_rx(4, 'A');
	CHECK(!(rd(UARTRIS) & UARTRIS_RXRIS));
	for (int i = 0; i < 5; i++)
		rd(UARTDR); /* 15 left */
	fill_rx(1, '!');
	CHECK(rd(UARTRIS) & UARTRIS_RXRIS);

	/* FIFOs off: every character. */
	fresh();
	enable(0);
	CHECK(pl011_emu_rx(&u, 'a'));
	CHECK(rd(UARTRIS) & UARTRIS_RXRIS);
	rd(UARTDR);
	CHECK(!(rd(UARTRIS) & UARTRIS_RXRIS));
}

static void rx_timeout(void)
{
	fresh();
	enable(UARTLCR_H_FEN);
	wr(UARTIMSC, UARTIMSC_RXIM | UARTIMSC_RTIM);
	pl011_emu_rx_idle(&u); /* nothing waiting */
	CHECK_EQ(rd(UARTRIS), 0);
	fill_rx(3, 'a'); /* below the level */
	CHECK_EQ(rd(UARTRIS), 0);
	CHECK(!pl011_emu_irq_level(&u));
	pl011_emu_rx_idle(&u);
	CHECK_EQ(rd(UARTRIS), UARTRIS_RTRIS);
	CHECK_EQ(rd(UARTMIS), UARTMIS_RTMIS);
	CHECK(pl011_emu_irq_level(&u));
	rd(UARTDR);
	rd(UARTDR);
	CHECK_EQ(rd(UARTRIS), UARTRIS_RTRIS); /* until empty */
	rd(UARTDR);
	CHECK_EQ(rd(UARTRIS), 0);
	CHECK(!pl011_emu_irq_level(&u));

	/* Cleared by UARTICR; while data waits, the next idle period sets
	 * it again. */
	fill_rx(1, 'x');
	pl011_emu_rx_idle(&u);
	wr(UARTICR, UARTICR_RTIC);
	CHECK(!pl011_emu_irq_level(&u));
	pl011_emu_rx_idle(&u);
	CHECK(pl011_emu_irq_level(&u));

	/* Masked: raw status only. */
	wr(UARTIMSC, 0);
	CHECK_EQ(rd(UARTRIS), UARTRIS_RTRIS);
	CHECK_EQ(rd(UARTMIS), 0);
	CHECK(!pl011_emu_irq_level(&u));
}

static void tx_interrupt(void)
{
	fresh();
	enable(UARTLCR_H_FEN);
	/* Enabled before anything was written: not set. */
	CHECK(!(rd(UARTRIS) & UARTRIS_TXRIS));
	wr(UARTIMSC, UARTIMSC_TXIM);
	CHECK(!pl011_emu_irq_level(&u));
	/* Written and sent: the FIFO emptied. */
	wr(UARTDR, 'a');
	CHECK(rd(UARTRIS) & UARTRIS_TXRIS);
	CHECK(pl011_emu_irq_level(&u));
	wr(UARTICR, UARTICR_TXIC);
	CHECK(!pl011_emu_irq_level(&u));
	/* Nothing written, nothing new: no storm. */
	pl011_emu_rx_idle(&u);
	rd(UARTFR);
	wr(UARTCR, RUN_BITS);
	CHECK(!pl011_emu_irq_level(&u));

	/* Filling a stopped transmitter above the level clears it; draining
	 * through it sets it. */
	wr(UARTDR, 'b');
	wr(UARTCR, 0);
	for (int i = 0; i < 16; i++)
		wr(UARTDR, 'c');
	CHECK(rd(UARTRIS) & UARTRIS_TXRIS); /* 16: not above 1/2 */
	wr(UARTDR, 'd');
	CHECK(!(rd(UARTRIS) & UARTRIS_TXRIS));
	wr(UARTCR, RUN_BITS);
	CHECK(rd(UARTRIS) & UARTRIS_TXRIS);
	CHECK_EQ(out_len, 19);

	/* FIFOs off: the holding register empties after every write. */
	fresh();
	enable(0);
	wr(UARTDR, 'a');
	CHECK_EQ(rd(UARTRIS), UARTRIS_TXRIS);
	wr(UARTICR, 0xffff);
	wr(UARTDR, 'b');
	CHECK_EQ(rd(UARTRIS), UARTRIS_TXRIS);
}

/*
 * Linux before 4.19 (and derived drivers) "provoke TX FIFO interrupt into
 * asserting" at startup: loopback, FIFOs off, one write, wait for !BUSY,
 * then expect TXIS. The loopback byte must not reach the console, and the
 * receiver is off so it is not received either.
 */
static void old_linux_tx_provoke(void)
{
	fresh();
	wr(UARTIFLS, 0x12);
	writew(UARTCR_UARTEN | UARTCR_TXE | UARTCR_LBE, UARTCR);
	writew(0, UARTFBRD);
	writew(1, UARTIBRD);
	writew(0, UARTLCR_H);
	writew(0, UARTDR);
	spin_while_fr(UARTFR_BUSY);
	CHECK(readw(UARTRIS) & UARTRIS_TXRIS);
	CHECK_EQ(tx_calls, 0);
	CHECK(readw(UARTFR) & UARTFR_RXFE);
}

static void loopback(void)
{
	fresh();
	enable(UARTLCR_H_FEN);
	wr(UARTICR, 0xffff);
	wr(UARTCR, RUN_BITS | UARTCR_LBE);
	/* Modem outputs all off, fed back: CTS, DSR, DCD fell (RI already 0). */
	CHECK_EQ(rd(UARTFR) & (MODEM_ON | UARTFR_RI), 0);
	CHECK_EQ(rd(UARTRIS), UARTRIS_CTSRMIS | UARTRIS_DSRRMIS | UARTRIS_DCDRMIS);
	wr(UARTICR, 0xffff);
	wr(UARTCR, RUN_BITS | UARTCR_LBE | UARTCR_RTS);
	CHECK_EQ(rd(UARTFR) & (MODEM_ON | UARTFR_RI), UARTFR_CTS);
	CHECK_EQ(rd(UARTRIS), UARTRIS_CTSRMIS);
	wr(UARTICR, 0xffff);
	wr(UARTCR,
	   RUN_BITS | UARTCR_LBE | UARTCR_RTS | UARTCR_DTR | UARTCR_OUT1 | UARTCR_OUT2);
	CHECK_EQ(rd(UARTFR) & (MODEM_ON | UARTFR_RI), MODEM_ON | UARTFR_RI);
	CHECK_EQ(rd(UARTRIS), UARTRIS_DSRRMIS | UARTRIS_DCDRMIS | UARTRIS_RIRMIS);
	wr(UARTICR, 0xffff);

	/* Data goes round to the receiver, not to the console; the line is
	 * not listened to. */
	wr(UARTDR, 'L');
	wr(UARTDR, 'B');
	CHECK_EQ(tx_calls, 0);
	CHECK_EQ(pl011_emu_rx_room(&u), 0);
	CHECK(!pl011_emu_rx(&u, 'z'));
	CHECK_EQ(rd(UARTDR), 'L');
	CHECK_EQ(rd(UARTDR), 'B');
	CHECK(rd(UARTFR) & UARTFR_RXFE);

	/* Out of loopback: the terminal's lines again (RI fell). */
	wr(UARTCR, RUN_BITS);
	CHECK_EQ(rd(UARTFR) & (MODEM_ON | UARTFR_RI), MODEM_ON);
	CHECK_EQ(rd(UARTRIS) & 0xf, UARTRIS_RIRMIS);
	wr(UARTDR, 'o');
	CHECK(out_is("o"));
}

static void masking_and_line(void)
{
	fresh();
	enable(UARTLCR_H_FEN);
	fill_rx(32, 0);
	CHECK(!pl011_emu_rx(&u, 0)); /* OERIS */
	pl011_emu_rx_idle(&u);	     /* RTRIS */
	CHECK_EQ(rd(UARTRIS), UARTRIS_OERIS | UARTRIS_RTRIS | UARTRIS_RXRIS);
	CHECK(!pl011_emu_irq_level(&u));
	wr(UARTIMSC, UARTIMSC_OEIM);
	CHECK_EQ(rd(UARTMIS), UARTMIS_OEMIS);
	CHECK(pl011_emu_irq_level(&u));
	wr(UARTIMSC, UARTIMSC_TXIM | UARTIMSC_FEIM);
	CHECK_EQ(rd(UARTMIS), 0);
	CHECK(!pl011_emu_irq_level(&u));
	/* UARTICR clears only the bits written as 1. */
	wr(UARTICR, UARTICR_OEIC);
	CHECK_EQ(rd(UARTRIS), UARTRIS_RTRIS | UARTRIS_RXRIS);
	wr(UARTIMSC, 0x7ff);
	CHECK(pl011_emu_irq_level(&u));
	wr(UARTICR, 0xffffffff);
	CHECK_EQ(rd(UARTRIS), 0);
	CHECK(!pl011_emu_irq_level(&u));
}

static void firmware_setup(void)
{
	fresh();
	pl011_emu_fw_setup(&u, 24000000, 115200);
	CHECK_EQ(rd(UARTIBRD), 13); /* 24 MHz / (16 * 115200) = 13.02 */
	CHECK_EQ(rd(UARTFBRD), 1);
	pl011_emu_fw_setup(&u, 24000000, 57600); /* 26.04: 26 + 2.67/64 */
	CHECK_EQ(rd(UARTIBRD), 26);
	CHECK_EQ(rd(UARTFBRD), 3); /* rounded, not truncated */
	pl011_emu_fw_setup(&u, 24000000, 115200);
	CHECK_EQ(rd(UARTLCR_H), UARTLCR_H_WLEN_8 | UARTLCR_H_FEN);
	CHECK_EQ(rd(UARTCR), 0x301);
	CHECK(pl011_emu_rx(&u, 'k'));

	/* earlycon=pl011,<addr>: readl FR, writeb DR, readl FR until !BUSY. */
	for (const char *p = "early"; *p; p++) {
		CHECK(!(rd(UARTFR) & UARTFR_TXFF));
		wr_n(UARTDR, 1, (uint8_t)*p);
		spin_while_fr(UARTFR_BUSY);
	}
	CHECK(out_is("early"));

	/* Divisors that cannot be programmed are left alone. */
	fresh();
	pl011_emu_fw_setup(&u, 24000000, 0);
	pl011_emu_fw_setup(&u, 0xffffffffu, 1);
	pl011_emu_fw_setup(&u, 1, 0xffffffffu);
	CHECK_EQ(rd(UARTIBRD), 0);
	CHECK_EQ(rd(UARTFBRD), 0);
	CHECK_EQ(rd(UARTCR), 0x301);
}

/* ---- Linux, step by step ------------------------------------------------- */

#define LX_RXIS UARTRIS_RXRIS
#define LX_TXIS UARTRIS_TXRIS
#define LX_RTIS UARTRIS_RTRIS
#define LX_ERR (UARTRIS_OERIS | UARTRIS_BERIS | UARTRIS_PERIS | UARTRIS_FERIS)

/* The guest's state: struct uart_amba_port's im, and the tty buffers. */
static uint32_t lx_im;
static char lx_xmit[256], lx_rx[4096];
static size_t lx_xmit_head, lx_xmit_tail, lx_rx_len;
static unsigned lx_passes;

static void lx_stop_tx(void)
{
	lx_im &= ~UARTIMSC_TXIM;
	writew(lx_im, UARTIMSC);
}

/* pl011_tx_chars(): from the IRQ, half a FIFO without looking at TXFF;
 * otherwise until TXFF. Returns whether TXIM must stay on. */
static int lx_tx_chars(int from_irq)
{
	int count = 32 >> 1;

	if (lx_xmit_tail == lx_xmit_head) {
		lx_stop_tx();
		return 0;
	}
	do {
		if (from_irq && count-- == 0)
			break;
		if (!from_irq && (readw(UARTFR) & UARTFR_TXFF))
			break;
		writew((uint8_t)lx_xmit[lx_xmit_tail++], UARTDR);
	} while (lx_xmit_tail != lx_xmit_head);
	if (lx_xmit_tail == lx_xmit_head) {
		lx_stop_tx();
		return 0;
	}
	return 1;
}

static void lx_queue(const char *s)
{
	while (*s && lx_xmit_head < sizeof(lx_xmit))
		lx_xmit[lx_xmit_head++] = *s++;
}

/* pl011_start_tx() without DMA: pl011_start_tx_pio(). */
static void lx_start_tx(void)
{
	if (lx_tx_chars(0)) {
		lx_im |= UARTIMSC_TXIM;
		writew(lx_im, UARTIMSC);
	}
}

/* pl011_int(), called while the line is high. */
static void lx_int(void)
{
	unsigned pass_counter = 256;
	uint32_t status = readw(UARTRIS) & lx_im;

	if (!status)
		return;
	do {
		lx_passes++;
		writew(status & ~(LX_TXIS | LX_RTIS | LX_RXIS), UARTICR);
		if (status & (LX_RTIS | LX_RXIS)) {
			/* pl011_fifo_to_tty() */
			for (int taken = 0; taken != 256; taken++) {
				uint32_t ch;

				if (readw(UARTFR) & UARTFR_RXFE)
					break;
				ch = readw(UARTDR);
				CHECK_EQ(ch & ~UARTDR_DATA, 0); /* no errors */
				if (lx_rx_len < sizeof(lx_rx))
					lx_rx[lx_rx_len++] = (char)ch;
			}
		}
		if (status & LX_TXIS)
			lx_tx_chars(1);
		if (pass_counter-- == 0)
			break;
		status = readw(UARTRIS) & lx_im;
	} while (status != 0);
}

/* pl011_console_write() with uart_console_write()'s \n -> \r\n. */
static void lx_console_write(const char *s)
{
	uint32_t old_cr = readw(UARTCR);

	writew((old_cr & ~UARTCR_CTSEN) | UARTCR_UARTEN | UARTCR_TXE, UARTCR);
	for (; *s; s++) {
		if (*s == '\n') {
			spin_while_fr(UARTFR_TXFF);
			writew('\r', UARTDR);
		}
		spin_while_fr(UARTFR_TXFF);
		writew((uint8_t)*s, UARTDR);
	}
	spin_while_fr(UARTFR_BUSY);
	writew(old_cr, UARTCR);
}

/* The hypervisor (hyp/drivers/console_mux.c, hyp/vdev/vuart.c): keyboard input as fast
 * as it comes, in bursts of the physical UART's FIFO, each followed by the
 * idle call; the guest's handler runs whenever the line is high (as the
 * injected interrupt would), not necessarily between bursts. */
static void hv_type(const char *s)
{
	size_t n = strlen(s);
	unsigned rounds = 0;

	for (size_t i = 0; i < n; i++) {
		CHECK(pl011_emu_input(&u, (uint8_t)s[i]));
		if (i % 16 == 15 || i == n - 1) {
			pl011_emu_rx_idle(&u);
			/* The guest is slow: it gets in every third burst. */
			if (i % 48 == 47 && pl011_emu_irq_level(&u))
				lx_int();
		}
	}
	while (pl011_emu_irq_level(&u) && rounds++ < 100)
		lx_int();
}

static void linux_sequence(void)
{
	static const char paste[] = "echo the quick brown fox jumps over the lazy dog\n";
	uint32_t cr, quot;

	fresh();
	lx_im = 0;
	lx_xmit_head = lx_xmit_tail = lx_rx_len = 0;

	/* pl011_register_port(): mask and clear everything. */
	writew(0, UARTIMSC);
	writew(0xffff, UARTICR);

	/* Console setup, then pl011_set_termios() for 115200 8N1 at 24 MHz. */
	CHECK(!(readw(UARTCR) & UARTCR_UARTEN)); /* no options to inherit */
	quot = (24000000u * 4 + 115200 / 2) / 115200;
	writew(quot & 0x3f, UARTFBRD);
	writew(quot >> 6, UARTIBRD);
	writew(UARTLCR_H_WLEN_8 | UARTLCR_H_FEN, UARTLCR_H);
	writew(readw(UARTCR) & ~(UARTCR_CTSEN | UARTCR_RTSEN), UARTCR);

	/* printk through the console before the tty is opened: the console
	 * enables the UART itself, and disables it again afterwards. */
	lx_console_write("Booting\n");
	CHECK(out_is("Booting\r\n"));
	CHECK(!(readw(UARTCR) & UARTCR_UARTEN));

	/* pl011_startup(): pl011_hwinit(), allocate_irq, IFLS, CR. */
	writew(UARTRIS_OERIS | UARTRIS_BERIS | UARTRIS_PERIS | UARTRIS_FERIS | LX_RTIS |
		       LX_RXIS,
	       UARTICR);
	lx_im = readw(UARTIMSC);
	writew(UARTIMSC_RTIM | UARTIMSC_RXIM, UARTIMSC);
	writew(lx_im, UARTIMSC);
	writew(0x12, UARTIFLS); /* UART011_IFLS_RX4_8 | UART011_IFLS_TX4_8 */
	cr = readw(UARTCR) & (UARTCR_RTS | UARTCR_DTR);
	writew(cr | UARTCR_UARTEN | UARTCR_RXE | UARTCR_TXE, UARTCR);
	CHECK_EQ(readw(UARTFR) & (UARTFR_CTS | UARTFR_DSR | UARTFR_DCD), MODEM_ON);
	/* pl011_enable_interrupts() */
	writew(LX_RTIS | LX_RXIS, UARTICR);
	for (int i = 0; i < 32 * 2; i++) {
		if (readw(UARTFR) & UARTFR_RXFE)
			break;
		readw(UARTDR);
	}
	lx_im = UARTIMSC_RTIM | UARTIMSC_RXIM;
	writew(lx_im, UARTIMSC);
	CHECK(!pl011_emu_irq_level(&u));

	/* The tty writes a prompt: TXFF never shows, so the whole buffer goes
	 * out from start_tx and TXIM stays masked. */
	out_len = 0;
	lx_queue("login: ");
	lx_start_tx();
	CHECK(out_is("login: "));
	CHECK(!(lx_im & UARTIMSC_TXIM));
	CHECK(!pl011_emu_irq_level(&u));

	/* Typing: below the trigger level, so the timeout brings it in. */
	lx_passes = 0;
	hv_type("root\n");
	CHECK_EQ(lx_rx_len, 5);
	CHECK(!memcmp(lx_rx, "root\n", 5));
	CHECK(!pl011_emu_irq_level(&u));
	CHECK(lx_passes >= 1 && lx_passes <= 2);

	/* A paste longer than the FIFO: nothing overruns. */
	lx_rx_len = 0;
	hv_type(paste);
	CHECK_EQ(lx_rx_len, sizeof(paste) - 1);
	CHECK(!memcmp(lx_rx, paste, sizeof(paste) - 1));
	CHECK_EQ(readw(UARTRSR), 0);
	CHECK(!pl011_emu_irq_level(&u));

	/* 2 000 characters at full speed: all of them, in order. */
	{
		static char big[2001];

		for (unsigned i = 0; i < 2000; i++)
			big[i] = (char)(i % 80 == 79 ? '\n'
						     : 'A' + (i * 31 + i / 80) % 58);
		lx_rx_len = 0;
		lx_passes = 0;
		hv_type(big);
		CHECK_EQ(lx_rx_len, 2000);
		CHECK(!memcmp(lx_rx, big, 2000));
		CHECK_EQ(readw(UARTRSR), 0);
		CHECK(!pl011_emu_irq_level(&u));
	}

	/* Interrupt-driven transmit as older drivers do it (TXIM set, half a
	 * FIFO per interrupt): bounded passes, TXIM masked at the end. */
	out_len = 0;
	lx_passes = 0;
	lx_queue("0123456789abcdefghijklmnopqrstuvwxyzABCD"); /* 40 */
	lx_im |= UARTIMSC_TXIM;
	writew(lx_im, UARTIMSC);
	CHECK(pl011_emu_irq_level(&u)); /* TXIS from the earlier writes */
	while (pl011_emu_irq_level(&u) && lx_passes < 100)
		lx_int();
	CHECK(out_is("0123456789abcdefghijklmnopqrstuvwxyzABCD"));
	CHECK_EQ(lx_passes, 3);
	CHECK(!(lx_im & UARTIMSC_TXIM));
	CHECK(!pl011_emu_irq_level(&u));

	/* A long tty write, as 6.1 does it: start_tx writes while TXFF is
	 * clear, meets TXFF after 32, unmasks TXIM; then each interrupt
	 * writes half a FIFO without reading UARTFR. Far fewer UARTFR reads
	 * than characters, and every character out in order. */
	{
		char text[200];

		out_len = 0;
		lx_passes = 0;
		lx_xmit_head = lx_xmit_tail = 0;
		for (unsigned i = 0; i < sizeof(text); i++)
			text[i] = (char)('a' + i % 26);
		for (unsigned i = 0; i < sizeof(text); i++)
			lx_xmit[lx_xmit_head++] = text[i];
		fr_reads = 0;
		lx_start_tx();
		CHECK(lx_im & UARTIMSC_TXIM);
		CHECK_EQ(out_len, 32);
		CHECK(pl011_emu_irq_level(&u));
		while (pl011_emu_irq_level(&u) && lx_passes < 100)
			lx_int();
		CHECK_EQ(out_len, sizeof(text));
		CHECK(!memcmp(out, text, sizeof(text)));
		CHECK_EQ(fr_reads, 33); /* 32 that let a character go, one TXFF */
		CHECK(lx_passes <= (sizeof(text) - 32) / 16 + 1);
		CHECK(!(lx_im & UARTIMSC_TXIM));
		CHECK(!pl011_emu_irq_level(&u));
	}

	/* A console line while the tty runs: CR restored enabled. */
	out_len = 0;
	lx_console_write("ok\n");
	CHECK(out_is("ok\r\n"));
	CHECK(readw(UARTCR) & UARTCR_UARTEN);

	/* pl011_shutdown() */
	lx_im = 0;
	writew(lx_im, UARTIMSC);
	writew(0xffff, UARTICR);
	cr = readw(UARTCR) & (UARTCR_RTS | UARTCR_DTR);
	writew(cr | UARTCR_UARTEN | UARTCR_TXE, UARTCR);
	writew(readw(UARTLCR_H) & ~(UARTLCR_H_BRK | UARTLCR_H_FEN), UARTLCR_H);
	CHECK(!pl011_emu_irq_level(&u));
	CHECK_EQ(readw(UARTRIS), 0);
}

/* ---- hostile guests ------------------------------------------------------ */

static void hostile_accesses(void)
{
	static const uint32_t far[] = {0x1000,	0x1004,	     0x1030,	 0x1ffc,
				       0x10000, 0x80000000u, 0xfffffffcu};
	static const unsigned bad_sizes[] = {0, 3, 5, 6, 7, 8, 16, 0xffffffffu};
	uint32_t v;

	fresh();
	enable(UARTLCR_H_FEN);
	for (size_t i = 0; i < sizeof(far) / sizeof(far[0]); i++) {
		v = 0x55;
		CHECK(!pl011_emu_read(&u, far[i], 4, &v));
		CHECK_EQ(v, 0);
		CHECK(!pl011_emu_write(&u, far[i], 4, 0));
		CHECK(!pl011_emu_write(&u, far[i], 1, 'X'));
	}
	/* Nothing reached a register. */
	CHECK_EQ(rd(UARTCR), RUN_BITS);
	CHECK_EQ(tx_calls, 0);

	/* Unaligned. */
	CHECK(!pl011_emu_read(&u, 0x001, 2, &v));
	CHECK(!pl011_emu_read(&u, 0x002, 4, &v));
	CHECK(!pl011_emu_read(&u, 0x031, 4, &v));
	CHECK(!pl011_emu_read(&u, 0xfff, 2, &v));
	CHECK(!pl011_emu_read(&u, 0xffe, 4, &v));
	CHECK(!pl011_emu_write(&u, 0x001, 4, 'X'));
	CHECK(!pl011_emu_write(&u, 0x033, 2, 0));
	/* Sizes the bus does not carry. */
	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		CHECK(!pl011_emu_read(&u, UARTDR, bad_sizes[i], &v));
		CHECK(!pl011_emu_write(&u, UARTDR, bad_sizes[i], 'X'));
		CHECK(!pl011_emu_write(&u, UARTCR, bad_sizes[i], 0));
	}
	CHECK_EQ(tx_calls, 0);
	CHECK_EQ(rd(UARTCR), RUN_BITS);
	CHECK(!pl011_emu_read(&u, UARTFR, 4, NULL));

	/* Narrow accesses reach the whole register: reads take the addressed
	 * lanes (a read anywhere in UARTDR pops), writes are 32-bit writes
	 * with the other lanes zero. */
	CHECK_EQ(rd_n(UARTFR, 1), 0x97);
	CHECK_EQ(rd_n(UARTFR + 1, 1), 0);
	CHECK_EQ(rd_n(UARTFR + 2, 2), 0);
	CHECK_EQ(rd_n(UARTCR + 1, 1), RUN_BITS >> 8);
	fill_rx(2, 'a');
	CHECK_EQ(rd_n(UARTDR + 1, 1), 0); /* the error byte of 'a' */
	CHECK_EQ(rd_n(UARTDR, 1), 'b');
	wr_n(UARTCR + 1, 1, UARTCR_TXE >> 8);
	CHECK_EQ(rd(UARTCR), UARTCR_TXE);
	wr_n(UARTCR + 2, 2, 0xffff); /* bits 31:16: nothing there */
	CHECK_EQ(rd(UARTCR), 0);
	wr(UARTIMSC, 0x7ff);
	wr_n(UARTIMSC + 2, 2, 0);
	CHECK_EQ(rd(UARTIMSC), 0);
	wr_n(UARTIMSC + 1, 1, 0x07);
	CHECK_EQ(rd(UARTIMSC), 0x700);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static void fuzz(void)
{
	static const unsigned sizes[] = {1, 2, 4, 4, 4, 8, 3, 0};
	static const uint32_t regs[] = {UARTDR,	   UARTDR,   UARTDR,   UARTRSR,
					UARTFR,	   UARTILPR, UARTIBRD, UARTFBRD,
					UARTLCR_H, UARTCR,   UARTIFLS, UARTIMSC,
					UARTRIS,   UARTMIS,  UARTICR,  UARTDMACR};
	unsigned failures = 0, rx_taken = 0, input_taken = 0;
	long step;

	fresh_clocked();
	for (step = 0; step < 100000 && failures < 10; step++) {
		uint32_t r = rnd() % 100, off, val = rnd(), v = 0x5a5a5a5a, fr, ris;
		unsigned size = sizes[rnd() % 8];
		bool ok, want;

		clock_now += rnd() % 4 ? rnd() % 64 : rnd() % 4096;
		if (r < 4) {
			rx_taken += pl011_emu_rx(&u, (uint8_t)val);
		} else if (r < 8) {
			for (unsigned i = rnd() % 64; i; i--)
				input_taken += pl011_emu_input(&u, (uint8_t)val);
			(void)pl011_emu_input_dropped(&u);
		} else if (r < 10) {
			pl011_emu_rx_idle(&u);
		} else if (r < 11) {
			pl011_emu_fw_setup(&u, rnd(), rnd() % 4 ? 115200 : rnd());
		} else {
			switch (rnd() % 8) {
			case 0:
			case 1:
			case 2:
			case 3: /* the registers, with narrow lanes too */
				off = regs[rnd() % (sizeof(regs) / sizeof(regs[0]))] +
				      rnd() % 4;
				break;
			case 4: /* and their neighbours */
				off = rnd() % 0x100;
				break;
			case 5: /* the ID block */
				off = 0xfc0 + rnd() % 0x50;
				break;
			default:
				off = rnd() % 2 ? rnd() % 0x1100 : rnd();
				break;
			}
			/* Keep the UART running, mostly out of loopback, often
			 * enough for data to flow both ways. */
			if ((off & ~3u) == UARTCR && rnd() % 4)
				val = (val | RUN_BITS) & ~(rnd() % 4 ? UARTCR_LBE : 0);
			want = (size == 1 || size == 2 || size == 4) && off < 0x1000 &&
			       !(off & (size - 1));
			if (rnd() % 2) {
				ok = pl011_emu_read(&u, off, size, &v);
				if (ok && size < 4 && (v >> (size * 8)))
					failures++;
				if (!ok && v != 0)
					failures++;
			} else {
				ok = pl011_emu_write(&u, off, size, val);
			}
			if (ok != want)
				failures++;
		}

		/* Invariants. Reading FR, RIS, MIS changes no state but the
		 * transmit FIFO's level (time passes). */
		fr = rd(UARTFR);
		ris = rd(UARTRIS);
		if (u.rx_count > 32 || u.tx_count > 32 || u.rx_head >= 32 ||
		    u.tx_head >= 32 || u.tx_held > u.tx_count)
			failures++;
		if (u.in_count > PL011_EMU_INPUT_SIZE ||
		    u.in_head >= PL011_EMU_INPUT_SIZE)
			failures++;
		/* Input waits only behind a FIFO the guest has not read empty,
		 * or while nothing listens. */
		if (u.in_count && !u.rx_count && pl011_emu_rx_room(&u))
			failures++;
		if (!(fr & UARTFR_BUSY) != !!(fr & UARTFR_TXFE))
			failures++;
		if ((fr & UARTFR_RXFE) && (fr & UARTFR_RXFF))
			failures++;
		if (ris & ~0x7ffu)
			failures++;
		if (rd(UARTMIS) != (ris & rd(UARTIMSC)))
			failures++;
		if (pl011_emu_irq_level(&u) != ((ris & rd(UARTIMSC)) != 0))
			failures++;
		/* A running transmitter never holds anything back. */
		if ((rd(UARTCR) & (UARTCR_UARTEN | UARTCR_TXE)) ==
			    (UARTCR_UARTEN | UARTCR_TXE) &&
		    u.tx_held)
			failures++;
	}
	CHECK_EQ(failures, 0);
	CHECK_EQ(step, 100000);
	/* The run exercised both directions, not just rejections. */
	CHECK(tx_calls > 500);
	CHECK(rx_taken > 500);
	/* More than the buffer holds: the guest drained it too. */
	CHECK(input_taken > PL011_EMU_INPUT_SIZE + 32);
}

int main(void)
{
	RUN(id_registers);
	RUN(reset_values);
	RUN(register_widths);
	RUN(transmit_enabled);
	RUN(transmit_paced);
	RUN(transmit_never_lost);
	RUN(transmit_drains_with_time);
	RUN(transmit_waits_while_disabled);
	RUN(quick_forms);
	RUN(quick_int_forms);
	RUN(receive_fifo);
	RUN(input_buffer);
	RUN(input_interrupts);
	RUN(rx_interrupt_levels);
	RUN(rx_timeout);
	RUN(tx_interrupt);
	RUN(old_linux_tx_provoke);
	RUN(loopback);
	RUN(masking_and_line);
	RUN(firmware_setup);
	RUN(linux_sequence);
	RUN(hostile_accesses);
	RUN(fuzz);
	UNIT_DONE();
}
