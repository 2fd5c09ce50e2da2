/*
 * A vCPU on a physical CPU: the EL2 trap configuration, and its whole
 * context out of the hardware and into it again, for the scheduler
 * (hyp/sched/sched.c) to move vCPUs between CPUs.
 */
#include <string.h>

#include <arch/sysreg.h>
#include <lib/console.h>

#include <hyp/hyp.h>
#include <hyp/pnmi/mask.h>
#include <hyp/vm.h>

/*
 * HCR_EL2, bit by bit:
 *  VM      stage 2 translation: the VM sees only its own memory.
 *  SWIO    set/way invalidation by the guest is upgraded to clean+invalidate,
 *          so it cannot discard data that is not its own.
 *  FMO/IMO/AMO  physical FIQ/IRQ/SError come to EL2 (the hypervisor owns
 *          the interrupt controller); virtual ones reach the guest.
 *  FB, BSU=IS   TLB and cache maintenance and barriers are broadcast in
 *          the inner shareable domain: a vCPU's view is coherent whichever
 *          CPU it ran on before.
 *  TSC     SMC traps here: the guest's PSCI over SMC is answered by the
 *          hypervisor, not the monitor.
 *  TID3    ID register reads trap: the VM sees only the features the
 *          hypervisor virtualizes (idregs.c).
 *  TIDCP   implementation-defined registers trap (and are refused): a guest
 *          must not reach CPU-specific controls.
 *  TACR    ACTLR_EL1 traps likewise.
 *  RW      EL1 is AArch64.
 *  APK/API pointer authentication works in the guest untrapped.
 *  TWI/TWE  WFI and WFE trap, so that a vCPU waiting gives its CPU up
 *          (hyp/sched/sched.c); not for a pinned vCPU, which owns its CPU
 *          and idles it in the guest.
 *  Not set: TVM/TRVM (the guest owns its MMU), TGE, E2H.
 *
 * FB matters to the scheduler too: a vCPU's TLB maintenance reaches every
 * CPU, so one that moves to another CPU finds no stale entry of its own
 * VM there. VMIDs are never shared by two VMs alive at once (vm.c).
 */
#define GUEST_HCR                                                                   \
	(HCR_EL2_VM | HCR_EL2_SWIO | HCR_EL2_FMO | HCR_EL2_IMO | HCR_EL2_AMO |      \
	 HCR_EL2_FB | HCR_EL2_BSU_IS | HCR_EL2_TSC | HCR_EL2_TID3 | HCR_EL2_TIDCP | \
	 HCR_EL2_TACR | HCR_EL2_RW | HCR_EL2_APK | HCR_EL2_API)
#define GUEST_HCR_SHARED (GUEST_HCR | HCR_EL2_TWI | HCR_EL2_TWE)

/*
 * MDCR_EL2:
 *  TDA     debug register accesses trap: the DCC status read is the
 *          backdoor, MDSCR_EL1 is shadowed (its TDCC), and the guest's
 *          breakpoint registers are kept in its context (hyp/backdoor/brk_debug.c).
 *  TDOSA, TDRA  the OS lock and debug ROM registers trap with them.
 *  TDE     debug exceptions come to EL2 (BRK #0x86): set and cleared by
 *          debug_apply() according to whether the guest debugs itself.
 *  HPMN    all PMU event counters belong to the guest; TPM/TPMCR clear: the
 *          guest uses the PMU directly (the benchmarks count with it).
 *  HPMD    those counters (and the cycle counter, with PMCR_EL0.DP) do not
 *          count at EL2, whatever the guest's filter (PMEVTYPER.NSH) asks:
 *          a VM must not measure the hypervisor's work. The test build
 *          (hyp-test.bin) leaves it clear so that the benchmarks can count
 *          a call's EL2 part from the guest (scripts/bench-calls.sh).
 */
static uint64_t guest_mdcr(void)
{
	uint64_t pmcr_n = (read_sysreg(pmcr_el0) >> 11) & MDCR_EL2_HPMN_MASK;
	uint64_t mdcr = MDCR_EL2_TDA | MDCR_EL2_TDOSA | MDCR_EL2_TDRA | pmcr_n;

	return debug_pmu_counts_el2 ? mdcr : mdcr | MDCR_EL2_HPMD;
}

