/*
 * Granule Protection Table builder: PPS choice, block vs. L1 table
 * descriptors, exact region boundaries, refusal without side effects, and
 * the GPCCR_EL3 / GPTBR_EL3 values.
 *
 * Tables live in a static arena handed out at a fake physical base, so
 * using a PA as a pointer instead of going through table_ptr() crashes.
 */
#include <stdint.h>
#include <string.h>

#include <monitor/gpt.h>

#include "unit.h"

#define ARENA_SIZE (1024 * 1024)
#define ARENA_PA 0x9c0000000ull /* deliberately not a host address */
#define GIB (1ull << 30)
#define MIB (1ull << 20)
#define KIB (1ull << 10)
/* 2^30 / 4 KiB granules / 16 per entry * 8 bytes */
#define L1_SIZE (128 * KIB)

static uint64_t arena[ARENA_SIZE / 8] __attribute__((aligned(4096)));
static uint64_t snapshot[ARENA_SIZE / 8];

struct arena_alloc {
	uint64_t used; /* bytes handed out, padding included */
	uint64_t limit;
	unsigned calls; /* successful allocations */
	uint64_t last_size, last_align;
};

static struct arena_alloc pool;

static uint64_t arena_alloc(void *ctx, uint64_t size, uint64_t align)
{
	struct arena_alloc *a = ctx;
	uint64_t start = (a->used + align - 1) & ~(align - 1);

	if (start + size > a->limit)
		return 0;
	memset((char *)arena + start, 0, size);
	a->used = start + size;
	a->calls++;
	a->last_size = size;
	a->last_align = align;
	return ARENA_PA + start;
}

static uint64_t *arena_table_ptr(void *ctx, uint64_t pa)
{
	struct arena_alloc *a = ctx;

	if (pa < ARENA_PA || pa - ARENA_PA >= a->used || (pa & 7)) {
		printf("  table_ptr(0x%llx): not a table\n", (unsigned long long)pa);
		abort();
	}
	return &arena[(pa - ARENA_PA) / 8];
}

static const struct gpt_alloc test_alloc = {
	.alloc = arena_alloc,
	.table_ptr = arena_table_ptr,
	.ctx = &pool,
};

static void reset_pool(uint64_t limit)
{
	memset(&pool, 0, sizeof(pool));
	pool.limit = limit;
}

static void new_gpt(struct gpt *g, uint64_t max_pa, unsigned gpi)
{
	reset_pool(ARENA_SIZE);
	CHECK_EQ(gpt_init(g, max_pa, gpi, &test_alloc), 0);
}

static unsigned gpi_at(const struct gpt *g, uint64_t pa)
{
	unsigned gpi = 0xdead;

	CHECK_EQ(gpt_lookup(g, pa, &gpi), 0);
	return gpi;
}

static uint64_t l0_desc(const struct gpt *g, unsigned idx)
{
	return arena_table_ptr(&pool, g->l0_pa)[idx];
}

/* Raw encodings, spelled out to check the header's #defines. */
static uint64_t raw_l0_block(unsigned gpi)
{
	return 0x1 | ((uint64_t)gpi << 4);
}

static int l0_is_raw_table(uint64_t desc)
{
	return (desc & 0xf) == 0x3;
}

/* gpt_set must fail with err and change neither the tables nor the pool. */
static void expect_refused(struct gpt *g, uint64_t pa, uint64_t size, unsigned gpi,
			   int err)
{
	struct arena_alloc before = pool;

	memcpy(snapshot, arena, sizeof(arena));
	CHECK_EQ(gpt_set(g, pa, size, gpi), err);
	CHECK_EQ(pool.used, before.used);
	CHECK(memcmp(snapshot, arena, sizeof(arena)) == 0);
}

/* -------------------------------------------------------------------------- */

static void pps_is_smallest_covering_max_pa(void)
{
	struct gpt g;

	new_gpt(&g, 4 * GIB, GPT_GPI_ANY);
	CHECK_EQ(g.pps_bits, 32);
	CHECK_EQ(g.l0gptsz_bits, 30);
	CHECK_EQ(pool.last_size, 4 * 8); /* four 1 GiB regions */
	CHECK_EQ(pool.last_align, 4 * KIB);

	new_gpt(&g, 5 * GIB, GPT_GPI_ANY);
	CHECK_EQ(g.pps_bits, 36);

	new_gpt(&g, (1ull << 40) + 1, GPT_GPI_ANY);
	CHECK_EQ(g.pps_bits, 42);

	new_gpt(&g, 2ull << 40, GPT_GPI_ANY);
	CHECK_EQ(g.pps_bits, 42);
	/* 4096 entries: a 32 KiB L0 table, aligned to its size. */
	CHECK_EQ(pool.last_size, 32 * KIB);
	CHECK_EQ(pool.last_align, 32 * KIB);

	new_gpt(&g, 1ull << 40, GPT_GPI_ANY);
	CHECK_EQ(g.pps_bits, 40);

	reset_pool(ARENA_SIZE);
	CHECK_EQ(gpt_init(&g, (1ull << 52) + 1, GPT_GPI_ANY, &test_alloc), GPT_E_RANGE);
}

