/*
 * Frame-record walking (hyp/pnmi/backtrace.h). On the host the unit tests point
 * it at fake stacks in arrays; on the target at the hypervisor's stacks.
 */
#include <stdbool.h>
#include <stdint.h>

#include <hyp/pnmi/backtrace.h>

/* Whether a record at fp lies wholly in [lo, hi), written without hi - 16
 * wrapping for tiny or empty ranges. */
static bool record_in_stack(uint64_t fp, uint64_t lo, uint64_t hi)
{
	return (fp & 15) == 0 && fp >= lo && hi >= 16 && fp <= hi - 16;
}

unsigned backtrace_walk(uint64_t fp, uint64_t stack_lo, uint64_t stack_hi, uint64_t *pcs,
			unsigned max)
{
	unsigned n = 0;
	uint64_t prev = 0; /* the record before fp; 0 admits any first one */

	while (n < max && fp != 0 && record_in_stack(fp, stack_lo, stack_hi) &&
	       fp > prev) {
		const uint64_t *rec = (const uint64_t *)(uintptr_t)fp;
		uint64_t lr = rec[1];

		if (lr == 0)
			break;
		pcs[n++] = lr;
		prev = fp;
		fp = rec[0];
	}
	return n;
}