/*
 * CPTR_EL2: FP/SIMD is not trapped (TFP clear): the guest's FP registers
 * stay in the hardware while it runs, the hypervisor's C never uses them.
 * SVE and SME trap (TZ, TSM) and are refused: the guest context does not
 * hold their state. Trace (TTA) and activity monitors (TAM) trap likewise.
 */
#define GUEST_CPTR \
	(CPTR_EL2_RES1 | CPTR_EL2_TZ | CPTR_EL2_TSM | CPTR_EL2_TTA | CPTR_EL2_TAM)

/*
 * CNTHCTL_EL2 (E2H = 0: EL1PCTEN bit 0, EL1PCEN bit 1, both clear): the
 * guest's physical counter reads and physical timer accesses trap and are
 * emulated (hyp/vdev/vtimer.c) on the VM's count; it has the virtual timer itself,
 * offset by CNTVOFF_EL2 so its virtual count starts at zero at its first
 * entry.
 */
#define GUEST_CNTHCTL 0ull

#define WRITE_IF_CHANGED(reg, value)              \
	do {                                      \
		uint64_t want_ = (value);         \
		if (read_sysreg(reg) != want_)    \
			write_sysreg(reg, want_); \
	} while (0)

void vcpu_configure_traps(const struct vcpu *v)
{
	const struct vm *vm = v->vm;

	/*
	 * Each is written only when it changes, most often not at all: a
	 * vCPU coming back from WFI to the CPU it left finds them as they
	 * were. Under QEMU a write costs however equal the value: HCR_EL2
	 * recomputes the virtual interrupt lines, MDCR_EL2 every PMU
	 * counter, CNTHCTL_EL2 and CNTVOFF_EL2 the timers and their GIC
	 * lines, VTCR_EL2 (as SCTLR_EL1 below) flushes the whole TLB
	 * (docs/PERFORMANCE.md, "Idle").
	 */
	WRITE_IF_CHANGED(hcr_el2, v->pinned ? GUEST_HCR : GUEST_HCR_SHARED);
	WRITE_IF_CHANGED(mdcr_el2, guest_mdcr());
	WRITE_IF_CHANGED(cptr_el2, GUEST_CPTR);
	WRITE_IF_CHANGED(cnthctl_el2, GUEST_CNTHCTL);
	WRITE_IF_CHANGED(cntvoff_el2, vm->cntvoff);
	WRITE_IF_CHANGED(vtcr_el2, vm->vtcr);
	write_sysreg(vttbr_el2, vm->vttbr);
	write_sysreg(vmpidr_el2, MPIDR_RES1 | v->index);
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	isb();
}

#define SAVE_REG(field, reg) s->field = read_sysreg(reg);
#define LOAD_REG(field, reg) write_sysreg(reg, s->field);

/*
 * SCTLR_EL1 and TCR_EL1 (and VTCR_EL2 above) are written only when they change. The
 * architecture does not ask for it, but QEMU's TCG flushes its whole
 * softmmu TLB (and the CPU's TB jump cache) on every write of either,
 * whatever the value: a vCPU that blocks in WFI and comes back to the same
 * CPU, or a switch between two vCPUs of one VM, would otherwise cost a
 * cold TLB for nothing (docs/PERFORMANCE.md, "Idle").
 */
#define LOAD_REG_IF_CHANGED(field, reg) WRITE_IF_CHANGED(reg, s->field);
/* clang-format off */
#define EL1_REGS_FLUSHING(X) X(sctlr, sctlr_el1) X(tcr, tcr_el1)
#define EL1_REGS_OTHER(X)                                             \
	X(actlr, actlr_el1) X(cpacr, cpacr_el1)                       \
	X(ttbr0, ttbr0_el1) X(ttbr1, ttbr1_el1)                       \
	X(mair, mair_el1) X(amair, amair_el1) X(vbar, vbar_el1)       \
	X(contextidr, contextidr_el1) X(tpidr_el0, tpidr_el0)         \
	X(tpidrro_el0, tpidrro_el0) X(tpidr_el1, tpidr_el1)           \
	X(sp_el0, sp_el0) X(sp_el1, sp_el1) X(elr, elr_el1)           \
	X(spsr, spsr_el1) X(esr, esr_el1) X(far, far_el1)             \
	X(afsr0, afsr0_el1) X(afsr1, afsr1_el1) X(par, par_el1)       \
	X(cntkctl, cntkctl_el1) X(csselr, csselr_el1)                 \
	X(cntv_cval, cntv_cval_el0) X(cntv_ctl, cntv_ctl_el0)
