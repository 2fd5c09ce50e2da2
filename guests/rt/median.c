/*
 * The median of a benchmark's samples (rt.h): the guests' benchmarks print
 * medians, which one slow sample (an interrupt, a cold TLB) cannot move.
 */
#include "rt.h"

uint64_t median_u64(uint64_t *s, unsigned n)
{
	/* Insertion sort: benchmarks take a few hundred samples at most. */
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && s[j - 1] > s[j]; j--) {
			uint64_t t = s[j];

			s[j] = s[j - 1];
			s[j - 1] = t;
		}
	return n ? s[n / 2] : 0;
}
