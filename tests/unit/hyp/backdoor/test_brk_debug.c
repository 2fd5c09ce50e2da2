/*
 * hyp/backdoor/brk_debug.c, the real handler on the host double of the arch
 * layer (arch/fake/sysreg.h): BRK #0x86 with the backdoor's registers is
 * a backdoor call and steps over the BRK; every other debug exception is
 * delivered to the guest's EL1 as the hardware would have: ESR_EL1 with
 * the EC for where it came from and the original ISS, ELR_EL1 and
 * SPSR_EL1 the interrupted context, the PC at the right vector of
 * VBAR_EL1, FAR_EL1 only for those that report an address. And the
 * guest's MDSCR_EL1 goes to the hardware with TDCC clear, MDCR_EL2.TDE
 * set only while the guest does not debug.
 */
#include <string.h>

#include <arch/sysreg.h>
#include <hyp/vm.h>

#include "unit.h"

#define VBAR 0x40080000ull
#define PC 0x40001234ull
#define FAR 0x4000beefull
#define SPSR_EL0 0x0ull /* EL0t, interrupts unmasked */
#define ESR_BRK(imm) (((uint64_t)ESR_EC_BRK64 << ESR_EC_SHIFT) | ESR_IL | (imm))
#define ENTRY_PSTATE (SPSR_M_EL1H | SPSR_DAIF)

/* The backdoor, as hyp/backdoor/services.c answers: a call when x0 holds
 * the magic number. */
static unsigned backdoor_calls;

bool backdoor_try(struct vcpu *v, struct frame *f)
{
	backdoor_calls++;
	if (f->x[0] != BD_MAGIC)
		return false;
	f->x[0] = 6; /* as GETVERSION answers */
	return true;
}

static struct vm vm;
static struct vcpu *v = &vm.vcpus[0];
static struct frame f;
static struct pcpu cpu;

static void setup(uint64_t spsr)
{
	fake_arch_reset();
	memset(&vm, 0, sizeof(vm));
	memset(&cpu, 0, sizeof(cpu));
	fake_sysregs.tpidr_el2 = (uint64_t)(uintptr_t)&cpu;
	v->vm = &vm;
	memset(&f, 0, sizeof(f));
	f.elr = PC;
	f.spsr = spsr;
	fake_sysregs.vbar_el1 = VBAR;
	fake_sysregs.far_el2 = FAR;
	fake_sysregs.esr_el1 = 0x1111; /* stale values the handler must replace */
	fake_sysregs.elr_el1 = 0x2222;
	fake_sysregs.far_el1 = 0x3333;
	backdoor_calls = 0;
}

/* Nothing was injected: the EL1 exception registers are as setup left them. */
static void check_nothing_injected(void)
{
	CHECK_EQ(fake_sysregs.esr_el1, 0x1111);
	CHECK_EQ(fake_sysregs.elr_el1, 0x2222);
	CHECK_EQ(fake_sysregs.far_el1, 0x3333);
}

static void brk_backdoor_is_a_call(void)
{
	setup(SPSR_EL0);
	f.x[0] = BD_MAGIC;
	debug_trap(v, &f, ESR_BRK(0x86));
	CHECK_EQ(backdoor_calls, 1);
	CHECK_EQ(f.x[0], 6);
	CHECK_EQ(f.elr, PC + 4); /* past the BRK, which returns to itself */
	CHECK_EQ(f.spsr, SPSR_EL0);
	check_nothing_injected();
}

/* BRK #0x86 without the backdoor's registers is the guest's own BRK. */
static void brk_backdoor_without_magic_is_reflected(void)
{
	setup(SPSR_M_EL1H);
	f.x[0] = 0;
	debug_trap(v, &f, ESR_BRK(0x86));
	CHECK_EQ(backdoor_calls, 1);
	CHECK_EQ(fake_sysregs.esr_el1, ESR_BRK(0x86));
	CHECK_EQ(fake_sysregs.elr_el1, PC);
	CHECK_EQ(f.elr, VBAR + VECTOR_CUR_SPX_SYNC);
}