/* clang-format on */

static void el1_load(const struct el1_sysregs *s)
{
	EL1_REGS_FLUSHING(LOAD_REG_IF_CHANGED)
	EL1_REGS_OTHER(LOAD_REG)
	isb();
}

static void el1_save(struct el1_sysregs *s)
{
	EL1_REGS_FLUSHING(SAVE_REG)
	EL1_REGS_OTHER(SAVE_REG)
}

/* clang-format off */
#define PAUTH_KEYS(X)                                                      \
	X(0, S3_0_C2_C1_0) X(1, S3_0_C2_C1_1) /* APIAKeyLo/Hi_EL1 */         \
	X(2, S3_0_C2_C1_2) X(3, S3_0_C2_C1_3) /* APIBKey */                  \
	X(4, S3_0_C2_C2_0) X(5, S3_0_C2_C2_1) /* APDAKey */                  \
	X(6, S3_0_C2_C2_2) X(7, S3_0_C2_C2_3) /* APDBKey */                  \
	X(8, S3_0_C2_C3_0) X(9, S3_0_C2_C3_1) /* APGAKey */
/* clang-format on */
#define SAVE_KEY(n, reg) k->k[n] = read_sysreg(reg);
#define LOAD_KEY(n, reg) write_sysreg(reg, k->k[n]);

/* Pointer authentication is the guest's (HCR_EL2.APK/API): its keys are
 * part of its context wherever the CPU implements them (any of the
 * address or generic algorithms in ID_AA64ISAR1/ISAR2_EL1). */
static bool has_pauth(void)
{
	static int known = -1;

	if (known < 0) {
		uint64_t isar1 = read_sysreg(id_aa64isar1_el1);
		uint64_t isar2 = read_sysreg(S3_0_C0_C6_2); /* ID_AA64ISAR2_EL1 */

		known = (isar1 & ID_AA64ISAR1_PAUTH_MASK) ||
			(isar2 & ID_AA64ISAR2_PAUTH_MASK);
	}
	return known;
}

static void pauth_save(struct pauth_keys *k)
{
	if (has_pauth()) {
		PAUTH_KEYS(SAVE_KEY)
	}
}

static void pauth_load(const struct pauth_keys *k)
{
	if (has_pauth()) {
		PAUTH_KEYS(LOAD_KEY)
	}
}

/* The PMU counters the guest owns (all of them, MDCR_EL2.HPMN). Event
 * counters are reached through PMSELR_EL0 and PMXEV*_EL0. */
static unsigned pmu_counters(void)
{
	unsigned n = (unsigned)(read_sysreg(pmcr_el0) >> 11) & MDCR_EL2_HPMN_MASK;

	return n < PMU_MAX_COUNTERS ? n : PMU_MAX_COUNTERS;
}

static void pmu_save(struct pmu_state *s)
{
	unsigned n = pmu_counters();

	s->pmcr = read_sysreg(pmcr_el0);
	s->pmselr = read_sysreg(pmselr_el0);
	s->pmcntenset = read_sysreg(pmcntenset_el0);
	/* Stopped first: the counts saved are those it sees. */
	write_sysreg(pmcntenclr_el0, ~0ull);
	isb();
	s->pmuserenr = read_sysreg(pmuserenr_el0);
	s->pmintenset = read_sysreg(pmintenset_el1);
	s->pmovsset = read_sysreg(pmovsset_el0);
	s->pmccntr = read_sysreg(pmccntr_el0);
	s->pmccfiltr = read_sysreg(pmccfiltr_el0);
	for (unsigned i = 0; i < n; i++) {
		write_sysreg(pmselr_el0, i);
		isb();
		s->evcntr[i] = read_sysreg(pmxevcntr_el0);
		s->evtyper[i] = read_sysreg(pmxevtyper_el0);
	}
}

