/*
 * AArch64 system registers and their fields, by their ARM ARM names.
 * Only what the platform programs is here; each field is written once and
 * used by name everywhere else. Safe to include from assembly and from host
 * unit tests: under HOST_BUILD the accessors and barriers are the host
 * double's (arch/fake/sysreg.h), registers as fields of a struct.
 */
#ifndef ARCH_SYSREG_H
#define ARCH_SYSREG_H

#ifdef __ASSEMBLY__
#define BIT(n) (1 << (n))
#define UL(x) x
#else
#include <stdint.h>
#define BIT(n) (1ull << (n))
#define UL(x) x##ull
#endif

/* SCTLR_EL2 (HCR_EL2.E2H == 0) and SCTLR_EL3 share these fields. */
#define SCTLR_ELx_M BIT(0)    /* stage 1 MMU enable */
#define SCTLR_ELx_A BIT(1)    /* alignment check */
#define SCTLR_ELx_C BIT(2)    /* data cacheability */
#define SCTLR_ELx_SA BIT(3)   /* SP alignment check */
#define SCTLR_ELx_I BIT(12)   /* instruction cacheability */
#define SCTLR_ELx_WXN BIT(19) /* writable implies execute-never */
#define SCTLR_ELx_EE BIT(25)  /* big-endian data */
/* Bits that are RES1 in SCTLR_EL2 (E2H=0) and SCTLR_EL3: 4,5,11,16,18,22,23,28,29. */
#define SCTLR_ELx_RES1 UL(0x30C50830)

/* TCR_EL2 (E2H == 0) and TCR_EL3: one VA range, through TTBR0. */
#define TCR_T0SZ(bits) (64 - (bits))
#define TCR_IRGN0_WBWA (UL(1) << 8)
#define TCR_ORGN0_WBWA (UL(1) << 10)
#define TCR_SH0_INNER (UL(3) << 12)
#define TCR_TG0_4K (UL(0) << 14)
#define TCR_PS_SHIFT 16
#define TCR_PS_48BIT (UL(5) << TCR_PS_SHIFT)
#define TCR_ELx_RES1 (BIT(31) | BIT(23))
#define VA_BITS 48

/* CPTR_EL2 (E2H == 0) and CPTR_EL3. */
#define CPTR_EL2_RES1 (BIT(13) | BIT(12) | BIT(9) | BIT(8) | 0xff)
#define CPTR_ELx_TFP BIT(10) /* trap FP/SIMD */
#define CPTR_EL3_EZ BIT(8)   /* EL3: SVE enabled below (1 = not trapped) */
#define CPTR_EL3_ESM BIT(12) /* EL3: SME enabled below */
#define CPTR_EL3_TAM BIT(30)
#define CPTR_EL3_TCPAC BIT(31)

/* ZCR_EL3 / SMCR_EL3 (encodings: older assemblers lack the names) */
#define ZCR_EL3 S3_6_C1_C2_0
#define SMCR_EL3 S3_6_C1_C2_6
#define ZCR_ELx_LEN_MAX 0xfull	/* LEN[3:0]: the longest vector the PE has */
#define SMCR_ELx_LEN_MAX 0xfull /* LEN[3:0]: the longest streaming vector */
#define SMCR_ELx_EZT0 BIT(30)	/* ZT0 (SME2) not trapped */
#define SMCR_ELx_FA64 BIT(31)	/* the full A64 set in streaming mode */