static void default_gpi_everywhere(void)
{
	struct gpt g;
	unsigned i;

	new_gpt(&g, 5 * GIB, GPT_GPI_NS);
	for (i = 0; i < 64; i++)
		CHECK_EQ(l0_desc(&g, i), raw_l0_block(0x9));
	CHECK_EQ(gpi_at(&g, 0), GPT_GPI_NS);
	CHECK_EQ(gpi_at(&g, 0x0e000000), GPT_GPI_NS);
	CHECK_EQ(gpi_at(&g, (1ull << 36) - 4 * KIB), GPT_GPI_NS);
	CHECK_EQ(pool.calls, 1);
}

static void root_region_inside_first_gib_gets_l1(void)
{
	const uint64_t base = 0x0e000000, size = 16 * MIB;
	struct gpt g;
	uint64_t *l1;

	new_gpt(&g, 4 * GIB, GPT_GPI_ANY);
	CHECK_EQ(gpt_set(&g, base, size, GPT_GPI_ROOT), 0);
	CHECK_EQ(pool.calls, 2);
	CHECK_EQ(pool.last_size, L1_SIZE);
	CHECK_EQ(pool.last_align, L1_SIZE);
	CHECK(l0_is_raw_table(l0_desc(&g, 0)));
	CHECK_EQ(l0_desc(&g, 1), raw_l0_block(0xf));

	CHECK_EQ(gpi_at(&g, base - 4 * KIB), GPT_GPI_ANY);
	CHECK_EQ(gpi_at(&g, base), GPT_GPI_ROOT);
	CHECK_EQ(gpi_at(&g, base + size - 4 * KIB), GPT_GPI_ROOT);
	CHECK_EQ(gpi_at(&g, base + size), GPT_GPI_ANY);
	CHECK_EQ(gpi_at(&g, 0), GPT_GPI_ANY);
	CHECK_EQ(gpi_at(&g, GIB - 4 * KIB), GPT_GPI_ANY);

	/* L1 entry n covers 64 KiB: 16 GPIs of 4 bits, granule 0 lowest. */
	l1 = arena_table_ptr(&pool, l0_desc(&g, 0) & 0x000ffffffffff000ull);
	CHECK_EQ(l1[base >> 16], 0xaaaaaaaaaaaaaaaaull);
	CHECK_EQ(l1[(base >> 16) - 1], 0xffffffffffffffffull);
	CHECK_EQ(l1[(base + size) >> 16], 0xffffffffffffffffull);
}

static void whole_gib_stays_block(void)
{
	struct gpt g;

	new_gpt(&g, 4 * GIB, GPT_GPI_ANY);
	CHECK_EQ(gpt_set(&g, GIB, GIB, GPT_GPI_REALM), 0);
	CHECK_EQ(pool.calls, 1); /* no L1 table */
	CHECK_EQ(l0_desc(&g, 1), raw_l0_block(0xb));
	CHECK_EQ(l0_desc(&g, 0), raw_l0_block(0xf));
	CHECK_EQ(l0_desc(&g, 2), raw_l0_block(0xf));
	CHECK_EQ(gpi_at(&g, 2 * GIB - 4 * KIB), GPT_GPI_REALM);
	CHECK_EQ(gpi_at(&g, 2 * GIB), GPT_GPI_ANY);
}

static void whole_gib_replaces_l1_with_block(void)
{
	struct gpt g;

	new_gpt(&g, 4 * GIB, GPT_GPI_ANY);
	CHECK_EQ(gpt_set(&g, GIB + 4 * KIB, 4 * KIB, GPT_GPI_ROOT), 0);
	CHECK(l0_is_raw_table(l0_desc(&g, 1)));
	CHECK_EQ(gpt_set(&g, GIB, GIB, GPT_GPI_NS), 0);
	CHECK_EQ(l0_desc(&g, 1), raw_l0_block(0x9));
	CHECK_EQ(gpi_at(&g, GIB + 4 * KIB), GPT_GPI_NS);
}

