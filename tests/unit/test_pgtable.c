/*
 * Stage-1 table builder: block/page choice, descriptor encodings, overlap
 * refusal that leaves the tables untouched, and argument errors.
 *
 * Table pages come from a static arena but are handed out at a fake
 * physical base, so any code that used a PA as a pointer instead of going
 * through table_ptr() would crash under ASan rather than pass by luck.
 */
#include <stdint.h>
#include <string.h>

#include <lib/pgtable.h>

#include "unit.h"

#define ARENA_PAGES 64
#define ARENA_PA 0x880000000ull /* deliberately not a host address */
#define GIB (1ull << 30)
#define MIB (1ull << 20)
#define KIB (1ull << 10)

static uint64_t arena[ARENA_PAGES][PT_ENTRIES] __attribute__((aligned(4096)));
static uint64_t snapshot[ARENA_PAGES][PT_ENTRIES];

struct arena_alloc {
	unsigned used;
	unsigned limit;
};

static struct arena_alloc pool;

static uint64_t arena_alloc_page(void *ctx)
{
	struct arena_alloc *a = ctx;

	if (a->used >= a->limit)
		return 0;
	memset(arena[a->used], 0, sizeof(arena[0]));
	return ARENA_PA + (uint64_t)a->used++ * PT_PAGE_SIZE;
}

static uint64_t *arena_table_ptr(void *ctx, uint64_t pa)
{
	struct arena_alloc *a = ctx;
	uint64_t page = (pa - ARENA_PA) / PT_PAGE_SIZE;

	if (pa < ARENA_PA || (pa & (PT_PAGE_SIZE - 1)) || page >= a->used) {
		printf("  table_ptr(0x%llx): not a table page\n", (unsigned long long)pa);
		abort();
	}
	return arena[page];
}

/* A fresh table with room for limit pages, root included. */
static void new_pt(struct pgtable *pt, unsigned limit)
{
	struct pt_alloc a = {
		.alloc_page = arena_alloc_page,
		.table_ptr = arena_table_ptr,
		.ctx = &pool,
	};

	pool.used = 0;
	pool.limit = limit;
	CHECK_EQ(pt_init(pt, &a), 0);
}

static int level_of(const struct pgtable *pt, uint64_t va)
{
	int level = -1;

	if (pt_lookup(pt, va, NULL, NULL, &level))
		return -1;
	return level;
}

static uint64_t pa_of(const struct pgtable *pt, uint64_t va)
{
	uint64_t pa = ~0ull;

	pt_lookup(pt, va, &pa, NULL, NULL);
	return pa;
}

static uint64_t desc_of(const struct pgtable *pt, uint64_t va)
{
	uint64_t desc = 0;

	pt_lookup(pt, va, NULL, &desc, NULL);
	return desc;
}

static int mapped(const struct pgtable *pt, uint64_t va)
{
	return pt_lookup(pt, va, NULL, NULL, NULL) == 0;
}

/* pt_map must fail with err and leave every table byte and the pool as is. */
static void expect_refused(struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t size,
			   uint64_t flags, int err)
{
	unsigned used = pool.used;

	memcpy(snapshot, arena, sizeof(arena));
	CHECK_EQ(pt_map(pt, va, pa, size, flags), err);
	CHECK_EQ(pool.used, used);
	CHECK(memcmp(snapshot, arena, sizeof(arena)) == 0);
}

/* -------------------------------------------------------------------------- */

static void init_gives_empty_root(void)
{
	struct pgtable pt;

	new_pt(&pt, ARENA_PAGES);
	CHECK_EQ(pt.root_pa, ARENA_PA);
	CHECK_EQ(pool.used, 1);
	CHECK_EQ(pt_lookup(&pt, 0, NULL, NULL, NULL), PT_E_NOENT);
	CHECK_EQ(pt_lookup(&pt, 0x40000000, NULL, NULL, NULL), PT_E_NOENT);
}

