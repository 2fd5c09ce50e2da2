/*
 * The emulated GICv3 must look to the guest like the GIC of Arm IHI 0069
 * with the choices hyp/vdev/vgic_model.c documents, and do what Linux's irq-gic-v3
 * does to it: probe (PIDR2, TYPER, GICR_TYPER walk to Last), wake each
 * redistributor (GICR_WAKER handshake), configure and enable interrupts,
 * then take them through list registers. The register offsets and fields
 * below are written out again from the spec rather than shared with the
 * model, so a wrong number in either shows up as a failure.
 */
#include <stdint.h>
#include <string.h>

#include <hyp/vdev/vgic_model.h>

#include "unit.h"

/* Distributor */
#define GICD_CTLR 0x0000u
#define GICD_TYPER 0x0004u
#define GICD_IIDR 0x0008u
#define GICD_TYPER2 0x000cu
#define GICD_STATUSR 0x0010u
#define GICD_IGROUPR(n) (0x0080u + 4u * (n))
#define GICD_ISENABLER(n) (0x0100u + 4u * (n))
#define GICD_ICENABLER(n) (0x0180u + 4u * (n))
#define GICD_ISPENDR(n) (0x0200u + 4u * (n))
#define GICD_ICPENDR(n) (0x0280u + 4u * (n))
#define GICD_ISACTIVER(n) (0x0300u + 4u * (n))
#define GICD_ICACTIVER(n) (0x0380u + 4u * (n))
#define GICD_IPRIORITYR(n) (0x0400u + 4u * (n))
#define GICD_ITARGETSR(n) (0x0800u + 4u * (n))
#define GICD_ICFGR(n) (0x0c00u + 4u * (n))
#define GICD_IGRPMODR(n) (0x0d00u + 4u * (n))
#define GICD_NSACR(n) (0x0e00u + 4u * (n))
#define GICD_SGIR 0x0f00u
#define GICD_IROUTER(n) (0x6000u + 8u * (n))
#define GICD_PIDR2 0xffe8u

#define GICD_CTLR_EnableGrp0 (1u << 0)
#define GICD_CTLR_EnableGrp1 (1u << 1)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_DS (1u << 6)
/* What Linux writes: GICD_CTLR_ARE_NS | ENABLE_G1A | ENABLE_G1 in its
 * Non-secure naming, which is ARE | EnableGrp1 | EnableGrp0 with DS = 1. */
#define LINUX_GICD_CTLR 0x13u

#define GICD_TYPER_ITLinesNumber(t) ((t)&0x1fu)
#define GICD_TYPER_CPUNumber(t) (((t) >> 5) & 0x7u)
#define GICD_TYPER_ESPI (1u << 8)
#define GICD_TYPER_SecurityExtn (1u << 10)
#define GICD_TYPER_MBIS (1u << 16)
#define GICD_TYPER_LPIS (1u << 17)
#define GICD_TYPER_DVIS (1u << 18)
#define GICD_TYPER_IDbits(t) (((t) >> 19) & 0x1fu)
#define GICD_TYPER_A3V (1u << 24)
#define GICD_TYPER_No1N (1u << 25)
#define GICD_TYPER_RSS (1u << 26)

#define GIC_IIDR_Implementer(v) ((v)&0xfffu)
#define GIC_PIDR2_ArchRev(v) (((v) >> 4) & 0xfu)

#define GICD_IROUTER_IRM (1ull << 31)

/* Redistributor */
#define STRIDE 0x20000u
#define SGI_BASE 0x10000u
#define GICR_CTLR 0x0000u
#define GICR_IIDR 0x0004u
#define GICR_TYPER 0x0008u
#define GICR_STATUSR 0x0010u
#define GICR_WAKER 0x0014u
#define GICR_PROPBASER 0x0070u
#define GICR_PIDR2 0xffe8u
#define GICR_IGROUPR0 (SGI_BASE + 0x0080u)
#define GICR_ISENABLER0 (SGI_BASE + 0x0100u)
#define GICR_ICENABLER0 (SGI_BASE + 0x0180u)
#define GICR_ISPENDR0 (SGI_BASE + 0x0200u)
#define GICR_ICPENDR0 (SGI_BASE + 0x0280u)
#define GICR_ISACTIVER0 (SGI_BASE + 0x0300u)
#define GICR_ICACTIVER0 (SGI_BASE + 0x0380u)
#define GICR_IPRIORITYR(n) (SGI_BASE + 0x0400u + 4u * (n))
#define GICR_ICFGR0 (SGI_BASE + 0x0c00u)
#define GICR_ICFGR1 (SGI_BASE + 0x0c04u)
#define GICR_IGRPMODR0 (SGI_BASE + 0x0d00u)
#define GICR_NSACR (SGI_BASE + 0x0e00u)

#define GICR_TYPER_PLPIS (1ull << 0)
#define GICR_TYPER_VLPIS (1ull << 1)
#define GICR_TYPER_Last (1ull << 4)
#define GICR_TYPER_Processor_Number(t) (((t) >> 8) & 0xffffu)
#define GICR_TYPER_Affinity_Value(t) ((t) >> 32)

#define GICR_WAKER_ProcessorSleep (1u << 1)
#define GICR_WAKER_ChildrenAsleep (1u << 2)

/* ICC_SGI1R_EL1 */
#define SGI1R_INTID(i) ((uint64_t)(i) << 24)
#define SGI1R_AFF1(a) ((uint64_t)(a) << 16)
#define SGI1R_IRM (1ull << 40)
#define SGI1R_RS(r) ((uint64_t)(r) << 44)

#define SPURIOUS 1023u
#define UART_SPI 33u
#define VTIMER_PPI 27u

static struct vgic g;

/* ---- access helpers ------------------------------------------------------- */

static uint64_t dr(uint32_t off, unsigned size)
{
	uint64_t v = 0x5a5a5a5a5a5a5a5aull;

	CHECK(vgic_dist_read(&g, off, size, &v));
	return v;
}

static void dw(uint32_t off, unsigned size, uint64_t v)
{
	CHECK(vgic_dist_write(&g, off, size, v));
}

static uint64_t rr(unsigned vcpu, uint32_t off, unsigned size)
{
	uint64_t v = 0x5a5a5a5a5a5a5a5aull;

	CHECK(vgic_redist_read(&g, vcpu * STRIDE + off, size, &v));
	return v;
}

static void rw(unsigned vcpu, uint32_t off, unsigned size, uint64_t v)
{
	CHECK(vgic_redist_write(&g, vcpu * STRIDE + off, size, v));
}

/* Linux's gic_enable_redist(true): clear ProcessorSleep, then poll until
 * ChildrenAsleep reads 0. Returns whether it woke within the budget. */
static int wake(unsigned vcpu)
{
	uint32_t val = (uint32_t)rr(vcpu, GICR_WAKER, 4);
	int count = 1000;

	rw(vcpu, GICR_WAKER, 4, val & ~GICR_WAKER_ProcessorSleep);
	while (--count) {
		val = (uint32_t)rr(vcpu, GICR_WAKER, 4);
		if (!(val & GICR_WAKER_ChildrenAsleep))
			break;
	}
	return count != 0;
}

static void fresh(unsigned nr)
{
	unsigned v;

	vgic_init(&g, nr);
	for (v = 0; v < nr; v++)
		wake(v);
}

/* Everything needed for intid to be delivered: enabled, Group 1, groups on. */
static void arm_irq(unsigned vcpu, uint32_t intid, uint8_t prio)
{
	dw(GICD_CTLR, 4, LINUX_GICD_CTLR);
	if (intid < 32) {
		rw(vcpu, GICR_IGROUPR0, 4, rr(vcpu, GICR_IGROUPR0, 4) | 1u << intid);
		rw(vcpu, GICR_IPRIORITYR(0) + intid, 1, prio);
		rw(vcpu, GICR_ISENABLER0, 4, 1u << intid);
	} else {
		dw(GICD_IGROUPR(intid / 32), 4,
		   dr(GICD_IGROUPR(intid / 32), 4) | 1u << intid % 32);
		dw(GICD_IPRIORITYR(0) + intid, 1, prio);
		dw(GICD_ISENABLER(intid / 32), 4, 1u << intid % 32);
	}
}

