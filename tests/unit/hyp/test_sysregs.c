/*
 * hyp/sysregs.c, the real trap handler on the host double of the arch
 * layer (arch/fake/sysreg.h): the DCC (the backdoor's main entry) and the
 * MDSCR_EL1.TDCC shadow. The guest's TDCC is kept, not applied (the real
 * bit stays clear so EL0's backdoor calls reach EL2); the hypervisor
 * itself gives EL0 the UNDEF that TDCC asks for, except for a backdoor
 * call. Writes to MDSCR_EL1 are shadowed, reads give the shadow back.
 */
#include <string.h>

#include <arch/sysreg.h>
#include <hyp/vm.h>

#include "unit.h"

#define VBAR 0x40080000ull
#define PC 0x40001000ull
#define SPSR_EL0 0x0ull
#define RT 3

/* The trapped MRS/MSR of (op0, op1, CRn, CRm, op2) with Rt = rt. */
static uint64_t esr_sys(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
			unsigned op2, unsigned rt, bool read)
{
	return ((uint64_t)ESR_EC_SYS64 << ESR_EC_SHIFT) | ESR_IL |
	       ESR_SYS_ISS(op0, op1, crn, crm, op2) | (uint64_t)rt << 5 |
	       (read ? ESR_SYS_READ : 0);
}
#define MRS_MDCCSR(rt) esr_sys(2, 3, 0, 1, 0, rt, true)
#define MRS_DBGDTRRX(rt) esr_sys(2, 3, 0, 5, 0, rt, true)
#define MSR_DBGDTRTX(rt) esr_sys(2, 3, 0, 5, 0, rt, false)
#define MSR_MDSCR(rt) esr_sys(2, 0, 0, 2, 2, rt, false)
#define MRS_MDSCR(rt) esr_sys(2, 0, 0, 2, 2, rt, true)

/* The backdoor (hyp/backdoor/services.c): a call when x0 holds the magic. */
static unsigned backdoor_calls;

bool backdoor_try(struct vcpu *v, struct frame *f)
{
	backdoor_calls++;
	if (f->x[0] != BD_MAGIC)
		return false;
	f->x[0] = 6;
	f->x[1] = BD_MAGIC;
	return true;
}

/* What sysreg_trap hands elsewhere, which these tests do not reach. */
uint64_t idreg_guest_value(unsigned crm, unsigned op2)
{
	CHECK(0);
	return 0;
}

void vgic_guest_sgi(struct vcpu *v, uint64_t value)
{
	CHECK(0);
}

uint64_t ptimer_read(struct vcpu *v, enum ptimer_reg reg)
{
	CHECK(0);
	return 0;
}

void ptimer_write(struct vcpu *v, enum ptimer_reg reg, uint64_t val)
{
	CHECK(0);
}

static struct vm vm;
static struct vcpu *v = &vm.vcpus[0];
static struct frame f;

static void setup(uint64_t spsr, uint64_t mdscr)
{
	fake_arch_reset();
	memset(&vm, 0, sizeof(vm));
	v->vm = &vm;
	v->dbg.mdscr = mdscr;
	memset(&f, 0, sizeof(f));
	f.elr = PC;
	f.spsr = spsr;
	f.x[RT] = 0xdead;
	fake_sysregs.vbar_el1 = VBAR;
	backdoor_calls = 0;
}