/* HCR_EL2 */
#define HCR_EL2_VM BIT(0)	    /* stage 2 translation for EL1/EL0 */
#define HCR_EL2_SWIO BIT(1)	    /* set/way invalidate is clean+invalidate */
#define HCR_EL2_FMO BIT(3)	    /* physical FIQ to EL2, virtual FIQ on */
#define HCR_EL2_IMO BIT(4)	    /* physical IRQ to EL2, virtual IRQ on */
#define HCR_EL2_AMO BIT(5)	    /* physical SError to EL2, virtual SError on */
#define HCR_EL2_FB BIT(9)	    /* TLB/cache maintenance broadcast */
#define HCR_EL2_BSU_IS (1ull << 10) /* barriers upgraded to inner shareable */
#define HCR_EL2_TWI BIT(13)
#define HCR_EL2_TWE BIT(14)
#define HCR_EL2_TID3 BIT(18)  /* ID group 3 registers trap */
#define HCR_EL2_TSC BIT(19)   /* SMC traps to EL2 */
#define HCR_EL2_TIDCP BIT(20) /* implementation-defined registers trap */
#define HCR_EL2_TACR BIT(21)  /* ACTLR_EL1 traps */
#define HCR_EL2_TGE BIT(27)   /* EL0 runs under EL2: its exceptions go there */
#define HCR_EL2_RW BIT(31)    /* EL1 is AArch64 */
#define HCR_EL2_TEA BIT(37)   /* synchronous external aborts to EL2 */
#define HCR_EL2_APK BIT(40)   /* pointer authentication keys not trapped */
#define HCR_EL2_API BIT(41)   /* pointer authentication insns not trapped */

/* MDCR_EL2 */
#define MDCR_EL2_HPMN_MASK 0x1full /* PMU counters the guest owns */
#define MDCR_EL2_TDE BIT(8)	   /* debug exceptions to EL2 */
#define MDCR_EL2_TDA BIT(9)	   /* debug register accesses trap */
#define MDCR_EL2_TDOSA BIT(10)	   /* OS-lock/powerdown registers trap */
#define MDCR_EL2_TDRA BIT(11)	   /* debug ROM address registers trap */
#define MDCR_EL2_HPMD BIT(17)	   /* guest's counters do not count at EL2 */

/* CPTR_EL2 (E2H == 0) */
#define CPTR_EL2_TZ BIT(8)   /* SVE traps */
#define CPTR_EL2_TSM BIT(12) /* SME traps */
#define CPTR_EL2_TTA BIT(20) /* trace registers trap */
#define CPTR_EL2_TAM BIT(30) /* activity monitors trap */

/* CNTHCTL_EL2 (E2H == 0) */
#define CNTHCTL_EL1PCTEN BIT(0) /* EL1/EL0 may read the physical counter */
#define CNTHCTL_EL1PCEN BIT(1)	/* EL1/EL0 may use the physical timer */

/* CNTx_CTL_EL0 and CNTHP_CTL_EL2: a generic timer's control */
#define CNT_CTL_ENABLE BIT(0)
#define CNT_CTL_IMASK BIT(1)
#define CNT_CTL_ISTATUS BIT(2)

/* The PMU: event counter 0 counting retired instructions, as the
 * benchmarks use it. PMEVTYPER<n>_EL0's filters: P excludes EL1, U
 * excludes EL0, NSH includes EL2. */
#define PMU_EVENT_INST_RETIRED 0x08
#define PMEVTYPER_P BIT(31)
#define PMEVTYPER_U BIT(30)
#define PMEVTYPER_NSH BIT(27)
#define PMCR_E BIT(0) /* PMCR_EL0: counters enabled */
#define PMCR_P BIT(1) /* ... event counters reset */

/* SCTLR_EL1: what is RES1 with the MMU and caches off (the boot state). */
#define SCTLR_EL1_RES1 UL(0x30d00800)

/* ISR_EL1 */
#define ISR_EL1_I BIT(7) /* an IRQ (or virtual IRQ) is pending */

/* MDSCR_EL1 */
#define MDSCR_SS BIT(0)	   /* software step */
#define MDSCR_TDCC BIT(12) /* EL0 DCC accesses trap to EL1 */
#define MDSCR_KDE BIT(13)  /* debug exceptions at EL1 */
#define MDSCR_MDE BIT(15)  /* breakpoints and watchpoints */

/* VTTBR_EL2 */
#define VTTBR_VMID_SHIFT 48

/* MPIDR_EL1 / VMPIDR_EL2 */
#define MPIDR_RES1 BIT(31)

