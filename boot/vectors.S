/*
 * The bootloader's EL2 vectors. The slot for synchronous exceptions from
 * EL2 with SP_EL2 expects exactly one exception: the instruction fetch
 * that faults right after the MMU is turned on (head.S). It records the
 * syndrome, moves the return address and the stack pointer from the
 * physical image to the linked VA, and returns there. Everything else is
 * fatal for the bootloader (boot_exception logs it and powers off).
 */
#include <arch/frame.S>
#include <arch/sysreg.h>

#include <boot/boot_state.h>

	.text
	.balign 0x800
	.global boot_vectors
boot_vectors:
	VECTOR_ENTRY 2, boot_exception, 0
	VECTOR_ENTRY 2, boot_exception, 1
	VECTOR_ENTRY 2, boot_exception, 2
	VECTOR_ENTRY 2, boot_exception, 3

	.balign 0x80
	/* x9..x13 are free here: head.S holds nothing in them at the fault. */
	mrs	x9, esr_el2
	ubfx	x10, x9, #ESR_EC_SHIFT, #6
	cmp	x10, #ESR_EC_IABT_CUR
	b.ne	not_the_mmu_fault
	mrs	x11, far_el2
	mrs	x12, elr_el2
	cmp	x11, x12			/* a fetch of the instruction at ELR */
	b.ne	not_the_mmu_fault
	adrp	x10, boot_state			/* PC-relative: now the VA */
	add	x10, x10, :lo12:boot_state
	ldr	x13, [x10, #BS_RESUMED]
	cbnz	x13, not_the_mmu_fault		/* once only */
	str	x9, [x10, #BS_FAULT_ESR]
	str	x11, [x10, #BS_FAULT_FAR]
	ldr	x13, [x10, #BS_DELTA]
	add	x12, x12, x13
	str	x12, [x10, #BS_RESUME_VA]
	msr	elr_el2, x12
	mov	x11, sp
	add	x11, x11, x13
	mov	sp, x11
	mov	x13, #1
	str	x13, [x10, #BS_RESUMED]
	eret
not_the_mmu_fault:
	b	boot_vector_4_generic

	VECTOR_ENTRY 2, boot_exception, 5
	VECTOR_ENTRY 2, boot_exception, 6
	VECTOR_ENTRY 2, boot_exception, 7
	VECTOR_ENTRY 2, boot_exception, 8
	VECTOR_ENTRY 2, boot_exception, 9
	VECTOR_ENTRY 2, boot_exception, 10
	VECTOR_ENTRY 2, boot_exception, 11
	VECTOR_ENTRY 2, boot_exception, 12
	VECTOR_ENTRY 2, boot_exception, 13
	VECTOR_ENTRY 2, boot_exception, 14
	VECTOR_ENTRY 2, boot_exception, 15

	/* Any other synchronous exception from EL2: the generic path. */
boot_vector_4_generic:
	SAVE_FRAME 2
	mov	x0, sp
	mov	x1, #4
	bl	boot_exception
	b	exception_return

	EXCEPTION_RETURN 2
