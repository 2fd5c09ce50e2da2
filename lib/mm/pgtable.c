/*
 * Stage-1 and stage-2 translation table builder (see lib/mm/pgtable.h). The
 * two stages share the table layout and walk; they differ only in how a
 * leaf descriptor encodes the pt_map() flags.
 *
 * pt_map() and pt_unmap() work in three steps so that a refused call
 * changes nothing: plan (walk the range, refuse overlaps, count the tables
 * that must be created), reserve (obtain exactly that many pages from the
 * allocator, chained through their first word), then write. Only the write
 * step stores to existing tables.
 */
#include <stdbool.h>
#include <stddef.h>

#include <lib/mm/pgtable.h>

#define LEVELS (PT_LEAF_LEVEL + 1)
#define TABLE_BITS 9 /* VA bits resolved by each level: log2(512) */
#define VA_LIMIT (PT_U64(1) << PT_VA_BITS)
#define PA_LIMIT (PT_U64(1) << PT_PA_BITS)
/* Levels at which a 4 KiB-granule, 48-bit OA regime allows block entries */
#define FIRST_BLOCK_LEVEL 1
#define LAST_BLOCK_LEVEL 2

static unsigned int level_shift(int level)
{
	return (unsigned int)(PT_GRANULE_SHIFT + TABLE_BITS * (PT_LEAF_LEVEL - level));
}

/* Bytes of VA one entry at this level translates. */
static uint64_t entry_size(int level)
{
	return PT_U64(1) << level_shift(level);
}

static unsigned int entry_index(uint64_t va, int level)
{
	return (va >> level_shift(level)) & (PT_ENTRIES - 1);
}

static uint64_t *table_at(const struct pgtable *pt, uint64_t table_pa)
{
	return pt->alloc.table_ptr(pt->alloc.ctx, table_pa);
}

static uint64_t *slot_for(const struct pgtable *pt, uint64_t table_pa, uint64_t va,
			  int level)
{
	return &table_at(pt, table_pa)[entry_index(va, level)];
}

/*
 * One 64-bit store per entry: the MMU (or, with the MMU off, nothing but
 * memory) must never observe half a descriptor, and the compiler must not
 * merge or split the store.
 */
static void write_entry(uint64_t *slot, uint64_t desc)
{
	*(volatile uint64_t *)slot = desc;
}

static bool is_next_table(uint64_t desc, int level)
{
	return level < PT_LEAF_LEVEL && (desc & PTE_TYPE_MASK) == PTE_TYPE_TABLE;
}

/* At level 3 the type 0b01 is reserved and translates as a fault. */
static bool is_leaf(uint64_t desc, int level)
{
	if (level == PT_LEAF_LEVEL)
		return (desc & PTE_TYPE_MASK) == PTE_TYPE_PAGE;
	return (desc & PTE_TYPE_MASK) == PTE_TYPE_BLOCK;
}

/* The deepest level whose entry can map the start of what is left. */
static int leaf_level_for(uint64_t va, uint64_t pa, uint64_t left)
{
	int level;

	for (level = FIRST_BLOCK_LEVEL; level <= LAST_BLOCK_LEVEL; level++) {
		uint64_t size = entry_size(level);

		if (((va | pa) & (size - 1)) == 0 && left >= size)
			return level;
	}
	return PT_LEAF_LEVEL;
}

static uint64_t s1_leaf_attrs(uint64_t flags)
{
	uint64_t attrs = PTE_AF | PTE_AP_RES1;

	if (flags & PT_DEVICE)
		attrs |= PTE_ATTRINDX(PT_MAIR_IDX_DEVICE) | PTE_XN;
	else
		attrs |= PTE_ATTRINDX(PT_MAIR_IDX_NORMAL) | PTE_SH_INNER;
	if (flags & PT_RO)
		attrs |= PTE_AP_RO;
	if (flags & PT_XN)
		attrs |= PTE_XN;
	if (flags & PT_PAS_NS)
		attrs |= PTE_NS;
	if (flags & PT_PAS_ROOT)
		attrs |= PTE_NSE;
	return attrs;
}

