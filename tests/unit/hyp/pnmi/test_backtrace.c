/*
 * Frame-record walk tests on fake stacks: a heap block of exactly the
 * stack's size (so AddressSanitizer reports any read outside it), with
 * records {prev_fp, lr} written at chosen slots. Each test gives the walk
 * the block's bounds and checks what it stores and where it stops.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hyp/pnmi/backtrace.h>

#include "unit.h"

#define SLOTS 64 /* uint64_t slots of a fake stack: 512 bytes */
#define POISON 0x5a5a5a5a5a5a5a5aull

struct stack {
	uint64_t *mem;
	uint64_t lo, hi;
};

static struct stack stack_new(void)
{
	struct stack s;

	s.mem = aligned_alloc(16, SLOTS * 8);
	for (unsigned i = 0; i < SLOTS; i++)
		s.mem[i] = POISON;
	s.lo = (uint64_t)(uintptr_t)s.mem;
	s.hi = s.lo + SLOTS * 8;
	return s;
}

/* The address of slot i. */
static uint64_t at(const struct stack *s, unsigned i)
{
	return s->lo + 8ull * i;
}

/* A record at slot i (even for 16-byte alignment) pointing at prev_fp. */
static void record(struct stack *s, unsigned i, uint64_t prev_fp, uint64_t lr)
{
	s->mem[i] = prev_fp;
	s->mem[i + 1] = lr;
}

static void pcs_clear(uint64_t *pcs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		pcs[i] = POISON;
}

/* Four frames at slots 4, 12, 20 and 40: the innermost
 * first, its caller's record higher up. */
static uint64_t chain4(struct stack *s)
{
	record(s, 40, 0, 0x4000);
	record(s, 20, at(s, 40), 0x3000);
	record(s, 12, at(s, 20), 0x2000);
	record(s, 4, at(s, 12), 0x1000);
	return at(s, 4);
}

static void test_chain(void)
{
	struct stack s = stack_new();
	uint64_t pcs[8];
	uint64_t fp = chain4(&s);

	pcs_clear(pcs, 8);
	CHECK_EQ(backtrace_walk(fp, s.lo, s.hi, pcs, 8), 4);
	CHECK_EQ(pcs[0], 0x1000);
	CHECK_EQ(pcs[1], 0x2000);
	CHECK_EQ(pcs[2], 0x3000);
	CHECK_EQ(pcs[3], 0x4000);
	CHECK_EQ(pcs[4], POISON);

	/* starting further out */
	CHECK_EQ(backtrace_walk(at(&s, 20), s.lo, s.hi, pcs, 8), 2);
	CHECK_EQ(pcs[0], 0x3000);
	/* fp 0: nothing */
	CHECK_EQ(backtrace_walk(0, s.lo, s.hi, pcs, 8), 0);
	free(s.mem);
}

static void test_terminal_lr_zero(void)
{
	struct stack s = stack_new();
	uint64_t pcs[8];

	/* the outermost record {0, 0} that entry code writes stores nothing */
	record(&s, 30, 0, 0);
	record(&s, 8, at(&s, 30), 0x1234);
	record(&s, 2, at(&s, 8), 0x1000);
	pcs_clear(pcs, 8);
	CHECK_EQ(backtrace_walk(at(&s, 2), s.lo, s.hi, pcs, 8), 2);
	CHECK_EQ(pcs[1], 0x1234);
	CHECK_EQ(pcs[2], POISON);
	/* an lr of 0 with a chain beyond it still ends the walk */
	record(&s, 30, at(&s, 40), 0);
	record(&s, 40, 0, 0x9999);
	CHECK_EQ(backtrace_walk(at(&s, 2), s.lo, s.hi, pcs, 8), 2);
	free(s.mem);
}

static void test_max(void)
{
	struct stack s = stack_new();
	uint64_t pcs[8];
	uint64_t fp = chain4(&s);

	pcs_clear(pcs, 8);
	CHECK_EQ(backtrace_walk(fp, s.lo, s.hi, pcs, 2), 2);
	CHECK_EQ(pcs[1], 0x2000);
	CHECK_EQ(pcs[2], POISON);
	CHECK_EQ(backtrace_walk(fp, s.lo, s.hi, pcs, 1), 1);
	CHECK_EQ(backtrace_walk(fp, s.lo, s.hi, pcs, 4), 4);
	/* max 0 touches nothing: pcs may be NULL */
	CHECK_EQ(backtrace_walk(fp, s.lo, s.hi, NULL, 0), 0);
	free(s.mem);
}

