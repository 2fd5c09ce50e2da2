/*
 * Granule Protection Table builder (see monitor/gpt.h).
 *
 * gpt_set() validates everything and obtains the (at most two) L1 tables
 * it needs before it stores anything, and a new L1 table is completely
 * filled in before the L0 descriptor that points at it is written, so a
 * granule protection check never walks a half-built table and a refused
 * call leaves the GPT as it was.
 */
#include <stdbool.h>
#include <stddef.h>

#include <monitor/gpt.h>

#define MAX_PA_BITS 52 /* the largest PPS, 4 PB */

/* GPCCR_EL3.PPS encodings with the number of PA bits each protects. */
static const struct {
	unsigned bits;
	unsigned pps;
} pps_sizes[] = {
	{32, GPCCR_PPS_4GB}, {36, GPCCR_PPS_64GB}, {40, GPCCR_PPS_1TB},
	{42, GPCCR_PPS_4TB}, {44, GPCCR_PPS_16TB}, {48, GPCCR_PPS_256TB},
	{52, GPCCR_PPS_4PB},
};

#define PPS_SIZES (sizeof(pps_sizes) / sizeof(pps_sizes[0]))

static bool gpi_is_valid(unsigned gpi)
{
	switch (gpi) {
	case GPT_GPI_NO_ACCESS:
	case GPT_GPI_SECURE:
	case GPT_GPI_NS:
	case GPT_GPI_ROOT:
	case GPT_GPI_REALM:
	case GPT_GPI_ANY:
		return true;
	default:
		return false;
	}
}

/* Smallest PPS whose space [0, 2^bits) contains [0, max_pa); 0 if none. */
static unsigned pps_bits_for(uint64_t max_pa)
{
	size_t i;

	for (i = 0; i < PPS_SIZES; i++)
		if (max_pa <= GPT_U64(1) << pps_sizes[i].bits)
			return pps_sizes[i].bits;
	return 0;
}

static unsigned pps_encoding(unsigned bits)
{
	size_t i;

	for (i = 0; i < PPS_SIZES; i++)
		if (pps_sizes[i].bits == bits)
			return pps_sizes[i].pps;
	return GPCCR_PPS_4GB; /* not reached for a g set up by gpt_init */
}

static unsigned l0gptsz_encoding(unsigned bits)
{
	switch (bits) {
	case 34:
		return GPCCR_L0GPTSZ_34BITS;
	case 36:
		return GPCCR_L0GPTSZ_36BITS;
	case 39:
		return GPCCR_L0GPTSZ_39BITS;
	default:
		return GPCCR_L0GPTSZ_30BITS;
	}
}

/* --- geometry ------------------------------------------------------------- */

static uint64_t region_size(const struct gpt *g)
{
	return GPT_U64(1) << g->l0gptsz_bits;
}

static uint64_t l0_entries(const struct gpt *g)
{
	return GPT_U64(1) << (g->pps_bits - g->l0gptsz_bits);
}

static uint64_t l1_entries(const struct gpt *g)
{
	return GPT_U64(1) << (g->l0gptsz_bits - GPT_L1_ENTRY_SHIFT);
}

static uint64_t *l0_table(const struct gpt *g)
{
	return g->alloc.table_ptr(g->alloc.ctx, g->l0_pa);
}

static uint64_t *l1_table(const struct gpt *g, uint64_t l0_desc)
{
	return g->alloc.table_ptr(g->alloc.ctx, l0_desc & GPT_L0_TABLE_ADDR_MASK);
}

/* --- descriptors ---------------------------------------------------------- */

/* A single 64-bit store: the GPC may be walking these tables already. */
static void write_desc(uint64_t *slot, uint64_t desc)
{
	*(volatile uint64_t *)slot = desc;
}

static uint64_t l0_block_desc(unsigned gpi)
{
	return GPT_L0_TYPE_BLOCK | ((uint64_t)gpi << GPT_L0_BLOCK_GPI_SHIFT);
}

static bool l0_is_block(uint64_t desc)
{
	return (desc & GPT_L0_TYPE_MASK) == GPT_L0_TYPE_BLOCK;
}

static bool l0_is_table(uint64_t desc)
{
	return (desc & GPT_L0_TYPE_MASK) == GPT_L0_TYPE_TABLE;
}

static unsigned l0_block_gpi(uint64_t desc)
{
	return (desc >> GPT_L0_BLOCK_GPI_SHIFT) & GPT_GPI_MASK;
}