static void one_granule(void)
{
	const uint64_t pa = 0x12345000;
	struct gpt g;
	uint64_t *l1;

	new_gpt(&g, 4 * GIB, GPT_GPI_NS);
	CHECK_EQ(gpt_set(&g, pa, 4 * KIB, GPT_GPI_NO_ACCESS), 0);
	CHECK_EQ(gpi_at(&g, pa), GPT_GPI_NO_ACCESS);
	CHECK_EQ(gpi_at(&g, pa - 4 * KIB), GPT_GPI_NS);
	CHECK_EQ(gpi_at(&g, pa + 4 * KIB), GPT_GPI_NS);
	/* Granule 5 of entry 0x1234: bits [23:20] cleared, the rest NS. */
	l1 = arena_table_ptr(&pool, l0_desc(&g, 0) & 0x000ffffffffff000ull);
	CHECK_EQ(l1[0x1234], 0x9999999999099999ull);
}

static void overlapping_sets_last_wins(void)
{
	struct gpt g;

	new_gpt(&g, 4 * GIB, GPT_GPI_ANY);
	CHECK_EQ(gpt_set(&g, 0x100000, 64 * KIB, GPT_GPI_ROOT), 0);
	CHECK_EQ(gpt_set(&g, 0x108000, 64 * KIB, GPT_GPI_SECURE), 0);
	CHECK_EQ(pool.calls, 2); /* the second set reuses the L1 table */
	CHECK_EQ(gpi_at(&g, 0x100000), GPT_GPI_ROOT);
	CHECK_EQ(gpi_at(&g, 0x107000), GPT_GPI_ROOT);
	CHECK_EQ(gpi_at(&g, 0x108000), GPT_GPI_SECURE);
	CHECK_EQ(gpi_at(&g, 0x117000), GPT_GPI_SECURE);
	CHECK_EQ(gpi_at(&g, 0x118000), GPT_GPI_ANY);
	CHECK_EQ(gpi_at(&g, 0x0ff000), GPT_GPI_ANY);
}

/* Partial at both ends, whole in the middle: two L1 tables and a block. */
static void range_across_regions(void)
{
	struct gpt g;

	new_gpt(&g, 4 * GIB, GPT_GPI_ANY);
	CHECK_EQ(gpt_set(&g, GIB - 8 * KIB, GIB + 16 * KIB, GPT_GPI_REALM), 0);
	CHECK_EQ(pool.calls, 3);
	CHECK(l0_is_raw_table(l0_desc(&g, 0)));
	CHECK_EQ(l0_desc(&g, 1), raw_l0_block(0xb));
	CHECK(l0_is_raw_table(l0_desc(&g, 2)));
	CHECK_EQ(gpi_at(&g, GIB - 12 * KIB), GPT_GPI_ANY);
	CHECK_EQ(gpi_at(&g, GIB - 8 * KIB), GPT_GPI_REALM);
	CHECK_EQ(gpi_at(&g, 2 * GIB + 4 * KIB), GPT_GPI_REALM);
	CHECK_EQ(gpi_at(&g, 2 * GIB + 8 * KIB), GPT_GPI_ANY);
}

static void bad_arguments_leave_table_unchanged(void)
{
	struct gpt g;

	new_gpt(&g, 4 * GIB, GPT_GPI_ANY);
	CHECK_EQ(gpt_set(&g, 0x100000, 4 * KIB, GPT_GPI_ROOT), 0);

	expect_refused(&g, 0x100800, 4 * KIB, GPT_GPI_ROOT, GPT_E_ALIGN);
	expect_refused(&g, 0x100000, 4 * KIB + 1, GPT_GPI_ROOT, GPT_E_ALIGN);
	expect_refused(&g, 0x100000, 0, GPT_GPI_ROOT, GPT_E_ALIGN);
	expect_refused(&g, 4 * GIB, 4 * KIB, GPT_GPI_ROOT, GPT_E_RANGE);
	expect_refused(&g, 4 * GIB - 4 * KIB, 8 * KIB, GPT_GPI_ROOT, GPT_E_RANGE);
	expect_refused(&g, ~0ull - 4 * KIB + 1, 8 * KIB, GPT_GPI_ROOT, GPT_E_RANGE);
	expect_refused(&g, 0x200000, 4 * KIB, 0x1, GPT_E_GPI);
	expect_refused(&g, 0x200000, 4 * KIB, 0xc, GPT_E_GPI);
	expect_refused(&g, 0x200000, 4 * KIB, 0x1a, GPT_E_GPI);
	CHECK_EQ(gpt_set(&g, 4 * GIB - 4 * KIB, 4 * KIB, GPT_GPI_ROOT), 0);

	reset_pool(ARENA_SIZE);
	CHECK_EQ(gpt_init(&g, 4 * GIB, 0x7, &test_alloc), GPT_E_GPI);
	CHECK_EQ(pool.calls, 0);
}

