/*
 * The monitor and bootloader trust the memory map to never hand out memory
 * twice and to keep a map the hypervisor can read as-is: sorted, merged,
 * within capacity, and unchanged by any request that fails.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lib/mm/memmap.h>

#include "unit.h"

#define KIB 0x400ULL
#define MIB 0x100000ULL
#define GIB 0x40000000ULL

static struct memmap map, saved;

#define EXPECT_REGION(m, i, b, s, t)             \
	do {                                     \
		CHECK_EQ((m)->r[(i)].base, (b)); \
		CHECK_EQ((m)->r[(i)].size, (s)); \
		CHECK_EQ((m)->r[(i)].type, (t)); \
	} while (0)

/* The invariants the header promises, checked after every change. */
static bool map_valid(const struct memmap *m)
{
	uint32_t i;

	if (m->count > MEMMAP_MAX)
		return false;
	for (i = 0; i < m->count; i++) {
		const struct mem_region *r = &m->r[i];

		if (r->size == 0 || r->size > UINT64_MAX - r->base ||
		    r->type >= MEM_TYPE_COUNT)
			return false;
		if (i > 0) {
			const struct mem_region *p = &m->r[i - 1];
			uint64_t pend = p->base + p->size;

			if (pend > r->base)
				return false;
			if (pend == r->base && p->type == r->type)
				return false;
		}
	}
	for (; i < MEMMAP_MAX; i++) {
		if (m->r[i].base || m->r[i].size || m->r[i].type)
			return false;
	}
	return true;
}

static void save(void)
{
	saved = map;
}

static bool unchanged(void)
{
	return memcmp(&map, &saved, sizeof(map)) == 0;
}

/* True when [base, base + size) lies wholly inside one free region. */
static bool inside_free(const struct memmap *m, uint64_t base, uint64_t size)
{
	uint32_t i;

	for (i = 0; i < m->count; i++) {
		const struct mem_region *r = &m->r[i];

		if (r->type == MEM_FREE && base >= r->base && size <= r->size &&
		    base - r->base <= r->size - size)
			return true;
	}
	return false;
}

static void add_ram_sorted_and_merged(void)
{
	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, 0x80000000, GIB), 0);
	CHECK_EQ(memmap_add_ram(&map, 0x40000000, 256 * MIB), 0);
	CHECK_EQ(memmap_add_ram(&map, 0x100000000ULL, 4 * GIB), 0);
	CHECK(map_valid(&map));
	CHECK_EQ(map.count, 3);
	EXPECT_REGION(&map, 0, 0x40000000, 256 * MIB, MEM_FREE);
	EXPECT_REGION(&map, 1, 0x80000000, GIB, MEM_FREE);
	EXPECT_REGION(&map, 2, 0x100000000ULL, 4 * GIB, MEM_FREE);

	/* Touching the end of one region extends it. */
	CHECK_EQ(memmap_add_ram(&map, 0x50000000, 256 * MIB), 0);
	CHECK_EQ(map.count, 3);
	EXPECT_REGION(&map, 0, 0x40000000, 512 * MIB, MEM_FREE);

	/* Touching the start of one region extends it downwards. */
	CHECK_EQ(memmap_add_ram(&map, 0x30000000, 256 * MIB), 0);
	CHECK_EQ(map.count, 3);
	EXPECT_REGION(&map, 0, 0x30000000, 768 * MIB, MEM_FREE);

	/* Filling the gap between two regions bridges them into one. */
	CHECK_EQ(memmap_add_ram(&map, 0x60000000, 512 * MIB), 0);
	CHECK(map_valid(&map));
	CHECK_EQ(map.count, 2);
	EXPECT_REGION(&map, 0, 0x30000000, 0x90000000ULL, MEM_FREE);
	EXPECT_REGION(&map, 1, 0x100000000ULL, 4 * GIB, MEM_FREE);
	CHECK_EQ(memmap_total(&map, MEM_FREE), 0x90000000ULL + 4 * GIB);

	/* RAM touching a reserved region stays separate: types differ. */
	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, 0x1000, 0x1000), 0);
	CHECK_EQ(memmap_reserve(&map, 0x1000, 0x1000, MEM_DT), 0);
	CHECK_EQ(memmap_add_ram(&map, 0x2000, 0x1000), 0);
	CHECK(map_valid(&map));
	CHECK_EQ(map.count, 2);
	EXPECT_REGION(&map, 0, 0x1000, 0x1000, MEM_DT);
	EXPECT_REGION(&map, 1, 0x2000, 0x1000, MEM_FREE);
}

