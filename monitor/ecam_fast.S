/*
 * The short way in for a granule protection fault (ESR_EL3.EC = 0x1E),
 * which in practice is a configuration access to the emulated ECAM window:
 * only the registers a C function may clobber are saved (struct
 * ecam_fast_frame: x0..x18, x30), ecam_fast() completes the access if it
 * is the simple kind, and the caller resumes. When it declines, the
 * registers are put back as they were at the vector and the full path
 * (lower_sync_full) takes over with nothing changed. Entered from the
 * vector with x0 and x1 pushed.
 */
#include "ecam_fast.h"

.macro ECAM_FAST_RESTORE
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
	add	sp, sp, #ECAM_FAST_FRAME_SIZE
.endm

	.text
	.global ecam_fast_entry
ecam_fast_entry:
	ldp	x0, x1, [sp], #16
	sub	sp, sp, #ECAM_FAST_FRAME_SIZE
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
	bl	ecam_fast
	cbz	w0, 1f
	ECAM_FAST_RESTORE
	eret
1:	ECAM_FAST_RESTORE
	b	lower_sync_full
