/*
 * Test guest for the hypervisor's pseudo-NMIs, driven by guestinfo.pnmi
 * (set with mkbootimg --guestinfo pnmi=MODE), through the debug hypercall
 * of test builds (hyp/test/debug_calls.c, docs/ABI.md):
 *
 *   refused      the debug command fails (a build without debug calls)
 *   spin-masked  this vCPU's CPU spins 1 s in a masked section
 *   spin-irq     ... 600 ms inside a regular interrupt handler
 *   ticker       prints a tick every 100 ms, 20 times: a neighbour VM
 *                that shows whether it is disturbed
 *   panic        vCPU 1 spins in a masked section, then vCPU 0 makes the
 *                hypervisor panic (needs 2 vCPUs)
 *   bench        the PNMI latency benchmark
 */
#include <string.h>

#include <arch/smccc.h>
#include <arch/sysreg.h>
#include <lib/psci.h>

#include "rt/rpci.h"
#include "rt/rt.h"

#define DEBUG_SPIN_MASKED 1
#define DEBUG_SPIN_IN_IRQ 2
#define DEBUG_PANIC 3
#define DEBUG_BENCH_PNMI 4

/* w0 and the 64-bit result (w1 low, w4 high) of a debug operation. */
static uint32_t debug_op(uint32_t op, uint32_t arg, uint64_t *result)
{
	struct bdcall c = bd_request(BD_CMD_DEBUG, op);

	c.x[4] = arg;
	bd_invoke(BD_DCC, &c);
	if (result)
		*result = (uint32_t)c.x[1] | (uint64_t)(uint32_t)c.x[4] << 32;
	return (uint32_t)c.x[0];
}

static void sleep_ms(uint64_t ms)
{
	uint64_t end = read_sysreg(cntvct_el0) + read_sysreg(cntfrq_el0) / 1000 * ms;

	while (read_sysreg(cntvct_el0) < end)
		;
}

void guest_secondary(uint64_t ctx)
{
	gprintf("guest pnmi: vcpu1 spinning in the hypervisor\n");
	debug_op(DEBUG_SPIN_MASKED, 5000, NULL);
	gprintf("guest pnmi: vcpu1 back\n");
	hvc_call(PSCI_CPU_OFF, 0, 0, 0);
}

static void panic_mode(void)
{
	uint64_t r = hvc_call(PSCI_CPU_ON_64, 1, (uint64_t)guest_secondary_entry, 0);

	GCHECK(r == PSCI_SUCCESS, "CPU_ON: %ld", (long)r);
	sleep_ms(300); /* vCPU 1 is spinning by now */
	gprintf("guest pnmi: asking for a panic\n");
	debug_op(DEBUG_PANIC, 0, NULL);
	GCHECK(false, "the panic returned");
}

void guest_main(uint64_t dt)
{
	char mode[64];
	int n = rpci_exchange(BD_DCC, "info-get guestinfo.pnmi", mode, sizeof(mode) - 1);
	const char *m = n > 2 ? mode + 2 : ""; /* after "1 " */
	uint64_t result;

	mode[n > 0 ? n : 0] = '\0';
	gprintf("guest pnmi: mode '%s'\n", m);
	if (!strcmp(m, "refused")) {
		GCHECK(debug_op(DEBUG_SPIN_MASKED, 1, NULL) == BD_FAIL,
		       "the debug command works in this build");
	} else if (!strcmp(m, "spin-masked")) {
		GCHECK(debug_op(DEBUG_SPIN_MASKED, 1000, NULL) == 0,
		       "SPIN_MASKED failed");
		sleep_ms(100); /* for the detector to see the CPU going again */
		GCHECK(debug_op(DEBUG_SPIN_MASKED, 100000, NULL) == BD_FAIL,
		       "a 100 s spin was accepted");
	} else if (!strcmp(m, "spin-irq")) {
		GCHECK(debug_op(DEBUG_SPIN_IN_IRQ, 600, NULL) == 0, "SPIN_IN_IRQ failed");
		sleep_ms(100);
	} else if (!strcmp(m, "ticker")) {
		for (unsigned i = 1; i <= 20; i++) {
			sleep_ms(100);
			gprintf("guest pnmi: tick %u\n", i);
		}
	} else if (!strcmp(m, "panic")) {
		panic_mode();
	} else if (!strcmp(m, "bench")) {
		GCHECK(debug_op(DEBUG_BENCH_PNMI, 0, &result) == 0, "BENCH_PNMI failed");
		gprintf("guest pnmi: latency masked %lu, in a regular handler %lu\n",
			(unsigned long)(uint32_t)result, (unsigned long)(result >> 32));
	} else {
		GCHECK(false, "unknown mode '%s'", m);
	}
	GCHECK(debug_op(99, 0, NULL) == BD_FAIL, "an unknown debug operation worked");
	guest_finish("pnmi");
}
