/*
 * The vCPU scheduler on the hardware: hyp/sched/sched.h says how it
 * decides, hyp/sched/runqueue.h by what rule.
 *
 * State, all under `lock` (one for the machine: a handful of CPUs take it
 * a few hundred times a second each):
 *   - the run queue of runnable vCPUs;
 *   - each vCPU's se.state and se.cpu, and which vCPU each CPU runs
 *     (pcpu->vcpu) and whether it waits for work (pcpu->idle).
 * A vCPU's registers are its CPU's until vcpu_put() has saved them; a CPU
 * that picks a vCPU another CPU has just put waits for vcpu->loaded to
 * clear before loading it (the two overlap only by the length of a save).
 *
 * Blocking in WFI without losing a wake-up: the waker makes the interrupt
 * pending in the vGIC model, then (sched_notify) either wakes the vCPU if
 * it is blocked or, if it still runs, sets wake_pending; the vCPU clears
 * wake_pending before it looks for pending interrupts and blocks only if
 * wake_pending is still clear under the lock.
 */
#include <stddef.h>

#include <arch/cache.h>
#include <arch/spinlock.h>
#include <arch/sysreg.h>
#include <lib/console.h>
#include <lib/image/vmconfig.h>

#include <hyp/drivers/gic.h>
#include <hyp/hyp.h>
#include <hyp/pnmi/mask.h>
#include <hyp/sched/sched.h>
#include <hyp/vm.h>

/* How far a woken vCPU's vruntime may lag the queue's: one slice. */
#define SLEEPER_CREDIT_SLICES 1
/* Time the VM's other vCPUs get to leave their CPUs when it ends (they do
 * within microseconds; a loaded host running QEMU may take much longer). */
#define VM_STOP_WAIT_MS 2000

static spinlock_t lock;
static struct runqueue rq;
static bool rq_ready;
static uint64_t slice_ticks, wakeup_gran_ticks;
/* CPUs the VMs may run on: started by sched_start(). */
static uint64_t cpus_used;
/* Pinned VMs' CPUs, by the VM's number in the configuration. */
static uint64_t pinned_cpus[MAX_VMS];

static struct vcpu *vcpu_of_se(struct sched_entity *se)
{
	return (struct vcpu *)((char *)se - offsetof(struct vcpu, se));
}

static uint64_t cpus_present(void)
{
	return pcpu_count >= 64 ? ~0ull : (1ull << pcpu_count) - 1;
}

static uint64_t cpus_reserved(void)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < MAX_VMS; i++)
		m |= pinned_cpus[i];
	return m;
}

static unsigned first_cpu(uint64_t mask)
{
	return (unsigned)__builtin_ctzll(mask);
}

/* The machine's CPUs as the configuration numbers them, for messages. */
static void log_affinity_refusal(unsigned n, uint64_t want)
{
	log_printf("hyp: vm%u: not started: its affinity names cpu %u, and the machine "
		   "has %u (cpu 0-%u)\n",
		   n, first_cpu(want & ~cpus_present()), pcpu_count, pcpu_count - 1);
}

/* Before any VM is made: each pinned VM takes the lowest free CPUs of its
 * affinity, one per vCPU, in the order of the configuration. */
int sched_reserve_pinned(const struct vm_config *c, unsigned n)
{
	uint64_t want = c->affinity ? c->affinity : cpus_present();
	uint64_t free_cpus = want & cpus_present() & ~cpus_reserved();

	if (want & ~cpus_present()) {
		log_affinity_refusal(n, want);
		return -1;
	}
	if ((unsigned)__builtin_popcountll(free_cpus) < c->cpus) {
		log_printf(
			"hyp: vm%u: not started: pinned, it needs %u cpu(s) of its own "
			"but only %u of its affinity are free\n",
			n, c->cpus, (unsigned)__builtin_popcountll(free_cpus));
		return -1;
	}
	for (unsigned i = 0; i < c->cpus; i++) {
		unsigned cpu = first_cpu(free_cpus);

		free_cpus &= ~(1ull << cpu);
		pinned_cpus[n] |= 1ull << cpu;
	}
	return 0;
}

