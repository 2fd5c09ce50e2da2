/*
 * The physical GICv3 as the hypervisor uses it at EL2. It takes every
 * interrupt (HCR_EL2.IMO): the virtual timer of the vCPU running here, the
 * maintenance interrupt of the virtual CPU interface, the "kick" SGI other
 * CPUs send when a vCPU here has something new to deliver, and the console
 * UART's input. Priority drop and deactivation are split (ICC_CTLR_EL1.
 * EOImode = 1) so that the virtual timer's interrupt can be handed to the
 * guest still active and deactivated by the guest's own EOI (list register
 * HW bit).
 *
 * Priorities follow hyp/pnmi/prio.h: the watchdog timer and the dump SGI
 * are pseudo-NMIs, everything else is regular; the layout is worked out
 * once, by gic_init() on the boot CPU, for the priority bits and security configuration
 * of the GIC at hand.
 */
#include <arch/sysreg.h>
#include <lib/console.h>
#include <lib/dt/dt.h>
#include <hyp/pnmi/prio.h>
#include <lib/gicv3.h>

#include <hyp/drivers/gic.h>
#include <hyp/hyp.h>
#include <hyp/pnmi/mask.h>
#include <hyp/vm.h>

static uint8_t *gicd, *gicr;
static uint64_t gicr_size;
static struct gic_prio_layout prio;

static inline uint32_t rd32(const uint8_t *a)
{
	return *(const volatile uint32_t *)a;
}

