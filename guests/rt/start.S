/*
 * Test-guest entry, as the Linux arm64 boot protocol starts a kernel: EL1,
 * MMU off, x0 = DT on the first CPU; CPUs started with PSCI CPU_ON arrive
 * at guest_secondary_entry with x0 = the context they were given.
 */
#include "stacks.h"

	.section .head, "ax"
	.global _start
_start:
#ifndef GUEST_RAW
	b	primary				/* code0 */
	.long	0
	.quad	0				/* text_offset */
	.quad	__image_size
	.quad	0xa				/* LE, 4 KiB pages, anywhere */
	.quad	0, 0, 0
	.ascii	"ARM\x64"
	.long	0
#endif
/* GUEST_RAW: no header, the code from the first byte, as a raw image. */

primary:
	mov	x19, x0
	bl	setup_cpu
	ldr	x0, =__bss_start
	ldr	x1, =__bss_end
1:	cmp	x0, x1
	b.hs	2f
	str	xzr, [x0], #8
	b	1b
2:	mov	x0, x19
	bl	guest_start
3:	wfe
	b	3b

	.global guest_secondary_entry
guest_secondary_entry:
	mov	x19, x0
	bl	setup_cpu
	mov	x0, x19
	bl	guest_secondary
4:	wfe
	b	4b

/* Stack by MPIDR Aff0, vectors, FP/SIMD enabled at EL1 and EL0. */
setup_cpu:
	mrs	x1, mpidr_el1
	and	x1, x1, #0xff
	cmp	x1, #GUEST_STACKS
	b.hs	4b
	ldr	x2, =__stacks_end
	mov	x3, #GUEST_STACK_SIZE
	msub	x2, x1, x3, x2
	mov	sp, x2
	ldr	x2, =guest_vectors
	msr	vbar_el1, x2
	mov	x2, #(3 << 20)			/* CPACR_EL1.FPEN: no FP traps */
	msr	cpacr_el1, x2
	isb
	ret
