/*
 * Decoding and emulation of the A64 loads and stores of general-purpose
 * registers, for a monitor that must complete a data access the hardware
 * reported without a usable syndrome.
 *
 * Why it exists: the EL3 monitor emulates a PCI ECAM window that no memory
 * backs. A normal-world load or store to it is taken to EL3 as a Granule
 * Protection Check fault (FEAT_RME) or a synchronous external abort, and
 * neither syndrome carries ESR_ELx.ISV, so the access size, the register
 * and any base writeback are not reported. The monitor fetches the
 * instruction word at ELR_EL3 (instruction fetches are always
 * little-endian), gives it to a64_ldst_emulate() with the trapped context's
 * registers and callbacks that reach the emulated device, and on
 * A64_LDST_OK resumes at ELR_EL3 + 4. Anything else it refuses (the status
 * names why, for the log line) and reports to the normal world as the abort
 * the access would have taken.
 *
 * What it takes, in the ARM ARM's terms (DDI 0487, A64 "Loads and Stores"
 * encoding index, op1 (V) = 0):
 *
 * - Load/store register (unsigned immediate, unscaled immediate,
 *   immediate pre-indexed, immediate post-indexed, register offset,
 *   unprivileged): LDR/STR, LDUR/STUR, LDTR/STTR with B, H, W and X sizes;
 *   LDRSB, LDRSH to Wt or Xt and LDRSW to Xt, in every one of those forms.
 *   The register offset is Rm extended by option (UXTW, LSL = UXTX, SXTW,
 *   SXTX) and shifted left by log2(size) when S is 1.
 * - Load/store register pair (offset, pre-indexed, post-indexed) and
 *   no-allocate pair (offset): LDP/STP of W and X registers, LDPSW, and
 *   LDNP/STNP, which the emulator treats as plain pairs (the non-temporal
 *   hint means nothing to a device).
 * - The unprivileged forms (LDTR*, STTR*) are emulated like the plain ones:
 *   the permission check they change was made by the translation that
 *   succeeded before the access faulted, so by the time the monitor sees
 *   the access there is nothing left to check.
 *
 * Register 31 is XZR/WZR as Rt, Rt2 and Rm (stores store zero, loads read
 * the device and discard the value) and SP as Rn; a load to a W register
 * writes zeros to bits [63:32] of the X register.
 *
 * What it refuses, each with its own status:
 *
 * - A64_LDST_NOT_LDST: outside the Loads and Stores group (bits [28:25]
 *   are not x1x0).
 * - A64_LDST_SIMD_FP: the V bit is set: SIMD&FP registers, which the
 *   monitor does not save (its own code is built -mgeneral-regs-only).
 * - A64_LDST_EXCLUSIVE_ORDERED: exclusives, load-acquire/store-release,
 *   LDLAR/STLLR, CAS/CASP (op0 = xx00), and LDAPUR/STLUR and the other
 *   RCpc forms of op0 = xx01. A device cannot hold an exclusive monitor,
 *   and ordering with other observers is meaningless for an emulated
 *   register file, so these are refused rather than emulated loosely.
 * - A64_LDST_ATOMIC: the "Atomic memory operations" class: LSE atomics,
 *   SWP, LDAPR, LD64B/ST64B.
 * - A64_LDST_LITERAL: PC-relative literal loads. They read the image the
 *   code came from, never a device window.
 * - A64_LDST_PREFETCH: PRFM, PRFUM, RPRFM. A prefetch never raises a
 *   synchronous abort, so the monitor should never be handed one; it is
 *   reported, not executed, and the caller may step over it (a prefetch
 *   has no architectural effect) or refuse it.
 * - A64_LDST_UNSUPPORTED: the remaining load/store classes: memory tags
 *   (LDG, STG, STGP...), pointer authentication (LDRAA/LDRAB), memory
 *   copy/set (CPY*, SET*), GCS stores and whatever the encoding index adds
 *   there later. These statuses name an encoding class, not a checked
 *   instruction: an unallocated word inside one of these classes gets the
 *   class's status.
 * - A64_LDST_UNALLOCATED: an unallocated encoding inside the classes the
 *   emulator takes (size/opc combinations such as size = 11, opc = 11; a
 *   register offset with option<1> = 0; a pair with opc = 11).
 * - A64_LDST_UNPREDICTABLE: the CONSTRAINED UNPREDICTABLE forms, which the
 *   emulator refuses rather than pick one of the architecture's permitted
 *   behaviours: writeback with Rn == Rt (or Rn == Rt2 for pairs) and
 *   Rn != 31, loads and stores alike; a load pair with Rt == Rt2 (also
 *   when both are XZR, as the ARM ARM pseudocode has no exception).
 * - A64_LDST_UNALIGNED: an element not naturally aligned to its size (a
 *   pair's two elements each to theirs: an LDP of X registers needs 8-byte
 *   alignment, not 16). Devices take aligned accesses only.
 * - A64_LDST_BUS_ERROR: the callbacks refused the access, or a pair would
 *   wrap past the top of the 64-bit address space (no translation can map
 *   that, so it never reaches the monitor from the hardware).
 *
 * Data is little-endian only: a value passed to or from the bus callbacks
 * is the element as the register sees it with SCTLR_ELx.EE/E0E = 0 (its
 * least significant byte at the lowest address). A caller whose trapped
 * context runs big-endian data must refuse the access itself.
 *
 * Addresses are the virtual addresses the instruction computes, with every
 * bit of the 64-bit sum (a top-byte tag included); translating them to the
 * window (for example with the fault address register) is the callbacks'
 * business. Arithmetic on addresses wraps modulo 2^64, as the
 * architecture's does.
 *
 * Decoding is a handful of mask-and-compare steps for the accepted classes;
 * the refused words are classified on a separate, slower path.
 */
