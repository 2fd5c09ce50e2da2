/*
 * splitmix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014): a 64-bit state advanced by an odd constant,
 * each output the state mixed by xor-shifts and multiplies. Every step is
 * a bijection, so the outputs do not repeat within 2^64 calls and distinct
 * states give distinct outputs. Not for secrets: the state is the output's
 * preimage.
 */
#ifndef LIB_PRNG_H
#define LIB_PRNG_H

#include <stdint.h>

#define SPLITMIX64_GAMMA 0x9e3779b97f4a7c15ull

/* Advances *state and returns the next output. */
static inline uint64_t splitmix64_next(uint64_t *state)
{
	uint64_t z = (*state += SPLITMIX64_GAMMA);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#endif
