/*
 * An emulated Arm PL011 (PrimeCell UART r1p5) for a VM's console: the
 * register model, and the console input waiting for it. The hypervisor
 * traps the guest's accesses to the UART's 4 KiB frame, calls
 * pl011_emu_read()/pl011_emu_write() with the offset into the frame, feeds
 * keyboard input with pl011_emu_input() (pl011_emu_rx() is the line
 * itself, with no buffer), calls pl011_emu_rx_idle() once input has paused,
 * and after every call sets the VM's interrupt line to
 * pl011_emu_irq_level(). The library holds no locks: the caller serialises
 * all calls for one UART.
 *
 * What the model is, in terms of the hardware (PL011 TRM, DDI 0183):
 *
 * - It identifies as an Arm PL011 r1p5 (UARTPeriphID0..3 = 0x11 0x10 0x34
 *   0x00, UARTPCellID0..3 = 0x0D 0xF0 0x05 0xB1). Linux's AMBA bus reads
 *   those eight words at the end of the frame, and amba-pl011 matches the
 *   part number and designer (0x00041011 under mask 0x000fffff) and takes
 *   32-entry FIFOs from revision 3 (PeriphID2[7:4]).
 * - Output is never lost: a character the transmitter may send goes to
 *   ops->tx at once. The transmit FIFO's level still rises with each write
 *   and drains with time, at PL011_EMU_LINE_BAUD on the counter that
 *   ops->now reads, and at once when the guest waits for it: a second
 *   UARTFR read in a row (a poll) or an access to any other register but
 *   UARTDR. So a driver that writes while TXFF is clear sees TXFF after 32
 *   writes, as on hardware, and Linux's then feeds the UART from its
 *   transmit interrupt, half a FIFO at a time, without reading UARTFR
 *   (hyp/vdev/pl011_model.c, "The transmitter, paced"). A byte written while TXFF is
 *   set, which the PL011 would lose, goes out all the same and is counted
 *   (tx_overruns): a guest that never reads UARTFR loses nothing. While
 *   UARTCR.UARTEN or TXE is clear, writes wait in the transmit FIFO, as on
 *   the hardware, and go out in order when both are set again.
 * - Input waits: what pl011_emu_input() gets while the receive FIFO is
 *   full (or nothing listens) is held in a buffer of PL011_EMU_INPUT_SIZE
 *   bytes in front of the line, as a terminal with flow control would
 *   hold it, and fed into the FIFO each time the guest has read it empty.
 *   Only when that buffer is full is input dropped, and counted.
 * - The modem inputs are those of a connected terminal (CTS, DSR and DCD
 *   asserted, RI not) except in loopback (UARTCR.LBE), where the TRM feeds
 *   the modem outputs back to them. IrDA, break and the baud rate are
 *   stored but change nothing: the line carries bytes, not bits.
 * - No DMA controller is wired up: UARTDMACR reads back what was written
 *   and never produces a request.
 *
 * Access rules (pl011_emu_read/write return false for the rest, and the
 * hypervisor injects an external abort): offsets below 0x1000; sizes 1, 2
 * or 4 bytes, naturally aligned. The PL011 is an APB slave with a 32-bit
 * data bus and no byte strobes, so a narrower access reaches a whole
 * register: a narrow read returns the addressed bytes of the 32-bit read,
 * with its side effects (any read within UARTDR pops the receive FIFO), and
 * a narrow write is a 32-bit write whose other byte lanes are zero. Linux
 * uses 16-bit accesses (amba-pl011 on an AMBA PL011) and byte writes to
 * UARTDR (earlycon=pl011,<addr>). Reserved offsets read as zero and ignore
 * writes, as do writes to the read-only registers.
 */
#ifndef LIB_PL011_EMU_H
#define LIB_PL011_EMU_H

#include <stdbool.h>
#include <stdint.h>

#include <lib/pl011.h>

/* ---- registers and bits the model needs beyond lib/pl011.h (TRM names) --- */

