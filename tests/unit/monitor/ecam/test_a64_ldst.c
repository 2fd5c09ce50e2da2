/*
 * The A64 load/store emulator must do exactly what the architecture says
 * for every general-purpose load and store it takes, refuse everything else
 * with the right status, and never change a register when it refuses.
 *
 * The instruction words below were assembled with aarch64-linux-gnu-as
 * (binutils 2.40, -march=armv8.8-a+memtag+ls64+mops+sve) and checked with
 * aarch64-linux-gnu-objdump when the tests were written; the assembly text
 * sits next to each word and is printed when a case fails. Words that no
 * assembler produces (unallocated and some CONSTRAINED UNPREDICTABLE
 * encodings) are derived from an assembled word by editing one field, as
 * their text says, and objdump disassembles them as undefined. The words
 * in random_words() come from tests/fuzz/objdump_diff.sh runs.
 */
#include <stdint.h>
#include <string.h>

#include <monitor/ecam/a64_ldst.h>

#include "unit.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The emulated device's window and the registers' values when a case does
 * not set them. */
#define WIN 0x0000004000100000ull
#define WIN_SIZE 0x10000ull

static uint64_t default_x(unsigned i)
{
	return 0xdead000000000000ull | (uint64_t)i << 32 | 0xa5a5a500u | i;
}

#define DEFAULT_SP 0x5ace00000000f00dull

/* Table cases: case_begin() returns the test's failure flag so far,
 * case_end() names the case if a CHECK failed in it and merges the flags. */
static int case_begin(void)
{
	int outer = unit_case_failed;

	unit_case_failed = 0;
	return outer;
}

static void case_end(int outer, const char *text)
{
	if (unit_case_failed)
		printf("    in case \"%s\"\n", text);
	unit_case_failed |= outer;
}

/* ---- a bus that records what the emulator does ----------------------------- */

struct access {
	uint64_t va;
	unsigned size;
	uint64_t val;
	bool write;
};

static struct bus_state {
	/* behaviour */
	bool any_va;	      /* check() accepts every range, not just the window */
	bool refuse_check;    /* check() refuses everything */
	int fail_access;      /* the access (0, 1) that fails, or -1 */
	const uint64_t *data; /* what read() returns, in order */
	/* record */
	unsigned checks;
	uint64_t check_va, check_len;
	bool check_write;
	struct access acc[4];
	unsigned n_acc;
	bool access_before_check;
} bs;

static void bus_reset(void)
{
	memset(&bs, 0, sizeof(bs));
	bs.fail_access = -1;
}

static bool bus_check(void *ctx, uint64_t va, uint64_t len, bool write)
{
	CHECK(ctx == &bs);
	bs.checks++;
	bs.check_va = va;
	bs.check_len = len;
	bs.check_write = write;
	if (bs.refuse_check)
		return false;
	if (bs.any_va)
		return true;
	return va >= WIN && len <= WIN_SIZE && va - WIN <= WIN_SIZE - len;
}

static bool bus_access(uint64_t va, unsigned size, uint64_t val, bool write,
		       uint64_t *out)
{
	unsigned i = bs.n_acc;

	if (!bs.checks)
		bs.access_before_check = true;
	if (i >= ARRAY_SIZE(bs.acc))
		return false;
	bs.acc[i] = (struct access){va, size, val, write};
	bs.n_acc++;
	if ((int)i == bs.fail_access)
		return false;
	if (out)
		*out = bs.data ? bs.data[i] : 0;
	return true;
}

static bool bus_read(void *ctx, uint64_t va, unsigned size, uint64_t *val)
{
	CHECK(ctx == &bs);
	return bus_access(va, size, 0, false, val);
}

static bool bus_write(void *ctx, uint64_t va, unsigned size, uint64_t val)
{
	CHECK(ctx == &bs);
	return bus_access(va, size, val, true, NULL);
}

static const struct a64_ldst_bus bus = {bus_check, bus_read, bus_write};

/* ---- registers --------------------------------------------------------------- */

struct reg_val {
	bool set;
	uint8_t r; /* 0..30: Xr; 31: SP */
	uint64_t v;
};

#define X(n, val)            \
	{                    \
		true, n, val \
	}
#define SP_(val)              \
	{                     \
		true, 31, val \
	}

static void regs_default(struct a64_ldst_cpu *cpu)
{
	for (unsigned i = 0; i < 31; i++)
		cpu->x[i] = default_x(i);
	cpu->sp = DEFAULT_SP;
}

static void regs_apply(struct a64_ldst_cpu *cpu, const struct reg_val *rv, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (!rv[i].set)
			continue;
		if (rv[i].r == 31)
			cpu->sp = rv[i].v;
		else
			cpu->x[rv[i].r] = rv[i].v;
	}
}

static void check_regs(const struct a64_ldst_cpu *got, const struct a64_ldst_cpu *want)
{
	for (unsigned i = 0; i < 31; i++) {
		if (got->x[i] != want->x[i])
			printf("    x%u = 0x%llx, want 0x%llx\n", i,
			       (unsigned long long)got->x[i],
			       (unsigned long long)want->x[i]);
		CHECK_EQ(got->x[i], want->x[i]);
	}
	CHECK_EQ(got->sp, want->sp);
}

/* ---- accepted instructions: emulation ---------------------------------------- */

/* One instruction emulated from the default registers plus in[]: it must
 * make one check() of [va, va + size * count), then count accesses of
 * size bytes in address order (loads read data[], stores must write
 * data[]), and change exactly the registers in out[]. */
struct emu_case {
	uint32_t insn;
	const char *text;
	struct reg_val in[4];
	bool store;
	uint64_t va;
	uint8_t size, count;
	uint64_t data[2];
	struct reg_val out[3];
};

#define LOAD(va, size, n) false, va, size, n
#define STORE(va, size, n) true, va, size, n