static void add_ram_overlap_refused(void)
{
	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, 0x10000, 0x10000), 0);
	CHECK_EQ(memmap_add_ram(&map, 0x40000, 0x10000), 0);
	CHECK_EQ(memmap_reserve(&map, 0x40000, 0x1000, MEM_RESERVED), 0);
	save();

	CHECK_EQ(memmap_add_ram(&map, 0x10000, 0x10000), MEMMAP_E_OVERLAP);
	CHECK_EQ(memmap_add_ram(&map, 0x8000, 0x9000), MEMMAP_E_OVERLAP);
	CHECK_EQ(memmap_add_ram(&map, 0x1f000, 0x2000), MEMMAP_E_OVERLAP);
	CHECK_EQ(memmap_add_ram(&map, 0x12000, 0x1000), MEMMAP_E_OVERLAP);
	CHECK_EQ(memmap_add_ram(&map, 0x0, 0x100000), MEMMAP_E_OVERLAP);
	/* Overlap with used RAM is refused just the same. */
	CHECK_EQ(memmap_add_ram(&map, 0x3f000, 0x2000), MEMMAP_E_OVERLAP);
	CHECK(unchanged());

	CHECK_EQ(memmap_add_ram(&map, 0x20000, 0x0), MEMMAP_E_ALIGN);
	CHECK(unchanged());
}

/* One free region of 1 MiB at 16 MiB, reserved in one spot. */
static void one_region_reserve(uint64_t base, uint64_t size)
{
	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, 16 * MIB, MIB), 0);
	CHECK_EQ(memmap_reserve(&map, base, size, MEM_DT), 0);
	CHECK(map_valid(&map));
	CHECK_EQ(memmap_total(&map, MEM_DT), size);
	CHECK_EQ(memmap_total(&map, MEM_FREE), MIB - size);
}

static void reserve_start_middle_end(void)
{
	one_region_reserve(16 * MIB, 64 * KIB);
	CHECK_EQ(map.count, 2);
	EXPECT_REGION(&map, 0, 16 * MIB, 64 * KIB, MEM_DT);
	EXPECT_REGION(&map, 1, 16 * MIB + 64 * KIB, MIB - 64 * KIB, MEM_FREE);

	one_region_reserve(16 * MIB + 256 * KIB, 64 * KIB);
	CHECK_EQ(map.count, 3);
	EXPECT_REGION(&map, 0, 16 * MIB, 256 * KIB, MEM_FREE);
	EXPECT_REGION(&map, 1, 16 * MIB + 256 * KIB, 64 * KIB, MEM_DT);
	EXPECT_REGION(&map, 2, 16 * MIB + 320 * KIB, 704 * KIB, MEM_FREE);

	one_region_reserve(17 * MIB - 64 * KIB, 64 * KIB);
	CHECK_EQ(map.count, 2);
	EXPECT_REGION(&map, 0, 16 * MIB, MIB - 64 * KIB, MEM_FREE);
	EXPECT_REGION(&map, 1, 17 * MIB - 64 * KIB, 64 * KIB, MEM_DT);

	one_region_reserve(16 * MIB, MIB);
	CHECK_EQ(map.count, 1);
	EXPECT_REGION(&map, 0, 16 * MIB, MIB, MEM_DT);
}

static void reserve_across_two_regions(void)
{
	/* Free RAM at [1M, 2M) and [3M, 4M) with a hole in between. */
	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, 1 * MIB, MIB), 0);
	CHECK_EQ(memmap_add_ram(&map, 3 * MIB, MIB), 0);
	CHECK_EQ(memmap_reserve(&map, 1 * MIB + 512 * KIB, 2 * MIB, MEM_BOOT_IMAGE), 0);
	CHECK(map_valid(&map));
	CHECK_EQ(map.count, 4);
	EXPECT_REGION(&map, 0, 1 * MIB, 512 * KIB, MEM_FREE);
	EXPECT_REGION(&map, 1, 1 * MIB + 512 * KIB, 512 * KIB, MEM_BOOT_IMAGE);
	EXPECT_REGION(&map, 2, 3 * MIB, 512 * KIB, MEM_BOOT_IMAGE);
	EXPECT_REGION(&map, 3, 3 * MIB + 512 * KIB, 512 * KIB, MEM_FREE);
	/* Only the RAM part is counted: the hole is not memory. */
	CHECK_EQ(memmap_total(&map, MEM_BOOT_IMAGE), MIB);

	/* A reservation touching one of the same type merges with it. */
	CHECK_EQ(memmap_reserve(&map, 1 * MIB + 256 * KIB, 256 * KIB, MEM_BOOT_IMAGE), 0);
	CHECK_EQ(memmap_reserve(&map, 3 * MIB + 512 * KIB, 512 * KIB, MEM_BOOT_IMAGE), 0);
	CHECK(map_valid(&map));
	CHECK_EQ(map.count, 3);
	EXPECT_REGION(&map, 0, 1 * MIB, 256 * KIB, MEM_FREE);
	EXPECT_REGION(&map, 1, 1 * MIB + 256 * KIB, 768 * KIB, MEM_BOOT_IMAGE);
	EXPECT_REGION(&map, 2, 3 * MIB, MIB, MEM_BOOT_IMAGE);

	/* Freeing the middle of a sandwich then filling it bridges both. */
	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, 0, 3 * MIB), 0);
	CHECK_EQ(memmap_reserve(&map, 0, MIB, MEM_HYP_DATA), 0);
	CHECK_EQ(memmap_reserve(&map, 2 * MIB, MIB, MEM_HYP_DATA), 0);
	CHECK_EQ(map.count, 3);
	CHECK_EQ(memmap_reserve(&map, MIB, MIB, MEM_HYP_DATA), 0);
	CHECK(map_valid(&map));
	CHECK_EQ(map.count, 1);
	EXPECT_REGION(&map, 0, 0, 3 * MIB, MEM_HYP_DATA);
}