static uint32_t next(unsigned vcpu)
{
	return vgic_next(&g, vcpu, NULL, 0, NULL, NULL);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ---- identification and type registers ------------------------------------ */

static void test_reset_id_registers(void)
{
	uint32_t typer;
	unsigned n;

	vgic_init(&g, 4);
	CHECK_EQ(dr(GICD_CTLR, 4), GICD_CTLR_ARE | GICD_CTLR_DS);

	typer = (uint32_t)dr(GICD_TYPER, 4);
	CHECK_EQ(GICD_TYPER_ITLinesNumber(typer), 3);
	CHECK_EQ(32 * (GICD_TYPER_ITLinesNumber(typer) + 1), 128);
	CHECK_EQ(GICD_TYPER_IDbits(typer), 9);
	CHECK_EQ(GICD_TYPER_CPUNumber(typer), 0);
	CHECK(typer & GICD_TYPER_No1N);
	CHECK(!(typer &
		(GICD_TYPER_ESPI | GICD_TYPER_SecurityExtn | GICD_TYPER_MBIS |
		 GICD_TYPER_LPIS | GICD_TYPER_DVIS | GICD_TYPER_A3V | GICD_TYPER_RSS)));
	CHECK_EQ(typer, 0x02480003u);

	CHECK_EQ(GIC_IIDR_Implementer(dr(GICD_IIDR, 4)), 0x43b);
	CHECK_EQ(dr(GICD_IIDR, 4), 0x5600043bu);
	CHECK_EQ(GIC_PIDR2_ArchRev(dr(GICD_PIDR2, 4)), 3);
	CHECK_EQ(dr(GICD_TYPER2, 4), 0);
	CHECK_EQ(dr(GICD_STATUSR, 4), 0);

	for (n = 0; n < 4; n++) {
		CHECK_EQ(rr(n, GICR_CTLR, 4), 0);
		CHECK_EQ(rr(n, GICR_IIDR, 4), 0x5600043bu);
		CHECK_EQ(GIC_PIDR2_ArchRev(rr(n, GICR_PIDR2, 4)), 3);
		CHECK_EQ(rr(n, GICR_WAKER, 4),
			 GICR_WAKER_ProcessorSleep | GICR_WAKER_ChildrenAsleep);
		CHECK_EQ(rr(n, GICR_ICFGR0, 4), 0xaaaaaaaau);
		CHECK_EQ(rr(n, GICR_ICFGR1, 4), 0);
		CHECK_EQ(rr(n, GICR_IGROUPR0, 4), 0);
		CHECK_EQ(rr(n, GICR_ISENABLER0, 4), 0);
		CHECK_EQ(rr(n, GICR_ISPENDR0, 4), 0);
		CHECK_EQ(rr(n, GICR_ISACTIVER0, 4), 0);
	}
	for (n = 1; n < 4; n++) {
		CHECK_EQ(dr(GICD_IGROUPR(n), 4), 0);
		CHECK_EQ(dr(GICD_ISENABLER(n), 4), 0);
		CHECK_EQ(dr(GICD_ICFGR(2 * n), 4), 0);
	}
	for (n = 32; n < 128; n++)
		CHECK_EQ(dr(GICD_IROUTER(n), 8), 0);
}

static void test_gicr_typer(void)
{
	unsigned nr, v;

	for (nr = 1; nr <= VGIC_MAX_VCPUS; nr++) {
		uint32_t ptr = 0;
		unsigned walked = 0;
		uint64_t t, x;

		vgic_init(&g, nr);
		for (v = 0; v < nr; v++) {
			t = rr(v, GICR_TYPER, 8);
			CHECK_EQ(GICR_TYPER_Affinity_Value(t), v);
			CHECK_EQ(GICR_TYPER_Processor_Number(t), v);
			CHECK_EQ(!!(t & GICR_TYPER_Last), v == nr - 1);
			CHECK(!(t & (GICR_TYPER_PLPIS | GICR_TYPER_VLPIS)));
			/* The two 32-bit halves read the same value. */
			x = rr(v, GICR_TYPER, 4) | rr(v, GICR_TYPER + 4, 4) << 32;
			CHECK_EQ(x, t);
			/* Read-only. */
			rw(v, GICR_TYPER, 8, ~0ull);
			CHECK_EQ(rr(v, GICR_TYPER, 8), t);
		}
		/* Linux's gic_iterate_rdists(): PIDR2, then TYPER, then 128 KiB
		 * further until Last. */
		for (;;) {
			uint64_t p2 = 0;

			CHECK(vgic_redist_read(&g, ptr + GICR_PIDR2, 4, &p2));
			if (GIC_PIDR2_ArchRev(p2) != 3)
				break;
			CHECK(vgic_redist_read(&g, ptr + GICR_TYPER, 8, &t));
			walked++;
			if ((t & GICR_TYPER_Last) || walked > VGIC_MAX_VCPUS)
				break;
			ptr += STRIDE;
		}
		CHECK_EQ(walked, nr);
		/* No frames after the last one. */
		CHECK(!vgic_redist_read(&g, nr * STRIDE + GICR_TYPER, 8, &t));
		CHECK(!vgic_redist_write(&g, nr * STRIDE + GICR_WAKER, 4, 0));
	}
}

static void test_waker_handshake(void)
{
	uint32_t val;
	int count;

	vgic_init(&g, 2);
	dw(GICD_CTLR, 4, LINUX_GICD_CTLR);
	rw(0, GICR_IGROUPR0, 4, ~0u);
	rw(0, GICR_ISENABLER0, 4, 1u << VTIMER_PPI);
	vgic_set_level(&g, 0, VTIMER_PPI, true);
	/* Asleep (the reset value): delivered all the same, as QEMU's GICv3
	 * and KVM do. */
	CHECK_EQ(next(0), VTIMER_PPI);
	CHECK_EQ(vgic_pending_mask(&g), 1);

	CHECK(wake(0));
	CHECK_EQ(rr(0, GICR_WAKER, 4), 0);
	CHECK_EQ(rr(1, GICR_WAKER, 4),
		 GICR_WAKER_ProcessorSleep | GICR_WAKER_ChildrenAsleep);
	CHECK_EQ(next(0), VTIMER_PPI);

	/* gic_enable_redist(false): set ProcessorSleep, check it stuck, wait
	 * for ChildrenAsleep. */
	val = (uint32_t)rr(0, GICR_WAKER, 4);
	rw(0, GICR_WAKER, 4, val | GICR_WAKER_ProcessorSleep);
	val = (uint32_t)rr(0, GICR_WAKER, 4);
	CHECK(val & GICR_WAKER_ProcessorSleep);
	for (count = 1000; --count;) {
		if (rr(0, GICR_WAKER, 4) & GICR_WAKER_ChildrenAsleep)
			break;
	}
	CHECK(count != 0);
	CHECK_EQ(next(0), VTIMER_PPI);

	/* ChildrenAsleep is read-only; the IMPLEMENTATION DEFINED bits are
	 * RAZ/WI here. */
	rw(0, GICR_WAKER, 4, GICR_WAKER_ChildrenAsleep | 1u | 1u << 31);
	CHECK_EQ(rr(0, GICR_WAKER, 4), 0);
	CHECK_EQ(next(0), VTIMER_PPI);
}

/* A guest that never touches GICR_WAKER: SGIs, PPIs and SPIs all reach
 * it with ProcessorSleep still at its reset value. */
static void test_asleep_still_delivers(void)
{
	vgic_init(&g, 2);
	arm_irq(1, 3, 0x80);
	arm_irq(1, VTIMER_PPI, 0x80);
	arm_irq(1, UART_SPI, 0x80);
	dw(GICD_IROUTER(UART_SPI), 8, 1); /* Aff0 = 1: vCPU 1 */
	CHECK_EQ(rr(1, GICR_WAKER, 4),
		 GICR_WAKER_ProcessorSleep | GICR_WAKER_ChildrenAsleep);

	vgic_send_sgi(&g, 0, SGI1R_INTID(3) | 0x2); /* TargetList {1} */
	CHECK_EQ(vgic_pending_mask(&g), 1u << 1);
	CHECK_EQ(next(1), 3);
	CHECK(vgic_deliver(&g, 1, 3));
	vgic_set_level(&g, 1, VTIMER_PPI, true);
	CHECK_EQ(next(1), VTIMER_PPI);
	CHECK(vgic_deliver(&g, 1, VTIMER_PPI));
	vgic_set_level(&g, 1, VTIMER_PPI, false);
	vgic_set_level(&g, 0, UART_SPI, true);
	CHECK_EQ(next(1), UART_SPI);
	CHECK_EQ(rr(1, GICR_WAKER, 4),
		 GICR_WAKER_ProcessorSleep | GICR_WAKER_ChildrenAsleep);
}

/* What hyp/vdev/vgic.c does with a timer PPI: the physical interrupt fires
 * (level up), goes into a list register as a pulse (level down), and when
 * the timer's line falls before the guest took it, the list register is
 * emptied and the model must not pend it again; before it reached a list
 * register, lowering the level is enough. */
static void test_timer_level_follows_line(void)
{
	fresh(1);
	arm_irq(0, VTIMER_PPI, 0x80);

	vgic_set_level(&g, 0, VTIMER_PPI, true);
	CHECK_EQ(next(0), VTIMER_PPI);
	CHECK(vgic_deliver(&g, 0, VTIMER_PPI));
	vgic_set_level(&g, 0, VTIMER_PPI, false);
	vgic_lr_update(&g, 0, VTIMER_PPI, false, false); /* taken back */
	CHECK_EQ(next(0), SPURIOUS);
	CHECK_EQ(rr(0, GICR_ISPENDR0, 4) & 1u << VTIMER_PPI, 0);

	/* Fired, waiting for a list register, line falls. */
	vgic_set_level(&g, 0, VTIMER_PPI, true);
	CHECK_EQ(rr(0, GICR_ISPENDR0, 4) & 1u << VTIMER_PPI, 1u << VTIMER_PPI);
	vgic_set_level(&g, 0, VTIMER_PPI, false);
	CHECK_EQ(next(0), SPURIOUS);
	CHECK_EQ(vgic_pending_mask(&g), 0);

	/* Fires again: delivered as usual. */
	vgic_set_level(&g, 0, VTIMER_PPI, true);
	CHECK_EQ(next(0), VTIMER_PPI);
}

/* ---- distributor control ---------------------------------------------------- */

static void test_gicd_ctlr(void)
{
	vgic_init(&g, 1);
	dw(GICD_CTLR, 4, LINUX_GICD_CTLR);
	CHECK_EQ(dr(GICD_CTLR, 4), GICD_CTLR_DS | GICD_CTLR_ARE | 0x3u);
	/* RWP, E1NWF and the RES0 bits never read as 1; ARE and DS stay. */
	dw(GICD_CTLR, 4, 0xffffffffu);
	CHECK_EQ(dr(GICD_CTLR, 4), GICD_CTLR_DS | GICD_CTLR_ARE | 0x3u);
	dw(GICD_CTLR, 4, 0);
	CHECK_EQ(dr(GICD_CTLR, 4), GICD_CTLR_DS | GICD_CTLR_ARE);
	dw(GICD_CTLR, 4, GICD_CTLR_EnableGrp0);
	CHECK_EQ(dr(GICD_CTLR, 4), GICD_CTLR_DS | GICD_CTLR_ARE | GICD_CTLR_EnableGrp0);
	/* Only 32-bit accesses. */
	CHECK(!vgic_dist_write(&g, GICD_CTLR, 1, 0));
	CHECK(!vgic_dist_write(&g, GICD_CTLR, 8, 0));
	CHECK_EQ(dr(GICD_CTLR, 4), GICD_CTLR_DS | GICD_CTLR_ARE | GICD_CTLR_EnableGrp0);
	/* Read-only registers ignore writes. */
	dw(GICD_TYPER, 4, 0);
	dw(GICD_IIDR, 4, 0);
	dw(GICD_PIDR2, 4, 0);
	CHECK_EQ(dr(GICD_TYPER, 4), 0x02480003u);
	CHECK_EQ(dr(GICD_IIDR, 4), 0x5600043bu);
	CHECK_EQ(GIC_PIDR2_ArchRev(dr(GICD_PIDR2, 4)), 3);
}

/* ---- set/clear register pairs ------------------------------------------------ */

struct pair {
	uint32_t set, clr;
};

/* Random set/clear writes against a shadow, bit-exact, for one register
 * pair of 32 INTIDs; implemented is the mask of bits that exist. */
static void check_pair(bool redist, unsigned vcpu, struct pair p, uint32_t implemented)
{
	uint32_t shadow = 0;
	int i;

	for (i = 0; i < 200; i++) {
		uint32_t m = (uint32_t)rnd();
		bool set = rnd() & 1;
		uint32_t off = set ? p.set : p.clr;

		if (!(i % 17))
			m = 0; /* writes of 0 change nothing */
		if (redist)
			rw(vcpu, off, 4, m);
		else
			dw(off, 4, m);
		shadow = set ? shadow | (m & implemented) : shadow & ~m;
		if (redist) {
			CHECK_EQ(rr(vcpu, p.set, 4), shadow);
			CHECK_EQ(rr(vcpu, p.clr, 4), shadow);
		} else {
			CHECK_EQ(dr(p.set, 4), shadow);
			CHECK_EQ(dr(p.clr, 4), shadow);
		}
	}
}

static void test_set_clear_pairs(void)
{
	static const struct pair dist[3][4] = {
		{{GICD_ISENABLER(0), GICD_ICENABLER(0)},
		 {GICD_ISENABLER(1), GICD_ICENABLER(1)},
		 {GICD_ISENABLER(3), GICD_ICENABLER(3)},
		 {GICD_ISENABLER(4), GICD_ICENABLER(4)}},
		{{GICD_ISPENDR(0), GICD_ICPENDR(0)},
		 {GICD_ISPENDR(1), GICD_ICPENDR(1)},
		 {GICD_ISPENDR(3), GICD_ICPENDR(3)},
		 {GICD_ISPENDR(4), GICD_ICPENDR(4)}},
		{{GICD_ISACTIVER(0), GICD_ICACTIVER(0)},
		 {GICD_ISACTIVER(1), GICD_ICACTIVER(1)},
		 {GICD_ISACTIVER(3), GICD_ICACTIVER(3)},
		 {GICD_ISACTIVER(31), GICD_ICACTIVER(31)}},
	};
	static const struct pair redist[3] = {
		{GICR_ISENABLER0, GICR_ICENABLER0},
		{GICR_ISPENDR0, GICR_ICPENDR0},
		{GICR_ISACTIVER0, GICR_ICACTIVER0},
	};
	unsigned k;

	vgic_init(&g, 3);
	for (k = 0; k < 3; k++) {
		/* INTIDs 0..31 live in the redistributors: RAZ/WI in the GICD
		 * with affinity routing; INTIDs past 127 do not exist. */
		check_pair(false, 0, dist[k][0], 0);
		check_pair(false, 0, dist[k][1], ~0u);
		check_pair(false, 0, dist[k][2], ~0u);
		check_pair(false, 0, dist[k][3], 0);
		check_pair(true, 1, redist[k], ~0u);
		/* The other redistributors' copies are untouched. */
		CHECK_EQ(rr(0, redist[k].set, 4), 0);
		CHECK_EQ(rr(2, redist[k].set, 4), 0);
	}

	/* Only 32-bit accesses to these registers. */
	CHECK(!vgic_dist_write(&g, GICD_ISENABLER(1), 1, 0xff));
	CHECK(!vgic_dist_write(&g, GICD_ISENABLER(1) + 2, 2, 0xffff));
	CHECK(!vgic_dist_write(&g, GICD_ISENABLER(2), 8, ~0ull));
	CHECK(!vgic_redist_write(&g, GICR_ICPENDR0, 1, 0xff));

	/* Writes of 0 to a clear register leave everything set. */
	vgic_init(&g, 1);
	dw(GICD_ISENABLER(2), 4, 0x80000001u);
	dw(GICD_ICENABLER(2), 4, 0);
	CHECK_EQ(dr(GICD_ISENABLER(2), 4), 0x80000001u);
	dw(GICD_ICENABLER(2), 4, 0x80000000u);
	CHECK_EQ(dr(GICD_ISENABLER(2), 4), 1);
}

static void test_group_registers(void)
{
	vgic_init(&g, 2);
	dw(GICD_IGROUPR(1), 4, 0xdeadbeefu);
	CHECK_EQ(dr(GICD_IGROUPR(1), 4), 0xdeadbeefu);
	dw(GICD_IGROUPR(1), 4, 0);
	CHECK_EQ(dr(GICD_IGROUPR(1), 4), 0);
	dw(GICD_IGROUPR(0), 4, ~0u);
	CHECK_EQ(dr(GICD_IGROUPR(0), 4), 0);
	dw(GICD_IGROUPR(4), 4, ~0u);
	CHECK_EQ(dr(GICD_IGROUPR(4), 4), 0);
	rw(1, GICR_IGROUPR0, 4, 0x12345678u);
	CHECK_EQ(rr(1, GICR_IGROUPR0, 4), 0x12345678u);
	CHECK_EQ(rr(0, GICR_IGROUPR0, 4), 0);

	/* DS = 1: the group modifier and NS access registers are RAZ/WI. */
	dw(GICD_IGRPMODR(1), 4, ~0u);
	CHECK_EQ(dr(GICD_IGRPMODR(1), 4), 0);
	dw(GICD_NSACR(2), 4, ~0u);
	CHECK_EQ(dr(GICD_NSACR(2), 4), 0);
	rw(0, GICR_IGRPMODR0, 4, ~0u);
	CHECK_EQ(rr(0, GICR_IGRPMODR0, 4), 0);
	rw(0, GICR_NSACR, 4, ~0u);
	CHECK_EQ(rr(0, GICR_NSACR, 4), 0);
	/* GICv2-style registers are RES0 with affinity routing. */
	dw(GICD_ITARGETSR(8), 4, ~0u);
	CHECK_EQ(dr(GICD_ITARGETSR(8), 4), 0);
	CHECK_EQ(dr(GICD_ITARGETSR(8) + 1, 1), 0);
	dw(GICD_SGIR, 4, 0x00010001u);
	CHECK_EQ(rr(0, GICR_ISPENDR0, 4), 0);
}

static void test_priorities(void)
{
	unsigned i;

	vgic_init(&g, 2);
	/* Byte writes, word read; the low 3 bits are not implemented. */
	for (i = 0; i < 4; i++)
		dw(GICD_IPRIORITYR(10) + i, 1, 0x11 * (i + 1) + 0xa0);
	CHECK_EQ(dr(GICD_IPRIORITYR(10), 4), 0xe0d0c0b0u);
	/* Word write, byte reads. */
	dw(GICD_IPRIORITYR(11), 4, 0xa0a0a0a0u);
	for (i = 0; i < 4; i++)
		CHECK_EQ(dr(GICD_IPRIORITYR(11) + i, 1), 0xa0);
	dw(GICD_IPRIORITYR(12), 4, 0xffffffffu);
	CHECK_EQ(dr(GICD_IPRIORITYR(12), 4), 0xf8f8f8f8u);
	CHECK_EQ(dr(GICD_IPRIORITYR(12) + 3, 1), 0xf8);
	/* Neighbours untouched. */
	CHECK_EQ(dr(GICD_IPRIORITYR(13), 4), 0);
	/* INTIDs 0..31 RAZ/WI in the GICD, past 127 RAZ/WI. */
	dw(GICD_IPRIORITYR(0), 4, ~0u);
	dw(GICD_IPRIORITYR(7) + 3, 1, 0xff);
	CHECK_EQ(dr(GICD_IPRIORITYR(0), 4), 0);
	CHECK_EQ(dr(GICD_IPRIORITYR(7) + 3, 1), 0);
	dw(GICD_IPRIORITYR(32), 4, ~0u);
	CHECK_EQ(dr(GICD_IPRIORITYR(32), 4), 0);
	dw(GICD_IPRIORITYR(254) + 3, 1, 0xff);
	CHECK_EQ(dr(GICD_IPRIORITYR(254) + 3, 1), 0);

	/* Redistributor copies: per vCPU, byte and word. */
	rw(1, GICR_IPRIORITYR(6) + 3, 1, 0x80); /* INTID 27 */
	CHECK_EQ(rr(1, GICR_IPRIORITYR(6), 4), 0x80000000u);
	CHECK_EQ(rr(0, GICR_IPRIORITYR(6), 4), 0);
	rw(1, GICR_IPRIORITYR(7), 4, 0x10203040u);
	CHECK_EQ(rr(1, GICR_IPRIORITYR(7) + 1, 1), 0x30);
	CHECK_EQ(rr(1, GICR_IPRIORITYR(7), 4), 0x10203040u);
	CHECK_EQ(rr(1, GICR_IPRIORITYR(7) + 4, 4), 0); /* past IPRIORITYR7 */

	/* No halfword or doubleword accesses. */
	CHECK(!vgic_dist_write(&g, GICD_IPRIORITYR(10), 2, 0));
	CHECK(!vgic_dist_write(&g, GICD_IPRIORITYR(10), 8, 0));
	CHECK(!vgic_redist_write(&g, GICR_IPRIORITYR(0), 2, 0));
	CHECK_EQ(dr(GICD_IPRIORITYR(10), 4), 0xe0d0c0b0u);
}

static void test_icfgr(void)
{
	vgic_init(&g, 2);
	wake(0);
	/* SPIs: Int_config[1] of each field, [0] RES0. */
	dw(GICD_ICFGR(2), 4, 0xffffffffu);
	CHECK_EQ(dr(GICD_ICFGR(2), 4), 0xaaaaaaaau);
	dw(GICD_ICFGR(3), 4, 0x00000008u); /* INTID 49 edge */
	CHECK_EQ(dr(GICD_ICFGR(3), 4), 0x00000008u);
	dw(GICD_ICFGR(2), 4, 0);
	CHECK_EQ(dr(GICD_ICFGR(2), 4), 0);
	/* INTIDs 0..31 RAZ/WI in the GICD, past 127 RAZ/WI. */
	dw(GICD_ICFGR(0), 4, ~0u);
	dw(GICD_ICFGR(1), 4, ~0u);
	dw(GICD_ICFGR(8), 4, ~0u);
	CHECK_EQ(dr(GICD_ICFGR(0), 4), 0);
	CHECK_EQ(dr(GICD_ICFGR(1), 4), 0);
	CHECK_EQ(dr(GICD_ICFGR(8), 4), 0);
	/* SGIs are edge, read-only; PPIs programmable, per vCPU. */
	rw(0, GICR_ICFGR0, 4, 0);
	CHECK_EQ(rr(0, GICR_ICFGR0, 4), 0xaaaaaaaau);
	rw(0, GICR_ICFGR1, 4, ~0u);
	CHECK_EQ(rr(0, GICR_ICFGR1, 4), 0xaaaaaaaau);
	CHECK_EQ(rr(1, GICR_ICFGR1, 4), 0);
	rw(0, GICR_ICFGR1, 4, 0);
	CHECK_EQ(rr(0, GICR_ICFGR1, 4), 0);

	/* The configuration decides pending: edge latches on 0->1, level
	 * follows the line. */
	arm_irq(0, 49, 0x80);
	vgic_set_level(&g, 0, 49, true);
	CHECK(dr(GICD_ISPENDR(1), 4) & 1u << 17);
	vgic_set_level(&g, 0, 49, false);
	CHECK(dr(GICD_ISPENDR(1), 4) & 1u << 17); /* latched */
	dw(GICD_ICPENDR(1), 4, 1u << 17);
	CHECK(!(dr(GICD_ISPENDR(1), 4) & 1u << 17));
	dw(GICD_ICFGR(3), 4, 0); /* level */
	vgic_set_level(&g, 0, 49, true);
	CHECK(dr(GICD_ISPENDR(1), 4) & 1u << 17);
	vgic_set_level(&g, 0, 49, false);
	CHECK(!(dr(GICD_ISPENDR(1), 4) & 1u << 17));
}

/* ---- delivery ---------------------------------------------------------------- */

static void test_group_enable_gating(void)
{
	uint8_t prio = 0, grp = 9;

	fresh(1);
	arm_irq(0, 40, 0x80);
	vgic_set_level(&g, 0, 40, true);
	CHECK_EQ(vgic_next(&g, 0, NULL, 0, &prio, &grp), 40);
	CHECK_EQ(prio, 0x80);
	CHECK_EQ(grp, 1);
	/* Group 1 off: nothing, and no kick. */
	dw(GICD_CTLR, 4, GICD_CTLR_EnableGrp0);
	CHECK_EQ(next(0), SPURIOUS);
	CHECK_EQ(vgic_pending_mask(&g), 0);
	/* Moved to Group 0, which is on. */
	dw(GICD_IGROUPR(1), 4, 0);
	CHECK_EQ(vgic_next(&g, 0, NULL, 0, &prio, &grp), 40);
	CHECK_EQ(grp, 0);
	dw(GICD_CTLR, 4, GICD_CTLR_EnableGrp1);
	CHECK_EQ(next(0), SPURIOUS);
	/* Disabled interrupt: nothing even with both groups on. */
	dw(GICD_CTLR, 4, LINUX_GICD_CTLR);
	dw(GICD_ICENABLER(1), 4, 1u << 8);
	CHECK_EQ(next(0), SPURIOUS);
	dw(GICD_ISENABLER(1), 4, 1u << 8);
	CHECK_EQ(next(0), 40);
	/* Active: not signalled again until deactivated. */
	dw(GICD_ISACTIVER(1), 4, 1u << 8);
	CHECK_EQ(next(0), SPURIOUS);
	dw(GICD_ICACTIVER(1), 4, 1u << 8);
	CHECK_EQ(next(0), 40);
}

static void test_irouter(void)
{
	fresh(4);
	arm_irq(0, 40, 0x80);
	vgic_set_level(&g, 0, 40, true);
	CHECK_EQ(next(0), 40);

	/* 64-bit write: Aff0 = 2. */
	dw(GICD_IROUTER(40), 8, 2);
	CHECK_EQ(dr(GICD_IROUTER(40), 8), 2);
	CHECK_EQ(next(0), SPURIOUS);
	CHECK_EQ(next(2), 40);
	CHECK_EQ(vgic_pending_mask(&g), 1u << 2);
	CHECK(!vgic_deliver(&g, 0, 40));

	/* 32-bit halves. */
	dw(GICD_IROUTER(40), 4, 3);
	dw(GICD_IROUTER(40) + 4, 4, 0);
	CHECK_EQ(dr(GICD_IROUTER(40), 4), 3);
	CHECK_EQ(dr(GICD_IROUTER(40) + 4, 4), 0);
	CHECK_EQ(next(3), 40);

	/* Interrupt_Routing_Mode (1 of N) and RES0 bits are RAZ/WI. */
	dw(GICD_IROUTER(40), 8, GICD_IROUTER_IRM | 0xffffff0000000001ull | 0x7f000000ull);
	CHECK_EQ(dr(GICD_IROUTER(40), 8), 1);
	CHECK_EQ(next(1), 40);

	/* An affinity no vCPU has: forwarded nowhere. */
	dw(GICD_IROUTER(40), 8, 0x100); /* Aff1 = 1 */
	CHECK_EQ(dr(GICD_IROUTER(40), 8), 0x100);
	CHECK_EQ(vgic_pending_mask(&g), 0);
	dw(GICD_IROUTER(40), 8, 4); /* Aff0 = 4, only 4 vCPUs */
	CHECK_EQ(vgic_pending_mask(&g), 0);
	CHECK_EQ(g.spis[40 - VGIC_FIRST_SPI].target_vcpu, VGIC_NO_VCPU);
	dw(GICD_IROUTER(40) + 4, 4, 1); /* Aff3 = 1 */
	CHECK_EQ(dr(GICD_IROUTER(40), 8), 0x100000004ull);
	CHECK_EQ(vgic_pending_mask(&g), 0);
	dw(GICD_IROUTER(40), 8, 0);
	CHECK_EQ(vgic_pending_mask(&g), 1);

	/* IROUTER<n> for n < 32 is reserved, and past 127 unimplemented. */
	dw(GICD_IROUTER(31), 8, 1);
	CHECK_EQ(dr(GICD_IROUTER(31), 8), 0);
	dw(GICD_IROUTER(128), 8, 1);
	CHECK_EQ(dr(GICD_IROUTER(128), 8), 0);
	dw(GICD_IROUTER(1019), 4, 1);
	CHECK_EQ(dr(GICD_IROUTER(1019), 8), 0);
}

static void test_next_priority_order(void)
{
	uint8_t prio = 0;

	fresh(2);
	arm_irq(0, 5, 0xa0);   /* SGI */
	arm_irq(0, 27, 0x90);  /* PPI */
	arm_irq(0, 100, 0x90); /* SPI, same priority as the PPI */
	arm_irq(0, 60, 0xb0);
	arm_irq(1, 5, 0x10); /* vCPU 1's copy of SGI 5: not vCPU 0's */
	vgic_set_level(&g, 0, 100, true);
	vgic_set_level(&g, 0, 60, true);
	vgic_set_level(&g, 0, 27, true);
	rw(0, GICR_ISPENDR0, 4, 1u << 5);
	rw(1, GICR_ISPENDR0, 4, 1u << 5);

	CHECK_EQ(vgic_next(&g, 0, NULL, 0, &prio, NULL), 27); /* lowest INTID of 0x90 */
	CHECK_EQ(prio, 0x90);
	CHECK_EQ(next(1), 5);

	/* Take them one by one into "list registers". */
	CHECK(vgic_deliver(&g, 0, 27));
	CHECK_EQ(next(0), 100);
	CHECK(vgic_deliver(&g, 0, 100));
	CHECK_EQ(next(0), 5);
	CHECK(vgic_deliver(&g, 0, 5));
	CHECK_EQ(next(0), 60);
	CHECK(vgic_deliver(&g, 0, 60));
	CHECK_EQ(next(0), SPURIOUS);
	CHECK(!vgic_deliver(&g, 0, 60)); /* already in a list register */

	/* Equal priorities everywhere: lowest INTID wins. */
	fresh(1);
	arm_irq(0, 127, 0x40);
	arm_irq(0, 32, 0x40);
	arm_irq(0, 16, 0x40);
	vgic_set_level(&g, 0, 127, true);
	vgic_set_level(&g, 0, 32, true);
	CHECK_EQ(next(0), 32);
	vgic_set_level(&g, 0, 16, true);
	CHECK_EQ(next(0), 16);
}

static void test_in_lr_excluded(void)
{
	const uint32_t lrs[3] = {45, 7, 2000};
	uint8_t prio = 0;

	fresh(1);
	arm_irq(0, 45, 0x10);
	arm_irq(0, 7, 0x20);
	arm_irq(0, 46, 0x30);
	vgic_set_level(&g, 0, 45, true);
	vgic_set_level(&g, 0, 46, true);
	rw(0, GICR_ISPENDR0, 4, 1u << 7);
	CHECK_EQ(vgic_next(&g, 0, lrs, 0, NULL, NULL), 45);
	CHECK_EQ(vgic_next(&g, 0, lrs, 1, NULL, NULL), 7);
	CHECK_EQ(vgic_next(&g, 0, lrs, 3, &prio, NULL), 46);
	CHECK_EQ(prio, 0x30);
	/* vgic_next marks nothing. */
	CHECK_EQ(next(0), 45);
	CHECK_EQ(next(0), 45);
}

static void test_level_pending_after_eoi(void)
{
	fresh(1);
	arm_irq(0, UART_SPI, 0xa0);
	vgic_set_level(&g, 0, UART_SPI, true);
	CHECK_EQ(next(0), UART_SPI);
	CHECK(vgic_deliver(&g, 0, UART_SPI));
	CHECK_EQ(next(0), SPURIOUS);
	CHECK(dr(GICD_ISPENDR(1), 4) & 2u);

	/* The guest acknowledged: active; the line is still high, so it is
	 * active and pending. */
	vgic_lr_update(&g, 0, UART_SPI, false, true);
	CHECK_EQ(dr(GICD_ISACTIVER(1), 4), 2);
	CHECK(dr(GICD_ISPENDR(1), 4) & 2u);
	CHECK_EQ(next(0), SPURIOUS);
	/* EOI without the device being serviced: pending again. */
	vgic_lr_update(&g, 0, UART_SPI, false, false);
	CHECK_EQ(dr(GICD_ISACTIVER(1), 4), 0);
	CHECK_EQ(next(0), UART_SPI);

	/* Second round: the handler clears the device, then EOIs. */
	CHECK(vgic_deliver(&g, 0, UART_SPI));
	vgic_lr_update(&g, 0, UART_SPI, false, true);
	vgic_set_level(&g, 0, UART_SPI, false);
	vgic_lr_update(&g, 0, UART_SPI, false, false);
	CHECK_EQ(next(0), SPURIOUS);
	CHECK_EQ(dr(GICD_ISPENDR(1), 4), 0);

	/* ICPENDR on a level interrupt with the line high leaves it pending;
	 * with the line low it clears the latch ISPENDR set. */
	vgic_set_level(&g, 0, UART_SPI, true);
	dw(GICD_ICPENDR(1), 4, 2);
	CHECK(dr(GICD_ISPENDR(1), 4) & 2u);
	CHECK_EQ(next(0), UART_SPI);
	vgic_set_level(&g, 0, UART_SPI, false);
	dw(GICD_ISPENDR(1), 4, 2);
	CHECK_EQ(next(0), UART_SPI);
	dw(GICD_ICPENDR(1), 4, 2);
	CHECK_EQ(next(0), SPURIOUS);

	/* A latched level interrupt is consumed by delivery. */
	dw(GICD_ISPENDR(1), 4, 2);
	CHECK(vgic_deliver(&g, 0, UART_SPI));
	vgic_lr_update(&g, 0, UART_SPI, false, true);
	vgic_lr_update(&g, 0, UART_SPI, false, false);
	CHECK_EQ(next(0), SPURIOUS);
}

/* vgic_set_level() says when a line's move changes what vgic_next() may
 * pick: not for a line that moves while its interrupt is disabled, active
 * or in a list register, nor for one already at that level. */
static void test_set_level_news(void)
{
	fresh(1);
	CHECK(!vgic_set_level(&g, 0, UART_SPI, true)); /* disabled */
	CHECK(!vgic_set_level(&g, 0, UART_SPI, false));
	arm_irq(0, UART_SPI, 0xa0);
	CHECK(vgic_set_level(&g, 0, UART_SPI, true));
	CHECK(!vgic_set_level(&g, 0, UART_SPI, true)); /* already up */
	CHECK(vgic_set_level(&g, 0, UART_SPI, false));
	CHECK_EQ(next(0), SPURIOUS);
	CHECK(vgic_set_level(&g, 0, UART_SPI, true));
	CHECK(vgic_deliver(&g, 0, UART_SPI));
	CHECK(!vgic_set_level(&g, 0, UART_SPI, false)); /* in a list register */
	vgic_lr_update(&g, 0, UART_SPI, false, true);	/* the guest took it */
	CHECK(!vgic_set_level(&g, 0, UART_SPI, true));	/* active */
	/* Its EOI with the line up: pending again, news of the ready sets
	 * (vgic_lr_update()), not of the line. */
	vgic_lr_update(&g, 0, UART_SPI, false, false);
	CHECK_EQ(next(0), UART_SPI);
	CHECK(!vgic_set_level(&g, 0, UART_SPI, true));

	/* An edge: a new rising edge latches, but a pending one is no news. */
	dw(GICD_ICFGR(2), 4, 0x2u << 16); /* INTID 40 */
	arm_irq(0, 40, 0x80);
	CHECK(vgic_set_level(&g, 0, 40, true));
	CHECK(!vgic_set_level(&g, 0, 40, false)); /* latched: still pending */
	CHECK(!vgic_set_level(&g, 0, 40, true));

	/* A private line of a vCPU that does not exist changes nothing. */
	CHECK(!vgic_set_level(&g, 3, 27, true));
}

static void test_edge_delivered_once(void)
{
	fresh(1);
	dw(GICD_ICFGR(2), 4, 0x2u << 16); /* INTID 40: edge */
	arm_irq(0, 40, 0x80);
	vgic_set_level(&g, 0, 40, true);
	CHECK_EQ(next(0), 40);
	CHECK(vgic_deliver(&g, 0, 40));
	vgic_lr_update(&g, 0, 40, true, false); /* still pending in the LR */
	CHECK_EQ(next(0), SPURIOUS);
	vgic_lr_update(&g, 0, 40, false, true);
	vgic_lr_update(&g, 0, 40, false, false);
	/* The line is still high, but that is no new edge. */
	CHECK_EQ(next(0), SPURIOUS);
	CHECK_EQ(dr(GICD_ISPENDR(1), 4), 0);
	vgic_set_level(&g, 0, 40, true);
	CHECK_EQ(next(0), SPURIOUS);

	/* A new edge while the first is active in the LR: delivered once
	 * more after the EOI, not before. */
	vgic_set_level(&g, 0, 40, false);
	vgic_set_level(&g, 0, 40, true);
	CHECK(vgic_deliver(&g, 0, 40));
	vgic_lr_update(&g, 0, 40, false, true);
	vgic_set_level(&g, 0, 40, false);
	vgic_set_level(&g, 0, 40, true);
	CHECK_EQ(next(0), SPURIOUS);
	vgic_lr_update(&g, 0, 40, false, false);
	CHECK_EQ(next(0), 40);
	CHECK(vgic_deliver(&g, 0, 40));
	vgic_lr_update(&g, 0, 40, false, false);
	CHECK_EQ(next(0), SPURIOUS);

	/* Updates for another vCPU or an INTID not in an LR change nothing. */
	dw(GICD_ISACTIVER(1), 4, 1u << 9);
	vgic_lr_update(&g, 0, 41, false, false);
	CHECK_EQ(dr(GICD_ISACTIVER(1), 4), 1u << 9);
}

static void test_send_sgi(void)
{
	unsigned v;

	fresh(4);
	vgic_send_sgi(&g, 0, SGI1R_INTID(3) | 0xa); /* TargetList {1, 3} */
	for (v = 0; v < 4; v++)
		CHECK_EQ(rr(v, GICR_ISPENDR0, 4), (v == 1 || v == 3) ? 1u << 3 : 0);

	fresh(4);
	vgic_send_sgi(&g, 1, SGI1R_IRM | SGI1R_INTID(15) | 0x2); /* all but self */
	for (v = 0; v < 4; v++)
		CHECK_EQ(rr(v, GICR_ISPENDR0, 4), v == 1 ? 0 : 1u << 15);

	/* Targets no vCPU has: Aff1 = 1, RS = 1, Aff0 past the last vCPU. */
	fresh(4);
	vgic_send_sgi(&g, 0, SGI1R_INTID(1) | SGI1R_AFF1(1) | 0xf);
	vgic_send_sgi(&g, 0, SGI1R_INTID(1) | SGI1R_RS(1) | 0xf);
	vgic_send_sgi(&g, 0, SGI1R_INTID(1) | 0xfff0);
	vgic_send_sgi(&g, 9, SGI1R_IRM | SGI1R_INTID(1)); /* no such sender */
	for (v = 0; v < 4; v++)
		CHECK_EQ(rr(v, GICR_ISPENDR0, 4), 0);

	/* Self-IPI, delivered as an edge: once. */
	arm_irq(2, 1, 0x80);
	vgic_send_sgi(&g, 2, SGI1R_INTID(1) | 1u << 2);
	CHECK_EQ(next(2), 1);
	CHECK(vgic_deliver(&g, 2, 1));
	vgic_lr_update(&g, 2, 1, false, false);
	CHECK_EQ(next(2), SPURIOUS);
	CHECK_EQ(vgic_pending_mask(&g), 0);
}

/* A vCPU turned off with interrupts in its list registers (PSCI CPU_OFF):
 * what was pending is delivered after it comes back, nothing stays stuck
 * "in a list register" that no longer exists, and new SGIs get through. */
static void test_lr_unload(void)
{
	fresh(2);
	arm_irq(1, 3, 0x80);
	arm_irq(1, 4, 0x80);
	arm_irq(1, 27, 0x80);
	vgic_send_sgi(&g, 0, SGI1R_INTID(3) | 0x2);
	CHECK(vgic_deliver(&g, 1, 3));
	CHECK_EQ(next(1), SPURIOUS);
	/* Without the unload, a new SGI 3 could never be delivered again. */
	vgic_send_sgi(&g, 0, SGI1R_INTID(3) | 0x2);
	CHECK_EQ(next(1), SPURIOUS);
	vgic_lr_unload(&g, 1, 3, true);
	CHECK_EQ(next(1), 3);
	CHECK_EQ(rr(1, GICR_ISPENDR0, 4), 1u << 3);
	CHECK(vgic_deliver(&g, 1, 3));
	vgic_lr_update(&g, 1, 3, false, false);
	CHECK_EQ(next(1), SPURIOUS);

	/* Active in the list register: dropped with the interface, and the
	 * next SGI is delivered. */
	vgic_send_sgi(&g, 0, SGI1R_INTID(4) | 0x2);
	CHECK(vgic_deliver(&g, 1, 4));
	vgic_lr_update(&g, 1, 4, false, true);
	CHECK_EQ(rr(1, GICR_ISACTIVER0, 4), 1u << 4);
	vgic_lr_unload(&g, 1, 4, false);
	CHECK_EQ(rr(1, GICR_ISACTIVER0, 4), 0);
	CHECK_EQ(next(1), SPURIOUS);
	vgic_send_sgi(&g, 0, SGI1R_INTID(4) | 0x2);
	CHECK_EQ(next(1), 4);
	CHECK(vgic_deliver(&g, 1, 4));
	vgic_lr_update(&g, 1, 4, false, false);

	/* A HW-linked timer: its line decides (the caller passes false). */
	vgic_set_level(&g, 1, 27, true);
	CHECK(vgic_deliver(&g, 1, 27));
	vgic_set_level(&g, 1, 27, false);
	vgic_lr_unload(&g, 1, 27, false);
	CHECK_EQ(next(1), SPURIOUS);
	vgic_set_level(&g, 1, 27, true);
	CHECK_EQ(next(1), 27);

	/* A level SPI pending by its line is not latched by the unload. */
	fresh(1);
	arm_irq(0, UART_SPI, 0xa0);
	vgic_set_level(&g, 0, UART_SPI, true);
	CHECK(vgic_deliver(&g, 0, UART_SPI));
	vgic_lr_unload(&g, 0, UART_SPI, true);
	CHECK_EQ(next(0), UART_SPI);
	vgic_set_level(&g, 0, UART_SPI, false);
	CHECK_EQ(next(0), SPURIOUS);

	/* Unloads for another vCPU, or an INTID in no list register, or out
	 * of range, change nothing. */
	fresh(2);
	arm_irq(0, 5, 0x80);
	vgic_send_sgi(&g, 1, SGI1R_INTID(5) | 0x1);
	CHECK(vgic_deliver(&g, 0, 5));
	vgic_lr_unload(&g, 1, 5, true);
	vgic_lr_unload(&g, 0, 6, true);
	vgic_lr_unload(&g, 9, 5, true);
	vgic_lr_unload(&g, 0, 0xffffffffu, true);
	CHECK_EQ(next(0), SPURIOUS);
	CHECK_EQ(rr(0, GICR_ISPENDR0, 4), 1u << 5);
}

static void test_pending_mask(void)
{
	fresh(3);
	arm_irq(1, 20, 0x80);
	vgic_set_level(&g, 1, 20, true);
	arm_irq(0, 50, 0x80);
	dw(GICD_IROUTER(50), 8, 2);
	vgic_set_level(&g, 0, 50, true);
	CHECK_EQ(vgic_pending_mask(&g), 0x6);
	CHECK(vgic_deliver(&g, 2, 50));
	CHECK_EQ(vgic_pending_mask(&g), 0x2);
}

/* A VM with the most vCPUs (16): the last one is reachable by its
 * redistributor frame, by SGI target list bit 15 and by IROUTER Aff0 15,
 * and nothing reaches the 17th that is not there. */
static void test_sixteen_vcpus(void)
{
	uint64_t v;
	unsigned c;

	CHECK_EQ(VGIC_MAX_VCPUS, 16);
	fresh(16);
	CHECK_EQ(g.nr_vcpus, 16);
	v = rr(15, GICR_TYPER, 8);
	CHECK_EQ(GICR_TYPER_Affinity_Value(v), 15);
	CHECK_EQ(GICR_TYPER_Processor_Number(v), 15);
	CHECK(v & GICR_TYPER_Last);
	CHECK(!(rr(14, GICR_TYPER, 8) & GICR_TYPER_Last));
	CHECK(!vgic_redist_read(&g, 16 * STRIDE + GICR_TYPER, 8, &v));

	/* SGI 5 from vCPU 0 to TargetList bit 15 only. */
	arm_irq(15, 5, 0x80);
	vgic_send_sgi(&g, 0, SGI1R_INTID(5) | 1u << 15);
	for (c = 0; c < 16; c++)
		CHECK_EQ(rr(c, GICR_ISPENDR0, 4), c == 15 ? 1u << 5 : 0);
	CHECK_EQ(vgic_pending_mask(&g), 1u << 15);
	CHECK_EQ(next(15), 5);
	CHECK(vgic_deliver(&g, 15, 5));
	vgic_lr_update(&g, 15, 5, false, false);
	CHECK_EQ(vgic_pending_mask(&g), 0);

	/* RS = 1 names Aff0 16..31: no vCPU has those. */
	vgic_send_sgi(&g, 0, SGI1R_INTID(5) | SGI1R_RS(1) | 0xffff);
	CHECK_EQ(vgic_pending_mask(&g), 0);

	/* From vCPU 15 to all others. */
	vgic_send_sgi(&g, 15, SGI1R_IRM | SGI1R_INTID(6));
	for (c = 0; c < 16; c++)
		CHECK_EQ(rr(c, GICR_ISPENDR0, 4), c == 15 ? 0 : 1u << 6);

	/* An SPI routed to Aff0 15, then to Aff0 16, which no vCPU has. */
	fresh(16);
	arm_irq(0, 40, 0x80);
	dw(GICD_IROUTER(40), 8, 15);
	CHECK_EQ(dr(GICD_IROUTER(40), 8), 15);
	vgic_set_level(&g, 0, 40, true);
	CHECK_EQ(vgic_pending_mask(&g), 1u << 15);
	CHECK_EQ(next(0), SPURIOUS);
	CHECK_EQ(next(15), 40);
	dw(GICD_IROUTER(40), 8, 16);
	CHECK_EQ(g.spis[40 - VGIC_FIRST_SPI].target_vcpu, VGIC_NO_VCPU);
	CHECK_EQ(vgic_pending_mask(&g), 0);
}

/* ---- hostile guests ----------------------------------------------------------- */

static void test_hostile_accesses(void)
{
	static const unsigned bad_sizes[] = {0, 3, 5, 6, 7, 9, 16, 0xffffffffu};
	uint64_t v;
	unsigned i;

	vgic_init(&g, 2);
	for (i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		CHECK(!vgic_dist_read(&g, 0, bad_sizes[i], &v));
		CHECK(!vgic_dist_write(&g, 0x100, bad_sizes[i], ~0ull));
		CHECK(!vgic_redist_read(&g, GICR_WAKER, bad_sizes[i], &v));
		CHECK(!vgic_redist_write(&g, GICR_ISENABLER0, bad_sizes[i], ~0ull));
	}
	/* Beyond the frames, including wrap-around candidates. */
	CHECK(!vgic_dist_read(&g, 0x10000, 4, &v));
	CHECK(!vgic_dist_read(&g, 0xfffffffcu, 4, &v));
	CHECK(!vgic_dist_write(&g, 0xfffffff8u, 8, 0));
	CHECK(!vgic_redist_read(&g, 2 * STRIDE, 4, &v));
	CHECK(!vgic_redist_read(&g, 0xfffffff8u, 8, &v));
	CHECK(!vgic_redist_write(&g, 0x7fffffffu * 2, 2, 0));
	CHECK(vgic_dist_read(&g, 0xfffc, 4, &v));
	CHECK(!vgic_dist_read(&g, 0xfff8, 8, &v)); /* ID registers: 32-bit */
	CHECK(vgic_redist_read(&g, 2 * STRIDE - 4, 4, &v));

	/* Misaligned. */
	CHECK(!vgic_dist_read(&g, GICD_CTLR + 1, 4, &v));
	CHECK(!vgic_dist_write(&g, GICD_ISENABLER(1) + 2, 4, ~0ull));
	CHECK(!vgic_dist_write(&g, GICD_IROUTER(40) + 4, 8, 1));
	CHECK(!vgic_redist_read(&g, GICR_TYPER + 4, 8, &v));
	CHECK(!vgic_redist_read(&g, GICR_WAKER + 1, 2, &v));
	CHECK(!vgic_dist_read(&g, GICD_IPRIORITYR(8) + 1, 2, &v));

	/* 64-bit accesses to 32-bit registers, and ones that would cover a
	 * reserved word and a register. */
	CHECK(!vgic_dist_read(&g, GICD_CTLR, 8, &v));
	CHECK(!vgic_dist_read(&g, GICD_IIDR, 8, &v));
	CHECK(!vgic_dist_write(&g, GICD_IGROUPR(2), 8, ~0ull));
	CHECK(!vgic_dist_read(&g, GICD_ICFGR(4), 8, &v));
	CHECK(!vgic_redist_read(&g, GICR_CTLR, 8, &v));
	CHECK(!vgic_redist_write(&g, GICR_STATUSR, 8, 0)); /* + GICR_WAKER */
	CHECK(!vgic_redist_write(&g, GICR_ISENABLER0, 8, ~0ull));
	CHECK(!vgic_redist_read(&g, GICR_ICFGR0, 8, &v));
	CHECK_EQ(rr(0, GICR_WAKER, 4),
		 GICR_WAKER_ProcessorSleep | GICR_WAKER_ChildrenAsleep);
	CHECK_EQ(dr(GICD_IGROUPR(2), 4), 0);

	/* Byte and halfword accesses to word-only registers. */
	CHECK(!vgic_dist_read(&g, GICD_TYPER, 1, &v));
	CHECK(!vgic_dist_read(&g, GICD_TYPER + 2, 2, &v));
	CHECK(!vgic_dist_read(&g, GICD_IROUTER(40), 1, &v));
	CHECK(!vgic_redist_read(&g, GICR_TYPER, 2, &v));
	CHECK(!vgic_redist_write(&g, GICR_WAKER, 1, 0));

	/* Reserved space: RAZ/WI at any aligned size. */
	CHECK(vgic_dist_read(&g, GICD_STATUSR, 8, &v));
	CHECK_EQ(v, 0);
	CHECK(vgic_dist_write(&g, 0x3000, 1, 0xff));
	CHECK(vgic_dist_read(&g, 0x3000, 2, &v));
	CHECK_EQ(v, 0);
	CHECK(vgic_redist_write(&g, GICR_PROPBASER, 8, ~0ull));
	CHECK(vgic_redist_read(&g, GICR_PROPBASER, 8, &v));
	CHECK_EQ(v, 0);
	CHECK(vgic_redist_read(&g, SGI_BASE + 0x0084, 4, &v)); /* GICR_IGROUPR1E */
	CHECK_EQ(v, 0);
	CHECK(vgic_redist_read(&g, SGI_BASE + 0xffe8, 4, &v));

	/* A failed read still leaves a defined value. */
	v = 0x1234;
	CHECK(!vgic_dist_read(&g, GICD_CTLR, 8, &v));
	CHECK_EQ(v, 0);
	CHECK(!vgic_dist_read(&g, GICD_CTLR, 4, NULL));

	/* Device-side and delivery calls with nonsense arguments. */
	vgic_set_level(&g, 0, 128, true);
	vgic_set_level(&g, 0, 1023, true);
	vgic_set_level(&g, 0, 0xffffffffu, true);
	vgic_set_level(&g, 2, 20, true);
	vgic_set_level(&g, 0xffffffffu, 5, true);
	CHECK_EQ(vgic_next(&g, 2, NULL, 0, NULL, NULL), SPURIOUS);
	CHECK_EQ(vgic_next(&g, 0xffffffffu, NULL, 0, NULL, NULL), SPURIOUS);
	CHECK(!vgic_deliver(&g, 0, 128));
	CHECK(!vgic_deliver(&g, 5, 3));
	CHECK(!vgic_deliver(&g, 0, 33)); /* not pending */
	vgic_lr_update(&g, 7, 3, true, true);
	vgic_lr_update(&g, 0, 0xffffffffu, true, true);
	CHECK_EQ(vgic_pending_mask(&g), 0);

	/* vgic_init clamps the vCPU count. */
	vgic_init(&g, 0);
	CHECK_EQ(g.nr_vcpus, 1);
	vgic_init(&g, 1000);
	CHECK_EQ(g.nr_vcpus, VGIC_MAX_VCPUS);
	CHECK(vgic_redist_read(&g, (VGIC_MAX_VCPUS - 1) * STRIDE + GICR_TYPER, 8, &v));
	CHECK(v & GICR_TYPER_Last);
	CHECK(!vgic_redist_read(&g, VGIC_MAX_VCPUS * STRIDE + GICR_TYPER, 8, &v));
}

/* The model's own invariants, whatever the guest did. */
static void check_invariants(void)
{
	unsigned v, i;

	for (i = 0; i < VGIC_NR_SPIS; i++) {
		const struct vgic_irq *irq = &g.spis[i];

		CHECK_EQ(irq->priority & 7u, 0);
		CHECK(irq->target_vcpu < g.nr_vcpus || irq->target_vcpu == VGIC_NO_VCPU);
		CHECK_EQ(irq->route & ~0xff00ffffffull, 0);
		CHECK(!irq->in_lr || irq->lr_vcpu < g.nr_vcpus);
	}
	for (v = 0; v < g.nr_vcpus; v++) {
		for (i = 0; i < 16; i++)
			CHECK(g.vcpu[v].private_irqs[i].config_edge);
		CHECK_EQ(g.vcpu[v].waker &
				 ~(GICR_WAKER_ProcessorSleep | GICR_WAKER_ChildrenAsleep),
			 0);
	}
	CHECK_EQ(g.ctlr & ~3u, 0);
}

/* What vgic_next() must answer, by the definition in hyp/vdev/vgic_model.h, from the
 * model's state alone: every INTID looked at, none skipped. */
static uint32_t ref_next(unsigned v, const uint32_t *in_lr, unsigned n_in_lr)
{
	uint32_t found = SPURIOUS;
	int best_prio = 256;

	if (v >= g.nr_vcpus || (g.vcpu[v].waker & GICR_WAKER_ProcessorSleep))
		return SPURIOUS;
	for (uint32_t id = 0; id < 32 + VGIC_NR_SPIS; id++) {
		const struct vgic_irq *irq =
			id < 32 ? &g.vcpu[v].private_irqs[id] : &g.spis[id - 32];
		bool pending = irq->pending_latch || irq->lr_pending ||
			       (!irq->config_edge && irq->level);
		bool listed = false;

		for (unsigned i = 0; i < n_in_lr; i++)
			listed |= in_lr[i] == id;
		if (!pending || !irq->enabled || irq->active || irq->in_lr || listed ||
		    !(g.ctlr & (irq->group ? 2u : 1u)) ||
		    (id >= 32 && irq->target_vcpu != v))
			continue;
		if (irq->priority < best_prio) {
			best_prio = irq->priority;
			found = id;
		}
	}
	return found;
}

/* The ready sets (vgic_vcpu.ready, vgic.ready_spis), which the delivery
 * search alone looks at, hold exactly the INTIDs that are pending,
 * enabled, not active and not in a list register. */
static bool ready_sets_exact(void)
{
	for (unsigned v = 0; v < g.nr_vcpus; v++) {
		for (uint32_t id = 0; id < 32 + VGIC_NR_SPIS; id++) {
			const struct vgic_irq *irq =
				id < 32 ? &g.vcpu[v].private_irqs[id] : &g.spis[id - 32];
			uint32_t word =
				id < 32 ? g.vcpu[v].ready : g.ready_spis[(id - 32) / 32];
			bool pending = irq->pending_latch || irq->lr_pending ||
				       (!irq->config_edge && irq->level);
			bool ready =
				pending && irq->enabled && !irq->active && !irq->in_lr;

			if (ready != ((word >> (id % 32)) & 1)) {
				printf("  INTID %u of vCPU %u: ready %d, bit %u\n", id, v,
				       ready, (word >> (id % 32)) & 1);
				return false;
			}
		}
	}
	return true;
}

/* Each change that makes an interrupt ready or not moves its bit: the
 * line, ISENABLER/ICENABLER, ISACTIVER, ISPENDR/ICPENDR, delivery, the
 * list register's end, a CPU_OFF, and the trigger mode. */
static void test_ready_sets(void)
{
	const uint32_t spi = 40, ppi = 23;
	uint32_t bit = 1u << ((spi - 32) % 32);

	vgic_init(&g, 2);
	dw(GICD_CTLR, 4, LINUX_GICD_CTLR);
	CHECK_EQ(g.ready_spis[0] | g.vcpu[0].ready | g.vcpu[1].ready, 0);
	/* A level SPI, line high, not yet enabled: not ready. */
	vgic_set_level(&g, 0, spi, true);
	CHECK_EQ(g.ready_spis[0] & bit, 0);
	dw(GICD_ISENABLER(1), 4, bit);
	CHECK(g.ready_spis[0] & bit);
	CHECK(ready_sets_exact());
	dw(GICD_ICENABLER(1), 4, bit);
	CHECK_EQ(g.ready_spis[0] & bit, 0);
	dw(GICD_ISENABLER(1), 4, bit);
	dw(GICD_ISACTIVER(1), 4, bit);
	CHECK_EQ(g.ready_spis[0] & bit, 0);
	dw(GICD_ICACTIVER(1), 4, bit);
	CHECK(g.ready_spis[0] & bit);
	/* Delivered: in a list register, out of the set; the guest's EOI
	 * with the line still high: ready again; line low: not. */
	CHECK_EQ(vgic_next(&g, 0, NULL, 0, NULL, NULL), spi);
	CHECK(vgic_deliver(&g, 0, spi));
	CHECK_EQ(g.ready_spis[0] & bit, 0);
	CHECK_EQ(vgic_next(&g, 0, NULL, 0, NULL, NULL), SPURIOUS);
	vgic_lr_update(&g, 0, spi, false, true);
	CHECK_EQ(g.ready_spis[0] & bit, 0);
	vgic_lr_update(&g, 0, spi, false, false);
	CHECK(g.ready_spis[0] & bit);
	vgic_set_level(&g, 0, spi, false);
	CHECK_EQ(g.ready_spis[0] & bit, 0);
	CHECK(ready_sets_exact());
	/* Edge: ISPENDR latches, ICPENDR clears; a CPU_OFF with the list
	 * register pending makes it ready again. */
	dw(GICD_ICFGR((spi) / 16), 4, 2u << (2 * (spi % 16)));
	dw(GICD_ISPENDR(1), 4, bit);
	CHECK(g.ready_spis[0] & bit);
	dw(GICD_ICPENDR(1), 4, bit);
	CHECK_EQ(g.ready_spis[0] & bit, 0);
	vgic_set_level(&g, 0, spi, true);
	CHECK(vgic_deliver(&g, 0, spi));
	CHECK_EQ(g.ready_spis[0] & bit, 0);
	vgic_lr_unload(&g, 0, spi, true);
	CHECK(g.ready_spis[0] & bit);
	CHECK(ready_sets_exact());
	/* A PPI of vCPU 1 is vCPU 1's bit alone; a level PPI switched to
	 * edge is no longer pending by its line. */
	rw(1, GICR_ISENABLER0, 4, 1u << ppi);
	vgic_set_level(&g, 1, ppi, true);
	CHECK(g.vcpu[1].ready & 1u << ppi);
	CHECK_EQ(g.vcpu[0].ready & 1u << ppi, 0);
	rw(1, GICR_ICFGR1, 4, 2u << (2 * (ppi - 16)));
	CHECK_EQ(g.vcpu[1].ready & 1u << ppi, 0);
	CHECK(ready_sets_exact());
	/* An SGI to vCPU 1 (target list bit 1), enabled. */
	rw(1, GICR_ISENABLER0, 4, 1u << 3);
	vgic_send_sgi(&g, 0, 3ull << 24 | 2);
	CHECK(g.vcpu[1].ready & 1u << 3);
	CHECK(ready_sets_exact());
}

static void test_fuzz(void)
{
	static const unsigned sizes[] = {1, 2, 4, 8, 1, 2, 4, 8, 0, 3, 16};
	uint32_t lrs[4] = {0};
	unsigned i, nr = 1;

	vgic_init(&g, 5);
	nr = g.nr_vcpus;
	for (i = 0; i < 100000; i++) {
		uint64_t r = rnd(), val = rnd();
		unsigned size = sizes[r % (sizeof(sizes) / sizeof(sizes[0]))];
		uint32_t off;
		uint64_t out;

		switch ((r >> 8) % 8) {
		case 0:
		case 1:
			/* Mostly inside the frame, sometimes just past it. */
			off = (uint32_t)(rnd() % 0x10010);
			if (r & 1 << 12)
				off &= ~7u;
			if (r >> 13 & 1)
				vgic_dist_write(&g, off, size, val);
			else
				vgic_dist_read(&g, off, size, &out);
			break;
		case 2:
		case 3:
			off = (uint32_t)(rnd() % (nr * STRIDE + 0x100));
			if (r & 1 << 12)
				off &= ~7u;
			if (r >> 13 & 1)
				vgic_redist_write(&g, off, size, val);
			else
				vgic_redist_read(&g, off, size, &out);
			break;
		case 4:
			off = (uint32_t)rnd(); /* anywhere at all */
			if (r >> 13 & 1)
				vgic_dist_write(&g, off, size, val);
			else
				vgic_redist_read(&g, off, size, &out);
			break;
		case 5: {
			/* No news (false) must mean no vCPU's answer changed. */
			uint32_t before[VGIC_MAX_VCPUS];
			unsigned v;

			for (v = 0; v < nr; v++)
				before[v] = ref_next(v, NULL, 0);
			if (!vgic_set_level(&g, (unsigned)(val % (nr + 2)),
					    (uint32_t)(val >> 8) % 140, (val >> 32) & 1))
				for (v = 0; v < nr; v++)
					CHECK_EQ(ref_next(v, NULL, 0), before[v]);
			break;
		}
		case 6:
			vgic_send_sgi(&g, (unsigned)(r >> 16) % (nr + 1), val);
			break;
		default: {
			unsigned v = (unsigned)(val % (nr + 1));
			uint32_t id = vgic_next(&g, v, lrs, (unsigned)(r >> 16) % 5, NULL,
						NULL);

			CHECK_EQ(id, ref_next(v, lrs, (unsigned)(r >> 16) % 5));

			if (id != SPURIOUS && vgic_deliver(&g, v, id))
				lrs[(r >> 20) % 4] = id;
			if ((val >> 42) % 16 == 0) /* now and then a CPU_OFF */
				vgic_lr_unload(&g, v, lrs[(r >> 24) % 4],
					       (val >> 40) & 1);
			else
				vgic_lr_update(&g, v, lrs[(r >> 24) % 4], (val >> 40) & 1,
					       (val >> 41) & 1);
			vgic_pending_mask(&g);
			break;
		}
		}
		if (i % 64 == 0)
			CHECK(ready_sets_exact());
	}
	CHECK(ready_sets_exact());
	check_invariants();
	/* Still the same GIC. */
	CHECK_EQ(dr(GICD_TYPER, 4), 0x02480003u);
	CHECK_EQ(GIC_PIDR2_ArchRev(rr(nr - 1, GICR_PIDR2, 4)), 3);
	CHECK(rr(nr - 1, GICR_TYPER, 8) & GICR_TYPER_Last);
}

/* ---- what Linux does, end to end ------------------------------------------- */

static void test_linux_probe(void)
{
	uint32_t i, v;
	uint8_t prio = 0, grp = 0;

	vgic_init(&g, 2);
	/* gic_validate_dist_version() */
	CHECK_EQ(dr(GICD_PIDR2, 4) & 0xf0u, 0x30u);
	/* gic_dist_init() */
	dw(GICD_CTLR, 4, 0);
	CHECK(!(dr(GICD_CTLR, 4) & (1u << 31)));
	for (i = 32; i < 128; i += 32)
		dw(GICD_IGROUPR(i / 32), 4, ~0u);
	for (i = 32; i < 128; i += 16)
		dw(GICD_ICFGR(i / 16), 4, 0);
	for (i = 32; i < 128; i += 4)
		dw(GICD_IPRIORITYR(i / 4), 4, 0xa0a0a0a0u);
	for (i = 32; i < 128; i += 32) {
		dw(GICD_ICACTIVER(i / 32), 4, ~0u);
		dw(GICD_ICENABLER(i / 32), 4, ~0u);
	}
	dw(GICD_CTLR, 4, LINUX_GICD_CTLR);
	CHECK(dr(GICD_CTLR, 4) & GICD_CTLR_DS); /* gic_dist_security_disabled() */
	for (i = 32; i < 128; i++)
		dw(GICD_IROUTER(i), 8, 0);

	/* gic_cpu_init() on each vCPU */
	for (v = 0; v < 2; v++) {
		CHECK((uint32_t)GICR_TYPER_Affinity_Value(rr(v, GICR_TYPER, 8)) == v);
		CHECK(wake(v));
		CHECK(!(rr(v, GICR_CTLR, 4) & (1u << 3))); /* RWP */
		rw(v, GICR_IGROUPR0, 4, ~0u);
		rw(v, GICR_ICACTIVER0, 4, ~0u);
		rw(v, GICR_ICENABLER0, 4, ~0u);
		for (i = 0; i < 32; i += 4)
			rw(v, GICR_IPRIORITYR(i / 4), 4, 0xa0a0a0a0u);
		rw(v, GICR_ISENABLER0, 4, 0xffff);
		CHECK_EQ(rr(v, GICR_ISENABLER0, 4), 0xffff);
	}

	/* The UART (level, high) on vCPU 0; the vtimer PPI on vCPU 1 with a
	 * level-low specifier, which Linux programs as level. */
	dw(GICD_ICFGR(UART_SPI / 16), 4, 0);
	CHECK_EQ(dr(GICD_ICFGR(UART_SPI / 16), 4), 0);
	dw(GICD_ISENABLER(1), 4, 1u << (UART_SPI % 32));
	rw(1, GICR_ICFGR1, 4, 0);
	rw(1, GICR_ISENABLER0, 4, 1u << VTIMER_PPI);
	vgic_set_level(&g, 0, UART_SPI, true);
	vgic_set_level(&g, 1, VTIMER_PPI, true);
	CHECK_EQ(vgic_pending_mask(&g), 3);
	CHECK_EQ(vgic_next(&g, 0, NULL, 0, &prio, &grp), UART_SPI);
	CHECK_EQ(prio, 0xa0);
	CHECK_EQ(grp, 1);
	CHECK_EQ(next(1), VTIMER_PPI);

	/* An IPI from vCPU 1 to vCPU 0 outranks nothing but is delivered too. */
	vgic_send_sgi(&g, 1, SGI1R_INTID(0) | 1);
	CHECK(vgic_deliver(&g, 0, UART_SPI));
	CHECK_EQ(next(0), 0);
}

int main(void)
{
	RUN(test_reset_id_registers);
	RUN(test_gicr_typer);
	RUN(test_waker_handshake);
	RUN(test_asleep_still_delivers);
	RUN(test_timer_level_follows_line);
	RUN(test_gicd_ctlr);
	RUN(test_set_clear_pairs);
	RUN(test_group_registers);
	RUN(test_priorities);
	RUN(test_icfgr);
	RUN(test_group_enable_gating);
	RUN(test_irouter);
	RUN(test_next_priority_order);
	RUN(test_in_lr_excluded);
	RUN(test_level_pending_after_eoi);
	RUN(test_set_level_news);
	RUN(test_edge_delivered_once);
	RUN(test_send_sgi);
	RUN(test_lr_unload);
	RUN(test_pending_mask);
	RUN(test_sixteen_vcpus);
	RUN(test_hostile_accesses);
	RUN(test_ready_sets);
	RUN(test_fuzz);
	RUN(test_linux_probe);
	UNIT_DONE();
}
