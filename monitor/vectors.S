/*
 * EL3 vector table. Synchronous exceptions from the normal world (SMC, and
 * granule protection faults) go to monitor_lower_sync with a saved frame,
 * a granule protection fault after the short path of monitor/ecam/fast.S declined;
 * anything taken from EL3 itself is a monitor bug and goes to
 * monitor_fatal, which logs it and stops.
 */
#include <arch/frame.S>
#include <arch/sysreg.h>

	.text
	.balign 0x800
	.global monitor_vectors
monitor_vectors:
	/* Current EL with SP_EL0: never used by the monitor. */
	VECTOR_ENTRY 3, monitor_fatal, 0
	VECTOR_ENTRY 3, monitor_fatal, 1
	VECTOR_ENTRY 3, monitor_fatal, 2
	VECTOR_ENTRY 3, monitor_fatal, 3
	/* Current EL with SP_EL3. */
	VECTOR_ENTRY 3, monitor_fatal, 4
	VECTOR_ENTRY 3, monitor_fatal, 5
	VECTOR_ENTRY 3, monitor_fatal, 6
	VECTOR_ENTRY 3, monitor_fatal, 7
	/* Lower EL, AArch64. A granule protection fault is tried on the
	 * short path (monitor/ecam/fast.S) before the frame is saved. */
	.balign 0x80
	sub	sp, sp, #CALLER_FRAME_SIZE	/* the short frame, x0 and x1 first */
	stp	x0, x1, [sp, #0]
	mrs	x0, esr_el3
	ubfx	x0, x0, #ESR_EC_SHIFT, #6
	cmp	x0, #ESR_EC_GPC
	b.eq	ecam_fast_entry
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #CALLER_FRAME_SIZE
	b	lower_sync_full
	VECTOR_ENTRY 3, monitor_lower_async, 9
	VECTOR_ENTRY 3, monitor_lower_async, 10
	VECTOR_ENTRY 3, monitor_lower_async, 11
	/* Lower EL, AArch32: the platform runs no AArch32 code. */
	VECTOR_ENTRY 3, monitor_lower_async, 12
	VECTOR_ENTRY 3, monitor_lower_async, 13
	VECTOR_ENTRY 3, monitor_lower_async, 14
	VECTOR_ENTRY 3, monitor_lower_async, 15

	/* The lower-EL synchronous handler with a whole frame, out of line. */
	.global lower_sync_full
lower_sync_full:
	SAVE_FRAME 3
	mov	x0, sp
	mov	x1, #8
	bl	monitor_lower_sync
	b	exception_return

	EXCEPTION_RETURN 3
