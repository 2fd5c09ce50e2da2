/* The hypervisor's EL2 vectors: every exception goes to hyp_exception(). */
#include <arch/frame.S>

	.text
	.balign 0x800
	.global hyp_vectors
hyp_vectors:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	VECTOR_ENTRY 2, hyp_exception, \n
	.endr

	EXCEPTION_RETURN 2