#define UARTDR_DATA 0xffu
#define UARTDR_FE (1u << 8)
#define UARTDR_PE (1u << 9)
#define UARTDR_BE (1u << 10)
#define UARTDR_OE (1u << 11)

#define UARTRSR 0x004 /* read */
#define UARTECR 0x004 /* write: clears every error */
#define UARTRSR_FE (1u << 0)
#define UARTRSR_PE (1u << 1)
#define UARTRSR_BE (1u << 2)
#define UARTRSR_OE (1u << 3)

#define UARTFR_CTS (1u << 0)
#define UARTFR_DSR (1u << 1)
#define UARTFR_DCD (1u << 2)
#define UARTFR_RXFF (1u << 6)
#define UARTFR_TXFE (1u << 7)
#define UARTFR_RI (1u << 8)

#define UARTILPR 0x020
#define UARTIBRD 0x024
#define UARTFBRD 0x028

#define UARTLCR_H 0x02c
#define UARTLCR_H_BRK (1u << 0)
#define UARTLCR_H_PEN (1u << 1)
#define UARTLCR_H_EPS (1u << 2)
#define UARTLCR_H_STP2 (1u << 3)
#define UARTLCR_H_FEN (1u << 4)
#define UARTLCR_H_WLEN_8 (3u << 5)
#define UARTLCR_H_SPS (1u << 7)

#define UARTCR_SIREN (1u << 1)
#define UARTCR_SIRLP (1u << 2)
#define UARTCR_LBE (1u << 7)
#define UARTCR_DTR (1u << 10)
#define UARTCR_RTS (1u << 11)
#define UARTCR_OUT1 (1u << 12)
#define UARTCR_OUT2 (1u << 13)
#define UARTCR_RTSEN (1u << 14)
#define UARTCR_CTSEN (1u << 15)

/* Trigger levels, same encoding for both fields: 1/8, 1/4, 1/2, 3/4, 7/8. */
#define UARTIFLS 0x034
#define UARTIFLS_TXIFLSEL_SHIFT 0
#define UARTIFLS_RXIFLSEL_SHIFT 3
#define UARTIFLS_IFLSEL_MASK 7u

/* The eleven interrupts, at the same bit in UARTIMSC, UARTRIS, UARTMIS and
 * UARTICR; each register's own names below. */
#define UARTIMSC_RIMIM (1u << 0)
#define UARTIMSC_CTSMIM (1u << 1)
#define UARTIMSC_DCDMIM (1u << 2)
#define UARTIMSC_DSRMIM (1u << 3)
#define UARTIMSC_TXIM (1u << 5)
#define UARTIMSC_FEIM (1u << 7)
#define UARTIMSC_PEIM (1u << 8)
#define UARTIMSC_BEIM (1u << 9)
#define UARTIMSC_OEIM (1u << 10)

#define UARTRIS 0x03c
#define UARTRIS_RIRMIS (1u << 0)
#define UARTRIS_CTSRMIS (1u << 1)
#define UARTRIS_DCDRMIS (1u << 2)
#define UARTRIS_DSRRMIS (1u << 3)
#define UARTRIS_RXRIS (1u << 4)
#define UARTRIS_TXRIS (1u << 5)
#define UARTRIS_RTRIS (1u << 6)
#define UARTRIS_FERIS (1u << 7)
#define UARTRIS_PERIS (1u << 8)
#define UARTRIS_BERIS (1u << 9)
#define UARTRIS_OERIS (1u << 10)

#define UARTMIS 0x040
#define UARTMIS_RIMMIS (1u << 0)
#define UARTMIS_CTSMMIS (1u << 1)
#define UARTMIS_DCDMMIS (1u << 2)
#define UARTMIS_DSRMMIS (1u << 3)
#define UARTMIS_RXMIS (1u << 4)
#define UARTMIS_TXMIS (1u << 5)
#define UARTMIS_RTMIS (1u << 6)
#define UARTMIS_FEMIS (1u << 7)
#define UARTMIS_PEMIS (1u << 8)
#define UARTMIS_BEMIS (1u << 9)
#define UARTMIS_OEMIS (1u << 10)

