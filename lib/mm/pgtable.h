/*
 * Builder for AArch64 translation tables: 4 KiB granule, 48-bit input
 * address (T0SZ = 16, so the walk starts at level 0 and ends at level 3).
 *
 * Stage 1 (pt_init()) serves the single-VA-range regimes this platform
 * uses: EL2 with HCR_EL2.E2H = 0 and EL3. Stage 2 (pt_init_stage2()) holds
 * the hypervisor's IPA -> PA tables for a VM (VTTBR_EL2.BADDR = root_pa,
 * VTCR_EL2 from pt_vtcr_value()); for those tables every "va" below is an
 * IPA. The same code runs in the bootloader with the MMU off and on, in the
 * hypervisor and in the EL3 monitor, so it never dereferences a physical
 * address itself: it reaches table pages through the caller's table_ptr()
 * hook.
 *
 * pt_map() only adds mappings and pt_unmap() only removes them. Both check
 * the whole request and obtain every table page they will need before they
 * write a single entry, so a refused call leaves the tables as they were.
 * Barriers and TLB maintenance are the caller's:
 *  - after pt_map() on live tables, a DSB ISHST then an ISB before using
 *    the new mappings (nothing was valid there, so nothing is in a TLB);
 *  - after pt_unmap() on live tables, DSB ISHST, then TLB invalidation of
 *    the range, then DSB ISH and ISB, before the memory is reused. pt_unmap()
 *    may remove or add table entries, not only leaves, so use the TLBI forms
 *    that also drop cached walks (VAE2IS / VAE3IS / IPAS2E1IS, not the
 *    last-level-only VALE2IS / IPAS2LE1IS). For stage 2, TLB entries that
 *    combine both stages are tagged by VA, so IPAS2E1IS must be followed by
 *    DSB ISH and TLBI VMALLE1IS (or use VMALLS12E1IS for the VMID);
 *  - before turning the MMU on over tables written with it off, the table
 *    pages must not be stale in the caches.
 */
#ifndef LIB_PGTABLE_H
#define LIB_PGTABLE_H

/* Constants are also used by assembly (MAIR, TCR setup), which has no ULL. */
#ifdef __ASSEMBLY__
#define PT_U64(x) x
#else
#define PT_U64(x) x##ULL
#endif
/* Value x in a field at bit shift; unlike PT_U64(), x may be an expression. */
#ifdef __ASSEMBLY__
#define PT_FIELD(x, shift) ((x) << (shift))
#else
#define PT_FIELD(x, shift) ((unsigned long long)(x) << (shift))
#endif

/* --- translation regime geometry ------------------------------------------ */

#define PT_VA_BITS 48
#define PT_T0SZ (64 - PT_VA_BITS) /* TCR_ELx.T0SZ */
/* Output address bits a 4 KiB-granule descriptor holds (no FEAT_LPA2) */
#define PT_PA_BITS 48
#define PT_GRANULE_SHIFT 12
#define PT_PAGE_SIZE (PT_U64(1) << PT_GRANULE_SHIFT)
#define PT_ENTRIES 512 /* 8-byte entries in a 4 KiB table */
#define PT_ROOT_LEVEL 0
#define PT_LEAF_LEVEL 3
#define PT_L1_BLOCK_SIZE (PT_U64(1) << 30) /* 1 GiB */
#define PT_L2_BLOCK_SIZE (PT_U64(1) << 21) /* 2 MiB */

/* --- descriptor fields (ARM ARM: VMSAv8-64 descriptor formats) ----------- */

/* bits[1:0]: descriptor type */
#define PTE_VALID (PT_U64(1) << 0)
/* bit 1 means a next-level table at levels 0-2, and must be 1 at level 3 */
#define PTE_TABLE (PT_U64(1) << 1)
#define PTE_PAGE (PT_U64(1) << 1)
#define PTE_TYPE_MASK (PTE_VALID | PTE_TABLE)
#define PTE_TYPE_BLOCK PTE_VALID /* levels 1-2 only */
#define PTE_TYPE_TABLE (PTE_VALID | PTE_TABLE)
#define PTE_TYPE_PAGE (PTE_VALID | PTE_PAGE)

/* Lower attributes of block and page descriptors */
#define PTE_ATTRINDX_SHIFT 2 /* AttrIndx[2:0], bits[4:2] */
#define PTE_ATTRINDX(n) (PT_U64(n) << PTE_ATTRINDX_SHIFT)
#define PTE_ATTRINDX_MASK PTE_ATTRINDX(7)
#define PTE_NS (PT_U64(1) << 5) /* NS: EL3 only */
/*
 * AP[1] is RES1 in regimes with a single privilege level (EL2 with
 * E2H = 0, EL3): there is no EL0 to grant or deny access to.
 */
