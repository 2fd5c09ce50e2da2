/*
 * The backdoor's fast path: GETVERSION, the call guests make most (every
 * open-vm-tools program checks for the hypervisor first), answered in the
 * exception vector without saving the guest's frame. Any other trap, and
 * any call that is not exactly the low-bandwidth GETVERSION, goes to the
 * full path (guest_sync), which gives the same answer for this call:
 * x0 = 6, x1 = magic, x2 = VMX type, x3..x5 their low 32 bits (bd_call).
 *
 * Only x9 and x10 are used, saved on the EL2 stack. Entries recognised by
 * their exact syndrome:
 *   mrs xzr, mdccsr_el0 (any Rt)  EC 0x18, ELR += 4
 *   brk #0x86                     EC 0x3c, ELR += 4 (BRK returns to itself)
 *   hvc #0x86                     EC 0x16, ELR already past it
 * A stage-2 data abort (EC 0x24), tested first, goes to hyp/vdev/mmio_fast.S:
 * a console polling its PL011 makes two a character, and the test costs the
 * DCC entry 3 instructions, BRK and HVC none.
 */
#include <arch/sysreg.h>
#include <hyp/backdoor/protocol.h>

#include <hyp/hyp.h>

/* ESR_EL2 of each entry; for the DCC read, with Rt (ISS[9:5]) cleared. */
#define ISS_SYS_MDCCSR_READ (ESR_SYS_ISS(2, 3, 0, 1, 0) | ESR_SYS_READ)
#define ESR_DCC ((ESR_EC_SYS64 << ESR_EC_SHIFT) | ESR_IL | ISS_SYS_MDCCSR_READ)
#define ESR_BRK ((ESR_EC_BRK64 << ESR_EC_SHIFT) | ESR_IL | BD_X86_IO_MAGIC)
#define ESR_HVC ((ESR_EC_HVC64 << ESR_EC_SHIFT) | ESR_IL | BD_X86_IO_MAGIC)
#define W7_LB_CALL ((BD_X86_IO_MAGIC << 32) | BD_W7_LB)

.macro MOV32 reg, value
	movz	\reg, #((\value) & 0xffff)
	movk	\reg, #(((\value) >> 16) & 0xffff), lsl #16
.endm

	.text
	.global backdoor_fast
backdoor_fast:
	stp	x9, x10, [sp, #-16]!
	mrs	x9, esr_el2
	ubfx	x10, x9, #ESR_EC_SHIFT, #6	/* a device access: hyp/vdev/mmio_fast.S */
	cmp	x10, #ESR_EC_DABT_LOW
	b.eq	mmio_fast
	bic	x10, x9, #ESR_SYS_RT_FIELD
	MOV32	x9, ESR_DCC
	cmp	x10, x9
	b.eq	advance_4
	mrs	x9, esr_el2
	MOV32	x10, ESR_BRK
	cmp	x9, x10
	b.eq	advance_4
	MOV32	x10, ESR_HVC
	cmp	x9, x10
	b.ne	slow
	mov	x9, #0
	b	check_call
advance_4:
	mov	x9, #4
check_call:
	MOV32	w10, BD_MAGIC
	cmp	w0, w10
	b.ne	slow
	and	w10, w2, #0xffff
	cmp	w10, #BD_CMD_GETVERSION
	b.ne	slow
	and	w10, w3, #0xffff
	sub	w10, w10, #(BD_PORT_LB & 0xf000)
	cmp	w10, #(BD_PORT_LB & 0xfff)
	b.ne	slow
	movz	x10, #BD_W7_LB
	movk	x10, #BD_X86_IO_MAGIC, lsl #32
	cmp	x7, x10
	b.ne	slow

	mov	x0, #BD_VERSION
	MOV32	w1, BD_MAGIC
	mov	x2, #BD_VMX_TYPE
	mov	w3, w3
	mov	w4, w4
	mov	w5, w5
	mrs	x10, elr_el2
	add	x10, x10, x9
	msr	elr_el2, x10
	mrs	x9, tpidr_el2			/* struct pcpu: count the exit */
	ldr	x10, [x9, #PCPU_FAST_EXITS]
	add	x10, x10, #1
	str	x10, [x9, #PCPU_FAST_EXITS]
	ldp	x9, x10, [sp], #16
	eret

slow:
	ldp	x9, x10, [sp], #16
	b	guest_sync_slow