/*
 * AF is set because a VM's first access would otherwise take an Access
 * flag fault to EL2 (no hardware AF update is enabled in VTCR_EL2).
 */
static uint64_t s2_leaf_attrs(uint64_t flags)
{
	uint64_t attrs = PTE_AF;

	if (flags & PT_DEVICE)
		attrs |= S2_MEMATTR(S2_MEMATTR_DEVICE_nGnRE) | S2_XN;
	else
		attrs |= S2_MEMATTR(S2_MEMATTR_NORMAL_WB) | PTE_SH_INNER;
	attrs |= (flags & PT_RO) ? S2AP_RO : S2AP_RW;
	if (flags & PT_XN)
		attrs |= S2_XN;
	return attrs;
}

static uint64_t leaf_attrs(const struct pgtable *pt, uint64_t flags)
{
	return pt->stage2 ? s2_leaf_attrs(flags) : s1_leaf_attrs(flags);
}

/* True when [base, base+size) does not fit below limit (or wraps). */
static bool beyond(uint64_t base, uint64_t size, uint64_t limit)
{
	return size > limit || base > limit - size;
}

static int check_map_args(const struct pgtable *pt, uint64_t va, uint64_t pa,
			  uint64_t size, uint64_t flags)
{
	uint64_t allowed = pt->stage2 ? PT_FLAGS_STAGE2 : PT_FLAGS_ALL;

	if (flags & ~allowed)
		return PT_E_FLAGS;
	if (size == 0 || ((va | pa | size) & (PT_PAGE_SIZE - 1)))
		return PT_E_ALIGN;
	if (beyond(va, size, VA_LIMIT) || beyond(pa, size, PA_LIMIT))
		return PT_E_RANGE;
	return 0;
}

/* --- plan ----------------------------------------------------------------- */

struct map_plan {
	uint64_t new_tables;
	/*
	 * VA region (the span of the parent entry) of the last table counted
	 * at each level. Chunks come in VA order, so a table shared by
	 * consecutive chunks is counted once.
	 */
	uint64_t last_region[LEVELS];
};

static void plan_init(struct map_plan *plan)
{
	int level;

	plan->new_tables = 0;
	for (level = 0; level < LEVELS; level++)
		plan->last_region[level] = ~PT_U64(0); /* no region is this */
}

/* The chunk at va needs new tables at levels first..leaf. */
static void plan_new_tables(struct map_plan *plan, uint64_t va, int first, int leaf)
{
	int level;

	for (level = first; level <= leaf; level++) {
		uint64_t region = va & ~(entry_size(level - 1) - 1);

		if (plan->last_region[level] != region) {
			plan->last_region[level] = region;
			plan->new_tables++;
		}
	}
}

/*
 * Checks that the entry at leaf level for va is free, descending through
 * existing tables. Any valid entry in the way (a block above the leaf
 * level, or a block, page or table at it) is an overlap: tables are only
 * ever created to hold a mapping, so a table means something is mapped.
 */
static int plan_chunk(const struct pgtable *pt, struct map_plan *plan, uint64_t va,
		      int leaf)
{
	uint64_t table_pa = pt->root_pa;
	int level;

	for (level = PT_ROOT_LEVEL; level < leaf; level++) {
		uint64_t desc = *slot_for(pt, table_pa, va, level);

		if (!(desc & PTE_VALID)) {
			plan_new_tables(plan, va, level + 1, leaf);
			return 0;
		}
		if (!is_next_table(desc, level))
			return PT_E_OVERLAP;
		table_pa = desc & PTE_ADDR_MASK;
	}
	if (*slot_for(pt, table_pa, va, leaf) & PTE_VALID)
		return PT_E_OVERLAP;
	return 0;
}