#define PTE_AP_RES1 (PT_U64(1) << 6) /* AP[1] */
#define PTE_AP_RO (PT_U64(1) << 7)   /* AP[2]: read-only */
#define PTE_SH_SHIFT 8		     /* SH[1:0], bits[9:8] */
#define PTE_SH_NON (PT_U64(0) << PTE_SH_SHIFT)
#define PTE_SH_OUTER (PT_U64(2) << PTE_SH_SHIFT)
#define PTE_SH_INNER (PT_U64(3) << PTE_SH_SHIFT)
#define PTE_SH_MASK (PT_U64(3) << PTE_SH_SHIFT)
#define PTE_AF (PT_U64(1) << 10) /* access flag */
/* bit 11 is nG in two-range regimes; in EL3 with FEAT_RME it is NSE */
#define PTE_NSE (PT_U64(1) << 11)

/* Upper attributes */
#define PTE_CONT (PT_U64(1) << 52) /* Contiguous hint */
/* PXN is RES0 in single-range regimes, where bit 54 is plain XN */
#define PTE_PXN (PT_U64(1) << 53)
#define PTE_XN (PT_U64(1) << 54)

/* Output / next-level table address, bits[47:12] */
#define PTE_ADDR_MASK PT_U64(0x0000fffffffff000)

/*
 * Stage-2 block and page descriptors (ARM ARM: attribute fields in stage 2
 * VMSAv8-64 Block and Page descriptors). The type bits, output address,
 * SH[1:0] (bits[9:8]) and AF (bit 10) sit where stage 1 has them, so
 * PTE_TYPE_*, PTE_ADDR_MASK, PTE_SH_* and PTE_AF apply to both stages;
 * stage-2 table descriptors have no hierarchical attributes at all.
 * Encodings below assume HCR_EL2.FWB = 0, where the stage-2 attributes are
 * combined with the VM's own stage-1 attributes, the stricter one winning.
 */
#define S2_MEMATTR_SHIFT 2 /* MemAttr[3:0], bits[5:2] */
#define S2_MEMATTR(x) PT_FIELD(x, S2_MEMATTR_SHIFT)
#define S2_MEMATTR_MASK S2_MEMATTR(0xf)
/* MemAttr[3:2] = 0b00 is Device memory, and MemAttr[1:0] its type */
#define S2_MEMATTR_DEVICE_nGnRE PT_U64(0x1)
/*
 * Otherwise MemAttr[3:2] is the outer and MemAttr[1:0] the inner
 * cacheability, 0b11 meaning Write-Back for each.
 */
#define S2_MEMATTR_NORMAL_WB PT_U64(0xf)
#define S2AP_SHIFT 6 /* S2AP[1:0], bits[7:6]: the VM's data access rights */
#define S2AP(x) PT_FIELD(x, S2AP_SHIFT)
#define S2AP_MASK S2AP(3)
#define S2AP_NONE S2AP(0)
#define S2AP_RO S2AP(1)
#define S2AP_WO S2AP(2)
#define S2AP_RW S2AP(3)
/*
 * XN[1:0], bits[54:53]. With FEAT_XNX both bits count (0b00 executable at
 * EL1 and EL0, 0b01 not at EL1, 0b10 at neither, 0b11 not at EL0); without
 * it bit 53 is RES0 and bit 54 alone is XN. 0b10 means "not executable" in
 * both cases, so it is the one encoding used.
 */
#define S2_XN_SHIFT 53
#define S2_XN_FIELD(x) PT_FIELD(x, S2_XN_SHIFT)
#define S2_XN_MASK S2_XN_FIELD(3)
#define S2_XN S2_XN_FIELD(2) /* not executable at EL1 or EL0 */

/* --- VTCR_EL2 for the stage-2 tables built here --------------------------- */

