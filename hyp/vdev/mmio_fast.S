/*
 * The short way in for a trapped device access (a stage-2 data abort):
 * only the registers a C function may clobber are saved (struct
 * caller_frame: x0..x18, x30), guest_mmio_fast() emulates the access, and
 * the guest resumes. When it declines, the registers are put back as they
 * were at the vector and the full path (guest_sync_slow) takes over, with
 * nothing changed. Entered from backdoor_fast with x9 and x10 pushed.
 */
#include <arch/frame.S>

	.text
	.global mmio_fast
mmio_fast:
	ldp	x9, x10, [sp], #16
	SAVE_CALLER_FRAME
	mov	x0, sp
	bl	guest_mmio_fast
	cbz	w0, 1f
	RESTORE_CALLER_FRAME
	eret
1:	RESTORE_CALLER_FRAME
	b	guest_sync_slow