/* SCR_EL3 */
#define SCR_EL3_NS BIT(0) /* lower ELs are Non-secure */
#define SCR_EL3_IRQ BIT(1)
#define SCR_EL3_FIQ BIT(2)
#define SCR_EL3_EA BIT(3) /* external aborts and SError to EL3 */
#define SCR_EL3_RES1 (BIT(4) | BIT(5))
#define SCR_EL3_SMD BIT(7)	 /* SMC disabled */
#define SCR_EL3_HCE BIT(8)	 /* HVC enabled */
#define SCR_EL3_RW BIT(10)	 /* next lower EL is AArch64 */
#define SCR_EL3_APK BIT(16)	 /* pointer authentication keys not trapped */
#define SCR_EL3_API BIT(17)	 /* pointer authentication insns not trapped */
#define SCR_EL3_ATA BIT(26)	 /* allocation tags accessible */
#define SCR_EL3_FGTEN BIT(27)	 /* fine-grained trap registers accessible */
#define SCR_EL3_ECVEN BIT(28)	 /* enhanced counter virtualisation */
#define SCR_EL3_HXEN BIT(38)	 /* HCRX_EL2 accessible */
#define SCR_EL3_GCSEN BIT(39)	 /* guarded control stacks usable below */
#define SCR_EL3_ENTP2 BIT(41)	 /* TPIDR2_EL0 (SME) accessible */
#define SCR_EL3_TCR2EN BIT(43)	 /* TCR2_ELx accessible */
#define SCR_EL3_SCTLR2EN BIT(44) /* SCTLR2_ELx accessible */
#define SCR_EL3_PIEN BIT(45)	 /* permission indirection registers accessible */
#define SCR_EL3_GPF BIT(48)	 /* granule protection faults to EL3 */
#define SCR_EL3_NSE BIT(62)	 /* with NS: security state of lower ELs */

/* ICC_SRE_EL3 / ICC_SRE_EL2 */
#define ICC_SRE_SRE BIT(0) /* system register interface */
#define ICC_SRE_DFB BIT(1)
#define ICC_SRE_DIB BIT(2)
#define ICC_SRE_ENABLE BIT(3) /* lower EL may set its own SRE */

/* ICC_CTLR_EL1 */
#define ICC_CTLR_EOImode BIT(1) /* priority drop and deactivation split */
/* PRIbits [10:8]: implemented priority bits minus one. */
#define ICC_CTLR_PRIbits(ctlr) ((unsigned)(((ctlr) >> 8) & 7) + 1)

/* ICC_SGI1R_EL1 */
#define ICC_SGI1R_EL1_TargetList_MASK 0xffffull
#define ICC_SGI1R_EL1_Aff1_SHIFT 16
#define ICC_SGI1R_EL1_INTID_SHIFT 24
#define ICC_SGI1R_EL1_INTID_MASK 0xfull
#define ICC_SGI1R_EL1_Aff2_SHIFT 32
#define ICC_SGI1R_EL1_IRM BIT(40)
#define ICC_SGI1R_EL1_RS_SHIFT 44
#define ICC_SGI1R_EL1_RS_MASK 0xfull
#define ICC_SGI1R_EL1_Aff3_SHIFT 48
#define ICC_SGI1R_EL1_TARGETS_PER_RS 16u /* TargetList bits: Aff0 RS*16.. */

/* ICH_HCR_EL2 */
#define ICH_HCR_EN BIT(0)  /* virtual CPU interface enabled */
#define ICH_HCR_UIE BIT(1) /* maintenance when the LRs run (nearly) empty */

/* ICH_VTR_EL2: ListRegs [4:0] and PREbits [28:26] hold the count minus one.
 * Preemption bits: 5, 6 or 7, for 1, 2 or 4 active-priority registers. */
#define ICH_VTR_LISTREGS(v) (((v)&0x1f) + 1)
#define ICH_VTR_PREBITS(v) ((((v) >> 26) & 0x7) + 1)

/* ICH_LR<n>_EL2 */
#define ICH_LR_STATE_SHIFT 62
#define ICH_LR_PENDING 1ull
#define ICH_LR_ACTIVE 2ull
#define ICH_LR_HW BIT(61)
#define ICH_LR_GROUP1 BIT(60)
#define ICH_LR_PRIORITY_SHIFT 48
#define ICH_LR_EOI BIT(41) /* maintenance interrupt on EOI (HW = 0) */
#define ICH_LR_PINTID_SHIFT 32
#define ICH_LR_VINTID_MASK 0xffffffffull

