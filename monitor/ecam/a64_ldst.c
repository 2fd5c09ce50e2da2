/*
 * The A64 general-purpose load/store decoder and emulator
 * (monitor/ecam/a64_ldst.h says what it takes and refuses).
 *
 * The accepted words fall in two encoding classes, each recognised by one
 * mask and compare: load/store register and load/store register pair.
 * Inside them the fields are pulled out directly and the few unallocated
 * and CONSTRAINED UNPREDICTABLE combinations are tested for. Every other
 * word goes to refused(), which only names the class it falls in; it is
 * kept out of line so that the accepted path stays short.
 *
 * Emulation computes everything first and writes the registers last, so a
 * refusal at any step leaves the caller's registers as they were.
 */
#include <monitor/ecam/a64_ldst.h>

#define NOINLINE __attribute__((noinline, cold))
#define ALWAYS_INLINE inline __attribute__((always_inline))

/* op0 = xx01, op2<1> = 1, op3<5> = 0, op4 = 01: memory copy and memory set
 * (CPY*, SET*). They use bit 26 as o0, so the class is told apart before
 * the V bit is read as SIMD&FP. */
#define CLASS_MOPS_MASK 0x3b200c00u
#define CLASS_MOPS 0x19000400u
/* op0 = [29:28] once bit 27 is known to be 1. */
#define OP0_LOW_SHIFT 28
#define OP0_LOW_MASK 3u
#define OP0_LOW_EXCL 0u /* xx00: exclusive, ordered, compare and swap */
#define OP0_LOW_LIT 1u	/* xx01: literal, RCpc, memory tags, MOPS */
/* op0 = xx01, op2<1> = 0: load register (literal), opc [31:30]; 11 is
 * PRFM (literal). */
#define LIT_OPC_SHIFT 30
#define LIT_OPC_MASK 3u
#define LIT_OPC_PRFM 3u
/* op0 = xx01, op2<1> = 1, op3<5> = 0, op4<0> = 0: LDAPUR/STLUR (op4 = 00)
 * and the RCpc3 writeback forms (op4 = 10). */
#define OP4_0 1u

/* Load/store register size/opc. */
#define SIZE_X 3u
#define SIZE_W 2u
#define OPC_STORE 0u
#define OPC_LOAD 1u
#define OPC_SIGNED_X 2u /* LDRS* to Xt; PRFM with size = 11 */
#define OPC_SIGNED_W 3u /* LDRS* to Wt */

/* Pair opc: 00 W, 01 LDPSW (and STGP with L = 0), 10 X, 11 unallocated. */
#define PAIR_OPC_W 0u
#define PAIR_OPC_SW 1u
#define PAIR_OPC_X 2u

#define XZR 31u /* as Rt, Rt2, Rm */
#define SP 31u	/* as Rn */

static inline unsigned field(uint32_t insn, unsigned shift, unsigned mask)
{
	return (insn >> shift) & mask;
}

/* Sign-extends the low bits-wide field of v. */
static inline int64_t sext(uint64_t v, unsigned bits)
{
	uint64_t m = (uint64_t)1 << (bits - 1);

	v &= (m << 1) - 1;
	return (int64_t)((v ^ m) - m);
}

/* ---- refused words --------------------------------------------------------- */

/* A word outside the two accepted classes: which class it is in. */
static NOINLINE enum a64_ldst_status refused(uint32_t insn)
{
	if ((insn & A64_LDST_GROUP_MASK) != A64_LDST_GROUP)
		return A64_LDST_NOT_LDST;
	if ((insn & CLASS_MOPS_MASK) == CLASS_MOPS)
		return A64_LDST_UNSUPPORTED;
	if (insn & A64_LDST_V)
		return A64_LDST_SIMD_FP;
	/* With V = 0, op0 = xx10 and xx11 are the accepted classes, so only
	 * xx00 and xx01 are left. */
	if (field(insn, OP0_LOW_SHIFT, OP0_LOW_MASK) == OP0_LOW_EXCL)
		return A64_LDST_EXCLUSIVE_ORDERED;
	if (!(insn & A64_LDST_UIMM)) {
		if (field(insn, LIT_OPC_SHIFT, LIT_OPC_MASK) == LIT_OPC_PRFM)
			return A64_LDST_PREFETCH;
		return A64_LDST_LITERAL;
	}
	if (!(insn & A64_LDST_OP3_5) &&
	    !(field(insn, A64_LDST_OP4_SHIFT, A64_LDST_OP4_MASK) & OP4_0))
		return A64_LDST_EXCLUSIVE_ORDERED;
	return A64_LDST_UNSUPPORTED; /* memory tags, GCS, ... */
}