/* A Granules descriptor giving all 16 of its granules the same GPI. */
static uint64_t l1_uniform_desc(unsigned gpi)
{
	uint64_t desc = 0;
	int i;

	for (i = 0; i < GPT_L1_GPIS_PER_ENTRY; i++)
		desc |= (uint64_t)gpi << (i * GPT_GPI_BITS);
	return desc;
}

/* Bits of the GPIs first..last (inclusive, 0..15) of a Granules descriptor. */
static uint64_t l1_gpi_mask(unsigned first, unsigned last)
{
	uint64_t upto_last =
		~GPT_U64(0) >> ((GPT_L1_GPIS_PER_ENTRY - 1 - last) * GPT_GPI_BITS);

	return upto_last & (~GPT_U64(0) << (first * GPT_GPI_BITS));
}

static unsigned granule_in_entry(uint64_t offset)
{
	return (offset >> GPT_PGS_SHIFT) & (GPT_L1_GPIS_PER_ENTRY - 1);
}

/* --- L1 tables ------------------------------------------------------------ */

static void l1_fill(const struct gpt *g, uint64_t *l1, unsigned gpi)
{
	uint64_t desc = l1_uniform_desc(gpi);
	uint64_t i;

	for (i = 0; i < l1_entries(g); i++)
		write_desc(&l1[i], desc);
}

/* Sets the GPI of the granules [start, end) of the region l1 describes. */
static void l1_set_range(uint64_t *l1, uint64_t start, uint64_t end, unsigned gpi)
{
	uint64_t gpis = l1_uniform_desc(gpi);
	uint64_t last = end - GPT_GRANULE_SIZE;
	uint64_t idx = start >> GPT_L1_ENTRY_SHIFT;
	uint64_t last_idx = last >> GPT_L1_ENTRY_SHIFT;

	for (; idx <= last_idx; idx++) {
		unsigned first_gpi = 0;
		unsigned last_gpi = GPT_L1_GPIS_PER_ENTRY - 1;
		uint64_t mask;

		/* Only the first and last entries can be partly covered. */
		if (idx == start >> GPT_L1_ENTRY_SHIFT)
			first_gpi = granule_in_entry(start);
		if (idx == last_idx)
			last_gpi = granule_in_entry(last);
		mask = l1_gpi_mask(first_gpi, last_gpi);
		write_desc(&l1[idx], (l1[idx] & ~mask) | (gpis & mask));
	}
}

static uint64_t l1_alloc(const struct gpt *g)
{
	uint64_t size = l1_entries(g) * sizeof(uint64_t);

	return g->alloc.alloc(g->alloc.ctx, size, size);
}

/* --- gpt_set helpers ------------------------------------------------------ */

/*
 * A region partly covered by the request needs a new L1 table when it is
 * still described by a block.
 */
static bool needs_new_l1(const struct gpt *g, uint64_t region, uint64_t pa, uint64_t end)
{
	uint64_t base = region << g->l0gptsz_bits;
	bool whole = pa <= base && end >= base + region_size(g);

	return !whole && l0_is_block(l0_table(g)[region]);
}

static int reserve_l1(const struct gpt *g, uint64_t region, uint64_t pa, uint64_t end,
		      uint64_t *l1_pa)
{
	*l1_pa = 0;
	if (!needs_new_l1(g, region, pa, end))
		return 0;
	*l1_pa = l1_alloc(g);
	return *l1_pa ? 0 : GPT_E_NOMEM;
}

/*
 * Applies the request to one L0 region. new_l1_pa is the table reserved
 * for it, if it needed one.
 */
static void set_region(const struct gpt *g, uint64_t region, uint64_t pa, uint64_t end,
		       unsigned gpi, uint64_t new_l1_pa)
{
	uint64_t base = region << g->l0gptsz_bits;
	uint64_t start = pa > base ? pa - base : 0;
	uint64_t stop = end < base + region_size(g) ? end - base : region_size(g);
	uint64_t *slot = &l0_table(g)[region];
	uint64_t *l1;

	if (start == 0 && stop == region_size(g)) {
		write_desc(slot, l0_block_desc(gpi));
		return;
	}
	if (new_l1_pa) {
		l1 = g->alloc.table_ptr(g->alloc.ctx, new_l1_pa);
		l1_fill(g, l1, l0_block_gpi(*slot));
		l1_set_range(l1, start, stop, gpi);
		write_desc(slot,
			   GPT_L0_TYPE_TABLE | (new_l1_pa & GPT_L0_TABLE_ADDR_MASK));
		return;
	}
	l1_set_range(l1_table(g, *slot), start, stop, gpi);
}

