/*
 * The short way in for a trapped device access (a stage-2 data abort):
 * only the registers a C function may clobber are saved (struct
 * fast_frame: x0..x18, x30), guest_mmio_fast() emulates the access, and
 * the guest resumes. When it declines, the registers are put back as they
 * were at the vector and the full path (guest_sync_slow) takes over, with
 * nothing changed. Entered from backdoor_fast with x9 and x10 pushed.
 */
#include "hyp.h"

.macro FAST_FRAME_RESTORE
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x30, [sp, #144]
	add	sp, sp, #FAST_FRAME_SIZE
.endm

	.text
	.global mmio_fast
mmio_fast:
	ldp	x9, x10, [sp], #16
	sub	sp, sp, #FAST_FRAME_SIZE
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x30, [sp, #144]
	mov	x0, sp
	bl	guest_mmio_fast
	cbz	w0, 1f
	FAST_FRAME_RESTORE
	eret
1:	FAST_FRAME_RESTORE
	b	guest_sync_slow
