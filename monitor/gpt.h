/*
 * Builder for the FEAT_RME Granule Protection Table, which the EL3 monitor
 * uses to make its own memory Root-only and to make chosen windows (an
 * emulated PCI ECAM) No-access to every other world.
 *
 * Fixed choices: 4 KiB physical granules (PGS) and 1 GiB level 0 regions
 * (L0GPTSZ = 30 bits). GPCCR_EL3.L0GPTSZ is read-only in hardware (the
 * implementation reports its value, writes are ignored), so the monitor
 * should check that the value it reads back says 30 bits before enabling
 * granule protection checks with these tables.
 *
 * Field layouts are from the Arm ARM (DDI 0487, "Granule Protection
 * Tables" and the GPCCR_EL3 / GPTBR_EL3 register descriptions); they match
 * the RME system architecture spec (DEN 0129) and TF-A's lib/gpt_rme.
 */
#ifndef LIB_GPT_H
#define LIB_GPT_H

#ifdef __ASSEMBLY__
#define GPT_U64(x) x
#else
#define GPT_U64(x) x##ULL
#endif

/* --- Granule Protection Information (GPI) values, 4 bits each ------------- */

#define GPT_GPI_NO_ACCESS 0x0 /* no PAS may access */
#define GPT_GPI_SECURE 0x8    /* Secure PAS only */
#define GPT_GPI_NS 0x9	      /* Non-secure PAS only */
#define GPT_GPI_ROOT 0xa      /* Root PAS only */
#define GPT_GPI_REALM 0xb     /* Realm PAS only */
#define GPT_GPI_ANY 0xf	      /* every PAS */
#define GPT_GPI_BITS 4
#define GPT_GPI_MASK GPT_U64(0xf)

/* --- level 0 descriptors (one per L0GPTSZ region) ------------------------- */

#define GPT_L0_TYPE_MASK GPT_U64(0xf) /* bits[3:0] */
/* Block descriptor: the whole region has the GPI in bits[7:4] */
#define GPT_L0_TYPE_BLOCK GPT_U64(0x1)
#define GPT_L0_BLOCK_GPI_SHIFT 4
/* Table descriptor: bits[51:12] hold bits[51:12] of the L1 table's PA */
#define GPT_L0_TYPE_TABLE GPT_U64(0x3)
#define GPT_L0_TABLE_ADDR_MASK GPT_U64(0x000ffffffffff000)

/*
 * --- level 1 tables ---------------------------------------------------------
 * An L1 entry is a Granules descriptor: 16 GPIs, the GPI of granule n of
 * the 64 KiB it covers in bits[4n+3:4n]. Every granule must be described
 * this way (later RME revisions also define Contiguous descriptors, told
 * apart by an otherwise invalid GPI in bits[3:0]; this builder never
 * writes them), so an L1 table for a 1 GiB region has 16384 entries.
 */
#define GPT_L1_GPIS_PER_ENTRY 16
#define GPT_L1_ENTRY_SHIFT 16 /* one L1 entry covers 16 x 4 KiB */

#define GPT_PGS_SHIFT 12 /* 4 KiB granules */
#define GPT_GRANULE_SIZE (GPT_U64(1) << GPT_PGS_SHIFT)
#define GPT_L0GPTSZ_SHIFT 30 /* 1 GiB level 0 regions */
#define GPT_L0_REGION_SIZE (GPT_U64(1) << GPT_L0GPTSZ_SHIFT)
/*
 * Table alignment. The L0 table: the larger of 4 KiB and its size (GPTBR_EL3
 * BADDR description: base bits below the table size are treated as zero).
 * Each L1 table: its own size, 128 KiB here (what TF-A's gpt_rme checks;
 * stricter than the 4 KiB the L0 table descriptor's address field implies).
 */
#define GPT_L0_MIN_ALIGN GPT_U64(0x1000)
#define GPT_L1_TABLE_SIZE ((GPT_L0_REGION_SIZE >> GPT_L1_ENTRY_SHIFT) * 8)

/* --- GPCCR_EL3 ------------------------------------------------------------ */

