/*
 * Emulated GICv3 distributor and redistributors (Arm IHI 0069; section
 * numbers as in arch/gicv3.h, which holds the register map).
 *
 * What the guest sees is chosen so that Linux's irq-gic-v3 probes it
 * without quirks: GICD_PIDR2.ArchRev = 3, GICR_TYPER.Last on the last
 * redistributor, a GICR_WAKER that wakes at once, affinity routing only,
 * one Security state (DS = 1, so Group 0 and Group 1 are both the guest's).
 *
 * Every access is classified by offset before anything is indexed: an
 * access of a size the register does not take is refused (the hypervisor
 * injects an external abort, which is what GIC-500/600 do with their
 * SLVERR response), reserved space is RAZ/WI at any aligned size, and a
 * register's INTIDs are looked up through irq_at(), which answers NULL for
 * every INTID the model does not implement, so those bits are RAZ/WI.
 */
#include <string.h>

#include <hyp/vdev/vgic_model.h>
#include <arch/gicv3.h>
#include <arch/sysreg.h>

/* The emulated GIC's GICD_TYPER: INTIDs up to 1023 (10 bits), no 1 of N
 * routing (so GICD_IROUTER's Interrupt_Routing_Mode is RAZ/WI, as the spec
 * allows); every other feature bit 0: no ESPI, NMI, LPIs; a single
 * Security state; Aff3 always 0; SGI targets Aff0 0..15. */
#define VGIC_IDBITS 10u
#define VGIC_GICD_TYPER                                \
	((((VGIC_FIRST_SPI + VGIC_NR_SPIS) / 32u - 1u) \
	  << GICD_TYPER_ITLinesNumber_SHIFT) |         \
	 ((VGIC_IDBITS - 1u) << GICD_TYPER_IDbits_SHIFT) | GICD_TYPER_No1N)

/* GICD_IIDR and GICR_IIDR are IMPLEMENTATION DEFINED. As QEMU and KVM do
 * for their emulated GICs, the implementer is Arm's JEP106 code; the
 * ProductID is one no Arm GIC uses, so none of Linux's GIC erratum
 * workarounds (matched on IIDR) applies. Of the identification block only
 * PIDR2.ArchRev is architected (Linux checks it); the other ID registers
 * read as zero. */
#define JEP106_ARM 0x43bu
#define VGIC_PRODUCT_ID 0x56u /* 'V' */
#define VGIC_IIDR                                        \
	((VGIC_PRODUCT_ID << GIC_IIDR_ProductID_SHIFT) | \
	 (JEP106_ARM << GIC_IIDR_Implementer_SHIFT))

/* GICD_CTLR: ARE and DS are RAO/WI (affinity routing only, a single
 * Security state), E1NWF RAZ/WI, RWP 0 (every write takes effect at once).
 * GICR_CTLR is all zero: no LPIs (EnableLPIs RES0), no GICR_TYPER.DPGS
 * (DPG* RES0), and writes complete at once (RWP, UWP). */

/*
 * Priority bits implemented: 5, the upper bits of each field, the low 3
 * RAZ/WI (GICD_IPRIORITYR: at least bits [7:4] must exist, unimplemented
 * low bits RAZ/WI). 5 is the fewest virtual priority bits a virtual CPU
 * interface may have (ICH_VTR_EL2.PRIbits), so every priority the guest
 * can store here fits any list register unchanged and the order the model
 * chooses is the order the hardware will honour.
 */
#define VGIC_PRI_BITS 5u
#define VGIC_PRI_MASK ((uint8_t)(0xffu << (8u - VGIC_PRI_BITS)))

#define SGI_COUNT 16u
#define NR_INTIDS (VGIC_FIRST_SPI + VGIC_NR_SPIS)

/*
 * The distributor's view when resolving INTIDs: no vCPU, so INTIDs 0..31
 * resolve to nothing and the GICD registers for them are RAZ/WI, which is
 * what they are when affinity routing is enabled (their GICR copies hold
 * the state).
 */
#define DIST_VIEW VGIC_MAX_VCPUS

/* vCPU index = Aff0 = SGI target list bit (RS = 0), in a uint8_t that
 * VGIC_NO_VCPU does not collide with, and a bit of vgic_pending_mask(). */
_Static_assert(VGIC_MAX_VCPUS <= ICC_SGI1R_EL1_TARGETS_PER_RS,
	       "SGIs reach only the vCPUs of target list 0 (RSS = 0)");
