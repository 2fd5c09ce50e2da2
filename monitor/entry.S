/*
 * EL3 reset entry. Every CPU starts here at the reset vector. The primary
 * (CPU index 0) initialises the monitor's RAM and runs monitor_main; the
 * others wait in monitor_cpu_park until PSCI CPU_ON releases them.
 */
#include <arch/sysreg.h>
#include <platform.h>

	.section .text.reset, "ax"
	.global monitor_reset
monitor_reset:
	/* Known state: MMU and caches off, little-endian, no FP traps. */
	ldr	x0, =SCTLR_ELx_RES1
	msr	sctlr_el3, x0
	msr	cptr_el3, xzr
	isb

	/* CPU index from MPIDR: Aff1 * CPUS_PER_CLUSTER + Aff0. */
	mrs	x1, mpidr_el1
	and	x2, x1, #0xff
	ubfx	x3, x1, #8, #8
	mov	x4, #PLAT_CPUS_PER_CLUSTER
	madd	x19, x3, x4, x2
	/* Aff2/Aff3 are never used on this platform: such a CPU stays off. */
	ubfx	x3, x1, #16, #8
	cbnz	x3, cpu_dead
	cmp	x19, #PLAT_MAX_CPUS
	b.hs	cpu_dead

	/* Stack: the top of this CPU's slice of __stacks. */
	ldr	x0, =__stacks_end
	mov	x1, #PLAT_STACK_SIZE
	msub	x0, x19, x1, x0
	mov	sp, x0

	ldr	x0, =monitor_vectors
	msr	vbar_el3, x0
	isb

	cbnz	x19, secondary

	/* Primary: copy .data from flash, zero .bss, run the monitor. */
	ldr	x0, =__data_start
	ldr	x1, =__data_load
	ldr	x2, =__data_end
1:	cmp	x0, x2
	b.hs	2f
	ldr	x3, [x1], #8
	str	x3, [x0], #8
	b	1b
2:	ldr	x0, =__bss_start
	ldr	x2, =__bss_end
3:	cmp	x0, x2
	b.hs	4f
	str	xzr, [x0], #8
	b	3b
4:	bl	monitor_main
	b	cpu_dead

secondary:
	mov	x0, x19
	bl	monitor_cpu_park
	b	cpu_dead

cpu_dead:
	wfe
	b	cpu_dead

/*
 * void monitor_park_fresh_stack(unsigned cpu)
 * Back to the park loop on an empty stack: CPU_OFF never returns to the
 * SMC frame it came from.
 */
	.text
	.global monitor_park_fresh_stack
monitor_park_fresh_stack:
	ldr	x1, =__stacks_end
	mov	x2, #PLAT_STACK_SIZE
	msub	x1, x0, x2, x1
	mov	sp, x1
	bl	monitor_cpu_park
	b	cpu_dead

/*
 * void monitor_enter_lower(uint64_t entry, uint64_t spsr, uint64_t arg)
 * Enters the normal world with x0 = arg and every other register zero, so
 * nothing of the monitor leaks.
 */
	.global monitor_enter_lower
monitor_enter_lower:
	msr	elr_el3, x0
	msr	spsr_el3, x1
	mov	x0, x2
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	mov	x4, xzr
	mov	x5, xzr
	mov	x6, xzr
	mov	x7, xzr
	mov	x8, xzr
	mov	x9, xzr
	mov	x10, xzr
	mov	x11, xzr
	mov	x12, xzr
	mov	x13, xzr
	mov	x14, xzr
	mov	x15, xzr
	mov	x16, xzr
	mov	x17, xzr
	mov	x18, xzr
	mov	x19, xzr
	mov	x20, xzr
	mov	x21, xzr
	mov	x22, xzr
	mov	x23, xzr
	mov	x24, xzr
	mov	x25, xzr
	mov	x26, xzr
	mov	x27, xzr
	mov	x28, xzr
	mov	x29, xzr
	mov	x30, xzr
	eret