#define UARTICR 0x044
#define UARTICR_RIMIC (1u << 0)
#define UARTICR_CTSMIC (1u << 1)
#define UARTICR_DCDMIC (1u << 2)
#define UARTICR_DSRMIC (1u << 3)
#define UARTICR_RXIC (1u << 4)
#define UARTICR_TXIC (1u << 5)
#define UARTICR_RTIC (1u << 6)
#define UARTICR_FEIC (1u << 7)
#define UARTICR_PEIC (1u << 8)
#define UARTICR_BEIC (1u << 9)
#define UARTICR_OEIC (1u << 10)

/* The bits UARTIMSC, UARTRIS, UARTMIS and UARTICR have. */
#define PL011_EMU_INT_BITS 0x7ffu

#define UARTDMACR 0x048
#define UARTDMACR_RXDMAE (1u << 0)
#define UARTDMACR_TXDMAE (1u << 1)
#define UARTDMACR_DMAONERR (1u << 2)

#define UARTPeriphID0 0xfe0
#define UARTPeriphID1 0xfe4
#define UARTPeriphID2 0xfe8
#define UARTPeriphID3 0xfec
#define UARTPCellID0 0xff0
#define UARTPCellID1 0xff4
#define UARTPCellID2 0xff8
#define UARTPCellID3 0xffc

/* ---- the model --------------------------------------------------------- */

#define PL011_EMU_FRAME 0x1000u	 /* the register frame, bytes */
#define PL011_EMU_FIFO_DEPTH 32u /* r1p5: 32 entries each way */
/* The line rate at which the transmit FIFO drains with time: 115200 baud,
 * 8N1, so ten bit periods a character (11 520 characters a second). */
#define PL011_EMU_LINE_BAUD 115200u
#define PL011_EMU_CHAR_BITS 10u
/* Console input held for the guest beyond its receive FIFO (a power of
 * two). */
#define PL011_EMU_INPUT_SIZE 4096u

struct pl011_emu_ops {
	/* A byte leaving the transmitter. May call pl011_emu_rx() or
	 * pl011_emu_input() (an echo), not pl011_emu_read/write. */
	void (*tx)(void *ctx, uint8_t c);
	/* The counter, in ticks of the frequency given to
	 * pl011_emu_set_clock(). NULL: the FIFO drains only when the guest
	 * waits for it (above). */
	uint64_t (*now)(void *ctx);
};

/* Only pl011_emu_*() touch the fields. */
struct pl011_emu {
	const struct pl011_emu_ops *ops;
	void *ctx;
	/* Receive FIFO entries as UARTDR reads them: data and error bits. */
	uint16_t rx[PL011_EMU_FIFO_DEPTH];
	uint8_t tx[PL011_EMU_FIFO_DEPTH];
	uint8_t rx_head, rx_count, tx_head;
	uint8_t tx_count; /* the transmit FIFO's level as the guest sees it */
	uint8_t tx_held;  /* of those, not sent yet (the transmitter is off) */
	bool fr_polled;	  /* the last access was a UARTFR read */
	bool rx_oe_next;  /* an overrun awaits the next character in */
	uint16_t modem;	  /* modem inputs now, as UARTFR bits */
	uint16_t rsr, ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc, ris, dmacr;
	/* pl011_emu_ifls_entries() of TXIFLSEL, or 0 with FIFOs off: kept
	 * with UARTLCR_H and UARTIFLS, for the UARTDR write's quick form. */
	uint8_t tx_trig;
	uint32_t char_ticks;  /* counter ticks a character takes on the line */
	uint64_t tx_since;    /* counter at which tx_count was last right */
	uint32_t tx_overruns; /* bytes written while TXFF was set: sent */
	uint16_t in_head;     /* console input waiting for the FIFO: */
	uint16_t in_count;    /* in[in_head], in[in_head + 1], ... */
	uint32_t in_dropped;  /* input lost to a full buffer, not reported */
	uint8_t in[PL011_EMU_INPUT_SIZE];
};

