/*
 * Builder for AArch64 stage-1 translation tables: 4 KiB granule, 48-bit
 * VA (TCR_ELx.T0SZ = 16, so the walk starts at level 0 and ends at level
 * 3), for the single-VA-range regimes this platform uses: EL2 with
 * HCR_EL2.E2H = 0 and EL3. The same code runs in the bootloader with the
 * MMU off and on, in the hypervisor and in the EL3 monitor, so it never
 * dereferences a physical address itself: it reaches table pages through
 * the caller's table_ptr() hook.
 *
 * pt_map() only adds mappings. It refuses to touch a VA that is already
 * mapped, checks the whole request and obtains every table page it will
 * need before it writes a single entry, so a refused call leaves the
 * tables as they were. Barriers and TLB maintenance are the caller's: after
 * pt_map() on live tables, a DSB ISHST then an ISB before using the new
 * mappings; before turning the MMU on over tables written with it off,
 * the table pages must not be stale in the caches.
 */
#ifndef LIB_PGTABLE_H
#define LIB_PGTABLE_H

/* Constants are also used by assembly (MAIR, TCR setup), which has no ULL. */
#ifdef __ASSEMBLY__
#define PT_U64(x) x
#else
#define PT_U64(x) x##ULL
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

/* Normal, write-back cacheable, inner shareable: the default, hence 0 */
#define PT_NORMAL PT_U64(0)
/* Device-nGnRE; always execute-never, speculative fetches must not reach it */
#define PT_DEVICE (PT_U64(1) << 0)
#define PT_RO (PT_U64(1) << 1) /* read-only (AP[2]) */
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

/* --- error codes ---------------------------------------------------------- */

#define PT_E_ALIGN (-1)	  /* va, pa, size not 4 KiB aligned, or size 0 */
#define PT_E_RANGE (-2)	  /* va or pa range beyond 2^48, or wraps */
#define PT_E_OVERLAP (-3) /* part of the range is already mapped */
#define PT_E_NOMEM (-4)	  /* alloc_page() ran out */
#define PT_E_FLAGS (-5)	  /* unknown bits in flags */
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
	uint64_t root_pa; /* level 0 table, for TTBR0_ELx.BADDR */
	struct pt_alloc alloc;
};

/* Allocates an empty root (level 0) table. 0 or PT_E_NOMEM. */
int pt_init(struct pgtable *pt, const struct pt_alloc *alloc);

/*
 * Maps [va, va+size) to [pa, pa+size) with the attributes in flags, using
 * 1 GiB and 2 MiB blocks where VA and PA alignment and the size allow.
 * Returns 0 or a negative PT_E_* code; on any error the tables are
 * unchanged (after PT_E_NOMEM, the pages obtained before the allocator ran
 * out are not given back: struct pt_alloc has no way to free).
 */
int pt_map(struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags);

/*
 * Walks the tables for va as the MMU would. Returns 0 when va is mapped,
 * with the output address of va in *pa, the leaf descriptor in *desc and
 * its level (1, 2 or 3) in *level; any of the three may be NULL.
 * Otherwise PT_E_NOENT, or PT_E_RANGE when va is beyond 2^48.
 */
int pt_lookup(const struct pgtable *pt, uint64_t va, uint64_t *pa, uint64_t *desc,
	      int *level);

/* A short description of a PT_E_* code, for logs. */
const char *pt_strerror(int err);

#endif /* __ASSEMBLY__ */

#endif
