/*
 * The register model of an emulated PL011 r1p5 (hyp/vdev/pl011_model.h
 * says what it is and is not). Behaviour follows the PrimeCell UART (PL011)
 * Technical Reference Manual; where the TRM leaves a choice open, the
 * comment says which way the model goes and why.
 *
 * Every guest-supplied value is masked to the bits the register has before
 * it is stored, FIFO indices stay below PL011_EMU_FIFO_DEPTH by
 * construction, and no guest value ever becomes an index or a size.
 */
#include <hyp/vdev/pl011_model.h>

#define DEPTH PL011_EMU_FIFO_DEPTH
#define SLOT(i) ((i) & (DEPTH - 1)) /* DEPTH is a power of two */
#define IN_SLOT(i) ((i) & (PL011_EMU_INPUT_SIZE - 1))

/* Writable bits per register (TRM register widths). UARTCR[6:3] are
 * reserved ("do not modify, read as zero"). */
#define ILPR_BITS 0xffu
#define IBRD_BITS 0xffffu
#define FBRD_BITS 0x3fu
#define LCR_H_BITS 0xffu
#define CR_BITS 0xff87u
#define IFLS_BITS 0x3fu
#define INT_BITS PL011_EMU_INT_BITS
#define DMACR_BITS 0x7u

#define MODEM_FR (UARTFR_CTS | UARTFR_DSR | UARTFR_DCD | UARTFR_RI)

/* UARTPeriphID0..3 then UARTPCellID0..3 of r1p5: part number 0x011,
 * designer 0x41 (Arm), revision 3, configuration 0; the PrimeCell ID
 * 0xB105F00D that Linux's AMBA bus requires. */