int sched_vm_setup(struct vm *vm, const struct vm_config *c, unsigned n)
{
	uint64_t want = c->affinity ? c->affinity : cpus_present();
	uint64_t allowed = want & cpus_present() & ~cpus_reserved();
	uint64_t own = pinned_cpus[n];

	if (!rq_ready) {
		rq_init(&rq);
		slice_ticks = counter_ms_to_ticks(SCHED_SLICE_MS);
		wakeup_gran_ticks = counter_ms_to_ticks(SCHED_WAKEUP_GRAN_US) / 1000;
		rq_ready = true;
	}
	if (want & ~cpus_present()) {
		log_affinity_refusal(n, want);
		return -1;
	}
	if (c->pinned && !own)
		return -1; /* refused by sched_reserve_pinned(), which said why */
	if (!c->pinned && !allowed) {
		log_printf("hyp: vm%u: not started: pinned VMs own every cpu of its "
			   "affinity\n",
			   n);
		return -1;
	}
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *v = &vm->vcpus[i];
		uint64_t mask = allowed;

		v->vm = vm;
		v->index = i;
		v->state = VCPU_OFF;
		v->pinned = c->pinned;
		if (c->pinned) {
			mask = 1ull << first_cpu(own);
			own &= ~mask;
			pcpus[first_cpu(mask)].reserved = true;
		}
		se_init(&v->se, c->shares, mask);
		v->se.cpu = first_cpu(mask);
		cpus_used |= mask;
	}
	vm->config_index = n;
	return 0;
}

void sched_vm_release(struct vm *vm)
{
	uint64_t own = pinned_cpus[vm->config_index];

	for (unsigned i = 0; i < pcpu_count; i++)
		if ((own >> i) & 1)
			pcpus[i].reserved = false;
	pinned_cpus[vm->config_index] = 0;
}

/* Asks CPU cpu to take a scheduling decision. */
static void resched_cpu(unsigned cpu)
{
	struct pcpu *p = &pcpus[cpu];

	__atomic_store_n(&p->resched, true, __ATOMIC_RELEASE);
	if (p == this_pcpu())
		return;
	dsb(ish); /* the flag before the SGI */
	gic_kick(p->mpidr);
}

/* Under the lock: v was just queued. A CPU of its affinity that waits for
 * work takes it (the one it last ran on first, whose caches may still hold
 * its data); else it preempts the vCPU furthest ahead in vruntime, if that
 * one is ahead by more than the wake-up granularity, for a prompt wake-up. */
static void place(struct vcpu *v, uint64_t now)
{
	uint64_t aff = v->se.affinity;
	unsigned last = v->se.cpu, victim = MAX_PCPUS;
	struct vcpu *worst = NULL;

	if (last < pcpu_count && ((aff >> last) & 1) && pcpus[last].idle) {
		pcpus[last].idle = false;
		resched_cpu(last);
		return;
	}
	for (unsigned i = 0; i < pcpu_count; i++) {
		struct vcpu *c = pcpus[i].vcpu;

		if (!((aff >> i) & 1))
			continue;
		if (pcpus[i].idle) {
			pcpus[i].idle = false;
			resched_cpu(i);
			return;
		}
		if (!c || c->pinned)
			continue;
		/* Its runtime up to now, not to its last charge (up to a slice
		 * ago), so that the comparison is fair. */
		se_charge(&c->se, now);
		if (!worst || c->se.vruntime > worst->se.vruntime) {
			worst = c;
			victim = i;
		}
	}
	if (worst && se_should_preempt(&worst->se, &v->se, wakeup_gran_ticks))
		resched_cpu(victim);
}

/* Under the lock: a blocked or new vCPU becomes runnable. */
static void make_runnable(struct vcpu *v, uint64_t now)
{
	rq_enqueue(&rq, &v->se, now, true, SLEEPER_CREDIT_SLICES * slice_ticks);
	v->wake_at = 0;
	place(v, now);
}