static inline void wr32(uint8_t *a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

/* The system-register CPU interface at EL2 (and below). */
static void sre_enable(void)
{
	write_sysreg(icc_sre_el2,
		     ICC_SRE_SRE | ICC_SRE_DFB | ICC_SRE_DIB | ICC_SRE_ENABLE);
	isb();
}

/* Works out the priority layout (hyp/pnmi/prio.h) from what this CPU's
 * interface and the distributor report. */
static void prio_init(void)
{
	unsigned bits = ICC_CTLR_PRIbits(read_sysreg(icc_ctlr_el1));
	bool ds = gicd && (rd32(gicd + GICD_CTLR) & GICD_CTLR_DS);
	uint8_t readback;

	/* From a Non-secure value (a Non-secure write cannot move the PMR out
	 * of the Secure range it resets in), then the probe. */
	write_sysreg(icc_pmr_el1, GIC_PMR_UNMASKED);
	isb();
	write_sysreg(icc_pmr_el1, gic_prio_pmr_probe(bits));
	isb();
	readback = (uint8_t)read_sysreg(icc_pmr_el1);
	if (gic_prio_layout(bits, ds, readback, &prio)) {
		log_printf("hyp: the GIC implements %u priority bits; pseudo-NMIs need "
			   "%u\n",
			   bits, GIC_PRIO_MIN_BITS);
		hyp_power_off();
	}
	log_printf("hyp: gic: %u priority bits, DS=%u, %s PMR: pnmi 0x%x regular 0x%x "
		   "(distributor 0x%x 0x%x)\n",
		   bits, ds, prio.pmr_shifted ? "shifted" : "absolute", GIC_PRIO_PNMI,
		   GIC_PRIO_REGULAR, prio.dist_pnmi, prio.dist_regular);
}

static uint8_t dist_prio(bool pnmi)
{
	return pnmi ? prio.dist_pnmi : prio.dist_regular;
}

int gic_init(const void *fdt)
{
	uint64_t d, dsize, r;
	int node = dt_find_compatible(fdt, "arm,gic-v3", &d, &dsize);

	if (node < 0 || dt_reg(fdt, node, 1, &r, &gicr_size)) {
		log_printf("hyp: no GICv3 in the DT\n");
		return -1;
	}
	if (hyp_map_device(d, dsize) || hyp_map_device(r, gicr_size)) {
		log_printf("hyp: cannot map the GIC\n");
		return -1;
	}
	gicd = hyp_phys_to_virt(d);
	gicr = hyp_phys_to_virt(r);
	/* The monitor set affinity routing; enable Non-secure Group 1. */
	wr32(gicd + GICD_CTLR, GICD_CTLR_NS_ARE_NS | GICD_CTLR_NS_EnableGrp1A);
	sre_enable();
	prio_init();
	return 0;
}

static uint8_t *my_redistributor(void)
{
	return (uint8_t *)gic_find_redistributor((uintptr_t)gicr, gicr_size,
						 read_sysreg(mpidr_el1));
}

void gic_enable_private(uint32_t intid, bool pnmi)
{
	uint8_t *rd = my_redistributor();

	if (!rd)
		return;
	rd[GICR_SGI_BASE + GICR_IPRIORITYRn(intid)] = dist_prio(pnmi);
	wr32(rd + GICR_SGI_BASE + GICR_ISENABLER0, 1u << intid);
}

void gic_disable_private(uint32_t intid)
{
	uint8_t *rd = my_redistributor();

	if (rd)
		wr32(rd + GICR_SGI_BASE + GICR_ICENABLER0, 1u << intid);
}

/* Clears the active state of this CPU's private interrupts in mask, as a
 * write to GICR_ICACTIVER0 (defined whether or not they are active, where
 * ICC_DIR_EL1 is only for an interrupt this CPU made active). */
void gic_clear_active_private(uint32_t mask)
{
	uint8_t *rd = my_redistributor();

	if (rd)
		wr32(rd + GICR_SGI_BASE + GICR_ICACTIVER0, mask);
}

/* Marks this CPU's SGIs/PPIs in mask active: a vCPU's timer interrupt
 * that it was handling when it left another CPU (hyp/vdev/vgic.c). */
void gic_set_active_private(uint32_t mask)
{
	uint8_t *rd = my_redistributor();

	if (rd)
		wr32(rd + GICR_SGI_BASE + GICR_ISACTIVER0, mask);
}

void gic_disable(uint32_t intid)
{
	if (intid < GIC_SPI_BASE)
		gic_disable_private(intid);
	else if (gicd)
		wr32(gicd + GICD_ICENABLERn(intid), 1u << (intid % 32));
}

void gic_enable_spi(uint32_t intid, uint64_t target_mpidr)
{
	if (!gicd)
		return;
	gicd[GICD_IPRIORITYRn(intid)] = dist_prio(false);
	*(volatile uint64_t *)(gicd + GICD_IROUTERn(intid)) =
		target_mpidr & MPIDR_AFFINITY_MASK;
	wr32(gicd + GICD_ISENABLERn(intid), 1u << (intid % 32));
}

/* A device interrupt the hypervisor waits for in WFI (GIC_PRIO_IO),
 * routed to this CPU; the route is written only when it changes. */
void gic_enable_spi_io(uint32_t intid)
{
	uint64_t me = read_sysreg(mpidr_el1) & MPIDR_AFFINITY_MASK;
	volatile uint64_t *route;

	if (!gicd)
		return;
	route = (volatile uint64_t *)(gicd + GICD_IROUTERn(intid));
	if (gicd[GICD_IPRIORITYRn(intid)] != prio.dist_io)
		gicd[GICD_IPRIORITYRn(intid)] = prio.dist_io;
	if (*route != me)
		*route = me;
	wr32(gicd + GICD_ISENABLERn(intid), 1u << (intid % 32));
}

/* Disabled, and its pending state cleared: an edge latched while it was
 * waited for is not left to fire later. */
void gic_disable_spi_clear(uint32_t intid)
{
	if (!gicd)
		return;
	wr32(gicd + GICD_ICENABLERn(intid), 1u << (intid % 32));
	wr32(gicd + GICD_ICPENDRn(intid), 1u << (intid % 32));
}

void gic_cpu_init(void)
{
	sre_enable();
	/* The hypervisor's own context: only PNMIs get in (hyp/pnmi/irq.c). The
	 * smallest binary point makes every priority bit count for
	 * preemption, so a PNMI preempts a regular handler. */
	write_sysreg(icc_pmr_el1, GIC_PMR_REGULAR_OFF);
	write_sysreg(icc_bpr1_el1, 0);
	write_sysreg(icc_ctlr_el1, ICC_CTLR_EOImode);
	write_sysreg(icc_igrpen1_el1, 1);
	write_sysreg(ich_hcr_el2, ICH_HCR_EN);
	isb();
	gic_enable_private(GIC_SGI_KICK, false);
	gic_enable_private(GIC_SGI_DEBUG, false);
	gic_enable_private(GIC_SGI_DUMP, true);
	gic_enable_private(GIC_PPI_MAINTENANCE, false);
	gic_enable_private(GIC_PPI_VTIMER, false);
	gic_enable_private(GIC_PPI_PTIMER, false);
	/* CNTHP: the watchdog's period and the scheduler's deadlines
	 * (hyp/sched/cpu_timer.c), a PNMI; off until programmed. */
	gic_enable_private(GIC_PPI_HYP_TIMER, true);
	/* Physical IRQs (and SErrors) are taken to EL2 only with IMO (AMO)
	 * set; without, one that comes at EL2 targets EL1 and is never
	 * taken here. The vCPU's load writes them too, but a CPU that has
	 * not loaded one yet (it waits idle from the start, as when every
	 * vCPU's affinity names another CPU) must take its kicks, its timer
	 * and the SPIs routed to it all the same. */
	write_sysreg(hcr_el2,
		     read_sysreg(hcr_el2) | HCR_EL2_IMO | HCR_EL2_FMO | HCR_EL2_AMO);
	isb();
	pstate_irq_enable(); /* from now on, masking is by priority */
}

uint32_t gic_ack(void)
{
	uint32_t intid = (uint32_t)read_sysreg(icc_iar1_el1) & 0xffffff;

	dsb(sy);
	return intid;
}

void gic_priority_drop(uint32_t intid)
{
	write_sysreg(icc_eoir1_el1, intid);
	isb();
}

void gic_deactivate(uint32_t intid)
{
	write_sysreg(icc_dir_el1, intid);
	isb();
}

uint64_t gic_sgi_value(uint64_t mpidr, uint32_t sgi)
{
	return (1ull << (MPIDR_AFF0(mpidr) % ICC_SGI1R_EL1_TARGETS_PER_RS)) |
	       (uint64_t)MPIDR_AFF1(mpidr) << ICC_SGI1R_EL1_Aff1_SHIFT |
	       (uint64_t)sgi << ICC_SGI1R_EL1_INTID_SHIFT |
	       ((mpidr >> 16) & 0xff) << ICC_SGI1R_EL1_Aff2_SHIFT |
	       ((mpidr >> 32) & 0xff) << ICC_SGI1R_EL1_Aff3_SHIFT;
}

void gic_send_sgi(uint64_t mpidr, uint32_t sgi)
{
	dsb(ish);
	write_sysreg(icc_sgi1r_el1, gic_sgi_value(mpidr, sgi));
	isb();
}

void gic_kick(uint64_t mpidr)
{
	gic_send_sgi(mpidr, GIC_SGI_KICK);
}