static int plan_map(const struct pgtable *pt, struct map_plan *plan, uint64_t va,
		    uint64_t pa, uint64_t size)
{
	plan_init(plan);
	while (size) {
		int leaf = leaf_level_for(va, pa, size);
		int err = plan_chunk(pt, plan, va, leaf);

		if (err)
			return err;
		va += entry_size(leaf);
		pa += entry_size(leaf);
		size -= entry_size(leaf);
	}
	return 0;
}

/* --- reserve -------------------------------------------------------------- */

/*
 * Pages reserved for new tables, linked through their first word so no
 * storage is needed beyond the pages themselves. 0 ends the list (the
 * allocator never hands out PA 0).
 */
struct spare_pages {
	uint64_t head;
};

static int reserve_pages(const struct pgtable *pt, struct spare_pages *spare,
			 uint64_t count)
{
	spare->head = 0;
	while (count--) {
		uint64_t page = pt->alloc.alloc_page(pt->alloc.ctx);

		if (!page)
			return PT_E_NOMEM;
		table_at(pt, page)[0] = spare->head;
		spare->head = page;
	}
	return 0;
}

/* Restores the zero the link word replaced, so the table starts empty. */
static uint64_t take_page(const struct pgtable *pt, struct spare_pages *spare)
{
	uint64_t page = spare->head;
	uint64_t *link = &table_at(pt, page)[0];

	spare->head = *link;
	write_entry(link, 0);
	return page;
}

/* --- write ---------------------------------------------------------------- */

static void map_chunk(const struct pgtable *pt, struct spare_pages *spare, uint64_t va,
		      uint64_t pa, int leaf, uint64_t attrs)
{
	uint64_t table_pa = pt->root_pa;
	uint64_t type = leaf == PT_LEAF_LEVEL ? PTE_TYPE_PAGE : PTE_TYPE_BLOCK;
	int level;

	for (level = PT_ROOT_LEVEL; level < leaf; level++) {
		uint64_t *slot = slot_for(pt, table_pa, va, level);
		uint64_t desc = *slot;

		if (!(desc & PTE_VALID)) {
			desc = take_page(pt, spare) | PTE_TYPE_TABLE;
			write_entry(slot, desc);
		}
		table_pa = desc & PTE_ADDR_MASK;
	}
	write_entry(slot_for(pt, table_pa, va, leaf), pa | attrs | type);
}

static void write_map(const struct pgtable *pt, struct spare_pages *spare, uint64_t va,
		      uint64_t pa, uint64_t size, uint64_t attrs)
{
	while (size) {
		int leaf = leaf_level_for(va, pa, size);

		map_chunk(pt, spare, va, pa, leaf, attrs);
		va += entry_size(leaf);
		pa += entry_size(leaf);
		size -= entry_size(leaf);
	}
}

/* --- unmap ---------------------------------------------------------------- */

/*
 * pt_unmap() runs the same walk twice over the same tables: a counting pass
 * that writes nothing and adds up the pages block splits will take, then,
 * with those pages reserved, the writing pass, which takes the same path
 * and so exactly that many pages.
 */
struct unmap_walk {
	bool write;
	uint64_t pages;		  /* counted by the first pass */
	struct spare_pages spare; /* used by the second */
};

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* True when [start, end) does not cover the whole entry at level around base. */
static bool covers_part(int level, uint64_t base, uint64_t start, uint64_t end)
{
	return start > base || end < base + entry_size(level);
}

/*
 * Pages it takes to split a leaf at level that [start, end) covers in
 * part: one next-level table, plus the splits of the next-level entries the
 * range covers in part, which can only be its first and its last. Level 3
 * entries are pages and the range is page aligned, so the count ends there.
 */
static uint64_t split_cost(int level, uint64_t start, uint64_t end)
{
	int child = level + 1;
	uint64_t size = entry_size(child);
	uint64_t first = start & ~(size - 1);
	uint64_t last = (end - 1) & ~(size - 1);
	uint64_t pages = 1;

	if (covers_part(child, first, start, end))
		pages += split_cost(child, start, min_u64(end, first + size));
	if (last != first && covers_part(child, last, start, end))
		pages += split_cost(child, last, end);
	return pages;
}

