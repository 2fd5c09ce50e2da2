/*
 * Trapped system register accesses (EC 0x18). MDCR_EL2.TDA traps the
 * guest's debug registers, among them the DCC status register whose read
 * is the backdoor's main entry; the EL1 physical timer and the physical
 * counter (CNTHCTL_EL2.EL1PCEN/EL1PCTEN clear) are emulated (hyp/vdev/vtimer.c);
 * everything else trapped (ACTLR_EL1 by HCR_EL2.TACR,
 * implementation-defined registers by TIDCP) is not emulated and gives the
 * guest an undefined instruction, as a CPU without the register would.
 */
#include <arch/sysreg.h>
#include <lib/exception.h>

#include <hyp/hyp.h>
#include <hyp/vm.h>

/* op0, op1, CRn, CRm, op2 packed as in the MSR/MRS encoding. */
#define SYSREG(op0, op1, crn, crm, op2) \
	(((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2))
#define SYSREG_OF_ISS(iss)                                                             \
	SYSREG(ESR_SYS_OP0(iss), ESR_SYS_OP1(iss), ESR_SYS_CRN(iss), ESR_SYS_CRM(iss), \
	       ESR_SYS_OP2(iss))

#define ICC_SGI1R_EL1 SYSREG(3, 0, 12, 11, 5)
#define ICC_ASGI1R_EL1 SYSREG(3, 0, 12, 11, 6)
#define ICC_SGI0R_EL1 SYSREG(3, 0, 12, 11, 7)
#define MDCCSR_EL0 SYSREG(2, 3, 0, 1, 0)
#define DBGDTR_EL0 SYSREG(2, 3, 0, 4, 0)
#define DBGDTRRX_EL0 SYSREG(2, 3, 0, 5, 0) /* DBGDTRTX_EL0 when written */
#define MDCCINT_EL1 SYSREG(2, 0, 0, 2, 0)
#define MDSCR_EL1 SYSREG(2, 0, 0, 2, 2)
#define OSDTRRX_EL1 SYSREG(2, 0, 0, 0, 2)
#define OSDTRTX_EL1 SYSREG(2, 0, 0, 3, 2)
#define OSECCR_EL1 SYSREG(2, 0, 0, 6, 2)
#define MDRAR_EL1 SYSREG(2, 0, 1, 0, 0)
#define OSLAR_EL1 SYSREG(2, 0, 1, 0, 4)
#define OSLSR_EL1 SYSREG(2, 0, 1, 1, 4)
#define OSDLR_EL1 SYSREG(2, 0, 1, 3, 4)
#define DBGPRCR_EL1 SYSREG(2, 0, 1, 4, 4)
#define DBGCLAIMSET_EL1 SYSREG(2, 0, 7, 8, 6)
#define DBGCLAIMCLR_EL1 SYSREG(2, 0, 7, 9, 6)
#define DBGAUTHSTATUS_EL1 SYSREG(2, 0, 7, 14, 6)
/* DBGBVR<n>/DBGBCR<n>/DBGWVR<n>/DBGWCR<n>_EL1: op0 2, op1 0, CRn 0, CRm n. */
#define DBG_BP_WP_MASK SYSREG(3, 7, 15, 0, 0) /* op0, op1, CRn */
#define DBG_BP_WP_BASE SYSREG(2, 0, 0, 0, 0)

#define CNTPCT_EL0 SYSREG(3, 3, 14, 0, 1)
#define CNTPCTSS_EL0 SYSREG(3, 3, 14, 0, 5) /* FEAT_ECV's self-synchronised one */
#define CNTP_TVAL_EL0 SYSREG(3, 3, 14, 2, 0)
#define CNTP_CTL_EL0 SYSREG(3, 3, 14, 2, 1)
#define CNTP_CVAL_EL0 SYSREG(3, 3, 14, 2, 2)

#define OSLSR_OSLM_IMPLEMENTED 0x8 /* OSLM = 0b10: the OS lock is implemented */
#define OSLSR_OSLK 0x2
#define OSLAR_OSLK 0x1

static uint64_t reg_value(const struct frame *f, unsigned rt)
{
	return rt == 31 ? 0 : f->x[rt]; /* 31 is XZR here */
}

static void set_reg(struct frame *f, unsigned rt, uint64_t v)
{
	if (rt != 31)
		f->x[rt] = v;
}

static bool is_dcc(uint32_t reg)
{
	return reg == MDCCSR_EL0 || reg == DBGDTR_EL0 || reg == DBGDTRRX_EL0;
}

/*
 * The debug communications channel. A read of MDCCSR_EL0 with the
 * backdoor's registers is a backdoor call. Otherwise the DCC behaves as a
 * real, idle one: nothing to read, room to write; unless the guest's
 * MDSCR_EL1.TDCC (kept as a shadow: the real bit is clear so EL0's calls
 * reach us) says EL0 may not touch it.
 */
/* Returns false when an exception was injected instead. */
static bool dcc_access(struct vcpu *v, struct frame *f, uint32_t reg, bool read,
		       unsigned rt)
{
	if (reg == MDCCSR_EL0 && read && backdoor_try(v, f))
		return true;
	if (spsr_el(f->spsr) == 0 && (v->dbg.mdscr & MDSCR_TDCC)) {
		inject_undef(f);
		return false;
	}
	if (read)
		set_reg(f, rt, 0); /* MDCCSR: TXfull = RXfull = 0; DTR: no data */
	return true;
}

/* The EL1 physical timer and counter; false when reg is not one of them
 * (or is the counter, written). */
static bool timer_register(struct vcpu *v, struct frame *f, uint32_t reg, bool read,
			   unsigned rt)
{
	enum ptimer_reg r;

	switch (reg) {
	case CNTP_CTL_EL0:
		r = PTIMER_CTL;
		break;
	case CNTP_CVAL_EL0:
		r = PTIMER_CVAL;
		break;
	case CNTP_TVAL_EL0:
		r = PTIMER_TVAL;
		break;
	case CNTPCT_EL0:
	case CNTPCTSS_EL0:
		if (!read)
			return false;
		r = PTIMER_COUNT;
		break;
	default:
		return false;
	}
	if (read)
		set_reg(f, rt, ptimer_read(v, r));
	else
		ptimer_write(v, r, reg_value(f, rt));
	return true;
}

/* Returns false when reg is not one of the debug registers we emulate. */
static bool debug_register(struct vcpu *v, struct frame *f, uint32_t reg, bool read,
			   unsigned rt)
{
	uint64_t val = reg_value(f, rt);

	switch (reg) {
	case MDSCR_EL1:
		if (read) {
			set_reg(f, rt, v->dbg.mdscr);
		} else {
			v->dbg.mdscr = val;
			debug_apply(v);
		}
		return true;
	case OSLAR_EL1:
		if (!read)
			v->dbg.oslsr = (val & OSLAR_OSLK) ? OSLSR_OSLK : 0;
		return true;
	case OSLSR_EL1:
		if (read)
			set_reg(f, rt, OSLSR_OSLM_IMPLEMENTED | v->dbg.oslsr);
		return true;
	case MDCCINT_EL1:
	case OSDTRRX_EL1:
	case OSDTRTX_EL1:
	case OSECCR_EL1:
	case MDRAR_EL1:
	case OSDLR_EL1:
	case DBGPRCR_EL1:
	case DBGCLAIMSET_EL1:
	case DBGCLAIMCLR_EL1:
	case DBGAUTHSTATUS_EL1:
		/* Reads as zero, writes ignored: no external debugger here. */
		if (read)
			set_reg(f, rt, 0);
		return true;
	}
	if ((reg & DBG_BP_WP_MASK) == DBG_BP_WP_BASE && (reg & 7) >= DBG_OP2_BVR) {
		unsigned n = (reg >> 3) & 0xf; /* CRm */

		if (!debug_bp_wp_access(v, reg & 7, n, read, &val))
			return false;
		if (read)
			set_reg(f, rt, val);
		return true;
	}
	return false;
}

void sysreg_trap(struct vcpu *v, struct frame *f, uint64_t esr)
{
	uint64_t iss = esr & ESR_ISS_MASK;
	uint32_t reg = SYSREG_OF_ISS(iss);
	bool read = iss & ESR_SYS_READ;
	unsigned rt = ESR_SYS_RT(iss);

	if (read && ESR_SYS_OP0(iss) == 3 && ESR_SYS_OP1(iss) == 0 &&
	    ESR_SYS_CRN(iss) == 0 && ESR_SYS_CRM(iss) >= 1) {
		/* ID registers (HCR_EL2.TID3): what this VM may use. */
		set_reg(f, rt, idreg_guest_value(ESR_SYS_CRM(iss), ESR_SYS_OP2(iss)));
	} else if (is_dcc(reg)) {
		if (!dcc_access(v, f, reg, read, rt))
			return;
	} else if (!read && (reg == ICC_SGI1R_EL1 || reg == ICC_ASGI1R_EL1 ||
			     reg == ICC_SGI0R_EL1)) {
		/* SGIs trap while HCR_EL2.IMO is set: the VM has one security
		 * state, so all three mean an SGI to the VM's vCPUs. */
		vgic_guest_sgi(v, reg_value(f, rt));
	} else if (!timer_register(v, f, reg, read, rt) &&
		   !debug_register(v, f, reg, read, rt)) {
		inject_undef(f);
		return;
	}
	f->elr += 4; /* emulated: continue after the MSR/MRS */
}