/* Under the lock: the blocked vCPUs whose timers are due run again; the
 * CPU's wake-up deadline becomes the next of those that last ran here. */
static void wake_expired(struct pcpu *p, uint64_t now)
{
	uint64_t next = 0;

	for (unsigned i = 0; i < vm_count; i++) {
		struct vm *vm = &vms[i];

		for (unsigned j = 0; j < vm->vcpu_count; j++) {
			struct vcpu *v = &vm->vcpus[j];

			if (v->se.state != SE_BLOCKED || !v->wake_at)
				continue;
			if (v->wake_at <= now)
				make_runnable(v, now);
			else if (v->se.cpu == p->index && (!next || v->wake_at < next))
				next = v->wake_at;
		}
	}
	p->next_wake = next;
	cpu_timer_set(CPU_TIMER_WAKE, next);
}

/* Under the lock: the running vCPU blocks until an interrupt, or until
 * its deadline, which this CPU's timer keeps. */
static void block(struct pcpu *p, struct vcpu *v, uint64_t now)
{
	v->se.state = SE_BLOCKED;
	v->se.since = now;
	if (v->wake_at && (!p->next_wake || v->wake_at < p->next_wake)) {
		p->next_wake = v->wake_at;
		cpu_timer_set(CPU_TIMER_WAKE, v->wake_at);
	}
}

/* The running vCPU's figures of fast exits, folded in as it leaves. */
static void put(struct pcpu *p, struct vcpu *v, const struct frame *f)
{
	v->fast_exits += p->fast_exits - p->fast_base;
	vcpu_put(v, f);
}

static void load(struct pcpu *p, struct vcpu *v, struct frame *f)
{
	while (__atomic_load_n(&v->loaded, __ATOMIC_ACQUIRE))
		; /* the CPU it left is still saving it */
	v->loaded = true;
	if (v->need_reset) {
		v->need_reset = false;
		vcpu_reset(v, v->start_pc, v->start_x0);
	}
	vcpu_load(v, f);
	if (v->state == VCPU_ON_PENDING)
		__atomic_store_n(&v->state, VCPU_ON, __ATOMIC_RELEASE);
	p->fast_base = p->fast_exits;
	watchdog_start();
	cpu_timer_set(CPU_TIMER_SLICE,
		      v->pinned ? 0 : read_sysreg(cntpct_el0) + slice_ticks);
}

/* A CPU about to wait for work: no watchdog, no slice, and the wake-up
 * deadlines of the vCPUs blocked here armed. */
static void idle_timers(void)
{
	watchdog_stop();
	cpu_timer_set(CPU_TIMER_SLICE, 0);
	cpu_timer_release();
}

/*
 * Nothing to run here: waits in WFI, regular interrupts open, until a
 * vCPU of this CPU's affinity is runnable. PSTATE.I stays set across the
 * check and the WFI, so that a kick arriving between them is not taken
 * (and lost) before the WFI: pending, it ends the WFI at once, and is
 * taken in the window after it.
 */
static struct vcpu *idle_wait(struct pcpu *p)
{
	idle_timers();
	for (;;) {
		struct sched_entity *best;
		uint64_t now;

		spin_lock(&lock);
		now = read_sysreg(cntpct_el0);
		if (p->next_wake && now >= p->next_wake)
			wake_expired(p, now);
		best = rq_best(&rq, p->index);
		if (best) {
			rq_take(&rq, best, p->index, now);
			p->vcpu = vcpu_of_se(best);
			p->idle = false;
			spin_unlock(&lock);
			cpu_timer_hold(); /* until the vCPU is loaded */
			return p->vcpu;
		}
		p->idle = true;
		spin_unlock(&lock);
		pstate_irq_disable();
		pmr_restore(GIC_PMR_UNMASKED);
		if (__atomic_load_n(&p->idle, __ATOMIC_ACQUIRE) &&
		    !__atomic_load_n(&p->resched, __ATOMIC_ACQUIRE))
			wfi();
		pstate_irq_enable(); /* what woke it is taken here */
		isb();
		pmr_mask_regular();
		p->resched = false;
	}
}

