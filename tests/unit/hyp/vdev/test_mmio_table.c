/* A VM's table of emulated devices and stage-2 ranges (hyp/vdev/mmio_table.c). */
#include <stdint.h>
#include <string.h>

#include <hyp/vdev/mmio_table.h>

#include "unit.h"

static bool rd(struct vcpu *v, void *priv, uint64_t off, unsigned size, uint64_t *val)
{
	*val = off;
	return true;
}

static bool wr(struct vcpu *v, void *priv, uint64_t off, unsigned size, uint64_t val)
{
	return true;
}

static const struct mmio_ops ops = {rd, wr};
static int dev_a, dev_b;

#define RAM_BASE 0x40000000ull
#define RAM_SIZE 0x4000000ull

static void adds_and_finds_with_priv(void)
{
	struct mmio_table t = {0};
	const struct mmio_region *r;
	uint64_t val = 0;

	CHECK_EQ(mmio_table_add(&t, 0x09000000, 0x1000, &ops, &dev_a, "uart", NULL),
		 MMIO_OK);
	CHECK_EQ(mmio_table_add(&t, 0x08000000, 0x10000, &ops, &dev_b, "gicd", NULL),
		 MMIO_OK);
	CHECK_EQ(t.count, 2);
	/* First and last byte of each, and the bytes just outside. */
	r = mmio_table_find(&t, 0x09000000);
	CHECK(r && r->priv == &dev_a && !strcmp(r->name, "uart"));
	r = mmio_table_find(&t, 0x09000fff);
	CHECK(r && r->priv == &dev_a);
	CHECK(!mmio_table_find(&t, 0x09001000));
	CHECK(!mmio_table_find(&t, 0x08ffffff));
	r = mmio_table_find(&t, 0x08000000);
	CHECK(r && r->priv == &dev_b);
	r = mmio_table_find(&t, 0x0800ffff);
	CHECK(r && r->priv == &dev_b);
	CHECK(!mmio_table_find(&t, 0x07ffffff));
	CHECK(!mmio_table_find(&t, 0x08010000));
	/* The handlers are those given. */
	CHECK(r->ops.read(NULL, r->priv, 0x24, 4, &val) && val == 0x24);
	CHECK(r->ops.write == wr);
}

static void keeps_the_order_of_addition(void)
{
	struct mmio_table t = {0};

	CHECK_EQ(mmio_table_add(&t, 0x09000000, 0x1000, &ops, &dev_a, "uart", NULL),
		 MMIO_OK);
	CHECK_EQ(mmio_table_add(&t, 0x08000000, 0x10000, &ops, &dev_b, "gicd", NULL),
		 MMIO_OK);
	/* The first added is searched first (hyp/vm.c puts the UART there). */
	CHECK_EQ(t.regions[0].base, 0x09000000);
	CHECK_EQ(t.regions[1].base, 0x08000000);
}

static void refuses_empty_and_wrapping(void)
{
	struct mmio_table t = {0};

	CHECK_EQ(mmio_table_add(&t, 0x09000000, 0, &ops, NULL, "x", NULL), MMIO_E_EMPTY);
	CHECK_EQ(mmio_table_add(&t, UINT64_MAX - 0xfff, 0x2000, &ops, NULL, "x", NULL),
		 MMIO_E_WRAPS);
	/* Ending exactly at 2^64 is refused too: ends stay computable. */
	CHECK_EQ(mmio_table_add(&t, UINT64_MAX - 0xfff, 0x1000, &ops, NULL, "x", NULL),
		 MMIO_E_WRAPS);
	CHECK_EQ(mmio_table_add(&t, 1, UINT64_MAX, &ops, NULL, "x", NULL), MMIO_E_WRAPS);
	CHECK_EQ(mmio_table_add_mapped(&t, 0x1000, 0, "x", NULL), MMIO_E_EMPTY);
	CHECK_EQ(mmio_table_add_mapped(&t, UINT64_MAX, 2, "x", NULL), MMIO_E_WRAPS);
	/* The last range that fits. */
	CHECK_EQ(mmio_table_add(&t, UINT64_MAX - 0xfff, 0xfff, &ops, NULL, "top", NULL),
		 MMIO_OK);
	CHECK(mmio_table_find(&t, UINT64_MAX - 1));
	CHECK(!mmio_table_find(&t, UINT64_MAX));
	CHECK_EQ(t.count, 1);
	CHECK_EQ(t.mapped_count, 0);
}

