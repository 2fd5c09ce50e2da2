/* The CPU's random number generator (FEAT_RNG), where there is one. */
#ifndef ARCH_RNG_H
#define ARCH_RNG_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/sysreg.h>

#define NZCV_Z (1ull << 30)
#define RNDR_TRIES 16

/* A random number from RNDR; false without FEAT_RNG, or when RNDR keeps
 * saying (PSTATE.Z) that it could not produce one. */
static inline bool rndr_read(uint64_t *out)
{
	if (((read_sysreg(id_aa64isar0_el1) >> ID_AA64ISAR0_RNDR_SHIFT) & 0xf) == 0)
		return false;
	for (int tries = 0; tries < RNDR_TRIES; tries++) {
		uint64_t v, nzcv;

		__asm__ volatile("mrs %0, S3_3_C2_C4_0 /* RNDR */\n"
				 "mrs %1, nzcv"
				 : "=r"(v), "=r"(nzcv));
		if (!(nzcv & NZCV_Z)) {
			*out = v;
			return true;
		}
	}
	return false;
}

#endif
