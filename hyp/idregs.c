/*
 * The CPU features a VM sees. HCR_EL2.TID3 traps the guest's reads of the
 * ID registers (op0 3, op1 0, CRn 0, CRm 1..7); each is read from the
 * hardware and the features the hypervisor does not virtualize are taken
 * out, so the guest never uses a register that would trap without an
 * emulation behind it: SVE and SME (their state is not part of the vCPU
 * context), MTE, the activity monitors, MPAM, the statistical profiling
 * extension and trace.
 */
#include <arch/sysreg.h>

#include <hyp/hyp.h>
#include <hyp/vm.h>

/* clang-format off */
#define ID_CRM(X, crm) \
	X(crm, 0) X(crm, 1) X(crm, 2) X(crm, 3) X(crm, 4) X(crm, 5) X(crm, 6) X(crm, 7)
#define ID_ALL(X) \
	ID_CRM(X, 1) ID_CRM(X, 2) ID_CRM(X, 3) ID_CRM(X, 4) ID_CRM(X, 5) ID_CRM(X, 6) ID_CRM(X, 7)
#define READ_ID(crm, op2) \
	case (crm) * 8 + (op2): return read_sysreg(S3_0_C0_C##crm##_##op2);
/* clang-format on */

#define ID_INDEX(crm, op2) ((crm)*8 + (op2))
#define ID_AA64PFR0 ID_INDEX(4, 0)
#define ID_AA64PFR1 ID_INDEX(4, 1)
#define ID_AA64ZFR0 ID_INDEX(4, 4)
#define ID_AA64SMFR0 ID_INDEX(4, 5)
#define ID_AA64DFR0 ID_INDEX(5, 0)

#define PFR0_SVE ID_FIELD_MASK(ID_AA64PFR0_SVE_SHIFT)
#define PFR0_MPAM ID_FIELD_MASK(ID_AA64PFR0_MPAM_SHIFT)
#define PFR0_AMU ID_FIELD_MASK(ID_AA64PFR0_AMU_SHIFT)
#define PFR1_MTE ID_FIELD_MASK(ID_AA64PFR1_MTE_SHIFT)
#define PFR1_SME ID_FIELD_MASK(ID_AA64PFR1_SME_SHIFT)
#define PFR1_MPAM_FRAC ID_FIELD_MASK(ID_AA64PFR1_MPAM_FRAC_SHIFT)
#define DFR0_TRACEVER ID_FIELD_MASK(ID_AA64DFR0_TRACEVER_SHIFT)
#define DFR0_PMSVER ID_FIELD_MASK(ID_AA64DFR0_PMSVER_SHIFT)
#define DFR0_TRACEFILT ID_FIELD_MASK(ID_AA64DFR0_TRACEFILT_SHIFT)
#define DFR0_TRACEBUFFER ID_FIELD_MASK(ID_AA64DFR0_TRACEBUFFER_SHIFT)
#define DFR0_BRBE ID_FIELD_MASK(ID_AA64DFR0_BRBE_SHIFT)

static uint64_t read_id(unsigned index)
{
	switch (index) {
		ID_ALL(READ_ID)
	}
	return 0;
}

/* The guest's view of ID register (CRm, op2), CRm 1..7. */
uint64_t idreg_guest_value(unsigned crm, unsigned op2)
{
	unsigned index = ID_INDEX(crm, op2);
	uint64_t v = read_id(index);

	switch (index) {
	case ID_AA64PFR0:
		return v & ~(PFR0_SVE | PFR0_MPAM | PFR0_AMU);
	case ID_AA64PFR1:
		return v & ~(PFR1_MTE | PFR1_SME | PFR1_MPAM_FRAC);
	case ID_AA64ZFR0:
	case ID_AA64SMFR0:
		return 0;
	case ID_AA64DFR0:
		return v & ~(DFR0_TRACEVER | DFR0_PMSVER | DFR0_TRACEFILT |
			     DFR0_TRACEBUFFER | DFR0_BRBE);
	default:
		return v;
	}
}