_Static_assert(VGIC_MAX_VCPUS < VGIC_NO_VCPU, "vCPU indices fit a uint8_t");
_Static_assert(VGIC_MAX_VCPUS <= 32, "vgic_pending_mask() has 32 bits");

/* ---- helpers ------------------------------------------------------------ */

static bool vcpu_ok(const struct vgic *g, unsigned vcpu)
{
	return vcpu < g->nr_vcpus && vcpu < VGIC_MAX_VCPUS;
}

/* The state of intid as vcpu sees it, or NULL for an INTID the model does
 * not implement (or a private one without a valid vCPU). */
static struct vgic_irq *irq_at(struct vgic *g, unsigned vcpu, uint32_t intid)
{
	if (intid < VGIC_NR_PRIVATE)
		return vcpu_ok(g, vcpu) ? &g->vcpu[vcpu].private_irqs[intid] : NULL;
	if (intid - VGIC_FIRST_SPI < VGIC_NR_SPIS)
		return &g->spis[intid - VGIC_FIRST_SPI];
	return NULL;
}

/* Pending as the guest sees it: latched (edge, ISPENDR, SGI), held by the
 * line of a level-sensitive interrupt, or pending in a list register. */
static bool irq_pending(const struct vgic_irq *irq)
{
	return irq->pending_latch || irq->lr_pending || (!irq->config_edge && irq->level);
}

/* The word and bit of the ready sets that track intid for vcpu. */
static uint32_t *ready_word(struct vgic *g, unsigned vcpu, uint32_t intid, uint32_t *bit)
{
	if (intid < VGIC_NR_PRIVATE) {
		*bit = 1u << intid;
		return &g->vcpu[vcpu].ready;
	}
	intid -= VGIC_FIRST_SPI;
	*bit = 1u << (intid % 32);
	return &g->ready_spis[intid / 32];
}

/* Whether irq is one the distributor could forward, its group's enable
 * and an SPI's route aside: pending, enabled, not active and not in a
 * list register. */
static bool irq_ready(const struct vgic_irq *irq)
{
	return irq->enabled && !irq->active && !irq->in_lr && irq_pending(irq);
}

/* Called after every change to intid's pending, enable, active or
 * list-register state: its bit in the ready sets follows irq_ready().
 * True when the bit changed. */
static bool note_state(struct vgic *g, unsigned vcpu, uint32_t intid)
{
	struct vgic_irq *irq = irq_at(g, vcpu, intid);
	uint32_t bit, *word, old;

	if (!irq)
		return false;
	word = ready_word(g, vcpu, intid, &bit);
	old = *word;
	if (irq_ready(irq))
		*word = old | bit;
	else
		*word = old & ~bit;
	return *word != old;
}

static bool group_enabled(const struct vgic *g, const struct vgic_irq *irq)
{
	return g->ctlr & (irq->group ? GICD_CTLR_EnableGrp1 : GICD_CTLR_EnableGrp0);
}

/* The vCPU an IROUTER value names: Aff3.Aff2.Aff1 = 0 and Aff0 = index. An
 * affinity no vCPU has forwards the SPI nowhere. */
static uint8_t route_target(const struct vgic *g, uint64_t route)
{
	uint64_t aff0 = (route >> GICD_IROUTER_Aff0_SHIFT) & GIC_AFF_FIELD;

	if ((route & GICD_IROUTER_AFFINITY) != aff0 || aff0 >= g->nr_vcpus)
		return VGIC_NO_VCPU;
	return (uint8_t)aff0;
}

/* ---- access classification --------------------------------------------- */

enum width {
	W_RSVD,	 /* no register: RAZ/WI at any size */
	W_32,	 /* 32-bit accesses only */
	W_8_32,	 /* byte or 32-bit (IPRIORITYR) */
	W_32_64, /* 64-bit, or 32-bit to either half */
};

enum acc { ACC_REFUSE, ACC_RAZWI, ACC_REG };

typedef enum width (*width_fn)(uint32_t word_off);

