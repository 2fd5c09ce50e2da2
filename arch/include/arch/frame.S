/*
 * Save and restore of struct frame (arch/frame.h) around an exception
 * handler at EL \el. Included by each program's vector table.
 */
#include <arch/frame.h>

.macro SAVE_FRAME el
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #FRAME_X(0)]
	stp	x2, x3, [sp, #FRAME_X(2)]
	stp	x4, x5, [sp, #FRAME_X(4)]
	stp	x6, x7, [sp, #FRAME_X(6)]
	stp	x8, x9, [sp, #FRAME_X(8)]
	stp	x10, x11, [sp, #FRAME_X(10)]
	stp	x12, x13, [sp, #FRAME_X(12)]
	stp	x14, x15, [sp, #FRAME_X(14)]
	stp	x16, x17, [sp, #FRAME_X(16)]
	stp	x18, x19, [sp, #FRAME_X(18)]
	stp	x20, x21, [sp, #FRAME_X(20)]
	stp	x22, x23, [sp, #FRAME_X(22)]
	stp	x24, x25, [sp, #FRAME_X(24)]
	stp	x26, x27, [sp, #FRAME_X(26)]
	stp	x28, x29, [sp, #FRAME_X(28)]
	mrs	x0, elr_el\el
	mrs	x1, spsr_el\el
	str	x30, [sp, #FRAME_X(30)]
	stp	x0, x1, [sp, #FRAME_ELR]
.endm

.macro RESTORE_FRAME el
	ldp	x0, x1, [sp, #FRAME_ELR]
	ldr	x30, [sp, #FRAME_X(30)]
	msr	elr_el\el, x0
	msr	spsr_el\el, x1
	ldp	x0, x1, [sp, #FRAME_X(0)]
	ldp	x2, x3, [sp, #FRAME_X(2)]
	ldp	x4, x5, [sp, #FRAME_X(4)]
	ldp	x6, x7, [sp, #FRAME_X(6)]
	ldp	x8, x9, [sp, #FRAME_X(8)]
	ldp	x10, x11, [sp, #FRAME_X(10)]
	ldp	x12, x13, [sp, #FRAME_X(12)]
	ldp	x14, x15, [sp, #FRAME_X(14)]
	ldp	x16, x17, [sp, #FRAME_X(16)]
	ldp	x18, x19, [sp, #FRAME_X(18)]
	ldp	x20, x21, [sp, #FRAME_X(20)]
	ldp	x22, x23, [sp, #FRAME_X(22)]
	ldp	x24, x25, [sp, #FRAME_X(24)]
	ldp	x26, x27, [sp, #FRAME_X(26)]
	ldp	x28, x29, [sp, #FRAME_X(28)]
	add	sp, sp, #FRAME_SIZE
.endm

/* The short frame (struct caller_frame) of the vectors' fast paths. */
.macro SAVE_CALLER_FRAME
	sub	sp, sp, #CALLER_FRAME_SIZE
	stp	x0, x1, [sp, #0]
	SAVE_CALLER_FRAME_FROM_X2
.endm

/* The rest, for a vector that has already made room and saved x0, x1. */
.macro SAVE_CALLER_FRAME_FROM_X2
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x30, [sp, #144]
.endm

/* size: the whole frame to pop, when the caller frame starts a larger one
 * (hyp/vdev/mmio_fast.S), in the same one add. */
.macro RESTORE_CALLER_FRAME size=CALLER_FRAME_SIZE
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x30, [sp, #144]
	add	sp, sp, #\size
.endm

/*
 * A vector table entry that saves a frame and calls
 * \handler(struct frame *, unsigned vector_index), then returns through
 * the file's one copy of the restore code (EXCEPTION_RETURN): a whole
 * save and restore would not fit the 32 instructions of a vector slot.
 */
.macro VECTOR_ENTRY el, handler, index
	.balign 0x80
	SAVE_FRAME \el
	mov	x0, sp
	mov	x1, #\index
	bl	\handler
	b	exception_return
.endm

.macro EXCEPTION_RETURN el
exception_return:
	RESTORE_FRAME \el
	eret
.endm
