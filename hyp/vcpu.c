/*
 * Running a vCPU on its physical CPU: the EL2 trap configuration, loading
 * its full context into the hardware, entering it, and turning it off.
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
 *  Not set: TWI/TWE (each vCPU has its CPU to itself: WFI can idle it
 *  there), TVM/TRVM (the guest owns its MMU), TGE, E2H.
 */
#define GUEST_HCR                                                                   \
	(HCR_EL2_VM | HCR_EL2_SWIO | HCR_EL2_FMO | HCR_EL2_IMO | HCR_EL2_AMO |      \
	 HCR_EL2_FB | HCR_EL2_BSU_IS | HCR_EL2_TSC | HCR_EL2_TID3 | HCR_EL2_TIDCP | \
	 HCR_EL2_TACR | HCR_EL2_RW | HCR_EL2_APK | HCR_EL2_API)

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

void vcpu_configure_traps(const struct vcpu *v)
{
	const struct vm *vm = v->vm;

	write_sysreg(hcr_el2, GUEST_HCR);
	write_sysreg(mdcr_el2, guest_mdcr());
	write_sysreg(cptr_el2, GUEST_CPTR);
	write_sysreg(cnthctl_el2, GUEST_CNTHCTL);
	write_sysreg(cntvoff_el2, vm->cntvoff);
	write_sysreg(vtcr_el2, vm->vtcr);
	write_sysreg(vttbr_el2, vm->vttbr);
	write_sysreg(vmpidr_el2, MPIDR_RES1 | v->index);
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	isb();
}

/* clang-format off */
#define EL1_REGS(X)                                                   \
	X(sctlr, sctlr_el1) X(actlr, actlr_el1) X(cpacr, cpacr_el1)   \
	X(ttbr0, ttbr0_el1) X(ttbr1, ttbr1_el1) X(tcr, tcr_el1)       \
	X(mair, mair_el1) X(amair, amair_el1) X(vbar, vbar_el1)       \
	X(contextidr, contextidr_el1) X(tpidr_el0, tpidr_el0)         \
	X(tpidrro_el0, tpidrro_el0) X(tpidr_el1, tpidr_el1)           \
	X(sp_el0, sp_el0) X(sp_el1, sp_el1) X(elr, elr_el1)           \
	X(spsr, spsr_el1) X(esr, esr_el1) X(far, far_el1)             \
	X(afsr0, afsr0_el1) X(afsr1, afsr1_el1) X(par, par_el1)       \
	X(cntkctl, cntkctl_el1) X(csselr, csselr_el1)                 \
	X(cntv_cval, cntv_cval_el0) X(cntv_ctl, cntv_ctl_el0)
/* clang-format on */

#define SAVE_REG(field, reg) s->field = read_sysreg(reg);
#define LOAD_REG(field, reg) write_sysreg(reg, s->field);

static void el1_save(struct el1_sysregs *s)
{
	EL1_REGS(SAVE_REG)
}

static void el1_load(const struct el1_sysregs *s)
{
	EL1_REGS(LOAD_REG)
	isb();
}

/* A vCPU as the Linux boot protocol wants it: EL1h, interrupts masked,
 * MMU and caches off, x0 = arg, other registers zero. */
void vcpu_reset(struct vcpu *v, uint64_t pc, uint64_t x0)
{
	memset(&v->ctx, 0, sizeof(v->ctx));
	memset(&v->dbg, 0, sizeof(v->dbg));
	v->ctx.regs.x[0] = x0;
	v->ctx.regs.elr = pc;
	v->ctx.regs.spsr = SPSR_M_EL1H | SPSR_DAIF;
	v->ctx.el1.sctlr = SCTLR_EL1_RES1;
}

/* Everything of the vCPU that is in the hardware, into its context. */
void vcpu_save(struct vcpu *v)
{
	el1_save(&v->ctx.el1);
	fpsimd_save(&v->ctx.fp);
}

void vcpu_run(struct vcpu *v)
{
	struct pcpu *p = this_pcpu();
	struct frame *f = (struct frame *)(p->stack_top - sizeof(struct frame));

	vcpu_configure_traps(v);
	el1_load(&v->ctx.el1);
	fpsimd_load(&v->ctx.fp);
	debug_load(v);
	vgic_vcpu_load(v);
	vgic_flush(v);
	/* The VM's virtual count starts at zero as its first vCPU first
	 * enters it, so the guest's counter measures the guest's time alone
	 * (the benchmarks read it). Later vCPUs share the offset. */
	if (!v->vm->clock_started) {
		v->vm->cntvoff = read_sysreg(cntpct_el0);
		v->vm->clock_started = true;
		write_sysreg(cntvoff_el2, v->vm->cntvoff);
	}
	ptimer_load(v); /* its deadline is in the VM's count */
	*f = v->ctx.regs;
	__atomic_store_n(&v->state, VCPU_ON, __ATOMIC_RELEASE);
	vm_park_if_ended(v);
	watchdog_start();
	hyp_context_leave();
	guest_enter(f);
}

/*
 * PSCI CPU_OFF: the vCPU's state into its context, what its list registers
 * hold back into the vGIC model (lost otherwise: the next CPU_ON starts a
 * reset virtual CPU interface), then its CPU goes off. The vCPU is OFF for
 * the guest once the monitor says its CPU is (hyp/vdev/vpsci.c), not before:
 * a CPU_ON must then find the CPU ready to start.
 */
void vcpu_off(struct vcpu *v)
{
	vcpu_save(v);
	vgic_vcpu_unload(v);
	__atomic_store_n(&v->state, VCPU_OFF_PENDING, __ATOMIC_RELEASE);
	pcpu_stop();
}