#define VTCR_EL2_T0SZ_SHIFT 0 /* T0SZ[5:0]: IPA size is 2^(64 - T0SZ) */
#define VTCR_EL2_T0SZ_MASK (PT_U64(0x3f) << VTCR_EL2_T0SZ_SHIFT)
#define VTCR_EL2_T0SZ(x) PT_FIELD(x, VTCR_EL2_T0SZ_SHIFT)
#define VTCR_EL2_SL0_SHIFT 6 /* SL0[1:0]: start level, read with TG0 */
#define VTCR_EL2_SL0_MASK (PT_U64(3) << VTCR_EL2_SL0_SHIFT)
#define VTCR_EL2_SL0_4K_L0 (PT_U64(2) << VTCR_EL2_SL0_SHIFT) /* TG0=4K: level 0 */
/* Cacheability of the walks: Write-Back, Read- and Write-Allocate */
#define VTCR_EL2_IRGN0_SHIFT 8
#define VTCR_EL2_IRGN0_MASK (PT_U64(3) << VTCR_EL2_IRGN0_SHIFT)
#define VTCR_EL2_IRGN0_WBWA (PT_U64(1) << VTCR_EL2_IRGN0_SHIFT)
#define VTCR_EL2_ORGN0_SHIFT 10
#define VTCR_EL2_ORGN0_MASK (PT_U64(3) << VTCR_EL2_ORGN0_SHIFT)
#define VTCR_EL2_ORGN0_WBWA (PT_U64(1) << VTCR_EL2_ORGN0_SHIFT)
#define VTCR_EL2_SH0_SHIFT 12
#define VTCR_EL2_SH0_MASK (PT_U64(3) << VTCR_EL2_SH0_SHIFT)
#define VTCR_EL2_SH0_INNER (PT_U64(3) << VTCR_EL2_SH0_SHIFT)
#define VTCR_EL2_TG0_SHIFT 14
#define VTCR_EL2_TG0_MASK (PT_U64(3) << VTCR_EL2_TG0_SHIFT)
#define VTCR_EL2_TG0_4K (PT_U64(0) << VTCR_EL2_TG0_SHIFT)
/* PS[2:0]: output size, encoded as ID_AA64MMFR0_EL1.PARange is */
#define VTCR_EL2_PS_SHIFT 16
#define VTCR_EL2_PS_MASK (PT_U64(7) << VTCR_EL2_PS_SHIFT)
#define VTCR_EL2_PS(x) PT_FIELD(x, VTCR_EL2_PS_SHIFT)
#define VTCR_EL2_RES1 (PT_U64(1) << 31)

/* ID_AA64MMFR0_EL1.PARange, bits[3:0], as pt_vtcr_value() takes it */
#define PT_PARANGE_MASK PT_U64(0xf)
#define PT_PARANGE_44BIT 4
#define PT_PARANGE_48BIT 5 /* the widest a 4 KiB descriptor here holds */

/* --- memory attributes: MAIR_ELx ------------------------------------------ */

#define PT_MAIR_IDX_DEVICE 0
#define PT_MAIR_IDX_NORMAL 1
#define PT_MAIR_IDX_NORMAL_NC 2

#define MAIR_ATTR_DEVICE_nGnRE PT_U64(0x04)
/* Inner and outer Write-Back non-transient, Read- and Write-Allocate */
#define MAIR_ATTR_NORMAL_WB PT_U64(0xff)
#define MAIR_ATTR_NORMAL_NC PT_U64(0x44) /* inner+outer Non-cacheable */
#define MAIR_ATTR(idx, attr) ((attr) << ((idx)*8))

#define PT_MAIR_VALUE                                            \
	(MAIR_ATTR(PT_MAIR_IDX_DEVICE, MAIR_ATTR_DEVICE_nGnRE) | \
	 MAIR_ATTR(PT_MAIR_IDX_NORMAL, MAIR_ATTR_NORMAL_WB) |    \
	 MAIR_ATTR(PT_MAIR_IDX_NORMAL_NC, MAIR_ATTR_NORMAL_NC))

/* --- pt_map() flags, OR-ed together --------------------------------------- */

/*
 * Stage 1 encodes them through MAIR_ELx indices, AP[2], XN, NS and NSE;
 * stage 2 through MemAttr, S2AP and XN[1:0] (see leaf_attrs() in pgtable.c).
 */

/* Normal, write-back cacheable, inner shareable: the default, hence 0 */
#define PT_NORMAL PT_U64(0)
/* Device-nGnRE; always execute-never, speculative fetches must not reach it */
#define PT_DEVICE (PT_U64(1) << 0)
#define PT_RO (PT_U64(1) << 1) /* read-only (AP[2] / S2AP = 0b01) */
#define PT_XN (PT_U64(1) << 2) /* execute-never */
/* EL3 only: NS = 1, the access goes to the Non-secure PAS */
#define PT_PAS_NS (PT_U64(1) << 3)
/*
 * EL3 only, with FEAT_RME: NSE = 1 (with NS = 0, the Root PAS). The two
 * PAS flags set the NSE and NS bits directly, so both together give
 * {NSE, NS} = {1, 1}, the Realm PAS.
 */
#define PT_PAS_ROOT (PT_U64(1) << 4)
#define PT_FLAGS_ALL (PT_DEVICE | PT_RO | PT_XN | PT_PAS_NS | PT_PAS_ROOT)
/* A stage-2 output address is in the PAS of the VM's Security state. */
#define PT_FLAGS_STAGE2 (PT_DEVICE | PT_RO | PT_XN)

/* --- error codes ---------------------------------------------------------- */

