/* The trampoline page must be reachable at both VAs, and only sane plans pass. */
#include <stdint.h>
#include <string.h>

#include <lib/mm/pgtable.h>
#include <boot/trampoline_plan.h>
#include <lib/va_layout.h>

#include "unit.h"

#define POOL_PAGES 16
static uint8_t pool[POOL_PAGES][4096] __attribute__((aligned(4096)));
static unsigned used;

static uint64_t alloc_page(void *ctx)
{
	if (used == POOL_PAGES)
		return 0;
	memset(pool[used], 0, 4096);
	return (uint64_t)(uintptr_t)pool[used++];
}

static uint64_t *table_ptr(void *ctx, uint64_t pa)
{
	return (uint64_t *)(uintptr_t)pa;
}

static struct pgtable fresh_tables(void)
{
	static const struct pt_alloc a = {alloc_page, table_ptr, NULL};
	struct pgtable pt;

	used = 0;
	pt_init(&pt, &a);
	return pt;
}

static void plan_uses_the_delta(void)
{
	struct trampoline_plan p;

	CHECK_EQ(trampoline_plan(BOOT_LINK_VA + 0x5000, 0x40123000, TRAMPOLINE_DELTA, &p),
		 0);
	CHECK_EQ(p.va, BOOT_LINK_VA + 0x5000);
	CHECK_EQ(p.alias_va, HYP_BOOT_WINDOW_VA + 0x5000);
	CHECK_EQ(p.alias_va - p.va, TRAMPOLINE_DELTA);
	CHECK_EQ(p.pa, 0x40123000);
}

static void both_vas_reach_the_same_page(void)
{
	struct pgtable pt = fresh_tables();
	struct trampoline_plan p;
	uint64_t pa1 = 0, pa2 = 0, desc = 0;

	CHECK_EQ(trampoline_plan(BOOT_LINK_VA + 0x3000, 0x7fe45000, TRAMPOLINE_DELTA, &p),
		 0);
	CHECK_EQ(trampoline_map(&pt, &p), 0);
	CHECK_EQ(pt_lookup(&pt, p.va, &pa1, &desc, NULL), 0);
	CHECK_EQ(pt_lookup(&pt, p.alias_va, &pa2, NULL, NULL), 0);
	CHECK_EQ(pa1, 0x7fe45000);
	CHECK_EQ(pa2, 0x7fe45000);
	/* Only those two pages: the neighbours stay unmapped. */
	CHECK(pt_lookup(&pt, p.va + 0x1000, NULL, NULL, NULL) != 0);
	CHECK(pt_lookup(&pt, p.alias_va - 0x1000, NULL, NULL, NULL) != 0);
}

static void refuses_unaligned(void)
{
	struct trampoline_plan p;

	CHECK_EQ(trampoline_plan(BOOT_LINK_VA + 4, 0x40000000, TRAMPOLINE_DELTA, &p),
		 TRAMPOLINE_E_ALIGN);
	CHECK_EQ(trampoline_plan(BOOT_LINK_VA, 0x40000800, TRAMPOLINE_DELTA, &p),
		 TRAMPOLINE_E_ALIGN);
	CHECK_EQ(trampoline_plan(BOOT_LINK_VA, 0x40000000, 0x1800, &p),
		 TRAMPOLINE_E_ALIGN);
}

static void refuses_out_of_range(void)
{
	struct trampoline_plan p;

	CHECK_EQ(trampoline_plan(0xfffffffff000ull, 0x40000000, 0x1000, &p),
		 TRAMPOLINE_E_RANGE);
	CHECK_EQ(trampoline_plan(BOOT_LINK_VA, 0x40000000, ~0ull - 0xfff, &p),
		 TRAMPOLINE_E_RANGE);
}

static void refuses_overlapping_pages(void)
{
	struct trampoline_plan p;

	CHECK_EQ(trampoline_plan(BOOT_LINK_VA, 0x40000000, 0, &p), TRAMPOLINE_E_DELTA);
	CHECK_EQ(trampoline_plan(BOOT_LINK_VA, 0x40000000, 0x800, &p),
		 TRAMPOLINE_E_DELTA);
	CHECK_EQ(trampoline_plan(BOOT_LINK_VA, 0x40000000, 0x1000, &p), 0);
}

/* The native hand-over: the page at its VA and at its own PA. */
static void identity_plan_goes_down_to_the_pa(void)
{
	struct pgtable pt = fresh_tables();
	struct trampoline_plan p;
	uint64_t pa1 = 0, pa2 = 0, desc = 0;

	CHECK_EQ(trampoline_plan_identity(BOOT_LINK_VA + 0x13000, 0x79fb1000, &p), 0);
	CHECK_EQ(p.va, BOOT_LINK_VA + 0x13000);
	CHECK_EQ(p.alias_va, 0x79fb1000);
	CHECK_EQ(p.pa, 0x79fb1000);
	/* The jump is downwards: adding the delta wraps to the PA. */
	CHECK_EQ(p.va + p.delta, 0x79fb1000);
	CHECK_EQ(trampoline_map(&pt, &p), 0);
	CHECK_EQ(pt_lookup(&pt, p.va, &pa1, &desc, NULL), 0);
	CHECK_EQ(pa1, 0x79fb1000);
	CHECK_EQ(pt_lookup(&pt, 0x79fb1000, &pa2, NULL, NULL), 0);
	CHECK_EQ(pa2, 0x79fb1000);
	/* Nothing else: the neighbouring pages are not mapped. */
	CHECK(pt_lookup(&pt, 0x79fb0000, &pa2, NULL, NULL) != 0);
	CHECK(pt_lookup(&pt, 0x79fb2000, &pa2, NULL, NULL) != 0);
	CHECK(pt_lookup(&pt, p.va + 0x1000, &pa2, NULL, NULL) != 0);

	/* Upwards works too (a PA above the linked VA). */
	CHECK_EQ(trampoline_plan_identity(0x1000, 0x700000000000ull, &p), 0);
	CHECK_EQ(p.va + p.delta, 0x700000000000ull);
}

static void identity_plan_refusals(void)
{
	struct trampoline_plan p;

	CHECK_EQ(trampoline_plan_identity(BOOT_LINK_VA + 0x10, 0x40000000, &p),
		 TRAMPOLINE_E_ALIGN);
	CHECK_EQ(trampoline_plan_identity(BOOT_LINK_VA, 0x40000800, &p),
		 TRAMPOLINE_E_ALIGN);
	/* A PA the 48-bit VA space cannot hold cannot be mapped at itself. */
	CHECK_EQ(trampoline_plan_identity(BOOT_LINK_VA, 1ull << 48, &p),
		 TRAMPOLINE_E_RANGE);
	CHECK_EQ(trampoline_plan_identity(1ull << 48, 0x40000000, &p),
		 TRAMPOLINE_E_RANGE);
	CHECK_EQ(trampoline_plan_identity(BOOT_LINK_VA, (1ull << 48) - 0x1000, &p), 0);
	CHECK_EQ(trampoline_plan_identity(0x40000000, 0x40000000, &p),
		 TRAMPOLINE_E_DELTA);
}

int main(void)
{
	RUN(plan_uses_the_delta);
	RUN(both_vas_reach_the_same_page);
	RUN(refuses_unaligned);
	RUN(refuses_out_of_range);
	RUN(refuses_overlapping_pages);
	RUN(identity_plan_goes_down_to_the_pa);
	RUN(identity_plan_refusals);
	UNIT_DONE();
}
