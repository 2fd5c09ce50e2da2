/*
 * The debug hypercall (backdoor command DEBUG, docs/ABI.md), in the test
 * build only (hyp-test.bin; hyp/stock.c refuses it in hyp.bin). It makes
 * the calling vCPU's physical CPU misbehave on purpose, so the tests can show what the
 * pseudo-NMIs do about it:
 *
 *   SPIN_MASKED  spin for arg ms in a masked section (the lockup detector
 *                reports it, naming debug_spin_masked)
 *   SPIN_IN_IRQ  spin for arg ms inside a regular interrupt handler (a
 *                PNMI preempts it)
 *   PANIC        a hypervisor panic on this CPU (every CPU's state shown)
 *   BENCH_PNMI   PNMI latency in instructions, from the SGI write to the
 *                PNMI handler's entry, with the CPU in a masked section
 *                and inside a regular handler (result: masked in the low
 *                32 bits, in-handler in the high)
 *
 * In other builds debug_call() refuses everything and the hooks are empty.
 */
#include <arch/sysreg.h>
#include <lib/console.h>

#include <hyp/drivers/gic.h>
#include <hyp/hyp.h>
#include <hyp/pnmi/mask.h>
#include <hyp/vm.h>

enum debug_op {
	DEBUG_SPIN_MASKED = 1,
	DEBUG_SPIN_IN_IRQ = 2,
	DEBUG_PANIC = 3,
	DEBUG_BENCH_PNMI = 4,
};

/* What the debug SGI's regular handler is to do. */
enum { PENDING_NONE, PENDING_SPIN, PENDING_BENCH };

const bool debug_pmu_counts_el2 = true;

#define BENCH_RUNS 8
#define SPIN_MAX_MS 10000

/* The spinning functions have names of their own, so a backtrace says
 * where the CPU is stuck. */
__attribute__((noinline)) void debug_spin_masked(uint64_t ms)
{
	uint64_t end = read_sysreg(cntpct_el0) + counter_ms_to_ticks(ms);

	while (read_sysreg(cntpct_el0) < end)
		__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void debug_spin_in_irq(uint64_t ms)
{
	uint64_t end = read_sysreg(cntpct_el0) + counter_ms_to_ticks(ms);

	while (read_sysreg(cntpct_el0) < end)
		__asm__ volatile("" ::: "memory");
}

/* Sends this CPU the debug SGI and opens the priority mask for it: the
 * regular handler runs at once, here, as a real interrupt. */
static void raise_debug_irq(uint32_t what, uint64_t ms)
{
	struct pcpu *p = this_pcpu();
	uint64_t pmr;

	p->debug.pending = what;
	p->debug.ms = ms;
	gic_send_sgi(p->mpidr, GIC_SGI_DEBUG);
	pmr = read_sysreg(icc_pmr_el1);
	pmr_restore(GIC_PMR_UNMASKED);
	pmr_restore(pmr);
	p->debug.pending = PENDING_NONE;
}

/* ---- the PNMI latency benchmark ------------------------------------------ */

struct pmu_saved {
	uint64_t pmcr, typer, cnt, enabled;
};

static void pmu_claim(struct pmu_saved *s)
{
	s->pmcr = read_sysreg(pmcr_el0);
	s->typer = read_sysreg(pmevtyper0_el0);
	s->cnt = read_sysreg(pmevcntr0_el0);
	s->enabled = read_sysreg(pmcntenset_el0) & 1;
	/* Counter 0: instructions retired at EL2 only. */
	write_sysreg(pmevtyper0_el0,
		     PMU_EVENT_INST_RETIRED | PMEVTYPER_P | PMEVTYPER_U | PMEVTYPER_NSH);
	write_sysreg(pmcntenset_el0, 1);
	write_sysreg(pmcr_el0, s->pmcr | PMCR_E);
	isb();
}

static void pmu_release(const struct pmu_saved *s)
{
	write_sysreg(pmcr_el0, s->pmcr);
	write_sysreg(pmevtyper0_el0, s->typer);
	write_sysreg(pmevcntr0_el0, s->cnt);
	if (!s->enabled)
		write_sysreg(pmcntenclr_el0, 1);
	isb();
}

static inline uint64_t pmu_count(void)
{
	return read_sysreg(pmevcntr0_el0);
}

/* One PNMI to this CPU, from the SGI write to pnmi_handle()'s first act. */
static uint64_t pnmi_latency_once(void)
{
	struct pcpu *p = this_pcpu();
	uint64_t sgi = gic_sgi_value(p->mpidr, GIC_SGI_DUMP);

	p->debug.bench_hit = false;
	p->debug.bench_armed = true;
	dsb(ish);
	p->debug.bench_start = pmu_count();
	write_sysreg(icc_sgi1r_el1, sgi);
	isb();
	/* The PNMI has been taken by now: the CPU is masked only by PMR. */
	while (!p->debug.bench_hit)
		;
	return p->debug.bench_at - p->debug.bench_start;
}

static uint64_t min_of_runs(void)
{
	uint64_t best = ~0ull;

	for (unsigned i = 0; i < BENCH_RUNS; i++) {
		uint64_t n = pnmi_latency_once();

		if (n < best)
			best = n;
	}
	return best;
}

static uint64_t in_irq_result;

static uint64_t bench_pnmi(void)
{
	struct pmu_saved saved;
	uint64_t masked;

	pmu_claim(&saved);
	masked = min_of_runs(); /* here: a masked section */
	raise_debug_irq(PENDING_BENCH, 0);
	pmu_release(&saved);
	log_printf("bench: pnmi_latency_masked insns=%lu\n", masked);
	log_printf("bench: pnmi_latency_in_irq insns=%lu\n", in_irq_result);
	return masked | in_irq_result << 32;
}

bool debug_pnmi_entry(void)
{
	struct pcpu *p = this_pcpu();

	if (!p->debug.bench_armed)
		return false;
	p->debug.bench_at = pmu_count();
	p->debug.bench_armed = false;
	p->debug.bench_hit = true;
	return true;
}

void debug_regular_irq(void)
{
	struct pcpu *p = this_pcpu();

	if (p->debug.pending == PENDING_BENCH) {
		in_irq_result = min_of_runs();
	} else if (p->debug.pending == PENDING_SPIN) {
		log_printf("hyp: cpu%u: debug: regular handler spinning %lu ms\n",
			   p->index, p->debug.ms);
		p->debug.irq_running = true;
		debug_spin_in_irq(p->debug.ms);
		p->debug.irq_running = false;
		log_printf("hyp: cpu%u: debug: regular handler done\n", p->index);
	}
}

bool debug_call(struct vcpu *v, uint32_t op, uint32_t arg, uint64_t *result)
{
	unsigned cpu = this_pcpu()->index;

	*result = 0;
	switch (op) {
	case DEBUG_SPIN_MASKED:
		if (arg > SPIN_MAX_MS)
			return false;
		log_printf("hyp: cpu%u: debug: spinning %u ms with regular interrupts "
			   "masked\n",
			   cpu, arg);
		debug_spin_masked(arg);
		log_printf("hyp: cpu%u: debug: masked spin done\n", cpu);
		return true;
	case DEBUG_SPIN_IN_IRQ:
		if (arg > SPIN_MAX_MS)
			return false;
		raise_debug_irq(PENDING_SPIN, arg);
		return true;
	case DEBUG_PANIC:
		hyp_panic("debug hypercall: panic requested by the guest");
	case DEBUG_BENCH_PNMI:
		*result = bench_pnmi();
		return true;
	default:
		return false;
	}
}
