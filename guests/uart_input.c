/*
 * Test guest: console input while the guest does not read it. Prints
 * "uart-input: ready", waits for the first byte, then reads nothing for
 * three seconds while tests/system/test_console.sh types 6 000 bytes ('a'
 * to 'z' over and over), then reads the UART until it is empty. It must get
 * what the receive FIFO and the hypervisor's 4 KiB input buffer hold, the
 * first 4 128 bytes, in order; the hypervisor logs the rest as dropped.
 */
#include <arch/mmio.h>
#include <arch/sysreg.h>

#include "rt/rt.h"

#define VM_UART_BASE 0x09000000ul
#define UARTDR 0x000
#define UARTFR 0x018
#define UARTFR_RXFE (1u << 4)

#define QUIET_SECONDS 3
#define MAX_POLLS 2000000000ul

static bool rx_empty(void)
{
	return mmio_read32(VM_UART_BASE + UARTFR) & UARTFR_RXFE;
}

void guest_main(uint64_t dt)
{
	unsigned long polls = 0, got = 0, wrong = 0;
	uint64_t end;

	gprintf("uart-input: ready\n");
	while (rx_empty() && polls++ < MAX_POLLS)
		;
	end = read_sysreg(cntvct_el0) + read_sysreg(cntfrq_el0) * QUIET_SECONDS;
	while (read_sysreg(cntvct_el0) < end)
		;
	while (!rx_empty()) {
		uint32_t c = mmio_read32(VM_UART_BASE + UARTDR);

		if (c != (uint32_t)('a' + got % 26))
			wrong++;
		got++;
	}
	gprintf("uart-input: %lu bytes, %lu out of order\n", got, wrong);
	GCHECK(got && !wrong, "input lost or reordered");
	guest_finish("uart_input");
}

void guest_secondary(uint64_t ctx)
{
	guest_exit(98);
}