static void out_of_memory_leaves_table_unchanged(void)
{
	struct gpt g;

	reset_pool(0);
	CHECK_EQ(gpt_init(&g, 4 * GIB, GPT_GPI_ANY, &test_alloc), GPT_E_NOMEM);

	new_gpt(&g, 4 * GIB, GPT_GPI_ANY);
	pool.limit = pool.used;
	expect_refused(&g, 0x0e000000, 16 * MIB, GPT_GPI_ROOT, GPT_E_NOMEM);
	/* Whole regions need no memory. */
	CHECK_EQ(gpt_set(&g, GIB, GIB, GPT_GPI_ROOT), 0);
}

static void gpccr_fields_decode_to_intent(void)
{
	struct gpt g;
	uint64_t v;

	new_gpt(&g, 5 * GIB, GPT_GPI_ANY);
	v = gpt_gpccr(&g);
	CHECK_EQ(v & 0x7, 0x1);		/* PPS: 64 GB */
	CHECK_EQ((v >> 8) & 0x3, 0x1);	/* IRGN: WB RA WA */
	CHECK_EQ((v >> 10) & 0x3, 0x1); /* ORGN: WB RA WA */
	CHECK_EQ((v >> 12) & 0x3, 0x3); /* SH: inner shareable */
	CHECK_EQ((v >> 14) & 0x3, 0x0); /* PGS: 4 KB */
	CHECK_EQ((v >> 16) & 0x1, 0x1); /* GPC */
	CHECK_EQ((v >> 17) & 0x1, 0x0); /* GPCP */
	CHECK_EQ((v >> 20) & 0xf, 0x0); /* L0GPTSZ: 30 bits */
	CHECK_EQ(v, 0x13501);		/* and nothing else */
	/* What QEMU needs for GPT walks not to fault. */
	CHECK((v >> GPCCR_SH_SHIFT) & GPCCR_SH_MASK);
	CHECK((v >> GPCCR_IRGN_SHIFT) & GPCCR_RGN_MASK);
	CHECK((v >> GPCCR_ORGN_SHIFT) & GPCCR_RGN_MASK);

	new_gpt(&g, 2ull << 40, GPT_GPI_ANY);
	CHECK_EQ(gpt_gpccr(&g) & 0x7, 0x3); /* PPS: 4 TB */
	new_gpt(&g, 4 * GIB, GPT_GPI_ANY);
	CHECK_EQ(gpt_gpccr(&g) & 0x7, 0x0); /* PPS: 4 GB */
}

static void gptbr_holds_pa_bits_51_to_12(void)
{
	struct gpt g;

	new_gpt(&g, 4 * GIB, GPT_GPI_ANY);
	CHECK_EQ(gpt_gptbr(&g), ARENA_PA >> 12);

	g.l0_pa = 0x0008123456789000ull;
	CHECK_EQ(gpt_gptbr(&g), 0x8123456789ull);
	g.l0_pa = 0x000ff00000000000ull; /* PA bit 51 lands in bit 39 */
	CHECK_EQ(gpt_gptbr(&g), 0xff00000000ull);
}

static void lookup_beyond_pps_is_range_error(void)
{
	struct gpt g;
	unsigned gpi;

	new_gpt(&g, 4 * GIB, GPT_GPI_ANY);
	CHECK_EQ(gpt_lookup(&g, 4 * GIB, &gpi), GPT_E_RANGE);
	CHECK_EQ(gpt_lookup(&g, 4 * GIB - 1, &gpi), 0);
}

static void every_error_has_a_message(void)
{
	int errs[] = {GPT_E_ALIGN, GPT_E_RANGE, GPT_E_NOMEM, GPT_E_GPI};
	unsigned i, j;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		CHECK(errs[i] < 0);
		CHECK(strcmp(gpt_strerror(errs[i]), gpt_strerror(-100)) != 0);
		for (j = 0; j < i; j++)
			CHECK(errs[i] != errs[j]);
	}
}

int main(void)
{
	RUN(pps_is_smallest_covering_max_pa);
	RUN(default_gpi_everywhere);
	RUN(root_region_inside_first_gib_gets_l1);
	RUN(whole_gib_stays_block);
	RUN(whole_gib_replaces_l1_with_block);
	RUN(one_granule);
	RUN(overlapping_sets_last_wins);
	RUN(range_across_regions);
	RUN(bad_arguments_leave_table_unchanged);
	RUN(out_of_memory_leaves_table_unchanged);
	RUN(gpccr_fields_decode_to_intent);
	RUN(gptbr_holds_pa_bits_51_to_12);
	RUN(lookup_beyond_pps_is_range_error);
	RUN(every_error_has_a_message);
	UNIT_DONE();
}