#ifndef LIB_A64_LDST_H
#define LIB_A64_LDST_H

#include <stdbool.h>
#include <stdint.h>

/* ---- encoding fields (DDI 0487 names) ------------------------------------ */

/* A64 top level, bits [28:25] (op1 of the top-level table): x1x0 is the
 * Loads and Stores group. */
#define A64_LDST_GROUP_MASK 0x0a000000u
#define A64_LDST_GROUP 0x08000000u

/* The Loads and Stores encoding index selects a class with op0 = [31:28],
 * op1 = [26] (V, SIMD&FP), op2 = [24:23], op3 = [21:16], op4 = [11:10]. */
#define A64_LDST_V (1u << 26)

/* op0 = xx11, op1 = 0: the load/store register classes ([29:27] = 111,
 * [26] = 0, [25] = 0). op0 = xx10, op1 = 0: the register pair classes. */
#define A64_LDST_CLASS_MASK 0x3e000000u
#define A64_LDST_CLASS_REG 0x38000000u
#define A64_LDST_CLASS_PAIR 0x28000000u

/* Load/store register: size [31:30], opc [23:22], Rn [9:5], Rt [4:0]. */
#define A64_LDST_SIZE_SHIFT 30
#define A64_LDST_OPC_SHIFT 22
#define A64_LDST_OPC_MASK 3u
#define A64_LDST_RN_SHIFT 5
#define A64_LDST_RT_SHIFT 0
#define A64_LDST_REG_MASK 31u
/* op2<1> = [24]: the unsigned immediate form, imm12 [21:10] scaled. */
#define A64_LDST_UIMM (1u << 24)
#define A64_LDST_IMM12_SHIFT 10
#define A64_LDST_IMM12_MASK 0xfffu
/* op3<5> = [21]: 0 for the imm9 forms, 1 for register offset, atomic
 * memory operations and pointer-authenticated loads. */