/* ---- the accepted classes ------------------------------------------------- */

/* Load/store register: every addressing form, then size/opc. */
static ALWAYS_INLINE enum a64_ldst_status decode_reg(uint32_t insn, struct a64_ldst *d)
{
	unsigned size = field(insn, A64_LDST_SIZE_SHIFT, 3);
	unsigned opc = field(insn, A64_LDST_OPC_SHIFT, A64_LDST_OPC_MASK);
	unsigned op4 = field(insn, A64_LDST_OP4_SHIFT, A64_LDST_OP4_MASK);
	/* PRFM exists in the unsigned, unscaled and register offset forms;
	 * in the others size = 11, opc = 10 is unallocated. */
	bool prfm_form = true;
	uint32_t flags;

	d->rt = (uint8_t)field(insn, A64_LDST_RT_SHIFT, A64_LDST_REG_MASK);
	d->rt2 = 0;
	d->rn = (uint8_t)field(insn, A64_LDST_RN_SHIFT, A64_LDST_REG_MASK);
	d->rm = 0;
	d->extend = 0;
	d->shift = 0;
	if (insn & A64_LDST_UIMM) {
		flags = 0;
		d->imm = (int64_t)((uint64_t)field(insn, A64_LDST_IMM12_SHIFT,
						   A64_LDST_IMM12_MASK)
				   << size);
	} else if (!(insn & A64_LDST_OP3_5)) {
		d->imm = sext(field(insn, A64_LDST_IMM9_SHIFT, A64_LDST_IMM9_MASK), 9);
		switch (op4) {
		case A64_LDST_OP4_UNSCALED:
			flags = 0;
			break;
		case A64_LDST_OP4_POST:
			flags = A64_LDST_F_WRITEBACK | A64_LDST_F_POST;
			prfm_form = false;
			break;
		case A64_LDST_OP4_UNPRIV:
			flags = A64_LDST_F_UNPRIV;
			prfm_form = false;
			break;
		default: /* A64_LDST_OP4_PRE */
			flags = A64_LDST_F_WRITEBACK;
			prfm_form = false;
			break;
		}
	} else if (op4 == A64_LDST_OP4_REGOFF) {
		unsigned option =
			field(insn, A64_LDST_OPTION_SHIFT, A64_LDST_OPTION_MASK);

		if (!(option & A64_LDST_OPTION_1))
			return A64_LDST_UNALLOCATED;
		flags = A64_LDST_F_REGOFF;
		d->imm = 0;
		d->rm = (uint8_t)field(insn, A64_LDST_RM_SHIFT, A64_LDST_REG_MASK);
		d->extend = (uint8_t)option;
		d->shift = (insn & A64_LDST_S) ? (uint8_t)size : 0;
	} else if (op4 == A64_LDST_OP4_ATOMIC) {
		return A64_LDST_ATOMIC;
	} else {
		return A64_LDST_UNSUPPORTED; /* LDRAA, LDRAB */
	}

	switch (opc) {
	case OPC_STORE:
		break;
	case OPC_LOAD:
		flags |= A64_LDST_F_LOAD | (size == SIZE_X ? A64_LDST_F_WIDE : 0);
		break;
	case OPC_SIGNED_X:
		if (size == SIZE_X)
			return prfm_form ? A64_LDST_PREFETCH : A64_LDST_UNALLOCATED;
		/* LDRSB, LDRSH, LDRSW to Xt */
		flags |= A64_LDST_F_LOAD | A64_LDST_F_SIGN | A64_LDST_F_WIDE;
		break;
	default: /* OPC_SIGNED_W: LDRSB, LDRSH to Wt */
		if (size >= SIZE_W)
			return A64_LDST_UNALLOCATED;
		flags |= A64_LDST_F_LOAD | A64_LDST_F_SIGN;
		break;
	}
	/* Writeback into the transferred register: CONSTRAINED UNPREDICTABLE
	 * (Unpredictable_WBOVERLAPLD/ST); with Rn = 31 they are SP and XZR. */
	if ((flags & A64_LDST_F_WRITEBACK) && d->rn == d->rt && d->rn != SP)
		return A64_LDST_UNPREDICTABLE;
	d->flags = flags;
	d->size = (uint8_t)(1u << size);
	return A64_LDST_OK;
}

