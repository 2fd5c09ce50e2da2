/* Test-guest EL1 vectors: every exception goes to guest_exception(). */
#include <arch/frame.S>

	.text
	.balign 0x800
	.global guest_vectors
guest_vectors:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	VECTOR_ENTRY 1, guest_exception, \n
	.endr

	EXCEPTION_RETURN 1

/* Where a test resumes after a fault on a call to a bad address: the
 * faulting BLR had already set x30, so returning from here is returning
 * from the call. */
	.global fault_landing
fault_landing:
	ret

/*
 * uint64_t el0_call(uint64_t (*fn)(uint64_t), uint64_t arg, uint64_t sp,
 *                   uint64_t spsr)
 * Runs fn(arg) at EL0 on stack sp; fn returns into el0_return, whose SVC
 * brings us back to EL1, where guest_exception calls el0_resume(value) to
 * continue after el0_call as if fn had been an ordinary call.
 */
	.global el0_call, el0_resume, el0_return
el0_call:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	adrp	x9, el1_saved_sp
	mov	x10, sp
	str	x10, [x9, :lo12:el1_saved_sp]
	msr	sp_el0, x2
	msr	elr_el1, x0
	msr	spsr_el1, x3			/* EL0t, plus what the caller asks */
	mov	x0, x1
	ldr	x30, =el0_return
	eret

el0_return:
	svc	#0
	b	.

/* void el0_resume(uint64_t value): from the EL1 exception handler. */
el0_resume:
	adrp	x9, el1_saved_sp
	ldr	x10, [x9, :lo12:el1_saved_sp]
	mov	sp, x10
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret

	.bss
	.balign 8
el1_saved_sp:
	.quad	0
