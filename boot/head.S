/*
 * Bootloader entry (NS-EL2, MMU off, x0 = DT physical address), at an
 * address the monitor chose at run time. It carries an arm64 Image header
 * so any loader that follows the Linux boot protocol can place it.
 *
 * The page-fault trick: build tables that map this image at its linked VA
 * (and not at the address it runs from), point VBAR_EL2 at the linked VA of
 * the vectors, turn the MMU on. The very next instruction fetch, still from
 * the physical address, has no translation and faults; the fault is taken
 * at the VA vector, which resumes at the same instruction's VA (vectors.S).
 */
#include <arch/mmu_el2.S>
#include <arch/sysreg.h>
#include <lib/psci.h>

#include <boot/boot_state.h>

#define ARM64_IMAGE_FLAGS_LE_4K_ANYWHERE 0xa /* LE, 4 KiB pages, any address */

	.section .head, "ax"
	.global _head
_head:
	b	_start				/* code0 */
	.long	0				/* code1 */
	.quad	0				/* text_offset */
	.quad	__image_size			/* image_size: bss included */
	.quad	ARM64_IMAGE_FLAGS_LE_4K_ANYWHERE
	.quad	0, 0, 0
	.ascii	"ARM\x64"			/* magic */
	.long	0

_start:
	msr	daifset, #0xf
	mov	x19, x0				/* DT */
	ldr	x0, =SCTLR_ELx_RES1		/* MMU off, whatever we were given */
	msr	sctlr_el2, x0
	ldr	x0, =CPTR_EL2_RES1		/* FP/SIMD untrapped: libfdt uses it */
	msr	cptr_el2, x0
	isb

	adr	x20, _head			/* where we run: physical */
	ldr	x21, =_head			/* where we are linked: virtual */
	sub	x22, x21, x20

	adrp	x0, boot_stack_top		/* PC-relative: the physical stack */
	add	x0, x0, :lo12:boot_stack_top
	mov	sp, x0

	adrp	x0, boot_state
	add	x0, x0, :lo12:boot_state
	str	x20, [x0, #BS_LOAD_PA]
	str	x21, [x0, #BS_LINK_VA]
	str	x22, [x0, #BS_DELTA]
	str	x19, [x0, #BS_DT_PA]

	mov	x0, x19
	mov	x1, x20
	bl	boot_early
	cbz	x0, early_failure

	EL2_MMU_ON_AT_VA boot_vectors
	/* This fetch faults; we continue here, at the VA. */
	bl	boot_main
	b	halt

early_failure:
	/* No console yet (the DT has not been read): just power off. */
	ldr	x0, =PSCI_SYSTEM_OFF
	smc	#0
halt:
	wfe
	b	halt
