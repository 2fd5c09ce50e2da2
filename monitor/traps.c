/*
 * Synchronous exceptions from the normal world. An SMC is a PSCI or SMCCC
 * call. A granule protection fault in the emulated ECAM window is a
 * configuration access (monitor/ecam/window.c). Any other one means the normal world
 * touched memory the GPT keeps from it: it gets a synchronous external
 * abort, as it would from a bus that refused the access, and the platform
 * carries on. Any
 * other trap (a system register EL3 controls, say) is an undefined
 * instruction for the caller. Nothing the normal world does stops the
 * monitor.
 */
#include <arch/sysreg.h>
#include <lib/console.h>
#include <lib/exception.h>

#include <monitor/monitor.h>

#define DEFINE_INJECT(el)                                                                \
	static void inject_el##el(struct frame *f, uint64_t esr, uint64_t far)           \
	{                                                                                \
		write_sysreg(esr_el##el, esr);                                           \
		write_sysreg(far_el##el, far);                                           \
		write_sysreg(elr_el##el, f->elr);                                        \
		write_sysreg(spsr_el##el, f->spsr);                                      \
		f->elr = read_sysreg(vbar_el##el) + exc_sync_vector_offset(el, f->spsr); \
		f->spsr = exc_entry_pstate(el);                                          \
	}
DEFINE_INJECT(1)
DEFINE_INJECT(2)

/* Delivers a synchronous exception to the EL that made the access (EL0's
 * exceptions go to EL1), as if it had come from there. */
static void inject(struct frame *f, uint64_t esr_for_el2, uint64_t esr_for_el1,
		   uint64_t far)
{
	if (spsr_el(f->spsr) == 2)
		inject_el2(f, esr_for_el2, far);
	else
		inject_el1(f, esr_for_el1, far);
}

void monitor_inject_sea(struct frame *f, bool fetch, bool write, uint64_t far)
{
	unsigned from = spsr_el(f->spsr);

	inject(f, exc_esr_sea(2, from, fetch, write), exc_esr_sea(1, from, fetch, write),
	       far);
}

static void handle_gpc(struct frame *f, uint64_t esr)
{
	unsigned from = spsr_el(f->spsr);
	bool fetch = esr & ESR_GPC_IND;
	bool write = !fetch && (esr & ESR_ISS_WNR);
	uint64_t far = read_sysreg(far_el3);

	log_printf("monitor: granule protection fault: EL%u %s of PA 0x%lx "
		   "(va 0x%lx, pc 0x%lx) refused, external abort injected\n",
		   from,
		   fetch   ? "fetch"
		   : write ? "write"
			   : "read",
		   (uint64_t)(read_sysreg(MFAR_EL3) & MFAR_PA_MASK), far, f->elr);
	monitor_inject_sea(f, fetch, write, far);
}

/*
 * Without FEAT_RME, SCR_EL3.EA brings every synchronous external abort of
 * the normal world here. Those in the ECAM window are configuration
 * accesses; the others go on to the EL that takes them without EA: EL2 for
 * EL2's own, and for EL1/EL0's when the hypervisor routes them there
 * (HCR_EL2.TEA, or TGE for EL0); else EL1. The syndrome is the original,
 * its EC restated for where it is delivered.
 */
static void external_abort(struct frame *f, uint64_t esr)
{
	unsigned from = spsr_el(f->spsr), to = 1;
	uint64_t hcr = read_sysreg(hcr_el2);
	bool fetch = ESR_EC(esr) == ESR_EC_IABT_LOW;
	uint64_t ec;

	if (ecam_sea(f, esr))
		return;
	if (from == 2 || (hcr & HCR_EL2_TEA) || (from == 0 && (hcr & HCR_EL2_TGE)))
		to = 2;
	if (fetch)
		ec = from < to ? ESR_EC_IABT_LOW : ESR_EC_IABT_CUR;
	else
		ec = from < to ? ESR_EC_DABT_LOW : ESR_EC_DABT_CUR;
	esr = (esr & ~(ESR_EC_MASK << ESR_EC_SHIFT)) | (ec << ESR_EC_SHIFT);
	if (to == 2)
		inject_el2(f, esr, read_sysreg(far_el3));
	else
		inject_el1(f, esr, read_sysreg(far_el3));
}

void monitor_lower_sync(struct frame *f, unsigned vector)
{
	uint64_t esr = read_sysreg(esr_el3);

	switch (ESR_EC(esr)) {
	case ESR_EC_SMC64:
		psci_handle(f);
		break;
	case ESR_EC_GPC:
		if (!ecam_gpc(f, esr))
			handle_gpc(f, esr);
		break;
	case ESR_EC_DABT_LOW:
	case ESR_EC_IABT_LOW:
		external_abort(f, esr);
		break;
	default:
		log_printf("monitor: unexpected trap from EL%u (esr 0x%lx, pc 0x%lx), "
			   "undefined instruction injected\n",
			   spsr_el(f->spsr), esr, f->elr);
		inject(f, exc_esr_undef(), exc_esr_undef(), 0);
		break;
	}
}

void monitor_lower_async(struct frame *f, unsigned vector)
{
	/* IRQ and FIQ are not routed to EL3; SError is only without FEAT_RME
	 * (SCR_EL3.EA), and then it is logged, not passed on: an SError has
	 * no syndrome that says whose it is. */
	log_printf("monitor: unexpected asynchronous exception (vector %u, pc 0x%lx)\n",
		   vector, f->elr);
}

void monitor_fatal(struct frame *f, unsigned vector)
{
	log_printf("monitor: fatal exception in EL3: vector %u esr 0x%lx elr 0x%lx "
		   "far 0x%lx\n",
		   vector, read_sysreg(esr_el3), f->elr, read_sysreg(far_el3));
	power_off();
}