static void reserve_outside_ram(void)
{
	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, 0x40000000, GIB), 0);
	save();

	/* Wholly outside RAM: accepted, nothing to mark. */
	CHECK_EQ(memmap_reserve(&map, 0x1000, 0x1000, MEM_RESERVED), 0);
	CHECK_EQ(memmap_reserve(&map, 0x80000000, GIB, MEM_RESERVED), 0);
	CHECK(unchanged());

	/* Straddling the start and end of RAM: only the RAM part changes. */
	CHECK_EQ(memmap_reserve(&map, 0x3ff00000, 2 * MIB, MEM_RESERVED), 0);
	CHECK_EQ(memmap_reserve(&map, 0x7ff00000, 2 * MIB, MEM_DT), 0);
	CHECK(map_valid(&map));
	CHECK_EQ(map.count, 3);
	EXPECT_REGION(&map, 0, 0x40000000, MIB, MEM_RESERVED);
	EXPECT_REGION(&map, 1, 0x40100000, GIB - 2 * MIB, MEM_FREE);
	EXPECT_REGION(&map, 2, 0x7ff00000, MIB, MEM_DT);
}

static void reserve_busy_refused(void)
{
	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, 0x40000000, GIB), 0);
	CHECK_EQ(memmap_add_ram(&map, 0x100000000ULL, GIB), 0);
	CHECK_EQ(memmap_reserve(&map, 0x48000000, 16 * MIB, MEM_DT), 0);
	save();

	CHECK_EQ(memmap_reserve(&map, 0x48000000, 16 * MIB, MEM_DT), MEMMAP_E_BUSY);
	CHECK_EQ(memmap_reserve(&map, 0x48800000, 0x1000, MEM_PAYLOAD), MEMMAP_E_BUSY);
	/* Mostly free, but the last byte is used: nothing may change. */
	CHECK_EQ(memmap_reserve(&map, 0x40000000, 0x08000001, MEM_PAYLOAD),
		 MEMMAP_E_BUSY);
	/* Spanning free RAM in another region and the busy part. */
	CHECK_EQ(memmap_reserve(&map, 0x48fff000, 0x100000000ULL, MEM_PAYLOAD),
		 MEMMAP_E_BUSY);
	CHECK(unchanged());

	/* Bad arguments are refused before anything is touched. */
	CHECK_EQ(memmap_reserve(&map, 0x50000000, 0x1000, MEM_FREE), MEMMAP_E_TYPE);
	CHECK_EQ(memmap_reserve(&map, 0x50000000, 0x1000, MEM_TYPE_COUNT), MEMMAP_E_TYPE);
	CHECK_EQ(memmap_reserve(&map, 0x50000000, 0, MEM_DT), MEMMAP_E_ALIGN);
	CHECK(unchanged());
}

static void alloc_alignment(void)
{
	uint64_t a;

	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, 0x40000000, 0x3f0ff000), 0);

	a = memmap_alloc(&map, 0x1000, 2 * MIB, MEM_HYP_TABLES);
	CHECK(a != 0);
	CHECK_EQ(a & (2 * MIB - 1), 0);
	CHECK(a >= 0x40000000 && a + 0x1000 <= 0x7f0ff000);

	/* Sizes round up to whole pages, and bases are page-aligned. */
	a = memmap_alloc(&map, 1, 1, MEM_HYP_DATA);
	CHECK(a != 0);
	CHECK_EQ(a & 0xfff, 0);
	CHECK_EQ(memmap_total(&map, MEM_HYP_DATA), 0x1000);
	a = memmap_alloc(&map, 0x1001, 16, MEM_HYP_DATA);
	CHECK_EQ(a & 0xfff, 0);
	CHECK_EQ(memmap_total(&map, MEM_HYP_DATA), 0x3000);
	CHECK(map_valid(&map));

	save();
	CHECK_EQ(memmap_alloc(&map, 0x1000, 3 * 0x1000, MEM_HYP_DATA), 0);
	CHECK_EQ(memmap_alloc(&map, 0x1000, 0, MEM_HYP_DATA), 0);
	CHECK_EQ(memmap_alloc(&map, 0, 0x1000, MEM_HYP_DATA), 0);
	CHECK_EQ(memmap_alloc(&map, 0x1000, 0x1000, MEM_FREE), 0);
	CHECK(unchanged());
}

