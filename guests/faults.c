/*
 * Test guest: what the hypervisor turns a guest's mistakes into, from EL1
 * and EL0. Accesses to IPAs with no memory behind them get a synchronous
 * external abort (data or instruction, read or write); system registers
 * the hypervisor traps but does not emulate give an undefined instruction.
 * Afterwards the backdoor still answers.
 */
#include <arch/sysreg.h>

#include "rt/rt.h"

#define UNMAPPED_IPA 0x10000000ull /* virt's PCIe MMIO window: nothing here */
#define SLOT_CUR_SYNC 4		   /* vector slots: current EL with SP_ELx, synchronous */
#define SLOT_LOWER_SYNC 8	   /* lower EL (EL0), synchronous */

static void expect_sea(struct caught c, uint64_t ec, unsigned vector, bool write,
		       uint64_t far, const char *what)
{
	GCHECK(c.hit, "%s: no exception", what);
	GCHECK(esr_ec(c.esr) == ec, "%s: esr 0x%lx", what, c.esr);
	GCHECK((c.esr & 0x3f) == ESR_FSC_SEA, "%s: not an external abort (esr 0x%lx)",
	       what, c.esr);
	GCHECK(!!(c.esr & ESR_ISS_WNR) == write, "%s: WnR (esr 0x%lx)", what, c.esr);
	GCHECK(c.vector == vector, "%s: vector %u", what, c.vector);
	GCHECK(c.far == far, "%s: far 0x%lx", what, c.far);
	gprintf("faults: %s: external abort, esr 0x%lx\n", what, c.esr);
}

static uint64_t el0_read(uint64_t addr)
{
	return *(volatile uint64_t *)addr;
}

static uint64_t el0_impdef(uint64_t unused)
{
	uint64_t v;

	__asm__ volatile("mrs %0, S3_3_C15_C0_0" : "=r"(v));
	return v;
}

static void unmapped_ipa(void)
{
	void (*fn)(void) = (void (*)(void))UNMAPPED_IPA;

	expect_exception();
	(void)*(volatile uint64_t *)UNMAPPED_IPA;
	expect_sea(caught_exception(), ESR_EC_DABT_CUR, SLOT_CUR_SYNC, false,
		   UNMAPPED_IPA, "EL1 read of an unmapped IPA");

	expect_exception();
	*(volatile uint32_t *)(UNMAPPED_IPA + 0x40) = 1;
	expect_sea(caught_exception(), ESR_EC_DABT_CUR, SLOT_CUR_SYNC, true,
		   UNMAPPED_IPA + 0x40, "EL1 write of an unmapped IPA");

	expect_exception();
	expect_resume_at((uint64_t)fault_landing);
	fn();
	expect_sea(caught_exception(), ESR_EC_IABT_CUR, SLOT_CUR_SYNC, false,
		   UNMAPPED_IPA, "EL1 fetch from an unmapped IPA");

	expect_exception();
	run_el0(el0_read, UNMAPPED_IPA + 8);
	expect_sea(caught_exception(), ESR_EC_DABT_LOW, SLOT_LOWER_SYNC, false,
		   UNMAPPED_IPA + 8, "EL0 read of an unmapped IPA");
}

#define EXPECT_UNDEF(what, ...)                                       \
	do {                                                          \
		struct caught c_;                                     \
		expect_exception();                                   \
		__VA_ARGS__;                                          \
		c_ = caught_exception();                              \
		GCHECK(c_.hit &&esr_ec(c_.esr) == ESR_EC_UNKNOWN,     \
		       "%s: hit %d esr 0x%lx", what, c_.hit, c_.esr); \
		gprintf("faults: %s: undefined instruction\n", what); \
	} while (0)

static void unemulated_sysregs(void)
{
	uint64_t v;

	EXPECT_UNDEF("ACTLR_EL1 read", __asm__ volatile("mrs %0, actlr_el1" : "=r"(v)));
	EXPECT_UNDEF("ACTLR_EL1 write",
		     __asm__ volatile("msr actlr_el1, %0" ::"r"(0ull)));
	EXPECT_UNDEF("implementation-defined register at EL1",
		     __asm__ volatile("mrs %0, S3_0_C15_C2_0"
				      : "=r"(v)));
	/* The physical timer is emulated (guests/timers.c); its counter is
	 * read-only. */
	EXPECT_UNDEF("physical counter write (CNTPCT_EL0)",
		     __asm__ volatile("msr S3_3_C14_C0_1, %0" ::"r"(0ull)));
	EXPECT_UNDEF("implementation-defined register at EL0", run_el0(el0_impdef, 0));
	(void)v;
}

void guest_main(uint64_t dt)
{
	unmapped_ipa();
	unemulated_sysregs();
	GCHECK(bd_getversion(BD_DCC, NULL, NULL) == BD_VERSION,
	       "backdoor after the faults");
	guest_finish("faults");
}
