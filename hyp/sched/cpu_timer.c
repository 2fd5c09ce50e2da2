/*
 * The EL2 physical timer (CNTHP, PPI 26) multiplexed: each CPU has one,
 * and three things want it: the lockup watchdog's period
 * (hyp/pnmi/watchdog.c), the end of the running vCPU's time slice, and
 * the earliest timer deadline of a vCPU blocked in WFI that last ran here
 * (hyp/sched/sched.c). The timer is armed for the earliest of them. It is
 * a PNMI, so the watchdog sees a CPU stuck with regular interrupts
 * masked; the scheduler's part only sets this CPU's resched flag, which
 * the exit path or the idle loop acts on with regular interrupts masked
 * as usual.
 *
 * Setting a deadline may race with the PNMI on the same CPU; the worst
 * outcome is a deadline already handled armed again, which fires at once
 * and finds nothing to do. The timer is written only when the earliest
 * deadline changes, except in the PNMI, which always writes it: a stale
 * deadline left by the race is replaced there, never kept.
 */
#include <arch/sysreg.h>

#include <hyp/hyp.h>
#include <hyp/sched/sched.h>
#include <hyp/vm.h>

/* force: write the timer even if it seems programmed already. */
static void program(struct pcpu *p, bool force)
{
	uint64_t first = 0;

	for (unsigned k = 0; k < CPU_TIMER_NR; k++) {
		uint64_t d = __atomic_load_n(&p->timer[k], __ATOMIC_RELAXED);

		if (d && (!first || d < first))
			first = d;
	}
	uint64_t was = p->timer_armed;

	if (!force && (p->timer_held || first == was))
		return; /* held, or programmed as it should be already */
	p->timer_armed = first;
	/* Each write of a timer register costs QEMU a recomputation of the
	 * timer and of the GIC's state: the control is written only when
	 * the timer goes on or off. */
	if (first) {
		write_sysreg(cnthp_cval_el2, first);
		if (force || !was)
			write_sysreg(cnthp_ctl_el2, CNT_CTL_ENABLE);
	} else {
		write_sysreg(cnthp_ctl_el2, 0);
	}
	isb();
}

void cpu_timer_set(unsigned kind, uint64_t deadline)
{
	struct pcpu *p = this_pcpu();

	__atomic_store_n(&p->timer[kind], deadline, __ATOMIC_RELAXED);
	program(p, false);
}

void cpu_timer_hold(void)
{
	this_pcpu()->timer_held = true;
}

void cpu_timer_release(void)
{
	struct pcpu *p = this_pcpu();

	p->timer_held = false;
	program(p, false);
}

void cpu_timer_fired(const void *pnmi_ctx)
{
	struct pcpu *p = this_pcpu();
	uint64_t now = read_sysreg(cntpct_el0);
	bool sched = false;

	for (unsigned k = 0; k < CPU_TIMER_NR; k++) {
		uint64_t d = p->timer[k];

		if (!d || d > now)
			continue;
		p->timer[k] = 0;
		if (k == CPU_TIMER_WATCHDOG)
			watchdog_tick(pnmi_ctx); /* arms its next period */
		else
			sched = true;
	}
	if (sched)
		sched_timer_expired();
	program(p, true);
}