static void test_loops(void)
{
	struct stack s = stack_new();
	uint64_t pcs[8];

	/* a record pointing at itself */
	record(&s, 6, at(&s, 6), 0x1000);
	pcs_clear(pcs, 8);
	CHECK_EQ(backtrace_walk(at(&s, 6), s.lo, s.hi, pcs, 8), 1);
	CHECK_EQ(pcs[1], POISON);

	/* two records pointing at each other */
	record(&s, 10, at(&s, 20), 0x1000);
	record(&s, 20, at(&s, 10), 0x2000);
	CHECK_EQ(backtrace_walk(at(&s, 10), s.lo, s.hi, pcs, 8), 2);
	CHECK_EQ(pcs[1], 0x2000);

	/* a longer cycle back to the start */
	record(&s, 10, at(&s, 20), 0x1000);
	record(&s, 20, at(&s, 30), 0x2000);
	record(&s, 30, at(&s, 10), 0x3000);
	CHECK_EQ(backtrace_walk(at(&s, 10), s.lo, s.hi, pcs, 8), 3);
	free(s.mem);
}

static void test_decreasing(void)
{
	struct stack s = stack_new();
	uint64_t pcs[8];

	/* the second record is below the first: stop after the first */
	record(&s, 30, at(&s, 12), 0x1000);
	record(&s, 12, at(&s, 40), 0x2000);
	record(&s, 40, 0, 0x3000);
	pcs_clear(pcs, 8);
	CHECK_EQ(backtrace_walk(at(&s, 30), s.lo, s.hi, pcs, 8), 1);
	CHECK_EQ(pcs[0], 0x1000);
	CHECK_EQ(pcs[1], POISON);
	free(s.mem);
}

static void test_misaligned(void)
{
	struct stack s = stack_new();
	uint64_t pcs[8];

	record(&s, 10, 0, 0x1000);
	pcs_clear(pcs, 8);
	/* a misaligned start: 8 bytes off, then 1 byte off */
	CHECK_EQ(backtrace_walk(at(&s, 10) + 8, s.lo, s.hi, pcs, 8), 0);
	CHECK_EQ(backtrace_walk(at(&s, 10) + 1, s.lo, s.hi, pcs, 8), 0);
	CHECK_EQ(pcs[0], POISON);
	/* a misaligned link in the chain */
	record(&s, 4, at(&s, 10) + 8, 0x2000);
	CHECK_EQ(backtrace_walk(at(&s, 4), s.lo, s.hi, pcs, 8), 1);
	CHECK_EQ(pcs[0], 0x2000);
	record(&s, 4, at(&s, 10) + 4, 0x2000);
	CHECK_EQ(backtrace_walk(at(&s, 4), s.lo, s.hi, pcs, 8), 1);
	free(s.mem);
}

static void test_bounds(void)
{
	struct stack s = stack_new();
	uint64_t pcs[8];

	/* the highest record that fits ends exactly at stack_hi */
	record(&s, SLOTS - 2, 0, 0x7000);
	pcs_clear(pcs, 8);
	CHECK_EQ(backtrace_walk(at(&s, SLOTS - 2), s.lo, s.hi, pcs, 8), 1);
	CHECK_EQ(pcs[0], 0x7000);
	/* the lowest is at stack_lo */
	record(&s, 0, at(&s, SLOTS - 2), 0x6000);
	CHECK_EQ(backtrace_walk(s.lo, s.lo, s.hi, pcs, 8), 2);

	/* starting outside: below, at stack_hi, far above */
	CHECK_EQ(backtrace_walk(s.lo - 16, s.lo, s.hi, pcs, 8), 0);
	CHECK_EQ(backtrace_walk(s.hi, s.lo, s.hi, pcs, 8), 0);
	CHECK_EQ(backtrace_walk(s.hi + 0x1000, s.lo, s.hi, pcs, 8), 0);
	/* a record that would straddle stack_hi: a smaller window */
	CHECK_EQ(backtrace_walk(at(&s, SLOTS - 2), s.lo, s.hi - 8, pcs, 8), 0);

	/* a chain leaving the stack, upwards and to the top of memory */
	record(&s, 8, s.hi, 0x1000);
	CHECK_EQ(backtrace_walk(at(&s, 8), s.lo, s.hi, pcs, 8), 1);
	record(&s, 8, UINT64_MAX & ~15ull, 0x1000);
	CHECK_EQ(backtrace_walk(at(&s, 8), s.lo, s.hi, pcs, 8), 1);

	/* empty, inverted and tiny ranges, and ranges at the ends of memory */
	CHECK_EQ(backtrace_walk(s.lo, s.lo, s.lo, pcs, 8), 0);
	CHECK_EQ(backtrace_walk(s.lo, s.hi, s.lo, pcs, 8), 0);
	CHECK_EQ(backtrace_walk(s.lo, s.lo, s.lo + 15, pcs, 8), 0);
	CHECK_EQ(backtrace_walk(0x10, 0, 8, pcs, 8), 0);
	CHECK_EQ(backtrace_walk(UINT64_MAX & ~15ull, 0, UINT64_MAX, pcs, 8), 0);
	free(s.mem);
}

int main(void)
{
	RUN(test_chain);
	RUN(test_terminal_lr_zero);
	RUN(test_max);
	RUN(test_loops);
	RUN(test_decreasing);
	RUN(test_misaligned);
	RUN(test_bounds);
	UNIT_DONE();
}