static bool table_empty(const struct pgtable *pt, uint64_t table_pa)
{
	const uint64_t *table = table_at(pt, table_pa);
	unsigned int i;

	for (i = 0; i < PT_ENTRIES; i++)
		if (table[i] & PTE_VALID)
			return false;
	return true;
}

static void unmap_range(const struct pgtable *pt, struct unmap_walk *w, uint64_t table_pa,
			int level, uint64_t start, uint64_t end);

/*
 * Replaces the leaf at *slot, which [start, end) covers in part, with a
 * next-level table of leaves that map the same output addresses with the
 * same attributes, minus [start, end). The new table is complete before
 * the one write that links it, so a walker sees either the old block or
 * the finished table. The Contiguous hint is dropped: it would not hold
 * for the pieces (this builder never sets it anyway).
 */
static void split_leaf(const struct pgtable *pt, struct unmap_walk *w, uint64_t *slot,
		       uint64_t desc, int level, uint64_t start, uint64_t end)
{
	int child = level + 1;
	uint64_t size = entry_size(child);
	uint64_t out = desc & PTE_ADDR_MASK & ~(entry_size(level) - 1);
	uint64_t attrs = desc & ~(PTE_ADDR_MASK | PTE_TYPE_MASK | PTE_CONT);
	uint64_t type = child == PT_LEAF_LEVEL ? PTE_TYPE_PAGE : PTE_TYPE_BLOCK;
	uint64_t table_pa;
	uint64_t *table;
	unsigned int i;

	if (!w->write) {
		w->pages += split_cost(level, start, end);
		return;
	}
	table_pa = take_page(pt, &w->spare);
	table = table_at(pt, table_pa);
	for (i = 0; i < PT_ENTRIES; i++)
		write_entry(&table[i], (out + i * size) | attrs | type);
	unmap_range(pt, w, table_pa, child, start, end);
	/*
	 * Another CPU's walk must not find the new table before its entries,
	 * or it would fault on the part of the block that stays mapped: order
	 * the stores (DMB ISH on AArch64, as for any release).
	 */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	write_entry(slot, table_pa | PTE_TYPE_TABLE);
}

/*
 * Unmaps [start, end), which lies inside the span of the table at
 * table_pa, a table of the given level. An entry the range covers whole
 * is cleared, whatever it holds (a table below it is left unreachable). A
 * table the range covers in part is descended into, and unlinked if that
 * leaves it empty, which keeps pt_map()'s rule that a table entry means
 * something is mapped below it. A leaf covered in part is split.
 */
static void unmap_range(const struct pgtable *pt, struct unmap_walk *w, uint64_t table_pa,
			int level, uint64_t start, uint64_t end)
{
	uint64_t size = entry_size(level);
	uint64_t va = start;

	while (va < end) {
		uint64_t base = va & ~(size - 1);
		uint64_t stop = min_u64(end, base + size);
		uint64_t *slot = slot_for(pt, table_pa, va, level);
		uint64_t desc = *slot;

		if (!(desc & PTE_VALID)) {
			/* nothing mapped here */
		} else if (!covers_part(level, base, va, stop)) {
			if (w->write)
				write_entry(slot, 0);
		} else if (is_next_table(desc, level)) {
			uint64_t next = desc & PTE_ADDR_MASK;

			unmap_range(pt, w, next, level + 1, va, stop);
			if (w->write && table_empty(pt, next))
				write_entry(slot, 0);
		} else if (level >= FIRST_BLOCK_LEVEL && is_leaf(desc, level)) {
			split_leaf(pt, w, slot, desc, level, va, stop);
		}
		/*
		 * Else a level 0 block or a level 3 entry of the reserved type
		 * 0b01: the MMU translates neither (nor does pt_lookup()).
		 */
		va = stop;
	}
}

/* --- API ------------------------------------------------------------------ */

int pt_init(struct pgtable *pt, const struct pt_alloc *alloc)
{
	pt->alloc = *alloc;
	pt->stage2 = 0;
	pt->root_pa = alloc->alloc_page(alloc->ctx);
	return pt->root_pa ? 0 : PT_E_NOMEM;
}