static void alloc_highest_fit(void)
{
	uint64_t a;

	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, 0x40000000, 64 * MIB), 0);
	CHECK_EQ(memmap_add_ram(&map, 0x80000000, 2 * MIB), 0);

	a = memmap_alloc(&map, 0x3000, 0x1000, MEM_HYP_IMAGE);
	CHECK_EQ(a, 0x80200000 - 0x3000);
	/* The top is taken; the next block sits right below it. */
	a = memmap_alloc(&map, 0x1000, 0x1000, MEM_HYP_IMAGE);
	CHECK_EQ(a, 0x80200000 - 0x4000);
	CHECK(map_valid(&map));
	CHECK_EQ(map.count, 3);

	/* Too big for the high region: falls to the top of the low one. */
	a = memmap_alloc(&map, 4 * MIB, 0x1000, MEM_PAYLOAD);
	CHECK_EQ(a, 0x44000000 - 4 * MIB);
	/* Alignment moves the block below the top of the free part. */
	a = memmap_alloc(&map, 0x1000, MIB, MEM_PAYLOAD);
	CHECK_EQ(a, 0x80100000);
	CHECK(map_valid(&map));
}

static void alloc_exhaustion(void)
{
	int i;

	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, 0x10000, 0x4000), 0);
	for (i = 0; i < 4; i++)
		CHECK_EQ(memmap_alloc(&map, 0x1000, 0x1000, MEM_HYP_DATA),
			 0x13000 - 0x1000 * i);
	CHECK(map_valid(&map));
	save();
	CHECK_EQ(memmap_alloc(&map, 0x1000, 0x1000, MEM_HYP_DATA), 0);
	CHECK(unchanged());
	CHECK_EQ(map.count, 1);
	CHECK_EQ(memmap_total(&map, MEM_FREE), 0);
	CHECK_EQ(memmap_total(&map, MEM_HYP_DATA), 0x4000);

	/* Memory exists but is too small or too fragmented. */
	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, 0x10000, 0x2000), 0);
	CHECK_EQ(memmap_add_ram(&map, 0x20000, 0x2000), 0);
	CHECK_EQ(memmap_alloc(&map, 0x3000, 0x1000, MEM_HYP_DATA), 0);

	/* A block at 0 could not be told from failure, so it is refused. */
	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, 0, 0x1000), 0);
	CHECK_EQ(memmap_alloc(&map, 0x1000, 0x1000, MEM_HYP_DATA), 0);
	CHECK_EQ(map.count, 1);
	CHECK_EQ(map.r[0].type, MEM_FREE);
}

/* n free regions of 64 KiB from 1 MiB, each followed by a 64 KiB hole. */
static void fill_map(uint32_t n)
{
	uint32_t i;

	memmap_init(&map);
	for (i = 0; i < n; i++)
		CHECK_EQ(memmap_add_ram(&map, 0x100000 + i * 0x20000, 0x10000), 0);
	CHECK_EQ(map.count, n);
}

static void table_full_unchanged(void)
{
	fill_map(MEMMAP_MAX);
	save();

	CHECK_EQ(memmap_add_ram(&map, 0x10000, 0x1000), MEMMAP_E_FULL);
	CHECK_EQ(memmap_reserve(&map, 0x104000, 0x1000, MEM_DT), MEMMAP_E_FULL);
	CHECK_EQ(memmap_reserve(&map, 0x100000, 0x1000, MEM_DT), MEMMAP_E_FULL);
	/* Two pieces, each adding a region. */
	CHECK_EQ(memmap_reserve(&map, 0x10f000, 0x12000, MEM_DT), MEMMAP_E_FULL);
	CHECK_EQ(memmap_alloc(&map, 0x1000, 0x1000, MEM_DT), 0);
	CHECK(unchanged());

	/* Changes that need no extra slot still work when full. */
	CHECK_EQ(memmap_add_ram(&map, 0x110000, 0x1000), 0);
	CHECK_EQ(memmap_reserve(&map, 0x120000, 0x10000, MEM_DT), 0);
	CHECK_EQ(map.count, MEMMAP_MAX);
	CHECK(map_valid(&map));
	/* A whole region is still allocatable: it only changes type. */
	CHECK_EQ(memmap_alloc(&map, 0x10000, 0x1000, MEM_DT),
		 0x100000 + (MEMMAP_MAX - 1) * 0x20000);
	CHECK(map_valid(&map));
}

/* A VM's RAM back as free RAM when it ends: merged with the free RAM it
 * touches, its neighbours' RAM untouched, nothing changed on refusal. */