static const struct emu_case emu_cases[] = {
	/* Unsigned offset: imm12 scaled by the size; sign extension to W and X; W
	 * destinations zero bits [63:32]; bits above the size from read() ignored. */
	{0xb9400020,
	 "ldr w0, [x1]",
	 {X(1, WIN)},
	 LOAD(WIN, 4, 1),
	 {0x89abcdef},
	 {X(0, 0x89abcdef)}},
	{0xf9400462,
	 "ldr x2, [x3, #8]",
	 {X(3, WIN)},
	 LOAD(WIN + 8, 8, 1),
	 {0x0123456789abcdef},
	 {X(2, 0x0123456789abcdef)}},
	{0x397ffca4,
	 "ldrb w4, [x5, #4095]",
	 {X(5, WIN)},
	 LOAD(WIN + 4095, 1, 1),
	 {0xff},
	 {X(4, 0xff)}},
	{0x797ffce6,
	 "ldrh w6, [x7, #8190]",
	 {X(7, WIN)},
	 LOAD(WIN + 8190, 2, 1),
	 {0x8001},
	 {X(6, 0x8001)}},
	{0xb97fffe8,
	 "ldr w8, [sp, #16380]",
	 {SP_(WIN)},
	 LOAD(WIN + 16380, 4, 1),
	 {0xfedcba98},
	 {X(8, 0xfedcba98)}},
	{0xf97ffd49,
	 "ldr x9, [x10, #32760]",
	 {X(10, WIN)},
	 LOAD(WIN + 32760, 8, 1),
	 {0x8000000000000001},
	 {X(9, 0x8000000000000001)}},
	{0x39c0058b,
	 "ldrsb w11, [x12, #1]",
	 {X(12, WIN)},
	 LOAD(WIN + 1, 1, 1),
	 {0x80},
	 {X(11, 0xffffff80)}},
	{0x398009cd,
	 "ldrsb x13, [x14, #2]",
	 {X(14, WIN)},
	 LOAD(WIN + 2, 1, 1),
	 {0x80},
	 {X(13, 0xffffffffffffff80)}},
	{0x398001cd,
	 "ldrsb x13, [x14]",
	 {X(14, WIN)},
	 LOAD(WIN, 1, 1),
	 {0x7f},
	 {X(13, 0x7f)}},
	{0x79c0060f,
	 "ldrsh w15, [x16, #2]",
	 {X(16, WIN)},
	 LOAD(WIN + 2, 2, 1),
	 {0x8000},
	 {X(15, 0xffff8000)}},
	{0x79c0020f,
	 "ldrsh w15, [x16]",
	 {X(16, WIN)},
	 LOAD(WIN, 2, 1),
	 {0x7fff},
	 {X(15, 0x7fff)}},
	{0x79800a51,
	 "ldrsh x17, [x18, #4]",
	 {X(18, WIN)},
	 LOAD(WIN + 4, 2, 1),
	 {0xfffe},
	 {X(17, 0xfffffffffffffffe)}},
	{0xb9800693,
	 "ldrsw x19, [x20, #4]",
	 {X(20, WIN)},
	 LOAD(WIN + 4, 4, 1),
	 {0x80000000},
	 {X(19, 0xffffffff80000000)}},
	{0xb9800293,
	 "ldrsw x19, [x20]",
	 {X(20, WIN)},
	 LOAD(WIN, 4, 1),
	 {0x7fffffff},
	 {X(19, 0x7fffffff)}},
	{0xb90006d5,
	 "str w21, [x22, #4]",
	 {X(22, WIN), X(21, 0xaaaaaaaa12345678)},
	 STORE(WIN + 4, 4, 1),
	 {0x12345678},
	 {}},
	{0xf9000b17,
	 "str x23, [x24, #16]",
	 {X(24, WIN), X(23, 0xfedcba9876543210)},
	 STORE(WIN + 16, 8, 1),
	 {0xfedcba9876543210},
	 {}},
	{0x39000f59,
	 "strb w25, [x26, #3]",
	 {X(26, WIN), X(25, 0x1234567890abcdef)},
	 STORE(WIN + 3, 1, 1),
	 {0xef},
	 {}},
	{0x79000f9b,
	 "strh w27, [x28, #6]",
	 {X(28, WIN), X(27, 0x1234567890abbeef)},
	 STORE(WIN + 6, 2, 1),
	 {0xbeef},
	 {}},
	{0x393fffe0,
	 "strb w0, [sp, #4095]",
	 {SP_(WIN), X(0, 0x1ff)},
	 STORE(WIN + 4095, 1, 1),
	 {0xff},
	 {}},
	{0xf90007bf, "str xzr, [x29, #8]", {X(29, WIN)}, STORE(WIN + 8, 8, 1), {0}, {}},
	{0xb90003ff, "str wzr, [sp]", {SP_(WIN)}, STORE(WIN, 4, 1), {0}, {}},
	{0xf94003df, "ldr xzr, [x30]", {X(30, WIN)}, LOAD(WIN, 8, 1), {0x1234}, {}},
	{0xb9400000,
	 "ldr w0, [x0]",
	 {X(0, WIN)},
	 LOAD(WIN, 4, 1),
	 {0xcafef00d},
	 {X(0, 0xcafef00d)}},
	{0x39400041,
	 "ldrb w1, [x2]",
	 {X(2, WIN)},
	 LOAD(WIN, 1, 1),
	 {0xffffffffffffff12},
	 {X(1, 0x12)}},
	{0x79800083,
	 "ldrsh x3, [x4]",
	 {X(4, WIN)},
	 LOAD(WIN, 2, 1),
	 {0xabcd000000007fff},
	 {X(3, 0x7fff)}},
	{0xb94000c5,
	 "ldr w5, [x6]",
	 {X(6, WIN)},
	 LOAD(WIN, 4, 1),
	 {0xffffffff00000001},
	 {X(5, 1)}},

	/* Unscaled immediate (LDUR/STUR): imm9, any alignment of the offset. */
	{0xf85f8020,
	 "ldur x0, [x1, #-8]",
	 {X(1, WIN + 16)},
	 LOAD(WIN + 8, 8, 1),
	 {0x1122334455667788},
	 {X(0, 0x1122334455667788)}},
	{0xb84ff062,
	 "ldur w2, [x3, #255]",
	 {X(3, WIN + 1)},
	 LOAD(WIN + 256, 4, 1),
	 {0x80000000},
	 {X(2, 0x80000000)}},
	{0x385000a4,
	 "ldurb w4, [x5, #-256]",
	 {X(5, WIN + 256)},
	 LOAD(WIN, 1, 1),
	 {0x80},
	 {X(4, 0x80)}},
	{0x7840218b,
	 "ldurh w11, [x12, #2]",
	 {X(12, WIN)},
	 LOAD(WIN + 2, 2, 1),
	 {0xffff},
	 {X(11, 0xffff)}},
	{0x789fe0e6,
	 "ldursh x6, [x7, #-2]",
	 {X(7, WIN + 2)},
	 LOAD(WIN, 2, 1),
	 {0x8000},
	 {X(6, 0xffffffffffff8000)}},
	{0x78c0218b,
	 "ldursh w11, [x12, #2]",
	 {X(12, WIN)},
	 LOAD(WIN + 2, 2, 1),
	 {0xffff},
	 {X(11, 0xffffffff)}},
	{0xb88043e8,
	 "ldursw x8, [sp, #4]",
	 {SP_(WIN)},
	 LOAD(WIN + 4, 4, 1),
	 {0xfffffffe},
	 {X(8, 0xfffffffffffffffe)}},
	{0x38c01149,
	 "ldursb w9, [x10, #1]",
	 {X(10, WIN)},
	 LOAD(WIN + 1, 1, 1),
	 {0xfe},
	 {X(9, 0xfffffffe)}},
	{0x389ff149,
	 "ldursb x9, [x10, #-1]",
	 {X(10, WIN + 1)},
	 LOAD(WIN, 1, 1),
	 {0x01},
	 {X(9, 1)}},
	{0xf81f01cd,
	 "stur x13, [x14, #-16]",
	 {X(14, WIN + 16), X(13, 0x0102030405060708)},
	 STORE(WIN, 8, 1),
	 {0x0102030405060708},
	 {}},
	{0x781fe20f,
	 "sturh w15, [x16, #-2]",
	 {X(16, WIN + 2), X(15, 0xffffffffffff1234)},
	 STORE(WIN, 2, 1),
	 {0x1234},
	 {}},
	{0x381ff251,
	 "sturb w17, [x18, #-1]",
	 {X(18, WIN + 1), X(17, 0x80)},
	 STORE(WIN, 1, 1),
	 {0x80},
	 {}},
	{0xb8004293,
	 "stur w19, [x20, #4]",
	 {X(20, WIN), X(19, 0xffffffff87654321)},
	 STORE(WIN + 4, 4, 1),
	 {0x87654321},
	 {}},
	{0xf81f83ff, "stur xzr, [sp, #-8]", {SP_(WIN + 8)}, STORE(WIN, 8, 1), {0}, {}},

	/* Pre-index: the access at Rn + imm9, which becomes Rn. */
	{0xf8408c20,
	 "ldr x0, [x1, #8]!",
	 {X(1, WIN)},
	 LOAD(WIN + 8, 8, 1),
	 {0x55},
	 {X(0, 0x55), X(1, WIN + 8)}},
	{0xb85fcc62,
	 "ldr w2, [x3, #-4]!",
	 {X(3, WIN + 8)},
	 LOAD(WIN + 4, 4, 1),
	 {0xdeadbeef},
	 {X(2, 0xdeadbeef), X(3, WIN + 4)}},
	{0xf81f0fe4,
	 "str x4, [sp, #-16]!",
	 {SP_(WIN + 16), X(4, 0x4444)},
	 STORE(WIN, 8, 1),
	 {0x4444},
	 {SP_(WIN)}},
	{0x384ffcc5,
	 "ldrb w5, [x6, #255]!",
	 {X(6, WIN)},
	 LOAD(WIN + 255, 1, 1),
	 {0x99},
	 {X(5, 0x99), X(6, WIN + 255)}},
	{0x78900d07,
	 "ldrsh x7, [x8, #-256]!",
	 {X(8, WIN + 512)},
	 LOAD(WIN + 256, 2, 1),
	 {0x8765},
	 {X(7, 0xffffffffffff8765), X(8, WIN + 256)}},
	{0x78002d49,
	 "strh w9, [x10, #2]!",
	 {X(10, WIN), X(9, 0xabcd)},
	 STORE(WIN + 2, 2, 1),
	 {0xabcd},
	 {X(10, WIN + 2)}},
	{0xb8804d8b,
	 "ldrsw x11, [x12, #4]!",
	 {X(12, WIN)},
	 LOAD(WIN + 4, 4, 1),
	 {0x80000001},
	 {X(11, 0xffffffff80000001), X(12, WIN + 4)}},
	{0x38c01dcd,
	 "ldrsb w13, [x14, #1]!",
	 {X(14, WIN)},
	 LOAD(WIN + 1, 1, 1),
	 {0xc0},
	 {X(13, 0xffffffc0), X(14, WIN + 1)}},
	{0x381ffe0f,
	 "strb w15, [x16, #-1]!",
	 {X(16, WIN + 1), X(15, 0x7a)},
	 STORE(WIN, 1, 1),
	 {0x7a},
	 {X(16, WIN)}},
	{0xf81f0fff,
	 "str xzr, [sp, #-16]!",
	 {SP_(WIN + 16)},
	 STORE(WIN, 8, 1),
	 {0},
	 {SP_(WIN)}},
	{0xf8408fff,
	 "ldr xzr, [sp, #8]!",
	 {SP_(WIN)},
	 LOAD(WIN + 8, 8, 1),
	 {1},
	 {SP_(WIN + 8)}},

	/* Post-index: the access at Rn, then Rn += imm9. */
	{0xf8408420,
	 "ldr x0, [x1], #8",
	 {X(1, WIN)},
	 LOAD(WIN, 8, 1),
	 {7},
	 {X(0, 7), X(1, WIN + 8)}},
	{0xb81fc462,
	 "str w2, [x3], #-4",
	 {X(3, WIN + 4), X(2, 0x1122334455667788)},
	 STORE(WIN + 4, 4, 1),
	 {0x55667788},
	 {X(3, WIN)}},
	{0x384017e4,
	 "ldrb w4, [sp], #1",
	 {SP_(WIN)},
	 LOAD(WIN, 1, 1),
	 {0x80},
	 {X(4, 0x80), SP_(WIN + 1)}},
	{0x389ff4c5,
	 "ldrsb x5, [x6], #-1",
	 {X(6, WIN + 1)},
	 LOAD(WIN + 1, 1, 1),
	 {0x81},
	 {X(5, 0xffffffffffffff81), X(6, WIN)}},
	{0x78002507,
	 "strh w7, [x8], #2",
	 {X(8, WIN), X(7, 0x10002)},
	 STORE(WIN, 2, 1),
	 {0x0002},
	 {X(8, WIN + 2)}},
	{0x78500549,
	 "ldrh w9, [x10], #-256",
	 {X(10, WIN + 256)},
	 LOAD(WIN + 256, 2, 1),
	 {0xfffe},
	 {X(9, 0xfffe), X(10, WIN)}},
	{0xf840857f,
	 "ldr xzr, [x11], #8",
	 {X(11, WIN)},
	 LOAD(WIN, 8, 1),
	 {3},
	 {X(11, WIN + 8)}},
	{0xb88045ac,
	 "ldrsw x12, [x13], #4",
	 {X(13, WIN)},
	 LOAD(WIN, 4, 1),
	 {0xffffffff},
	 {X(12, 0xffffffffffffffff), X(13, WIN + 4)}},
	{0x78cff5ee,
	 "ldrsh w14, [x15], #255",
	 {X(15, WIN)},
	 LOAD(WIN, 2, 1),
	 {0x8000},
	 {X(14, 0xffff8000), X(15, WIN + 255)}},
	{0xf80107f0,
	 "str x16, [sp], #16",
	 {SP_(WIN), X(16, 0x1616)},
	 STORE(WIN, 8, 1),
	 {0x1616},
	 {SP_(WIN + 16)}},

	/* Unprivileged: emulated like the plain forms. */
	{0xf8408820,
	 "ldtr x0, [x1, #8]",
	 {X(1, WIN)},
	 LOAD(WIN + 8, 8, 1),
	 {0x0807060504030201},
	 {X(0, 0x0807060504030201)}},
	{0xb85fc862,
	 "ldtr w2, [x3, #-4]",
	 {X(3, WIN + 4)},
	 LOAD(WIN, 4, 1),
	 {0x90000000},
	 {X(2, 0x90000000)}},
	{0xf8400be0, "ldtr x0, [sp]", {SP_(WIN)}, LOAD(WIN, 8, 1), {5}, {X(0, 5)}},
	{0x384ff8a4,
	 "ldtrb w4, [x5, #255]",
	 {X(5, WIN)},
	 LOAD(WIN + 255, 1, 1),
	 {0xaa},
	 {X(4, 0xaa)}},
	{0x785008e6,
	 "ldtrh w6, [x7, #-256]",
	 {X(7, WIN + 256)},
	 LOAD(WIN, 2, 1),
	 {0xaaaa},
	 {X(6, 0xaaaa)}},
	{0x38c01928,
	 "ldtrsb w8, [x9, #1]",
	 {X(9, WIN)},
	 LOAD(WIN + 1, 1, 1),
	 {0x80},
	 {X(8, 0xffffff80)}},
	{0x3880096a,
	 "ldtrsb x10, [x11]",
	 {X(11, WIN)},
	 LOAD(WIN, 1, 1),
	 {0xff},
	 {X(10, 0xffffffffffffffff)}},
	{0x78c009ac,
	 "ldtrsh w12, [x13]",
	 {X(13, WIN)},
	 LOAD(WIN, 2, 1),
	 {0x8001},
	 {X(12, 0xffff8001)}},
	{0x788029ee,
	 "ldtrsh x14, [x15, #2]",
	 {X(15, WIN)},
	 LOAD(WIN + 2, 2, 1),
	 {0x7001},
	 {X(14, 0x7001)}},
	{0xb89fca30,
	 "ldtrsw x16, [x17, #-4]",
	 {X(17, WIN + 4)},
	 LOAD(WIN, 4, 1),
	 {0x80000000},
	 {X(16, 0xffffffff80000000)}},
	{0xf8000a72,
	 "sttr x18, [x19]",
	 {X(19, WIN), X(18, 0x1818181818181818)},
	 STORE(WIN, 8, 1),
	 {0x1818181818181818},
	 {}},
	{0xb8004ab4,
	 "sttr w20, [x21, #4]",
	 {X(21, WIN), X(20, 0xffffffff20202020)},
	 STORE(WIN + 4, 4, 1),
	 {0x20202020},
	 {}},
	{0x38001af6,
	 "sttrb w22, [x23, #1]",
	 {X(23, WIN), X(22, 0x2222)},
	 STORE(WIN + 1, 1, 1),
	 {0x22},
	 {}},
	{0x781feb38,
	 "sttrh w24, [x25, #-2]",
	 {X(25, WIN + 2), X(24, 0x12424)},
	 STORE(WIN, 2, 1),
	 {0x2424},
	 {}},

	/* Register offset: Rm extended, shifted by log2(size) when S = 1;
	 * Rm = 31 is XZR. */
	{0xf8626820,
	 "ldr x0, [x1, x2]",
	 {X(1, WIN), X(2, 8)},
	 LOAD(WIN + 8, 8, 1),
	 {1},
	 {X(0, 1)}},
	{0xf8627820,
	 "ldr x0, [x1, x2, lsl #3]",
	 {X(1, WIN), X(2, 2)},
	 LOAD(WIN + 16, 8, 1),
	 {2},
	 {X(0, 2)}},
	{0xb8654883,
	 "ldr w3, [x4, w5, uxtw]",
	 {X(4, WIN), X(5, 0xffffffff00000004)},
	 LOAD(WIN + 4, 4, 1),
	 {3},
	 {X(3, 3)}},
	{0xb8655883,
	 "ldr w3, [x4, w5, uxtw #2]",
	 {X(4, WIN), X(5, 0x8000000000000003)},
	 LOAD(WIN + 12, 4, 1),
	 {4},
	 {X(3, 4)}},
	{0xf868c8e6,
	 "ldr x6, [x7, w8, sxtw]",
	 {X(7, WIN + 64), X(8, 0x12345678fffffff8)},
	 LOAD(WIN + 56, 8, 1),
	 {6},
	 {X(6, 6)}},
	{0xf868d8e6,
	 "ldr x6, [x7, w8, sxtw #3]",
	 {X(7, WIN + 64), X(8, 0x00000001ffffffff)},
	 LOAD(WIN + 56, 8, 1),
	 {7},
	 {X(6, 7)}},
	{0xf86be949,
	 "ldr x9, [x10, x11, sxtx]",
	 {X(10, WIN + 64), X(11, 0xfffffffffffffff0)},
	 LOAD(WIN + 48, 8, 1),
	 {9},
	 {X(9, 9)}},
	{0xf86bf949,
	 "ldr x9, [x10, x11, sxtx #3]",
	 {X(10, WIN + 64), X(11, 0xfffffffffffffffe)},
	 LOAD(WIN + 48, 8, 1),
	 {10},
	 {X(9, 10)}},
	{0x386e69ac,
	 "ldrb w12, [x13, x14]",
	 {X(13, WIN), X(14, 3)},
	 LOAD(WIN + 3, 1, 1),
	 {0x12},
	 {X(12, 0x12)}},
	{0x386e79ac,
	 "ldrb w12, [x13, x14, lsl #0]",
	 {X(13, WIN), X(14, 3)},
	 LOAD(WIN + 3, 1, 1),
	 {0x13},
	 {X(12, 0x13)}},
	{0x3862c820,
	 "ldrb w0, [x1, w2, sxtw]",
	 {X(1, WIN + 1), X(2, 0xffffffff)},
	 LOAD(WIN, 1, 1),
	 {0x42},
	 {X(0, 0x42)}},
	{0x78716a0f,
	 "ldrh w15, [x16, x17]",
	 {X(16, WIN), X(17, 6)},
	 LOAD(WIN + 6, 2, 1),
	 {0x1514},
	 {X(15, 0x1514)}},
	{0x78717a0f,
	 "ldrh w15, [x16, x17, lsl #1]",
	 {X(16, WIN), X(17, 3)},
	 LOAD(WIN + 6, 2, 1),
	 {0x1515},
	 {X(15, 0x1515)}},
	{0x78b4da72,
	 "ldrsh x18, [x19, w20, sxtw #1]",
	 {X(19, WIN + 2), X(20, 0xffffffff)},
	 LOAD(WIN, 2, 1),
	 {0x8000},
	 {X(18, 0xffffffffffff8000)}},
	{0xb8b77ad5,
	 "ldrsw x21, [x22, x23, lsl #2]",
	 {X(22, WIN), X(23, 1)},
	 LOAD(WIN + 4, 4, 1),
	 {0xffffffff},
	 {X(21, 0xffffffffffffffff)}},
	{0x38fa4b38,
	 "ldrsb w24, [x25, w26, uxtw]",
	 {X(25, WIN), X(26, 0xffffffff00000005)},
	 LOAD(WIN + 5, 1, 1),
	 {0x80},
	 {X(24, 0xffffff80)}},
	{0xf83d6b9b,
	 "str x27, [x28, x29]",
	 {X(28, WIN), X(29, 24), X(27, 0x2727)},
	 STORE(WIN + 24, 8, 1),
	 {0x2727},
	 {}},
	{0x38216be0,
	 "strb w0, [sp, x1]",
	 {SP_(WIN), X(1, 7), X(0, 0x1ff)},
	 STORE(WIN + 7, 1, 1),
	 {0xff},
	 {}},
	{0x7824d862,
	 "strh w2, [x3, w4, sxtw #1]",
	 {X(3, WIN + 4), X(4, 0xfffffffe), X(2, 0x1234)},
	 STORE(WIN, 2, 1),
	 {0x1234},
	 {}},
	{0xb82778c5,
	 "str w5, [x6, x7, lsl #2]",
	 {X(6, WIN), X(7, 2), X(5, 0x5555555566666666)},
	 STORE(WIN + 8, 4, 1),
	 {0x66666666},
	 {}},
	{0xf87f6820,
	 "ldr x0, [x1, xzr]",
	 {X(1, WIN)},
	 LOAD(WIN, 8, 1),
	 {0x0f},
	 {X(0, 0x0f)}},
	{0xf8617be0,
	 "ldr x0, [sp, x1, lsl #3]",
	 {SP_(WIN), X(1, 1)},
	 LOAD(WIN + 8, 8, 1),
	 {0xee},
	 {X(0, 0xee)}},
	{0xf8606800,
	 "ldr x0, [x0, x0]",
	 {X(0, WIN / 2)},
	 LOAD(WIN, 8, 1),
	 {1},
	 {X(0, 1)}},

	/* Pairs: two elements in address order, imm7 scaled; LDPSW; LDNP/STNP. */
	{0xa9400440,
	 "ldp x0, x1, [x2]",
	 {X(2, WIN)},
	 LOAD(WIN, 8, 2),
	 {0x1111, 0x2222},
	 {X(0, 0x1111), X(1, 0x2222)}},
	{0xa9400440,
	 "ldp x0, x1, [x2]",
	 {X(2, WIN + 8)},
	 LOAD(WIN + 8, 8, 2),
	 {0x3333, 0x4444},
	 {X(0, 0x3333), X(1, 0x4444)}},
	{0x297f10a3,
	 "ldp w3, w4, [x5, #-8]",
	 {X(5, WIN + 8)},
	 LOAD(WIN, 4, 2),
	 {0x80000000, 0xffffffff},
	 {X(3, 0x80000000), X(4, 0xffffffff)}},
	{0x29e00440,
	 "ldp w0, w1, [x2, #-256]!",
	 {X(2, WIN + 256)},
	 LOAD(WIN, 4, 2),
	 {0x12345678deadbeef, 0x1},
	 {X(0, 0xdeadbeef), X(1, 1), X(2, WIN)}},
	{0xa9c11d06,
	 "ldp x6, x7, [x8, #16]!",
	 {X(8, WIN)},
	 LOAD(WIN + 16, 8, 2),
	 {6, 7},
	 {X(6, 6), X(7, 7), X(8, WIN + 16)}},
	{0xa8ff2969,
	 "ldp x9, x10, [x11], #-16",
	 {X(11, WIN + 16)},
	 LOAD(WIN + 16, 8, 2),
	 {9, 10},
	 {X(9, 9), X(10, 10), X(11, WIN)}},
	{0xa95f8861,
	 "ldp x1, x2, [x3, #504]",
	 {X(3, WIN)},
	 LOAD(WIN + 504, 8, 2),
	 {1, 2},
	 {X(1, 1), X(2, 2)}},
	{0xa9600861,
	 "ldp x1, x2, [x3, #-512]",
	 {X(3, WIN + 512)},
	 LOAD(WIN, 8, 2),
	 {1, 2},
	 {X(1, 1), X(2, 2)}},
	{0xa940003f,
	 "ldp xzr, x0, [x1]",
	 {X(1, WIN)},
	 LOAD(WIN, 8, 2),
	 {0xaa, 0xbb},
	 {X(0, 0xbb)}},
	{0xa8c17fe0,
	 "ldp x0, xzr, [sp], #16",
	 {SP_(WIN)},
	 LOAD(WIN, 8, 2),
	 {1, 2},
	 {X(0, 1), SP_(WIN + 16)}},
	{0xa9400400,
	 "ldp x0, x1, [x0]",
	 {X(0, WIN)},
	 LOAD(WIN, 8, 2),
	 {0xa, 0xb},
	 {X(0, 0xa), X(1, 0xb)}},
	{0xa8c17bfd,
	 "ldp x29, x30, [sp], #16",
	 {SP_(WIN)},
	 LOAD(WIN, 8, 2),
	 {0x29, 0x30},
	 {X(29, 0x29), X(30, 0x30), SP_(WIN + 16)}},
	{0xa9bf37ec,
	 "stp x12, x13, [sp, #-16]!",
	 {SP_(WIN + 16), X(12, 0xc), X(13, 0xd)},
	 STORE(WIN, 8, 2),
	 {0xc, 0xd},
	 {SP_(WIN)}},
	{0x28813e0e,
	 "stp w14, w15, [x16], #8",
	 {X(16, WIN), X(14, 0xffffffff0000000e), X(15, 0x100000000f)},
	 STORE(WIN, 4, 2),
	 {0xe, 0xf},
	 {X(16, WIN + 8)}},
	{0xa9007e3f, "stp xzr, xzr, [x17]", {X(17, WIN)}, STORE(WIN, 8, 2), {0, 0}, {}},
	{0x291fca7f,
	 "stp wzr, w18, [x19, #252]",
	 {X(19, WIN), X(18, 0x18)},
	 STORE(WIN + 252, 4, 2),
	 {0, 0x18},
	 {}},
	{0xa9010400,
	 "stp x0, x1, [x0, #16]",
	 {X(0, WIN), X(1, 0x11)},
	 STORE(WIN + 16, 8, 2),
	 {WIN, 0x11},
	 {}},
	{0xa9000020,
	 "stp x0, x0, [x1]",
	 {X(1, WIN), X(0, 0x77)},
	 STORE(WIN, 8, 2),
	 {0x77, 0x77},
	 {}},
	{0xa9a00be1,
	 "stp x1, x2, [sp, #-512]!",
	 {SP_(WIN + 512), X(1, 1), X(2, 2)},
	 STORE(WIN, 8, 2),
	 {1, 2},
	 {SP_(WIN)}},
	{0x694056d4,
	 "ldpsw x20, x21, [x22]",
	 {X(22, WIN)},
	 LOAD(WIN, 4, 2),
	 {0x80000000, 0x7fffffff},
	 {X(20, 0xffffffff80000000), X(21, 0x7fffffff)}},
	{0x69e06337,
	 "ldpsw x23, x24, [x25, #-256]!",
	 {X(25, WIN + 256)},
	 LOAD(WIN, 4, 2),
	 {0xfffffffe, 1},
	 {X(23, 0xfffffffffffffffe), X(24, 1), X(25, WIN)}},
	{0x68dfef9a,
	 "ldpsw x26, x27, [x28], #252",
	 {X(28, WIN)},
	 LOAD(WIN, 4, 2),
	 {1, 0x80000001},
	 {X(26, 1), X(27, 0xffffffff80000001), X(28, WIN + 252)}},
	{0xa85f8440,
	 "ldnp x0, x1, [x2, #504]",
	 {X(2, WIN)},
	 LOAD(WIN + 504, 8, 2),
	 {1, 2},
	 {X(0, 1), X(1, 2)}},
	{0x28401fe6,
	 "ldnp w6, w7, [sp]",
	 {SP_(WIN)},
	 LOAD(WIN, 4, 2),
	 {0xffffffff00000006, 7},
	 {X(6, 6), X(7, 7)}},
	{0x282010a3,
	 "stnp w3, w4, [x5, #-256]",
	 {X(5, WIN + 256), X(3, 3), X(4, 4)},
	 STORE(WIN, 4, 2),
	 {3, 4},
	 {}},
	{0xa80090a3,
	 "stnp x3, x4, [x5, #8]",
	 {X(5, WIN), X(3, 3), X(4, 4)},
	 STORE(WIN + 8, 8, 2),
	 {3, 4},
	 {}},
};

