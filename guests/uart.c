/*
 * Test guest: the emulated PL011 as programs that never look at it use it.
 * Writes 4 000 bytes to UARTDR without ever reading UARTFR (50 lines of 80:
 * "uart-flood NN " and a pattern that tests/system/test_console.sh
 * rebuilds), as bare-metal programs, test frameworks and early consoles
 * do; every one of them must reach the console, in order. Then lines with
 * control characters (an ESC sequence, a bare \r, backspaces, BEL, DEL),
 * which a console shared by several VMs shows escaped. Then, having
 * waited longer than the FIFO takes to drain at the line rate, one UARTFR
 * read must find it empty: it drains with time, not only when polled.
 */
#include <arch/mmio.h>
#include <arch/sysreg.h>

#include "rt/rt.h"

/* The VM's PL011, where the hypervisor's VM device tree puts it. */
#define VM_UART_BASE 0x09000000ul
#define UARTDR 0x000
#define UARTFR 0x018
#define UARTFR_TXFE (1u << 7)

#define FLOOD_LINES 50
#define FLOOD_LINE_LEN 80 /* with its \n: 4 000 bytes in all */
#define FLOOD_TAG_LEN 14  /* "uart-flood NN " */

/* Line rate and FIFO of the model (hyp/vdev/pl011_model.h): wait
 * for more than the FIFO's 32 characters at 10 bits each. */
#define LINE_BAUD 115200u
#define WAIT_CHARS 64u

static void put(char c)
{
	mmio_write32(VM_UART_BASE + UARTDR, (uint8_t)c);
}

static void puts_n(const char *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		put(s[i]);
}

static void puts_z(const char *s)
{
	while (*s)
		put(*s++);
}

static void flood(void)
{
	for (unsigned line = 0; line < FLOOD_LINES; line++) {
		puts_z("uart-flood ");
		put((char)('0' + line / 10));
		put((char)('0' + line % 10));
		put(' ');
		for (unsigned j = FLOOD_TAG_LEN; j < FLOOD_LINE_LEN - 1; j++)
			put((char)('a' + (line + j) % 26));
		put('\n');
	}
}

static void controls(void)
{
	static const char lines[] = "uart-ctl esc: \x1b[31mred\x1b[0m\r\n"
				    "uart-ctl cr: \rhyp: FAKE\n"
				    "uart-ctl bs:\b\b\b\b\b\b\b\b\b\b\b\b\b\bhyp: FAKE\n"
				    "uart-ctl bel: \a\x7f\n";

	puts_n(lines, sizeof(lines) - 1);
}

void guest_main(uint64_t dt)
{
	uint64_t freq = read_sysreg(cntfrq_el0), end;

	flood();
	controls();
	/* Nothing read since the writes began: now a line's worth of time,
	 * then one look. */
	end = read_sysreg(cntvct_el0) + freq * 10 * WAIT_CHARS / LINE_BAUD + 1;
	while (read_sysreg(cntvct_el0) < end)
		;
	GCHECK(mmio_read32(VM_UART_BASE + UARTFR) & UARTFR_TXFE,
	       "the transmit FIFO did not drain with time");
	gprintf("guest uart: %u failures\n", guest_failures);
	/* The last byte before the end, a \r, waits for one that never
	 * comes: the VM's end shows it. */
	puts_n("uart-ctl end: \r", 15);
	guest_exit(guest_failures ? 1 : 0);
}

void guest_secondary(uint64_t ctx)
{
	guest_exit(98);
}
