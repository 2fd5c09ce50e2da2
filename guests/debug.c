/*
 * Test guest: debug exceptions are the guest's own. BRK with any other
 * immediate (or #0x86 without the backdoor's registers) reaches the
 * guest's EL1 as if no hypervisor were there, from EL1 and EL0; so do a
 * hardware breakpoint, a watchpoint and a software step, which the guest
 * programs through its (trapped, context-switched) debug registers. After
 * all that, the BRK backdoor works again.
 */
#include <arch/sysreg.h>

#include "rt/rt.h"

#define SLOT_CUR_SYNC 4	  /* vector slots: current EL with SP_ELx, synchronous */
#define SLOT_LOWER_SYNC 8 /* lower EL (EL0), synchronous */

/* DBGBCR/DBGWCR fields */
#define DBGBCR_E 1ull
#define DBGBCR_PMC_EL1 (1ull << 1)
#define DBGBCR_BAS_A64 (0xfull << 5)
#define DBGWCR_E 1ull
#define DBGWCR_PAC_EL1 (1ull << 1)
#define DBGWCR_LSC_STORE (2ull << 3)
#define DBGWCR_BAS_8 (0xffull << 5)

static volatile uint64_t watched __attribute__((aligned(8)));

__attribute__((noinline)) static int bp_target(int x)
{
	__asm__ volatile("nop"); /* the breakpoint's address; skipped on resume */
	return x + 1;
}

static uint64_t el0_brk(uint64_t unused)
{
	__asm__ volatile("brk #5");
	return 7;
}

static uint64_t el0_steps(uint64_t x)
{
	__asm__ volatile("add %0, %0, #1\n add %0, %0, #1" : "+r"(x));
	return x;
}

static void brk_reflection(void)
{
	struct caught c;
	register uint64_t x0 __asm__("x0") = 0; /* not the backdoor's magic */

	expect_exception();
	__asm__ volatile("brk #1");
	c = caught_exception();
	GCHECK(c.hit && esr_ec(c.esr) == ESR_EC_BRK64 && (c.esr & 0xffff) == 1 &&
		       c.vector == SLOT_CUR_SYNC,
	       "brk #1 at EL1: esr 0x%lx vector %u", c.esr, c.vector);

	expect_exception();
	__asm__ volatile("brk #0x86" : "+r"(x0));
	c = caught_exception();
	GCHECK(c.hit && esr_ec(c.esr) == ESR_EC_BRK64 && (c.esr & 0xffff) == 0x86,
	       "brk #0x86 without the magic is the guest's: esr 0x%lx", c.esr);

	expect_exception();
	run_el0(el0_brk, 0);
	c = caught_exception();
	GCHECK(c.hit && esr_ec(c.esr) == ESR_EC_BRK64 && (c.esr & 0xffff) == 5 &&
		       c.vector == SLOT_LOWER_SYNC,
	       "brk #5 at EL0: esr 0x%lx vector %u", c.esr, c.vector);
	gprintf("debug: BRK #1 (EL1), #0x86 without magic, #5 (EL0) reached the guest\n");
}

static void hw_breakpoint(void)
{
	struct caught c;

	write_sysreg(dbgbvr0_el1, (uint64_t)bp_target);
	write_sysreg(dbgbcr0_el1, DBGBCR_E | DBGBCR_PMC_EL1 | DBGBCR_BAS_A64);
	GCHECK(read_sysreg(dbgbvr0_el1) == (uint64_t)bp_target, "DBGBVR0 reads back");
	write_sysreg(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
	__asm__ volatile("msr daifclr, #8\n isb"); /* unmask debug exceptions */
	expect_exception();
	bp_target(1);
	c = caught_exception();
	__asm__ volatile("msr daifset, #8");
	write_sysreg(dbgbcr0_el1, 0);
	write_sysreg(mdscr_el1, 0);
	GCHECK(c.hit && esr_ec(c.esr) == ESR_EC_BKPT_CUR && c.elr == (uint64_t)bp_target,
	       "breakpoint: esr 0x%lx elr 0x%lx", c.esr, c.elr);
	gprintf("debug: hardware breakpoint reached the guest\n");
}

static void watchpoint(void)
{
	struct caught c;

	write_sysreg(dbgwvr0_el1, (uint64_t)&watched);
	write_sysreg(dbgwcr0_el1,
		     DBGWCR_E | DBGWCR_PAC_EL1 | DBGWCR_LSC_STORE | DBGWCR_BAS_8);
	write_sysreg(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
	__asm__ volatile("msr daifclr, #8\n isb");
	expect_exception();
	watched = 42;
	c = caught_exception();
	__asm__ volatile("msr daifset, #8");
	write_sysreg(dbgwcr0_el1, 0);
	write_sysreg(mdscr_el1, 0);
	GCHECK(c.hit && esr_ec(c.esr) == ESR_EC_WATCH_CUR && c.far == (uint64_t)&watched,
	       "watchpoint: esr 0x%lx far 0x%lx", c.esr, c.far);
	gprintf("debug: watchpoint reached the guest\n");
}

static void single_step(void)
{
	struct caught c;
	uint64_t r;

	write_sysreg(mdscr_el1, MDSCR_SS);
	expect_exception();
	r = run_el0_stepped(el0_steps, 40);
	c = caught_exception();
	write_sysreg(mdscr_el1, 0);
	GCHECK(c.hit && esr_ec(c.esr) == ESR_EC_SSTEP_LOW && c.vector == SLOT_LOWER_SYNC,
	       "single step: hit %d esr 0x%lx vector %u", c.hit, c.esr, c.vector);
	GCHECK(r == 42, "the stepped code ran on: %lu", r);
	gprintf("debug: software step reached the guest\n");
}

void guest_main(uint64_t dt)
{
	brk_reflection();
	hw_breakpoint();
	watchpoint();
	single_step();
	GCHECK(bd_getversion(BD_BRK, NULL, NULL) == BD_VERSION,
	       "BRK backdoor afterwards");
	guest_finish("debug");
}