static enum acc classify(uint32_t off, unsigned size, uint32_t limit, width_fn width)
{
	enum width w;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return ACC_REFUSE;
	if (off & (size - 1))
		return ACC_REFUSE;
	if (off >= limit || limit - off < size)
		return ACC_REFUSE;
	w = width(off & ~3u);
	switch (size) {
	case 8:
		if (w == W_32_64)
			return ACC_REG;
		/* Both halves must be reserved: a 64-bit access is never
		 * split onto a 32-bit register. */
		return w == W_RSVD && width(off + 4) == W_RSVD ? ACC_RAZWI : ACC_REFUSE;
	case 4:
		return w == W_RSVD ? ACC_RAZWI : ACC_REG;
	case 2:
		/* No GICD/GICR register we model takes halfword accesses. */
		return w == W_RSVD ? ACC_RAZWI : ACC_REFUSE;
	default:
		if (w == W_RSVD)
			return ACC_RAZWI;
		return w == W_8_32 ? ACC_REG : ACC_REFUSE;
	}
}

static bool in_range(uint32_t off, uint32_t base, uint32_t size)
{
	return off >= base && off - base < size;
}

static enum width dist_width(uint32_t w)
{
	if (w == GICD_CTLR || w == GICD_TYPER || w == GICD_IIDR)
		return W_32;
	/* IGROUPR, IS/ICENABLER, IS/ICPENDR, IS/ICACTIVER: contiguous. */
	if (in_range(w, GICD_IGROUPR, 7 * GIC_BITREG_FAMILY_SIZE))
		return W_32;
	if (in_range(w, GICD_IPRIORITYR, GICD_IPRIORITYR_SIZE))
		return W_8_32;
	if (in_range(w, GICD_ICFGR, GICD_ICFGR_SIZE) ||
	    in_range(w, GICD_IGRPMODR, GICD_IGRPMODR_SIZE) ||
	    in_range(w, GICD_NSACR, GICD_NSACR_SIZE))
		return W_32;
	if (in_range(w, GICD_IROUTER_FIRST, GICD_IROUTER_END - GICD_IROUTER_FIRST))
		return W_32_64;
	if (w >= GIC_IDREGS)
		return W_32;
	/*
	 * Everything else is reserved or RES0 for this GIC: TYPER2 and
	 * STATUSR (optional), SETSPI/CLRSPI (MBIS = 0), ITARGETSR, SGIR,
	 * CPENDSGIR and SPENDSGIR (RES0 with affinity routing), INMIR
	 * (NMI = 0), the extended SPI range (ESPI = 0).
	 */
	return W_RSVD;
}

static enum width redist_width(uint32_t w)
{
	if (w < GICR_SGI_BASE) {
		if (w == GICR_CTLR || w == GICR_IIDR || w == GICR_WAKER)
			return W_32;
		if (w == GICR_TYPER || w == GICR_TYPER + 4)
			return W_32_64;
		/* STATUSR is optional; the LPI, MPAM and virtual LPI registers
		 * are absent with PLPIS = VLPIS = DirectLPI = 0. */
		return w >= GIC_IDREGS ? W_32 : W_RSVD;
	}
	w -= GICR_SGI_BASE;
	switch (w) {
	case GICR_IGROUPR0:
	case GICR_ISENABLER0:
	case GICR_ICENABLER0:
	case GICR_ISPENDR0:
	case GICR_ICPENDR0:
	case GICR_ISACTIVER0:
	case GICR_ICACTIVER0:
	case GICR_ICFGR0:
	case GICR_ICFGR1:
	case GICR_IGRPMODR0:
	case GICR_NSACR:
		return W_32;
	default:
		break;
	}
	/* The extended PPI copies (GICR_*<n>E) are absent: PPInum = 0. */
	return in_range(w, GICR_IPRIORITYR, GICR_IPRIORITYR_SIZE) ? W_8_32 : W_RSVD;
}

/* ---- register families shared by GICD and the SGI_base frame ----------- */

enum irq_bit { BIT_GROUP, BIT_ENABLE, BIT_PENDING, BIT_ACTIVE };
enum bit_op { OP_ASSIGN, OP_SET, OP_CLEAR };

struct bit_reg {
	enum irq_bit bit;
	enum bit_op op;
};

/* Indexed by (offset - GICD_IGROUPR) / GIC_BITREG_FAMILY_SIZE. Reads of a
 * set register and of its clear register both return the state. */
