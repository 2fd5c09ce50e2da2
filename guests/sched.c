/*
 * Test guest for the vCPU scheduler (issue 13; tests/system/test_sched.sh),
 * driven by guestinfo.sched (mkbootimg --guestinfo sched=MODE). Every
 * vCPU the VM has is started (PSCI CPU_ON; AFFINITY_INFO tells how many
 * there are), and what each saw is printed one vCPU at a time:
 *
 *   fp    each vCPU loads all 32 FP/SIMD registers, FPCR and FPSR with a
 *         pattern of its own (the VM's guestinfo.seed, the vCPU, the round),
 *         does a burst of integer work, and checks they still hold it;
 *         meanwhile its virtual timer interrupts it every millisecond,
 *         never before its deadline, with CNTVCT never going backwards, and
 *         the last deadline still arrives at the end. After guestinfo.ms
 *         (default 3000) of its virtual counter each prints
 *         "sched-fp vcpu I: ok ticks=T checks=C", or "sched-fp vcpu I:
 *         FAIL ..." naming the register or check; exit code 0, or 1.
 *   work  each vCPU counts iterations of a fixed integer loop for
 *         guestinfo.ms (default 4000) of its virtual counter and prints
 *         "sched-work vcpu I: N iterations". The counter runs on while a
 *         vCPU is off its CPU, so N measures its share of a CPU. Then what
 *         the hypervisor says of it through the STATS backdoor service
 *         (values 4 to 6): "sched-stats vcpu I: run R ms, wait W ms, S
 *         switches".
 *   wake  (2 vCPUs) wake-up latency of a vCPU blocked in WFI, from an SGI
 *         vCPU 0 sends it and from its own virtual timer's deadline, to
 *         its interrupt handler: the median of 50 of each in nanoseconds
 *         of the virtual counter, which under -icount shift=0 are
 *         instructions: "bench: wake_sgi insns=N", "bench: wake_timer
 *         insns=N".
 *   idle  vCPU 0 prints "sched-idle: vcpu 0 waits in WFI" and waits in WFI
 *         with interrupts masked: forever with its timer off, or, with
 *         guestinfo.idle_ms, until its virtual timer's deadline that far
 *         ahead, then prints "sched-idle: woke after T ms, W wake-ups" and
 *         exits 0. A vCPU waiting so must cost its CPU nothing.
 *
 * The guest runs with its MMU off: shared variables are Device memory, so
 * plain volatile accesses are coherent between the vCPUs; each is written
 * by one vCPU only, so no atomics are needed.
 */
#include <stdarg.h>
#include <string.h>

#include <arch/gicv3.h>
#include <arch/smccc.h>
#include <arch/sysreg.h>
#include <lib/fmt.h>
#include <lib/psci.h>

#include "rt/rpci.h"
#include "rt/rt.h"
#include "rt/stacks.h"

/* The guest's GIC, at the addresses of its DT (QEMU virt's). */
#define GICD_BASE 0x08000000ull
#define GICR_BASE 0x080a0000ull

#define MAX_VCPUS GUEST_STACKS
#define SGI_WAKE 3
#define VECTOR_IRQ 1 /* vector & 3 of an IRQ (guests/rt/vectors.S) */
#define TICK_US 1000
#define FP_MS_DEFAULT 3000
#define WORK_MS_DEFAULT 4000
/* How long the last timer deadline may take to arrive at the end. */
#define LAST_TICK_MS 2000
/* Integer work between the load and the check of the FP registers, and
 * per counted iteration of the work mode. */
#define FP_BURST 2000
#define WORK_STEPS 64
#define WAKE_SAMPLES 50
/* How long vCPU 0 lets the target sit in WFI before waking it. */
#define WAKE_IDLE_US 2000
#define WAKE_TIMER_US 2000
#define FAIL_TEXT 120

static char mode[16];
static unsigned nr_vcpus;
static uint64_t seed;
static uint64_t window_ms;
/* Whose turn it is to print its line (vCPU index; nr_vcpus: all done). */
static volatile uint64_t turn;
static volatile uint64_t sink[MAX_VCPUS];

