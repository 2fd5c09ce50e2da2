/*
 * The register frame every exception handler of the platform saves on
 * entry: x0..x30, a slot for the interrupted context's stack pointer
 * (which the vectors do not save: a handler that needs it fills it in),
 * then ELR and SPSR of the exception level that took it. x0..x30 and sp
 * are laid out as monitor/ecam/a64_ldst.h's struct a64_ldst_cpu, so the monitor
 * emulates a trapped load or store on the frame itself.
 * arch/frame.S's SAVE_FRAME / RESTORE_FRAME macros and the C struct below
 * agree on this layout.
 */
#ifndef ARCH_FRAME_H
#define ARCH_FRAME_H

#define FRAME_X(n) ((n)*8)
#define FRAME_SP (31 * 8)
#define FRAME_ELR (32 * 8)
#define FRAME_SPSR (33 * 8)
#define FRAME_SIZE (34 * 8) /* keeps the stack 16-byte aligned */

/* The short frame of the fast paths in the vectors (hyp/vdev/mmio_fast.S,
 * monitor/ecam/fast.S): only the registers a C function may clobber,
 * x0..x18 and x30. The others are still in the CPU, where C keeps them. */
#define CALLER_FRAME_NR_X 19
#define CALLER_FRAME_SIZE (8 * (CALLER_FRAME_NR_X + 1))

#ifndef __ASSEMBLY__
#include <stdint.h>

struct frame {
	uint64_t x[31];
	uint64_t sp;
	uint64_t elr;
	uint64_t spsr;
};

_Static_assert(sizeof(struct frame) == FRAME_SIZE, "frame layout");

/* *d = *s in 17 load and store pairs: a vCPU switch copies two frames,
 * and the compiler would call memcpy, a loop, for a struct this size. */
static inline void frame_copy(struct frame *d, const struct frame *s)
{
	const uint64_t *from = (const uint64_t *)s;
	uint64_t *to = (uint64_t *)d;

	_Static_assert(sizeof(struct frame) % 16 == 0, "frame in pairs");
#pragma GCC unroll 34
	for (unsigned i = 0; i < sizeof(struct frame) / 8; i++)
		to[i] = from[i];
}

struct caller_frame {
	uint64_t x[CALLER_FRAME_NR_X];
	uint64_t x30;
};

_Static_assert(sizeof(struct caller_frame) == CALLER_FRAME_SIZE, "caller frame layout");

/* Where register r is in a caller frame: NULL for x19..x29 (still in the
 * CPU) and for 31 (SP or XZR, which the caller tells apart). */
static inline uint64_t *caller_frame_reg(struct caller_frame *cf, unsigned r)
{
	if (r < CALLER_FRAME_NR_X)
		return &cf->x[r];
	return r == 30 ? &cf->x30 : (uint64_t *)0;
}
#endif

#endif