static void release_merges_and_refuses(void)
{
	uint64_t a, b, c;

	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, GIB, GIB), 0);
	CHECK_EQ(memmap_reserve(&map, GIB, 16 * MIB, MEM_HYP_IMAGE), 0);
	a = memmap_alloc(&map, 64 * MIB, 2 * MIB, MEM_GUEST);
	b = memmap_alloc(&map, 32 * MIB, 2 * MIB, MEM_GUEST);
	c = memmap_alloc(&map, 32 * MIB, 2 * MIB, MEM_GUEST);
	CHECK(a && b && c);
	CHECK_EQ(map.count, 3); /* hyp, free, the three guests in one region */
	save();

	/* Not RAM of that type, partly outside it, free RAM, bad arguments. */
	CHECK_EQ(memmap_release(&map, GIB, 16 * MIB, MEM_GUEST), MEMMAP_E_MISMATCH);
	CHECK_EQ(memmap_release(&map, c - 4096, 32 * MIB, MEM_GUEST), MEMMAP_E_MISMATCH);
	CHECK_EQ(memmap_release(&map, a, 64 * MIB + 4096, MEM_GUEST), MEMMAP_E_MISMATCH);
	CHECK_EQ(memmap_release(&map, GIB + 16 * MIB, MIB, MEM_GUEST), MEMMAP_E_MISMATCH);
	CHECK_EQ(memmap_release(&map, 0, MIB, MEM_GUEST), MEMMAP_E_MISMATCH);
	CHECK_EQ(memmap_release(&map, a, 0, MEM_GUEST), MEMMAP_E_ALIGN);
	CHECK_EQ(memmap_release(&map, UINT64_MAX, 2, MEM_GUEST), MEMMAP_E_RANGE);
	CHECK_EQ(memmap_release(&map, a, MIB, MEM_FREE), MEMMAP_E_TYPE);
	CHECK(unchanged());

	/* The middle VM: a free hole between the other two. */
	CHECK_EQ(memmap_release(&map, b, 32 * MIB, MEM_GUEST), 0);
	CHECK(map_valid(&map));
	CHECK_EQ(map.count, 5);
	CHECK(inside_free(&map, b, 32 * MIB));
	CHECK_EQ(memmap_total(&map, MEM_GUEST), 96 * MIB);
	CHECK_EQ(memmap_release(&map, b, 32 * MIB, MEM_GUEST), MEMMAP_E_MISMATCH);

	/* The lowest one has free RAM on both sides now: all three merge. */
	CHECK_EQ(memmap_release(&map, c, 32 * MIB, MEM_GUEST), 0);
	CHECK(map_valid(&map));
	CHECK_EQ(map.count, 3);
	EXPECT_REGION(&map, 1, GIB + 16 * MIB, a - GIB - 16 * MIB, MEM_FREE);
	/* The last: everything free again in one piece above the image. */
	CHECK_EQ(memmap_release(&map, a, 64 * MIB, MEM_GUEST), 0);
	CHECK(map_valid(&map));
	CHECK_EQ(map.count, 2);
	EXPECT_REGION(&map, 1, GIB + 16 * MIB, GIB - 16 * MIB, MEM_FREE);

	/* A full table: a release that splits a region is refused whole;
	 * one that frees a region in place needs no slot. */
	fill_map(MEMMAP_MAX);
	CHECK_EQ(memmap_reserve(&map, 0x100000, 0x10000, MEM_GUEST), 0);
	save();
	CHECK_EQ(memmap_release(&map, 0x104000, 0x1000, MEM_GUEST), MEMMAP_E_FULL);
	CHECK(unchanged());
	CHECK_EQ(memmap_release(&map, 0x100000, 0x10000, MEM_GUEST), 0);
	CHECK(map_valid(&map));
	CHECK_EQ(map.count, MEMMAP_MAX);
}

static void table_full_mixed_pieces(void)
{
	/*
	 * [A: free][hole][B: free][C: dt] and the map full. Reserving from
	 * the middle of A up to C as dt splits A (+1) and folds B into C
	 * (-1): the result fits, but only if the fold is done first.
	 */
	fill_map(MEMMAP_MAX - 1);
	CHECK_EQ(memmap_reserve(&map, 0x128000, 0x8000, MEM_DT), 0);
	CHECK_EQ(map.count, MEMMAP_MAX);

	CHECK_EQ(memmap_reserve(&map, 0x108000, 0x20000, MEM_DT), 0);
	CHECK(map_valid(&map));
	CHECK_EQ(map.count, MEMMAP_MAX);
	EXPECT_REGION(&map, 0, 0x100000, 0x8000, MEM_FREE);
	EXPECT_REGION(&map, 1, 0x108000, 0x8000, MEM_DT);
	EXPECT_REGION(&map, 2, 0x120000, 0x10000, MEM_DT);
	EXPECT_REGION(&map, 3, 0x140000, 0x10000, MEM_FREE);
	CHECK_EQ(memmap_total(&map, MEM_DT), 0x18000);
}

