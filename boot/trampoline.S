/*
 * The switch into the hypervisor's address space. This page is mapped in
 * the intermediate tables at two VAs, TRAMPOLINE_DELTA apart: where it is in
 * the bootloader's space and where the hypervisor's space has it.
 *
 * void boot_trampoline(uint64_t intermediate_ttbr, uint64_t hyp_ttbr,
 *                      uint64_t delta, uint64_t hyp_entry, uint64_t handoff)
 */
	.section .trampoline, "ax"
	.balign 4096
	.global boot_trampoline
boot_trampoline:
	dsb	ish				/* tables and handoff written */
	msr	ttbr0_el2, x0			/* 1: intermediate tables */
	isb
	tlbi	alle2
	dsb	ish
	isb
	adr	x9, 1f				/* 2: jump across by the delta */
	add	x9, x9, x2
	br	x9
1:	msr	ttbr0_el2, x1			/* 3: the hypervisor's tables */
	isb
	tlbi	alle2
	dsb	ish
	isb
	mov	x0, x4
	br	x3
	.balign 4096