static const struct bit_reg bit_regs[7] = {
	{BIT_GROUP, OP_ASSIGN},	 /* IGROUPR */
	{BIT_ENABLE, OP_SET},	 /* ISENABLER */
	{BIT_ENABLE, OP_CLEAR},	 /* ICENABLER */
	{BIT_PENDING, OP_SET},	 /* ISPENDR */
	{BIT_PENDING, OP_CLEAR}, /* ICPENDR */
	{BIT_ACTIVE, OP_SET},	 /* ISACTIVER */
	{BIT_ACTIVE, OP_CLEAR},	 /* ICACTIVER */
};

static uint32_t bit_get(const struct vgic_irq *irq, enum irq_bit bit)
{
	switch (bit) {
	case BIT_GROUP:
		return irq->group;
	case BIT_ENABLE:
		return irq->enabled;
	case BIT_PENDING:
		return irq_pending(irq);
	default:
		return irq->active;
	}
}

static void bit_put(struct vgic_irq *irq, const struct bit_reg *r, uint32_t one)
{
	uint8_t v;

	if (r->op == OP_ASSIGN)
		v = (uint8_t)one;
	else if (!one)
		return; /* writing 0 to a set/clear register has no effect */
	else
		v = r->op == OP_SET;

	switch (r->bit) {
	case BIT_GROUP:
		irq->group = v;
		break;
	case BIT_ENABLE:
		irq->enabled = v;
		break;
	case BIT_PENDING:
		/* Only the latch: a level-sensitive interrupt whose line is
		 * high stays pending after ICPENDR (12.9.11). */
		irq->pending_latch = v;
		break;
	default:
		irq->active = v;
		break;
	}
}

/* One bit-per-INTID register covering INTIDs first..first+31. */
static uint32_t bits_access(struct vgic *g, unsigned view, uint32_t first,
			    const struct bit_reg *r, bool write, uint32_t val)
{
	uint32_t out = 0;
	unsigned i;

	for (i = 0; i < 32; i++) {
		struct vgic_irq *irq = irq_at(g, view, first + i);

		if (!irq)
			continue;
		if (write) {
			bit_put(irq, r, (val >> i) & 1u);
			note_state(g, view, first + i);
		} else
			out |= bit_get(irq, r->bit) << i;
	}
	return out;
}

/* nbytes (1 or 4) priority fields from INTID first. */
static uint32_t prio_access(struct vgic *g, unsigned view, uint32_t first,
			    unsigned nbytes, bool write, uint32_t val)
{
	uint32_t out = 0;
	unsigned i;

	for (i = 0; i < nbytes; i++) {
		struct vgic_irq *irq = irq_at(g, view, first + i);

		if (!irq)
			continue;
		if (write)
			irq->priority = (uint8_t)(val >> (8 * i)) & VGIC_PRI_MASK;
		else
			out |= (uint32_t)irq->priority << (8 * i);
	}
	return out;
}

/* One ICFGR register covering INTIDs first..first+15. SGIs are always
 * edge-triggered (Int_config[1] RAO/WI, 12.11.7); PPIs and SPIs take
 * either configuration. */
static uint32_t cfg_access(struct vgic *g, unsigned view, uint32_t first, bool write,
			   uint32_t val)
{
	uint32_t out = 0;
	unsigned i;

	for (i = 0; i < 16; i++) {
		unsigned shift = 2 * i + GIC_ICFGR_Int_config_EDGE_BIT;
		struct vgic_irq *irq = irq_at(g, view, first + i);

		if (!irq)
			continue;
		if (!write)
			out |= (uint32_t)irq->config_edge << shift;
		else if (first + i >= SGI_COUNT) {
			irq->config_edge = (val >> shift) & 1u;
			note_state(g, view, first + i); /* a high line now counts */
		}
	}
	return out;
}

/* ---- distributor ---------------------------------------------------------- */

static void dist_irouter(struct vgic *g, uint32_t off, unsigned size, uint64_t *val,
			 bool write)
{
	struct vgic_irq *irq = irq_at(g, DIST_VIEW, (off - GICD_IROUTER) / 8);
	unsigned shift = (off & 4u) ? 32 : 0;
	uint64_t mask = size == 8 ? ~0ull : 0xffffffffull << shift;

	if (!irq)
		return; /* unimplemented SPI: RAZ/WI */
	if (!write) {
		*val = (irq->route & mask) >> shift;
		return;
	}
	irq->route = (irq->route & ~mask) | ((*val << shift) & mask);
	irq->route &= GICD_IROUTER_AFFINITY;
	irq->target_vcpu = route_target(g, irq->route);
}

