/*
 * Test guest: a randomized hostile guest. From a seed (guestinfo.seed) it
 * makes guestinfo.ops operations, in batches run alternately at EL1 and
 * at EL0, each drawn at random:
 * - loads and stores of every form (8/16/32/64-bit, sign-extending,
 *   unscaled, pre/post-indexed, register offset, unprivileged, pairs,
 *   exclusives, acquire/release, LSE atomics and CAS, SIMD&FP registers,
 *   pairs and LD1/ST1) and cache maintenance by address (DC ZVA among
 *   it) to the emulated GIC distributor and redistributor, to the emulated
 *   PL011, the monitor's emulated ECAM window when the VM has it
 *   (guestinfo.ecam gives its address), and anywhere in the IPA space
 *   (unmapped IPAs get an external abort; stores never hit the guest's own
 *   RAM but a scratch buffer there);
 * - MRS and MSR of random registers in the spaces the hypervisor traps
 *   (debug, implementation defined, ID, physical timer, GIC SGI, activity
 *   monitors, ACTLR, SVE/SME controls);
 * - HVC and SMC with random immediates and function IDs, PSCI's among
 *   them, but not those that legitimately end or suspend the VM
 *   (SYSTEM_OFF, SYSTEM_RESET(2), CPU_OFF, the suspends);
 * - BRK with random immediates;
 * - backdoor calls with random registers through every entry, but not the
 *   project's own commands (test exit, console, debug: they end the VM or
 *   misbehave on purpose).
 * The instructions are written at run time into a buffer of one-instruction
 * functions. Whatever exception an operation raises at EL1 or EL0 (undefined
 * instruction, alignment fault, external abort, reflected BRK) is caught by
 * the guest's vector, which steps over the instruction. At the end it
 * prints how many operations it made and that the hypervisor still
 * answers; tests/system/test_chaos.sh runs it beside guests/victim.c.
 */
#include <string.h>

#include <arch/sysreg.h>
#include <lib/fmt.h>
#include <lib/prng.h>
#include <lib/psci.h>

#include "rt/rpci.h"
#include "rt/rt.h"

#define BATCH 256
#define DEFAULT_OPS 20000

/* The VM layout the hypervisor gives every VM (hyp/vm.h). */
#define GICD_BASE 0x08000000ull
#define GICD_SIZE 0x10000ull
#define GICR_BASE 0x080a0000ull
#define GICR_SIZE 0x20000ull /* one vCPU's RD_base + SGI_base */
#define UART_BASE 0x09000000ull
#define UART_SIZE 0x1000ull
#define RAM_BASE 0x40000000ull
#define RAM_SIZE (32ull << 20) /* test_chaos.sh gives it that much */

/* Registers of the generated instructions: base, data, data 2, status. */
#define RN 0u
#define RT 1u
#define RT2 2u
#define RS 3u
#define XZR 31u

#define INSN_RET 0xd65f03c0u
#define INSN_NOP 0xd503201fu
#define INSN_HVC 0xd4000002u
#define INSN_SMC 0xd4000003u
#define INSN_BRK 0xd4200000u
#define INSN_MRS 0xd5300000u
#define INSN_MSR 0xd5100000u

enum kind { K_SLOT, K_BACKDOOR };

struct op {
	enum kind kind;
	enum bd_entry entry; /* K_BACKDOOR */
	uint64_t a[4];	     /* K_SLOT: x0..x3 */
};

typedef void (*slot_fn)(uint64_t, uint64_t, uint64_t, uint64_t);

/* One function per operation: the instruction, then RET. */
static uint32_t slots[BATCH][2] __attribute__((aligned(4096)));
static struct op ops[BATCH];
static struct bdcall calls[BATCH];
/* What stores to RAM may hit: the rest of RAM is the guest's own. */
static uint64_t scratch[1024] __attribute__((aligned(4096)));

static uint64_t rng;
/* The monitor's emulated ECAM window when the VM has it (guestinfo.ecam). */
static uint64_t ecam_base;
#define ECAM_SIZE 0x100000ull
static unsigned long caught_total, stray, per_class[8];