/* Hardware reset: every register at its TRM reset value (UARTCR 0x300,
 * UARTIFLS 0x12, UART disabled, FIFOs off), both FIFOs empty. Also the way
 * to reset the UART when the VM resets. */
void pl011_emu_init(struct pl011_emu *u, const struct pl011_emu_ops *ops, void *ctx);

/* After pl011_emu_init(): leave the UART as boot firmware leaves a console,
 * enabled (UARTEN, TXE, RXE), 8N1 with FIFOs, divisors for baud from
 * uartclk_hz. Linux's earlycon writes UARTDR without enabling the UART, so a
 * VM booted with earlycon=pl011 needs this (on a disabled UART its output
 * would wait in the FIFO and the 33rd character would spin on TXFF). */
void pl011_emu_fw_setup(struct pl011_emu *u, uint32_t uartclk_hz, uint32_t baud);

/* After pl011_emu_init(): the frequency of ops->now's counter, in Hz,
 * which sets the line rate in counter ticks (0, the reset state, or no
 * ops->now: time does not drain the FIFO). */
void pl011_emu_set_clock(struct pl011_emu *u, uint64_t counter_hz);

/* A trapped guest access: off into the frame, size in bytes. false: not an
 * access the UART takes (see above); *val is then 0 for a read. */
bool pl011_emu_read(struct pl011_emu *u, uint32_t off, unsigned size, uint32_t *val);
bool pl011_emu_write(struct pl011_emu *u, uint32_t off, unsigned size, uint32_t val);

/* A byte arriving on the line. false: it was lost, either because the FIFO
 * is full (an overrun, recorded in UARTRSR.OE, UARTRIS.OERIS and the OE bit
 * of the next character read) or because nothing is listening (UARTEN or
 * RXE clear, or loopback, which disconnects the line; nothing recorded). */
bool pl011_emu_rx(struct pl011_emu *u, uint8_t c);

/* How many bytes pl011_emu_rx() would take now without loss. */
unsigned pl011_emu_rx_room(const struct pl011_emu *u);

/* A byte of console input for the guest: into the receive FIFO when it
 * has room and nothing waits before it, else into the input buffer, fed to
 * the FIFO in order as the guest reads it empty. false: the buffer was
 * full and the byte is lost (counted for pl011_emu_input_dropped()). */
bool pl011_emu_input(struct pl011_emu *u, uint8_t c);

/* How many input bytes a full buffer lost, once the guest has taken all
 * that waited (the overflow is over), so that one log line can say it;
 * 0 before then, and until the next overflow. */
static inline uint32_t pl011_emu_input_dropped(struct pl011_emu *u)
{
	uint32_t n = u->in_dropped;

	/* Inline: the hypervisor asks after every read of the UART. */
	if (!n || u->in_count)
		return 0;
	u->in_dropped = 0;
	return n;
}

/* Input has paused (the TRM's 32 bit periods without a character): the
 * receive timeout interrupt asserts if the receive FIFO holds anything. */
void pl011_emu_rx_idle(struct pl011_emu *u);

/* UARTINTR, the combined interrupt: any unmasked raw interrupt. Inline:
 * the hypervisor asks after every access that may change it. */
static inline bool pl011_emu_irq_level(const struct pl011_emu *u)
{
	return (u->ris & u->imsc) != 0;
}

/* ---- inline: the quick forms and what they need -------------------------- */

/* With UARTLCR_H.FEN clear each FIFO is a one-entry holding register. */
static inline unsigned pl011_emu_fifo_depth(const struct pl011_emu *u)
{
	return (u->lcr_h & UARTLCR_H_FEN) ? PL011_EMU_FIFO_DEPTH : 1;
}