/* Whether the running vCPU `cur` keeps its CPU, and if not, what it
 * becomes; under the lock. */
static bool cur_continues(struct pcpu *p, struct vcpu *cur, uint64_t now, bool *yield)
{
	*yield = false;
	se_charge(&cur->se, now);
	if (!__atomic_load_n(&cur->vm->live, __ATOMIC_ACQUIRE)) {
		cur->se.state = SE_OFF; /* its VM has ended */
		return false;
	}
	if (cur->off_request) {
		cur->off_request = false;
		cur->se.state = SE_OFF;
		if (cur->restart_request) { /* its VM's reset: it starts again */
			cur->restart_request = false;
			cur->need_reset = true;
			make_runnable(cur, now);
			return false;
		}
		__atomic_store_n(&cur->state, VCPU_OFF, __ATOMIC_RELEASE);
		return false;
	}
	if (cur->wfi_request) {
		cur->wfi_request = false;
		if (!__atomic_load_n(&cur->wake_pending, __ATOMIC_ACQUIRE)) {
			block(p, cur, now);
			return false;
		}
	}
	if (cur->yield_request) {
		cur->yield_request = false;
		*yield = true;
	}
	return true;
}

static void schedule(struct pcpu *p, struct frame *f)
{
	struct vcpu *cur = p->vcpu, *next = NULL;
	struct sched_entity *best;
	bool keep = false, yield = false;
	/* Its slice over (the timer's deadline passed and was cleared), the
	 * running vCPU gives way to any that has run less; within its slice,
	 * only to one that has run less by the wake-up granularity. */
	uint64_t now, gran = p->timer[CPU_TIMER_SLICE] ? wakeup_gran_ticks : 0;

	__atomic_store_n(&p->resched, false, __ATOMIC_RELAXED);
	cpu_timer_hold();
	spin_lock(&lock);
	now = read_sysreg(cntpct_el0);
	if (p->next_wake && now >= p->next_wake)
		wake_expired(p, now);
	if (cur)
		keep = cur_continues(p, cur, now, &yield);
	best = rq_best(&rq, p->index);
	/* A yield (WFE) gives way to any vCPU that may run here. */
	if (keep && (!best || (!yield && !se_should_preempt(&cur->se, best, gran)))) {
		rq_update_min(&rq, &cur->se);
		spin_unlock(&lock);
		if (!cur->pinned && !gran) /* a new slice */
			cpu_timer_set(CPU_TIMER_SLICE, now + slice_ticks);
		cpu_timer_release();
		return;
	}
	if (keep)
		rq_enqueue(&rq, &cur->se, now, false, 0);
	if (best) {
		rq_take(&rq, best, p->index, now);
		next = vcpu_of_se(best);
		/* A switch from one vCPU to the next with no wait between:
		 * what it cost is counted as the exit returns (hyp/traps.c). */
		p->switched = cur && next != cur;
	}
	p->vcpu = next;
	rq_update_min(&rq, best);
	spin_unlock(&lock);
	/* Going idle: the CPU's timer gets its idle deadlines (the earliest
	 * wake-up of the vCPUs blocked here, cur's among them) before cur's
	 * virtual timer stops in the put. Under QEMU this matters: a timer
	 * set to the deadline of one still running goes in behind it, and
	 * does not wake QEMU's main loop to recompute its own timeout
	 * (docs/PERFORMANCE.md, "Idle"). */
	if (!next)
		idle_timers();
	if (cur)
		put(p, cur, f);
	if (!next)
		next = idle_wait(p);
	load(p, next, f);
	cpu_timer_release();
}

void sched_exit_path(struct frame *f)
{
	struct pcpu *p = this_pcpu();
	struct vcpu *v = p->vcpu;

	if (!__atomic_load_n(&p->resched, __ATOMIC_ACQUIRE) && v &&
	    __atomic_load_n(&v->vm->live, __ATOMIC_ACQUIRE))
		return;
	schedule(p, f);
}