static bool dist_access(struct vgic *g, uint32_t off, unsigned size, uint64_t *val,
			bool write)
{
	enum acc a = classify(off, size, VGIC_DIST_SIZE, dist_width);
	uint32_t v = (uint32_t)*val;

	if (a == ACC_REFUSE)
		return false;
	if (!write)
		*val = 0;
	if (a == ACC_RAZWI)
		return true;

	if (off == GICD_CTLR) {
		if (write)
			g->ctlr = v & (GICD_CTLR_EnableGrp0 | GICD_CTLR_EnableGrp1);
		else
			*val = g->ctlr | GICD_CTLR_ARE | GICD_CTLR_DS;
	} else if (off == GICD_TYPER) {
		if (!write)
			*val = VGIC_GICD_TYPER;
	} else if (off == GICD_IIDR) {
		if (!write)
			*val = VGIC_IIDR;
	} else if (off < GICD_IPRIORITYR) {
		uint32_t rel = off - GICD_IGROUPR;
		const struct bit_reg *r = &bit_regs[rel / GIC_BITREG_FAMILY_SIZE];
		uint32_t first = (rel % GIC_BITREG_FAMILY_SIZE) / 4 * 32;

		v = bits_access(g, DIST_VIEW, first, r, write, v);
		if (!write)
			*val = v;
	} else if (off < GICD_IPRIORITYR + GICD_IPRIORITYR_SIZE) {
		v = prio_access(g, DIST_VIEW, off - GICD_IPRIORITYR, size, write, v);
		if (!write)
			*val = v;
	} else if (in_range(off, GICD_ICFGR, GICD_ICFGR_SIZE)) {
		v = cfg_access(g, DIST_VIEW, (off - GICD_ICFGR) / 4 * 16, write, v);
		if (!write)
			*val = v;
	} else if (off >= GICD_IROUTER && off < GICD_IROUTER_END) {
		dist_irouter(g, off, size, val, write);
	} else if (off == GICD_PIDR2) {
		if (!write)
			*val = GIC_PIDR2_ArchRev_GICv3 << GIC_PIDR2_ArchRev_SHIFT;
	}
	/* Left: IGRPMODR and NSACR (RAZ/WI with DS = 1, 12.9.15, 12.9.31)
	 * and the IMPLEMENTATION DEFINED ID registers (read as zero). */
	return true;
}

bool vgic_dist_read(struct vgic *g, uint32_t off, unsigned size, uint64_t *val)
{
	uint64_t v = 0;
	bool ok;

	if (!val)
		return false;
	ok = dist_access(g, off, size, &v, false);
	*val = v;
	return ok;
}

static uint64_t low_bytes(uint64_t val, unsigned size)
{
	return size < 8 ? val & ((1ull << (8 * size)) - 1) : val;
}

bool vgic_dist_write(struct vgic *g, uint32_t off, unsigned size, uint64_t val)
{
	val = low_bytes(val, size);
	return dist_access(g, off, size, &val, true);
}

/* ---- redistributors ------------------------------------------------------- */

static uint64_t gicr_typer(const struct vgic *g, unsigned vcpu)
{
	uint64_t t = (uint64_t)vcpu << GICR_TYPER_Affinity_Value_SHIFT |
		     (uint64_t)vcpu << GICR_TYPER_Processor_Number_SHIFT;

	/* Linux walks the frames until it reads Last. */
	if (vcpu + 1 == g->nr_vcpus)
		t |= GICR_TYPER_Last;
	return t;
}