static int check_set_args(const struct gpt *g, uint64_t pa, uint64_t size, unsigned gpi)
{
	uint64_t limit = GPT_U64(1) << g->pps_bits;

	if (!gpi_is_valid(gpi))
		return GPT_E_GPI;
	if (size == 0 || ((pa | size) & (GPT_GRANULE_SIZE - 1)))
		return GPT_E_ALIGN;
	if (size > limit || pa > limit - size)
		return GPT_E_RANGE;
	return 0;
}

/* --- API ------------------------------------------------------------------ */

int gpt_init(struct gpt *g, uint64_t max_pa, unsigned default_gpi,
	     const struct gpt_alloc *a)
{
	uint64_t size, align, i;
	uint64_t *l0;

	if (!gpi_is_valid(default_gpi))
		return GPT_E_GPI;
	g->pps_bits = pps_bits_for(max_pa);
	if (!g->pps_bits)
		return GPT_E_RANGE;
	g->l0gptsz_bits = GPT_L0GPTSZ_SHIFT;
	g->alloc = *a;

	size = l0_entries(g) * sizeof(uint64_t);
	align = size > GPT_L0_MIN_ALIGN ? size : GPT_L0_MIN_ALIGN;
	g->l0_pa = a->alloc(a->ctx, size, align);
	if (!g->l0_pa)
		return GPT_E_NOMEM;

	l0 = l0_table(g);
	for (i = 0; i < l0_entries(g); i++)
		write_desc(&l0[i], l0_block_desc(default_gpi));
	return 0;
}

int gpt_set(struct gpt *g, uint64_t pa, uint64_t size, unsigned gpi)
{
	uint64_t end = pa + size;
	uint64_t first, last, region;
	uint64_t first_l1 = 0, last_l1 = 0;
	int err;

	err = check_set_args(g, pa, size, gpi);
	if (err)
		return err;

	/* Only the first and last regions can be partly covered. */
	first = pa >> g->l0gptsz_bits;
	last = (end - 1) >> g->l0gptsz_bits;
	err = reserve_l1(g, first, pa, end, &first_l1);
	if (!err && last != first)
		err = reserve_l1(g, last, pa, end, &last_l1);
	if (err)
		return err;

	for (region = first; region <= last; region++) {
		uint64_t l1_pa = region == first  ? first_l1
				 : region == last ? last_l1
						  : 0;

		set_region(g, region, pa, end, gpi, l1_pa);
	}
	return 0;
}

int gpt_lookup(const struct gpt *g, uint64_t pa, unsigned *gpi)
{
	uint64_t desc, entry;

	if (pa >> g->pps_bits)
		return GPT_E_RANGE;
	desc = l0_table(g)[pa >> g->l0gptsz_bits];
	if (l0_is_block(desc)) {
		*gpi = l0_block_gpi(desc);
		return 0;
	}
	if (!l0_is_table(desc))
		return GPT_E_GPI; /* the hardware would fault: corrupt */
	entry = l1_table(g, desc)[(pa >> GPT_L1_ENTRY_SHIFT) & (l1_entries(g) - 1)];
	*gpi = (entry >> (granule_in_entry(pa) * GPT_GPI_BITS)) & GPT_GPI_MASK;
	return 0;
}

uint64_t gpt_gpccr(const struct gpt *g)
{
	return ((uint64_t)pps_encoding(g->pps_bits) << GPCCR_PPS_SHIFT) |
	       ((uint64_t)GPCCR_RGN_WBRAWA << GPCCR_IRGN_SHIFT) |
	       ((uint64_t)GPCCR_RGN_WBRAWA << GPCCR_ORGN_SHIFT) |
	       ((uint64_t)GPCCR_SH_INNER << GPCCR_SH_SHIFT) |
	       ((uint64_t)GPCCR_PGS_4KB << GPCCR_PGS_SHIFT) |
	       ((uint64_t)l0gptsz_encoding(g->l0gptsz_bits) << GPCCR_L0GPTSZ_SHIFT) |
	       GPCCR_GPC;
}

uint64_t gpt_gptbr(const struct gpt *g)
{
	return (g->l0_pa >> GPTBR_BADDR_PA_SHIFT) & GPTBR_BADDR_MASK;
}

const char *gpt_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case GPT_E_ALIGN:
		return "address or size not 4 KiB aligned, or size 0";
	case GPT_E_RANGE:
		return "beyond the protected physical address space";
	case GPT_E_NOMEM:
		return "out of memory for GPT tables";
	case GPT_E_GPI:
		return "invalid GPI value";
	default:
		return "unknown GPT error";
	}
}
