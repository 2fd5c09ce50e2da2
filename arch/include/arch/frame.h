/*
 * The register frame every exception handler of the platform saves on
 * entry: x0..x30, then ELR and SPSR of the exception level that took it.
 * arch/frame.S's SAVE_FRAME / RESTORE_FRAME macros and the C struct below
 * agree on this layout.
 */
#ifndef ARCH_FRAME_H
#define ARCH_FRAME_H

#define FRAME_X(n) ((n)*8)
#define FRAME_ELR (31 * 8)
#define FRAME_SPSR (32 * 8)
#define FRAME_SIZE (34 * 8) /* keeps the stack 16-byte aligned */

#ifndef __ASSEMBLY__
#include <stdint.h>

struct frame {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t pad;
};

_Static_assert(sizeof(struct frame) == FRAME_SIZE, "frame layout");
#endif

#endif
