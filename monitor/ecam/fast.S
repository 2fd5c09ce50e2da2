/*
 * The short way in for a granule protection fault (ESR_EL3.EC = 0x1E),
 * which in practice is a configuration access to the emulated ECAM window:
 * only the registers a C function may clobber are saved (struct
 * caller_frame: x0..x18, x30), ecam_fast() completes the access if it
 * is the simple kind, and the caller resumes. When it declines, the
 * registers are put back as they were at the vector and the full path
 * (lower_sync_full) takes over with nothing changed. Entered from the
 * vector with the short frame made and x0, x1 in it.
 */
#include <arch/frame.S>

	.text
	.global ecam_fast_entry
ecam_fast_entry:
	SAVE_CALLER_FRAME_FROM_X2
	mov	x0, sp
	bl	ecam_fast
	cbz	w0, 1f
	RESTORE_CALLER_FRAME
	eret
1:	RESTORE_CALLER_FRAME
	b	lower_sync_full