static void pmu_load(const struct pmu_state *s)
{
	unsigned n = pmu_counters();

	write_sysreg(pmcntenclr_el0, ~0ull);
	isb();
	for (unsigned i = 0; i < n; i++) {
		write_sysreg(pmselr_el0, i);
		isb();
		write_sysreg(pmxevtyper_el0, s->evtyper[i]);
		write_sysreg(pmxevcntr_el0, s->evcntr[i]);
	}
	write_sysreg(pmccfiltr_el0, s->pmccfiltr);
	write_sysreg(pmccntr_el0, s->pmccntr);
	write_sysreg(pmovsclr_el0, ~0ull);
	write_sysreg(pmovsset_el0, s->pmovsset);
	write_sysreg(pmintenclr_el1, ~0ull);
	write_sysreg(pmintenset_el1, s->pmintenset);
	write_sysreg(pmuserenr_el0, s->pmuserenr);
	write_sysreg(pmselr_el0, s->pmselr);
	/* PMCR's P and C bits read as zero: writing it back resets nothing. */
	write_sysreg(pmcr_el0, s->pmcr);
	write_sysreg(pmcntenset_el0, s->pmcntenset);
	isb();
}

/* A vCPU as the Linux boot protocol wants it: EL1h, interrupts masked,
 * MMU and caches off, x0 = arg, other registers zero; a reset virtual
 * CPU interface and PMU. */
void vcpu_reset(struct vcpu *v, uint64_t pc, uint64_t x0)
{
	memset(&v->ctx, 0, sizeof(v->ctx));
	memset(&v->dbg, 0, sizeof(v->dbg));
	v->ctx.regs.x[0] = x0;
	v->ctx.regs.elr = pc;
	v->ctx.regs.spsr = SPSR_M_EL1H | SPSR_DAIF;
	v->ctx.el1.sctlr = SCTLR_EL1_RES1;
	vgic_vcpu_reset(v);
}

/*
 * Everything of the vCPU that is in this CPU, into its context, and the
 * CPU left with none of it live: its timers stopped, its virtual CPU
 * interface off. Its debug registers need no saving (the guest's writes
 * trap and are kept in v->dbg). Ends by clearing v->loaded: from then on
 * another CPU may load it.
 */
void vcpu_put(struct vcpu *v, const struct frame *f)
{
	frame_copy(&v->ctx.regs, f);
	el1_save(&v->ctx.el1);
	/* Its timers stopped, if they run: under QEMU each timer write
	 * costs a recomputation of the timer and the GIC's state, so a
	 * stopped one is left alone. */
	if (v->ctx.el1.cntv_ctl & CNT_CTL_ENABLE)
		write_sysreg(cntv_ctl_el0, 0);
	if (read_sysreg(cntp_ctl_el0) & CNT_CTL_ENABLE)
		write_sysreg(cntp_ctl_el0, 0);
	isb();
	fpsimd_save(&v->ctx.fp);
	pmu_save(&v->ctx.pmu);
	pauth_save(&v->ctx.pauth);
	vgic_save(v);
	__atomic_store_n(&v->loaded, false, __ATOMIC_RELEASE);
}

/*
 * The vCPU's context into this CPU's registers, its general registers
 * into the frame f that the return path enters the guest with. The
 * virtual CPU interface comes before the timers, so that a timer
 * interrupt the guest was handling is active again before the timer
 * could fire anew.
 */
void vcpu_load(struct vcpu *v, struct frame *f)
{
	/* The VM's virtual count starts at zero as its first vCPU first
	 * enters it, so the guest's counter measures the guest's time alone
	 * (the benchmarks read it). Later vCPUs share the offset. */
	if (!v->vm->clock_started) {
		v->vm->cntvoff = read_sysreg(cntpct_el0);
		v->vm->clock_started = true;
	}
	vcpu_configure_traps(v);
	vgic_restore(v);
	el1_load(&v->ctx.el1);
	vgic_timer_loaded(v); /* after its timer, with its line */
	fpsimd_load(&v->ctx.fp);
	pmu_load(&v->ctx.pmu);
	pauth_load(&v->ctx.pauth);
	debug_load(v);
	ptimer_load(v); /* its deadline is in the VM's count */
	frame_copy(f, &v->ctx.regs);
}

/*
 * PSCI CPU_OFF: what its list registers hold goes back to the vGIC model
 * (lost otherwise: the next CPU_ON starts a reset virtual CPU interface),
 * and it leaves its CPU on the way back to the guest. It is OFF for the
 * guest once it has (hyp/sched/sched.c), not before: a CPU_ON must find
 * it off its CPU.
 */
void vcpu_off(struct vcpu *v)
{
	vgic_vcpu_unload(v);
	__atomic_store_n(&v->state, VCPU_OFF_PENDING, __ATOMIC_RELEASE);
	v->off_request = true;
	this_pcpu()->resched = true;
}