static void rd_access(struct vgic *g, unsigned vcpu, uint32_t off, unsigned size,
		      uint64_t *val, bool write)
{
	struct vgic_vcpu *c = &g->vcpu[vcpu];

	switch (off) {
	case GICR_IIDR:
		if (!write)
			*val = VGIC_IIDR;
		break;
	case GICR_TYPER:
	case GICR_TYPER + 4:
		if (!write) {
			uint64_t t = gicr_typer(g, vcpu);

			*val = size == 8 ? t
					 : (uint32_t)(t >> (off == GICR_TYPER ? 0 : 32));
		}
		break;
	case GICR_WAKER:
		/*
		 * The virtual PE has no interface to quiesce, so
		 * ChildrenAsleep follows ProcessorSleep at once: Linux's
		 * gic_enable_redist() writes ProcessorSleep and polls
		 * ChildrenAsleep until it matches. Bits 0 and 31 are
		 * IMPLEMENTATION DEFINED: RAZ/WI here. The bits are state
		 * only: delivery ignores them (vgic_next()).
		 */
		if (!write)
			*val = c->waker;
		else if (*val & GICR_WAKER_ProcessorSleep)
			c->waker = GICR_WAKER_ProcessorSleep | GICR_WAKER_ChildrenAsleep;
		else
			c->waker = 0;
		break;
	case GICR_PIDR2:
		if (!write)
			*val = GIC_PIDR2_ArchRev_GICv3 << GIC_PIDR2_ArchRev_SHIFT;
		break;
	default:
		/* GICR_CTLR: all zero (see GICR_CTLR_*); other ID registers:
		 * IMPLEMENTATION DEFINED, zero. */
		break;
	}
}

static void sgi_access(struct vgic *g, unsigned vcpu, uint32_t off, unsigned size,
		       uint64_t *val, bool write)
{
	uint32_t v = (uint32_t)*val;

	if (off < GICR_IPRIORITYR) {
		const struct bit_reg *r =
			&bit_regs[(off - GICR_IGROUPR0) / GIC_BITREG_FAMILY_SIZE];

		v = bits_access(g, vcpu, 0, r, write, v);
	} else if (off < GICR_IPRIORITYR + GICR_IPRIORITYR_SIZE) {
		v = prio_access(g, vcpu, off - GICR_IPRIORITYR, size, write, v);
	} else if (off == GICR_ICFGR0 || off == GICR_ICFGR1) {
		v = cfg_access(g, vcpu, (off - GICR_ICFGR0) / 4 * 16, write, v);
	} else {
		/* GICR_IGRPMODR0 and GICR_NSACR: RAZ/WI with DS = 1. */
		v = 0;
	}
	if (!write)
		*val = v;
}

static bool redist_access(struct vgic *g, uint32_t off, unsigned size, uint64_t *val,
			  bool write)
{
	unsigned vcpu = off / VGIC_REDIST_STRIDE;
	uint32_t fo = off % VGIC_REDIST_STRIDE;
	enum acc a;

	/* No redistributor frames past the last vCPU's. Aligned accesses
	 * never straddle two vCPUs' frames. */
	if (!vcpu_ok(g, vcpu))
		return false;
	a = classify(fo, size, VGIC_REDIST_STRIDE, redist_width);
	if (a == ACC_REFUSE)
		return false;
	if (!write)
		*val = 0;
	if (a == ACC_RAZWI)
		return true;
	if (fo < GICR_SGI_BASE)
		rd_access(g, vcpu, fo, size, val, write);
	else
		sgi_access(g, vcpu, fo - GICR_SGI_BASE, size, val, write);
	return true;
}

bool vgic_redist_read(struct vgic *g, uint32_t off, unsigned size, uint64_t *val)
{
	uint64_t v = 0;
	bool ok;

	if (!val)
		return false;
	ok = redist_access(g, off, size, &v, false);
	*val = v;
	return ok;
}

bool vgic_redist_write(struct vgic *g, uint32_t off, unsigned size, uint64_t val)
{
	val = low_bytes(val, size);
	return redist_access(g, off, size, &val, true);
}

/* ---- device side ---------------------------------------------------------- */

void vgic_init(struct vgic *g, unsigned nr_vcpus)
{
	unsigned v, i;

	memset(g, 0, sizeof(*g));
	if (nr_vcpus < 1)
		nr_vcpus = 1;
	if (nr_vcpus > VGIC_MAX_VCPUS)
		nr_vcpus = VGIC_MAX_VCPUS;
	g->nr_vcpus = nr_vcpus;
	/* Most reset values are architecturally UNKNOWN; the model picks
	 * zero (disabled, Group 0, level-sensitive, routed to vCPU 0). */
	for (v = 0; v < VGIC_MAX_VCPUS; v++) {
		g->vcpu[v].waker = GICR_WAKER_ProcessorSleep | GICR_WAKER_ChildrenAsleep;
		for (i = 0; i < SGI_COUNT; i++)
			g->vcpu[v].private_irqs[i].config_edge = 1;
	}
	for (i = 0; i < VGIC_NR_SPIS; i++)
		g->spis[i].target_vcpu = route_target(g, 0);
}