static void pick_properties(void)
{
	uint64_t seed, a, b;
	const uint64_t size = 200 * KIB, align = 0x1000;
	uint32_t bad = 0;

	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, 0x40000000, GIB), 0);
	CHECK_EQ(memmap_add_ram(&map, 0x100000000ULL, 64 * MIB), 0);
	CHECK_EQ(memmap_reserve(&map, 0x40000000, 256 * MIB, MEM_RESERVED), 0);
	CHECK_EQ(memmap_reserve(&map, 0x60000000, 16 * MIB, MEM_DT), 0);
	CHECK_EQ(memmap_reserve(&map, 0x100100000ULL, 1 * MIB, MEM_PAYLOAD), 0);
	save();

	for (seed = 0; seed < 5000; seed++) {
		if (memmap_pick(&map, size, align, seed, &a) != 0) {
			bad++;
			continue;
		}
		if (a & (align - 1))
			bad++;
		if (!inside_free(&map, a, size))
			bad++;
		if (memmap_pick(&map, size, align, seed, &b) != 0 || a != b)
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK(unchanged());

	CHECK_EQ(memmap_pick(&map, 0, align, 1, &a), MEMMAP_E_ALIGN);
	CHECK_EQ(memmap_pick(&map, size, 0x3000, 1, &a), MEMMAP_E_ALIGN);
	CHECK_EQ(memmap_pick(&map, size, 0, 1, &a), MEMMAP_E_ALIGN);
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return (a > b) - (a < b);
}

static void pick_spread(void)
{
	static uint64_t got[1000];
	uint32_t i, distinct = 1;

	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, 0x40000000, GIB), 0);
	for (i = 0; i < 1000; i++)
		CHECK_EQ(memmap_pick(&map, 200 * KIB, 0x1000, i, &got[i]), 0);
	qsort(got, 1000, sizeof(got[0]), cmp_u64);
	for (i = 1; i < 1000; i++)
		distinct += got[i] != got[i - 1];
	CHECK(distinct >= 990);
	/* Both ends of the range are reachable, not just the middle. */
	CHECK(got[0] < 0x40000000 + GIB / 8);
	CHECK(got[999] > 0x40000000 + GIB - GIB / 8);
}

static void pick_covers_small_set(void)
{
	uint32_t hits[8] = {0};
	uint64_t seed, a;
	uint32_t i, bad = 0;

	/*
	 * 7 candidates in the first region (0x10000..0x16000) and 1 in the
	 * second (0x40000). Uniform over candidates gives each about 125
	 * of 1000; choosing a region first would give the lone one ~500.
	 */
	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, 0x10000, 0x7800), 0);
	CHECK_EQ(memmap_add_ram(&map, 0x40000, 0x1800), 0);
	for (seed = 0; seed < 1000; seed++) {
		if (memmap_pick(&map, 0x1000, 0x1000, seed, &a) != 0) {
			bad++;
			continue;
		}
		if (a >= 0x10000 && a <= 0x16000 && (a & 0xfff) == 0)
			hits[(a - 0x10000) >> 12]++;
		else if (a == 0x40000)
			hits[7]++;
		else
			bad++;
	}
	CHECK_EQ(bad, 0);
	for (i = 0; i < 8; i++) {
		CHECK(hits[i] > 0);
		CHECK(hits[i] >= 62 && hits[i] <= 250);
	}
}

static void exact_fit(void)
{
	uint64_t a = 0, seed;
	uint32_t bad = 0;

	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, 0x40000000, 0x10000), 0);
	CHECK_EQ(memmap_add_ram(&map, 0x50000000, 0x8000), 0);
	CHECK_EQ(memmap_reserve(&map, 0x40000000, 0x8000, MEM_DT), 0);
	CHECK_EQ(memmap_reserve(&map, 0x50000000, 0x1000, MEM_DT), 0);

	/* Only [0x40008000, 0x40010000) holds 32 KiB: one candidate. */
	for (seed = 0; seed < 100; seed++) {
		if (memmap_pick(&map, 0x8000, 0x1000, seed, &a) != 0 || a != 0x40008000)
			bad++;
	}
	CHECK_EQ(bad, 0);

	CHECK_EQ(memmap_alloc(&map, 0x8000, 0x1000, MEM_HYP_IMAGE), 0x40008000);
	CHECK(map_valid(&map));
	EXPECT_REGION(&map, 1, 0x40008000, 0x8000, MEM_HYP_IMAGE);
	CHECK_EQ(memmap_pick(&map, 0x8000, 0x1000, 0, &a), MEMMAP_E_NOSPACE);
}

static void nothing_fits(void)
{
	uint64_t a = 0x1234;

	memmap_init(&map);
	CHECK_EQ(memmap_pick(&map, 0x1000, 0x1000, 7, &a), MEMMAP_E_NOSPACE);

	CHECK_EQ(memmap_add_ram(&map, 0x1000, 0x2000), 0);
	CHECK_EQ(memmap_pick(&map, 0x3000, 0x1000, 7, &a), MEMMAP_E_NOSPACE);
	/* Big enough, but no aligned base leaves room for the block. */
	CHECK_EQ(memmap_pick(&map, 0x1800, 0x2000, 7, &a), MEMMAP_E_NOSPACE);
	CHECK_EQ(memmap_pick(&map, UINT64_MAX, 1, 7, &a), MEMMAP_E_NOSPACE);
	/* Used memory is not a candidate. */
	CHECK_EQ(memmap_reserve(&map, 0x1000, 0x2000, MEM_RESERVED), 0);
	CHECK_EQ(memmap_pick(&map, 0x1000, 0x1000, 7, &a), MEMMAP_E_NOSPACE);
	CHECK_EQ(a, 0x1234);
	CHECK_EQ(memmap_alloc(&map, 0x1000, 0x1000, MEM_DT), 0);
}