void sched_vcpu_start(struct vcpu *v, uint64_t pc, uint64_t x0)
{
	spin_lock(&lock);
	if (__atomic_load_n(&v->vm->live, __ATOMIC_ACQUIRE) && v->se.state == SE_OFF) {
		v->start_pc = pc;
		v->start_x0 = x0;
		v->need_reset = true;
		v->wake_pending = false;
		make_runnable(v, read_sysreg(cntpct_el0));
	}
	spin_unlock(&lock);
}

void sched_vm_restart(struct vcpu *self, struct vcpu *boot, uint64_t pc, uint64_t x0)
{
	spin_lock(&lock);
	for (unsigned i = 0; i < self->vm->vcpu_count; i++) {
		struct vcpu *t = &self->vm->vcpus[i];

		t->wake_pending = false;
		t->wfi_request = false;
		t->yield_request = false;
		t->wake_at = 0;
	}
	self->off_request = true;
	boot->start_pc = pc;
	boot->start_x0 = x0;
	boot->need_reset = true;
	if (boot == self)
		self->restart_request = true;
	else
		make_runnable(boot, read_sysreg(cntpct_el0));
	spin_unlock(&lock);
	this_pcpu()->resched = true;
}

/* The deadline of v's enabled, unmasked timers, in the physical count;
 * 0 if none. Read while v runs here (its virtual timer is the CPU's). */
static uint64_t timers_deadline(struct vcpu *v, uint64_t wfit_deadline)
{
	uint64_t ctl = read_sysreg(cntv_ctl_el0), d = wfit_deadline, pt;

	if ((ctl & CNT_CTL_ENABLE) && !(ctl & CNT_CTL_IMASK)) {
		uint64_t cv = read_sysreg(cntv_cval_el0) + v->vm->cntvoff;

		if (!d || cv < d)
			d = cv;
	}
	if (ptimer_hw_deadline(&v->ctx.ptimer, v->vm->cntvoff, &pt) && (!d || pt < d))
		d = pt;
	return d;
}

static void wfi_until(struct vcpu *v, uint64_t wfit_deadline)
{
	__atomic_store_n(&v->wake_pending, false, __ATOMIC_SEQ_CST);
	if (vgic_vcpu_pending(v))
		return; /* an interrupt waits: WFI completes at once */
	v->wake_at = timers_deadline(v, wfit_deadline);
	if (v->wake_at && v->wake_at <= read_sysreg(cntpct_el0))
		return;
	v->wfi_request = true;
	this_pcpu()->resched = true;
}

void sched_wfi(struct vcpu *v)
{
	wfi_until(v, 0);
}

void sched_wfit(struct vcpu *v, uint64_t virtual_deadline)
{
	wfi_until(v, virtual_deadline + v->vm->cntvoff);
}

/* WFE: the vCPU waits for another (a lock holder, most often): let any
 * vCPU that may run here have the CPU first. */
void sched_wfe(struct vcpu *v)
{
	if (v->pinned)
		return;
	v->yield_request = true;
	this_pcpu()->resched = true;
}

void sched_notify(struct vcpu *t)
{
	spin_lock(&lock);
	switch (t->se.state) {
	case SE_BLOCKED:
		make_runnable(t, read_sysreg(cntpct_el0));
		break;
	case SE_RUNNING:
		__atomic_store_n(&t->wake_pending, true, __ATOMIC_SEQ_CST);
		if (t->se.cpu != this_pcpu()->index)
			gic_kick(pcpus[t->se.cpu].mpidr);
		break;
	default: /* queued: it looks at its interrupts as it is loaded */
		break;
	}
	spin_unlock(&lock);
}

void sched_timer_expired(void)
{
	__atomic_store_n(&this_pcpu()->resched, true, __ATOMIC_RELEASE);
}