#define A64_LDST_OP3_5 (1u << 21)
#define A64_LDST_IMM9_SHIFT 12
#define A64_LDST_IMM9_MASK 0x1ffu
/* op4 = [11:10]: which imm9 form, or with op3<5> = 1 which class. */
#define A64_LDST_OP4_SHIFT 10
#define A64_LDST_OP4_MASK 3u
#define A64_LDST_OP4_UNSCALED 0u /* LDUR/STUR */
#define A64_LDST_OP4_POST 1u	 /* immediate post-indexed */
#define A64_LDST_OP4_UNPRIV 2u	 /* LDTR/STTR */
#define A64_LDST_OP4_PRE 3u	 /* immediate pre-indexed */
#define A64_LDST_OP4_ATOMIC 0u	 /* with op3<5>: atomic memory operations */
#define A64_LDST_OP4_REGOFF 2u	 /* with op3<5>: register offset */
#define A64_LDST_OP4_PAC_BIT 1u	 /* with op3<5>: LDRAA/LDRAB */
/* Register offset: Rm [20:16], option [15:13], S [12]. */
#define A64_LDST_RM_SHIFT 16
#define A64_LDST_OPTION_SHIFT 13
#define A64_LDST_OPTION_MASK 7u
#define A64_LDST_OPTION_1 2u /* option<1> = 0 is unallocated */
#define A64_LDST_OPTION_SIGNED 4u
#define A64_LDST_S (1u << 12)

/* Register pair: opc [31:30], op2 [24:23] the addressing mode, L [22],
 * imm7 [21:15] scaled by the element size, Rt2 [14:10]. */
#define A64_LDST_PAIR_OPC_SHIFT 30
#define A64_LDST_PAIR_MODE_SHIFT 23
#define A64_LDST_PAIR_MODE_MASK 3u
#define A64_LDST_PAIR_NOALLOC 0u /* LDNP/STNP (offset) */
#define A64_LDST_PAIR_POST 1u
#define A64_LDST_PAIR_OFFSET 2u
#define A64_LDST_PAIR_PRE 3u
#define A64_LDST_L (1u << 22)
#define A64_LDST_IMM7_SHIFT 15
#define A64_LDST_IMM7_MASK 0x7fu
#define A64_LDST_RT2_SHIFT 10

/* The simple form (a64_ldst_simple() below): bits [29:24] = 111001 and
 * opc<1> = 0. */
#define A64_LDST_SIMPLE_MASK 0x3f800000u
#define A64_LDST_SIMPLE_BITS 0x39000000u

/* ---- the decoder and emulator ------------------------------------------ */

enum a64_ldst_status {
	A64_LDST_OK,
	A64_LDST_NOT_LDST,
	A64_LDST_SIMD_FP,
	A64_LDST_EXCLUSIVE_ORDERED,
	A64_LDST_ATOMIC,
	A64_LDST_LITERAL,
	A64_LDST_PREFETCH,
	A64_LDST_UNSUPPORTED,
	A64_LDST_UNALLOCATED,
	A64_LDST_UNPREDICTABLE,
	A64_LDST_UNALIGNED,
	A64_LDST_BUS_ERROR,
	A64_LDST_STATUS_COUNT
};

/* A short fixed name for the log line ("unaligned", "simd-fp", ...);
 * "invalid" for a value outside the enum. */
const char *a64_ldst_status_name(enum a64_ldst_status status);

/* Register offset extends, by their option encodings. */
enum a64_ldst_extend {
	A64_LDST_UXTW = 2,
	A64_LDST_LSL = 3, /* UXTX */
	A64_LDST_SXTW = 6,
	A64_LDST_SXTX = 7,
};

/* struct a64_ldst flags. */
#define A64_LDST_F_LOAD (1u << 0)      /* else a store */
#define A64_LDST_F_PAIR (1u << 1)      /* two elements: rt at the address, rt2 after */
#define A64_LDST_F_SIGN (1u << 2)      /* loads: sign-extend the element */
#define A64_LDST_F_WIDE (1u << 3)      /* loads: the destination is Xt (else Wt) */
#define A64_LDST_F_REGOFF (1u << 4)    /* offset = extend(Rm) << shift, else imm */
#define A64_LDST_F_WRITEBACK (1u << 5) /* Rn = Rn + offset afterwards */
#define A64_LDST_F_POST (1u << 6)      /* with writeback: the access is at Rn */
#define A64_LDST_F_UNPRIV (1u << 7)    /* LDTR/STTR: emulated like LDR/STR */
#define A64_LDST_F_NOALLOC (1u << 8)   /* LDNP/STNP: emulated like LDP/STP */

/* One decoded instruction. Register numbers are 0..31, with the meaning of
 * 31 given above (XZR for rt, rt2 and rm; SP for rn). The properties are
 * bits of one flags word rather than separate bools so that the emulator
 * carries them across its bus calls in one register. */
