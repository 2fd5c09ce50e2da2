/*
 * The GICv3 memory-mapped register map (Arm IHI 0069): distributor and
 * redistributor offsets and fields by their spec names, for both the
 * drivers of the physical GIC (monitor/gic.c, hyp/drivers/gic.c, lib/gicv3.h) and
 * the emulated one (hyp/vdev/vgic_model.c). Section numbers are those of IHI 0069's
 * chapter 12, which lists the GICD registers as 12.9.x and the GICR
 * registers as 12.11.x, alphabetically. The CPU interface (ICC_*, ICH_*)
 * is system registers: arch/sysreg.h.
 *
 * A register family GICD_<NAME>R<n> is defined by the offset of its n = 0
 * instance, GICD_<NAME>R; GICD_<NAME>Rn(n) gives the one holding INTID
 * n's state for a driver that programs one INTID.
 */
#ifndef ARCH_GICV3_H
#define ARCH_GICV3_H

/* ---- Distributor, Dist_base frame (12.8 register map) ------------------ */
#define GICD_CTLR 0x0000u	/* 12.9.4 */
#define GICD_TYPER 0x0004u	/* 12.9.38 */
#define GICD_IIDR 0x0008u	/* 12.9.17 */
#define GICD_IGROUPR 0x0080u	/* 12.9.13 */
#define GICD_ISENABLER 0x0100u	/* 12.9.26 */
#define GICD_ICENABLER 0x0180u	/* 12.9.7 */
#define GICD_ISPENDR 0x0200u	/* 12.9.28 */
#define GICD_ICPENDR 0x0280u	/* 12.9.11 */
#define GICD_ISACTIVER 0x0300u	/* 12.9.24 */
#define GICD_ICACTIVER 0x0380u	/* 12.9.5 */
#define GICD_IPRIORITYR 0x0400u /* 12.9.20 */
#define GICD_ICFGR 0x0c00u	/* 12.9.9 */
#define GICD_IGRPMODR 0x0d00u	/* 12.9.15 */
#define GICD_NSACR 0x0e00u	/* 12.9.31 */
#define GICD_IROUTER 0x6000u	/* 12.9.22 */
#define GICD_PIDR2 0xffe8u

/* Each bit-per-INTID family has 32 registers (1024 INTIDs) of 4 bytes. */
#define GIC_BITREG_FAMILY_SIZE 0x80u
/* GICD_IPRIORITYR<n>, n = 0..254: a byte per INTID 0..1019. */
#define GICD_IPRIORITYR_SIZE (255u * 4)
/* GICD_ICFGR<n>, n = 0..63: two bits per INTID. */
#define GICD_ICFGR_SIZE (64u * 4)
#define GICD_IGRPMODR_SIZE (32u * 4)
#define GICD_NSACR_SIZE (64u * 4)
/* GICD_IROUTER<n>, n = 32..1019: 0x0000..0x00ff (n < 32) is reserved. */
#define GICD_IROUTER_FIRST (GICD_IROUTER + 32u * 8)
#define GICD_IROUTER_END (GICD_IROUTER + 1020u * 8)

/* GICD_CTLR (12.9.4), the layout for a GIC with a single Security state
 * (DS = 1), as the emulated GIC has. */
#define GICD_CTLR_EnableGrp0 (1u << 0)
#define GICD_CTLR_EnableGrp1 (1u << 1)
#define GICD_CTLR_ARE (1u << 4)	  /* affinity routing */
#define GICD_CTLR_DS (1u << 6)	  /* single Security state */
#define GICD_CTLR_E1NWF (1u << 7) /* 1 of N wakeup */
#define GICD_CTLR_RWP (1u << 31)  /* a write is still taking effect */
/* GICD_CTLR with two Security states (DS = 0), the Secure view ... */
#define GICD_CTLR_EnableGrp1NS (1u << 1)
#define GICD_CTLR_EnableGrp1S (1u << 2)
#define GICD_CTLR_ARE_S (1u << 4)
#define GICD_CTLR_ARE_NS (1u << 5)
/* ... and the Non-secure view */
#define GICD_CTLR_NS_EnableGrp1A (1u << 1)
#define GICD_CTLR_NS_ARE_NS (1u << 4)

