/*
 * The per-CPU lockup detector: the EL2 physical timer (CNTHP, PPI 26,
 * shared through hyp/sched/cpu_timer.c) is a pseudo-NMI that fires every
 * WATCHDOG_PERIOD_MS on each CPU running a vCPU; an idle CPU, waiting in
 * WFI for work with its interrupts open, is not watched. Each tick asks hyp/pnmi/lockup.c
 * whether the CPU has made progress (been in its guest, or back through the exit path)
 * since it was first found with regular interrupts masked; after LOCKUP_THRESHOLD_MS
 * without, it reports the CPU's registers and a backtrace (hyp/pnmi/pnmi.c), once, and
 * again when the CPU gets going. Nothing is stopped: the report is the
 * point, and the CPU may yet recover.
 */
#include <arch/sysreg.h>
#include <lib/console.h>
#include <lib/fmt.h>
#include <hyp/pnmi/prio.h>
#include <lib/gicv3.h>
#include <hyp/pnmi/lockup.h>

#include <hyp/drivers/gic.h>
#include <hyp/hyp.h>
#include <hyp/sched/sched.h>
#include <hyp/vm.h>

#define WATCHDOG_PERIOD_MS 20
#define LOCKUP_THRESHOLD_MS 200

static void arm(void)
{
	cpu_timer_set(CPU_TIMER_WATCHDOG,
		      read_sysreg(cntpct_el0) + counter_ms_to_ticks(WATCHDOG_PERIOD_MS));
}

void watchdog_start(void)
{
	struct pcpu *p = this_pcpu();
	static bool announced;

	if (p->timer[CPU_TIMER_WATCHDOG])
		return; /* running already */
	p->lockup = (struct lockup_cpu){.progress_seen = p->guest_entries};
	arm();
	if (!__atomic_exchange_n(&announced, true, __ATOMIC_RELAXED))
		log_printf("hyp: lockup detector: every %u ms on each CPU, reports after "
			   "%u ms masked\n",
			   WATCHDOG_PERIOD_MS, LOCKUP_THRESHOLD_MS);
}

void watchdog_touch(void)
{
	this_pcpu()->guest_entries++;
}

bool watchdog_running(void)
{
	return this_pcpu()->timer[CPU_TIMER_WATCHDOG] != 0;
}

/* Its deadline only: the timer may still serve the scheduler. */
void watchdog_stop(void)
{
	cpu_timer_set(CPU_TIMER_WATCHDOG, 0);
}

void watchdog_tick(const struct pnmi_ctx *c)
{
	struct pcpu *p = this_pcpu();
	uint64_t now = read_sysreg(cntpct_el0);
	bool masked = !c->from_guest && c->pmr <= GIC_PMR_REGULAR_OFF;
	uint64_t ms_ticks = counter_ms_to_ticks(1);
	char why[96];

	arm();
	switch (lockup_tick(&p->lockup, now, p->guest_entries, masked,
			    counter_ms_to_ticks(LOCKUP_THRESHOLD_MS))) {
	case LOCKUP_NEW:
		fmt_snprintf(
			why, sizeof(why),
			"lockup: no progress with regular interrupts masked for %lu ms",
			lockup_masked_for(&p->lockup, now) / ms_ticks);
		pnmi_print_state(c, why);
		break;
	case LOCKUP_OVER:
		log_printf("hyp: cpu%u: lockup over after %lu ms\n", p->index,
			   lockup_masked_for(&p->lockup, now) / ms_ticks);
		break;
	default:
		break;
	}
}