bool sched_vm_stop(struct vm *vm)
{
	struct vcpu *self = current_vcpu();
	uint64_t deadline;
	bool all = true;

	spin_lock(&lock);
	if (self && self->vm == vm) /* its figures complete, for the report */
		se_charge(&self->se, read_sysreg(cntpct_el0));
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *t = &vm->vcpus[i];

		switch (t->se.state) {
		case SE_RUNNABLE:
			rq_remove(&rq, &t->se);
			t->se.state = SE_OFF;
			break;
		case SE_BLOCKED:
			t->se.state = SE_OFF;
			break;
		case SE_RUNNING:
			if (t != self)
				resched_cpu(t->se.cpu);
			break;
		default:
			break;
		}
	}
	spin_unlock(&lock);
	this_pcpu()->resched = true; /* the caller's vCPU leaves too */
	deadline = read_sysreg(cntpct_el0) + counter_ms_to_ticks(VM_STOP_WAIT_MS);
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *t = &vm->vcpus[i];

		if (t == self)
			continue;
		while (__atomic_load_n(&t->loaded, __ATOMIC_ACQUIRE) &&
		       read_sysreg(cntpct_el0) < deadline)
			;
		if (__atomic_load_n(&t->loaded, __ATOMIC_ACQUIRE)) {
			log_printf("hyp: vm%u: vcpu %u (cpu %u) did not stop\n", vm->id,
				   i, t->se.cpu);
			all = false;
		}
	}
	return all;
}

void sched_vcpu_figures(const struct vcpu *v, uint64_t *run_ns, uint64_t *wait_ns,
			uint64_t *switches)
{
	struct se_stats s;
	uint64_t since, now;
	enum se_state state;

	spin_lock(&lock);
	s = v->se.stats;
	since = v->se.since;
	state = v->se.state;
	now = read_sysreg(cntpct_el0);
	spin_unlock(&lock);
	/* The time in its current state, not yet charged to it. */
	if (now > since && state == SE_RUNNING)
		s.run += now - since;
	else if (now > since && state == SE_RUNNABLE)
		s.wait += now - since;
	*run_ns = counter_ticks_to_ns(s.run);
	*wait_ns = counter_ticks_to_ns(s.wait);
	*switches = s.switches;
}

void sched_print_stats(const struct vm *vm)
{
	uint64_t ms = counter_ms_to_ticks(1);

	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		const struct sched_entity *se = &vm->vcpus[i].se;

		log_printf(
			"hyp: vm%u '%s' vcpu%u: run %lu ms, wait %lu ms, %lu switches\n",
			vm->id, vm->name, i, se->stats.run / ms, se->stats.wait / ms,
			se->stats.switches);
	}
}

void sched_print_cpu_stats(void)
{
	for (unsigned i = 0; i < pcpu_count; i++) {
		const struct pcpu *p = &pcpus[i];

		if (p->switches)
			log_printf("hyp: cpu%u: %lu vCPU switches, %lu ns each from the "
				   "exit to the return to the guest\n",
				   i, p->switches,
				   counter_ticks_to_ns(p->switch_ticks / p->switches));
	}
}

void sched_cpu_run(void)
{
	struct pcpu *p = this_pcpu();
	struct frame *f = (struct frame *)(p->stack_top - sizeof(struct frame));
	struct vcpu *v;

	hyp_context_enter();
	cpu_timer_hold();
	v = idle_wait(p);
	load(p, v, f);
	cpu_timer_release();
	vgic_flush(v);
	hyp_context_leave();
	guest_enter(f);
}

void sched_start(void)
{
	for (unsigned i = 0; i < vm_count; i++)
		sched_vcpu_start(&vms[i].vcpus[0], vms[i].entry_ipa, vms[i].dt_ipa);
	for (unsigned i = 1; i < pcpu_count; i++) {
		int r;

		if (!((cpus_used >> i) & 1))
			continue;
		r = pcpu_start(i);
		if (r)
			log_printf("hyp: cpu %u did not start (psci %d): its vCPUs run "
				   "elsewhere if their affinity allows\n",
				   i, r);
	}
	gic_cpu_init(); /* this CPU's interface, as the others do theirs */
	sched_cpu_run();
}
