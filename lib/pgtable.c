/*
 * Stage-1 translation table builder (see lib/pgtable.h).
 *
 * pt_map() works in three steps so that a refused call changes nothing:
 * plan (walk the range, refuse overlaps, count the tables that must be
 * created), reserve (obtain exactly that many pages from the allocator,
 * chained through their first word), then write. Only the write step
 * stores to existing tables.
 */
#include <stdbool.h>
#include <stddef.h>

#include <lib/pgtable.h>

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

static uint64_t leaf_attrs(uint64_t flags)
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

/* True when [base, base+size) does not fit below limit (or wraps). */
static bool beyond(uint64_t base, uint64_t size, uint64_t limit)
{
	return size > limit || base > limit - size;
}

static int check_map_args(uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
	if (flags & ~PT_FLAGS_ALL)
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

/* --- API ------------------------------------------------------------------ */

int pt_init(struct pgtable *pt, const struct pt_alloc *alloc)
{
	pt->alloc = *alloc;
	pt->root_pa = alloc->alloc_page(alloc->ctx);
	return pt->root_pa ? 0 : PT_E_NOMEM;
}

int pt_map(struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
	struct map_plan plan;
	struct spare_pages spare;
	int err;

	err = check_map_args(va, pa, size, flags);
	if (err)
		return err;
	err = plan_map(pt, &plan, va, pa, size);
	if (err)
		return err;
	err = reserve_pages(pt, &spare, plan.new_tables);
	if (err)
		return err;
	write_map(pt, &spare, va, pa, size, leaf_attrs(flags));
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
		return "unknown mapping flags";
	case PT_E_NOENT:
		return "address not mapped";
	default:
		return "unknown page table error";
	}
}
