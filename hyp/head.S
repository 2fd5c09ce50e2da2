/*
 * The hypervisor image starts with struct hyp_header (lib/handoff.h); the
 * bootloader jumps to its first word with the MMU on, in the hypervisor's
 * own address space, and x0 = the hand-off structure's VA.
 */
#include <lib/handoff.h>

#include <hyp/hyp.h>

	.section .head, "ax"
	.global hyp_header
hyp_header:
	b	hyp_entry
	.long	HYP_HEADER_MAGIC
	.quad	__hyp_link_va
	.quad	__hyp_text_end_off
	.quad	__hyp_ro_end_off
	.quad	__hyp_mem_size

	.text
	.global hyp_entry
hyp_entry:
	adrp	x1, hyp_stack_top
	add	x1, x1, :lo12:hyp_stack_top
	mov	sp, x1
	adrp	x1, hyp_vectors
	add	x1, x1, :lo12:hyp_vectors
	msr	vbar_el2, x1
	isb
	bl	hyp_main
1:	wfe
	b	1b

/*
 * A CPU that PSCI CPU_ON starts here, at the physical address, MMU off,
 * x0 = the context: the PA of a word to sign. It signs it and turns itself
 * off again. The hypervisor's PSCI self-test (psci_test.c) uses it; SMP
 * bring-up of the hypervisor proper comes with the guest work.
 */
	.global hyp_cpu_probe_entry
hyp_cpu_probe_entry:
	ldr	x1, =HYP_CPU_PROBE_SIGNATURE
	str	x1, [x0]
	dc	civac, x0
	dsb	sy
	ldr	x0, =0x84000002			/* PSCI CPU_OFF */
	smc	#0
2:	wfe
	b	2b