static inline bool pl011_emu_tx_running(const struct pl011_emu *u)
{
	return (u->cr & UARTCR_UARTEN) && (u->cr & UARTCR_TXE);
}

/* A UARTIFLS field as a number of entries: 1/8, 1/4, 1/2, 3/4, 7/8 of the
 * FIFO. The TRM leaves b101-b111 reserved; they act as b010 (the reset
 * value, 1/2) so that a guest writing them still gets interrupts. */
static inline unsigned pl011_emu_ifls_entries(unsigned sel)
{
	static const uint8_t eighths[5] = {1, 2, 4, 6, 7};

	if (sel > 4)
		sel = 2;
	return eighths[sel] * PL011_EMU_FIFO_DEPTH / 8;
}

/* TXRIS is cleared once the transmit FIFO holds more than this many
 * (u->tx_trig, kept up to date by pl011_model.c). */
static inline unsigned pl011_emu_tx_trigger(const struct pl011_emu *u)
{
	return u->tx_trig;
}

/* UARTFR: the modem inputs and the FIFOs' levels. */
static inline uint32_t pl011_emu_fr(const struct pl011_emu *u)
{
	uint32_t fr = u->modem;

	if (!u->rx_count)
		fr |= UARTFR_RXFE;
	if (u->rx_count >= pl011_emu_fifo_depth(u))
		fr |= UARTFR_RXFF;
	if (!u->tx_count)
		fr |= UARTFR_TXFE;
	if (u->tx_count >= pl011_emu_fifo_depth(u))
		fr |= UARTFR_TXFF;
	/* BUSY: set while the FIFO holds data, "regardless of whether the
	 * UART is enabled"; a character never stays in the shift register. */
	if (u->tx_count)
		fr |= UARTFR_BUSY;
	return fr;
}

/* The sizes an access at a register's own offset may have: 1, 2, 4. */
static inline bool pl011_emu_size_ok(unsigned size)
{
	return size <= 4 && ((1u << 1 | 1u << 2 | 1u << 4) >> size) & 1;
}

/*
 * The quick forms of the two accesses a console makes per character, for
 * a caller that wants them without the full register decode (the
 * hypervisor's fast exit, hyp/vdev/vuart.c): a UARTFR read and a UARTDR
 * write of size bytes at the register's own offset. now is the counter
 * ops->now would read. Each either does exactly what pl011_emu_read() or
 * pl011_emu_write() would do at that time, or changes nothing and returns
 * -1, and the full call decides: a size the UART does not take; a FIFO
 * that a poll or the time passed drains (which may raise TXRIS); a full
 * FIFO; a transmitter that is stopped, holds bytes or is looped back.
 * Neither reads ops->now.
 *
 * pl011_emu_read_fr_quick(): UARTFR (the read's bytes of it); it changes
 * no interrupt. Taken are the FIFO empty, and a first read (not a poll)
 * that the time passed leaves as it is (tx_clock() in pl011_model.c: no
 * clock, a stopped transmitter, or less than a character's time since
 * tx_since). Inline: on the hypervisor's fast exit it is then a leaf.
 */
static inline int pl011_emu_read_fr_quick(struct pl011_emu *u, uint64_t now,
					  unsigned size)
{
	if (!pl011_emu_size_ok(size))
		return -1;
	if (u->tx_count && (u->fr_polled || (u->char_ticks && pl011_emu_tx_running(u) &&
					     now - u->tx_since >= u->char_ticks)))
		return -1;
	u->fr_polled = true;
	/* Narrower reads take the low bytes; UARTFR has nine bits. */
	return (int)(pl011_emu_fr(u) & (size == 1 ? 0xffu : 0xffffu));
}

