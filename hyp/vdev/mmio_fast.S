/*
 * The short way in for a trapped device access (a stage-2 data abort):
 * saved are the registers a C function may clobber (x0..x18, x30, as
 * struct caller_frame), then x19..x29 (struct mmio_fast_frame, hyp/hyp.h),
 * guest_mmio_fast() emulates the access, and the guest resumes. C
 * preserves x19..x29, so only the caller frame is restored, unless
 * guest_mmio_fast() loaded one of them in the frame (a UART read into
 * one): then it answers false with the frame's reload word set, cleared
 * here at entry, and x19..x29 are reloaded too. So the usual path keeps
 * its one test of the answer. When guest_mmio_fast() declines, the
 * registers are as they were at the vector and the full path
 * (guest_sync_slow) takes over, with nothing changed. Entered from
 * backdoor_fast with x9 and x10 pushed.
 */
#include <arch/frame.S>
#include <hyp/hyp.h>

	.text
	.global mmio_fast
mmio_fast:
	ldp	x9, x10, [sp], #16
	sub	sp, sp, #MMIO_FAST_FRAME_SIZE
	stp	x0, x1, [sp, #0]
	SAVE_CALLER_FRAME_FROM_X2
	stp	x19, x20, [sp, #MMIO_FAST_X19]
	stp	x21, x22, [sp, #MMIO_FAST_X19 + 16]
	stp	x23, x24, [sp, #MMIO_FAST_X19 + 32]
	stp	x25, x26, [sp, #MMIO_FAST_X19 + 48]
	stp	x27, x28, [sp, #MMIO_FAST_X19 + 64]
	stp	x29, xzr, [sp, #MMIO_FAST_X19 + 80]	/* and reload = 0 */
	mov	x0, sp
	bl	guest_mmio_fast
	cbz	w0, 1f
	RESTORE_CALLER_FRAME MMIO_FAST_FRAME_SIZE
	eret
1:	ldr	x9, [sp, #MMIO_FAST_RELOAD]
	cbnz	x9, 2f
	RESTORE_CALLER_FRAME MMIO_FAST_FRAME_SIZE
	b	guest_sync_slow
2:	ldp	x19, x20, [sp, #MMIO_FAST_X19]
	ldp	x21, x22, [sp, #MMIO_FAST_X19 + 16]
	ldp	x23, x24, [sp, #MMIO_FAST_X19 + 32]
	ldp	x25, x26, [sp, #MMIO_FAST_X19 + 48]
	ldp	x27, x28, [sp, #MMIO_FAST_X19 + 64]
	ldr	x29, [sp, #MMIO_FAST_X19 + 80]
	RESTORE_CALLER_FRAME MMIO_FAST_FRAME_SIZE
	eret