/* Load/store register pair and no-allocate pair. */
static ALWAYS_INLINE enum a64_ldst_status decode_pair(uint32_t insn, struct a64_ldst *d)
{
	unsigned opc = field(insn, A64_LDST_PAIR_OPC_SHIFT, 3);
	unsigned mode = field(insn, A64_LDST_PAIR_MODE_SHIFT, A64_LDST_PAIR_MODE_MASK);
	uint32_t flags = A64_LDST_F_PAIR;
	unsigned scale;

	if (insn & A64_LDST_L)
		flags |= A64_LDST_F_LOAD;
	switch (opc) {
	case PAIR_OPC_W:
		scale = 2;
		break;
	case PAIR_OPC_SW:
		if (mode == A64_LDST_PAIR_NOALLOC)
			return A64_LDST_UNALLOCATED;
		if (!(flags & A64_LDST_F_LOAD))
			return A64_LDST_UNSUPPORTED; /* STGP */
		scale = 2;
		flags |= A64_LDST_F_SIGN | A64_LDST_F_WIDE; /* LDPSW */
		break;
	case PAIR_OPC_X:
		scale = 3;
		flags |= A64_LDST_F_WIDE;
		break;
	default:
		return A64_LDST_UNALLOCATED;
	}
	switch (mode) {
	case A64_LDST_PAIR_NOALLOC:
		flags |= A64_LDST_F_NOALLOC;
		break;
	case A64_LDST_PAIR_POST:
		flags |= A64_LDST_F_WRITEBACK | A64_LDST_F_POST;
		break;
	case A64_LDST_PAIR_PRE:
		flags |= A64_LDST_F_WRITEBACK;
		break;
	default: /* A64_LDST_PAIR_OFFSET */
		break;
	}
	d->flags = flags;
	d->size = (uint8_t)(1u << scale);
	d->rt = (uint8_t)field(insn, A64_LDST_RT_SHIFT, A64_LDST_REG_MASK);
	d->rt2 = (uint8_t)field(insn, A64_LDST_RT2_SHIFT, A64_LDST_REG_MASK);
	d->rn = (uint8_t)field(insn, A64_LDST_RN_SHIFT, A64_LDST_REG_MASK);
	d->rm = 0;
	d->extend = 0;
	d->shift = 0;
	d->imm =
		(int64_t)((uint64_t)sext(
				  field(insn, A64_LDST_IMM7_SHIFT, A64_LDST_IMM7_MASK), 7)
			  << scale);

	/* Unpredictable_LDPOVERLAP: no exception for XZR in the pseudocode. */
	if ((flags & A64_LDST_F_LOAD) && d->rt == d->rt2)
		return A64_LDST_UNPREDICTABLE;
	if ((flags & A64_LDST_F_WRITEBACK) && d->rn != SP &&
	    (d->rn == d->rt || d->rn == d->rt2))
		return A64_LDST_UNPREDICTABLE;
	return A64_LDST_OK;
}

static ALWAYS_INLINE enum a64_ldst_status decode(uint32_t insn, struct a64_ldst *d)
{
	uint32_t class = insn & A64_LDST_CLASS_MASK;

	if (class == A64_LDST_CLASS_REG)
		return decode_reg(insn, d);
	if (class == A64_LDST_CLASS_PAIR)
		return decode_pair(insn, d);
	return refused(insn);
}

enum a64_ldst_status a64_ldst_decode(uint32_t insn, struct a64_ldst *out)
{
	return decode(insn, out);
}

const char *a64_ldst_status_name(enum a64_ldst_status status)
{
	static const char *const names[A64_LDST_STATUS_COUNT] = {
		[A64_LDST_OK] = "ok",
		[A64_LDST_NOT_LDST] = "not-load-store",
		[A64_LDST_SIMD_FP] = "simd-fp",
		[A64_LDST_EXCLUSIVE_ORDERED] = "exclusive-ordered",
		[A64_LDST_ATOMIC] = "atomic",
		[A64_LDST_LITERAL] = "literal",
		[A64_LDST_PREFETCH] = "prefetch",
		[A64_LDST_UNSUPPORTED] = "unsupported",
		[A64_LDST_UNALLOCATED] = "unallocated",
		[A64_LDST_UNPREDICTABLE] = "unpredictable",
		[A64_LDST_UNALIGNED] = "unaligned",
		[A64_LDST_BUS_ERROR] = "bus-error",
	};

	if ((unsigned)status >= A64_LDST_STATUS_COUNT)
		return "invalid";
	return names[status];
}

/* ---- emulation ------------------------------------------------------------- */

static inline uint64_t reg_or_zr(const struct a64_ldst_cpu *cpu, unsigned r)
{
	return r == XZR ? 0 : cpu->x[r];
}

/* Rm as the register offset form uses it: extended, then shifted. UXTW
 * and SXTW take Wm; LSL (UXTX) and SXTX take all of Xm. */