/*
 * With T0SZ = 16 and a level 0 start, the root is a single 512-entry
 * table: no concatenated tables at the first stage-2 level are needed.
 */
int pt_init_stage2(struct pgtable *pt, const struct pt_alloc *alloc)
{
	int err = pt_init(pt, alloc);

	pt->stage2 = 1;
	return err;
}

int pt_map(struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
	struct map_plan plan;
	struct spare_pages spare;
	int err;

	err = check_map_args(pt, va, pa, size, flags);
	if (err)
		return err;
	err = plan_map(pt, &plan, va, pa, size);
	if (err)
		return err;
	err = reserve_pages(pt, &spare, plan.new_tables);
	if (err)
		return err;
	write_map(pt, &spare, va, pa, size, leaf_attrs(pt, flags));
	return 0;
}

int pt_unmap(struct pgtable *pt, uint64_t va, uint64_t size)
{
	struct unmap_walk w;
	int err;

	if (size == 0 || ((va | size) & (PT_PAGE_SIZE - 1)))
		return PT_E_ALIGN;
	if (beyond(va, size, VA_LIMIT))
		return PT_E_RANGE;
	w.write = false;
	w.pages = 0;
	unmap_range(pt, &w, pt->root_pa, PT_ROOT_LEVEL, va, va + size);
	err = reserve_pages(pt, &w.spare, w.pages);
	if (err)
		return err;
	w.write = true;
	unmap_range(pt, &w, pt->root_pa, PT_ROOT_LEVEL, va, va + size);
	return 0;
}

int pt_lookup(const struct pgtable *pt, uint64_t va, uint64_t *pa, uint64_t *desc,
	      int *level)
{
	uint64_t table_pa = pt->root_pa;
	int l;

	if (va >= VA_LIMIT)
		return PT_E_RANGE;
	for (l = PT_ROOT_LEVEL; l <= PT_LEAF_LEVEL; l++) {
		uint64_t d = *slot_for(pt, table_pa, va, l);

		if (is_next_table(d, l)) {
			table_pa = d & PTE_ADDR_MASK;
			continue;
		}
		/* No level 0 blocks with a 4 KiB granule and 48-bit OA. */
		if (l < FIRST_BLOCK_LEVEL || !is_leaf(d, l))
			return PT_E_NOENT;
		if (pa)
			*pa = (d & PTE_ADDR_MASK & ~(entry_size(l) - 1)) |
			      (va & (entry_size(l) - 1));
		if (desc)
			*desc = d;
		if (level)
			*level = l;
		return 0;
	}
	return PT_E_NOENT; /* not reached: level 3 has no table entries */
}

uint64_t pt_vtcr_value(unsigned pa_range)
{
	uint64_t ps = pa_range & PT_PARANGE_MASK;

	/* PARange 0b0000-0b0101 (32-48 bits) is also the PS encoding. */
	if (ps > PT_PARANGE_48BIT)
		ps = PT_PARANGE_48BIT;
	return VTCR_EL2_T0SZ(PT_T0SZ) | VTCR_EL2_SL0_4K_L0 | VTCR_EL2_IRGN0_WBWA |
	       VTCR_EL2_ORGN0_WBWA | VTCR_EL2_SH0_INNER | VTCR_EL2_TG0_4K |
	       VTCR_EL2_PS(ps) | VTCR_EL2_RES1;
}

const char *pt_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case PT_E_ALIGN:
		return "address or size not 4 KiB aligned, or size 0";
	case PT_E_RANGE:
		return "address range beyond 48 bits or wraps";
	case PT_E_OVERLAP:
		return "range overlaps an existing mapping";
	case PT_E_NOMEM:
		return "out of table pages";
	case PT_E_FLAGS:
		return "unknown mapping flags, or not for this stage";
	case PT_E_NOENT:
		return "address not mapped";
	default:
		return "unknown page table error";
	}
}