static void run_emu_case(const struct emu_case *c)
{
	struct a64_ldst_cpu cpu, want;
	enum a64_ldst_status st;
	int outer = case_begin();

	bus_reset();
	bs.data = c->data;
	regs_default(&cpu);
	regs_apply(&cpu, c->in, ARRAY_SIZE(c->in));
	want = cpu;
	regs_apply(&want, c->out, ARRAY_SIZE(c->out));

	st = a64_ldst_emulate(c->insn, &cpu, &bus, &bs);
	CHECK_EQ(st, A64_LDST_OK);
	CHECK_EQ(bs.checks, 1);
	CHECK_EQ(bs.check_va, c->va);
	CHECK_EQ(bs.check_len, (uint64_t)c->size * c->count);
	CHECK_EQ(bs.check_write, c->store);
	CHECK(!bs.access_before_check);
	CHECK_EQ(bs.n_acc, c->count);
	for (unsigned i = 0; i < c->count && i < bs.n_acc; i++) {
		CHECK_EQ(bs.acc[i].va, c->va + i * c->size);
		CHECK_EQ(bs.acc[i].size, c->size);
		CHECK_EQ(bs.acc[i].write, c->store);
		if (c->store)
			CHECK_EQ(bs.acc[i].val, c->data[i]);
	}
	check_regs(&cpu, &want);
	case_end(outer, c->text);
}