/* SPSR_ELx / PSTATE */
#define SPSR_M_EL1H 0x5
#define SPSR_M_EL2H 0x9
#define SPSR_M_EL3H 0xd
#define SPSR_M_MASK 0xf
#define SPSR_M_SP_ELX BIT(0)  /* M[0]: on SP_ELx (else SP_EL0) */
#define SPSR_M_AARCH32 BIT(4) /* M[4]: the context was AArch32 */
#define SPSR_F BIT(6)
#define SPSR_I BIT(7)
#define SPSR_A BIT(8)
#define SPSR_D BIT(9)
#define SPSR_DAIF (SPSR_D | SPSR_A | SPSR_I | SPSR_F)
/* The DAIF register (as read with MRS) holds the mask bits where SPSR does. */
#define DAIF_I SPSR_I

/* ESR_ELx */
#define ESR_EC_SHIFT 26
#define ESR_EC_MASK UL(0x3f)
#define ESR_EC(esr) (((esr) >> ESR_EC_SHIFT) & ESR_EC_MASK)
#define ESR_IL BIT(25)
#define ESR_ISS_MASK UL(0x1ffffff)
#define ESR_EC_UNKNOWN 0x00
#define ESR_EC_WFX 0x01 /* WFI, WFE, WFIT, WFET trapped (HCR_EL2.TWI/TWE) */
/* Its ISS: TI, which instruction; RV, Rt holds a WFIT/WFET timeout (the
 * virtual count it waits until) */
#define ESR_WFX_TI(esr) ((esr)&0x3)
#define ESR_WFX_TI_WFI 0
#define ESR_WFX_TI_WFE 1
#define ESR_WFX_TI_WFIT 2
#define ESR_WFX_TI_WFET 3
#define ESR_WFX_RV BIT(2)
#define ESR_WFX_RT(esr) (((esr) >> 5) & 0x1f)
#define ESR_EC_HVC64 0x16
#define ESR_EC_SMC64 0x17
#define ESR_EC_SYS64 0x18
#define ESR_EC_GPC 0x1e /* granule protection check, taken to EL3 */
#define ESR_EC_IABT_LOW 0x20
#define ESR_EC_IABT_CUR 0x21
#define ESR_EC_DABT_LOW 0x24
#define ESR_EC_DABT_CUR 0x25
#define ESR_EC_SERROR 0x2f
#define ESR_EC_BKPT_LOW 0x30 /* hardware breakpoint */
#define ESR_EC_BKPT_CUR 0x31
#define ESR_EC_SSTEP_LOW 0x32 /* software step */
#define ESR_EC_SSTEP_CUR 0x33
#define ESR_EC_WATCH_LOW 0x34 /* watchpoint */
#define ESR_EC_WATCH_CUR 0x35
#define ESR_EC_BKPT32 0x38 /* AArch32 BKPT */
#define ESR_EC_BRK64 0x3c
/* HVC, SMC and BRK ISS: the instruction's 16-bit immediate */
#define ESR_ISS_IMM16(esr) ((esr)&0xffff)
/* Data/instruction abort ISS */
#define ESR_ISS_ISV BIT(24)			/* ISS[23:14] describe the access */
#define ESR_ISS_SAS(iss) (((iss) >> 22) & 3)	/* access size: 1 << SAS bytes */
#define ESR_ISS_SSE BIT(21)			/* sign-extend the loaded value */
#define ESR_ISS_SRT(iss) (((iss) >> 16) & 0x1f) /* the register Rt */
#define ESR_ISS_SF BIT(15)			/* Rt is 64-bit */
#define ESR_ISS_WNR BIT(6)			/* write, not read */
#define ESR_ISS_FSC_MASK 0x3f
#define ESR_FSC_SEA 0x10       /* synchronous external abort, not on a walk */
#define ESR_FSC_ALIGNMENT 0x21 /* alignment fault */
/* Trapped MSR/MRS (EC 0x18) ISS */
#define ESR_SYS_READ BIT(0) /* MRS */
#define ESR_SYS_CRM(iss) (((iss) >> 1) & 0xf)
#define ESR_SYS_RT(iss) (((iss) >> 5) & 0x1f)
#define ESR_SYS_CRN(iss) (((iss) >> 10) & 0xf)
#define ESR_SYS_OP1(iss) (((iss) >> 14) & 0x7)
#define ESR_SYS_OP2(iss) (((iss) >> 17) & 0x7)
#define ESR_SYS_OP0(iss) (((iss) >> 20) & 0x3)
#define ESR_SYS_RT_FIELD (0x1f << 5)
/* The ISS of an access to the register (op0, op1, CRn, CRm, op2). */
#define ESR_SYS_ISS(op0, op1, crn, crm, op2) \
	(((op0) << 20) | ((op2) << 17) | ((op1) << 14) | ((crn) << 10) | ((crm) << 1))