/* GICD_TYPER (12.9.38). */
#define GICD_TYPER_ITLinesNumber_SHIFT 0
#define GICD_TYPER_ITLinesNumber_MASK 0x1fu /* 32 * (N + 1) INTIDs */
#define GICD_TYPER_CPUNumber_SHIFT 5
#define GICD_TYPER_ESPI (1u << 8)
#define GICD_TYPER_NMI (1u << 9)
#define GICD_TYPER_SecurityExtn (1u << 10) /* two Security states */
#define GICD_TYPER_num_LPIs_SHIFT 11
#define GICD_TYPER_MBIS (1u << 16)
#define GICD_TYPER_LPIS (1u << 17)
#define GICD_TYPER_DVIS (1u << 18)
#define GICD_TYPER_IDbits_SHIFT 19 /* interrupt ID bits, minus one */
#define GICD_TYPER_A3V (1u << 24)  /* 0: Aff3 is always 0 */
#define GICD_TYPER_No1N (1u << 25) /* 1: no 1 of N SPI routing */
#define GICD_TYPER_RSS (1u << 26)  /* 0: SGI targets Aff0 0..15 */

/* GICD_IIDR and GICR_IIDR (12.9.17, 12.11.16): IMPLEMENTATION DEFINED. */
#define GIC_IIDR_Implementer_SHIFT 0
#define GIC_IIDR_Revision_SHIFT 12
#define GIC_IIDR_Variant_SHIFT 16
#define GIC_IIDR_ProductID_SHIFT 24
/* The identification block at the top of the GICD and RD_base frames.
 * Only GICD_PIDR2/GICR_PIDR2.ArchRev is architected. */
#define GIC_IDREGS 0xffd0u
#define GIC_PIDR2_ArchRev_SHIFT 4
#define GIC_PIDR2_ArchRev_GICv3 0x3u

/* GICD_IROUTER<n> (12.9.22). */
#define GICD_IROUTER_Aff0_SHIFT 0
#define GICD_IROUTER_Aff1_SHIFT 8
#define GICD_IROUTER_Aff2_SHIFT 16
#define GICD_IROUTER_Interrupt_Routing_Mode (1ull << 31)
#define GICD_IROUTER_Aff3_SHIFT 32
#define GIC_AFF_FIELD 0xffull
#define GICD_IROUTER_AFFINITY                         \
	((GIC_AFF_FIELD << GICD_IROUTER_Aff0_SHIFT) | \
	 (GIC_AFF_FIELD << GICD_IROUTER_Aff1_SHIFT) | \
	 (GIC_AFF_FIELD << GICD_IROUTER_Aff2_SHIFT) | \
	 (GIC_AFF_FIELD << GICD_IROUTER_Aff3_SHIFT))

/* GICD_ICFGR<n> / GICR_ICFGR<n>: Int_config<x> is bits [2x+1:2x]; [2x] is
 * RES0 and [2x+1] is 1 for edge-triggered. */
#define GIC_ICFGR_Int_config_EDGE_BIT 1u