static void emulate_accepted(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(emu_cases); i++)
		run_emu_case(&emu_cases[i]);
}

/* ---- accepted instructions: the decoded fields -------------------------------- */

struct decode_case {
	uint32_t insn;
	const char *text;
	struct a64_ldst d;
};

static const struct decode_case decode_cases[] = {
	{0xb9400020,
	 "ldr w0, [x1]",
	 {.size = 4, .rt = 0, .rn = 1, .flags = A64_LDST_F_LOAD}},
	{0xf97ffffe,
	 "ldr x30, [sp, #32760]",
	 {.size = 8,
	  .rt = 30,
	  .rn = 31,
	  .imm = 32760,
	  .flags = A64_LDST_F_LOAD | A64_LDST_F_WIDE}},
	{0x39fffc62,
	 "ldrsb w2, [x3, #4095]",
	 {.size = 1,
	  .rt = 2,
	  .rn = 3,
	  .imm = 4095,
	  .flags = A64_LDST_F_LOAD | A64_LDST_F_SIGN}},
	{0x789feca4,
	 "ldrsh x4, [x5, #-2]!",
	 {.size = 2,
	  .rt = 4,
	  .rn = 5,
	  .imm = -2,
	  .flags = A64_LDST_F_LOAD | A64_LDST_F_SIGN | A64_LDST_F_WIDE |
		   A64_LDST_F_WRITEBACK}},
	{0xb89004e6,
	 "ldrsw x6, [x7], #-256",
	 {.size = 4,
	  .rt = 6,
	  .rn = 7,
	  .imm = -256,
	  .flags = A64_LDST_F_LOAD | A64_LDST_F_SIGN | A64_LDST_F_WIDE |
		   A64_LDST_F_WRITEBACK | A64_LDST_F_POST}},
	{0x78cff128,
	 "ldursh w8, [x9, #255]",
	 {.size = 2,
	  .rt = 8,
	  .rn = 9,
	  .imm = 255,
	  .flags = A64_LDST_F_LOAD | A64_LDST_F_SIGN}},
	{0x381ff15f, "sturb wzr, [x10, #-1]", {.size = 1, .rt = 31, .rn = 10, .imm = -1}},
	{0x788029ee,
	 "ldtrsh x14, [x15, #2]",
	 {.size = 2,
	  .rt = 14,
	  .rn = 15,
	  .imm = 2,
	  .flags = A64_LDST_F_LOAD | A64_LDST_F_SIGN | A64_LDST_F_WIDE |
		   A64_LDST_F_UNPRIV}},
	{0xb81fcbe1,
	 "sttr w1, [sp, #-4]",
	 {.size = 4, .rt = 1, .rn = 31, .imm = -4, .flags = A64_LDST_F_UNPRIV}},
	{0xf81f0fe4,
	 "str x4, [sp, #-16]!",
	 {.size = 8, .rt = 4, .rn = 31, .imm = -16, .flags = A64_LDST_F_WRITEBACK}},
	{0xb865d883,
	 "ldr w3, [x4, w5, sxtw #2]",
	 {.size = 4,
	  .rt = 3,
	  .rn = 4,
	  .rm = 5,
	  .extend = A64_LDST_SXTW,
	  .shift = 2,
	  .flags = A64_LDST_F_LOAD | A64_LDST_F_REGOFF}},
	{0xf8654883,
	 "ldr x3, [x4, w5, uxtw]",
	 {.size = 8,
	  .rt = 3,
	  .rn = 4,
	  .rm = 5,
	  .extend = A64_LDST_UXTW,
	  .flags = A64_LDST_F_LOAD | A64_LDST_F_WIDE | A64_LDST_F_REGOFF}},
	{0x78257883,
	 "strh w3, [x4, x5, lsl #1]",
	 {.size = 2,
	  .rt = 3,
	  .rn = 4,
	  .rm = 5,
	  .extend = A64_LDST_LSL,
	  .shift = 1,
	  .flags = A64_LDST_F_REGOFF}},
	{0x38657883,
	 "ldrb w3, [x4, x5, lsl #0]",
	 {.size = 1,
	  .rt = 3,
	  .rn = 4,
	  .rm = 5,
	  .extend = A64_LDST_LSL,
	  .flags = A64_LDST_F_LOAD | A64_LDST_F_REGOFF}},
	{0x38bfe883,
	 "ldrsb x3, [x4, xzr, sxtx]",
	 {.size = 1,
	  .rt = 3,
	  .rn = 4,
	  .rm = 31,
	  .extend = A64_LDST_SXTX,
	  .flags = A64_LDST_F_LOAD | A64_LDST_F_SIGN | A64_LDST_F_WIDE |
		   A64_LDST_F_REGOFF}},
	{0xa9600440,
	 "ldp x0, x1, [x2, #-512]",
	 {.size = 8,
	  .rt = 0,
	  .rt2 = 1,
	  .rn = 2,
	  .imm = -512,
	  .flags = A64_LDST_F_LOAD | A64_LDST_F_PAIR | A64_LDST_F_WIDE}},
	{0x299f93e3,
	 "stp w3, w4, [sp, #252]!",
	 {.size = 4,
	  .rt = 3,
	  .rt2 = 4,
	  .rn = 31,
	  .imm = 252,
	  .flags = A64_LDST_F_PAIR | A64_LDST_F_WRITEBACK}},
	{0x68e06337,
	 "ldpsw x23, x24, [x25], #-256",
	 {.size = 4,
	  .rt = 23,
	  .rt2 = 24,
	  .rn = 25,
	  .imm = -256,
	  .flags = A64_LDST_F_LOAD | A64_LDST_F_PAIR | A64_LDST_F_SIGN | A64_LDST_F_WIDE |
		   A64_LDST_F_WRITEBACK | A64_LDST_F_POST}},
	{0xa85f8440,
	 "ldnp x0, x1, [x2, #504]",
	 {.size = 8,
	  .rt = 0,
	  .rt2 = 1,
	  .rn = 2,
	  .imm = 504,
	  .flags = A64_LDST_F_LOAD | A64_LDST_F_PAIR | A64_LDST_F_WIDE |
		   A64_LDST_F_NOALLOC}},
	{0x283ff85f,
	 "stnp wzr, w30, [x2, #-4]",
	 {.size = 4,
	  .rt = 31,
	  .rt2 = 30,
	  .rn = 2,
	  .imm = -4,
	  .flags = A64_LDST_F_PAIR | A64_LDST_F_NOALLOC}},
};

static void decode_fields(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(decode_cases); i++) {
		const struct decode_case *c = &decode_cases[i];
		struct a64_ldst d;
		int outer = case_begin();

		memset(&d, 0x5a, sizeof(d)); /* decode must set every field */
		CHECK_EQ(a64_ldst_decode(c->insn, &d), A64_LDST_OK);
		CHECK_EQ(d.size, c->d.size);
		CHECK_EQ(d.rt, c->d.rt);
		CHECK_EQ(d.rt2, c->d.rt2);
		CHECK_EQ(d.rn, c->d.rn);
		CHECK_EQ(d.rm, c->d.rm);
		CHECK_EQ(d.extend, c->d.extend);
		CHECK_EQ(d.shift, c->d.shift);
		CHECK_EQ(d.flags, c->d.flags);
		CHECK_EQ(d.imm, c->d.imm);
		case_end(outer, c->text);
	}
}

/* ---- refused instructions ---------------------------------------------------- */

struct refused_case {
	uint32_t insn;
	const char *text;
	enum a64_ldst_status status;
};

static const struct refused_case refused_cases[] = {
	/* Not in the Loads and Stores group, near misses included. */
	{0xd503201f, "nop", A64_LDST_NOT_LDST},
	{0x00000000, "udf #0", A64_LDST_NOT_LDST},
	{0x8b020020, "add x0, x1, x2", A64_LDST_NOT_LDST},	    /* [28:25] = 0101 */
	{0x4ea28420, "add v0.4s, v1.4s, v2.4s", A64_LDST_NOT_LDST}, /* x111 */
	{0x14000000, "b .", A64_LDST_NOT_LDST},
	{0xd5380000, "mrs x0, midr_el1", A64_LDST_NOT_LDST},
	{0xd4000001, "svc #0", A64_LDST_NOT_LDST},
	{0xd69f03e0, "eret", A64_LDST_NOT_LDST},
	{0x85804000, "ldr z0, [x0]", A64_LDST_NOT_LDST}, /* SVE: 0010 */
	{0xa5e0a000, "ld1d {z0.d}, p0/z, [x0]", A64_LDST_NOT_LDST},
	{0xe4014000, "st1b {z0.b}, p0, [x0, x1]", A64_LDST_NOT_LDST},

	/* SIMD&FP registers (V = 1), every class. */
	{0x3dc00020, "ldr q0, [x1]", A64_LDST_SIMD_FP},
	{0xfd000420, "str d0, [x1, #8]", A64_LDST_SIMD_FP},
	{0x3d400000, "ldr b0, [x0]", A64_LDST_SIMD_FP},
	{0x7c402401, "ldr h1, [x0], #2", A64_LDST_SIMD_FP},
	{0xbc404c02, "ldr s2, [x0, #4]!", A64_LDST_SIMD_FP},
	{0x3c9f0fff, "str q31, [sp, #-16]!", A64_LDST_SIMD_FP},
	{0xbc5ff000, "ldur s0, [x0, #-1]", A64_LDST_SIMD_FP},
	{0xfc617800, "ldr d0, [x0, x1, lsl #3]", A64_LDST_SIMD_FP},
	{0x9c000000, "ldr q0, .", A64_LDST_SIMD_FP},
	{0xad4007e0, "ldp q0, q1, [sp]", A64_LDST_SIMD_FP},
	{0x2dff0400, "ldp s0, s1, [x0, #-8]!", A64_LDST_SIMD_FP},
	{0x6c000400, "stnp d0, d1, [x0]", A64_LDST_SIMD_FP},
	{0x4c407000, "ld1 {v0.16b}, [x0]", A64_LDST_SIMD_FP},
	{0x4c9f7800, "st1 {v0.4s}, [x0], #16", A64_LDST_SIMD_FP},
	{0x0d60e000, "ld4r {v0.8b-v3.8b}, [x0]", A64_LDST_SIMD_FP},
	{0x0d409000, "ld1 {v0.s}[1], [x0]", A64_LDST_SIMD_FP},
	{0x3c214800, "str b0, [x0, w1, uxtw]", A64_LDST_SIMD_FP},

	/* Exclusive, ordered, compare and swap. */
	{0xc85f7c20, "ldxr x0, [x1]", A64_LDST_EXCLUSIVE_ORDERED},
	{0x085f7c20, "ldxrb w0, [x1]", A64_LDST_EXCLUSIVE_ORDERED},
	{0xc8027c20, "stxr w2, x0, [x1]", A64_LDST_EXCLUSIVE_ORDERED},
	{0x885ffc20, "ldaxr w0, [x1]", A64_LDST_EXCLUSIVE_ORDERED},
	{0x8802fc20, "stlxr w2, w0, [x1]", A64_LDST_EXCLUSIVE_ORDERED},
	{0xc87f0440, "ldxp x0, x1, [x2]", A64_LDST_EXCLUSIVE_ORDERED},
	{0xc8230440, "stxp w3, x0, x1, [x2]", A64_LDST_EXCLUSIVE_ORDERED},
	{0xc8dffc20, "ldar x0, [x1]", A64_LDST_EXCLUSIVE_ORDERED},
	{0x48dffc20, "ldarh w0, [x1]", A64_LDST_EXCLUSIVE_ORDERED},
	{0x889ffc20, "stlr w0, [x1]", A64_LDST_EXCLUSIVE_ORDERED},
	{0x089ffc20, "stlrb w0, [x1]", A64_LDST_EXCLUSIVE_ORDERED},
	{0xc8df7c20, "ldlar x0, [x1]", A64_LDST_EXCLUSIVE_ORDERED},
	{0xc89f7c20, "stllr x0, [x1]", A64_LDST_EXCLUSIVE_ORDERED},
	{0xc8a07c41, "cas x0, x1, [x2]", A64_LDST_EXCLUSIVE_ORDERED},
	{0x88e0fc41, "casal w0, w1, [x2]", A64_LDST_EXCLUSIVE_ORDERED},
	{0x08a07c41, "casb w0, w1, [x2]", A64_LDST_EXCLUSIVE_ORDERED},
	{0x48207c82, "casp x0, x1, x2, x3, [x4]", A64_LDST_EXCLUSIVE_ORDERED},
	{0xd9400020, "ldapur x0, [x1]", A64_LDST_EXCLUSIVE_ORDERED},
	{0x19400020, "ldapurb w0, [x1]", A64_LDST_EXCLUSIVE_ORDERED},
	{0x99804020, "ldapursw x0, [x1, #4]", A64_LDST_EXCLUSIVE_ORDERED},
	{0x991fc020, "stlur w0, [x1, #-4]", A64_LDST_EXCLUSIVE_ORDERED},

	/* Atomic memory operations class. */
	{0xf8200041, "ldadd x0, x1, [x2]", A64_LDST_ATOMIC},
	{0xb8e00041, "ldaddal w0, w1, [x2]", A64_LDST_ATOMIC},
	{0x38201041, "ldclrb w0, w1, [x2]", A64_LDST_ATOMIC},
	{0x78204041, "ldsmaxh w0, w1, [x2]", A64_LDST_ATOMIC},
	{0xf82073e1, "ldumin x0, x1, [sp]", A64_LDST_ATOMIC},
	{0xb8602041, "ldeorl w0, w1, [x2]", A64_LDST_ATOMIC},
	{0xf820305f, "ldset x0, xzr, [x2]", A64_LDST_ATOMIC},
	{0xf820003f, "stadd x0, [x1]", A64_LDST_ATOMIC},
	{0xf8208041, "swp x0, x1, [x2]", A64_LDST_ATOMIC},
	{0xb8e08041, "swpal w0, w1, [x2]", A64_LDST_ATOMIC},
	{0xf8bfc020, "ldapr x0, [x1]", A64_LDST_ATOMIC},
	{0x38bfc020, "ldaprb w0, [x1]", A64_LDST_ATOMIC},
	{0xf83fd020, "ld64b x0, [x1]", A64_LDST_ATOMIC},
	{0xf83f9020, "st64b x0, [x1]", A64_LDST_ATOMIC},
	{0xf822b020, "st64bv x2, x0, [x1]", A64_LDST_ATOMIC},
	{0xf822a020, "st64bv0 x2, x0, [x1]", A64_LDST_ATOMIC},

	/* Literal loads. */
	{0x58000000, "ldr x0, .", A64_LDST_LITERAL},
	{0x18000040, "ldr w0, .+8", A64_LDST_LITERAL},
	{0x98ffffe0, "ldrsw x0, .-4", A64_LDST_LITERAL},

	/* Prefetches, in every form they have. */
	{0xf9800000, "prfm pldl1keep, [x0]", A64_LDST_PREFETCH},
	{0xf9800413, "prfm pstl2strm, [x0, #8]", A64_LDST_PREFETCH},
	{0xf8a1780c, "prfm plil3keep, [x0, x1, lsl #3]", A64_LDST_PREFETCH},
	{0xf8a1c800, "prfm pldl1keep, [x0, w1, sxtw]", A64_LDST_PREFETCH},
	{0xf89ff000, "prfum pldl1keep, [x0, #-1]", A64_LDST_PREFETCH},
	{0xd8000000, "prfm pldl1keep, .", A64_LDST_PREFETCH},
	{0xf980001f, "prfm #31, [x0]", A64_LDST_PREFETCH},

	/* Memory tags, pointer authentication, memory copy and set. */
	{0xd9600020, "ldg x0, [x1]", A64_LDST_UNSUPPORTED},
	{0xd9200820, "stg x0, [x1]", A64_LDST_UNSUPPORTED},
	{0xd9601820, "stzg x0, [x1, #16]", A64_LDST_UNSUPPORTED},
	{0xd9a01c20, "st2g x0, [x1, #16]!", A64_LDST_UNSUPPORTED},
	{0xd9ffe420, "stz2g x0, [x1], #-32", A64_LDST_UNSUPPORTED},
	{0x69000440, "stgp x0, x1, [x2]", A64_LDST_UNSUPPORTED},
	{0x69808440, "stgp x0, x1, [x2, #16]!", A64_LDST_UNSUPPORTED},
	{0x68bf8440, "stgp x0, x1, [x2], #-16", A64_LDST_UNSUPPORTED},
	{0xd9e00020, "ldgm x0, [x1]", A64_LDST_UNSUPPORTED},
	{0xd9a00020, "stgm x0, [x1]", A64_LDST_UNSUPPORTED},
	{0xf8200420, "ldraa x0, [x1]", A64_LDST_UNSUPPORTED},
	{0xf8a01c20, "ldrab x0, [x1, #8]!", A64_LDST_UNSUPPORTED},
	{0x19010440, "cpyfp [x0]!, [x1]!, x2!", A64_LDST_UNSUPPORTED},
	{0x19810440, "cpyfe [x0]!, [x1]!, x2!", A64_LDST_UNSUPPORTED},
	{0x1d010440, "cpyp [x0]!, [x1]!, x2!",
	 A64_LDST_UNSUPPORTED}, /* bit 26 (o0) set */
	{0x19c20420, "setp [x0]!, x1!, x2", A64_LDST_UNSUPPORTED},
	{0x1dc20420, "setgp [x0]!, x1!, x2", A64_LDST_UNSUPPORTED},

	/* Unallocated inside the accepted classes: one field of an assembled
	 * word edited. */
	{0xf9c00020, "ldr x0, [x1] with opc = 11", A64_LDST_UNALLOCATED},
	{0xb9c00020, "ldr w0, [x1] with opc = 11", A64_LDST_UNALLOCATED},
	{0xb8c00020, "ldur w0, [x1] with opc = 11", A64_LDST_UNALLOCATED},
	{0xf8c00020, "ldur x0, [x1] with opc = 11", A64_LDST_UNALLOCATED},
	{0xf8808c20, "ldr x0, [x1, #8]! with opc = 10", A64_LDST_UNALLOCATED},
	{0xf8808420, "ldr x0, [x1], #8 with opc = 10", A64_LDST_UNALLOCATED},
	{0xf8800820, "ldtr x0, [x1] with opc = 10", A64_LDST_UNALLOCATED},
	{0xb8c00820, "ldtr w0, [x1] with opc = 11", A64_LDST_UNALLOCATED},
	{0xf8620820, "ldr x0, [x1, x2] with option = 000", A64_LDST_UNALLOCATED},
	{0xf8622820, "ldr x0, [x1, x2] with option = 001", A64_LDST_UNALLOCATED},
	{0xf8628820, "ldr x0, [x1, x2] with option = 100", A64_LDST_UNALLOCATED},
	{0xf862a820, "ldr x0, [x1, x2] with option = 101", A64_LDST_UNALLOCATED},
	{0xf8e26820, "ldr x0, [x1, x2] with opc = 11", A64_LDST_UNALLOCATED},
	{0xf8a20820, "prfm [x1, x2] with option = 000", A64_LDST_UNALLOCATED},
	{0xe9400440, "ldp x0, x1, [x2] with opc = 11", A64_LDST_UNALLOCATED},
	{0xe9000440, "stp x0, x1, [x2] with opc = 11", A64_LDST_UNALLOCATED},
	{0xe8c00440, "ldp x0, x1, [x2], #0 with opc = 11", A64_LDST_UNALLOCATED},
	{0x68400440, "ldnp w0, w1, [x2] with opc = 01", A64_LDST_UNALLOCATED},
	{0x68000440, "stnp w0, w1, [x2] with opc = 01", A64_LDST_UNALLOCATED},

	/* CONSTRAINED UNPREDICTABLE. */
	{0xf8408400, "ldr x0, [x0], #8", A64_LDST_UNPREDICTABLE},
	{0xf8408c21, "ldr x1, [x1, #8]!", A64_LDST_UNPREDICTABLE},
	{0x385ffca5, "ldrb w5, [x5, #-1]!", A64_LDST_UNPREDICTABLE},
	{0xb8804484, "ldrsw x4, [x4], #4", A64_LDST_UNPREDICTABLE},
	{0xf8400800, "ldtr x0, [x0]", A64_LDST_OK}, /* no writeback */
	{0xf8008442, "str x2, [x2], #8", A64_LDST_UNPREDICTABLE},
	{0x38001c63, "strb w3, [x3, #1]!", A64_LDST_UNPREDICTABLE},
	{0xa9400020, "ldp x0, x0, [x1]", A64_LDST_UNPREDICTABLE},
	{0x294017e5, "ldp w5, w5, [sp]", A64_LDST_UNPREDICTABLE},
	{0xa9407c1f, "ldp xzr, xzr, [x0]", A64_LDST_UNPREDICTABLE},
	{0xa8400862, "ldnp x2, x2, [x3]", A64_LDST_UNPREDICTABLE},
	{0xa8c10400, "ldp x0, x1, [x0], #16", A64_LDST_UNPREDICTABLE},
	{0xa9c10420, "ldp x0, x1, [x1, #16]!", A64_LDST_UNPREDICTABLE},
	{0xa9bf0400, "stp x0, x1, [x0, #-16]!", A64_LDST_UNPREDICTABLE},
	{0xa8810420, "stp x0, x1, [x1], #16", A64_LDST_UNPREDICTABLE},
	{0x69400000, "ldpsw x0, x0, [x0] (Rt2 of ldpsw x0, x1, [x0] edited)",
	 A64_LDST_UNPREDICTABLE},
	{0x68c10400, "ldpsw x0, x1, [x0], #8 (Rn of ldpsw x0, x1, [x2], #8 edited)",
	 A64_LDST_UNPREDICTABLE},
	/* Not unpredictable: register 31 is SP as the base, XZR as data. */
	{0xf81f0fff, "str xzr, [sp, #-16]!", A64_LDST_OK},
	{0xf84107ff, "ldr xzr, [sp], #16", A64_LDST_OK},
	{0xa9bf7fff, "stp xzr, xzr, [sp, #-16]!", A64_LDST_OK},
	{0xa9000020, "stp x0, x0, [x1]", A64_LDST_OK},
	{0xa8400400, "ldnp x0, x1, [x0]", A64_LDST_OK},
};