static uint64_t next_random(void)
{
	/* xorshift64*: the same sequence for the same seed, every run. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static unsigned rnd(unsigned n)
{
	return (unsigned)(next_random() % n);
}

/* ---- loads and stores ---------------------------------------------------- */

enum form {
	F_UIMM,
	F_UNSCALED,
	F_PRE,
	F_POST,
	F_REGOFF,
	F_UNPRIV,
	F_PAIR,
	F_EXCL,
	F_ACQREL,
	F_ATOMIC,
	F_CAS,
	F_SIMD,
	F_SIMD_PAIR,
	F_LD1ST1,
	F_CACHE,
	F_COUNT
};

/* An encoding of form f; *bytes is how many bytes it moves, *store whether
 * it writes memory. */
static uint32_t ldst_insn(enum form f, bool store, unsigned *bytes)
{
	unsigned sz = rnd(4), opc = store ? 0 : 1;
	uint32_t base = RN << 5 | RT;

	*bytes = 1u << sz;
	switch (f) {
	case F_UIMM:
		if (!store && sz < 3 && rnd(2))
			opc = 2 + (sz < 2 ? rnd(2) : 0); /* LDRS* */
		return 0x39000000u | sz << 30 | opc << 22 | base;
	case F_UNSCALED:
		return 0x38000000u | sz << 30 | opc << 22 | base;
	case F_PRE:
		return 0x38000c00u | sz << 30 | opc << 22 | base;
	case F_POST:
		return 0x38000400u | sz << 30 | opc << 22 | base;
	case F_REGOFF: /* [Xn, XZR, LSL #0] */
		return 0x38206800u | sz << 30 | opc << 22 | XZR << 16 | base;
	case F_UNPRIV: /* LDTR/STTR */
		return 0x38000800u | sz << 30 | opc << 22 | base;
	case F_PAIR: /* LDP/STP W or X, LDPSW */
		sz = rnd(3);
		*bytes = sz == 2 ? 16 : 8;
		if (store && sz == 1)
			sz = 0;
		return 0x29000000u | (sz == 2 ? 2u : sz) << 30 | (store ? 0 : 1u) << 22 |
		       RT2 << 10 | base;
	case F_EXCL: /* LDXR/LDAXR, STXR/STLXR (status in Ws) */
		if (store)
			return 0x08000000u | sz << 30 | RS << 16 | 0x7c00u |
			       (rnd(2) ? 0x8000u : 0) | base;
		return 0x085f7c00u | sz << 30 | (rnd(2) ? 0x8000u : 0) | base;
	case F_ACQREL: /* LDAR, STLR */
		return (store ? 0x089ffc00u : 0x08dffc00u) | sz << 30 | base;
	case F_ATOMIC: /* LDADD..LDUMIN, SWP: read and write */
		*bytes = 1u << sz;
		return 0x38200000u | sz << 30 | rnd(4) << 22 | RS << 16 |
		       (rnd(8) == 0 ? 0x8000u : rnd(8) << 12) | base;
	case F_CAS:
		return 0x08a07c00u | sz << 30 | rnd(2) << 22 | RS << 16 | rnd(2) << 15 |
		       base;
	case F_SIMD: { /* B, H, S, D or Q register */
		unsigned q = rnd(5) == 4;

		*bytes = q ? 16 : 1u << sz;
		return 0x3d000000u | (q ? 0 : sz) << 30 | (q ? 2 + opc : opc) << 22 |
		       base;
	}
	case F_SIMD_PAIR: /* S, D or Q pair */
		sz = rnd(3);
		*bytes = 8u << sz;
		return 0x2d000000u | sz << 30 | (store ? 0 : 1u) << 22 | RT2 << 10 | base;
	case F_LD1ST1: /* one register, 8B or 16B */
		sz = rnd(2);
		*bytes = sz ? 16 : 8;
		return (store ? 0x0c007000u : 0x0c407000u) | sz << 30 | base;
	case F_CACHE: { /* DC ZVA, CIVAC, CVAC, CVAU, IVAC; IC IVAU: Xt = x0 */
		static const uint32_t ops[] = {0xd50b7420u, 0xd50b7e20u, 0xd50b7a20u,
					       0xd50b7b20u, 0xd5087620u, 0xd50b7520u};

		*bytes = 64;
		return ops[rnd(6)] | RN;
	}
	default:
		return INSN_NOP;
	}
}

/* A target address for an access of the given size. */
static uint64_t target(unsigned where, unsigned bytes, bool writes)
{
	uint64_t r = next_random(), a;
	bool aligned = rnd(8) != 0;

	switch (where) {
	case 0:
		a = GICD_BASE + r % GICD_SIZE;
		break;
	case 1: /* one vCPU's frames, and the hole after them */
		a = GICR_BASE + r % (2 * GICR_SIZE);
		break;
	case 2:
		a = UART_BASE + r % UART_SIZE;
		break;
	case 3: /* the low 1 GiB: devices and holes */
		a = r & 0x3fffffffull;
		break;
	case 4: /* anywhere, past the IPA size too */
		a = r & 0xffffffffffffull;
		break;
	case 5: /* the guest's RAM: loads only */
		a = RAM_BASE + r % RAM_SIZE;
		break;
	case 8: /* the ECAM window: trapped to EL3, emulated by the monitor */
		a = ecam_base + r % ECAM_SIZE;
		break;
	default:
		a = (uint64_t)scratch + r % (sizeof(scratch) - 64);
		break;
	}
	if (aligned)
		a &= ~(uint64_t)(bytes - 1);
	if (writes && a >= RAM_BASE - 64 && a < RAM_BASE + RAM_SIZE + 64)
		a = (uint64_t)scratch + (a & 0xfc0);
	return a;
}

static void gen_ldst(struct op *o, uint32_t *insn)
{
	enum form f = (enum form)rnd(F_COUNT);
	bool store = rnd(2);
	unsigned bytes, where = rnd(ecam_base ? 9 : 8);
	bool writes;

	*insn = ldst_insn(f, store, &bytes);
	/* DC ZVA writes, DC IVAC may discard: both count as writes. */
	writes = store || f == F_ATOMIC || f == F_CAS || f == F_CACHE;
	if (where == 5 && writes)
		where = 6;
	o->a[0] = target(where, bytes, writes);
	o->a[1] = next_random();
	o->a[2] = next_random();
	o->a[3] = next_random();
	/* A store to UARTDR goes to the console: make it a dot, and keep the
	 * SIMD registers' random bytes off it. */
	if (writes && o->a[0] >= UART_BASE && o->a[0] < UART_BASE + 4) {
		if (f == F_SIMD || f == F_SIMD_PAIR || f == F_LD1ST1) {
			o->a[0] += 0x24;
		} else {
			/* A narrow write to byte 1..3 puts 0 in UARTDR's data. */
			o->a[0] &= ~3ull;
			o->a[1] = o->a[2] = o->a[3] = 0x2e2e2e2e2e2e2e2eull;
		}
	}
	per_class[0]++;
}

/* ---- system registers ---------------------------------------------------- */

static uint32_t sysreg(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
		       unsigned op2)
{
	return (op0 - 2) << 19 | op1 << 16 | crn << 12 | crm << 8 | op2 << 5;
}

static void gen_sysreg(struct op *o, uint32_t *insn)
{
	unsigned op1 = rnd(8), crm = rnd(16), op2 = rnd(8);
	uint32_t enc;
	bool write = rnd(2);

	switch (rnd(9)) {
	case 0: /* debug and trace (MDCR_EL2.TDA, CPTR_EL2.TTA) */
		enc = sysreg(2, rnd(2) ? 0 : rnd(2) ? 1 : 3, rnd(8), crm, op2);
		break;
	case 1: /* implementation defined (HCR_EL2.TIDCP) */
		enc = sysreg(3, op1, rnd(2) ? 15 : 11, crm, op2);
		break;
	case 2: /* ID registers (HCR_EL2.TID3) */
		enc = sysreg(3, 0, 0, 1 + rnd(7), op2);
		break;
	case 3: /* the physical timer and counter (CNTHCTL_EL2) */
		enc = sysreg(3, 3, 14, rnd(2) ? 2 : 0, op2);
		break;
	case 4: /* SGIs: ICC_SGI1R_EL1, ICC_ASGI1R_EL1, ICC_SGI0R_EL1 */
		enc = rnd(3) == 0 ? sysreg(3, 1, 12, 11, 6)
		      : rnd(2)	  ? sysreg(3, 2, 12, 11, 7)
				  : sysreg(3, 0, 12, 11, 5);
		write = true;
		break;
	case 5: /* activity monitors (CPTR_EL2.TAM) */
		enc = sysreg(3, 3, 13, 2 + rnd(6), op2);
		break;
	case 6: /* ACTLR_EL1 (HCR_EL2.TACR) */
		enc = sysreg(3, 0, 1, 0, 1);
		break;
	case 7: /* ZCR_EL1, SMCR_EL1, SMPRI_EL1, SVCR (CPTR_EL2.TZ, TSM) */
		enc = rnd(2)   ? sysreg(3, 0, 1, 2, rnd(2) ? 0 : 6)
		      : rnd(2) ? sysreg(3, 0, 1, 2, 4)
			       : sysreg(3, 3, 4, 2, 2);
		break;
	default: /* anything with op0 = 2 or 3 at all: reads only */
		enc = sysreg(2 + rnd(2), op1, rnd(16), crm, op2);
		write = false;
		break;
	}
	/* MDSCR_EL1 is the guest's own debug control: a random write would
	 * single-step or break the guest itself, not the hypervisor. */
	if (write && enc == sysreg(2, 0, 0, 2, 2))
		write = false;
	*insn = (write ? INSN_MSR : INSN_MRS) | enc | RT;
	o->a[0] = next_random();
	o->a[1] = rnd(4) ? next_random() : next_random() & 0xffff;
	per_class[1]++;
}

/* ---- HVC, SMC, BRK ----------------------------------------------------- */

/* The PSCI functions that end or suspend the caller or the VM. */
static bool psci_ends(uint32_t fid)
{
	uint32_t base = fid & ~0x40000000u; /* SMC32 and SMC64 alike */

	switch (base) {
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_CPU_OFF:
	case 0x84000001u: /* CPU_SUSPEND */
	case 0x8400000bu: /* CPU_FREEZE */
	case 0x8400000cu: /* CPU_DEFAULT_SUSPEND */
	case 0x8400000eu: /* SYSTEM_SUSPEND */
	case 0x84000012u: /* SYSTEM_RESET2 */
		return true;
	}
	return false;
}

static void gen_call(struct op *o, uint32_t *insn)
{
	uint32_t fid;
	unsigned imm;

	switch (rnd(4)) {
	case 0: /* PSCI, SMC32 or SMC64 */
		fid = 0x84000000u | (rnd(2) ? 0x40000000u : 0) | rnd(0x20);
		break;
	case 1: /* the Arm architecture service calls */
		fid = 0x80000000u | (rnd(4) ? rnd(0x10) : rnd(0x10000));
		break;
	default:
		fid = (uint32_t)next_random();
		break;
	}
	if (psci_ends(fid))
		fid ^= 0x10; /* a neighbour that does not end anything */
	if (psci_ends(fid) || fid == BD_MAGIC)
		fid = 0x84000000u; /* PSCI_VERSION */
	imm = rnd(4) ? 0 : rnd(2) ? (unsigned)(next_random() & 0xffff) : 0x86;
	switch (rnd(3)) {
	case 0:
		*insn = INSN_HVC | imm << 5;
		per_class[2]++;
		break;
	case 1:
		*insn = INSN_SMC | imm << 5;
		per_class[2]++;
		break;
	default: /* BRK: 0x86 without the magic is the guest's own BRK */
		*insn = INSN_BRK | (rnd(2) ? 0x86u : (unsigned)(next_random() & 0xffff))
					   << 5;
		per_class[3]++;
		break;
	}
	o->a[0] = (rnd(8) ? 0 : next_random() << 32) | fid;
	o->a[1] = rnd(2) ? next_random() : rnd(4);
	o->a[2] = rnd(2) ? next_random() : RAM_BASE;
	o->a[3] = next_random();
}

/* ---- backdoor -------------------------------------------------------- */

static void gen_backdoor(struct op *o, struct bdcall *c)
{
	uint64_t r = next_random();

	for (int i = 0; i < 8; i++)
		c->x[i] = next_random();
	if (r & 1)
		c->x[0] = BD_MAGIC;
	if (r & 2)
		c->x[7] = ((uint64_t)BD_X86_IO_MAGIC << 32) | BD_W7_LB;
	if (r & 4)
		c->x[2] = (rnd(2) ? BD_CMD_MESSAGE : BD_CMD_GETVERSION) |
			  (c->x[2] & 0x70000u);
	if (r & 8)
		c->x[3] = (c->x[3] & 0xffff0000u) | BD_PORT_LB;
	if (r & 16) /* OPEN's protocol with the cookie flag */
		c->x[1] = BD_RPCI_PROTO | BD_MSG_FLAG_COOKIE;
	/* Not the project's own commands: they end the VM or write the
	 * console, which is not what this guest tests. */
	if ((c->x[2] & 0xffff) >= BD_CMD_OWN_FIRST &&
	    (c->x[2] & 0xffff) <= BD_CMD_OWN_LAST)
		c->x[2] &= ~0xff00ull;
	o->kind = K_BACKDOOR;
	o->entry = (enum bd_entry)rnd(3);
	per_class[4]++;
}

/* ---- running ------------------------------------------------------------- */

static void generate(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct op *o = &ops[i];
		uint32_t insn = INSN_NOP;
		unsigned c = rnd(16);

		o->kind = K_SLOT;
		if (c < 8)
			gen_ldst(o, &insn);
		else if (c < 11)
			gen_sysreg(o, &insn);
		else if (c < 14)
			gen_call(o, &insn);
		else
			gen_backdoor(o, &calls[i]);
		slots[i][0] = insn;
		slots[i][1] = INSN_RET;
	}
	/* New code: clean it to the point of unification, drop stale lines. */
	__asm__ volatile("dsb ish\n ic iallu\n dsb ish\n isb" ::: "memory");
}