static void check_undef_at_el1(uint64_t from_spsr, uint64_t vector)
{
	CHECK_EQ(fake_sysregs.esr_el1,
		 ((uint64_t)ESR_EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL);
	CHECK_EQ(fake_sysregs.elr_el1, PC); /* the MRS itself */
	CHECK_EQ(fake_sysregs.spsr_el1, from_spsr);
	CHECK_EQ(f.elr, VBAR + vector);
	CHECK_EQ(f.spsr, SPSR_M_EL1H | SPSR_DAIF);
}

/* vmware-checkvm from EL0 under Linux (which sets TDCC): a backdoor call. */
static void el0_backdoor_call_despite_tdcc(void)
{
	setup(SPSR_EL0, MDSCR_TDCC);
	f.x[0] = BD_MAGIC;
	sysreg_trap(v, &f, MRS_MDCCSR(31));
	CHECK_EQ(backdoor_calls, 1);
	CHECK_EQ(f.x[0], 6);
	CHECK_EQ(f.x[1], BD_MAGIC);
	CHECK_EQ(f.elr, PC + 4);
	CHECK_EQ(f.spsr, SPSR_EL0);
	CHECK_EQ(fake_sysregs.esr_el1, 0);
}

/* Not a backdoor call, from EL0, with the guest's TDCC set: the UNDEF the
 * hardware would have sent to the guest's EL1 (to the lower-EL vector). */
static void el0_dcc_with_tdcc_is_undef(void)
{
	setup(SPSR_EL0, MDSCR_TDCC);
	f.x[0] = 1;
	sysreg_trap(v, &f, MRS_MDCCSR(RT));
	CHECK_EQ(backdoor_calls, 1);
	CHECK_EQ(f.x[RT], 0xdead);
	check_undef_at_el1(SPSR_EL0, VECTOR_LOWER_A64_SYNC);

	/* The data registers, read or written, never go to the backdoor. */
	setup(SPSR_EL0, MDSCR_TDCC);
	sysreg_trap(v, &f, MRS_DBGDTRRX(RT));
	CHECK_EQ(backdoor_calls, 0);
	check_undef_at_el1(SPSR_EL0, VECTOR_LOWER_A64_SYNC);

	setup(SPSR_EL0, MDSCR_TDCC);
	f.x[0] = BD_MAGIC;
	sysreg_trap(v, &f, MSR_DBGDTRTX(RT));
	CHECK_EQ(backdoor_calls, 0);
	check_undef_at_el1(SPSR_EL0, VECTOR_LOWER_A64_SYNC);
}

/* Without TDCC, or from EL1 (TDCC only concerns EL0), the DCC is an idle
 * one: MDCCSR reads 0 (nothing to receive, room to send). */
static void dcc_without_tdcc_is_idle(void)
{
	setup(SPSR_EL0, 0);
	sysreg_trap(v, &f, MRS_MDCCSR(RT));
	CHECK_EQ(f.x[RT], 0);
	CHECK_EQ(f.elr, PC + 4);
	CHECK_EQ(fake_sysregs.esr_el1, 0);

	setup(SPSR_M_EL1H, MDSCR_TDCC);
	sysreg_trap(v, &f, MRS_DBGDTRRX(RT));
	CHECK_EQ(f.x[RT], 0);
	CHECK_EQ(f.elr, PC + 4);
	CHECK_EQ(fake_sysregs.esr_el1, 0);

	setup(SPSR_EL0, 0);
	f.x[RT] = 'A';
	sysreg_trap(v, &f, MSR_DBGDTRTX(RT));
	CHECK_EQ(f.elr, PC + 4);
	CHECK_EQ(fake_sysregs.esr_el1, 0);
}

/* MSR MDSCR_EL1: the guest's value is the shadow, the hardware gets it
 * without TDCC; MRS gives the shadow back, TDCC included. */
static void mdscr_is_shadowed(void)
{
	setup(SPSR_M_EL1H, 0);
	f.x[RT] = MDSCR_TDCC | MDSCR_KDE;
	sysreg_trap(v, &f, MSR_MDSCR(RT));
	CHECK_EQ(v->dbg.mdscr, MDSCR_TDCC | MDSCR_KDE);
	CHECK_EQ(fake_sysregs.mdscr_el1, MDSCR_KDE);
	CHECK_EQ(f.elr, PC + 4);

	f.x[5] = 0;
	sysreg_trap(v, &f, MRS_MDSCR(5));
	CHECK_EQ(f.x[5], MDSCR_TDCC | MDSCR_KDE);
	CHECK_EQ(f.elr, PC + 8);

	/* ... and the shadow is what the next EL0 DCC access obeys. */
	f.spsr = SPSR_EL0;
	f.elr = PC;
	sysreg_trap(v, &f, MRS_MDCCSR(RT));
	check_undef_at_el1(SPSR_EL0, VECTOR_LOWER_A64_SYNC);
}

/* MSR from XZR writes 0; MRS to XZR changes no register. */
static void zero_register(void)
{
	setup(SPSR_M_EL1H, MDSCR_TDCC);
	sysreg_trap(v, &f, MSR_MDSCR(31));
	CHECK_EQ(v->dbg.mdscr, 0);
	sysreg_trap(v, &f, MRS_MDSCR(31));
	CHECK_EQ(f.x[RT], 0xdead);
	CHECK_EQ(f.elr, PC + 8);
}

/* A register it does not emulate: UNDEF, at EL1's current-EL vector. */
static void unknown_register_is_undef(void)
{
	setup(SPSR_M_EL1H, 0);
	sysreg_trap(v, &f, esr_sys(3, 0, 1, 0, 1, RT, true)); /* ACTLR_EL1 */
	CHECK_EQ(f.x[RT], 0xdead);
	check_undef_at_el1(SPSR_M_EL1H, VECTOR_CUR_SPX_SYNC);
}

int main(void)
{
	RUN(el0_backdoor_call_despite_tdcc);
	RUN(el0_dcc_with_tdcc_is_undef);
	RUN(dcc_without_tdcc_is_idle);
	RUN(mdscr_is_shadowed);
	RUN(zero_register);
	RUN(unknown_register_is_undef);
	UNIT_DONE();
}
