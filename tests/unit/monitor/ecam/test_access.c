/*
 * The trapped ECAM access (monitor/ecam/access.c) from both trap sources, on a
 * fake caller: a code page and the window mapped at made-up virtual
 * addresses. Each case runs one instruction word as the monitor would after
 * the fault and checks the registers and the configuration space after it;
 * refusals must leave both as they were. The words come from GNU as.
 */
#include <stdint.h>
#include <string.h>

#include <monitor/ecam/access.h>

#include "unit.h"

#define WIN_PA 0x0b000000ull
#define WIN_VA 0x7f0000000000ull /* where the caller maps the window */
#define CODE_VA 0x400000001000ull
#define CODE_PA 0x40201000ull

static const struct pci_ecam_fn fns[] = {{
	.bus = 0,
	.dev = 0,
	.fn = 0,
	.vendor_id = 0x13b5,
	.device_id = 0x0031,
	.revision_id = 1,
	.class_code = 0x080300,
	.bar = {.base = 0x09010000, .size = 0x1000, .index = 0, .mem64 = false},
	.int_pin = PCI_INTERRUPT_INTA,
	.spi = 2,
}};
static const struct pci_ecam_window win = {WIN_PA, 0, 0, fns, 1};

struct fake {
	uint32_t insn;	  /* the word at CODE_VA */
	bool pc_unmapped; /* the instruction's page has no translation */
	bool insn_unreadable;
	bool data_unmapped; /* FAR has no translation (the SEA source) */
	unsigned translations;
};

static bool translate(void *ctx, uint64_t va, uint64_t *pa)
{
	struct fake *f = ctx;

	f->translations++;
	if (va >= CODE_VA && va < CODE_VA + 0x1000) {
		*pa = CODE_PA + (va - CODE_VA);
		return !f->pc_unmapped;
	}
	if (va >= WIN_VA && va < WIN_VA + 0x100000) {
		*pa = WIN_PA + (va - WIN_VA);
		return !f->data_unmapped;
	}
	if (va < 0x100000) { /* other memory, identity */
		*pa = va;
		return !f->data_unmapped;
	}
	return false;
}

static bool read_insn(void *ctx, uint64_t pa, uint32_t *insn)
{
	struct fake *f = ctx;

	if (pa != CODE_PA || f->insn_unreadable)
		return false;
	*insn = f->insn;
	return true;
}

static const struct ecam_trap_ops ops = {translate, read_insn};
static struct pci_ecam ecam;
static struct a64_ldst_cpu cpu;

/* One fault at window offset off (VA WIN_VA + off) by the word insn at
 * CODE_VA, from source src; x1 = the faulting VA unless base says more. */
static struct ecam_trap_result run(uint32_t insn, enum ecam_trap_source src, uint64_t off,
				   struct fake *f)
{
	struct ecam_trap_fault fault = {src,	      CODE_VA, WIN_VA + off,
					WIN_PA + off, false,   false};

	f->insn = insn;
	return ecam_trap_handle(&ecam, &fault, &cpu, &ops, f);
}

static void reset(void)
{
	CHECK_EQ(pci_ecam_init(&ecam, &win), 0);
	memset(&cpu, 0, sizeof(cpu));
	for (unsigned i = 0; i < 31; i++)
		cpu.x[i] = 0x1111111100000000ull | i;
	cpu.x[1] = WIN_VA;
	cpu.sp = WIN_VA + 0x40;
}

static uint32_t cfg_read32(uint64_t off)
{
	uint32_t v = 0;

	CHECK(pci_ecam_read(&ecam, off, 4, &v));
	return v;
}