static inline uint64_t reg_offset(const struct a64_ldst_cpu *cpu,
				  const struct a64_ldst *d)
{
	uint64_t m = reg_or_zr(cpu, d->rm);

	if (d->extend == A64_LDST_UXTW)
		m = (uint32_t)m;
	else if (d->extend == A64_LDST_SXTW)
		m = (uint64_t)(int64_t)(int32_t)(uint32_t)m;
	return m << d->shift;
}

/* An element as read from the bus (size bytes in the low bits, the rest
 * ignored), as the destination register gets it. The element is moved to
 * the top of the word and back, arithmetically when signed (GCC and Clang
 * define >> of a negative value as arithmetic). */
static inline uint64_t loaded(uint32_t flags, unsigned size, uint64_t v)
{
	unsigned drop = 64 - 8 * size;

	v <<= drop;
	v = (flags & A64_LDST_F_SIGN) ? (uint64_t)((int64_t)v >> drop) : v >> drop;
	return (flags & A64_LDST_F_WIDE) ? v : (uint32_t)v;
}

static inline void set_reg(struct a64_ldst_cpu *cpu, unsigned r, uint64_t v)
{
	if (r != XZR)
		cpu->x[r] = v;
}

/*
 * After decoding, the path below keeps few values alive across the bus
 * calls: the flags word, the size, the addresses and insn itself, from
 * which the register numbers are taken again (Rt [4:0], Rn [9:5] and Rt2
 * [14:10] in both accepted classes) rather than held.
 */
enum a64_ldst_status a64_ldst_emulate(uint32_t insn, struct a64_ldst_cpu *cpu,
				      const struct a64_ldst_bus *bus, void *ctx)
{
	struct a64_ldst d = {0}; /* all set by decode(); GCC cannot tell */
	enum a64_ldst_status st = decode(insn, &d);
	uint64_t base, addr, va, v0, v1 = 0;
	unsigned size, len, rn;
	uint32_t flags;

	if (st != A64_LDST_OK)
		return st;
	flags = d.flags;
	size = d.size;
	base = d.rn == SP ? cpu->sp : cpu->x[d.rn];
	addr = base +
	       ((flags & A64_LDST_F_REGOFF) ? reg_offset(cpu, &d) : (uint64_t)d.imm);
	va = (flags & A64_LDST_F_POST) ? base : addr;
	len = (flags & A64_LDST_F_PAIR) ? 2 * size : size;

	/* A pair's second element is aligned when its first is, and only a
	 * pair can run past 2^64. */
	if (va & (size - 1))
		return A64_LDST_UNALIGNED;
	if ((flags & A64_LDST_F_PAIR) && va + (len - 1) < va)
		return A64_LDST_BUS_ERROR;
	if (!bus->check(ctx, va, len, !(flags & A64_LDST_F_LOAD)))
		return A64_LDST_BUS_ERROR;

	if (flags & A64_LDST_F_LOAD) {
		if (!bus->read(ctx, va, size, &v0))
			return A64_LDST_BUS_ERROR;
		if ((flags & A64_LDST_F_PAIR) && !bus->read(ctx, va + size, size, &v1))
			return A64_LDST_BUS_ERROR;
		set_reg(cpu, field(insn, A64_LDST_RT_SHIFT, A64_LDST_REG_MASK),
			loaded(flags, size, v0));
		if (flags & A64_LDST_F_PAIR)
			set_reg(cpu, field(insn, A64_LDST_RT2_SHIFT, A64_LDST_REG_MASK),
				loaded(flags, size, v1));
	} else {
		uint64_t mask = ~(uint64_t)0 >> (64 - 8 * size);

		v0 = reg_or_zr(cpu, field(insn, A64_LDST_RT_SHIFT, A64_LDST_REG_MASK)) &
		     mask;
		if (!bus->write(ctx, va, size, v0))
			return A64_LDST_BUS_ERROR;
		if (flags & A64_LDST_F_PAIR) {
			v1 = reg_or_zr(
				cpu, field(insn, A64_LDST_RT2_SHIFT, A64_LDST_REG_MASK));
			if (!bus->write(ctx, va + size, size, v1 & mask))
				return A64_LDST_BUS_ERROR;
		}
	}
	/* Rn is neither Rt nor Rt2 here unless it is SP (decode refused the
	 * overlap), so the order of these writes does not matter. */
	if (flags & A64_LDST_F_WRITEBACK) {
		rn = field(insn, A64_LDST_RN_SHIFT, A64_LDST_REG_MASK);
		if (rn == SP)
			cpu->sp = addr;
		else
			cpu->x[rn] = addr;
	}
	return A64_LDST_OK;
}
