/*
 * The native-mode hand-over to a Linux kernel at EL2. The Linux boot
 * protocol wants the kernel entered with the MMU off, but the bootloader
 * runs at its linked VA, which is not where it is in physical memory:
 * turning translation off there would make the next fetch go to a
 * physical address that holds nothing. So this page is mapped in a small
 * address space of its own (boot/native.c) at two addresses: its linked VA,
 * where the bootloader calls it, and its physical address, where it is
 * once translation is off. The same move as the trampoline (trampoline.S),
 * with the physical address space as the one to land in.
 *
 * void boot_native_handover(uint64_t handover_ttbr, uint64_t to_pa,
 *                           uint64_t kernel_entry, uint64_t dt_pa)
 *
 * Everything the kernel reads was cleaned to the point of coherency before
 * the call, and the EL2 registers the MMU does not govern are set; no
 * memory is touched here (no stack), so nothing else has to be mapped.
 */
#include <arch/sysreg.h>

	.section .handover, "ax"
	.balign 4096
	.global boot_native_handover
boot_native_handover:
	msr	daifset, #0xf			/* the kernel starts with DAIF masked */
	dsb	ish				/* tables and cache maintenance done */
	msr	ttbr0_el2, x0			/* 1: only this page, at VA and PA */
	isb
	tlbi	alle2
	dsb	ish
	isb
	adr	x9, 1f				/* 2: on to the same code at its PA */
	add	x9, x9, x1
	br	x9
1:	ldr	x9, =SCTLR_ELx_RES1		/* 3: MMU, caches, alignment checks off */
	msr	sctlr_el2, x9
	isb					/* fetches are untranslated from here */
	tlbi	alle2				/* 4: nothing of our translations stays */
	dsb	ish
	ic	iallu				/* no stale instructions for the kernel */
	dsb	ish
	msr	vbar_el2, xzr			/* our vectors are gone with our tables */
	msr	ttbr0_el2, xzr
	isb
	mov	x9, x2				/* 5: x0 = DT, x1..x3 = 0, as booting.rst asks */
	mov	x0, x3
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	br	x9
	.ltorg					/* the literal above, on this page */
	.balign 4096