/* Any other immediate never reaches the backdoor, magic or not. */
static void other_brk_from_el1_is_reflected(void)
{
	setup(SPSR_M_EL1H | SPSR_D);
	f.x[0] = BD_MAGIC;
	debug_trap(v, &f, ESR_BRK(0x800)); /* Linux's BUG() */
	CHECK_EQ(backdoor_calls, 0);
	CHECK_EQ(f.x[0], BD_MAGIC);
	CHECK_EQ(fake_sysregs.esr_el1, ESR_BRK(0x800));
	CHECK_EQ(fake_sysregs.elr_el1, PC); /* BRK: ELR is the BRK itself */
	CHECK_EQ(fake_sysregs.spsr_el1, SPSR_M_EL1H | SPSR_D);
	CHECK_EQ(fake_sysregs.far_el1, 0); /* BRK reports no address */
	CHECK_EQ(f.elr, VBAR + VECTOR_CUR_SPX_SYNC);
	CHECK_EQ(f.spsr, ENTRY_PSTATE);
}

static void other_brk_from_el0_is_reflected(void)
{
	setup(SPSR_EL0);
	debug_trap(v, &f, ESR_BRK(0x5));
	CHECK_EQ(backdoor_calls, 0);
	CHECK_EQ(fake_sysregs.esr_el1, ESR_BRK(0x5));
	CHECK_EQ(fake_sysregs.elr_el1, PC);
	CHECK_EQ(fake_sysregs.spsr_el1, SPSR_EL0);
	CHECK_EQ(f.elr, VBAR + VECTOR_LOWER_A64_SYNC);
	CHECK_EQ(f.spsr, ENTRY_PSTATE);
}

/* An AArch32 EL0's BKPT: the AArch32 vector set, no address. */
static void bkpt32_from_el0_is_reflected(void)
{
	uint64_t esr = ((uint64_t)ESR_EC_BKPT32 << ESR_EC_SHIFT) | 0x7;

	setup(SPSR_M_AARCH32);
	debug_trap(v, &f, esr);
	CHECK_EQ(fake_sysregs.esr_el1, esr);
	CHECK_EQ(fake_sysregs.far_el1, 0);
	CHECK_EQ(f.elr, VBAR + VECTOR_LOWER_A32_SYNC);
}

/* A watchpoint hit at EL1 is taken to EL2 as "lower EL"; at the guest's
 * EL1 it is "same EL" (EC + 1), with the address from FAR_EL2. */
static void watchpoint_from_el1_restates_ec(void)
{
	uint64_t iss = 0x40; /* WnR */

	setup(SPSR_M_EL1H);
	debug_trap(v, &f, ((uint64_t)ESR_EC_WATCH_LOW << ESR_EC_SHIFT) | ESR_IL | iss);
	CHECK_EQ(fake_sysregs.esr_el1,
		 ((uint64_t)ESR_EC_WATCH_CUR << ESR_EC_SHIFT) | ESR_IL | iss);
	CHECK_EQ(fake_sysregs.far_el1, FAR);
	CHECK_EQ(f.elr, VBAR + VECTOR_CUR_SPX_SYNC);
}

static void watchpoint_from_el0_keeps_ec(void)
{
	setup(SPSR_EL0);
	debug_trap(v, &f, ((uint64_t)ESR_EC_WATCH_LOW << ESR_EC_SHIFT) | ESR_IL);
	CHECK_EQ(ESR_EC(fake_sysregs.esr_el1), ESR_EC_WATCH_LOW);
	CHECK_EQ(fake_sysregs.far_el1, FAR);
	CHECK_EQ(f.elr, VBAR + VECTOR_LOWER_A64_SYNC);
}

/* The guest's MDSCR_EL1 reaches the hardware without TDCC (EL0's DCC
 * reads must trap to EL2), and TDE is set only while the guest does not
 * use hardware debug itself. */