/* Runs ops[0..n) at whatever EL it is called at; returns how many raised
 * an exception the guest caught. */
static uint64_t run_batch(uint64_t n)
{
	uint64_t caught = 0;

	for (uint64_t i = 0; i < n; i++) {
		const struct op *o = &ops[i];

		expect_exception();
		if (o->kind == K_BACKDOOR)
			bd_invoke(o->entry, &calls[i]);
		else
			((slot_fn)(uintptr_t)slots[i])(o->a[0], o->a[1], o->a[2],
						       o->a[3]);
		if (caught_exception().hit)
			caught++;
	}
	return caught;
}

/*
 * What no operation armed for, after the fact: a breakpoint, watchpoint or
 * step the guest's own random debug-register writes set up. Disarm the
 * debug state and go on; anything else is still a failure.
 */
bool guest_unexpected(struct frame *f, unsigned vector, uint64_t esr)
{
	uint64_t ec = esr_ec(esr);

	if ((vector & 3) == 0 && ec >= ESR_EC_SSTEP_LOW - 2 &&
	    ec <= ESR_EC_WATCH_LOW + 1) {
		write_sysreg(mdscr_el1, 0);
		f->spsr &= ~SPSR_SS;
		stray++;
		return true;
	}
	if ((vector & 3) != 0) { /* interrupts: mask them where they came */
		f->spsr |= SPSR_DAIF;
		stray++;
		return true;
	}
	return false;
}