/* GPC exception ISS */
#define ESR_GPC_IND BIT(20) /* fault on an instruction fetch */

/* GPTBR_EL3 and GPCCR_EL3 (FEAT_RME; encodings, as older assemblers lack
 * the names); their fields are lib/gpt.h's. */
#define GPTBR_EL3 S3_6_C2_C1_4
#define GPCCR_EL3 S3_6_C2_C1_6

/* MFAR_EL3 (FEAT_RME): FPA, the physical page of a granule protection
 * fault, bits [55:12]; the offset in the page is FAR_EL3's. */
#define MFAR_EL3 S3_6_C6_C0_5
#define MFAR_PA_MASK 0x00fffffffffff000ull

/* PAR_EL1 after an address translation instruction: F (it failed), and
 * the output address PA[51:12]. */
#define PAR_F BIT(0)
#define PAR_PA_MASK 0x000ffffffffff000ull

/* SCTLR_EL1.E0E: EL0's data accesses are big-endian. */
#define SCTLR_EL1_E0E BIT(24)

/* MPIDR_EL1 */
#define MPIDR_AFF0(m) ((m)&0xff)
#define MPIDR_AFF1(m) (((m) >> 8) & 0xff)
#define MPIDR_AFFINITY_MASK UL(0xff00ffffff)

/* HPFAR_EL2.FIPA: bits [47:12] of a stage-2 faulting IPA, held in [43:4]. */
#define HPFAR_FIPA_SHIFT 4
#define HPFAR_FIPA_MASK 0xfffffffffff0ull

/* ID register fields: 4 bits each at these shifts, 0 = not implemented. */
#define ID_FIELD(reg, shift) (((reg) >> (shift)) & 0xf)
#define ID_FIELD_MASK(shift) (UL(0xf) << (shift))
#define ID_AA64PFR0_RME_SHIFT 52       /* FEAT_RME */
#define ID_AA64PFR0_SVE_SHIFT 32       /* FEAT_SVE */
#define ID_AA64PFR0_GIC_SHIFT 24       /* GIC system register interface */
#define ID_AA64PFR0_MPAM_SHIFT 40      /* FEAT_MPAM */
#define ID_AA64PFR0_AMU_SHIFT 44       /* FEAT_AMU */
#define ID_AA64PFR1_MPAM_FRAC_SHIFT 16 /* FEAT_MPAM minor version */
#define ID_AA64PFR1_GCS_SHIFT 44       /* FEAT_GCS */
#define ID_AA64PFR1_SME_SHIFT 24       /* 1 FEAT_SME, 2 FEAT_SME2 */
#define ID_AA64PFR1_MTE_SHIFT 8	       /* 2 or more: FEAT_MTE2, allocation tags */
#define ID_AA64PFR1_SME2 2	       /* the SME field's FEAT_SME2 value */
#define ID_AA64PFR1_MTE2 2	       /* the MTE field's FEAT_MTE2 value */
#define ID_AA64MMFR0_FGT_SHIFT 56      /* 1 FEAT_FGT, 2 FEAT_FGT2 */
#define ID_AA64MMFR0_TGRAN4_SHIFT 28   /* 0 supported, 0xf not */
#define ID_AA64MMFR0_TGRAN64_SHIFT 24  /* 0 supported, 0xf not */
#define ID_AA64MMFR0_TGRAN16_SHIFT 20  /* 0 not supported, 1 or more supported */
#define ID_TGRAN_4_64_NONE 0xf	       /* TGran4/TGran64: not supported */
#define ID_AA64MMFR1_HCX_SHIFT 40      /* FEAT_HCX: HCRX_EL2 */
#define ID_AA64MMFR3_TCRX_SHIFT 0      /* FEAT_TCR2 */
#define ID_AA64MMFR3_SCTLRX_SHIFT 4    /* FEAT_SCTLR2 */
#define ID_AA64MMFR3_S1PIE_SHIFT 8     /* FEAT_S1PIE */
#define ID_AA64SMFR0_FA64 BIT(63)      /* FEAT_SME_FA64 */
#define ID_AA64DFR0_TRACEVER_SHIFT 4   /* a trace unit's system registers */
#define ID_AA64DFR0_PMSVER_SHIFT 32    /* FEAT_SPE */
/* Pointer authentication: ID_AA64ISAR1_EL1's APA, API, GPA and GPI, and
 * ID_AA64ISAR2_EL1's GPA3 and APA3 (non-zero: some algorithm is there) */