static void refuses_missing_handlers(void)
{
	struct mmio_table t = {0};
	const struct mmio_ops no_write = {rd, NULL}, no_read = {NULL, wr};

	CHECK_EQ(mmio_table_add(&t, 0x1000, 0x1000, NULL, NULL, "x", NULL), MMIO_E_OPS);
	CHECK_EQ(mmio_table_add(&t, 0x1000, 0x1000, &no_write, NULL, "x", NULL),
		 MMIO_E_OPS);
	CHECK_EQ(mmio_table_add(&t, 0x1000, 0x1000, &no_read, NULL, "x", NULL),
		 MMIO_E_OPS);
	CHECK_EQ(t.count, 0);
}

static void refuses_overlap_with_a_device(void)
{
	struct mmio_table t = {0};
	const char *clash = NULL;

	CHECK_EQ(mmio_table_add(&t, 0x08000000, 0x10000, &ops, NULL, "gicd", NULL),
		 MMIO_OK);
	/* Inside, straddling either end, enclosing, identical. */
	CHECK_EQ(mmio_table_add(&t, 0x08001000, 0x1000, &ops, NULL, "x", &clash),
		 MMIO_E_OVERLAP);
	CHECK(clash && !strcmp(clash, "gicd"));
	CHECK_EQ(mmio_table_add(&t, 0x07fff000, 0x2000, &ops, NULL, "x", NULL),
		 MMIO_E_OVERLAP);
	CHECK_EQ(mmio_table_add(&t, 0x0800ffff, 0x2, &ops, NULL, "x", NULL),
		 MMIO_E_OVERLAP);
	CHECK_EQ(mmio_table_add(&t, 0x07000000, 0x2000000, &ops, NULL, "x", NULL),
		 MMIO_E_OVERLAP);
	CHECK_EQ(mmio_table_add(&t, 0x08000000, 0x10000, &ops, NULL, "x", NULL),
		 MMIO_E_OVERLAP);
	/* A stage-2 mapping over a device is refused too. */
	clash = NULL;
	CHECK_EQ(mmio_table_add_mapped(&t, 0x08008000, 0x1000, "bar", &clash),
		 MMIO_E_OVERLAP);
	CHECK(clash && !strcmp(clash, "gicd"));
	CHECK_EQ(t.count, 1);
	CHECK_EQ(t.mapped_count, 0);
}

static void refuses_overlap_with_what_stage2_maps(void)
{
	struct mmio_table t = {0};
	const char *clash = NULL;

	CHECK_EQ(mmio_table_add_mapped(&t, RAM_BASE, RAM_SIZE, "RAM", NULL), MMIO_OK);
	CHECK_EQ(mmio_table_add(&t, RAM_BASE + RAM_SIZE - 1, 0x1000, &ops, NULL, "x",
				&clash),
		 MMIO_E_OVERLAP);
	CHECK(clash && !strcmp(clash, "RAM"));
	CHECK_EQ(mmio_table_add(&t, RAM_BASE - 0x800, 0x1000, &ops, NULL, "x", NULL),
		 MMIO_E_OVERLAP);
	CHECK_EQ(mmio_table_add_mapped(&t, RAM_BASE + 0x1000, 0x1000, "bar", NULL),
		 MMIO_E_OVERLAP);
	/* A device over RAM is never found: it never got in. */
	CHECK(!mmio_table_find(&t, RAM_BASE));
	CHECK_EQ(t.count, 0);
	CHECK_EQ(t.mapped_count, 1);
}