static void apply_mdscr(void)
{
	setup(SPSR_M_EL1H);
	fake_sysregs.mdcr_el2 = MDCR_EL2_TDA | MDCR_EL2_TDE;
	v->dbg.mdscr = MDSCR_TDCC | MDSCR_KDE | MDSCR_MDE;
	debug_apply(v);
	CHECK_EQ(fake_sysregs.mdscr_el1, MDSCR_KDE | MDSCR_MDE);
	CHECK_EQ(fake_sysregs.mdcr_el2, MDCR_EL2_TDA);
	CHECK(fake_arch.isb >= 1);

	v->dbg.mdscr = MDSCR_TDCC;
	debug_apply(v);
	CHECK_EQ(fake_sysregs.mdscr_el1, 0);
	CHECK_EQ(fake_sysregs.mdcr_el2, MDCR_EL2_TDA | MDCR_EL2_TDE);

	v->dbg.mdscr = MDSCR_SS;
	debug_apply(v);
	CHECK_EQ(fake_sysregs.mdscr_el1, MDSCR_SS);
	CHECK_EQ(fake_sysregs.mdcr_el2, MDCR_EL2_TDA);
}

/* The breakpoint registers: kept as the guest wrote them and written to
 * the hardware; past the implemented ones, refused. */
static void bp_wp_registers(void)
{
	uint64_t val = 0x40002000;

	setup(SPSR_M_EL1H);
	fake_sysregs.id_aa64dfr0_el1 = (5ull << 12) | (3ull << 20); /* 6 BRPs, 4 WRPs */
	CHECK(debug_bp_wp_access(v, DBG_OP2_BVR, 5, false, &val));
	CHECK_EQ(fake_sysregs.dbgbvr5_el1, 0x40002000);
	CHECK_EQ(v->dbg.bvr[5], 0x40002000);
	val = 0;
	CHECK(debug_bp_wp_access(v, DBG_OP2_BVR, 5, true, &val));
	CHECK_EQ(val, 0x40002000);
	CHECK(!debug_bp_wp_access(v, DBG_OP2_BVR, 6, false, &val));
	CHECK(debug_bp_wp_access(v, DBG_OP2_WCR, 3, false, &val));
	CHECK_EQ(fake_sysregs.dbgwcr3_el1, val);
	CHECK(!debug_bp_wp_access(v, DBG_OP2_WCR, 4, false, &val));
}

/* A vCPU switch writes the breakpoint registers only when one of the
 * two vCPUs set some: the one that did gets its values back, the next
 * one that did not finds 0s, and between two that never did, the
 * registers are left alone. */
static void bp_wp_switch(void)
{
	struct vcpu *w = &vm.vcpus[1];
	uint64_t val = 0x40002000;

	setup(SPSR_M_EL1H);
	w->vm = &vm;
	fake_sysregs.id_aa64dfr0_el1 = (5ull << 12) | (3ull << 20); /* 6 BRPs, 4 WRPs */
	fake_sysregs.dbgbcr2_el1 = 0x1e7; /* what reset left: UNKNOWN */
	debug_load(w);
	CHECK_EQ(fake_sysregs.dbgbcr2_el1, 0); /* the first load writes them all */
	CHECK(debug_bp_wp_access(v, DBG_OP2_BVR, 1, false, &val));
	debug_load(w);
	CHECK_EQ(fake_sysregs.dbgbvr1_el1, 0);
	debug_load(v);
	CHECK_EQ(fake_sysregs.dbgbvr1_el1, 0x40002000);
	debug_load(w);
	CHECK_EQ(fake_sysregs.dbgbvr1_el1, 0);
	fake_sysregs.dbgbvr1_el1 = 0x77; /* a marker: no write expected */
	debug_load(w);
	CHECK_EQ(fake_sysregs.dbgbvr1_el1, 0x77);
}

int main(void)
{
	RUN(brk_backdoor_is_a_call);
	RUN(brk_backdoor_without_magic_is_reflected);
	RUN(other_brk_from_el1_is_reflected);
	RUN(other_brk_from_el0_is_reflected);
	RUN(bkpt32_from_el0_is_reflected);
	RUN(watchpoint_from_el1_restates_ec);
	RUN(watchpoint_from_el0_keeps_ec);
	RUN(apply_mdscr);
	RUN(bp_wp_registers);
	RUN(bp_wp_switch);
	UNIT_DONE();
}
