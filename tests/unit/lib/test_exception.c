/* Exception delivery must match what hardware does, vector by vector. */
#include <arch/sysreg.h>
#include <lib/exception.h>

#include "unit.h"

static void vector_from_lower_el(void)
{
	CHECK_EQ(exc_sync_vector_offset(2, SPSR_M_EL1H), 0x400);
	CHECK_EQ(exc_sync_vector_offset(1, 0x0 /* EL0t */), 0x400);
	CHECK_EQ(exc_sync_vector_offset(3, SPSR_M_EL2H), 0x400);
}

/* SPSR.M = 0x10: AArch32 User mode (a compat task under an AArch64 EL1). */
static void vector_from_aarch32_el0(void)
{
	CHECK_EQ(exc_sync_vector_offset(1, 0x10), 0x600);
	CHECK_EQ(exc_sync_vector_offset(1, 0x10 | 0x20 /* T32 */ | SPSR_I), 0x600);
	CHECK_EQ(exc_sync_vector_offset(2, 0x10), 0x600);
	CHECK_EQ(exc_sync_vector_offset(1, 0x0), 0x400);
}

static void vector_from_same_el(void)
{
	CHECK_EQ(exc_sync_vector_offset(2, SPSR_M_EL2H), 0x200);
	CHECK_EQ(exc_sync_vector_offset(2, 0x8 /* EL2t */), 0x000);
	CHECK_EQ(exc_sync_vector_offset(1, SPSR_M_EL1H | SPSR_DAIF), 0x200);
}

static void entry_pstate_masks_everything(void)
{
	CHECK_EQ(exc_entry_pstate(2), SPSR_M_EL2H | SPSR_DAIF);
	CHECK_EQ(exc_entry_pstate(1), SPSR_M_EL1H | SPSR_DAIF);
	CHECK_EQ(spsr_el(exc_entry_pstate(3)), 3);
}

static void sea_syndromes(void)
{
	uint64_t esr = exc_esr_sea(2, 2, false, false);

	CHECK_EQ(ESR_EC(esr), ESR_EC_DABT_CUR);
	CHECK_EQ(esr & ESR_ISS_FSC_MASK, ESR_FSC_SEA);
	CHECK(esr & ESR_IL);
	CHECK(!(esr & ESR_ISS_WNR));
	CHECK_EQ(ESR_EC(exc_esr_sea(2, 1, false, true)), ESR_EC_DABT_LOW);
	CHECK(exc_esr_sea(2, 1, false, true) & ESR_ISS_WNR);
	CHECK_EQ(ESR_EC(exc_esr_sea(1, 1, true, false)), ESR_EC_IABT_CUR);
	CHECK_EQ(ESR_EC(exc_esr_sea(1, 0, true, true)), ESR_EC_IABT_LOW);
	CHECK(!(exc_esr_sea(1, 0, true, true) & ESR_ISS_WNR));
}

static void undef_syndrome(void)
{
	CHECK_EQ(ESR_EC(exc_esr_undef()), ESR_EC_UNKNOWN);
	CHECK(exc_esr_undef() & ESR_IL);
}

static void insn_len_follows_il(void)
{
	CHECK_EQ(exc_insn_len((uint64_t)ESR_EC_DABT_LOW << ESR_EC_SHIFT | ESR_IL), 4);
	CHECK_EQ(exc_insn_len((uint64_t)ESR_EC_DABT_LOW << ESR_EC_SHIFT), 2);
}

static void debug_ecs_at_el1(void)
{
	/* AArch32 BKPT from EL0 stays a BKPT: a debugger in the guest sees it. */
	CHECK_EQ(exc_debug_ec_at_el1(ESR_EC_BKPT32, 0), ESR_EC_BKPT32);
	CHECK_EQ(exc_debug_ec_at_el1(ESR_EC_BRK64, 0), ESR_EC_BRK64);
	CHECK_EQ(exc_debug_ec_at_el1(ESR_EC_BRK64, 1), ESR_EC_BRK64);
	CHECK_EQ(exc_debug_ec_at_el1(ESR_EC_BKPT_LOW, 0), ESR_EC_BKPT_LOW);
	CHECK_EQ(exc_debug_ec_at_el1(ESR_EC_BKPT_LOW, 1), ESR_EC_BKPT_CUR);
	CHECK_EQ(exc_debug_ec_at_el1(ESR_EC_SSTEP_LOW, 1), ESR_EC_SSTEP_CUR);
	CHECK_EQ(exc_debug_ec_at_el1(ESR_EC_WATCH_LOW, 1), ESR_EC_WATCH_CUR);
	CHECK_EQ(exc_debug_ec_at_el1(ESR_EC_WATCH_LOW, 0), ESR_EC_WATCH_LOW);
}

int main(void)
{
	RUN(vector_from_lower_el);
	RUN(vector_from_aarch32_el0);
	RUN(vector_from_same_el);
	RUN(entry_pstate_masks_everything);
	RUN(sea_syndromes);
	RUN(undef_syndrome);
	RUN(insn_len_follows_il);
	RUN(debug_ecs_at_el1);
	UNIT_DONE();
}