static void wrap_near_top(void)
{
	const uint64_t top = UINT64_MAX;
	uint64_t a, seed;
	uint32_t bad = 0;

	memmap_init(&map);
	/* Ending at 2^64 or beyond wraps the end address. */
	CHECK_EQ(memmap_add_ram(&map, top - 0xfff, 0x1000), MEMMAP_E_RANGE);
	CHECK_EQ(memmap_add_ram(&map, top - 0xfff, 0x2000), MEMMAP_E_RANGE);
	CHECK_EQ(memmap_add_ram(&map, 0x1000, top), MEMMAP_E_RANGE);
	CHECK_EQ(memmap_reserve(&map, top - 0xfff, 0x1000, MEM_DT), MEMMAP_E_RANGE);
	CHECK_EQ(memmap_reserve(&map, 1, top, MEM_DT), MEMMAP_E_RANGE);
	CHECK_EQ(map.count, 0);

	/* Ending at UINT64_MAX is representable and accepted. */
	CHECK_EQ(memmap_add_ram(&map, top - 0x200000, 0x200000), 0);
	CHECK(map_valid(&map));
	for (seed = 0; seed < 2000; seed++) {
		if (memmap_pick(&map, 0x1000, 0x1000, seed, &a) != 0) {
			bad++;
			continue;
		}
		if ((a & 0xfff) || a < top - 0x200000 || a > top - 0x1000 ||
		    !inside_free(&map, a, 0x1000))
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(memmap_pick(&map, 0x200001, 1, 0, &a), MEMMAP_E_NOSPACE);

	/* Aligning the base up would wrap: no candidate, no wrap. */
	CHECK_EQ(memmap_pick(&map, 0x10, 1ULL << 63, 0, &a), MEMMAP_E_NOSPACE);

	CHECK_EQ(memmap_alloc(&map, 0x1000, 0x1000, MEM_HYP_DATA), top - 0x1fff);
	CHECK_EQ(memmap_alloc(&map, top, 0x1000, MEM_HYP_DATA), 0);
	CHECK_EQ(memmap_alloc(&map, top - 0xfff, 0x1000, MEM_HYP_DATA), 0);
	CHECK(map_valid(&map));

	/* Only a sliver below the top, smaller than one alignment step. */
	memmap_init(&map);
	CHECK_EQ(memmap_add_ram(&map, top - 0x800, 0x800), 0);
	CHECK_EQ(memmap_pick(&map, 0x10, 0x1000, 0, &a), MEMMAP_E_NOSPACE);
	CHECK_EQ(memmap_pick(&map, 0x10, 0x10, 3, &a), 0);
	CHECK(a >= top - 0x800 && a <= top - 0x10 && (a & 0xf) == 0);
}

static void mixer_quality(void)
{
	uint64_t x, total = 0;
	int bit, i;

	CHECK(memmap_mix64(0) != 0);
	CHECK(memmap_mix64(1) != memmap_mix64(2));
	CHECK_EQ(memmap_mix64(12345), memmap_mix64(12345));

	/* Flipping any one input bit should flip about half the output. */
	for (i = 0; i < 64; i++) {
		x = memmap_mix64((uint64_t)i * 0x1000193);
		for (bit = 0; bit < 64; bit++) {
			uint64_t d = memmap_mix64(x) ^ memmap_mix64(x ^ (1ULL << bit));

			total += (uint64_t)__builtin_popcountll(d);
		}
	}
	/* 4096 trials; the mean flip count must be close to 32. */
	CHECK(total > 4096 * 30 && total < 4096 * 34);
}

static void names_and_errors(void)
{
	static const int codes[] = {MEMMAP_E_FULL,    MEMMAP_E_OVERLAP, MEMMAP_E_BUSY,
				    MEMMAP_E_NOSPACE, MEMMAP_E_ALIGN,	MEMMAP_E_RANGE,
				    MEMMAP_E_TYPE,    MEMMAP_E_MISMATCH};
	uint32_t i, j;

	CHECK(strcmp(mem_type_name(MEM_FREE), "free") == 0);
	CHECK(strcmp(mem_type_name(MEM_RESERVED), "reserved") == 0);
	CHECK(strcmp(mem_type_name(MEM_DT), "dt") == 0);
	CHECK(strcmp(mem_type_name(MEM_TYPE_COUNT), "unknown") == 0);
	for (i = 0; i < MEM_TYPE_COUNT; i++) {
		CHECK(mem_type_name(i) != NULL);
		for (j = 0; j < i; j++)
			CHECK(strcmp(mem_type_name(i), mem_type_name(j)) != 0);
	}

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		CHECK(codes[i] < 0);
		CHECK(strcmp(memmap_strerror(codes[i]), "unknown error") != 0);
		for (j = 0; j < i; j++) {
			CHECK(codes[i] != codes[j]);
			CHECK(strcmp(memmap_strerror(codes[i]),
				     memmap_strerror(codes[j])) != 0);
		}
	}
	CHECK(strcmp(memmap_strerror(-1000), "unknown error") == 0);
}

