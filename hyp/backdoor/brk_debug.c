/*
 * Debug exceptions and the guest's debug registers.
 *
 * BRK #0x86 with the backdoor's registers is a backdoor call; every other
 * debug exception belongs to the guest and is delivered to its EL1 exactly
 * as the hardware would have, so its BUG()/WARN(), debuggers and uprobes
 * work as without a hypervisor.
 *
 * BRK only reaches EL2 when MDCR_EL2.TDE routes debug exceptions here. But
 * with TDE set, breakpoints, watchpoints and software step at EL1 can no
 * longer be masked by the guest (PSTATE.D, MDSCR_EL1.KDE only mask debug
 * exceptions targeting EL1). So TDE is set only while the guest does not
 * use its own hardware debug (MDSCR_EL1.MDE and SS clear): then BRK is the
 * only debug exception that can happen, and it is reflected. While the
 * guest debugs, TDE is clear and the hardware delivers everything to the
 * guest itself; `brk #0x86` is then an ordinary BRK for the guest (the DCC
 * and HVC entries of the backdoor still work). docs/ABI.md says so.
 */
#include <arch/sysreg.h>
#include <lib/exception.h>

#include <hyp/hyp.h>
#include <hyp/vm.h>

#define BRK_IMM_BACKDOOR 0x86

static unsigned implemented(unsigned op2)
{
	uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);

	/* ID_AA64DFR0_EL1.BRPs [15:12] and WRPs [23:20]: number minus one. */
	if (op2 == DBG_OP2_BVR || op2 == DBG_OP2_BCR)
		return ((dfr0 >> 12) & 0xf) + 1;
	return ((dfr0 >> 20) & 0xf) + 1;
}

void debug_apply(struct vcpu *v)
{
	uint64_t mdcr = read_sysreg(mdcr_el2);
	bool guest_debugs = v->dbg.mdscr & (MDSCR_MDE | MDSCR_SS);

	/* The real MDSCR_EL1.TDCC stays clear: EL0's DCC reads must reach
	 * EL2 (the backdoor), and the hypervisor applies the guest's TDCC. */
	write_sysreg(mdscr_el1, v->dbg.mdscr & ~MDSCR_TDCC);
	if (guest_debugs)
		mdcr &= ~MDCR_EL2_TDE;
	else
		mdcr |= MDCR_EL2_TDE;
	write_sysreg(mdcr_el2, mdcr);
	isb();
}

#define BP_WP_WRITE(kind, n, val) write_sysreg(dbg##kind##n##_el1, val)
#define BP_WP_CASES(kind, val)              \
	case 0:                             \
		BP_WP_WRITE(kind, 0, val);  \
		break;                      \
	case 1:                             \
		BP_WP_WRITE(kind, 1, val);  \
		break;                      \
	case 2:                             \
		BP_WP_WRITE(kind, 2, val);  \
		break;                      \
	case 3:                             \
		BP_WP_WRITE(kind, 3, val);  \
		break;                      \
	case 4:                             \
		BP_WP_WRITE(kind, 4, val);  \
		break;                      \
	case 5:                             \
		BP_WP_WRITE(kind, 5, val);  \
		break;                      \
	case 6:                             \
		BP_WP_WRITE(kind, 6, val);  \
		break;                      \
	case 7:                             \
		BP_WP_WRITE(kind, 7, val);  \
		break;                      \
	case 8:                             \
		BP_WP_WRITE(kind, 8, val);  \
		break;                      \
	case 9:                             \
		BP_WP_WRITE(kind, 9, val);  \
		break;                      \
	case 10:                            \
		BP_WP_WRITE(kind, 10, val); \
		break;                      \
	case 11:                            \
		BP_WP_WRITE(kind, 11, val); \
		break;                      \
	case 12:                            \
		BP_WP_WRITE(kind, 12, val); \
		break;                      \
	case 13:                            \
		BP_WP_WRITE(kind, 13, val); \
		break;                      \
	case 14:                            \
		BP_WP_WRITE(kind, 14, val); \
		break;                      \
	case 15:                            \
		BP_WP_WRITE(kind, 15, val); \
		break;