static void refused_classes(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(refused_cases); i++) {
		const struct refused_case *c = &refused_cases[i];
		struct a64_ldst d;
		struct a64_ldst_cpu cpu, want;
		int outer = case_begin();

		CHECK_EQ(a64_ldst_decode(c->insn, &d), c->status);
		if (c->status != A64_LDST_OK) {
			/* emulate gives the same status, touches nothing, calls no
			 * callback */
			bus_reset();
			bs.any_va = true;
			regs_default(&cpu);
			want = cpu;
			CHECK_EQ(a64_ldst_emulate(c->insn, &cpu, &bus, &bs), c->status);
			CHECK_EQ(bs.checks, 0);
			CHECK_EQ(bs.n_acc, 0);
			check_regs(&cpu, &want);
		}
		case_end(outer, c->text);
	}
}

/* Words from random sweeps of tests/fuzz/objdump_diff.sh, with objdump's
 * disassembly: class boundaries, odd registers, undefined neighbours. */
static const struct refused_case random_words[] = {
	{0x3942cfff, "ldrb wzr, [sp, #179]", A64_LDST_OK},
	{0x78500fff, "ldrh wzr, [sp, #-256]!", A64_LDST_OK},
	{0xf8744826, "ldr x6, [x1, w20, uxtw]", A64_LDST_OK},
	{0x78b8fbe8, "ldrsh x8, [sp, x24, sxtx #1]", A64_LDST_OK},
	{0x28e07fe4, "ldp w4, wzr, [sp], #-256", A64_LDST_OK},
	{0x38dcaffe, "ldrsb w30, [sp, #-54]!", A64_LDST_OK},
	{0xa9f88ebf, "ldp xzr, x3, [x21, #-120]!", A64_LDST_OK},
	{0x78ff58d0, "ldrsh w16, [x6, wzr, uxtw #1]", A64_LDST_OK},
	{0x7890ea5f, "ldtrsh xzr, [x18, #-242]", A64_LDST_OK},
	{0xb8a17bee, "ldrsw x14, [sp, x1, lsl #2]", A64_LDST_OK},
	{0x696117ff, "ldpsw xzr, x5, [sp, #-248]", A64_LDST_OK},
	{0xa8331ebf, "stnp xzr, x7, [x21, #-208]", A64_LDST_OK},
	{0xb84163ff, "ldur wzr, [sp, #22]", A64_LDST_OK},
	{0xb8bffb58, "ldrsw x24, [x26, xzr, sxtx #2]", A64_LDST_OK},
	{0x797e27ff, "ldrh wzr, [sp, #7954]", A64_LDST_OK},
	{0x7816229f, "sturh wzr, [x20, #-158]", A64_LDST_OK},
	{0x284bbc2f, "ldnp w15, w15, [x1, #92]", A64_LDST_UNPREDICTABLE},
	{0xa9749966, "ldp x6, x6, [x11, #-184]", A64_LDST_UNPREDICTABLE},
	{0xf84fe7de, "ldr x30, [x30], #254", A64_LDST_UNPREDICTABLE},
	{0xa889da52, "stp x18, x22, [x18], #152", A64_LDST_UNPREDICTABLE},
	{0x780074e7, "strh w7, [x7], #7", A64_LDST_UNPREDICTABLE},
	{0x69ee344d, "undefined: LDPSW pre-index, Rt = Rt2 = 13, Rn = 2",
	 A64_LDST_UNPREDICTABLE},
	{0xf886e18a, "prfum plil2keep, [x12, #110]", A64_LDST_PREFETCH},
	{0xd87326c7, "prfm #0x07 <literal>", A64_LDST_PREFETCH},
	{0x5865c099, "ldr x25 <literal>", A64_LDST_LITERAL},
	{0x98cf0f18, "ldrsw x24 <literal>", A64_LDST_LITERAL},
	{0x082efdce, "caspl w14, w15, w14, w15, [x14]", A64_LDST_EXCLUSIVE_ORDERED},
	{0x9993b310, "ldapursw x16, [x24, #-197]", A64_LDST_EXCLUSIVE_ORDERED},
	{0xd91901c3, "stlur x3, [x14, #-112]", A64_LDST_EXCLUSIVE_ORDERED},
	{0xc9beaa11, "undefined: op0=1100 V=0 op2=11 op3=111110 op4=10",
	 A64_LDST_EXCLUSIVE_ORDERED},
	{0xf83fd3f0, "ld64b x16, [sp]", A64_LDST_ATOMIC},
	{0xb83f0190, "ldadd wzr, w16, [x12]", A64_LDST_ATOMIC},
	{0x7861a275, "undefined: size=01 opc=01 atomic class", A64_LDST_ATOMIC},
	{0xf87bdfff, "ldraa xzr, [sp, #-536]!", A64_LDST_UNSUPPORTED},
	{0xd9b7d60f, "st2g x15, [x16], #-2096", A64_LDST_UNSUPPORTED},
	{0x1d9b0602, "cpye [x2]!, [x27]!, x16!", A64_LDST_UNSUPPORTED},
	{0x59320dd7, "undefined: op0=0101 V=0 op2=10 op3=110010 op4=11",
	 A64_LDST_UNSUPPORTED},
	{0xd96931ff, "ldg xzr, [x15, #2352]", A64_LDST_UNSUPPORTED},
	{0xfc3c661c, "undefined: op0=1111 V=1 op2=00 op3=111100 op4=01",
	 A64_LDST_SIMD_FP},
	{0x0cd1a728, "ld1 {v8.4h, v9.4h}, [x25], x17", A64_LDST_SIMD_FP},
	{0x681e21da, "undefined: pair opc=01 no-allocate L=0 Rt=26 Rt2=8 Rn=14",
	 A64_LDST_UNALLOCATED},
	{0x6843959c, "undefined: pair opc=01 no-allocate L=1 Rt=28 Rt2=5 Rn=12",
	 A64_LDST_UNALLOCATED},
	{0xe88c5533, "undefined: pair opc=11 post-index L=0 Rt=19 Rt2=21 Rn=9",
	 A64_LDST_UNALLOCATED},
	{0xe9ebf42b, "undefined: pair opc=11 pre-index L=1 Rt=11 Rt2=29 Rn=1",
	 A64_LDST_UNALLOCATED},
	{0xb8c7b53a, "undefined: size=10 opc=11 post-index", A64_LDST_UNALLOCATED},
	{0xf88f1fae, "undefined: size=11 opc=10 pre-index", A64_LDST_UNALLOCATED},
	{0xf89e37f7, "undefined: size=11 opc=10 post-index", A64_LDST_UNALLOCATED},
	{0xf8925b26, "undefined: size=11 opc=10 unprivileged", A64_LDST_UNALLOCATED},
	{0xb8c12087, "undefined: size=10 opc=11 unscaled", A64_LDST_UNALLOCATED},
	{0xf9dc23bf, "undefined: size=11 opc=11 unsigned offset", A64_LDST_UNALLOCATED},
	{0xb8b12a02, "undefined: size=10 opc=10 register offset option=001",
	 A64_LDST_UNALLOCATED},
	{0x386e0929, "undefined: size=00 opc=01 register offset option=000",
	 A64_LDST_UNALLOCATED},
	{0x78b08b37, "undefined: size=01 opc=10 register offset option=100",
	 A64_LDST_UNALLOCATED},
	{0xf8e6eb2b, "undefined: size=11 opc=11 register offset option=111",
	 A64_LDST_UNALLOCATED},
};

static void random_words_table(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(random_words); i++) {
		const struct refused_case *c = &random_words[i];
		struct a64_ldst d;
		int outer = case_begin();

		CHECK_EQ(a64_ldst_decode(c->insn, &d), c->status);
		case_end(outer, c->text);
	}
}

/* ---- refusals that need the registers or the bus ------------------------------ */

/* Runs insn from the default registers plus in[] and checks that it fails
 * with want_status and leaves every register as it was. */
static void expect_failure(uint32_t insn, const char *text, const struct reg_val *in,
			   unsigned n_in, enum a64_ldst_status want_status)
{
	struct a64_ldst_cpu cpu, want;
	int outer = case_begin();

	regs_default(&cpu);
	regs_apply(&cpu, in, n_in);
	want = cpu;
	CHECK_EQ(a64_ldst_emulate(insn, &cpu, &bus, &bs), want_status);
	check_regs(&cpu, &want);
	case_end(outer, text);
}