#define ID_AA64ISAR1_PAUTH_MASK 0xff000ff0ull
#define ID_AA64ISAR2_PAUTH_MASK 0xff00ull
#define ID_AA64DFR0_TRACEFILT_SHIFT 40	 /* FEAT_TRF */
#define ID_AA64DFR0_TRACEBUFFER_SHIFT 44 /* FEAT_TRBE */
#define ID_AA64DFR0_BRBE_SHIFT 52	 /* FEAT_BRBE */
/* Encodings of ID registers older assemblers do not name. */
#define ID_AA64MMFR3_EL1 S3_0_C0_C7_3
#define ID_AA64SMFR0_EL1 S3_0_C0_C4_5

/* EL2 registers the monitor clears before EL2 first runs (their reset
 * values are UNKNOWN); encodings, as older assemblers lack the names. */
#define HCRX_EL2 S3_4_C1_C2_2
#define HFGRTR_EL2 S3_4_C1_C1_4
#define HFGWTR_EL2 S3_4_C1_C1_5
#define HFGITR_EL2 S3_4_C1_C1_6
#define HDFGRTR_EL2 S3_4_C3_C1_4
#define HDFGWTR_EL2 S3_4_C3_C1_5

/* ID_AA64ISAR0_EL1.CRC32: FEAT_CRC32 (CRC32B..CRC32X) */
#define ID_AA64ISAR0_CRC32_SHIFT 16
/* ID_AA64ISAR0_EL1.RNDR: FEAT_RNG */
#define ID_AA64ISAR0_RNDR_SHIFT 60

/* Exception vector offsets from VBAR_ELx */
#define VECTOR_CUR_SP0_SYNC 0x000
#define VECTOR_CUR_SPX_SYNC 0x200
#define VECTOR_LOWER_A64_SYNC 0x400
#define VECTOR_LOWER_A64_IRQ 0x480
#define VECTOR_LOWER_A32_SYNC 0x600
#define VECTOR_ENTRY_SIZE 0x80

#ifndef __ASSEMBLY__
#ifndef HOST_BUILD
#define read_sysreg(reg)                                      \
	({                                                    \
		uint64_t v_;                                  \
		__asm__ volatile("mrs %0, " #reg : "=r"(v_)); \
		v_;                                           \
	})
#define write_sysreg(reg, val) \
	__asm__ volatile("msr " #reg ", %0" ::"r"((uint64_t)(val)) : "memory")
/* The same for a register named by a macro that expands to its encoding
 * (S3_<op1>_C<n>_C<m>_<op2>), for registers older assemblers do not know. */
#define read_sysreg_s(reg) read_sysreg(reg)
#define write_sysreg_s(reg, val) write_sysreg(reg, val)

#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")
#define wfe() __asm__ volatile("wfe" ::: "memory")
#define wfi() __asm__ volatile("wfi" ::: "memory")
#define sev() __asm__ volatile("sev" ::: "memory")
#else
#include <arch/fake/sysreg.h>
#endif
#endif

#endif