/* PPS, bits[2:0]: protected physical address size */
#define GPCCR_PPS_SHIFT 0
#define GPCCR_PPS_MASK GPT_U64(0x7)
#define GPCCR_PPS_4GB 0x0   /* 32 bits */
#define GPCCR_PPS_64GB 0x1  /* 36 bits */
#define GPCCR_PPS_1TB 0x2   /* 40 bits */
#define GPCCR_PPS_4TB 0x3   /* 42 bits */
#define GPCCR_PPS_16TB 0x4  /* 44 bits */
#define GPCCR_PPS_256TB 0x5 /* 48 bits */
#define GPCCR_PPS_4PB 0x6   /* 52 bits */
/* IRGN, bits[9:8] and ORGN, bits[11:10]: cacheability of GPT walks */
#define GPCCR_IRGN_SHIFT 8
#define GPCCR_ORGN_SHIFT 10
#define GPCCR_RGN_MASK GPT_U64(0x3)
#define GPCCR_RGN_NC 0x0     /* Non-cacheable */
#define GPCCR_RGN_WBRAWA 0x1 /* Write-Back Read-Alloc Write-Alloc */
#define GPCCR_RGN_WTRA 0x2   /* Write-Through Read-Alloc */
#define GPCCR_RGN_WBRA 0x3   /* Write-Back Read-Alloc only */
/* SH, bits[13:12]: shareability of GPT walks */
#define GPCCR_SH_SHIFT 12
#define GPCCR_SH_MASK GPT_U64(0x3)
#define GPCCR_SH_NON 0x0
#define GPCCR_SH_OUTER 0x2
#define GPCCR_SH_INNER 0x3
/* PGS, bits[15:14]: physical granule size (note 64K < 16K in encoding) */
#define GPCCR_PGS_SHIFT 14
#define GPCCR_PGS_MASK GPT_U64(0x3)
#define GPCCR_PGS_4KB 0x0
#define GPCCR_PGS_64KB 0x1
#define GPCCR_PGS_16KB 0x2
#define GPCCR_GPC (GPT_U64(1) << 16)  /* checks enabled */
#define GPCCR_GPCP (GPT_U64(1) << 17) /* GPC priority */
/* L0GPTSZ, bits[23:20], read-only: PA bits one L0 entry covers */
#define GPCCR_L0GPTSZ_SHIFT 20
#define GPCCR_L0GPTSZ_MASK GPT_U64(0xf)
#define GPCCR_L0GPTSZ_30BITS 0x0
#define GPCCR_L0GPTSZ_34BITS 0x4
#define GPCCR_L0GPTSZ_36BITS 0x6
#define GPCCR_L0GPTSZ_39BITS 0x9

/* --- GPTBR_EL3 ------------------------------------------------------------ */

/* BADDR, bits[39:0]: bits[51:12] of the L0 table's PA */
#define GPTBR_BADDR_MASK GPT_U64(0xffffffffff)
#define GPTBR_BADDR_PA_SHIFT 12

/* --- error codes ---------------------------------------------------------- */

#define GPT_E_ALIGN (-1) /* pa or size not 4 KiB aligned, or size 0 */
#define GPT_E_RANGE (-2) /* beyond the protected physical space */
#define GPT_E_NOMEM (-3) /* the allocator ran out */
#define GPT_E_GPI                                       \
	(-4) /* not a valid GPI (or, from gpt_lookup, a \
	      * corrupt descriptor) */

#ifndef __ASSEMBLY__

#include <stdint.h>

struct gpt_alloc {
	/* Zeroed memory of size bytes aligned to align: its PA, or 0. */
	uint64_t (*alloc)(void *ctx, uint64_t size, uint64_t align);
	/* A pointer through which the table at physical address pa is used. */
	uint64_t *(*table_ptr)(void *ctx, uint64_t pa);
	void *ctx;
};

struct gpt {
	unsigned pps_bits;     /* protected PA space is [0, 2^pps_bits) */
	unsigned l0gptsz_bits; /* PA bits per level 0 entry: 30 */
	uint64_t l0_pa;
	struct gpt_alloc alloc;
};

/*
 * Chooses the smallest PPS covering [0, max_pa), allocates the L0 table and
 * makes every L0 entry a block descriptor with default_gpi.
 * Returns 0, GPT_E_GPI, GPT_E_RANGE (max_pa beyond 2^52) or GPT_E_NOMEM.
 */
int gpt_init(struct gpt *g, uint64_t max_pa, unsigned default_gpi,
	     const struct gpt_alloc *a);

/*
 * Gives every granule of [pa, pa+size) the GPI gpi. Whole L0 regions
 * become block descriptors (an L1 table they had is abandoned, not freed);
 * partly covered ones get an L1 table on demand, initialised from the
 * block's previous GPI. Returns 0 or a negative GPT_E_* code, and on error
 * the table is unchanged (after GPT_E_NOMEM an L1 table obtained for the
 * first region may be left allocated: struct gpt_alloc cannot free).
 * Once GPC is enabled, the caller follows a change with DSB, TLBI PAALLOS
 * (or TLBI RPAOS over the range) and DSB, as GPT entries may be cached.
 */
int gpt_set(struct gpt *g, uint64_t pa, uint64_t size, unsigned gpi);

/* The GPI the granule protection check would find for pa. */
int gpt_lookup(const struct gpt *g, uint64_t pa, unsigned *gpi);

/*
 * GPCCR_EL3 for these tables: PPS, PGS = 4 KiB, SH = inner shareable,
 * IRGN = ORGN = write-back read/write-allocate, L0GPTSZ, GPC = 1. (QEMU
 * treats SH/IRGN/ORGN = 0 as invalid: every GPT walk would fault.)
 */
uint64_t gpt_gpccr(const struct gpt *g);

/* GPTBR_EL3 for the L0 table at g->l0_pa. */
uint64_t gpt_gptbr(const struct gpt *g);

/* A short description of a GPT_E_* code, for logs. */
const char *gpt_strerror(int err);

#endif /* __ASSEMBLY__ */

#endif