struct a64_ldst {
	uint32_t flags;	 /* A64_LDST_F_* */
	uint8_t size;	 /* bytes per element: 1, 2, 4 or 8 */
	uint8_t rt, rt2; /* rt2 for pairs only (else 0) */
	uint8_t rn;	 /* the base */
	uint8_t rm;	 /* register offset only (else 0) */
	uint8_t extend;	 /* register offset only: enum a64_ldst_extend */
	uint8_t shift;	 /* register offset only: 0 or log2(size) */
	int64_t imm;	 /* immediate offset in bytes, already scaled */
};

/* Decodes insn. On A64_LDST_OK *out holds the instruction; on any other
 * status (one of the refusals above that do not need an access) *out is
 * unspecified. */
enum a64_ldst_status a64_ldst_decode(uint32_t insn, struct a64_ldst *out);

/*
 * The form nearly every device driver uses, LDR or STR (immediate, unsigned
 * offset) of B, H, W or X without sign extension, recognised with one mask:
 * what a64_ldst_simple() returns true for, a64_ldst_decode() decodes the
 * same way. It is the monitor's short path for trapped ECAM accesses
 * (Linux's config accessors are readl/writel and their byte and halfword
 * forms); every other word goes the general way.
 */
struct a64_ldst_simple {
	uint8_t size; /* bytes: 1, 2, 4 or 8 */
	uint8_t rt, rn;
	bool load;
	uint32_t offset; /* imm12 scaled by the size */
};

static inline bool a64_ldst_simple(uint32_t insn, struct a64_ldst_simple *s)
{
	/* size [31:30], 111 [29:27], V [26] = 0, 01 [25:24], opc [23:22] =
	 * 00 (STR) or 01 (LDR): opc<1> = 0 is what excludes the sign-extending
	 * loads and PRFM. */
	if ((insn & A64_LDST_SIMPLE_MASK) != A64_LDST_SIMPLE_BITS)
		return false;
	s->size = (uint8_t)(1u << (insn >> A64_LDST_SIZE_SHIFT));
	s->rt = (uint8_t)(insn & A64_LDST_REG_MASK);
	s->rn = (uint8_t)((insn >> A64_LDST_RN_SHIFT) & A64_LDST_REG_MASK);
	s->load = insn & (1u << A64_LDST_OPC_SHIFT);
	s->offset = ((insn >> A64_LDST_IMM12_SHIFT) & A64_LDST_IMM12_MASK)
		    << (insn >> A64_LDST_SIZE_SHIFT);
	return true;
}

/* The trapped context's general-purpose registers: X0..X30 and the SP the
 * context was using (SP_EL0 or SP_ELx, by its PSTATE.SP). */
struct a64_ldst_cpu {
	uint64_t x[31];
	uint64_t sp;
};

/* How the emulator reaches the emulated device. Values are size bytes,
 * little-endian as above, in the low bits: write() gets zeros above them,
 * and the bits read() returns above them are ignored. */
struct a64_ldst_bus {
	/* The whole access [va, va + len) before any element moves, so that
	 * the caller can refuse one that leaves its window, or that it cannot
	 * take at all, before anything happens. write: a store. */
	bool (*check)(void *ctx, uint64_t va, uint64_t len, bool write);
	bool (*read)(void *ctx, uint64_t va, unsigned size, uint64_t *val);
	bool (*write)(void *ctx, uint64_t va, unsigned size, uint64_t val);
};

/*
 * Emulates insn on cpu: decodes it, computes the address, checks alignment
 * and bus->check(), performs the element accesses (a pair's two in address
 * order, the one at the lower address first) and then, only when all of
 * that succeeded, writes the loaded registers and the writeback base.
 * On any status but A64_LDST_OK cpu is unchanged. Memory may not be: when
 * bus->check() allowed a pair store but the second bus->write() fails, the
 * first element has been stored (a caller whose check() is exact never
 * sees that). Refusals found by decoding alone call no callback. The
 * caller advances ELR itself.
 */
enum a64_ldst_status a64_ldst_emulate(uint32_t insn, struct a64_ldst_cpu *cpu,
				      const struct a64_ldst_bus *bus, void *ctx);

#endif