static void gib_aligned_range_uses_level1_block(void)
{
	struct pgtable pt;

	new_pt(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, 1 * GIB, 2 * GIB, GIB, PT_NORMAL), 0);
	CHECK_EQ(level_of(&pt, 1 * GIB), 1);
	CHECK_EQ(level_of(&pt, 2 * GIB - 4 * KIB), 1);
	CHECK_EQ(pa_of(&pt, 1 * GIB + 0x123456), 2 * GIB + 0x123456);
	CHECK_EQ(desc_of(&pt, 1 * GIB) & PTE_TYPE_MASK, PTE_TYPE_BLOCK);
	CHECK(!mapped(&pt, 1 * GIB - 4 * KIB));
	CHECK(!mapped(&pt, 2 * GIB));
	/* Root and one level 1 table; no deeper tables for a 1 GiB block. */
	CHECK_EQ(pool.used, 2);
}

static void mib_aligned_range_uses_level2_blocks(void)
{
	struct pgtable pt;

	new_pt(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, 0x200000, 0x40400000, 4 * MIB, PT_NORMAL), 0);
	CHECK_EQ(level_of(&pt, 0x200000), 2);
	CHECK_EQ(level_of(&pt, 0x400000), 2);
	CHECK_EQ(pa_of(&pt, 0x5fffff), 0x407fffff);
	CHECK_EQ(desc_of(&pt, 0x200000) & PTE_TYPE_MASK, PTE_TYPE_BLOCK);
	CHECK(!mapped(&pt, 0x600000));
	CHECK_EQ(pool.used, 3);
}

static void small_range_uses_level3_pages(void)
{
	struct pgtable pt;

	new_pt(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, 0x1000, 0x9000, 3 * 4 * KIB, PT_NORMAL), 0);
	CHECK_EQ(level_of(&pt, 0x1000), 3);
	CHECK_EQ(level_of(&pt, 0x3000), 3);
	CHECK_EQ(pa_of(&pt, 0x2abc), 0xaabc);
	CHECK_EQ(desc_of(&pt, 0x3000) & PTE_TYPE_MASK, PTE_TYPE_PAGE);
	CHECK(!mapped(&pt, 0x0));
	CHECK(!mapped(&pt, 0x4000));
	CHECK_EQ(pool.used, 4);
}

/*
 * An identity range starting 8 KiB below a 2 MiB boundary that is itself
 * 2 MiB below a 1 GiB boundary: pages, a 2 MiB block, a 1 GiB block,
 * another 2 MiB block, then a last page.
 */
static void unaligned_range_splits_into_pages_and_blocks(void)
{
	uint64_t start = GIB - 2 * MIB - 8 * KIB;
	uint64_t size = 8 * KIB + 2 * MIB + GIB + 2 * MIB + 4 * KIB;
	struct pgtable pt;

	new_pt(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, start, start, size, PT_NORMAL), 0);
	CHECK_EQ(level_of(&pt, start), 3);
	CHECK_EQ(level_of(&pt, start + 4 * KIB), 3);
	CHECK_EQ(level_of(&pt, GIB - 2 * MIB), 2);
	CHECK_EQ(level_of(&pt, GIB), 1);
	CHECK_EQ(level_of(&pt, 2 * GIB), 2);
	CHECK_EQ(level_of(&pt, 2 * GIB + 2 * MIB), 3);
	CHECK_EQ(pa_of(&pt, 2 * GIB + 2 * MIB + 0x10), 2 * GIB + 2 * MIB + 0x10);
	CHECK(!mapped(&pt, start - 4 * KIB));
	CHECK(!mapped(&pt, start + size));
}

/* Blocks need VA and PA aligned: a PA 2 MiB off a GiB gets no L1 block. */
static void pa_alignment_limits_block_size(void)
{
	struct pgtable pt;

	new_pt(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, GIB, GIB + 2 * MIB, GIB, PT_NORMAL), 0);
	CHECK_EQ(level_of(&pt, GIB), 2);
	CHECK_EQ(level_of(&pt, 2 * GIB - 2 * MIB), 2);
	CHECK_EQ(pa_of(&pt, 2 * GIB - 1), 2 * GIB + 2 * MIB - 1);

	CHECK_EQ(pt_map(&pt, 4 * GIB, 0x1000, 2 * MIB, PT_NORMAL), 0);
	CHECK_EQ(level_of(&pt, 4 * GIB), 3);
	CHECK_EQ(level_of(&pt, 4 * GIB + 2 * MIB - 4 * KIB), 3);
}

static void adjacent_maps_share_tables(void)
{
	struct pgtable pt;

	new_pt(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, 0x7000, 0x7000, 4 * KIB, PT_NORMAL), 0);
	CHECK_EQ(pool.used, 4);
	/* The second call must descend into the tables the first made. */
	CHECK_EQ(pt_map(&pt, 0x8000, 0x8000, 4 * KIB, PT_DEVICE), 0);
	CHECK_EQ(pool.used, 4);
	CHECK(mapped(&pt, 0x7000));
	CHECK(mapped(&pt, 0x8000));
}

static void attributes_encode_as_the_arm_arm_says(void)
{
	struct pgtable pt;
	uint64_t d;

	new_pt(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, 0x10000, 0x9000, 4 * KIB, PT_NORMAL), 0);
	/*
	 * Spelled out in raw bits once, to check the #defines themselves:
	 * page (0b11) | AttrIndx=1 (bit 2) | AP[1] (bit 6) | SH=0b11
	 * (bits 9:8) | AF (bit 10).
	 */
	CHECK_EQ(desc_of(&pt, 0x10000), 0x9000 | 0x3 | 0x4 | 0x40 | 0x300 | 0x400);

	CHECK_EQ(pt_map(&pt, 0x11000, 0x9000000, 4 * KIB, PT_DEVICE), 0);
	d = desc_of(&pt, 0x11000);
	CHECK_EQ(d & PTE_ATTRINDX_MASK, PTE_ATTRINDX(PT_MAIR_IDX_DEVICE));
	CHECK_EQ(d & (1ull << 54), 1ull << 54); /* XN even without PT_XN */
	CHECK_EQ(d & PTE_SH_MASK, 0);
	CHECK(d & PTE_AF);

	CHECK_EQ(pt_map(&pt, 0x12000, 0x12000, 4 * KIB, PT_RO | PT_XN), 0);
	d = desc_of(&pt, 0x12000);
	CHECK_EQ(d & (1ull << 7), 1ull << 7); /* AP[2] */
	CHECK(d & PTE_AP_RES1);
	CHECK(d & PTE_XN);
	CHECK_EQ(d & PTE_ATTRINDX_MASK, PTE_ATTRINDX(PT_MAIR_IDX_NORMAL));

	CHECK_EQ(pt_map(&pt, 0x13000, 0x13000, 4 * KIB, PT_PAS_NS), 0);
	d = desc_of(&pt, 0x13000);
	/* NS (bit 5) without NSE (bit 11) */
	CHECK_EQ(d & ((1ull << 5) | (1ull << 11)), 1ull << 5);
	CHECK(!(d & PTE_XN));

	CHECK_EQ(pt_map(&pt, 0x14000, 0x14000, 4 * KIB, PT_PAS_ROOT), 0);
	d = desc_of(&pt, 0x14000);
	CHECK_EQ(d & ((1ull << 5) | (1ull << 11)), 1ull << 11); /* NSE, NS=0 */

	/* Block descriptors carry the same attributes. */
	CHECK_EQ(pt_map(&pt, 2 * MIB, 2 * MIB, 2 * MIB, PT_DEVICE | PT_RO), 0);
	d = desc_of(&pt, 2 * MIB);
	CHECK_EQ(d & PTE_TYPE_MASK, PTE_TYPE_BLOCK);
	CHECK(d & PTE_XN);
	CHECK(d & PTE_AP_RO);

	CHECK_EQ(PT_MAIR_VALUE, 0x44ff04);
}

static void overlap_exact_and_partial_refused(void)
{
	struct pgtable pt;

	new_pt(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, 0x10000, 0x10000, 16 * KIB, PT_NORMAL), 0);
	expect_refused(&pt, 0x10000, 0x10000, 16 * KIB, PT_NORMAL, PT_E_OVERLAP);
	/* Free head, mapped tail: nothing of the free head may be written. */
	expect_refused(&pt, 0x8000, 0x8000, 40 * KIB, PT_NORMAL, PT_E_OVERLAP);
	CHECK(!mapped(&pt, 0x8000));
	/* Mapped head, free tail. */
	expect_refused(&pt, 0x13000, 0x13000, 8 * KIB, PT_NORMAL, PT_E_OVERLAP);
	CHECK(!mapped(&pt, 0x14000));
	/* Right next to it is fine. */
	CHECK_EQ(pt_map(&pt, 0x14000, 0x14000, 4 * KIB, PT_NORMAL), 0);
}

static void page_inside_block_refused(void)
{
	struct pgtable pt;

	new_pt(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, 2 * MIB, 2 * MIB, 2 * MIB, PT_NORMAL), 0);
	CHECK_EQ(pt_map(&pt, 2 * GIB, 2 * GIB, GIB, PT_NORMAL), 0);
	expect_refused(&pt, 2 * MIB + 0x5000, 0x5000, 4 * KIB, PT_NORMAL, PT_E_OVERLAP);
	expect_refused(&pt, 2 * GIB + 4 * MIB, 0, 2 * MIB, PT_NORMAL, PT_E_OVERLAP);
	expect_refused(&pt, 3 * GIB - 4 * KIB, 0, 4 * KIB, PT_NORMAL, PT_E_OVERLAP);
	/* A range sticking out of the block's end is still an overlap. */
	expect_refused(&pt, 4 * MIB - 4 * KIB, 0x100000, 8 * KIB, PT_NORMAL,
		       PT_E_OVERLAP);
}

static void block_over_pages_refused(void)
{
	struct pgtable pt;

	new_pt(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, 4 * MIB + 0x5000, 0x5000, 4 * KIB, PT_NORMAL), 0);
	CHECK_EQ(pt_map(&pt, GIB + 6 * MIB, 6 * MIB, 2 * MIB, PT_NORMAL), 0);
	/* A 2 MiB block over a table of pages. */
	expect_refused(&pt, 4 * MIB, 4 * MIB, 2 * MIB, PT_NORMAL, PT_E_OVERLAP);
	/* A 1 GiB block over a table holding a 2 MiB block. */
	expect_refused(&pt, GIB, GIB, GIB, PT_NORMAL, PT_E_OVERLAP);
	CHECK(!mapped(&pt, 4 * MIB));
	CHECK(!mapped(&pt, GIB));
}

static void out_of_memory_reported_and_tables_unchanged(void)
{
	struct pgtable pt;
	struct pt_alloc a = {
		.alloc_page = arena_alloc_page,
		.table_ptr = arena_table_ptr,
		.ctx = &pool,
	};

	pool.used = 0;
	pool.limit = 0;
	CHECK_EQ(pt_init(&pt, &a), PT_E_NOMEM);

	/* Root + level 1 + level 2, but a page also needs a level 3 table. */
	new_pt(&pt, 3);
	memcpy(snapshot, arena, PT_PAGE_SIZE);
	CHECK_EQ(pt_map(&pt, 0x1000, 0x1000, 4 * KIB, PT_NORMAL), PT_E_NOMEM);
	CHECK(memcmp(snapshot, arena, PT_PAGE_SIZE) == 0);
	CHECK(!mapped(&pt, 0x1000));
	/*
	 * The two pages obtained before the pool ran dry are not given back
	 * (struct pt_alloc cannot free); with three more the map goes through.
	 */
	pool.limit = pool.used + 3;
	CHECK_EQ(pt_map(&pt, 0x1000, 0x1000, 4 * KIB, PT_NORMAL), 0);
	CHECK_EQ(pa_of(&pt, 0x1000), 0x1000);
}

static void va_and_pa_range_errors(void)
{
	uint64_t top = 1ull << 48;
	struct pgtable pt;

	new_pt(&pt, ARENA_PAGES);
	expect_refused(&pt, top, 0, 4 * KIB, PT_NORMAL, PT_E_RANGE);
	expect_refused(&pt, top - 4 * KIB, 0, 8 * KIB, PT_NORMAL, PT_E_RANGE);
	expect_refused(&pt, ~0ull - 4 * KIB + 1, 0, 8 * KIB, PT_NORMAL, PT_E_RANGE);
	expect_refused(&pt, 0, ~0ull - 4 * KIB + 1, 8 * KIB, PT_NORMAL, PT_E_RANGE);
	expect_refused(&pt, 0, top - 4 * KIB, 8 * KIB, PT_NORMAL, PT_E_RANGE);
	expect_refused(&pt, 0, 0, top + 4 * KIB, PT_NORMAL, PT_E_RANGE);
	/* The very last 2 MiB of VA and PA are fine. */
	CHECK_EQ(pt_map(&pt, top - 2 * MIB, top - 2 * MIB, 2 * MIB, PT_NORMAL), 0);
	CHECK_EQ(level_of(&pt, top - 1), 2);
	CHECK_EQ(pt_lookup(&pt, top, NULL, NULL, NULL), PT_E_RANGE);
}

static void alignment_errors(void)
{
	struct pgtable pt;

	new_pt(&pt, ARENA_PAGES);
	expect_refused(&pt, 0x1001, 0x1000, 4 * KIB, PT_NORMAL, PT_E_ALIGN);
	expect_refused(&pt, 0x1000, 0x1800, 4 * KIB, PT_NORMAL, PT_E_ALIGN);
	expect_refused(&pt, 0x1000, 0x1000, 4 * KIB + 1, PT_NORMAL, PT_E_ALIGN);
	expect_refused(&pt, 0x1000, 0x1000, 0, PT_NORMAL, PT_E_ALIGN);
}

static void unknown_flags_refused(void)
{
	struct pgtable pt;

	new_pt(&pt, ARENA_PAGES);
	expect_refused(&pt, 0x1000, 0x1000, 4 * KIB, 1ull << 40, PT_E_FLAGS);
}

static void every_error_has_a_message(void)
{
	int errs[] = {PT_E_ALIGN, PT_E_RANGE, PT_E_OVERLAP,
		      PT_E_NOMEM, PT_E_FLAGS, PT_E_NOENT};
	unsigned i, j;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		CHECK(errs[i] < 0);
		CHECK(strcmp(pt_strerror(errs[i]), pt_strerror(-100)) != 0);
		for (j = 0; j < i; j++)
			CHECK(errs[i] != errs[j]);
	}
}

int main(void)
{
	RUN(init_gives_empty_root);
	RUN(gib_aligned_range_uses_level1_block);
	RUN(mib_aligned_range_uses_level2_blocks);
	RUN(small_range_uses_level3_pages);
	RUN(unaligned_range_splits_into_pages_and_blocks);
	RUN(pa_alignment_limits_block_size);
	RUN(adjacent_maps_share_tables);
	RUN(attributes_encode_as_the_arm_arm_says);
	RUN(overlap_exact_and_partial_refused);
	RUN(page_inside_block_refused);
	RUN(block_over_pages_refused);
	RUN(out_of_memory_reported_and_tables_unchanged);
	RUN(va_and_pa_range_errors);
	RUN(alignment_errors);
	RUN(unknown_flags_refused);
	RUN(every_error_has_a_message);
	UNIT_DONE();
}