#define PT_E_ALIGN (-1)	  /* va, pa, size not 4 KiB aligned, or size 0 */
#define PT_E_RANGE (-2)	  /* va or pa range beyond 2^48, or wraps */
#define PT_E_OVERLAP (-3) /* part of the range is already mapped */
#define PT_E_NOMEM (-4)	  /* alloc_page() ran out */
#define PT_E_FLAGS (-5)	  /* unknown bits in flags, or not for this stage */
#define PT_E_NOENT (-6)	  /* pt_lookup(): the VA is not mapped */

#ifndef __ASSEMBLY__

#include <stdint.h>

struct pt_alloc {
	/*
	 * Returns the physical address of a zeroed, 4 KiB-aligned page, or 0
	 * when out of memory.
	 */
	uint64_t (*alloc_page)(void *ctx);
	/*
	 * Returns a pointer through which the table page at physical address
	 * pa is read and written.
	 */
	uint64_t *(*table_ptr)(void *ctx, uint64_t pa);
	void *ctx;
};

struct pgtable {
	uint64_t root_pa; /* level 0 table, for TTBR0_ELx.BADDR / VTTBR_EL2.BADDR */
	struct pt_alloc alloc;
	/*
	 * Nonzero for stage-2 tables. Zero means stage 1, so a struct that
	 * is zeroed and then filled in field by field stays a stage-1 one.
	 */
	unsigned int stage2;
};

/* Allocates an empty root (level 0) stage-1 table. 0 or PT_E_NOMEM. */
int pt_init(struct pgtable *pt, const struct pt_alloc *alloc);

/*
 * Allocates an empty root (level 0) stage-2 table for a 48-bit IPA space.
 * 0 or PT_E_NOMEM. A level 0 start with a 48-bit IPA needs a CPU whose
 * ID_AA64MMFR0_EL1.PARange is 48 bits or more: with 42 bits or less the
 * architecture does not allow a level 0 start at all, and an IPA size above
 * the implemented PA size is CONSTRAINED UNPREDICTABLE (QEMU faults).
 */
int pt_init_stage2(struct pgtable *pt, const struct pt_alloc *alloc);

/*
 * Maps [va, va+size) to [pa, pa+size) with the attributes in flags, using
 * 1 GiB and 2 MiB blocks where VA and PA alignment and the size allow.
 * Returns 0 or a negative PT_E_* code; on any error the tables are
 * unchanged (after PT_E_NOMEM, the pages obtained before the allocator ran
 * out are not given back: struct pt_alloc has no way to free). Stage-2
 * tables refuse PT_PAS_NS and PT_PAS_ROOT with PT_E_FLAGS.
 */
int pt_map(struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags);

/*
 * Removes every mapping in [va, va+size); parts of the range that are not
 * mapped are skipped, so unmapping nothing returns 0. A block only partly
 * inside the range is split into a next-level table that keeps the rest of
 * it with the same output addresses and attributes, which takes table
 * pages; they are all obtained before anything is written, so PT_E_NOMEM
 * (like PT_E_ALIGN and PT_E_RANGE, checked as for pt_map()) leaves the
 * tables unchanged. Tables left with nothing mapped are unlinked, so a
 * later pt_map() may put a block there; their pages are not given back
 * (struct pt_alloc cannot free).
 *
 * See the top of this file for the TLB maintenance the caller owes. A split
 * replaces a live block with a table in a single write; the architecture
 * asks for break-before-make when the block size of a live translation
 * changes (unless FEAT_BBM level 2), so on tables in use elsewhere either
 * keep their users off the range, or unmap the whole block, invalidate the
 * TLBs, and pt_map() back what is to stay.
 */
int pt_unmap(struct pgtable *pt, uint64_t va, uint64_t size);

/*
 * Walks the tables for va (an IPA in stage-2 tables) as the MMU would.
 * Returns 0 when va is mapped, with the output address of va in *pa, the
 * leaf descriptor in *desc and its level (1, 2 or 3) in *level; any of the
 * three may be NULL. Otherwise PT_E_NOENT, or PT_E_RANGE when va is beyond
 * 2^48.
 */
int pt_lookup(const struct pgtable *pt, uint64_t va, uint64_t *pa, uint64_t *desc,
	      int *level);

/*
 * VTCR_EL2 for stage-2 tables from pt_init_stage2(): 48-bit IPA starting at
 * level 0, 4 KiB granule, walks Write-Back cacheable and Inner Shareable.
 * pa_range is ID_AA64MMFR0_EL1.PARange (only bits[3:0] are read, so the
 * whole register may be passed); PS is set to it, but to 48 bits at most,
 * since the descriptors built here hold 48-bit output addresses.
 */
uint64_t pt_vtcr_value(unsigned pa_range);

/* A short description of a PT_E_* code, for logs. */
const char *pt_strerror(int err);

#endif /* __ASSEMBLY__ */

#endif
