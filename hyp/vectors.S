/*
 * The hypervisor's EL2 vectors. Exceptions from the guest (lower EL,
 * AArch64) save the guest's registers as a frame at the top of this CPU's
 * EL2 stack and go to guest_sync / guest_irq; the handler edits the frame
 * and the restore code returns into the guest. An IRQ at EL2 itself (a
 * PNMI, hyp/pnmi/irq.c) goes to hyp_irq_current; other exceptions from EL2 go to
 * hyp_exception (a probe that faulted, or a hypervisor bug).
 */
#include <arch/frame.S>

	.text
	.balign 0x800
	.global hyp_vectors
hyp_vectors:
	.irp n, 0,1,2,3,4
	VECTOR_ENTRY 2, hyp_exception, \n
	.endr
	VECTOR_ENTRY 2, hyp_irq_current, 5	/* current EL with SP_EL2, IRQ */
	.irp n, 6,7
	VECTOR_ENTRY 2, hyp_exception, \n
	.endr
	.balign 0x80				/* lower EL, synchronous */
	b	backdoor_fast			/* hyp/backdoor/fast.S, else: */
	VECTOR_ENTRY 2, guest_async, 9
	VECTOR_ENTRY 2, guest_async, 10
	VECTOR_ENTRY 2, guest_async, 11
	/* AArch32 guests are not supported (HCR_EL2.RW = 1). */
	.irp n, 12,13,14,15
	VECTOR_ENTRY 2, hyp_exception, \n
	.endr

	EXCEPTION_RETURN 2

	.global guest_sync_slow
guest_sync_slow:
	SAVE_FRAME 2
	mov	x0, sp
	mov	x1, #8
	bl	guest_sync
	b	exception_return

/*
 * void guest_enter(struct frame *f): enters (or returns to) the guest whose
 * registers f holds; f sits at the top of this CPU's stack, so the next
 * exception from the guest saves its frame in the same place.
 */
	.global guest_enter
guest_enter:
	mov	sp, x0
	b	exception_return
