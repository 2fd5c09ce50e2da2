/*
 * The one splitmix64 (lib/prng.h) the backdoor's cookies, the memory map's
 * placement hash and the chaos guest use: the published reference outputs,
 * and memmap_mix64() is its first output.
 */
#include <lib/mm/memmap.h>
#include <lib/prng.h>

#include "unit.h"

static void reference_sequence_from_zero(void)
{
	uint64_t s = 0;

	CHECK_EQ(splitmix64_next(&s), 0xe220a8397b1dcdafull);
	CHECK_EQ(splitmix64_next(&s), 0x6e789e6aa1b965f4ull);
	CHECK_EQ(splitmix64_next(&s), 0x06c45d188009454full);
	CHECK_EQ(s, 3 * SPLITMIX64_GAMMA);
}

static void memmap_mix64_is_the_first_output(void)
{
	static const uint64_t seeds[] = {0, 1, 42, 0x40000000, ~0ull};

	for (unsigned i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		uint64_t s = seeds[i];

		CHECK_EQ(memmap_mix64(seeds[i]), splitmix64_next(&s));
	}
	CHECK_EQ(memmap_mix64(0), 0xe220a8397b1dcdafull);
}

int main(void)
{
	RUN(reference_sequence_from_zero);
	RUN(memmap_mix64_is_the_first_output);
	UNIT_DONE();
}
