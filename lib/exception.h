/*
 * How an exception is delivered to an exception level, as hardware does
 * it: which vector, which PSTATE on entry, which syndrome. The monitor
 * uses it to hand aborts to the normal world; the hypervisor uses it to
 * inject exceptions into guests.
 */
#ifndef LIB_EXCEPTION_H
#define LIB_EXCEPTION_H

#include <stdbool.h>
#include <stdint.h>

/* The exception level a saved PSTATE (SPSR) was at: M[3:2]. */
static inline unsigned spsr_el(uint64_t spsr)
{
	return (unsigned)(spsr >> 2) & 3;
}
/* Offset from VBAR_ELtarget of the synchronous vector used for an exception
 * taken from a context whose PSTATE was from_spsr (target_el is AArch64;
 * a lower EL may be AArch32, SPSR.M[4]). */
uint64_t exc_sync_vector_offset(unsigned target_el, uint64_t from_spsr);
/* PSTATE on entry to target_el: ELxh with D, A, I and F masked. */
uint64_t exc_entry_pstate(unsigned target_el);
/* Syndrome of a synchronous external abort delivered to target_el for an
 * access made at from_el: a data abort (write or read) or a fetch. */
uint64_t exc_esr_sea(unsigned target_el, unsigned from_el, bool fetch, bool write);
/* Syndrome of an Undefined Instruction exception (32-bit instruction). */
uint64_t exc_esr_undef(void);

/* Length in bytes of the instruction a trapped synchronous exception
 * reports (ESR.IL: 0 for a 16-bit T32 instruction): how far to step the
 * return address past an emulated instruction. */
static inline unsigned exc_insn_len(uint64_t esr)
{
	return 2 + 2 * ((esr >> 25) & 1); /* ESR_ELx.IL, bit 25; no branch */
}
/* The EC a debug exception of EC ec (as taken to EL2 from a lower EL)
 * has when delivered to EL1 from from_el. */
uint64_t exc_debug_ec_at_el1(uint64_t ec, unsigned from_el);

#endif