static void loads_from_both_sources(void)
{
	static const enum ecam_trap_source srcs[] = {ECAM_TRAP_GPC, ECAM_TRAP_SEA};

	for (unsigned s = 0; s < 2; s++) {
		struct fake f = {0};
		struct ecam_trap_result r;

		reset();
		r = run(0xb9400020 /* ldr w0, [x1] */, srcs[s], 0, &f);
		CHECK_EQ(r.outcome, ECAM_TRAP_DONE);
		CHECK_EQ(r.insn, 0xb9400020);
		CHECK_EQ(r.pa, WIN_PA);
		CHECK_EQ(cpu.x[0], 0x003113b5); /* device << 16 | vendor, X upper 0 */
		CHECK_EQ(cpu.x[1], WIN_VA);

		r = run(0x39402022 /* ldrb w2, [x1, #8] */, srcs[s], 8, &f);
		CHECK_EQ(r.outcome, ECAM_TRAP_DONE);
		CHECK_EQ(cpu.x[2], 1); /* revision */
		r = run(0x39802c25 /* ldrsb x5, [x1, #11] */, srcs[s], 11, &f);
		CHECK_EQ(r.outcome, ECAM_TRAP_DONE);
		CHECK_EQ(cpu.x[5], 0x08); /* base class, positive */
		r = run(0xf9400024 /* ldr x4, [x1] */, srcs[s], 0, &f);
		CHECK_EQ(r.outcome, ECAM_TRAP_DONE);
		CHECK_EQ(cpu.x[4], (uint64_t)cfg_read32(4) << 32 | 0x003113b5);
		r = run(0x29402428 /* ldp w8, w9, [x1] */, srcs[s], 0, &f);
		CHECK_EQ(r.outcome, ECAM_TRAP_DONE);
		CHECK_EQ(cpu.x[8], 0x003113b5);
		CHECK_EQ(cpu.x[9], cfg_read32(4));
		r = run(0xb94003ee /* ldr w14, [sp] */, srcs[s], 0x40, &f);
		CHECK_EQ(r.outcome, ECAM_TRAP_DONE);
		CHECK_EQ(cpu.x[14], cfg_read32(0x40));
	}
}

static void stores_and_writeback(void)
{
	struct fake f = {0};
	struct ecam_trap_result r;

	reset();
	cpu.x[6] = 0xffff0006; /* Memory Space and Bus Master, junk above */
	r = run(0x79000826 /* strh w6, [x1, #4] */, ECAM_TRAP_GPC, 4, &f);
	CHECK_EQ(r.outcome, ECAM_TRAP_DONE);
	CHECK_EQ(cfg_read32(4) & 0xffff, 6);

	/* BAR sizing the way an OS does it, then the base again. */
	cpu.x[7] = 0xffffffff;
	r = run(0xb9001027 /* str w7, [x1, #16] */, ECAM_TRAP_GPC, 0x10, &f);
	CHECK_EQ(r.outcome, ECAM_TRAP_DONE);
	CHECK_EQ(cfg_read32(0x10), 0xfffff000);
	cpu.x[12] = 0x09010000;
	cpu.x[13] = 0;
	r = run(0x2902342c /* stp w12, w13, [x1, #16] */, ECAM_TRAP_GPC, 0x10, &f);
	CHECK_EQ(r.outcome, ECAM_TRAP_DONE);
	CHECK_EQ(cfg_read32(0x10), 0x09010000);

	/* Pre-index: x1 moves by 4 and the load is at the new address. */
	r = run(0xb8404c20 /* ldr w0, [x1, #4]! */, ECAM_TRAP_GPC, 4, &f);
	CHECK_EQ(r.outcome, ECAM_TRAP_DONE);
	CHECK_EQ(cpu.x[1], WIN_VA + 4);
	CHECK_EQ(cpu.x[0], cfg_read32(4));

	/* Register offset. */
	cpu.x[1] = WIN_VA;
	cpu.x[2] = 8;
	r = run(0xb8626820 /* ldr w0, [x1, x2] */, ECAM_TRAP_GPC, 8, &f);
	CHECK_EQ(r.outcome, ECAM_TRAP_DONE);
	CHECK_EQ(cpu.x[0], 0x08030001);

	/* The vendor ID is read-only. */
	cpu.x[7] = 0x12345678;
	r = run(0xb9000027 /* str w7, [x1] */, ECAM_TRAP_GPC, 0, &f);
	CHECK_EQ(r.outcome, ECAM_TRAP_DONE);
	CHECK_EQ(cfg_read32(0), 0x003113b5);
}

static void absent_function_reads_ones(void)
{
	struct fake f = {0};
	struct ecam_trap_result r;

	reset();
	cpu.x[1] = WIN_VA + 0x8000; /* device 1 */
	r = run(0xb9400020, ECAM_TRAP_GPC, 0x8000, &f);
	CHECK_EQ(r.outcome, ECAM_TRAP_DONE);
	CHECK_EQ(cpu.x[0], 0xffffffff);
}

/* Each refusal: the outcome, the reason, and nothing changed. */
static void expect_refused(uint32_t insn, uint64_t off, struct fake *f,
			   enum ecam_trap_why why, enum a64_ldst_status ldst)
{
	struct a64_ldst_cpu before = cpu;
	uint32_t cmd = cfg_read32(4), bar = cfg_read32(0x10);
	struct ecam_trap_result r = run(insn, ECAM_TRAP_GPC, off, f);

	CHECK_EQ(r.outcome, ECAM_TRAP_REFUSED);
	CHECK_EQ(r.why, why);
	if (why == ECAM_WHY_DECODE)
		CHECK_EQ(r.ldst, ldst);
	CHECK(memcmp(&before, &cpu, sizeof(cpu)) == 0);
	CHECK_EQ(cfg_read32(4), cmd);
	CHECK_EQ(cfg_read32(0x10), bar);
	CHECK(ecam_trap_why_name(&r)[0] != '\0');
}

static void refusals(void)
{
	struct fake f = {0};

	reset();
	cpu.x[1] = WIN_VA + 1;
	expect_refused(0xb9400020, 1, &f, ECAM_WHY_DECODE, A64_LDST_UNALIGNED);
	cpu.x[1] = WIN_VA + 4;
	cpu.x[4] = 0xffff;
	expect_refused(0x885f7c20 /* ldxr */, 4, &f, ECAM_WHY_DECODE,
		       A64_LDST_EXCLUSIVE_ORDERED);
	expect_refused(0x88037c24 /* stxr w3, w4, [x1] */, 4, &f, ECAM_WHY_DECODE,
		       A64_LDST_EXCLUSIVE_ORDERED);
	expect_refused(0xb8200022 /* ldadd */, 4, &f, ECAM_WHY_DECODE, A64_LDST_ATOMIC);
	expect_refused(0x3dc00020 /* ldr q0 */, 4, &f, ECAM_WHY_DECODE, A64_LDST_SIMD_FP);
	expect_refused(0xd503201f /* nop */, 4, &f, ECAM_WHY_DECODE, A64_LDST_NOT_LDST);

	/* A pair whose second word is in the next page. */
	cpu.x[1] = WIN_VA + 0xff8;
	expect_refused(0xa9402c2a /* ldp x10, x11, [x1] */, 0xff8, &f, ECAM_WHY_DECODE,
		       A64_LDST_BUS_ERROR);
	/* Registers that point elsewhere than the fault (the instruction was
	 * rewritten after it faulted): not the window, nothing touched. */
	cpu.x[1] = 0x8000;
	expect_refused(0xb9400020, 0, &f, ECAM_WHY_DECODE, A64_LDST_BUS_ERROR);
	cpu.x[1] = WIN_VA;

	f.pc_unmapped = true;
	expect_refused(0xb9400020, 0, &f, ECAM_WHY_FETCH, A64_LDST_OK);
	f.pc_unmapped = false;
	f.insn_unreadable = true;
	expect_refused(0xb9400020, 0, &f, ECAM_WHY_FETCH, A64_LDST_OK);
	f.insn_unreadable = false;
}