/*
 * pl011_emu_write_dr_quick(): the byte to go out now, but not through
 * ops->tx: the caller gives it to the console itself, as ops->tx would
 * get it, before anything else touches the UART. It may clear TXRIS (the
 * FIFO filling past its trigger level): the caller checks the interrupt
 * line after it. Taken are the FIFO not full (so tx_write() does not
 * consult the clock), the transmitter running with nothing held and not
 * looped back, and a console to send to, so that tx_send() would hand the
 * byte to ops->tx. Inline too: the write's exit is short without the call.
 * Only val's low byte counts (the data; the error bits are read-only), so
 * a caller may pass the register without cutting it to size first.
 */
static inline int pl011_emu_write_dr_quick(struct pl011_emu *u, uint64_t now,
					   unsigned size, uint32_t val)
{
	unsigned n = u->tx_count;

	/* Running (UARTEN and TXE) and not looped back (LBE), in one test. */
	if (!pl011_emu_size_ok(size) || n >= pl011_emu_fifo_depth(u) || u->tx_held ||
	    (u->cr & (UARTCR_UARTEN | UARTCR_TXE | UARTCR_LBE)) !=
		    (UARTCR_UARTEN | UARTCR_TXE) ||
	    !u->ops || !u->ops->tx)
		return -1;
	u->fr_polled = false;
	/* As tx_write(): the line starts carrying it now, and TXRIS clears
	 * once the FIFO is filled above the trigger level. */
	if (!n && u->char_ticks)
		u->tx_since = now;
	u->tx_count = (uint8_t)(n + 1);
	if (n + 1 > pl011_emu_tx_trigger(u))
		u->ris &= ~UARTRIS_TXRIS;
	return (int)(val & UARTDR_DATA);
}

/*
 * The interrupt registers Linux's transmit interrupt handler reads and
 * writes once per half FIFO: a UARTRIS or UARTMIS read, a UARTICR or
 * UARTIMSC write, of size bytes at the register's own offset. Like any
 * access to a register but UARTDR and UARTFR, the full call first lets the
 * transmit FIFO drain (tx_settle() in pl011_model.c); the quick forms do
 * the same when nothing waits for a stopped transmitter (tx_held 0): the
 * level drops to 0 and TXRIS asserts if the FIFO held anything. The
 * caller checks the interrupt line after either. They decline (-1,
 * nothing changed) any other offset, a size the UART does not take, and
 * bytes held for a stopped transmitter (which tx_settle() would send).
 */
static inline bool pl011_emu_settle_quick(struct pl011_emu *u)
{
	if (u->tx_held)
		return false;
	if (u->tx_count) {
		u->tx_count = 0;
		u->ris |= UARTRIS_TXRIS;
	}
	u->fr_polled = false;
	return true;
}

/* UARTRIS or UARTMIS (the read's bytes of it). */
static inline int pl011_emu_read_int_quick(struct pl011_emu *u, uint32_t off,
					   unsigned size)
{
	uint32_t v;

	if ((off != UARTRIS && off != UARTMIS) || !pl011_emu_size_ok(size) ||
	    !pl011_emu_settle_quick(u))
		return -1;
	v = u->ris;
	if (off == UARTMIS)
		v &= u->imsc;
	/* Narrower reads take the low bytes; the registers have 11 bits. */
	return (int)(v & (size == 1 ? 0xffu : 0xffffu));
}

/* UARTICR or UARTIMSC, val the access's bytes (a narrower write is a
 * 32-bit one with the other byte lanes zero). 0: done. */
static inline int pl011_emu_write_int_quick(struct pl011_emu *u, uint32_t off,
					    unsigned size, uint32_t val)
{
	if ((off != UARTICR && off != UARTIMSC) || !pl011_emu_size_ok(size) ||
	    !pl011_emu_settle_quick(u))
		return -1;
	if (size < 4)
		val &= (1u << (8 * size)) - 1;
	val &= PL011_EMU_INT_BITS;
	if (off == UARTICR)
		u->ris &= (uint16_t)~val;
	else
		u->imsc = (uint16_t)val;
	return 0;
}

#endif