/* reserve_free: only the free parts of the range change. */
static void reserve_free_skips_busy_parts(void)
{
	struct memmap m;

	memmap_init(&m);
	CHECK_EQ(memmap_add_ram(&m, 0x40000000, 0x100000), 0);
	CHECK_EQ(memmap_reserve(&m, 0x40010000, 0x8000, MEM_DT), 0);
	/* Overlaps the DT and goes past it on both sides. */
	CHECK_EQ(memmap_reserve_free(&m, 0x40008000, 0x18000, MEM_RESERVED), 0);
	CHECK_EQ(m.count, 5);
	CHECK_EQ(m.r[1].base, 0x40008000);
	CHECK_EQ(m.r[1].size, 0x8000);
	CHECK_EQ(m.r[1].type, MEM_RESERVED);
	CHECK_EQ(m.r[2].type, MEM_DT);
	CHECK_EQ(m.r[2].size, 0x8000);
	CHECK_EQ(m.r[3].base, 0x40018000);
	CHECK_EQ(m.r[3].size, 0x8000);
	CHECK_EQ(m.r[3].type, MEM_RESERVED);
	CHECK_EQ(memmap_total(&m, MEM_RESERVED), 0x10000);
}

static void reserve_free_of_busy_or_outside_changes_nothing(void)
{
	struct memmap m, before;

	memmap_init(&m);
	CHECK_EQ(memmap_add_ram(&m, 0x40000000, 0x100000), 0);
	CHECK_EQ(memmap_reserve(&m, 0x40010000, 0x8000, MEM_DT), 0);
	before = m;
	CHECK_EQ(memmap_reserve_free(&m, 0x40010000, 0x8000, MEM_RESERVED), 0);
	CHECK_EQ(memmap_reserve_free(&m, 0x80000000, 0x1000, MEM_RESERVED), 0);
	CHECK(memcmp(&m, &before, sizeof(m)) == 0);
	CHECK_EQ(memmap_reserve_free(&m, 0x40000000, 0, MEM_RESERVED), MEMMAP_E_ALIGN);
	CHECK_EQ(memmap_reserve_free(&m, 0x40000000, 0x1000, MEM_FREE), MEMMAP_E_TYPE);
}

/* covers: RAM of any type, across touching regions, never a hole. */
static void covers_ram_only(void)
{
	struct memmap m;

	memmap_init(&m);
	CHECK(!memmap_covers(&m, 0x40000000, 4));
	CHECK_EQ(memmap_add_ram(&m, 0x40000000, GIB), 0);
	CHECK_EQ(memmap_add_ram(&m, 0x100000000ULL, GIB), 0);
	CHECK_EQ(memmap_reserve(&m, 0x40001000, 0x1000, MEM_DT), 0);
	CHECK(memmap_covers(&m, 0x40000000, 4));
	CHECK(memmap_covers(&m, 0x40001ffc, 4));
	CHECK(memmap_covers(&m, 0x40000ffc, 8)); /* free then dt */
	CHECK(memmap_covers(&m, 0x40000000, GIB));
	CHECK(!memmap_covers(&m, 0x40000000, GIB + 1));
	CHECK(!memmap_covers(&m, 0x3ffffffc, 8));
	CHECK(!memmap_covers(&m, 0x80000000, 4)); /* the hole */
	CHECK(memmap_covers(&m, 0x13ffffffcULL, 4));
	CHECK(!memmap_covers(&m, 0x13ffffffcULL, 8));
	CHECK(!memmap_covers(&m, 0x40000000, 0));
	CHECK(!memmap_covers(&m, ~0ULL - 2, 4));
}

int main(void)
{
	RUN(reserve_free_skips_busy_parts);
	RUN(reserve_free_of_busy_or_outside_changes_nothing);
	RUN(add_ram_sorted_and_merged);
	RUN(add_ram_overlap_refused);
	RUN(reserve_start_middle_end);
	RUN(reserve_across_two_regions);
	RUN(reserve_outside_ram);
	RUN(reserve_busy_refused);
	RUN(alloc_alignment);
	RUN(alloc_highest_fit);
	RUN(alloc_exhaustion);
	RUN(table_full_unchanged);
	RUN(table_full_mixed_pieces);
	RUN(release_merges_and_refuses);
	RUN(pick_properties);
	RUN(pick_spread);
	RUN(pick_covers_small_set);
	RUN(exact_fit);
	RUN(nothing_fits);
	RUN(wrap_near_top);
	RUN(mixer_quality);
	RUN(names_and_errors);
	RUN(covers_ram_only);
	UNIT_DONE();
}