static const uint8_t id_regs[8] = {0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

static bool fifos_on(const struct pl011_emu *u)
{
	return u->lcr_h & UARTLCR_H_FEN;
}

/* RXRIS asserts when the receive FIFO reaches this many entries. */
static unsigned rx_trigger(const struct pl011_emu *u)
{
	if (!fifos_on(u))
		return 1;
	return pl011_emu_ifls_entries((u->ifls >> UARTIFLS_RXIFLSEL_SHIFT) &
				      UARTIFLS_IFLSEL_MASK);
}

/* The transmit trigger level as pl011_emu_tx_trigger() gives it, worked
 * out again whenever UARTLCR_H.FEN or UARTIFLS changes. */
static void tx_trig_update(struct pl011_emu *u)
{
	if (!fifos_on(u))
		u->tx_trig = 0;
	else
		u->tx_trig = (uint8_t)pl011_emu_ifls_entries(
			(u->ifls >> UARTIFLS_TXIFLSEL_SHIFT) & UARTIFLS_IFLSEL_MASK);
}

static bool rx_running(const struct pl011_emu *u)
{
	return (u->cr & UARTCR_UARTEN) && (u->cr & UARTCR_RXE);
}

/* ---- modem status -------------------------------------------------------- */

/*
 * Outside loopback the far end is a terminal that is always there: CTS, DSR
 * and DCD asserted, so that a guest using hardware flow control may send and
 * one opening the tty without CLOCAL does not wait for carrier. In loopback
 * the TRM feeds the modem outputs to the modem inputs; the pairing is the
 * 16550's (and QEMU's): RTS to CTS, DTR to DSR, Out1 to DCD, Out2 to RI.
 */
static uint16_t modem_inputs(const struct pl011_emu *u)
{
	uint16_t m = 0;

	if (!(u->cr & UARTCR_LBE))
		return UARTFR_CTS | UARTFR_DSR | UARTFR_DCD;
	if (u->cr & UARTCR_RTS)
		m |= UARTFR_CTS;
	if (u->cr & UARTCR_DTR)
		m |= UARTFR_DSR;
	if (u->cr & UARTCR_OUT1)
		m |= UARTFR_DCD;
	if (u->cr & UARTCR_OUT2)
		m |= UARTFR_RI;
	return m;
}

/* The modem status interrupts assert on any change of their input. */
static void modem_update(struct pl011_emu *u)
{
	uint16_t now = modem_inputs(u);
	uint16_t changed = now ^ u->modem;

	if (changed & UARTFR_CTS)
		u->ris |= UARTRIS_CTSRMIS;
	if (changed & UARTFR_DSR)
		u->ris |= UARTRIS_DSRRMIS;
	if (changed & UARTFR_DCD)
		u->ris |= UARTRIS_DCDRMIS;
	if (changed & UARTFR_RI)
		u->ris |= UARTRIS_RIRMIS;
	u->modem = now;
}

/* ---- receive ------------------------------------------------------------- */

/* A character reaching the receiver, from the line or from loopback. */
static bool rx_push(struct pl011_emu *u, uint8_t c)
{
	unsigned before = u->rx_count;
	unsigned trigger = rx_trigger(u);
	uint16_t entry = c;

	if (!rx_running(u))
		return false;
	/* A full FIFO keeps its contents; only the new character is lost
	 * (UARTRSR.OE), and the TRM's UARTDR.OE stays set until a character
	 * can be written again, so the next one in carries it. The >= covers
	 * a FIFO left holding more than one entry when FEN was cleared. */
	if (before >= pl011_emu_fifo_depth(u)) {
		u->rsr |= UARTRSR_OE;
		u->ris |= UARTRIS_OERIS;
		u->rx_oe_next = true;
		return false;
	}
	if (u->rx_oe_next)
		entry |= UARTDR_OE;
	u->rx_oe_next = false;
	u->rx[SLOT(u->rx_head + before)] = entry;
	u->rx_count = (uint8_t)(before + 1);
	/* RXRIS asserts when the FIFO reaches the trigger level, not while it
	 * stays above it (Linux's pl011_enable_interrupts() relies on this). */
	if (before < trigger && before + 1 >= trigger)
		u->ris |= UARTRIS_RXRIS;
	return true;
}

static void input_feed(struct pl011_emu *u);

static uint32_t rx_pop(struct pl011_emu *u)
{
	uint32_t entry;

	/* The TRM gives no value for an empty FIFO; 0 leaks nothing. */
	if (!u->rx_count)
		return 0;
	entry = u->rx[u->rx_head];
	u->rx_head = (uint8_t)SLOT(u->rx_head + 1);
	u->rx_count--;
	if (u->rx_count < rx_trigger(u))
		u->ris &= ~UARTRIS_RXRIS;
	/* The receive timeout clears once the FIFO has been read empty; then
	 * what waits for it comes in. */
	if (!u->rx_count) {
		u->ris &= ~UARTRIS_RTRIS;
		if (u->in_count)
			input_feed(u);
	}
	return entry;
}

/*
 * Console input the FIFO could not take waits in u->in. It comes in as a
 * burst each time the guest has read the FIFO empty, not a byte per read:
 * so the FIFO fills from empty and RXRIS asserts as it passes the trigger
 * level, as it would on a line. (Refilled after every read, a FIFO kept
 * at its level never passes it again, and a driver that cleared RXRIS, as
 * Linux's pl011_enable_interrupts() does, would wait for it forever.) When
 * the buffer is empty the line falls silent: the receive timeout asserts
 * for what the FIFO holds, whatever its level.
 */
static void input_feed(struct pl011_emu *u)
{
	unsigned room = pl011_emu_rx_room(u);
	bool moved = false;

	while (room && u->in_count) {
		rx_push(u, u->in[u->in_head]);
		u->in_head = (uint16_t)IN_SLOT(u->in_head + 1);
		u->in_count--;
		room--;
		moved = true;
	}
	if (moved && !u->in_count)
		pl011_emu_rx_idle(u);
}

/* ---- transmit ------------------------------------------------------------ */

/*
 * The transmitter, paced. Bytes written while the transmitter runs go to
 * ops->tx at once: nothing is ever held back from the console. But the
 * FIFO level the guest sees (tx_count) rises with each write and falls
 * with time, a character per char_ticks of the counter (tx_clock(), the
 * line rate PL011_EMU_LINE_BAUD), and to empty at once when the guest
 * waits for it: when it reads UARTFR twice in a row (a poll) or touches
 * any register but UARTDR and UARTFR (tx_settle()). Waiting out the line
 * rate would cost the VM time for nothing, and the model has no timer of
 * its own to raise TXRIS later: Linux's transmit interrupt handler reads
 * UARTRIS after each half FIFO, and finds the FIFO drained. So a driver
 * that writes as long as TXFF is clear meets TXFF after a FIFO's worth, as
 * on hardware, and switches to its interrupt: Linux's amba-pl011 then
 * writes half a FIFO per interrupt without reading UARTFR, which halves
 * the accesses (and so the traps) per character. A driver that polls (the
 * console's TXFF and BUSY loops) sees the FIFO drain on its second read.
 * One that writes UARTDR and nothing else finds TXFF set after a FIFO's
 * worth (until time drains it) and loses nothing: a write to a full FIFO,
 * which the PL011 would lose, goes out all the same and is counted in
 * tx_overruns. (QEMU's PL011 never sets TXFF at all.)
 *
 * While UARTCR.UARTEN or TXE is clear, writes wait in the FIFO as on the
 * hardware, and go out in order when both are set again. Each time the
 * FIFO drains TXRIS asserts, as if the burst had drained through the
 * trigger level: a driver that writes and then waits for the transmit
 * interrupt is answered, and one that clears TXRIS (UARTICR) sees it again
 * only after it writes again. It does not assert while nothing is written,
 * so it cannot storm: Linux unmasks TXIM only after finding TXFF set and
 * masks it as soon as it has nothing left to send.
 */
static void tx_send(struct pl011_emu *u, uint8_t c)
{
	if (u->cr & UARTCR_LBE)
		rx_push(u, c);
	else if (u->ops && u->ops->tx)
		u->ops->tx(u->ctx, c);
}

/* The transmitter started: what waited in the FIFO goes out. */
static void tx_drain(struct pl011_emu *u)
{
	while (u->tx_held && pl011_emu_tx_running(u)) {
		uint8_t c = u->tx[u->tx_head];

		/* Dequeue before the callback so it sees a consistent UART. */
		u->tx_head = (uint8_t)SLOT(u->tx_head + 1);
		u->tx_held--;
		tx_send(u, c);
	}
}

/* The level falls to n (characters left the line): TXRIS asserts as it
 * passes the trigger level, and when the FIFO empties, as if a burst had
 * drained through the level (so that a write and nothing else is answered
 * too). */
static void tx_level(struct pl011_emu *u, unsigned n)
{
	unsigned before = u->tx_count, trigger = pl011_emu_tx_trigger(u);

	u->tx_count = (uint8_t)n;
	if ((before > trigger && n <= trigger) || (before && !n))
		u->ris |= UARTRIS_TXRIS;
}

/* Time has passed on the line: the characters it carried since tx_since
 * leave the level. Nothing moves while the transmitter is off (what waits
 * for it is held), nor without a clock (char_ticks is 0 without
 * ops->now). */
static void tx_clock(struct pl011_emu *u)
{
	uint64_t elapsed, sent;

	if (!u->tx_count || !u->char_ticks || !pl011_emu_tx_running(u))
		return;
	elapsed = u->ops->now(u->ctx) - u->tx_since;
	/* The usual case, a driver's accesses within a character's time of
	 * each other: no division. */
	if (elapsed < u->char_ticks)
		return;
	sent = elapsed / u->char_ticks;
	if (sent >= u->tx_count) {
		tx_level(u, 0);
	} else {
		u->tx_since += sent * u->char_ticks;
		tx_level(u, u->tx_count - (unsigned)sent);
	}
}

/* Time has passed: everything written has left the FIFO. */
static void tx_settle(struct pl011_emu *u)
{
	tx_drain(u);
	if (u->tx_count && !u->tx_held)
		tx_level(u, 0);
}

static void tx_write(struct pl011_emu *u, uint32_t val)
{
	unsigned n;
	uint8_t c = (uint8_t)(val & UARTDR_DATA);

	/* The level is brought up to date with the clock where it decides
	 * something: here when the FIFO looks full (below that, a write only
	 * adds one), and at a UARTFR read. */
	n = u->tx_count;
	if (n >= pl011_emu_fifo_depth(u)) {
		tx_clock(u);
		n = u->tx_count;
	}
	/* Written to a full FIFO, the PL011 loses the data (it has no error
	 * for it). The model sends it all the same, after whatever waits for
	 * a stopped transmitter so the order holds, and counts it; the level
	 * stays full. */
	if (n >= pl011_emu_fifo_depth(u)) {
		u->tx_overruns++;
		while (u->tx_held) {
			uint8_t old = u->tx[u->tx_head];

			u->tx_head = (uint8_t)SLOT(u->tx_head + 1);
			u->tx_held--;
			tx_send(u, old);
		}
		tx_send(u, c);
		return;
	}
	/* The line starts carrying this one now. */
	if (!n && u->char_ticks)
		u->tx_since = u->ops->now(u->ctx);
	if (pl011_emu_tx_running(u) && !u->tx_held) {
		tx_send(u, c);
	} else {
		u->tx[SLOT(u->tx_head + u->tx_held)] = c;
		u->tx_held++;
	}
	u->tx_count = (uint8_t)(n + 1);
	/* TXRIS clears once the FIFO is filled above the trigger level (with
	 * FIFOs off: by the write that fills the holding register). */
	if (n + 1 > pl011_emu_tx_trigger(u))
		u->ris &= ~UARTRIS_TXRIS;
}

/* ---- registers ----------------------------------------------------------- */

/* reg: a word offset below PL011_EMU_FRAME. */
static uint32_t reg_read(struct pl011_emu *u, uint32_t reg)
{
	switch (reg) {
	case UARTDR:
		return rx_pop(u);
	case UARTRSR:
		return u->rsr;
	case UARTFR:
		return pl011_emu_fr(u);
	case UARTILPR:
		return u->ilpr;
	case UARTIBRD:
		return u->ibrd;
	case UARTFBRD:
		return u->fbrd;
	case UARTLCR_H:
		return u->lcr_h;
	case UARTCR:
		return u->cr;
	case UARTIFLS:
		return u->ifls;
	case UARTIMSC:
		return u->imsc;
	case UARTRIS:
		return u->ris;
	case UARTMIS:
		return u->ris & u->imsc;
	case UARTDMACR:
		return u->dmacr;
	default:
		if (reg >= UARTPeriphID0)
			return id_regs[(reg - UARTPeriphID0) / 4];
		/* Reserved, test registers, and the write-only UARTICR. */
		return 0;
	}
}

static void write_lcr_h(struct pl011_emu *u, uint32_t val)
{
	bool was_on = fifos_on(u);

	/* With UARTIBRD and UARTFBRD this forms the TRM's one 30-bit line
	 * control register, updated by this write; only FEN matters here. */
	u->lcr_h = (uint16_t)(val & LCR_H_BITS);
	tx_trig_update(u);
	/* The TRM's reprogramming sequence flushes the transmit FIFO by
	 * clearing FEN. The receive FIFO keeps its contents: the TRM does not
	 * say it is flushed, and keeping them loses no input. */
	if (was_on && !fifos_on(u)) {
		u->tx_count = 0;
		u->tx_held = 0;
		u->tx_head = 0;
	}
}

static void reg_write(struct pl011_emu *u, uint32_t reg, uint32_t val)
{
	switch (reg) {
	case UARTDR:
		tx_write(u, val);
		break;
	case UARTECR:
		/* Any write clears all four errors. */
		u->rsr = 0;
		break;
	case UARTILPR:
		u->ilpr = (uint16_t)(val & ILPR_BITS);
		break;
	case UARTIBRD:
		u->ibrd = (uint16_t)(val & IBRD_BITS);
		break;
	case UARTFBRD:
		u->fbrd = (uint16_t)(val & FBRD_BITS);
		break;
	case UARTLCR_H:
		write_lcr_h(u, val);
		/* FIFOs on: room for input that waits. */
		if (u->in_count)
			input_feed(u);
		break;
	case UARTCR:
		u->cr = (uint16_t)(val & CR_BITS);
		modem_update(u);
		/* Enabling the transmitter sends what waited in the FIFO. */
		tx_settle(u);
		/* The receiver listening to the line again: input that waited
		 * comes in. */
		if (u->in_count)
			input_feed(u);
		break;
	case UARTIFLS:
		u->ifls = (uint16_t)(val & IFLS_BITS);
		tx_trig_update(u);
		break;
	case UARTIMSC:
		u->imsc = (uint16_t)(val & INT_BITS);
		break;
	case UARTICR:
		u->ris &= (uint16_t) ~(val & INT_BITS);
		break;
	case UARTDMACR:
		u->dmacr = (uint16_t)(val & DMACR_BITS);
		break;
	default:
		/* UARTFR, UARTRIS, UARTMIS and the ID registers are read-only
		 * (Linux even writes UARTMIS as a delay on ST's variant);
		 * reserved and test offsets ignore writes. */
		break;
	}
}

static bool access_ok(uint32_t off, unsigned size)
{
	if (size != 1 && size != 2 && size != 4)
		return false;
	/* Natural alignment also keeps off + size inside the frame. */
	return off < PL011_EMU_FRAME && !(off & (size - 1));
}

static uint32_t size_mask(unsigned size)
{
	return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

/* ---- the API ------------------------------------------------------------- */

void pl011_emu_init(struct pl011_emu *u, const struct pl011_emu_ops *ops, void *ctx)
{
	unsigned i;

	u->ops = ops;
	u->ctx = ctx;
	for (i = 0; i < DEPTH; i++) {
		u->rx[i] = 0;
		u->tx[i] = 0;
	}
	u->rx_head = u->rx_count = u->tx_head = u->tx_count = u->tx_held = 0;
	u->rx_oe_next = false;
	u->fr_polled = false;
	u->rsr = u->ilpr = u->ibrd = u->fbrd = u->lcr_h = 0;
	u->cr = UARTCR_RXE | UARTCR_TXE; /* 0x300 */
	u->ifls = 0x12;			 /* 1/2 both ways */
	u->imsc = u->ris = u->dmacr = 0;
	tx_trig_update(u);
	/* The inputs were there before reset: no modem interrupt for them. */
	u->modem = modem_inputs(u);
	u->char_ticks = 0;
	u->tx_since = 0;
	u->tx_overruns = 0;
	u->in_head = u->in_count = 0;
	u->in_dropped = 0;
}

void pl011_emu_set_clock(struct pl011_emu *u, uint64_t counter_hz)
{
	uint64_t ticks;

	if (!u->ops || !u->ops->now) {
		u->char_ticks = 0; /* no clock to read */
		return;
	}
	/* A counter so fast that a character overflows 32 bits of ticks
	 * (above 400 GHz) gets the longest time there is; one slower than the
	 * line drains a character a tick. */
	if (counter_hz >
	    (uint64_t)UINT32_MAX * PL011_EMU_LINE_BAUD / PL011_EMU_CHAR_BITS) {
		ticks = UINT32_MAX;
	} else {
		ticks = counter_hz * PL011_EMU_CHAR_BITS / PL011_EMU_LINE_BAUD;
		if (counter_hz && !ticks)
			ticks = 1;
	}
	u->char_ticks = (uint32_t)ticks;
}

void pl011_emu_fw_setup(struct pl011_emu *u, uint32_t uartclk_hz, uint32_t baud)
{
	/* The TRM's divisor, UARTCLK / (16 * baud), in 64ths and rounded:
	 * IBRD the integer part, FBRD the fraction. IBRD 0 is invalid and
	 * IBRD 0xffff allows no fraction, so out-of-range divisors are left
	 * as they were. */
	if (baud) {
		uint64_t div64 = ((uint64_t)uartclk_hz * 4 + baud / 2) / baud;
		uint64_t ibrd = div64 >> 6, fbrd = div64 & 63;

		if (ibrd >= 1 && (ibrd < 0xffff || (ibrd == 0xffff && !fbrd))) {
			u->ibrd = (uint16_t)ibrd;
			u->fbrd = (uint16_t)fbrd;
		}
	}
	write_lcr_h(u, UARTLCR_H_WLEN_8 | UARTLCR_H_FEN);
	reg_write(u, UARTCR, UARTCR_UARTEN | UARTCR_TXE | UARTCR_RXE);
}

bool pl011_emu_read(struct pl011_emu *u, uint32_t off, unsigned size, uint32_t *val)
{
	unsigned shift = (off & 3) * 8;

	if (!val)
		return false;
	*val = 0;
	if (!access_ok(off, size))
		return false;
	/* A poll (UARTFR again) or any other register: the guest waits, the
	 * FIFO has drained. A first UARTFR read sees what time drained. */
	if (u->tx_count) {
		if ((off & ~3u) != UARTFR || u->fr_polled)
			tx_settle(u);
		else
			tx_clock(u);
	}
	u->fr_polled = (off & ~3u) == UARTFR;
	*val = (reg_read(u, off & ~3u) >> shift) & size_mask(size);
	return true;
}

bool pl011_emu_write(struct pl011_emu *u, uint32_t off, unsigned size, uint32_t val)
{
	unsigned shift = (off & 3) * 8;

	if (!access_ok(off, size))
		return false;
	if (u->tx_count && (off & ~3u) != UARTDR)
		tx_settle(u);
	u->fr_polled = false;
	reg_write(u, off & ~3u, (val & size_mask(size)) << shift);
	return true;
}

bool pl011_emu_rx(struct pl011_emu *u, uint8_t c)
{
	/* In loopback the receiver listens to the transmitter, not the line. */
	if (u->cr & UARTCR_LBE)
		return false;
	return rx_push(u, c);
}

unsigned pl011_emu_rx_room(const struct pl011_emu *u)
{
	unsigned depth = pl011_emu_fifo_depth(u);

	if (!rx_running(u) || (u->cr & UARTCR_LBE) || u->rx_count >= depth)
		return 0;
	return depth - u->rx_count;
}

bool pl011_emu_input(struct pl011_emu *u, uint8_t c)
{
	if (!u->in_count && pl011_emu_rx_room(u))
		return rx_push(u, c);
	if (u->in_count >= PL011_EMU_INPUT_SIZE) {
		if (u->in_dropped < UINT32_MAX)
			u->in_dropped++;
		return false;
	}
	u->in[IN_SLOT(u->in_head + u->in_count)] = c;
	u->in_count++;
	return true;
}

void pl011_emu_rx_idle(struct pl011_emu *u)
{
	/* The TRM: asserted when the FIFO is not empty and no more data has
	 * arrived for 32 bit periods, whatever its level. */
	if (u->rx_count)
		u->ris |= UARTRIS_RTRIS;
}
