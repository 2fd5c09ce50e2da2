/*
 * GICv3 register offsets and fields (Arm IHI 0069), by their spec names,
 * for the physical GIC the monitor and the hypervisor program.
 */
#ifndef LIB_GICV3_H
#define LIB_GICV3_H

#include <stdint.h>

/* Distributor */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IGROUPR(n) (0x0080 + 4 * (n))
#define GICD_ISENABLER(n) (0x0100 + 4 * (n))
#define GICD_ICENABLER(n) (0x0180 + 4 * (n))
#define GICD_IPRIORITYR(n) (0x0400 + (n)) /* byte per INTID */
#define GICD_ICFGR(n) (0x0c00 + 4 * (n))
#define GICD_IGRPMODR(n) (0x0d00 + 4 * (n))
#define GICD_IROUTER(n) (0x6000 + 8 * (n))
#define GICD_TYPER_ITLINES(t) ((t)&0x1f)
/* GICD_CTLR, Secure view with two security states (DS = 0) */
#define GICD_CTLR_ENABLE_G0 (1u << 0)
#define GICD_CTLR_ENABLE_G1NS (1u << 1)
#define GICD_CTLR_ENABLE_G1S (1u << 2)
#define GICD_CTLR_ARE_S (1u << 4)
#define GICD_CTLR_ARE_NS (1u << 5)
#define GICD_CTLR_RWP (1u << 31)
/* GICD_CTLR, Non-secure view */
#define GICD_CTLR_NS_ENABLE_G1A (1u << 1)
#define GICD_CTLR_NS_ARE_NS (1u << 4)

/* Redistributor: RD_base frame, then SGI_base frame 64 KiB above */
#define GICR_FRAME_STRIDE 0x20000
#define GICR_SGI_BASE 0x10000
#define GICR_CTLR 0x0000
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_TYPER_LAST (1ull << 4)
#define GICR_TYPER_AFFINITY(t) ((t) >> 32)
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
/* in the SGI_base frame */
#define GICR_IGROUPR0 0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_ICACTIVER0 0x0380
#define GICR_ICENABLER0 0x0180
#define GICR_IPRIORITYR(n) (0x0400 + (n))
#define GICR_IGRPMODR0 0x0d00

/* INTIDs */
#define GIC_SPI_BASE 32
#define GIC_SPURIOUS 1023
#define GIC_PPI_MAINTENANCE 25
#define GIC_PPI_HYP_TIMER 26
#define GIC_PPI_VTIMER 27
#define GIC_PPI_PTIMER 30 /* EL1 physical timer */

/* ICC_SRE_ELx */
#define ICC_SRE_SRE_BIT (1u << 0)
#define ICC_SRE_DFB_BIT (1u << 1)
#define ICC_SRE_DIB_BIT (1u << 2)
#define ICC_SRE_ENABLE_BIT (1u << 3)

/* The affinity of an MPIDR as GICR_TYPER.Affinity_Value holds it. */
static inline uint32_t gic_affinity_of_mpidr(uint64_t mpidr)
{
	return (uint32_t)((mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24);
}

/* The redistributor frame of the CPU with this MPIDR, found by walking the
 * frames of the region at base (size bytes) to the one marked Last; 0 if
 * none matches. */
static inline uintptr_t gic_find_redistributor(uintptr_t base, uint64_t size,
					       uint64_t mpidr)
{
	uint32_t aff = gic_affinity_of_mpidr(mpidr);

	for (uint64_t off = 0; off < size; off += GICR_FRAME_STRIDE) {
		uint64_t typer = *(volatile uint64_t *)(base + off + GICR_TYPER);

		if (GICR_TYPER_AFFINITY(typer) == aff)
			return base + off;
		if (typer & GICR_TYPER_LAST)
			break;
	}
	return 0;
}

#endif