void guest_main(uint64_t dt)
{
	uint64_t seed = guestinfo_u64("seed", 1),
		 total = guestinfo_u64("ops", DEFAULT_OPS);
	unsigned long done = 0, el0_done = 0, batches = 0;

	(void)dt;
	__asm__ volatile("msr daifset, #0xf");
	/* splitmix64 of the seed: nearby seeds, unrelated sequences. */
	rng = seed;
	rng = splitmix64_next(&rng) | 1;
	ecam_base = guestinfo_u64("ecam", 0);
	gprintf("chaos: seed %lu, %lu operations%s\n", (unsigned long)seed,
		(unsigned long)total, ecam_base ? ", ECAM window too" : "");
	while (done < total) {
		unsigned n = total - done < BATCH ? (unsigned)(total - done) : BATCH;
		bool el0 = batches & 1;

		generate(n);
		if (el0) {
			/* DAIF masked: EL0 takes no interrupt, as EL1 does not. */
			caught_total += run_el0_spsr(run_batch, n, SPSR_DAIF);
			el0_done += n;
		} else {
			caught_total += run_batch(n);
		}
		/* Undo what the guest may have done to its own debug state. */
		write_sysreg(mdscr_el1, 0);
		done += n;
		if (++batches % 64 == 0)
			gprintf("chaos: %lu operations\n", done);
	}
	gprintf("chaos: done: %lu operations, %lu at EL0, %lu caught, %lu stray\n", done,
		el0_done, caught_total, stray);
	gprintf("chaos: %lu loads/stores, %lu sysregs, %lu hvc/smc, %lu brk, %lu "
		"backdoor\n",
		per_class[0], per_class[1], per_class[2], per_class[3], per_class[4]);
	GCHECK(bd_getversion(BD_DCC, NULL, NULL) == BD_VERSION, "getversion afterwards");
	gprintf("chaos: the hypervisor still answers\n");
	guest_finish("chaos");
}
