/*
 * Accesses that may fault, and say so: each function below is one load
 * (uint64_t fn(uint64_t va)). If it faults, hyp_exception() sees ELR
 * between hyp_probe_start and hyp_probe_end, records the syndrome and
 * resumes after the instruction with x0 = 0 (exceptions.c). The self-tests
 * use them on memory the monitor protects and on its emulated ECAM window.
 */
	.arch_extension lse
	.text
	.global hyp_probe_start, hyp_probe_end
	.global hyp_probe_load, hyp_probe_load32, hyp_probe_ldxr32, hyp_probe_ldadd32
	.global hyp_probe_ldp64
hyp_probe_start:
hyp_probe_load:
	ldr	x0, [x0]
	ret
hyp_probe_load32:
	ldr	w0, [x0]
	ret
hyp_probe_ldxr32:
	ldxr	w0, [x0]
	ret
hyp_probe_ldadd32:
	mov	w1, #1
	ldadd	w1, w0, [x0]
	ret
/* The second register is dropped: the self-test wants to know whether the
 * pair was taken at all. */
hyp_probe_ldp64:
	ldp	x0, x1, [x0]
	ret
hyp_probe_end:
