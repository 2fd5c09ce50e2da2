/*
 * libFuzzer target for the trapped ECAM access (monitor/ecam/access.c, and under
 * it the decoder monitor/ecam/a64_ldst.c and the config space lib/pci/config_space.c):
 * `make fuzz` (tests/fuzz/run.sh) builds it with clang and runs it.
 *
 * Each input is one fault: the instruction word, the trap source, the
 * fault's offset in the window, and the caller's registers, on a window
 * with two functions. What must hold whatever the input:
 * - a fault in the window is never "not ours";
 * - a refused access changes neither the registers nor config space;
 * - a completed one changes at most the registers the instruction names
 *   (Rt, Rt2, the base on writeback) and, for a store, the function it hit;
 * - the short form (a64_ldst_simple) agrees with the full decoder;
 * and nothing reads or writes outside its objects (ASan, UBSan).
 *
 * fuzz-libs: monitor/ecam/a64_ldst.c monitor/ecam/access.c lib/pci/config_space.c
 */
#include <stdint.h>
#include <string.h>

#include <monitor/ecam/a64_ldst.h>
#include <monitor/ecam/access.h>
#include <lib/pci/config_space.h>

#define WIN_PA 0x60120000ull
#define WIN_VA 0x7f0000000000ull
#define CODE_VA 0x400000001000ull
#define CODE_PA 0x40201000ull

static const struct pci_ecam_fn fns[] = {
	{.bus = 0,
	 .dev = 1,
	 .fn = 0,
	 .vendor_id = 0x8086,
	 .device_id = 0x2922,
	 .class_code = 0x010601,
	 .bar = {.base = 0x60100000, .size = 0x10000, .index = 5},
	 .int_pin = 1,
	 .spi = 10},
	{.bus = 0,
	 .dev = 2,
	 .fn = 0,
	 .vendor_id = 0x1b36,
	 .device_id = 0x000d,
	 .class_code = 0x0c0330,
	 .bar = {.base = 0x60110000, .size = 0x10000, .index = 0, .mem64 = true},
	 .int_pin = 1,
	 .spi = 11},
};
static const struct pci_ecam_window win = {WIN_PA, 0, 0, fns, 2};

static uint32_t word;

static bool translate(void *ctx, uint64_t va, uint64_t *pa)
{
	if (va >= CODE_VA && va < CODE_VA + 0x1000) {
		*pa = CODE_PA + (va - CODE_VA);
		return true;
	}
	if (va >= WIN_VA && va < WIN_VA + 0x100000) {
		*pa = WIN_PA + (va - WIN_VA);
		return true;
	}
	return false;
}

static bool read_insn(void *ctx, uint64_t pa, uint32_t *insn)
{
	if (pa != CODE_PA)
		return false;
	*insn = word;
	return true;
}

static const struct ecam_trap_ops ops = {translate, read_insn};

static uint64_t take(const uint8_t **d, size_t *n, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && *n; i++, (*n)--)
		v |= (uint64_t) * (*d)++ << (8 * i);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static struct pci_ecam e, before_e;
	struct a64_ldst_cpu cpu, before;
	struct ecam_trap_fault f = {0};
	struct ecam_trap_result r;
	struct a64_ldst dec;
	struct a64_ldst_simple s;
	uint64_t off;

	if (pci_ecam_init(&e, &win))
		__builtin_trap();
	word = (uint32_t)take(&d, &n, 4);
	f.source = take(&d, &n, 1) & 1 ? ECAM_TRAP_SEA : ECAM_TRAP_GPC;
	off = take(&d, &n, 3) & 0xfffff;
	f.pc = CODE_VA;
	f.va = WIN_VA + off;
	f.pa = WIN_PA + off;
	memset(&cpu, 0, sizeof(cpu));
	for (unsigned i = 0; i < 31; i++) {
		uint64_t v = take(&d, &n, 2);

		/* Mostly near the fault, sometimes anywhere. */
		cpu.x[i] = v & 0x8000 ? take(&d, &n, 8) : f.va + (int16_t)(v << 1) / 2;
	}
	cpu.sp = f.va + (take(&d, &n, 1) & 0xf0);
	before = cpu;
	before_e = e;

	r = ecam_trap_handle(&e, &f, &cpu, &ops, NULL);
	if (r.outcome == ECAM_TRAP_NOT_OURS)
		__builtin_trap();
	if (r.outcome == ECAM_TRAP_REFUSED &&
	    (memcmp(&cpu, &before, sizeof(cpu)) || memcmp(&e, &before_e, sizeof(e))))
		__builtin_trap();
	if (r.outcome == ECAM_TRAP_DONE) {
		if (a64_ldst_decode(word, &dec) != A64_LDST_OK)
			__builtin_trap();
		for (unsigned i = 0; i < 31; i++)
			if (cpu.x[i] != before.x[i] && i != dec.rt &&
			    !((dec.flags & A64_LDST_F_PAIR) && i == dec.rt2) &&
			    !((dec.flags & A64_LDST_F_WRITEBACK) && i == dec.rn))
				__builtin_trap();
		if ((dec.flags & A64_LDST_F_LOAD) && memcmp(&e, &before_e, sizeof(e)))
			__builtin_trap(); /* a load changed config space */
	}
	if (a64_ldst_simple(word, &s)) {
		if (a64_ldst_decode(word, &dec) != A64_LDST_OK || dec.size != s.size ||
		    dec.rt != s.rt || dec.rn != s.rn || (uint64_t)dec.imm != s.offset)
			__builtin_trap();
	}
	return 0;
}
