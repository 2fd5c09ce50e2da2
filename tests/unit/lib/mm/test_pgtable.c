/*
 * Table builder: block/page choice, stage-1 and stage-2 descriptor
 * encodings, overlap refusal that leaves the tables untouched, unmapping
 * (block splits, unlinking emptied tables, out of memory), VTCR_EL2, and
 * argument errors.
 *
 * Table pages come from a static arena but are handed out at a fake
 * physical base, so any code that used a PA as a pointer instead of going
 * through table_ptr() would crash under ASan rather than pass by luck.
 */
#include <stdint.h>
#include <string.h>

#include <lib/mm/pgtable.h>

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

static const struct pt_alloc arena_pt_alloc = {
	.alloc_page = arena_alloc_page,
	.table_ptr = arena_table_ptr,
	.ctx = &pool,
};

/* A fresh stage-1 table with room for limit pages, root included. */
static void new_pt(struct pgtable *pt, unsigned limit)
{
	pool.used = 0;
	pool.limit = limit;
	CHECK_EQ(pt_init(pt, &arena_pt_alloc), 0);
}

/* The same for stage 2. */
static void new_pt2(struct pgtable *pt, unsigned limit)
{
	pool.used = 0;
	pool.limit = limit;
	CHECK_EQ(pt_init_stage2(pt, &arena_pt_alloc), 0);
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

/* pt_unmap must succeed and neither allocate nor change a table byte. */
static void expect_unmap_noop(struct pgtable *pt, uint64_t va, uint64_t size)
{
	unsigned used = pool.used;

	memcpy(snapshot, arena, sizeof(arena));
	CHECK_EQ(pt_unmap(pt, va, size), 0);
	CHECK_EQ(pool.used, used);
	CHECK(memcmp(snapshot, arena, sizeof(arena)) == 0);
}

/* pt_unmap must fail with err and change no table page that exists. */
static void expect_unmap_refused(struct pgtable *pt, uint64_t va, uint64_t size, int err)
{
	unsigned used = pool.used;

	memcpy(snapshot, arena, sizeof(arena));
	CHECK_EQ(pt_unmap(pt, va, size), err);
	CHECK(memcmp(snapshot, arena, used * sizeof(arena[0])) == 0);
}

/* Every page of [va, va+size) maps to pa + offset with a level 3 page. */
static int pages_map_to(const struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t size)
{
	uint64_t off;

	for (off = 0; off < size; off += 4 * KIB) {
		if (pa_of(pt, va + off) != pa + off || level_of(pt, va + off) != 3)
			return 0;
	}
	return 1;
}

/* A leaf's attribute bits: all but the type bits and output address. */
static uint64_t attrs_of(uint64_t desc)
{
	return desc & ~(PTE_ADDR_MASK | PTE_TYPE_MASK);
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

/* --- stage 2 -------------------------------------------------------------- */

static void stage2_init_gives_empty_root(void)
{
	struct pgtable pt;

	memset(&pt, 0xa5, sizeof(pt));
	new_pt2(&pt, ARENA_PAGES);
	CHECK(pt.stage2);
	CHECK_EQ(pt.root_pa, ARENA_PA);
	CHECK_EQ(pool.used, 1);
	CHECK_EQ(pt_lookup(&pt, 0, NULL, NULL, NULL), PT_E_NOENT);
	/* pt_init() makes a stage-1 table whatever the struct held before. */
	new_pt(&pt, ARENA_PAGES);
	CHECK(!pt.stage2);

	pool.used = 0;
	pool.limit = 0;
	CHECK_EQ(pt_init_stage2(&pt, &arena_pt_alloc), PT_E_NOMEM);
}

static void stage2_normal_block_and_page_encodings(void)
{
	struct pgtable pt;
	uint64_t d;
	int level;

	new_pt2(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, 0x40000000, 0x80200000, 2 * MIB, PT_NORMAL), 0);
	CHECK_EQ(pt_map(&pt, 0x40400000, 0x81234000, 4 * KIB, PT_NORMAL), 0);
	CHECK_EQ(pt_map(&pt, 2 * GIB, 4 * GIB, GIB, PT_NORMAL), 0);

	/*
	 * In raw bits: block (0b01) | MemAttr 0b1111 (bits 5:2) | S2AP 0b11
	 * (bits 7:6) | SH 0b11 (bits 9:8) | AF (bit 10); XN (54:53) clear.
	 */
	CHECK_EQ(pt_lookup(&pt, 0x40000000, NULL, &d, &level), 0);
	CHECK_EQ(level, 2);
	CHECK_EQ(d, 0x80200000 | 0x1 | 0x3c | 0xc0 | 0x300 | 0x400);
	/* Page (0b11), same attributes. */
	CHECK_EQ(pt_lookup(&pt, 0x40400000, NULL, &d, &level), 0);
	CHECK_EQ(level, 3);
	CHECK_EQ(d, 0x81234000 | 0x3 | 0x3c | 0xc0 | 0x300 | 0x400);
	/* Field by field through the names. */
	CHECK_EQ(d & S2_MEMATTR_MASK, S2_MEMATTR(S2_MEMATTR_NORMAL_WB));
	CHECK_EQ((d >> 2) & 0xf, 0xf);
	CHECK_EQ(d & S2AP_MASK, S2AP_RW);
	CHECK_EQ((d >> 6) & 3, 3);
	CHECK_EQ(d & PTE_SH_MASK, PTE_SH_INNER);
	CHECK(d & PTE_AF);
	CHECK_EQ(d & S2_XN_MASK, 0);
	CHECK_EQ((d >> 53) & 3, 0);
	/* No stage-1 NSE (bit 11) or Contiguous (bit 52); bit 5 is MemAttr[3]. */
	CHECK_EQ(d & (PTE_NSE | PTE_CONT), 0);

	/* A 1 GiB block, and lookups through both kinds. */
	CHECK_EQ(pt_lookup(&pt, 2 * GIB + 0x123456, NULL, &d, &level), 0);
	CHECK_EQ(level, 1);
	CHECK_EQ(d, 4 * GIB | 0x1 | 0x3c | 0xc0 | 0x300 | 0x400);
	CHECK_EQ(pa_of(&pt, 2 * GIB + 0x123456), 4 * GIB + 0x123456);
	CHECK_EQ(pa_of(&pt, 0x401fffff), 0x803fffff);
	CHECK_EQ(pa_of(&pt, 0x40400abc), 0x81234abc);
	CHECK(!mapped(&pt, 0x40200000));
	CHECK(!mapped(&pt, 0x40401000));
	CHECK_EQ(pt_lookup(&pt, 1ull << 48, NULL, NULL, NULL), PT_E_RANGE);
}

static void stage2_device_encoding(void)
{
	struct pgtable pt;
	uint64_t d;

	new_pt2(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, 0x9000000, 0x9000000, 4 * KIB, PT_DEVICE), 0);
	d = desc_of(&pt, 0x9000000);
	/* page | MemAttr 0b0001 | S2AP 0b11 | SH 0b00 | AF | XN[1:0] = 0b10 */
	CHECK_EQ(d, 0x9000000 | 0x3 | 0x4 | 0xc0 | 0x400 | (1ull << 54));
	CHECK_EQ(d & S2_MEMATTR_MASK, S2_MEMATTR(S2_MEMATTR_DEVICE_nGnRE));
	CHECK_EQ(d & S2_XN_MASK, S2_XN);
	CHECK_EQ(d & PTE_SH_MASK, PTE_SH_NON);

	/* A device block; PT_XN on top changes nothing. */
	CHECK_EQ(pt_map(&pt, 0x8000000, 0x8000000, 2 * MIB, PT_DEVICE | PT_XN), 0);
	d = desc_of(&pt, 0x8000000);
	CHECK_EQ(d, 0x8000000 | 0x1 | 0x4 | 0xc0 | 0x400 | (1ull << 54));
}

static void stage2_read_only_and_execute_never(void)
{
	struct pgtable pt;
	uint64_t d;

	new_pt2(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, 0x10000, 0x20000, 4 * KIB, PT_RO), 0);
	d = desc_of(&pt, 0x10000);
	CHECK_EQ((d >> 6) & 3, 1); /* S2AP = 0b01, read-only */
	CHECK_EQ(d & S2AP_MASK, S2AP_RO);
	CHECK_EQ((d >> 53) & 3, 0); /* still executable */
	CHECK_EQ(d & S2_MEMATTR_MASK, S2_MEMATTR(S2_MEMATTR_NORMAL_WB));

	CHECK_EQ(pt_map(&pt, 0x11000, 0x21000, 4 * KIB, PT_XN), 0);
	d = desc_of(&pt, 0x11000);
	CHECK_EQ((d >> 53) & 3, 2); /* XN[1:0] = 0b10: not at EL1, not at EL0 */
	CHECK_EQ(d & S2AP_MASK, S2AP_RW);

	CHECK_EQ(pt_map(&pt, 2 * MIB, 4 * MIB, 2 * MIB, PT_RO | PT_XN), 0);
	d = desc_of(&pt, 2 * MIB);
	CHECK_EQ(d, 4 * MIB | 0x1 | 0x3c | 0x40 | 0x300 | 0x400 | (1ull << 54));

	CHECK_EQ(pt_map(&pt, 0x12000, 0x9001000, 4 * KIB, PT_DEVICE | PT_RO), 0);
	d = desc_of(&pt, 0x12000);
	CHECK_EQ(d, 0x9001000 | 0x3 | 0x4 | 0x40 | 0x400 | (1ull << 54));
}

static void stage2_pas_flags_refused(void)
{
	struct pgtable pt;

	new_pt2(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, 0x1000, 0x1000, 4 * KIB, PT_NORMAL), 0);
	expect_refused(&pt, 0x2000, 0x2000, 4 * KIB, PT_PAS_NS, PT_E_FLAGS);
	expect_refused(&pt, 0x2000, 0x2000, 4 * KIB, PT_PAS_ROOT, PT_E_FLAGS);
	expect_refused(&pt, 0x2000, 0x2000, 4 * KIB, PT_PAS_NS | PT_PAS_ROOT, PT_E_FLAGS);
	expect_refused(&pt, 0x2000, 0x2000, 4 * KIB, PT_DEVICE | PT_PAS_NS, PT_E_FLAGS);
	expect_refused(&pt, 0x2000, 0x2000, 4 * KIB, 1ull << 40, PT_E_FLAGS);
	CHECK(!mapped(&pt, 0x2000));
	/* Stage 1 still takes them. */
	new_pt(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, 0x2000, 0x2000, 4 * KIB, PT_PAS_NS | PT_PAS_ROOT), 0);
}

static void stage2_overlap_refused(void)
{
	struct pgtable pt;

	new_pt2(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, 0x10000, 0x10000, 16 * KIB, PT_NORMAL), 0);
	CHECK_EQ(pt_map(&pt, 2 * MIB, 2 * MIB, 2 * MIB, PT_NORMAL), 0);
	CHECK_EQ(pt_map(&pt, 2 * GIB, 2 * GIB, GIB, PT_DEVICE), 0);
	expect_refused(&pt, 0x10000, 0x10000, 16 * KIB, PT_NORMAL, PT_E_OVERLAP);
	expect_refused(&pt, 0x8000, 0x8000, 40 * KIB, PT_NORMAL, PT_E_OVERLAP);
	expect_refused(&pt, 2 * MIB + 0x5000, 0x5000, 4 * KIB, PT_NORMAL, PT_E_OVERLAP);
	expect_refused(&pt, 3 * GIB - 4 * KIB, 0, 4 * KIB, PT_RO, PT_E_OVERLAP);
	/* A block over the table holding the pages. */
	expect_refused(&pt, 0, 0, 2 * MIB, PT_NORMAL, PT_E_OVERLAP);
	CHECK(!mapped(&pt, 0x8000));
	CHECK_EQ(pt_map(&pt, 0x14000, 0x14000, 4 * KIB, PT_NORMAL), 0);
}

/* --- unmap ---------------------------------------------------------------- */

/*
 * The 511 pages left of a 2 MiB block keep their PAs and the block's
 * attributes; the unmapped one is gone. One table page is taken.
 */
static void unmap_page_splits_block(int stage2, uint64_t flags)
{
	uint64_t ipa = 0x40200000, pa = 0x80400000, hole = ipa + 0x5000;
	uint64_t block_desc, d;
	uint64_t off;
	unsigned used;
	struct pgtable pt;

	if (stage2)
		new_pt2(&pt, ARENA_PAGES);
	else
		new_pt(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, ipa, pa, 2 * MIB, flags), 0);
	block_desc = desc_of(&pt, ipa);
	CHECK_EQ(block_desc & PTE_TYPE_MASK, PTE_TYPE_BLOCK);
	used = pool.used;

	CHECK_EQ(pt_unmap(&pt, hole, 4 * KIB), 0);
	CHECK_EQ(pool.used, used + 1);
	CHECK_EQ(pt_lookup(&pt, hole, NULL, NULL, NULL), PT_E_NOENT);
	CHECK_EQ(pt_lookup(&pt, hole + 0xfff, NULL, NULL, NULL), PT_E_NOENT);
	for (off = 0; off < 2 * MIB; off += 4 * KIB) {
		if (ipa + off == hole)
			continue;
		CHECK_EQ(level_of(&pt, ipa + off), 3);
		CHECK_EQ(pa_of(&pt, ipa + off + 0x10), pa + off + 0x10);
		d = desc_of(&pt, ipa + off);
		CHECK_EQ(d & PTE_TYPE_MASK, PTE_TYPE_PAGE);
		CHECK_EQ(attrs_of(d), attrs_of(block_desc));
		if (unit_case_failed)
			break; /* one report, not 511 */
	}
	CHECK(!mapped(&pt, ipa - 4 * KIB));
	CHECK(!mapped(&pt, ipa + 2 * MIB));
	/* The hole can be mapped again, the rest is still refused. */
	expect_refused(&pt, hole - 4 * KIB, 0, 8 * KIB, PT_NORMAL, PT_E_OVERLAP);
	CHECK_EQ(pt_map(&pt, hole, 0x5000, 4 * KIB, PT_NORMAL), 0);
	CHECK_EQ(pa_of(&pt, hole), 0x5000);
}

static void unmap_page_inside_2m_block_splits_it(void)
{
	unmap_page_splits_block(1, PT_NORMAL);
	unmap_page_splits_block(1, PT_DEVICE | PT_RO);
	unmap_page_splits_block(0, PT_RO | PT_XN);
	unmap_page_splits_block(0, PT_DEVICE | PT_PAS_NS);
}

/* A page out of a 1 GiB block: a level 2 table, then a level 3 one. */
static void unmap_page_inside_1g_block_splits_twice(void)
{
	uint64_t hole = GIB + 6 * MIB + 0x3000;
	unsigned used;
	struct pgtable pt;

	new_pt2(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, GIB, 8 * GIB, GIB, PT_NORMAL), 0);
	used = pool.used;
	CHECK_EQ(pt_unmap(&pt, hole, 4 * KIB), 0);
	CHECK_EQ(pool.used, used + 2);
	CHECK(!mapped(&pt, hole));
	CHECK_EQ(level_of(&pt, GIB), 2);
	CHECK_EQ(pa_of(&pt, GIB + 0x1234), 8 * GIB + 0x1234);
	CHECK_EQ(level_of(&pt, GIB + 4 * MIB), 2);
	CHECK_EQ(level_of(&pt, GIB + 8 * MIB), 2);
	CHECK_EQ(pa_of(&pt, GIB + 8 * MIB), 8 * GIB + 8 * MIB);
	CHECK_EQ(level_of(&pt, 2 * GIB - 2 * MIB), 2);
	CHECK_EQ(pa_of(&pt, 2 * GIB - 1), 9 * GIB - 1);
	CHECK(pages_map_to(&pt, GIB + 6 * MIB, 8 * GIB + 6 * MIB, 0x3000));
	CHECK(pages_map_to(&pt, hole + 4 * KIB, 8 * GIB + 6 * MIB + 0x4000,
			   2 * MIB - 0x4000));
	CHECK_EQ(desc_of(&pt, GIB + 4 * MIB) & ~PTE_ADDR_MASK,
		 desc_of(&pt, hole + 4 * KIB) & ~PTE_ADDR_MASK & ~PTE_PAGE);
}

static void unmap_whole_block(void)
{
	struct pgtable pt;
	unsigned used;
	int i;

	new_pt2(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, 2 * MIB, 2 * MIB, 2 * MIB, PT_NORMAL), 0);
	CHECK_EQ(pt_map(&pt, 2 * GIB, 2 * GIB, GIB, PT_NORMAL), 0);
	CHECK_EQ(pt_map(&pt, 0x7000, 0x7000, 4 * KIB, PT_NORMAL), 0);
	used = pool.used;

	CHECK_EQ(pt_unmap(&pt, 2 * MIB, 2 * MIB), 0);
	CHECK(!mapped(&pt, 2 * MIB));
	CHECK(!mapped(&pt, 4 * MIB - 4 * KIB));
	CHECK(mapped(&pt, 0x7000));
	CHECK(mapped(&pt, 2 * GIB));
	CHECK_EQ(pt_unmap(&pt, 2 * GIB, GIB), 0);
	CHECK(!mapped(&pt, 2 * GIB));
	CHECK(!mapped(&pt, 3 * GIB - 4 * KIB));
	CHECK_EQ(pool.used, used); /* no split, no new table */
	/* Blocks can go back where the old ones were. */
	CHECK_EQ(pt_map(&pt, 2 * MIB, 0x40000000, 2 * MIB, PT_DEVICE), 0);
	CHECK_EQ(level_of(&pt, 2 * MIB), 2);
	CHECK_EQ(pa_of(&pt, 3 * MIB), 0x40100000);

	/* Unmapping the last page unlinks its emptied tables, up to the root. */
	CHECK_EQ(pt_unmap(&pt, 0, 2 * GIB), 0);
	for (i = 0; i < PT_ENTRIES; i++)
		CHECK_EQ(arena[0][i], 0);
	/* ... so a 1 GiB block fits where the level 3 and 2 tables were. */
	CHECK_EQ(pt_map(&pt, 0, 0, GIB, PT_NORMAL), 0);
	CHECK_EQ(level_of(&pt, 0x7000), 1);
}

/*
 * The mapping of unaligned_range_splits_into_pages_and_blocks, with a range
 * cut out that starts in the level 3 pages and ends inside the last 2 MiB
 * block: pages, a 2 MiB block, a 1 GiB block and half a 2 MiB block go.
 */
static void unmap_across_several_tables(void)
{
	uint64_t start = GIB - 2 * MIB - 8 * KIB;
	uint64_t size = 8 * KIB + 2 * MIB + GIB + 2 * MIB + 4 * KIB;
	uint64_t cut = start + 4 * KIB, cut_end = 2 * GIB + MIB;
	struct pgtable pt;
	unsigned used;

	new_pt(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, start, start, size, PT_NORMAL), 0);
	used = pool.used;
	CHECK_EQ(pt_unmap(&pt, cut, cut_end - cut), 0);
	/* Only the 2 MiB block at 2 GiB was split. */
	CHECK_EQ(pool.used, used + 1);
	CHECK_EQ(level_of(&pt, start), 3);
	CHECK_EQ(pa_of(&pt, start), start);
	CHECK(!mapped(&pt, cut));
	CHECK(!mapped(&pt, GIB - 2 * MIB));
	CHECK(!mapped(&pt, GIB - 4 * KIB));
	CHECK(!mapped(&pt, GIB));
	CHECK(!mapped(&pt, 2 * GIB - 4 * KIB));
	CHECK(!mapped(&pt, 2 * GIB));
	CHECK(!mapped(&pt, cut_end - 4 * KIB));
	CHECK(pages_map_to(&pt, cut_end, cut_end, 2 * GIB + 2 * MIB - cut_end));
	CHECK_EQ(pa_of(&pt, 2 * GIB + 2 * MIB), 2 * GIB + 2 * MIB);
	CHECK(!mapped(&pt, start + size));

	/* The same cut on stage 2. */
	new_pt2(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, start, start + 4 * GIB, size, PT_NORMAL), 0);
	CHECK_EQ(pt_unmap(&pt, cut, cut_end - cut), 0);
	CHECK_EQ(pa_of(&pt, start), start + 4 * GIB);
	CHECK(!mapped(&pt, GIB));
	CHECK(pages_map_to(&pt, cut_end, cut_end + 4 * GIB, 2 * GIB + 2 * MIB - cut_end));
}

/* A range starting and ending inside the same block splits it once. */
static void unmap_middle_of_block(void)
{
	struct pgtable pt;
	unsigned used;

	new_pt2(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, GIB, GIB, GIB, PT_NORMAL), 0);
	used = pool.used;
	/* Ends part-way into two different 2 MiB pieces: 1 + 2 pages. */
	CHECK_EQ(pt_unmap(&pt, GIB + 2 * MIB + 4 * KIB, 4 * MIB), 0);
	CHECK_EQ(pool.used, used + 3);
	CHECK(pages_map_to(&pt, GIB + 2 * MIB, GIB + 2 * MIB, 4 * KIB));
	CHECK(!mapped(&pt, GIB + 2 * MIB + 4 * KIB));
	CHECK(!mapped(&pt, GIB + 4 * MIB));
	CHECK(!mapped(&pt, GIB + 6 * MIB));
	CHECK(pages_map_to(&pt, GIB + 6 * MIB + 4 * KIB, GIB + 6 * MIB + 4 * KIB,
			   2 * MIB - 4 * KIB));
	CHECK_EQ(level_of(&pt, GIB), 2);
	CHECK_EQ(level_of(&pt, GIB + 8 * MIB), 2);
}

static void unmap_of_unmapped_range_is_a_noop(void)
{
	struct pgtable pt;

	new_pt2(&pt, ARENA_PAGES);
	expect_unmap_noop(&pt, 0, 4 * KIB);
	expect_unmap_noop(&pt, 0, 1ull << 48);
	CHECK_EQ(pt_map(&pt, 2 * MIB, 2 * MIB, 2 * MIB, PT_NORMAL), 0);
	CHECK_EQ(pt_map(&pt, 0x7000, 0x7000, 4 * KIB, PT_NORMAL), 0);
	/* Holes next to, between and far from the mappings. */
	expect_unmap_noop(&pt, 0x8000, 2 * MIB - 0x8000);
	expect_unmap_noop(&pt, 0, 0x7000);
	expect_unmap_noop(&pt, 4 * MIB, GIB);
	expect_unmap_noop(&pt, 512 * GIB, 4 * KIB);
	/* A range only partly mapped removes just that part. */
	CHECK_EQ(pt_unmap(&pt, MIB, 4 * MIB), 0);
	CHECK(!mapped(&pt, 2 * MIB));
	CHECK(mapped(&pt, 0x7000));
}

static void unmap_out_of_memory_leaves_tables_unchanged(void)
{
	struct pgtable pt;

	/* Root + level 1 for the 1 GiB block; the split needs 2 more. */
	new_pt2(&pt, 3);
	CHECK_EQ(pt_map(&pt, GIB, GIB, GIB, PT_NORMAL), 0);
	CHECK_EQ(pool.used, 2);
	expect_unmap_refused(&pt, GIB + 0x1000, 4 * KIB, PT_E_NOMEM);
	CHECK_EQ(level_of(&pt, GIB + 0x1000), 1);
	CHECK_EQ(pa_of(&pt, GIB + 0x1000), GIB + 0x1000);
	/* Refused the same way when not even the first page is there. */
	pool.limit = pool.used;
	expect_unmap_refused(&pt, GIB + 0x1000, 4 * KIB, PT_E_NOMEM);
	CHECK_EQ(level_of(&pt, GIB + 0x1000), 1);
	/* With room, the same call goes through. */
	pool.limit = pool.used + 2;
	CHECK_EQ(pt_unmap(&pt, GIB + 0x1000, 4 * KIB), 0);
	CHECK(!mapped(&pt, GIB + 0x1000));
	CHECK_EQ(pa_of(&pt, GIB + 0x2000), GIB + 0x2000);
	/* A whole-block unmap takes no page, so an empty pool is fine. */
	pool.limit = pool.used;
	CHECK_EQ(pt_unmap(&pt, GIB, GIB), 0);
	CHECK(!mapped(&pt, GIB + 0x2000));
}

static void unmap_argument_errors(void)
{
	uint64_t top = 1ull << 48;
	struct pgtable pt;

	new_pt(&pt, ARENA_PAGES);
	CHECK_EQ(pt_map(&pt, 0, 0, 4 * MIB, PT_NORMAL), 0);
	expect_unmap_refused(&pt, 0x1001, 4 * KIB, PT_E_ALIGN);
	expect_unmap_refused(&pt, 0x1000, 4 * KIB + 1, PT_E_ALIGN);
	expect_unmap_refused(&pt, 0x1000, 0, PT_E_ALIGN);
	expect_unmap_refused(&pt, top, 4 * KIB, PT_E_RANGE);
	expect_unmap_refused(&pt, top - 4 * KIB, 8 * KIB, PT_E_RANGE);
	expect_unmap_refused(&pt, ~0ull - 4 * KIB + 1, 8 * KIB, PT_E_RANGE);
	CHECK(mapped(&pt, 0x1000));
	CHECK_EQ(pt_unmap(&pt, top - 4 * KIB, 4 * KIB), 0);
}

/* --- VTCR_EL2 ------------------------------------------------------------- */

static void vtcr_value_fields_decode(void)
{
	uint64_t v = pt_vtcr_value(PT_PARANGE_48BIT);

	CHECK_EQ(v & 0x3f, 16);	    /* T0SZ: 48-bit IPA */
	CHECK_EQ((v >> 6) & 3, 2);  /* SL0: level 0 with 4K */
	CHECK_EQ((v >> 8) & 3, 1);  /* IRGN0: WB RA WA */
	CHECK_EQ((v >> 10) & 3, 1); /* ORGN0: WB RA WA */
	CHECK_EQ((v >> 12) & 3, 3); /* SH0: inner */
	CHECK_EQ((v >> 14) & 3, 0); /* TG0: 4 KiB */
	CHECK_EQ((v >> 16) & 7, 5); /* PS: 48 bits */
	CHECK_EQ((v >> 31) & 1, 1); /* RES1 */
	CHECK_EQ(v, 0x80053590);    /* and nothing else */
	CHECK_EQ((v & VTCR_EL2_T0SZ_MASK) >> VTCR_EL2_T0SZ_SHIFT, PT_T0SZ);
	CHECK_EQ(v & VTCR_EL2_SL0_MASK, VTCR_EL2_SL0_4K_L0);
	CHECK_EQ(v & VTCR_EL2_TG0_MASK, VTCR_EL2_TG0_4K);
	CHECK_EQ(v & VTCR_EL2_PS_MASK, VTCR_EL2_PS(PT_PARANGE_48BIT));

	/* PS follows a smaller PARange ... */
	CHECK_EQ((pt_vtcr_value(0) >> 16) & 7, 0);
	CHECK_EQ((pt_vtcr_value(2) >> 16) & 7, 2);
	CHECK_EQ((pt_vtcr_value(PT_PARANGE_44BIT) >> 16) & 7, 4);
	CHECK_EQ(pt_vtcr_value(2) & ~VTCR_EL2_PS_MASK, v & ~VTCR_EL2_PS_MASK);
	/* ... is clamped to 48 bits above (52-bit, reserved values) ... */
	CHECK_EQ(pt_vtcr_value(6), v);
	CHECK_EQ(pt_vtcr_value(7), v);
	CHECK_EQ(pt_vtcr_value(0xf), v);
	/* ... and only PARange, bits[3:0], of a whole register is read. */
	CHECK_EQ(pt_vtcr_value(0x00101122), pt_vtcr_value(2));
	CHECK_EQ(pt_vtcr_value(0xfff0), pt_vtcr_value(0));
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
	RUN(stage2_init_gives_empty_root);
	RUN(stage2_normal_block_and_page_encodings);
	RUN(stage2_device_encoding);
	RUN(stage2_read_only_and_execute_never);
	RUN(stage2_pas_flags_refused);
	RUN(stage2_overlap_refused);
	RUN(unmap_page_inside_2m_block_splits_it);
	RUN(unmap_page_inside_1g_block_splits_twice);
	RUN(unmap_whole_block);
	RUN(unmap_across_several_tables);
	RUN(unmap_middle_of_block);
	RUN(unmap_of_unmapped_range_is_a_noop);
	RUN(unmap_out_of_memory_leaves_tables_unchanged);
	RUN(unmap_argument_errors);
	RUN(vtcr_value_fields_decode);
	RUN(every_error_has_a_message);
	UNIT_DONE();
}
