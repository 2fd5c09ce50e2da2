/*
 * uint64_t hyp_probe_load(uint64_t va): one 64-bit load from va. If it
 * faults, hyp_exception() sees ELR at hyp_probe_insn, records the syndrome
 * and resumes after the load with x0 = 0 (exceptions.c).
 */
	.text
	.global hyp_probe_load, hyp_probe_insn
hyp_probe_load:
hyp_probe_insn:
	ldr	x0, [x0]
	ret
