/*
 * EL3 vector table. Synchronous exceptions from the normal world (SMC, and
 * granule protection faults) go to monitor_lower_sync with a saved frame;
 * anything taken from EL3 itself is a monitor bug and goes to
 * monitor_fatal, which logs it and stops.
 */
#include <arch/frame.S>

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
	/* Lower EL, AArch64. */
	VECTOR_ENTRY 3, monitor_lower_sync, 8
	VECTOR_ENTRY 3, monitor_lower_async, 9
	VECTOR_ENTRY 3, monitor_lower_async, 10
	VECTOR_ENTRY 3, monitor_lower_async, 11
	/* Lower EL, AArch32: the platform runs no AArch32 code. */
	VECTOR_ENTRY 3, monitor_lower_async, 12
	VECTOR_ENTRY 3, monitor_lower_async, 13
	VECTOR_ENTRY 3, monitor_lower_async, 14
	VECTOR_ENTRY 3, monitor_lower_async, 15

	EXCEPTION_RETURN 3
