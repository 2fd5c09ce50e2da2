/*
 * Entry of a physical CPU the hypervisor starts through the monitor's
 * PSCI CPU_ON: at the physical address of this code, MMU off, x0 = the
 * CPU's index. It turns on the MMU with the hypervisor's tables the way the
 * bootloader did (technique 1): the physical address is not mapped, so the
 * fetch after the MMU comes on faults, and a small vector table at the
 * linked VA resumes at the same instruction's VA.
 *
 * hyp_secondary_params (smp.c) holds the root table and the VA - PA delta;
 * the primary cleans it to memory before CPU_ON.
 */
#include <arch/frame.h>
#include <arch/mmu_el2.S>
#include <arch/sysreg.h>

#include <hyp/hyp.h>

	.text
	.global hyp_secondary_entry
hyp_secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	ldr	x0, =SCTLR_ELx_RES1
	msr	sctlr_el2, x0
	ldr	x0, =CPTR_EL2_RES1
	msr	cptr_el2, x0
	isb
	adrp	x1, hyp_secondary_params	/* physical, PC-relative */
	add	x1, x1, :lo12:hyp_secondary_params
	ldr	x0, [x1]			/* root table */
	EL2_MMU_ON_AT_VA resume_vectors
	/* Resumed here at the VA. */
	ldr	x0, =hyp_vectors
	msr	vbar_el2, x0
	isb
	ldr	x0, =hyp_pcpu_stacks		/* this CPU's stack: slice index + 1 */
	add	x1, x19, #1
	mov	x2, #PCPU_STACK_SIZE
	madd	x0, x1, x2, x0
	sub	sp, x0, #FRAME_SIZE		/* the guest's frame sits at its top */
	mov	x0, x19
	bl	hyp_secondary_main
1:	wfe
	b	1b

	.balign 0x800
resume_vectors:
	.rept 4
	.balign 0x80
	b	.
	.endr
	.balign 0x80				/* current EL, SP_ELx, synchronous */
	adrp	x9, hyp_secondary_params	/* now the VA */
	add	x9, x9, :lo12:hyp_secondary_params
	ldr	x10, [x9, #8]			/* VA - PA */
	mrs	x11, elr_el2
	add	x11, x11, x10
	msr	elr_el2, x11
	eret
	.rept 11
	.balign 0x80
	b	.
	.endr
