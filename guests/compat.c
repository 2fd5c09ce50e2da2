/*
 * Test guest: an AArch32 EL0 (a compat task under this AArch64 EL1), as
 * the hypervisor must treat it. T32 snippets, hand-encoded (the AArch64
 * assembler has no T32), run at EL0 in User mode:
 *  - a 16-bit T32 load from the emulated UART returns to the next
 *    instruction (ELR stepped by 2, as ESR.IL says, not 4);
 *  - a load from an unmapped IPA gets its external abort at the "lower EL
 *    using AArch32" vector (VBAR_EL1 + 0x600, slot 12), not the AArch64 one;
 *  - BKPT is the guest's: reflected as a BKPT (EC 0x38), not an undefined
 *    instruction.
 */
#include <arch/sysreg.h>

#include "rt/rt.h"

#define VM_UART_BASE 0x09000000ul
#define UNMAPPED_IPA 0x10000000ul
#define SLOT_LOWER_A32_SYNC 12
#define MAGIC 42

/* clang-format off */
__asm__(".pushsection .text, \"ax\"\n"
	".balign 4\n"
	/* ldr r1, [r0, #0x18]; movs r0, #42; svc #0 */
	"t32_mmio: .hword 0x6981, 0x202a, 0xdf00, 0xbf00\n"
	/* ldr r1, [r0]; then svc #0 where the test resumes */
	"t32_abort: .hword 0x6801\n"
	"t32_abort_svc: .hword 0xdf00\n"
	/* bkpt #0x33; then svc #0 */
	"t32_bkpt: .hword 0xbe33\n"
	"t32_bkpt_svc: .hword 0xdf00\n"
	".popsection\n");
/* clang-format on */
extern char t32_mmio[], t32_abort[], t32_abort_svc[], t32_bkpt[], t32_bkpt_svc[];

static void mmio_16bit_load(void)
{
	uint64_t r0 = run_el0_aarch32((uint64_t)t32_mmio, VM_UART_BASE, true);

	GCHECK((uint32_t)r0 == MAGIC,
	       "T32 MMIO load: r0 = 0x%lx (the instruction after it was skipped)", r0);
	gprintf("compat: 16-bit T32 load from the UART stepped by 2\n");
}

static void abort_vector(void)
{
	struct caught c;

	expect_exception();
	expect_resume_at((uint64_t)t32_abort_svc);
	(void)run_el0_aarch32((uint64_t)t32_abort, UNMAPPED_IPA, true);
	c = caught_exception();
	expect_resume_at(0);
	GCHECK(c.hit, "AArch32 EL0 abort: no exception");
	GCHECK(c.vector == SLOT_LOWER_A32_SYNC, "AArch32 EL0 abort: vector slot %u",
	       c.vector);
	GCHECK(esr_ec(c.esr) == ESR_EC_DABT_LOW && (c.esr & 0x3f) == ESR_FSC_SEA,
	       "AArch32 EL0 abort: esr 0x%lx", c.esr);
	GCHECK(c.elr == (uint64_t)t32_abort, "AArch32 EL0 abort: elr 0x%lx", c.elr);
	gprintf("compat: external abort at the AArch32 lower-EL vector\n");
}

static void bkpt_reflected(void)
{
	struct caught c;

	expect_exception();
	expect_resume_at((uint64_t)t32_bkpt_svc);
	(void)run_el0_aarch32((uint64_t)t32_bkpt, 0, true);
	c = caught_exception();
	expect_resume_at(0);
	GCHECK(c.hit, "BKPT: no exception");
	GCHECK(c.vector == SLOT_LOWER_A32_SYNC, "BKPT: vector slot %u", c.vector);
	GCHECK(esr_ec(c.esr) == ESR_EC_BKPT32 && (c.esr & 0xffff) == 0x33,
	       "BKPT: esr 0x%lx", c.esr);
	gprintf("compat: BKPT reflected as a BKPT\n");
}

void guest_secondary(uint64_t ctx)
{
}

void guest_main(uint64_t dt)
{
	mmio_16bit_load();
	abort_vector();
	bkpt_reflected();
	guest_finish("compat");
}