/* ---- Redistributor, RD_base and SGI_base frames (12.10) --------------- */
#define GICR_FRAME_STRIDE 0x20000u /* RD_base and SGI_base, per CPU */
#define GICR_SGI_BASE 0x10000u	   /* SGI_base frame, after RD_base */
#define GICR_CTLR 0x0000u	   /* 12.11.2 */
#define GICR_IIDR 0x0004u	   /* 12.11.16 */
#define GICR_TYPER 0x0008u	   /* 12.11.37, 64-bit */
#define GICR_WAKER 0x0014u	   /* 12.11.42 */
#define GICR_PIDR2 0xffe8u
/* In the SGI_base frame: */
#define GICR_IGROUPR0 0x0080u	 /* 12.11.12 */
#define GICR_ISENABLER0 0x0100u	 /* 12.11.25 */
#define GICR_ICENABLER0 0x0180u	 /* 12.11.5 */
#define GICR_ISPENDR0 0x0200u	 /* 12.11.27 */
#define GICR_ICPENDR0 0x0280u	 /* 12.11.10 */
#define GICR_ISACTIVER0 0x0300u	 /* 12.11.23 */
#define GICR_ICACTIVER0 0x0380u	 /* 12.11.3 */
#define GICR_IPRIORITYR 0x0400u	 /* 12.11.21, n = 0..7 */
#define GICR_ICFGR0 0x0c00u	 /* 12.11.7, SGIs */
#define GICR_ICFGR1 0x0c04u	 /* 12.11.8, PPIs */
#define GICR_IGRPMODR0 0x0d00u	 /* 12.11.14 */
#define GICR_NSACR 0x0e00u	 /* 12.11.30 */
#define GICR_IPRIORITYR_SIZE 32u /* one byte per INTID 0..31 */

/* GICR_CTLR (12.11.2). */
#define GICR_CTLR_EnableLPIs (1u << 0)
#define GICR_CTLR_RWP (1u << 3)
#define GICR_CTLR_UWP (1u << 31)

/* GICR_TYPER (12.11.37). */
#define GICR_TYPER_PLPIS (1ull << 0)
#define GICR_TYPER_VLPIS (1ull << 1)
#define GICR_TYPER_DirectLPI (1ull << 3)
#define GICR_TYPER_Last (1ull << 4)
#define GICR_TYPER_DPGS (1ull << 5)
#define GICR_TYPER_Processor_Number_SHIFT 8
#define GICR_TYPER_Affinity_Value_SHIFT 32

/* GICR_WAKER (12.11.42); reset value: both bits 1. */
#define GICR_WAKER_ProcessorSleep (1u << 1)
#define GICR_WAKER_ChildrenAsleep (1u << 2)

/* The SGI_base frame's registers sit at the GICD offsets of their n = 0
 * instances, which lets one table describe both. */
_Static_assert(GICR_IGROUPR0 == GICD_IGROUPR && GICR_ISENABLER0 == GICD_ISENABLER &&
		       GICR_ICENABLER0 == GICD_ICENABLER &&
		       GICR_ISPENDR0 == GICD_ISPENDR && GICR_ICPENDR0 == GICD_ICPENDR &&
		       GICR_ISACTIVER0 == GICD_ISACTIVER &&
		       GICR_ICACTIVER0 == GICD_ICACTIVER &&
		       GICR_IPRIORITYR == GICD_IPRIORITYR && GICR_ICFGR0 == GICD_ICFGR,
	       "SGI_base frame layout");

/* The register holding INTID n's state in each family. */
#define GIC_BITREG_OF(base, n) ((base) + 4u * ((n) / 32u))
#define GICD_IGROUPRn(n) GIC_BITREG_OF(GICD_IGROUPR, n)
#define GICD_ISENABLERn(n) GIC_BITREG_OF(GICD_ISENABLER, n)
#define GICD_ICENABLERn(n) GIC_BITREG_OF(GICD_ICENABLER, n)
#define GICD_ISPENDRn(n) GIC_BITREG_OF(GICD_ISPENDR, n)
#define GICD_ICPENDRn(n) GIC_BITREG_OF(GICD_ICPENDR, n)
#define GICD_IGRPMODRn(n) GIC_BITREG_OF(GICD_IGRPMODR, n)
#define GICD_IPRIORITYRn(n) (GICD_IPRIORITYR + (n)) /* the byte of INTID n */
#define GICD_IROUTERn(n) (GICD_IROUTER + 8u * (n))
#define GICR_IPRIORITYRn(n) (GICR_IPRIORITYR + (n))

/* INTIDs */
#define GIC_SPI_BASE 32
#define GIC_SPURIOUS 1023
#define GIC_PPI_MAINTENANCE 25
#define GIC_PPI_HYP_TIMER 26
#define GIC_PPI_VTIMER 27
#define GIC_PPI_PTIMER 30 /* EL1 physical timer */

#endif