static void unaligned(void)
{
	static const uint64_t data[2] = {0x1111, 0x2222};
	static const struct {
		uint32_t insn;
		const char *text;
		struct reg_val in[3];
	} cases[] = {
		{0xf9400020, "ldr x0, [x1]", {X(1, WIN + 4)}},
		{0xb9400420, "ldr w0, [x1, #4]", {X(1, WIN + 2)}},
		{0x79400020, "ldrh w0, [x1]", {X(1, WIN + 1)}},
		{0x79800420, "ldrsh x0, [x1, #2]", {X(1, WIN + 3)}},
		{0xb8802c20, "ldrsw x0, [x1, #2]!", {X(1, WIN)}},
		{0xf8401020, "ldur x0, [x1, #1]", {X(1, WIN)}},
		{0xf8408420, "ldr x0, [x1], #8", {X(1, WIN + 1)}},
		{0xf8401c20, "ldr x0, [x1, #1]!", {X(1, WIN)}},
		{0xb8004420, "str w0, [x1], #4", {X(1, WIN + 2)}},
		{0x78001c20, "strh w0, [x1, #1]!", {X(1, WIN)}},
		{0xf8404820, "ldtr x0, [x1, #4]", {X(1, WIN)}},
		{0xf8626820, "ldr x0, [x1, x2]", {X(1, WIN), X(2, 1)}},
		{0xb862c820, "ldr w0, [x1, w2, sxtw]", {X(1, WIN), X(2, 0xfffffffe)}},
		{0xa9400440, "ldp x0, x1, [x2]", {X(2, WIN + 4)}},
		{0x29400440, "ldp w0, w1, [x2]", {X(2, WIN + 2)}},
		{0x69408440, "ldpsw x0, x1, [x2, #4]", {X(2, WIN + 2)}},
		{0xa9bf07e0, "stp x0, x1, [sp, #-16]!", {SP_(WIN + 4)}},
		{0xa8400440, "ldnp x0, x1, [x2]", {X(2, WIN + 12)}},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		bus_reset();
		bs.data = data;
		expect_failure(cases[i].insn, cases[i].text, cases[i].in,
			       ARRAY_SIZE(cases[i].in), A64_LDST_UNALIGNED);
		/* Nothing reaches the bus, not even check(). */
		CHECK_EQ(bs.checks, 0);
		CHECK_EQ(bs.n_acc, 0);
	}
}

static void bus_refusals(void)
{
	static const uint64_t data[2] = {0x1111, 0x2222};

	/* check() refuses: no element moves. */
	{
		const struct reg_val in[] = {X(1, WIN + WIN_SIZE)};

		bus_reset();
		expect_failure(0xf9400020, "ldr x0, [x1]", in, 1, A64_LDST_BUS_ERROR);
		CHECK_EQ(bs.checks, 1);
		CHECK_EQ(bs.check_va, WIN + WIN_SIZE);
		CHECK_EQ(bs.n_acc, 0);
	}
	{
		/* a pair that leaves the window by its second element */
		const struct reg_val in[] = {X(2, WIN + WIN_SIZE - 8)};

		bus_reset();
		expect_failure(0xa9400440, "ldp x0, x1, [x2]", in, 1, A64_LDST_BUS_ERROR);
		CHECK_EQ(bs.checks, 1);
		CHECK_EQ(bs.check_len, 16);
		CHECK_EQ(bs.n_acc, 0);
	}
	{
		const struct reg_val in[] = {SP_(WIN), X(0, 1), X(1, 2)};

		bus_reset();
		expect_failure(0xa9bf07e0, "stp x0, x1, [sp, #-16]!", in, 3,
			       A64_LDST_BUS_ERROR);
		CHECK_EQ(bs.checks, 1);
		CHECK_EQ(bs.check_va, WIN - 16);
		CHECK(bs.check_write);
		CHECK_EQ(bs.n_acc, 0);
	}
	{
		const struct reg_val in[] = {X(1, WIN), X(0, 5)};

		bus_reset();
		bs.refuse_check = true;
		expect_failure(0xf8008c20, "str x0, [x1, #8]!", in, 2,
			       A64_LDST_BUS_ERROR);
		CHECK_EQ(bs.n_acc, 0);
	}

	/* read() fails: no register changes, writeback included. */
	{
		const struct reg_val in[] = {X(1, WIN)};

		bus_reset();
		bs.data = data;
		bs.fail_access = 0;
		expect_failure(0xf8408420, "ldr x0, [x1], #8", in, 1, A64_LDST_BUS_ERROR);
		CHECK_EQ(bs.n_acc, 1);
	}
	{
		const struct reg_val in[] = {X(2, WIN)};

		bus_reset();
		bs.data = data;
		bs.fail_access = 1;
		expect_failure(0xa9c10440, "ldp x0, x1, [x2, #16]!", in, 1,
			       A64_LDST_BUS_ERROR);
		CHECK_EQ(bs.n_acc, 2);
	}
	/* write() fails. */
	{
		const struct reg_val in[] = {X(1, WIN), X(0, 5)};

		bus_reset();
		bs.fail_access = 0;
		expect_failure(0xf8008c20, "str x0, [x1, #8]!", in, 2,
			       A64_LDST_BUS_ERROR);
		CHECK_EQ(bs.n_acc, 1);
	}
	{
		/* the second element fails: the first was stored (the header
		 * says so), the registers are unchanged */
		const struct reg_val in[] = {SP_(WIN + 16), X(0, 0xa), X(1, 0xb)};

		bus_reset();
		bs.fail_access = 1;
		expect_failure(0xa9bf07e0, "stp x0, x1, [sp, #-16]!", in, 3,
			       A64_LDST_BUS_ERROR);
		CHECK_EQ(bs.n_acc, 2);
		CHECK_EQ(bs.acc[0].val, 0xa);
		CHECK_EQ(bs.acc[1].va, WIN + 8);
	}
	/* A pair wrapping past 2^64: refused before check(). */
	{
		const struct reg_val in[] = {X(2, 0xfffffffffffffff8)};

		bus_reset();
		bs.any_va = true;
		expect_failure(0xa9400440, "ldp x0, x1, [x2]", in, 1, A64_LDST_BUS_ERROR);
		CHECK_EQ(bs.checks, 0);
	}
}

/* Address arithmetic wraps modulo 2^64, as the architecture's does. */
static void address_wraps(void)
{
	struct a64_ldst_cpu cpu;
	static const uint64_t data[2] = {0x77, 0x88};

	bus_reset();
	bs.any_va = true;
	bs.data = data;
	regs_default(&cpu);
	cpu.x[1] = 0;
	CHECK_EQ(a64_ldst_emulate(0xf85f8420 /* ldr x0, [x1], #-8 */, &cpu, &bus, &bs),
		 A64_LDST_OK);
	CHECK_EQ(bs.check_va, 0);
	CHECK_EQ(cpu.x[0], 0x77);
	CHECK_EQ(cpu.x[1], 0xfffffffffffffff8);

	bus_reset();
	bs.any_va = true;
	bs.data = data;
	CHECK_EQ(a64_ldst_emulate(0xf9400822 /* ldr x2, [x1, #16] */, &cpu, &bus, &bs),
		 A64_LDST_OK);
	CHECK_EQ(bs.check_va, 8);
	CHECK_EQ(cpu.x[2], 0x77);

	/* a pair ending exactly at 2^64 does not wrap */
	bus_reset();
	bs.any_va = true;
	bs.data = data;
	cpu.x[3] = 0xfffffffffffffff0;
	CHECK_EQ(a64_ldst_emulate(0xa9401464 /* ldp x4, x5, [x3] */, &cpu, &bus, &bs),
		 A64_LDST_OK);
	CHECK_EQ(bs.check_len, 16);
	CHECK_EQ(cpu.x[4], 0x77);
	CHECK_EQ(cpu.x[5], 0x88);
}

static void status_names(void)
{
	for (unsigned i = 0; i < A64_LDST_STATUS_COUNT; i++) {
		const char *a = a64_ldst_status_name((enum a64_ldst_status)i);

		CHECK(a != NULL && a[0] != '\0');
		CHECK(strcmp(a, "invalid") != 0);
		for (unsigned j = 0; j < i; j++)
			CHECK(strcmp(a, a64_ldst_status_name((enum a64_ldst_status)j)) !=
			      0);
	}
	CHECK(!strcmp(a64_ldst_status_name(A64_LDST_OK), "ok"));
	CHECK(!strcmp(a64_ldst_status_name(A64_LDST_UNALIGNED), "unaligned"));
	CHECK(!strcmp(a64_ldst_status_name(A64_LDST_STATUS_COUNT), "invalid"));
	CHECK(!strcmp(a64_ldst_status_name((enum a64_ldst_status) - 1), "invalid"));
}

/* ---- the random sweep ---------------------------------------------------------- */

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint64_t rnd(void) /* xorshift64* */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* The address the test expects from the decoded fields, computed apart
 * from the emulator. */
static uint64_t model_offset(const struct a64_ldst *d, const struct a64_ldst_cpu *cpu)
{
	uint64_t m;

	if (!(d->flags & A64_LDST_F_REGOFF))
		return (uint64_t)d->imm;
	m = d->rm == 31 ? 0 : cpu->x[d->rm];
	switch (d->extend) {
	case A64_LDST_UXTW:
		m &= 0xffffffffu;
		break;
	case A64_LDST_SXTW:
		m = (uint64_t)(int64_t)(int32_t)(uint32_t)m;
		break;
	default:
		break;
	}
	return m << d->shift;
}

static uint64_t model_load(const struct a64_ldst *d, uint64_t v)
{
	switch (d->size) {
	case 1:
		v = (d->flags & A64_LDST_F_SIGN) ? (uint64_t)(int64_t)(int8_t)(uint8_t)v
						 : (uint8_t)v;
		break;
	case 2:
		v = (d->flags & A64_LDST_F_SIGN) ? (uint64_t)(int64_t)(int16_t)(uint16_t)v
						 : (uint16_t)v;
		break;
	case 4:
		v = (d->flags & A64_LDST_F_SIGN) ? (uint64_t)(int64_t)(int32_t)(uint32_t)v
						 : (uint32_t)v;
		break;
	default:
		break;
	}
	return (d->flags & A64_LDST_F_WIDE) ? v : (uint32_t)v;
}

static uint64_t reg_read(const struct a64_ldst_cpu *cpu, unsigned r)
{
	return r == 31 ? 0 : cpu->x[r];
}

/* What the decoder says about one accepted word must hold together. */
static unsigned decoded_consistent(uint32_t w, const struct a64_ldst *d)
{
	unsigned bad = 0;
	uint32_t class = w & A64_LDST_CLASS_MASK;
	int64_t lim;

	bad += (w & A64_LDST_GROUP_MASK) != A64_LDST_GROUP;
	bad += (w & A64_LDST_V) != 0;
	bad += class != A64_LDST_CLASS_REG && class != A64_LDST_CLASS_PAIR;
	bad += !!(d->flags & A64_LDST_F_PAIR) != (class == A64_LDST_CLASS_PAIR);
	bad += d->size != 1 && d->size != 2 && d->size != 4 && d->size != 8;
	bad += d->rt > 31 || d->rt2 > 31 || d->rn > 31 || d->rm > 31;
	bad += d->rt != (w & 31) || d->rn != ((w >> 5) & 31);
	bad += !(d->flags & A64_LDST_F_PAIR) && d->rt2 != 0;
	bad += !!(d->flags & A64_LDST_F_SIGN) &&
	       (!(d->flags & A64_LDST_F_LOAD) || d->size == 8);
	bad += !!(d->flags & A64_LDST_F_LOAD) && d->size == 8 &&
	       !(d->flags & A64_LDST_F_WIDE);
	bad += !!(d->flags & A64_LDST_F_LOAD) && !(d->flags & A64_LDST_F_SIGN) &&
	       d->size < 8 && !!(d->flags & A64_LDST_F_WIDE);
	bad += !!(d->flags & A64_LDST_F_POST) && !(d->flags & A64_LDST_F_WRITEBACK);
	bad += !!(d->flags & A64_LDST_F_REGOFF) &&
	       (!!(d->flags & A64_LDST_F_WRITEBACK) || !!(d->flags & A64_LDST_F_PAIR) ||
		!!(d->flags & A64_LDST_F_UNPRIV) || d->imm);
	bad += !!(d->flags & A64_LDST_F_REGOFF) && d->extend != A64_LDST_UXTW &&
	       d->extend != A64_LDST_LSL && d->extend != A64_LDST_SXTW &&
	       d->extend != A64_LDST_SXTX;
	bad += !!(d->flags & A64_LDST_F_REGOFF) && d->shift != 0 &&
	       (1u << d->shift) != d->size;
	bad += !(d->flags & A64_LDST_F_REGOFF) && (d->rm || d->extend || d->shift);
	bad += !!(d->flags & A64_LDST_F_UNPRIV) &&
	       (!!(d->flags & A64_LDST_F_WRITEBACK) || !!(d->flags & A64_LDST_F_PAIR));
	bad += !!(d->flags & A64_LDST_F_NOALLOC) &&
	       (!(d->flags & A64_LDST_F_PAIR) || !!(d->flags & A64_LDST_F_WRITEBACK));
	if (d->flags & A64_LDST_F_PAIR) {
		bad += d->imm % d->size != 0;
		bad += d->imm < -64 * d->size || d->imm > 63 * d->size;
		bad += d->rt2 != ((w >> 10) & 31);
		bad += !!(d->flags & A64_LDST_F_LOAD) && d->rt == d->rt2;
		bad += !!(d->flags & A64_LDST_F_WRITEBACK) && d->rn != 31 &&
		       (d->rn == d->rt || d->rn == d->rt2);
	} else if (!(d->flags & A64_LDST_F_REGOFF)) {
		lim = (w & A64_LDST_UIMM) ? 4095 * d->size : 255;
		bad += d->imm > lim || d->imm < ((w & A64_LDST_UIMM) ? 0 : -256);
		bad += (w & A64_LDST_UIMM) && d->imm % d->size != 0;
		bad += !!(d->flags & A64_LDST_F_WRITEBACK) && d->rn != 31 &&
		       d->rn == d->rt;
	}
	return bad;
}

static void random_sweep(void)
{
	enum { WORDS = 2000000 };
	unsigned long seen[A64_LDST_STATUS_COUNT] = {0},
		      emu_seen[A64_LDST_STATUS_COUNT] = {0};
	unsigned long failures = 0;

	for (long n = 0; n < WORDS && failures < 20; n++) {
		uint64_t r = rnd();
		uint32_t w = (uint32_t)r;
		struct a64_ldst d, d2;
		struct a64_ldst_cpu cpu, before;
		enum a64_ldst_status st, st2, est;
		uint64_t data[2] = {rnd(), rnd()}, base, off, va, len;
		unsigned bad = 0;

		/* A quarter fully random, a quarter in the group, half in the
		 * accepted classes. */
		switch ((r >> 32) & 3) {
		case 0:
			break;
		case 1:
			w = (w & ~A64_LDST_GROUP_MASK) | A64_LDST_GROUP;
			break;
		default:
			w = (w & ~A64_LDST_CLASS_MASK) |
			    ((r >> 34) & 1 ? A64_LDST_CLASS_REG : A64_LDST_CLASS_PAIR);
			break;
		}

		/* Padding too is compared below. */
		memset(&d, 0, sizeof(d));
		memset(&d2, 0, sizeof(d2));
		st = a64_ldst_decode(w, &d);
		bad += (unsigned)st >= A64_LDST_STATUS_COUNT;
		bad += st == A64_LDST_UNALIGNED || st == A64_LDST_BUS_ERROR;
		bad += (st == A64_LDST_NOT_LDST) !=
		       ((w & A64_LDST_GROUP_MASK) != A64_LDST_GROUP);
		if ((unsigned)st < A64_LDST_STATUS_COUNT)
			seen[st]++;
		if (st == A64_LDST_OK)
			bad += decoded_consistent(w, &d);

		/* Rt never decides the class: another Rt gives the same
		 * status (but for the overlap checks) and the same fields. */
		st2 = a64_ldst_decode(w ^ (uint32_t)((r >> 40) & 31), &d2);
		if (st != A64_LDST_OK && st != A64_LDST_UNPREDICTABLE)
			bad += st2 != st;
		if (st == A64_LDST_OK && st2 == A64_LDST_OK) {
			d2.rt = d.rt;
			bad += memcmp(&d, &d2, sizeof(d)) != 0;
		}

		/* Emulate from random registers, often aligned, on a bus that
		 * sometimes refuses. */
		for (unsigned i = 0; i < 31; i++)
			cpu.x[i] = rnd() & ((r >> 45) & 1 ? ~(uint64_t)0 : ~(uint64_t)15);
		cpu.sp = rnd() & ~(uint64_t)15;
		if ((r >> 46) & 1) { /* small register offsets */
			for (unsigned i = 0; i < 31; i++)
				cpu.x[i] = (cpu.x[i] & 0xff0) |
					   ((r >> 47) & 1 ? 0xffffffff00000000ull : 0);
		}
		before = cpu;
		bus_reset();
		bs.any_va = true;
		bs.data = data;
		bs.refuse_check = ((r >> 48) & 7) == 0;
		bs.fail_access = ((r >> 51) & 7) == 0 ? (int)((r >> 54) & 1) : -1;
		est = a64_ldst_emulate(w, &cpu, &bus, &bs);
		if ((unsigned)est < A64_LDST_STATUS_COUNT)
			emu_seen[est]++;
		bad += bs.access_before_check;

		if (st != A64_LDST_OK) {
			bad += est != st;
			bad += bs.checks != 0 || bs.n_acc != 0;
			bad += memcmp(&cpu, &before, sizeof(cpu)) != 0;
		} else {
			base = d.rn == 31 ? before.sp : before.x[d.rn];
			off = model_offset(&d, &before);
			va = (d.flags & A64_LDST_F_POST) ? base : base + off;
			len = (uint64_t)d.size * (!!(d.flags & A64_LDST_F_PAIR) ? 2 : 1);
			if (va % d.size) {
				bad += est != A64_LDST_UNALIGNED;
				bad += bs.checks != 0;
			} else if (va + len - 1 < va) {
				bad += est != A64_LDST_BUS_ERROR;
				bad += bs.checks != 0;
			} else {
				bad += bs.checks != 1 || bs.check_va != va ||
				       bs.check_len != len ||
				       bs.check_write != !(d.flags & A64_LDST_F_LOAD);
				bad += bs.refuse_check && bs.n_acc != 0;
				for (unsigned i = 0; i < bs.n_acc; i++) {
					bad += bs.acc[i].va != va + i * d.size ||
					       bs.acc[i].size != d.size ||
					       bs.acc[i].write ==
						       !!(d.flags & A64_LDST_F_LOAD);
					if (!(d.flags & A64_LDST_F_LOAD) && i < 2) {
						uint64_t v = reg_read(&before,
								      i ? d.rt2 : d.rt);

						if (d.size < 8)
							v &= (1ull << (8 * d.size)) - 1;
						bad += bs.acc[i].val != v;
					}
				}
				bad += (est == A64_LDST_OK) ==
				       (bs.refuse_check ||
					(bs.fail_access >= 0 &&
					 (unsigned)bs.fail_access <
						 (!!(d.flags & A64_LDST_F_PAIR) ? 2u
										: 1u)));
			}
			if (est != A64_LDST_OK) {
				bad += memcmp(&cpu, &before, sizeof(cpu)) != 0;
			} else {
				struct a64_ldst_cpu want = before;

				bad += bs.n_acc !=
				       (!!(d.flags & A64_LDST_F_PAIR) ? 2u : 1u);
				if (d.flags & A64_LDST_F_LOAD) {
					if (d.rt != 31)
						want.x[d.rt] = model_load(&d, data[0]);
					if (!!(d.flags & A64_LDST_F_PAIR) && d.rt2 != 31)
						want.x[d.rt2] = model_load(&d, data[1]);
				}
				if (d.flags & A64_LDST_F_WRITEBACK) {
					if (d.rn == 31)
						want.sp = base + off;
					else
						want.x[d.rn] = base + off;
				}
				bad += memcmp(&cpu, &want, sizeof(cpu)) != 0;
			}
		}
		if (bad) {
			failures++;
			printf("  word 0x%08x: decode %s, emulate %s, %u broken "
			       "invariants\n",
			       w, a64_ldst_status_name(st), a64_ldst_status_name(est),
			       bad);
		}
	}
	CHECK_EQ(failures, 0);
	/* The sweep reached every outcome, so the checks above ran. */
	for (unsigned i = 0; i < A64_LDST_STATUS_COUNT; i++) {
		if (i != A64_LDST_UNALIGNED && i != A64_LDST_BUS_ERROR)
			CHECK(seen[i] > 1000);
		CHECK(emu_seen[i] > 1000);
	}
	CHECK(seen[A64_LDST_OK] > WORDS / 8);
}

/* The simple form agrees with the full decoder on every word it takes,
 * and takes every word of its form. */
static void simple_form(void)
{
	uint64_t r = 0x1234567887654321ull;
	unsigned taken = 0;

	for (long n = 0; n < 1000000; n++) {
		struct a64_ldst d;
		struct a64_ldst_simple s;
		uint32_t w;

		r ^= r << 13, r ^= r >> 7, r ^= r << 17;
		w = (uint32_t)r;
		if (n & 1) /* half of them in the form's neighbourhood */
			w = (w & ~0x3f000000u) | 0x39000000u;
		if (!a64_ldst_simple(w, &s)) {
			/* Not taken: then it is not a plain unsigned-offset
			 * LDR/STR without sign extension. */
			if ((w & 0x3f000000u) == 0x39000000u &&
			    a64_ldst_decode(w, &d) == A64_LDST_OK)
				CHECK(d.flags & A64_LDST_F_SIGN);
			continue;
		}
		taken++;
		CHECK_EQ(a64_ldst_decode(w, &d), A64_LDST_OK);
		CHECK_EQ(d.size, s.size);
		CHECK_EQ(d.rt, s.rt);
		CHECK_EQ(d.rn, s.rn);
		CHECK_EQ(!!(d.flags & A64_LDST_F_LOAD), s.load);
		CHECK_EQ((uint64_t)d.imm, s.offset);
		CHECK_EQ(d.flags & ~(A64_LDST_F_LOAD | A64_LDST_F_WIDE), 0);
	}
	CHECK(taken > 100000);
}

int main(void)
{
	RUN(simple_form);
	RUN(emulate_accepted);
	RUN(decode_fields);
	RUN(refused_classes);
	RUN(random_words_table);
	RUN(unaligned);
	RUN(bus_refusals);
	RUN(address_wraps);
	RUN(status_names);
	RUN(random_sweep);
	UNIT_DONE();
}