/* Per vCPU, written by that vCPU only. */
struct vcpu_state {
	uint64_t ticks, checks, cval, last_irq_vct, spurious;
	uint64_t iterations;
	bool failed;
	char fail[FAIL_TEXT];
};
static volatile struct vcpu_state state[MAX_VCPUS];

/* wake: the sender's and the handler's counter readings, per round. */
static volatile uint64_t wake_round, wake_ready, wake_got;
static volatile uint64_t wake_sent, wake_deadline, wake_entry;
static uint64_t samples[WAKE_SAMPLES];

static uint64_t now(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

static uint64_t us_ticks(uint64_t us)
{
	return read_sysreg(cntfrq_el0) * us / 1000000;
}

static uint64_t ticks_ns(uint64_t ticks)
{
	return ticks * 1000000000ull / read_sysreg(cntfrq_el0);
}

static unsigned self(void)
{
	return (unsigned)(read_sysreg(mpidr_el1) & 0xff);
}

static int64_t psci(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return (int64_t)hvc_call(fid, a1, a2, a3);
}

static void wr32(uint64_t pa, uint32_t v)
{
	*(volatile uint32_t *)pa = v;
}

/* splitmix64: the FP pattern from (seed, vCPU, round, register). */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The first failure of a vCPU, kept for its report line. */
static void fail(unsigned me, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(unsigned me, const char *fmt, ...)
{
	volatile struct vcpu_state *s = &state[me];
	va_list ap;

	if (s->failed)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf((char *)s->fail, FAIL_TEXT, fmt, ap);
	va_end(ap);
	s->failed = true;
}

/* Interrupts on at the distributor (vCPU 0, before the others start). */
static void gic_dist_setup(void)
{
	wr32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_EnableGrp1);
}

/* This vCPU's redistributor: its SGIs and virtual timer in Group 1 and
 * enabled; its CPU interface on. */
static void gic_cpu_setup(unsigned me)
{
	uint64_t sgi = GICR_BASE + (uint64_t)me * GICR_FRAME_STRIDE + GICR_SGI_BASE;

	wr32(sgi + GICR_IGROUPR0, ~0u);
	wr32(sgi + GICR_ISENABLER0, 1u << SGI_WAKE | 1u << GIC_PPI_VTIMER);
	write_sysreg(icc_pmr_el1, 0xff);
	write_sysreg(icc_igrpen1_el1, 1);
	isb();
}

static void irqs_on(void)
{
	__asm__ volatile("msr daifclr, #2\n isb" ::: "memory");
}

static void irqs_off(void)
{
	__asm__ volatile("msr daifset, #2\n isb" ::: "memory");
}

static void timer_at(uint64_t cval)
{
	write_sysreg(cntv_cval_el0, cval);
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
	isb();
}

static void timer_off(void)
{
	write_sysreg(cntv_ctl_el0, 0);
	isb();
}

/* ---- printing one vCPU at a time ------------------------------------------ */

/* Waits for this vCPU's turn; the event (SEV) of the one before wakes WFE. */
static void await_turn(unsigned me)
{
	while (turn != me)
		__asm__ volatile("wfe" ::: "memory");
}

static void pass_turn(unsigned me)
{
	turn = me + 1;
	__asm__ volatile("dsb sy\n sev" ::: "memory");
}

/* vCPU 0, after its own line: waits for everyone's, then ends the VM. */
static void finish_all(void)
{
	unsigned failed = 0;

	await_turn(nr_vcpus);
	for (unsigned i = 0; i < nr_vcpus; i++)
		failed += state[i].failed;
	gprintf("sched-%s: %u vcpus, %u failed\n", mode, nr_vcpus, failed);
	guest_failures += failed;
	guest_finish("sched");
}

/* A secondary vCPU that has said its part: nothing more to do. */
static void park(void)
{
	irqs_off();
	timer_off();
	for (;;)
		__asm__ volatile("wfi");
}

/* ---- fp ------------------------------------------------------------------- */

/* The 32 registers' contents, 16 bytes each (the alignment LDP/STP of Q
 * registers needs on Device memory). */
struct fp_regs {
	uint64_t q[32][2];
} __attribute__((aligned(16)));
static struct fp_regs fp_want[MAX_VCPUS], fp_got[MAX_VCPUS];

static void fp_load(const struct fp_regs *r)
{
	__asm__ volatile("ldp q0, q1, [%0, #0]\n ldp q2, q3, [%0, #32]\n"
			 "ldp q4, q5, [%0, #64]\n ldp q6, q7, [%0, #96]\n"
			 "ldp q8, q9, [%0, #128]\n ldp q10, q11, [%0, #160]\n"
			 "ldp q12, q13, [%0, #192]\n ldp q14, q15, [%0, #224]\n"
			 "ldp q16, q17, [%0, #256]\n ldp q18, q19, [%0, #288]\n"
			 "ldp q20, q21, [%0, #320]\n ldp q22, q23, [%0, #352]\n"
			 "ldp q24, q25, [%0, #384]\n ldp q26, q27, [%0, #416]\n"
			 "ldp q28, q29, [%0, #448]\n ldp q30, q31, [%0, #480]\n"
			 :
			 : "r"(r)
			 : "memory");
}

static void fp_store(struct fp_regs *r)
{
	__asm__ volatile("stp q0, q1, [%0, #0]\n stp q2, q3, [%0, #32]\n"
			 "stp q4, q5, [%0, #64]\n stp q6, q7, [%0, #96]\n"
			 "stp q8, q9, [%0, #128]\n stp q10, q11, [%0, #160]\n"
			 "stp q12, q13, [%0, #192]\n stp q14, q15, [%0, #224]\n"
			 "stp q16, q17, [%0, #256]\n stp q18, q19, [%0, #288]\n"
			 "stp q20, q21, [%0, #320]\n stp q22, q23, [%0, #352]\n"
			 "stp q24, q25, [%0, #384]\n stp q26, q27, [%0, #416]\n"
			 "stp q28, q29, [%0, #448]\n stp q30, q31, [%0, #480]\n"
			 :
			 : "r"(r)
			 : "memory");
}

/* FPCR bits a vCPU sets as its pattern: AHP, DN, FZ, RMode (the trap
 * enables may be RAZ/WI). FPSR: the cumulative flags and QC. */
#define FPCR_PATTERN_BITS (0xfull << 22 | 1ull << 26)
#define FPSR_PATTERN_BITS (0x9full | 1ull << 27)

/* Loads the pattern of this round; FPCR/FPSR as read back (what the CPU
 * keeps of them) in *fpcr, *fpsr. */
static void fp_fill(unsigned me, uint64_t round, uint64_t *fpcr, uint64_t *fpsr)
{
	struct fp_regs *w = &fp_want[me];
	uint64_t base = mix(seed ^ (uint64_t)me << 56 ^ round << 8);

	for (unsigned i = 0; i < 32; i++) {
		w->q[i][0] = mix(base + 2 * i);
		w->q[i][1] = mix(base + 2 * i + 1);
	}
	write_sysreg(fpcr, base & FPCR_PATTERN_BITS);
	write_sysreg(fpsr, (base >> 32) & FPSR_PATTERN_BITS);
	isb();
	*fpcr = read_sysreg(fpcr);
	*fpsr = read_sysreg(fpsr);
	fp_load(w);
}

/* Checks the registers hold what fp_fill loaded; false on a mismatch. */
static bool fp_check(unsigned me, uint64_t round, uint64_t fpcr, uint64_t fpsr)
{
	struct fp_regs *w = &fp_want[me], *g = &fp_got[me];
	uint64_t c, s;

	/* FPCR/FPSR first: the stores below do not touch them. */
	c = read_sysreg(fpcr);
	s = read_sysreg(fpsr);
	fp_store(g);
	for (unsigned i = 0; i < 32; i++)
		if (g->q[i][0] != w->q[i][0] || g->q[i][1] != w->q[i][1]) {
			fail(me, "q%u round %lu: 0x%016lx%016lx, want 0x%016lx%016lx", i,
			     (unsigned long)round, g->q[i][1], g->q[i][0], w->q[i][1],
			     w->q[i][0]);
			return false;
		}
	if (c != fpcr) {
		fail(me, "fpcr round %lu: 0x%lx, want 0x%lx", (unsigned long)round, c,
		     fpcr);
		return false;
	}
	if (s != fpsr) {
		fail(me, "fpsr round %lu: 0x%lx, want 0x%lx", (unsigned long)round, s,
		     fpsr);
		return false;
	}
	return true;
}

/* The virtual timer's interrupt: never before the deadline, the counter
 * never behind its last reading here; re-armed a tick ahead. */
static void fp_tick(unsigned me)
{
	volatile struct vcpu_state *s = &state[me];
	uint64_t t = now();

	if (t < s->cval)
		fail(me, "timer interrupt before its deadline (%lu < %lu)",
		     (unsigned long)t, (unsigned long)s->cval);
	if (t < s->last_irq_vct)
		fail(me, "CNTVCT went backwards in the timer handler (%lu < %lu)",
		     (unsigned long)t, (unsigned long)s->last_irq_vct);
	if (!(read_sysreg(cntv_ctl_el0) & CNT_CTL_ISTATUS))
		fail(me, "timer interrupt with CNTV_CTL.ISTATUS clear");
	s->last_irq_vct = t;
	s->ticks = s->ticks + 1;
	s->cval = t + us_ticks(TICK_US);
	timer_at(s->cval);
}

/* wake: the target's handler records when it ran. */
static void wake_irq(uint32_t intid)
{
	uint64_t t = now();

	if (intid == GIC_PPI_VTIMER)
		timer_off();
	wake_entry = t;
	wake_got = wake_round;
}

bool guest_unexpected(struct frame *f, unsigned vector, uint64_t esr)
{
	unsigned me = self();
	uint32_t intid;

	if ((vector & 3) != VECTOR_IRQ || me >= nr_vcpus)
		return false;
	intid = (uint32_t)read_sysreg(icc_iar1_el1) & 0xffffff;
	isb();
	if (intid == GIC_SPURIOUS) {
		state[me].spurious = state[me].spurious + 1;
		return true;
	}
	if (!strcmp(mode, "fp") && intid == GIC_PPI_VTIMER)
		fp_tick(me);
	else if (!strcmp(mode, "wake") && (intid == SGI_WAKE || intid == GIC_PPI_VTIMER))
		wake_irq(intid);
	else
		fail(me, "unexpected interrupt %u", intid);
	write_sysreg(icc_eoir1_el1, intid);
	isb();
	return true;
}

static void fp_run(unsigned me)
{
	volatile struct vcpu_state *s = &state[me];
	uint64_t start, end, last, round = 0, x = me + 1, fpcr, fpsr;

	gic_cpu_setup(me);
	start = last = now();
	end = start + us_ticks(window_ms * 1000);
	s->cval = start + us_ticks(TICK_US);
	timer_at(s->cval);
	irqs_on();
	for (;;) {
		uint64_t t;

		fp_fill(me, round, &fpcr, &fpsr);
		/* General registers only (-mgeneral-regs-only): the FP
		 * registers are left alone until the check. */
		for (unsigned i = 0; i < FP_BURST; i++)
			x = x * 6364136223846793005ull + 1442695040888963407ull;
		sink[me] = x;
		if (!fp_check(me, round, fpcr, fpsr))
			break;
		s->checks = s->checks + 1;
		t = now();
		if (t < last) {
			fail(me, "CNTVCT went backwards (%lu < %lu)", (unsigned long)t,
			     (unsigned long)last);
			break;
		}
		last = t;
		round++;
		if (t >= end)
			break;
	}
	/* The deadline armed last still arrives. */
	{
		uint64_t seen = s->ticks, until = now() + us_ticks(LAST_TICK_MS * 1000);

		while (s->ticks == seen && now() < until)
			;
		if (s->ticks == seen)
			fail(me, "the last timer deadline (%lu) never interrupted",
			     (unsigned long)s->cval);
	}
	irqs_off();
	timer_off();
	if (!s->ticks)
		fail(me, "no timer interrupt at all");
	await_turn(me);
	if (s->failed)
		gprintf("sched-fp vcpu %u: FAIL %s ticks=%lu checks=%lu\n", me,
			(const char *)s->fail, (unsigned long)s->ticks,
			(unsigned long)s->checks);
	else
		gprintf("sched-fp vcpu %u: ok ticks=%lu checks=%lu\n", me,
			(unsigned long)s->ticks, (unsigned long)s->checks);
	pass_turn(me);
}

/* ---- work ----------------------------------------------------------------- */

/* A STATS value of the calling vCPU (docs/ABI.md): w1 low, w4 high. */
static uint64_t bd_stat(unsigned index)
{
	struct bdcall c = bd_request(BD_CMD_STATS, index);

	bd_invoke(BD_DCC, &c);
	if ((uint32_t)c.x[0] != 0)
		return UINT64_MAX;
	return (c.x[1] & 0xffffffffu) | c.x[4] << 32;
}

static void work_run(unsigned me)
{
	volatile struct vcpu_state *s = &state[me];
	uint64_t end = now() + us_ticks(window_ms * 1000), n = 0, x = me + 1;
	uint64_t run, wait, switches;

	do {
		for (unsigned i = 0; i < WORK_STEPS; i++)
			x = x * 6364136223846793005ull + 1442695040888963407ull;
		n++;
	} while (now() < end);
	run = bd_stat(BD_STAT_RUN_NS);
	wait = bd_stat(BD_STAT_WAIT_NS);
	switches = bd_stat(BD_STAT_SWITCHES);

	sink[me] = x;
	s->iterations = n;
	await_turn(me);
	gprintf("sched-work vcpu %u: %lu iterations\n", me, (unsigned long)n);
	gprintf("sched-stats vcpu %u: run %lu ms, wait %lu ms, %lu switches\n", me,
		(unsigned long)(run / 1000000), (unsigned long)(wait / 1000000),
		(unsigned long)switches);
	pass_turn(me);
}

/* ---- wake ----------------------------------------------------------------- */

static void spin_us(uint64_t us)
{
	uint64_t end = now() + us_ticks(us);

	while (now() < end)
		;
}

/* vCPU 1: for each round, waits in WFI with interrupts masked (so the
 * wake-up cannot slip in between the check and the WFI), then takes the
 * interrupt the moment they are unmasked. Rounds 1..WAKE_SAMPLES are
 * woken by vCPU 0's SGI, the next WAKE_SAMPLES by its own timer. */
static void wake_target(void)
{
	gic_cpu_setup(1);
	irqs_off();
	for (uint64_t r = 1; r <= 2 * WAKE_SAMPLES; r++) {
		while (wake_round != r)
			;
		if (r > WAKE_SAMPLES) {
			wake_deadline = now() + us_ticks(WAKE_TIMER_US);
			timer_at(wake_deadline);
		}
		wake_ready = r;
		while (wake_got != r) {
			__asm__ volatile("wfi" ::: "memory");
			irqs_on();
			irqs_off();
		}
	}
}

static bool wake_wait(uint64_t r)
{
	uint64_t until = now() + us_ticks(LAST_TICK_MS * 1000);

	while (wake_got != r)
		if (now() > until)
			return false;
	return true;
}

static void wake_run(void)
{
	uint64_t entry = (uint64_t)guest_secondary_entry, r;

	GCHECK(nr_vcpus >= 2, "wake needs 2 vcpus, the VM has %u", nr_vcpus);
	if (nr_vcpus < 2)
		return;
	GCHECK(psci(PSCI_CPU_ON_64, 1, entry, 1) == PSCI_SUCCESS, "CPU_ON of vcpu 1");
	for (r = 1; r <= WAKE_SAMPLES; r++) {
		wake_round = r;
		while (wake_ready != r)
			;
		spin_us(WAKE_IDLE_US); /* it is in WFI by now, off its CPU */
		wake_sent = now();
		write_sysreg(icc_sgi1r_el1,
			     (uint64_t)SGI_WAKE << ICC_SGI1R_EL1_INTID_SHIFT | 1u << 1);
		isb();
		if (!wake_wait(r))
			break;
		samples[r - 1] = ticks_ns(wake_entry - wake_sent);
	}
	GCHECK(r > WAKE_SAMPLES, "SGI round %lu: vcpu 1 did not wake", (unsigned long)r);
	if (r > WAKE_SAMPLES)
		gprintf("bench: wake_sgi insns=%lu\n",
			(unsigned long)median_u64(samples, WAKE_SAMPLES));
	for (r = 1; r <= WAKE_SAMPLES; r++) {
		uint64_t round = WAKE_SAMPLES + r;

		wake_round = round;
		if (!wake_wait(round))
			break;
		samples[r - 1] = ticks_ns(wake_entry - wake_deadline);
	}
	GCHECK(r > WAKE_SAMPLES, "timer round %lu: vcpu 1 did not wake",
	       (unsigned long)r);
	if (r > WAKE_SAMPLES)
		gprintf("bench: wake_timer insns=%lu\n",
			(unsigned long)median_u64(samples, WAKE_SAMPLES));
}

/* ---- idle ----------------------------------------------------------------- */

static void idle_run(void)
{
	uint64_t ms = guestinfo_u64("idle_ms", 0), start, wakes = 0;

	irqs_off();
	timer_off();
	gprintf("sched-idle: vcpu 0 waits in WFI\n");
	if (!ms)
		for (;;)
			__asm__ volatile("wfi");
	gic_dist_setup();
	gic_cpu_setup(0);
	start = now();
	timer_at(start + us_ticks(ms * 1000));
	while (!(read_sysreg(cntv_ctl_el0) & CNT_CTL_ISTATUS)) {
		__asm__ volatile("wfi" ::: "memory");
		wakes++;
	}
	timer_off();
	gprintf("sched-idle: woke after %lu ms, %lu wake-ups\n",
		(unsigned long)(ticks_ns(now() - start) / 1000000), (unsigned long)wakes);
}

/* ---- entry ---------------------------------------------------------------- */

void guest_secondary(uint64_t ctx)
{
	unsigned me = self();

	if (!strcmp(mode, "fp"))
		fp_run(me);
	else if (!strcmp(mode, "work"))
		work_run(me);
	else if (!strcmp(mode, "wake"))
		wake_target();
	park();
}

/* The VM's vCPUs: AFFINITY_INFO answers for each one it has. */
static unsigned count_vcpus(void)
{
	unsigned n = 1;

	while (n < MAX_VCPUS && psci(PSCI_AFFINITY_INFO_64, n, 0, 0) >= 0)
		n++;
	return n;
}

/* Starts vCPUs 1 up; the first that does not start ends the count (the
 * reports wait for every started vCPU, and for none other). */
static void start_all(void)
{
	for (unsigned i = 1; i < nr_vcpus; i++) {
		int64_t r = psci(PSCI_CPU_ON_64, i, (uint64_t)guest_secondary_entry, i);

		GCHECK(r == PSCI_SUCCESS, "CPU_ON of vcpu %u: %ld", i, (long)r);
		if (r != PSCI_SUCCESS) {
			nr_vcpus = i;
			break;
		}
	}
}

void guest_main(uint64_t dt)
{
	(void)dt;
	if (guestinfo_get("sched", mode, sizeof(mode)) < 0)
		mode[0] = '\0';
	seed = mix(guestinfo_u64("seed", 0) ^ now());
	nr_vcpus = count_vcpus();
	gprintf("sched: mode '%s', %u vcpus\n", mode, nr_vcpus);
	if (!strcmp(mode, "fp") || !strcmp(mode, "work")) {
		bool fp = mode[0] == 'f';

		window_ms = guestinfo_u64("ms", fp ? FP_MS_DEFAULT : WORK_MS_DEFAULT);
		gic_dist_setup();
		start_all();
		if (fp)
			fp_run(0);
		else
			work_run(0);
		finish_all();
	} else if (!strcmp(mode, "wake")) {
		gic_dist_setup();
		gic_cpu_setup(0);
		wake_run();
	} else if (!strcmp(mode, "idle")) {
		idle_run();
	} else {
		GCHECK(false, "unknown mode '%s' (guestinfo.sched: fp, work, wake, idle)",
		       mode);
	}
	guest_finish("sched");
}
