/*
 * The Secure side of the GICv3 (QEMU virt with secure=on has two security
 * states): every interrupt resets to Group 0, which the normal world can
 * neither see nor change. The monitor turns on affinity routing for both
 * states, makes every SPI, SGI and PPI Non-secure Group 1, wakes each
 * CPU's redistributor and lets Group 1 interrupts reach the normal world at
 * this CPU; the hypervisor does the rest from EL2.
 */
#include <arch/sysreg.h>
#include <lib/console.h>
#include <lib/dt/dt.h>
#include <lib/gicv3.h>

#include <monitor/monitor.h>

static uint64_t gicd, gicr, gicr_size;

static inline uint32_t rd32(uint64_t a)
{
	return *(volatile uint32_t *)a;
}

static inline void wr32(uint64_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

static void wait_rwp(void)
{
	for (int i = 0; i < 1000000 && (rd32(gicd + GICD_CTLR) & GICD_CTLR_RWP); i++)
		;
}

int gic_init(const void *fdt)
{
	uint32_t lines;
	int node = dt_find_compatible(fdt, "arm,gic-v3", &gicd, NULL);

	if (node < 0 || dt_reg(fdt, node, 1, &gicr, &gicr_size)) {
		log_printf("monitor: no GICv3 in the DT\n");
		gicd = 0;
		return -1;
	}
	wr32(gicd + GICD_CTLR, 0);
	wait_rwp();
	lines = (rd32(gicd + GICD_TYPER) & GICD_TYPER_ITLinesNumber_MASK) +
		1; /* x 32 INTIDs */
	for (uint32_t n = 1; n < lines; n++) {
		wr32(gicd + GICD_IGROUPR + 4 * n, ~0u);
		wr32(gicd + GICD_IGRPMODR + 4 * n, 0);
	}
	wr32(gicd + GICD_CTLR,
	     GICD_CTLR_ARE_S | GICD_CTLR_ARE_NS | GICD_CTLR_EnableGrp1NS);
	wait_rwp();
	return 0;
}

void gic_cpu_init(void)
{
	uint64_t rd;

	write_sysreg(icc_sre_el3,
		     ICC_SRE_SRE | ICC_SRE_DFB | ICC_SRE_DIB | ICC_SRE_ENABLE);
	isb();
	rd = gicd ? gic_find_redistributor(gicr, gicr_size, read_sysreg(mpidr_el1)) : 0;
	if (!rd)
		return;
	wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~GICR_WAKER_ProcessorSleep);
	for (int i = 0;
	     i < 1000000 && (rd32(rd + GICR_WAKER) & GICR_WAKER_ChildrenAsleep); i++)
		;
	wr32(rd + GICR_SGI_BASE + GICR_IGROUPR0, ~0u);
	wr32(rd + GICR_SGI_BASE + GICR_IGRPMODR0, 0);
	/* ICC_IGRPEN1_EL3.EnableGrp1NS: Non-secure Group 1 signalled here. */
	write_sysreg(S3_6_C12_C12_7, 1);
	isb();
}
