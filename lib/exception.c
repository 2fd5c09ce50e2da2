#include <arch/sysreg.h>
#include <lib/exception.h>

uint64_t exc_sync_vector_offset(unsigned target_el, uint64_t from_spsr)
{
	/* From a lower EL the vector set is chosen by the state that EL
	 * was in: an AArch32 EL0 (compat task) uses "Lower EL using
	 * AArch32" (ARM ARM D1.3.1, Table D1-5). */
	if (spsr_el(from_spsr) < target_el)
		return (from_spsr & SPSR_M_AARCH32) ? VECTOR_LOWER_A32_SYNC
						    : VECTOR_LOWER_A64_SYNC;
	return (from_spsr & SPSR_M_SP_ELX) ? VECTOR_CUR_SPX_SYNC : VECTOR_CUR_SP0_SYNC;
}

uint64_t exc_entry_pstate(unsigned target_el)
{
	return ((uint64_t)target_el << 2) | SPSR_M_SP_ELX | SPSR_DAIF;
}

uint64_t exc_esr_sea(unsigned target_el, unsigned from_el, bool fetch, bool write)
{
	uint64_t ec;

	if (fetch)
		ec = from_el < target_el ? ESR_EC_IABT_LOW : ESR_EC_IABT_CUR;
	else
		ec = from_el < target_el ? ESR_EC_DABT_LOW : ESR_EC_DABT_CUR;
	return (ec << ESR_EC_SHIFT) | ESR_IL | ESR_FSC_SEA |
	       (!fetch && write ? ESR_ISS_WNR : 0);
}

uint64_t exc_esr_undef(void)
{
	return ((uint64_t)ESR_EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL;
}

uint64_t exc_debug_ec_at_el1(uint64_t ec, unsigned from_el)
{
	/* Breakpoint, software step and watchpoint have a "same EL" EC one
	 * above the "lower EL" one. BRK (AArch64) and BKPT (AArch32, only
	 * ever from EL0 here) have one EC whatever the EL. */
	if (from_el == 1 &&
	    (ec == ESR_EC_BKPT_LOW || ec == ESR_EC_SSTEP_LOW || ec == ESR_EC_WATCH_LOW))
		return ec + 1;
	return ec;
}