bool vgic_set_level(struct vgic *g, unsigned vcpu, uint32_t intid, bool level)
{
	struct vgic_irq *irq = irq_at(g, vcpu, intid);

	if (!irq)
		return false;
	if (irq->config_edge && level && !irq->level)
		irq->pending_latch = 1;
	irq->level = level;
	return note_state(g, vcpu, intid);
}

static void sgi_pend(struct vgic *g, unsigned vcpu, uint32_t intid)
{
	g->vcpu[vcpu].private_irqs[intid].pending_latch = 1;
	note_state(g, vcpu, intid);
}

/*
 * ICC_SGI1R_EL1 with GICD_CTLR.DS = 1 ('Forwarding an SGI to a target PE'):
 * the SGI becomes pending on each target whatever its group there (only
 * ICC_SGI0R_EL1 is limited to Group 0). No vCPU has a nonzero Aff1..Aff3 or
 * an Aff0 above 15, so a target list naming those (or RS != 0, which with
 * GICD_TYPER.RSS = 0 may be ignored) reaches nobody; targets that are not
 * vCPUs are ignored, as the spec requires.
 */
void vgic_send_sgi(struct vgic *g, unsigned from_vcpu, uint64_t sgi1r)
{
	uint32_t intid = (sgi1r >> ICC_SGI1R_EL1_INTID_SHIFT) & ICC_SGI1R_EL1_INTID_MASK;
	uint64_t aff321 = ((sgi1r >> ICC_SGI1R_EL1_Aff1_SHIFT) & GIC_AFF_FIELD) |
			  ((sgi1r >> ICC_SGI1R_EL1_Aff2_SHIFT) & GIC_AFF_FIELD) |
			  ((sgi1r >> ICC_SGI1R_EL1_Aff3_SHIFT) & GIC_AFF_FIELD);
	unsigned base, v, n;

	if (!vcpu_ok(g, from_vcpu))
		return;
	if (sgi1r & ICC_SGI1R_EL1_IRM) {
		/* All PEs but the sender; the affinity fields are RES0. */
		for (v = 0; v < g->nr_vcpus; v++) {
			if (v != from_vcpu)
				sgi_pend(g, v, intid);
		}
		return;
	}
	if (aff321)
		return;
	base = (unsigned)((sgi1r >> ICC_SGI1R_EL1_RS_SHIFT) & ICC_SGI1R_EL1_RS_MASK) *
	       ICC_SGI1R_EL1_TARGETS_PER_RS;
	for (n = 0; n < ICC_SGI1R_EL1_TARGETS_PER_RS; n++) {
		v = base + n;
		if (((sgi1r & ICC_SGI1R_EL1_TargetList_MASK) >> n & 1u) && vcpu_ok(g, v))
			sgi_pend(g, v, intid);
	}
}

/* ---- delivery ------------------------------------------------------------- */

/* Whether the distributor would forward irq (INTID intid) to vcpu now,
 * list registers aside. */
static bool forwardable(const struct vgic *g, const struct vgic_irq *irq, unsigned vcpu,
			uint32_t intid)
{
	if (intid >= VGIC_FIRST_SPI && irq->target_vcpu != vcpu)
		return false;
	return irq->enabled && !irq->active && !irq->in_lr && irq_pending(irq) &&
	       group_enabled(g, irq);
}

static bool listed(const uint32_t *set, unsigned n, uint32_t intid)
{
	unsigned i;

	for (i = 0; set && i < n; i++) {
		if (set[i] == intid)
			return true;
	}
	return false;
}

_Static_assert(VGIC_NR_PRIVATE == 32 && VGIC_FIRST_SPI == 32 && VGIC_NR_SPIS % 32 == 0,
	       "one ready word per 32 INTIDs, private ones first");

/* Visits the ready INTIDs of one word (INTIDs first..first + 31), keeping
 * the best so far in *pick / *found: highest priority first, then lowest
 * INTID, since the words are visited upwards and only a strictly better
 * priority replaces. */
