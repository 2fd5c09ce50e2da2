/*
 * What the guest's exceptions to EL2 become. Every class is either
 * handled (PSCI, the backdoor, system registers the hypervisor emulates,
 * debug exceptions it reflects) or turned into the exception real hardware
 * without a hypervisor would have given the guest: an undefined
 * instruction, or an external abort for memory that does not exist.
 * Nothing a guest does stops the hypervisor.
 */
#include <arch/sysreg.h>
#include <lib/console.h>
#include <lib/exception.h>
#include <lib/psci.h>

#include <hyp/hyp.h>
#include <hyp/pnmi/mask.h>
#include <hyp/sched/sched.h>
#include <hyp/vm.h>

#define SMCCC_IMM_PSCI 0 /* hvc #0 / smc #0: SMCCC calls */
#define HVC_IMM_BACKDOOR 0x86
/* Only so many unmapped-IPA messages per VM: a guest may loop on them. */
#define ABORT_LOG_LIMIT 8

static void stage2_abort(struct vcpu *v, struct frame *f, uint64_t esr)
{
	bool fetch = ESR_EC(esr) == ESR_EC_IABT_LOW;
	bool write = !fetch && (esr & ESR_ISS_WNR);
	uint64_t far = read_sysreg(far_el2);
	uint64_t ipa = stage2_fault_ipa(far);
	static unsigned logged[MAX_VMS];

	if (!fetch && mmio_emulate(v, f, esr, ipa))
		return;
	if (logged[v->vm->id]++ < ABORT_LOG_LIMIT)
		log_printf("hyp: vm%u: %s of unmapped IPA 0x%lx at pc 0x%lx: external "
			   "abort injected\n",
			   v->vm->id,
			   fetch   ? "fetch"
			   : write ? "write"
				   : "read",
			   ipa, f->elr);
	inject_sea(f, fetch, write, far);
}

static void hvc(struct vcpu *v, struct frame *f, uint64_t imm)
{
	switch (imm) {
	case SMCCC_IMM_PSCI:
		vpsci_call(v, f);
		break;
	case HVC_IMM_BACKDOOR:
		backdoor_call(v, f);
		break;
	default:
		f->x[0] = (uint64_t)SMCCC_NOT_SUPPORTED;
		break;
	}
}

/* WFI and WFE, trapped for vCPUs that share their CPU (vcpu.c): the
 * instruction completes (ELR past it) when the vCPU runs again. */
static void wfx(struct vcpu *v, struct frame *f, uint64_t esr)
{
	f->elr += 4;
	switch (ESR_WFX_TI(esr)) {
	case ESR_WFX_TI_WFI:
		sched_wfi(v);
		break;
	case ESR_WFX_TI_WFIT:
		if (esr & ESR_WFX_RV)
			sched_wfit(v, ESR_WFX_RT(esr) == 31 ? 0 : f->x[ESR_WFX_RT(esr)]);
		else
			sched_wfi(v);
		break;
	default: /* WFE, WFET */
		sched_wfe(v);
		break;
	}
}

/* Every slow exit's way back: the scheduler may put another vCPU in the
 * frame; the one that runs next gets its interrupts. */
static void exit_to_guest(struct frame *f)
{
	struct pcpu *p = this_pcpu();

	sched_exit_path(f);
	vgic_flush(current_vcpu());
	hyp_context_leave();
	if (p->switched) {
		p->switched = false;
		p->switches++;
		p->switch_ticks += read_sysreg(cntpct_el0) - p->exit_at;
	}
}

void guest_sync(struct frame *f, unsigned vector)
{
	struct vcpu *v = current_vcpu();
	uint64_t esr = read_sysreg(esr_el2);

	this_pcpu()->exit_at = read_sysreg(cntpct_el0);
	hyp_context_enter();
	v->exits++;
	switch (ESR_EC(esr)) {
	case ESR_EC_HVC64: /* ELR is past the HVC already */
		hvc(v, f, ESR_ISS_IMM16(esr));
		break;
	case ESR_EC_SMC64: /* a trapped SMC returns to itself: step over it */
		f->elr += 4;
		if (ESR_ISS_IMM16(esr) == SMCCC_IMM_PSCI)
			vpsci_call(v, f);
		else
			f->x[0] = (uint64_t)SMCCC_NOT_SUPPORTED;
		break;
	case ESR_EC_SYS64:
		sysreg_trap(v, f, esr);
		break;
	case ESR_EC_WFX:
		wfx(v, f, esr);
		break;
	case ESR_EC_DABT_LOW:
	case ESR_EC_IABT_LOW:
		stage2_abort(v, f, esr);
		break;
	case ESR_EC_BRK64:
	case ESR_EC_BKPT32: /* an AArch32 EL0's BKPT: the guest's, reflected */
	case ESR_EC_BKPT_LOW:
	case ESR_EC_SSTEP_LOW:
	case ESR_EC_WATCH_LOW:
		debug_trap(v, f, esr);
		break;
	default:
		/* FP/SVE/SME traps, anything else enabled by accident. */
		inject_undef(f);
		break;
	}
	exit_to_guest(f);
}

#define VECTOR_LOWER_IRQ (VECTOR_LOWER_A64_IRQ / VECTOR_ENTRY_SIZE)

void guest_async(struct frame *f, unsigned vector)
{
	this_pcpu()->exit_at = read_sysreg(cntpct_el0);
	if (vector == VECTOR_LOWER_IRQ)
		hyp_irq(f, true);
	else
		log_printf("hyp: unexpected asynchronous exception from a guest "
			   "(vector %u)\n",
			   vector);
	hyp_context_enter();
	exit_to_guest(f);
}