/* Writes the hardware register: each has its own instruction encoding. */
static void write_bp_wp(unsigned op2, unsigned n, uint64_t val)
{
	/* clang-format off */
	switch (op2) {
	case DBG_OP2_BVR: switch (n) { BP_WP_CASES(bvr, val) } break;
	case DBG_OP2_BCR: switch (n) { BP_WP_CASES(bcr, val) } break;
	case DBG_OP2_WVR: switch (n) { BP_WP_CASES(wvr, val) } break;
	case DBG_OP2_WCR: switch (n) { BP_WP_CASES(wcr, val) } break;
	}
	/* clang-format on */
}

static uint64_t *shadow_of(struct vcpu *v, unsigned op2, unsigned n)
{
	switch (op2) {
	case DBG_OP2_BVR:
		return &v->dbg.bvr[n];
	case DBG_OP2_BCR:
		return &v->dbg.bcr[n];
	case DBG_OP2_WVR:
		return &v->dbg.wvr[n];
	default:
		return &v->dbg.wcr[n];
	}
}

/* The guest's breakpoint and watchpoint registers: kept in its context and
 * in the hardware (it owns them while it runs). */
bool debug_bp_wp_access(struct vcpu *v, unsigned op2, unsigned n, bool read,
			uint64_t *val)
{
	uint64_t *shadow;

	if (n >= implemented(op2))
		return false;
	shadow = shadow_of(v, op2, n);
	if (read) {
		*val = *shadow;
	} else {
		*shadow = *val;
		write_bp_wp(op2, n, *val);
		isb();
		if (*val) {
			v->dbg.bp_wp_set = true;
			this_pcpu()->bp_wp_clean = false;
		}
	}
	return true;
}

/* Puts a vCPU's debug state into the hardware when it starts on a CPU. */
void debug_load(struct vcpu *v)
{
	struct pcpu *p = this_pcpu();

	/* Most guests never set one: then, if the CPU's registers hold 0s
	 * too, there are 64 register writes less in a vCPU switch. */
	if (!v->dbg.bp_wp_set && p->bp_wp_clean) {
		debug_apply(v);
		return;
	}
	p->bp_wp_clean = !v->dbg.bp_wp_set;
	for (unsigned n = 0; n < implemented(DBG_OP2_BVR); n++) {
		write_bp_wp(DBG_OP2_BVR, n, v->dbg.bvr[n]);
		write_bp_wp(DBG_OP2_BCR, n, v->dbg.bcr[n]);
	}
	for (unsigned n = 0; n < implemented(DBG_OP2_WVR); n++) {
		write_bp_wp(DBG_OP2_WVR, n, v->dbg.wvr[n]);
		write_bp_wp(DBG_OP2_WCR, n, v->dbg.wcr[n]);
	}
	debug_apply(v);
}

/* Delivers the debug exception to the guest's EL1 as the hardware would. */
static void reflect(struct frame *f, uint64_t esr)
{
	uint64_t ec = exc_debug_ec_at_el1(ESR_EC(esr), spsr_el(f->spsr));
	/* BRK and BKPT report no address; the others report FAR. */
	bool no_far = ec == ESR_EC_BRK64 || ec == ESR_EC_BKPT32;

	esr = (esr & ~(ESR_EC_MASK << ESR_EC_SHIFT)) | (ec << ESR_EC_SHIFT);
	inject_sync(f, esr, no_far ? 0 : read_sysreg(far_el2));
}

void debug_trap(struct vcpu *v, struct frame *f, uint64_t esr)
{
	if (ESR_EC(esr) == ESR_EC_BRK64 && ESR_ISS_IMM16(esr) == BRK_IMM_BACKDOOR &&
	    backdoor_try(v, f)) {
		f->elr += 4; /* BRK returns to itself: step over it */
		return;
	}
	reflect(f, esr);
}
