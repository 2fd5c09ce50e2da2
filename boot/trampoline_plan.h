/*
 * The address arithmetic of the switch between two address spaces through
 * intermediate tables: one page of code mapped at its VA in the old space
 * and at VA + delta, where the new space has it (boot/trampoline.S).
 *
 * Leaving translation altogether is the same move with the physical
 * address space as the new one: the page mapped at its VA and at its own
 * PA (identity), so code that jumps across can turn the MMU off and the
 * next fetch, now untranslated, finds the next instruction
 * (boot/handover.S).
 */
#ifndef LIB_TRAMPOLINE_H
#define LIB_TRAMPOLINE_H

#include <stdint.h>

struct pgtable;

struct trampoline_plan {
	uint64_t pa;	   /* the trampoline page */
	uint64_t va;	   /* its VA in the old address space */
	uint64_t alias_va; /* va + delta: its VA in the new one */
	uint64_t delta;
};

#define TRAMPOLINE_E_ALIGN (-1) /* va, pa or delta not page-aligned */
#define TRAMPOLINE_E_RANGE (-2) /* alias beyond the VA space, or wraps */
#define TRAMPOLINE_E_DELTA (-3) /* delta 0 or the two pages overlap */

int trampoline_plan(uint64_t va, uint64_t pa, uint64_t delta,
		    struct trampoline_plan *out);
/*
 * The plan for the page at va whose physical address is pa, mapped again
 * at pa: alias_va = pa, delta = pa - va modulo 2^64 (the jump may go down).
 * TRAMPOLINE_E_ALIGN, TRAMPOLINE_E_RANGE when va or pa is beyond the VA
 * space (so pa cannot be mapped at itself), TRAMPOLINE_E_DELTA when
 * va == pa.
 */
int trampoline_plan_identity(uint64_t va, uint64_t pa, struct trampoline_plan *out);
/* Maps the page at both VAs, executable and read-only, in pt. */
int trampoline_map(struct pgtable *pt, const struct trampoline_plan *p);

#endif