static void best_in(struct vgic *g, unsigned vcpu, uint32_t bits, uint32_t first,
		    const uint32_t *in_lr, unsigned n_in_lr, const struct vgic_irq **pick,
		    uint32_t *found)
{
	while (bits) {
		uint32_t intid = first + (unsigned)__builtin_ctz(bits);
		const struct vgic_irq *irq = irq_at(g, vcpu, intid);

		bits &= bits - 1;
		/* The ready sets hold only INTIDs irq_ready() accepts; the
		 * group and the route are checked here, and the caller's
		 * list registers. */
		if (!forwardable(g, irq, vcpu, intid) || listed(in_lr, n_in_lr, intid))
			continue;
		if (!*pick || irq->priority < (*pick)->priority) {
			*pick = irq;
			*found = intid;
		}
	}
}

/* The ready sets are kept exact by note_state() at every change, so an
 * idle VM's search is four loads of zero (docs/PERFORMANCE.md,
 * "Instructions per 4 KiB request"). */
static uint32_t best(struct vgic *g, unsigned vcpu, const uint32_t *in_lr,
		     unsigned n_in_lr, uint8_t *priority, uint8_t *group)
{
	uint32_t found = VGIC_SPURIOUS;
	const struct vgic_irq *pick = NULL;
	unsigned w;

	if (g->vcpu[vcpu].ready)
		best_in(g, vcpu, g->vcpu[vcpu].ready, 0, in_lr, n_in_lr, &pick, &found);
	for (w = 0; w < VGIC_NR_SPIS / 32; w++) {
		if (g->ready_spis[w])
			best_in(g, vcpu, g->ready_spis[w], VGIC_FIRST_SPI + 32 * w, in_lr,
				n_in_lr, &pick, &found);
	}
	if (pick) {
		if (priority)
			*priority = pick->priority;
		if (group)
			*group = pick->group;
	}
	return found;
}

uint32_t vgic_next(struct vgic *g, unsigned vcpu, const uint32_t *in_lr, unsigned n_in_lr,
		   uint8_t *priority, uint8_t *group)
{
	/* GICR_WAKER.ProcessorSleep does not hold interrupts back: QEMU's
	 * GICv3 and KVM's vGIC deliver whatever it says, and guests that
	 * never clear it (it resets to 1) expect their interrupts. */
	if (!vcpu_ok(g, vcpu))
		return VGIC_SPURIOUS;
	return best(g, vcpu, in_lr, n_in_lr, priority, group);
}

bool vgic_deliver(struct vgic *g, unsigned vcpu, uint32_t intid)
{
	struct vgic_irq *irq = irq_at(g, vcpu, intid);

	if (!irq || !vcpu_ok(g, vcpu))
		return false;
	if (intid >= VGIC_FIRST_SPI && irq->target_vcpu != vcpu)
		return false;
	if (irq->in_lr || !irq_pending(irq))
		return false;
	irq->in_lr = 1;
	irq->lr_vcpu = (uint8_t)vcpu;
	irq->lr_pending = 1;
	/* The latched pending state now lives in the list register; what
	 * remains pending here is a level-sensitive line still high. */
	irq->pending_latch = 0;
	note_state(g, vcpu, intid); /* in a list register: no longer ready */
	return true;
}

void vgic_lr_update(struct vgic *g, unsigned vcpu, uint32_t intid, bool pending,
		    bool active)
{
	struct vgic_irq *irq = irq_at(g, vcpu, intid);

	if (!irq || !irq->in_lr || irq->lr_vcpu != vcpu)
		return;
	irq->active = active;
	irq->lr_pending = pending;
	if (!pending && !active)
		irq->in_lr = 0;
	note_state(g, vcpu, intid); /* a level line still high */
}

void vgic_lr_unload(struct vgic *g, unsigned vcpu, uint32_t intid, bool pending)
{
	struct vgic_irq *irq = irq_at(g, vcpu, intid);

	if (!irq || !irq->in_lr || irq->lr_vcpu != vcpu)
		return;
	irq->in_lr = 0;
	irq->lr_pending = 0;
	irq->active = 0;
	/* A level interrupt whose line is still high is pending by its line;
	 * anything else pending in the list register keeps a latch. */
	if (pending && (irq->config_edge || !irq->level))
		irq->pending_latch = 1;
	note_state(g, vcpu, intid);
}

uint32_t vgic_pending_mask(struct vgic *g)
{
	uint32_t mask = 0;
	unsigned v;

	for (v = 0; v < g->nr_vcpus && v < VGIC_MAX_VCPUS; v++) {
		if (best(g, v, NULL, 0, NULL, NULL) != VGIC_SPURIOUS)
			mask |= 1u << v;
	}
	return mask;
}