static void adjacent_ranges_are_allowed(void)
{
	struct mmio_table t = {0};

	CHECK_EQ(mmio_table_add_mapped(&t, RAM_BASE, RAM_SIZE, "RAM", NULL), MMIO_OK);
	/* One's end is the next one's base, on both sides of each. */
	CHECK_EQ(mmio_table_add(&t, RAM_BASE - 0x1000, 0x1000, &ops, &dev_a, "below",
				NULL),
		 MMIO_OK);
	CHECK_EQ(mmio_table_add(&t, RAM_BASE + RAM_SIZE, 0x1000, &ops, &dev_b, "above",
				NULL),
		 MMIO_OK);
	CHECK_EQ(mmio_table_add(&t, RAM_BASE - 0x2000, 0x1000, &ops, NULL, "lower", NULL),
		 MMIO_OK);
	CHECK_EQ(mmio_table_add_mapped(&t, RAM_BASE + RAM_SIZE + 0x1000, 0x1000, "bar",
				       NULL),
		 MMIO_OK);
	CHECK_EQ(t.count, 3);
	CHECK_EQ(t.mapped_count, 2);
	CHECK(mmio_table_find(&t, RAM_BASE - 1)->priv == &dev_a);
	CHECK(mmio_table_find(&t, RAM_BASE + RAM_SIZE)->priv == &dev_b);
	CHECK(!mmio_table_find(&t, RAM_BASE));
	CHECK(!mmio_table_find(&t, RAM_BASE + RAM_SIZE - 1));
}

static void refuses_a_full_table(void)
{
	struct mmio_table t = {0}, before;
	uint64_t base = 0x0a000000;

	for (unsigned i = 0; i < MAX_MMIO_REGIONS; i++)
		CHECK_EQ(mmio_table_add(&t, base + i * 0x200, 0x200, &ops, NULL, "virtio",
					NULL),
			 MMIO_OK);
	CHECK_EQ(t.count, MAX_MMIO_REGIONS);
	before = t;
	CHECK_EQ(mmio_table_add(&t, base + MAX_MMIO_REGIONS * 0x200, 0x200, &ops, NULL,
				"one more", NULL),
		 MMIO_E_FULL);
	/* Nothing written past the table, nothing changed. */
	CHECK(!memcmp(&t, &before, sizeof(t)));
	CHECK(!mmio_table_find(&t, base + MAX_MMIO_REGIONS * 0x200));
	/* Both ends of the last one are found. */
	CHECK(mmio_table_find(&t, base + (MAX_MMIO_REGIONS - 1) * 0x200));
	CHECK(mmio_table_find(&t, base + MAX_MMIO_REGIONS * 0x200 - 1));
	/* An overlap is reported as such even when full. */
	CHECK_EQ(mmio_table_add(&t, base, 0x200, &ops, NULL, "x", NULL), MMIO_E_OVERLAP);

	for (unsigned i = 0; i < MAX_MAPPED_RANGES; i++)
		CHECK_EQ(mmio_table_add_mapped(&t, RAM_BASE + i * 0x1000ull, 0x1000,
					       "bar", NULL),
			 MMIO_OK);
	CHECK_EQ(mmio_table_add_mapped(&t, RAM_BASE + MAX_MAPPED_RANGES * 0x1000ull,
				       0x1000, "bar", NULL),
		 MMIO_E_FULL);
	CHECK_EQ(t.mapped_count, MAX_MAPPED_RANGES);
}

static void errors_have_names(void)
{
	for (int e = MMIO_OK; e <= MMIO_E_OPS; e++)
		CHECK(strcmp(mmio_table_strerror((enum mmio_table_err)e),
			     "unknown error"));
}

int main(void)
{
	RUN(adds_and_finds_with_priv);
	RUN(keeps_the_order_of_addition);
	RUN(refuses_empty_and_wrapping);
	RUN(refuses_missing_handlers);
	RUN(refuses_overlap_with_a_device);
	RUN(refuses_overlap_with_what_stage2_maps);
	RUN(adjacent_ranges_are_allowed);
	RUN(refuses_a_full_table);
	RUN(errors_have_names);
	UNIT_DONE();
}