static void other_faults(void)
{
	struct fake f = {0};
	struct ecam_trap_fault fault = {ECAM_TRAP_GPC, CODE_VA, 0x1000,
					0x1000,	       false,	false};
	struct ecam_trap_result r;
	struct a64_ldst_cpu before;

	reset();
	before = cpu;
	f.insn = 0xb9400020;
	/* A granule protection fault elsewhere (the monitor's own memory). */
	r = ecam_trap_handle(&ecam, &fault, &cpu, &ops, &f);
	CHECK_EQ(r.outcome, ECAM_TRAP_NOT_OURS);
	/* An external abort elsewhere, or on an address with no translation. */
	fault.source = ECAM_TRAP_SEA;
	r = ecam_trap_handle(&ecam, &fault, &cpu, &ops, &f);
	CHECK_EQ(r.outcome, ECAM_TRAP_NOT_OURS);
	fault.va = WIN_VA;
	f.data_unmapped = true;
	r = ecam_trap_handle(&ecam, &fault, &cpu, &ops, &f);
	CHECK_EQ(r.outcome, ECAM_TRAP_NOT_OURS);
	f.data_unmapped = false;
	/* Just past the window. */
	fault.source = ECAM_TRAP_GPC;
	fault.pa = WIN_PA + 0x100000;
	r = ecam_trap_handle(&ecam, &fault, &cpu, &ops, &f);
	CHECK_EQ(r.outcome, ECAM_TRAP_NOT_OURS);
	CHECK(memcmp(&before, &cpu, sizeof(cpu)) == 0);

	/* Executing from the window, and big-endian data. */
	fault.pa = WIN_PA;
	fault.fetch = true;
	r = ecam_trap_handle(&ecam, &fault, &cpu, &ops, &f);
	CHECK_EQ(r.outcome, ECAM_TRAP_REFUSED);
	CHECK_EQ(r.why, ECAM_WHY_IFETCH);
	fault.fetch = false;
	fault.big_endian = true;
	r = ecam_trap_handle(&ecam, &fault, &cpu, &ops, &f);
	CHECK_EQ(r.outcome, ECAM_TRAP_REFUSED);
	CHECK_EQ(r.why, ECAM_WHY_BIG_ENDIAN);
	CHECK(memcmp(&before, &cpu, sizeof(cpu)) == 0);
}

/* Random words from random registers, the fault always in the window:
 * whatever completes touched only the faulting page, and whatever does not
 * changed nothing. */
static void random_words(void)
{
	uint64_t s = 0x9e3779b97f4a7c15ull;
	unsigned done = 0, refused = 0;

	for (unsigned n = 0; n < 200000; n++) {
		struct fake f = {0};
		struct a64_ldst_cpu before;
		struct ecam_trap_result r;
		uint64_t off;

		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		reset();
		off = (s >> 32) & 0xffc;
		for (unsigned i = 0; i < 31; i++)
			cpu.x[i] = (s >> (i % 8)) & 1 ? WIN_VA + off : (s >> i) & 0xff;
		before = cpu;
		r = run((uint32_t)s | ((s >> 40) & 1 ? 0x38000000u : 0), ECAM_TRAP_GPC,
			off, &f);
		CHECK(r.outcome != ECAM_TRAP_NOT_OURS);
		if (r.outcome == ECAM_TRAP_DONE) {
			done++;
		} else {
			refused++;
			CHECK(memcmp(&before, &cpu, sizeof(cpu)) == 0);
		}
	}
	CHECK(done > 1000);
	CHECK(refused > 1000);
}

int main(void)
{
	RUN(loads_from_both_sources);
	RUN(stores_and_writeback);
	RUN(absent_function_reads_ones);
	RUN(refusals);
	RUN(other_faults);
	RUN(random_words);
	UNIT_DONE();
}
