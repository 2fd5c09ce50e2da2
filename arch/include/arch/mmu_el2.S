/*
 * Turning the EL2 MMU on from code that runs at a physical address that
 * the new tables do not map (the page-fault trick): x0 holds the root
 * table. The fetch after the macro faults and is taken at the linked VA of
 * \vectors, whose synchronous "current EL" entry resumes at the VA of that
 * same instruction. Clobbers x0.
 */
#include <arch/mmu_el2.h>
#include <lib/mm/pgtable.h>

.macro EL2_MMU_ON_AT_VA vectors
	msr	ttbr0_el2, x0
	ldr	x0, =PT_MAIR_VALUE
	msr	mair_el2, x0
	ldr	x0, =EL2_TCR_VALUE
	msr	tcr_el2, x0
	ldr	x0, =\vectors			/* the linked VA */
	msr	vbar_el2, x0
	isb
	tlbi	alle2
	dsb	ish
	isb
	ldr	x0, =EL2_SCTLR_MMU_ON
	msr	sctlr_el2, x0
	isb
.endm
