/*
 * Physical memory map: a fixed-size, sorted table of RAM regions, each
 * tagged with what it is used for. See lib/mm/memmap.h for the invariants.
 *
 * All arithmetic on addresses relies on the invariant base + size <=
 * UINT64_MAX of every region, checked once on entry by check_range(), so
 * end addresses and differences never wrap.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lib/mm/memmap.h>
#include <lib/prng.h>

static uint64_t reg_end(const struct mem_region *r)
{
	return r->base + r->size;
}

static bool is_pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Refuses empty ranges and ranges whose end is not representable. */
static int check_range(uint64_t base, uint64_t size)
{
	if (size == 0)
		return MEMMAP_E_ALIGN;
	if (size > UINT64_MAX - base)
		return MEMMAP_E_RANGE;
	return 0;
}

static struct mem_region region(uint64_t base, uint64_t size, uint32_t type)
{
	struct mem_region r = {.base = base, .size = size, .type = type};

	return r;
}

/*
 * Replaces ndel entries at idx by the nins entries of src, moving the tail.
 * The caller has made sure the result fits. Slots freed at the end are
 * cleared so the table never carries stale regions to the next stage.
 */
static void splice(struct memmap *m, uint32_t idx, uint32_t ndel,
		   const struct mem_region *src, uint32_t nins)
{
	uint32_t old = m->count;
	uint32_t tail = old - idx - ndel;
	uint32_t i;

	/* Copy in the direction that never overwrites an entry yet to move. */
	if (nins > ndel) {
		for (i = tail; i > 0; i--)
			m->r[idx + nins + i - 1] = m->r[idx + ndel + i - 1];
	} else if (nins < ndel) {
		for (i = 0; i < tail; i++)
			m->r[idx + nins + i] = m->r[idx + ndel + i];
	}
	for (i = 0; i < nins; i++)
		m->r[idx + i] = src[i];

	m->count = old - ndel + nins;
	for (i = m->count; i < old; i++)
		m->r[i] = region(0, 0, MEM_FREE);
}

void memmap_init(struct memmap *m)
{
	uint32_t i;

	m->count = 0;
	m->pad = 0;
	for (i = 0; i < MEMMAP_MAX; i++)
		m->r[i] = region(0, 0, MEM_FREE);
}

/* Index of the first region whose base is at or above addr. */
static uint32_t lower_bound(const struct memmap *m, uint64_t addr)
{
	uint32_t i = 0;

	while (i < m->count && m->r[i].base < addr)
		i++;
	return i;
}

int memmap_add_ram(struct memmap *m, uint64_t base, uint64_t size)
{
	uint32_t idx;
	uint64_t end;
	struct mem_region *prev, *next;
	bool join_prev, join_next;
	int err;

	err = check_range(base, size);
	if (err)
		return err;
	end = base + size;

	/* Sorted and disjoint: only the two neighbours of idx can overlap. */
	idx = lower_bound(m, base);
	prev = idx > 0 ? &m->r[idx - 1] : NULL;
	next = idx < m->count ? &m->r[idx] : NULL;
	if ((prev && reg_end(prev) > base) || (next && next->base < end))
		return MEMMAP_E_OVERLAP;

	join_prev = prev && reg_end(prev) == base && prev->type == MEM_FREE;
	join_next = next && next->base == end && next->type == MEM_FREE;

	if (join_prev && join_next) {
		prev->size += size + next->size;
		splice(m, idx, 1, NULL, 0);
	} else if (join_prev) {
		prev->size += size;
	} else if (join_next) {
		next->base = base;
		next->size += size;
	} else {
		struct mem_region r = region(base, size, MEM_FREE);

		if (m->count >= MEMMAP_MAX)
			return MEMMAP_E_FULL;
		splice(m, idx, 0, &r, 1);
	}
	return 0;
}

/* True when any RAM inside [base, end) is already in use. */
static bool range_busy(const struct memmap *m, uint64_t base, uint64_t end)
{
	uint32_t i;

	for (i = 0; i < m->count; i++) {
		const struct mem_region *r = &m->r[i];

		if (r->base < end && reg_end(r) > base && r->type != MEM_FREE)
			return true;
	}
	return false;
}

/* Index of the first region overlapping [from, end), or -1. */
static int find_overlap(const struct memmap *m, uint64_t from, uint64_t end)
{
	uint32_t i;

	for (i = 0; i < m->count; i++) {
		if (reg_end(&m->r[i]) > from)
			return m->r[i].base < end ? (int)i : -1;
	}
	return -1;
}

/*
 * How retyping [lo, hi) inside free region idx reshapes the table: free
 * remainders may stay on either side, and where the piece reaches the
 * region's edge it may join a touching neighbour of the new type.
 */
struct retype_plan {
	uint32_t idx;
	uint64_t lo, hi;
	bool keep_left, keep_right;
	bool join_prev, join_next;
};

static void plan_retype(const struct memmap *m, uint32_t idx, uint64_t lo, uint64_t hi,
			uint32_t type, struct retype_plan *p)
{
	const struct mem_region *f = &m->r[idx];

	p->idx = idx;
	p->lo = lo;
	p->hi = hi;
	p->keep_left = lo > f->base;
	p->keep_right = hi < reg_end(f);
	p->join_prev = !p->keep_left && idx > 0 && reg_end(&m->r[idx - 1]) == lo &&
		       m->r[idx - 1].type == type;
	p->join_next = !p->keep_right && idx + 1 < m->count && m->r[idx + 1].base == hi &&
		       m->r[idx + 1].type == type;
}

/* Change in the number of regions that applying the plan causes. */
static int plan_delta(const struct retype_plan *p)
{
	return (int)p->keep_left + (int)p->keep_right - (int)p->join_prev -
	       (int)p->join_next;
}

static void apply_retype(struct memmap *m, const struct retype_plan *p, uint32_t type)
{
	struct mem_region out[3];
	struct mem_region f = m->r[p->idx];
	struct mem_region *prev = p->idx > 0 ? &m->r[p->idx - 1] : NULL;
	struct mem_region *next = p->idx + 1 < m->count ? &m->r[p->idx + 1] : NULL;
	uint64_t piece = p->hi - p->lo;
	uint32_t n = 0, ndel = 1;

	if (p->keep_left)
		out[n++] = region(f.base, p->lo - f.base, MEM_FREE);

	if (p->join_prev && p->join_next) {
		/* The region vanishes and bridges its two neighbours. */
		prev->size += piece + next->size;
		ndel = 2;
	} else if (p->join_prev) {
		prev->size += piece;
	} else if (p->join_next) {
		next->base = p->lo;
		next->size += piece;
	} else {
		out[n++] = region(p->lo, piece, type);
	}

	if (p->keep_right)
		out[n++] = region(p->hi, reg_end(&f) - p->hi, MEM_FREE);

	splice(m, p->idx, ndel, out, n);
}

enum retype_pass {
	PASS_COUNT,  /* only sum the change in region count */
	PASS_SHRINK, /* apply the pieces that do not add regions */
	PASS_GROW,   /* apply the pieces that add regions */
};

/*
 * Walks the free pieces of [base, end). Pieces are separated by holes (a
 * touching neighbour inside the range would be free and merged, or busy
 * and refused), so each piece's plan depends only on regions outside the
 * range and is the same whichever pieces were applied before it. That lets
 * the count pass predict the final size exactly, and applying the
 * shrinking pieces before the growing ones keeps the table within
 * MEMMAP_MAX at every step, not just at the end.
 */
static int retype_walk(struct memmap *m, uint64_t base, uint64_t end, uint32_t type,
		       enum retype_pass pass)
{
	uint64_t cur = base;
	int sum = 0;
	int i;

	while (cur < end && (i = find_overlap(m, cur, end)) >= 0) {
		const struct mem_region *r = &m->r[i];
		uint64_t lo = max_u64(r->base, cur);
		uint64_t hi = min_u64(reg_end(r), end);

		if (r->type == MEM_FREE) {
			struct retype_plan p;
			int d;

			plan_retype(m, (uint32_t)i, lo, hi, type, &p);
			d = plan_delta(&p);
			if (pass == PASS_COUNT)
				sum += d;
			else if ((pass == PASS_SHRINK) == (d <= 0))
				apply_retype(m, &p, type);
		}
		cur = hi;
	}
	return sum;
}

static bool type_assignable(uint32_t type)
{
	return type != MEM_FREE && type < MEM_TYPE_COUNT;
}

/* A range to give a type to (or take it back from): the checks that
 * reserving and releasing share; *end is where it stops. */
static int check_typed_range(uint64_t base, uint64_t size, uint32_t type, uint64_t *end)
{
	int err = check_range(base, size);

	if (err)
		return err;
	if (!type_assignable(type))
		return MEMMAP_E_TYPE;
	*end = base + size;
	return 0;
}

int memmap_reserve(struct memmap *m, uint64_t base, uint64_t size, uint32_t type)
{
	uint64_t end;
	int delta, err;

	err = check_typed_range(base, size, type, &end);
	if (err)
		return err;

	if (range_busy(m, base, end))
		return MEMMAP_E_BUSY;

	delta = retype_walk(m, base, end, type, PASS_COUNT);
	if ((int)m->count + delta > MEMMAP_MAX)
		return MEMMAP_E_FULL;

	retype_walk(m, base, end, type, PASS_SHRINK);
	retype_walk(m, base, end, type, PASS_GROW);
	return 0;
}

int memmap_release(struct memmap *m, uint64_t base, uint64_t size, uint32_t type)
{
	struct mem_region out[3], freed;
	const struct mem_region *r;
	uint32_t first, ndel = 1, n = 0;
	uint64_t end;
	int i, err;

	err = check_typed_range(base, size, type, &end);
	if (err)
		return err;
	i = find_overlap(m, base, end);
	if (i < 0)
		return MEMMAP_E_MISMATCH;
	r = &m->r[i];
	if (r->type != type || r->base > base || reg_end(r) < end)
		return MEMMAP_E_MISMATCH;

	first = (uint32_t)i;
	freed = region(base, size, MEM_FREE);
	if (r->base < base) {
		out[n++] = region(r->base, base - r->base, type);
	} else if (first > 0 && m->r[first - 1].type == MEM_FREE &&
		   reg_end(&m->r[first - 1]) == base) {
		/* Joins the free RAM just below. */
		first--;
		ndel++;
		freed.base = m->r[first].base;
		freed.size += m->r[first].size;
	}
	out[n++] = freed;
	if (end < reg_end(r)) {
		out[n++] = region(end, reg_end(r) - end, type);
	} else if ((uint32_t)i + 1 < m->count && m->r[i + 1].type == MEM_FREE &&
		   m->r[i + 1].base == end) {
		/* ... and the free RAM just above. */
		ndel++;
		out[n - 1].size += m->r[i + 1].size;
	}
	if (m->count - ndel + n > MEMMAP_MAX)
		return MEMMAP_E_FULL;
	splice(m, first, ndel, out, n);
	return 0;
}

uint64_t memmap_alloc(struct memmap *m, uint64_t size, uint64_t align, uint32_t type)
{
	uint32_t i;

	if (size == 0 || !is_pow2(align) || !type_assignable(type))
		return 0;
	if (size > UINT64_MAX - (MEMMAP_PAGE_SIZE - 1))
		return 0;
	size = (size + MEMMAP_PAGE_SIZE - 1) & ~(MEMMAP_PAGE_SIZE - 1);
	align = max_u64(align, MEMMAP_PAGE_SIZE);

	/*
	 * Regions are sorted, so the first fit found from the top is the
	 * highest. If the table cannot record that split, a lower region
	 * (where the block might fill a whole region) may still work.
	 */
	for (i = m->count; i-- > 0;) {
		const struct mem_region *r = &m->r[i];
		uint64_t base;

		if (r->type != MEM_FREE || r->size < size)
			continue;
		base = (reg_end(r) - size) & ~(align - 1);
		/* 0 means failure, so a block there cannot be returned. */
		if (base < r->base || base == 0)
			continue;
		if (memmap_reserve(m, base, size, type) == 0)
			return base;
	}
	return 0;
}

uint64_t memmap_mix64(uint64_t x)
{
	/* splitmix64's first output from state x (lib/prng.h). */
	return splitmix64_next(&x);
}

/*
 * Number of aligned bases in region r where a block of size bytes fits, and
 * the lowest of them in *first. size > 0 and align a power of two.
 */
static uint64_t region_candidates(const struct mem_region *r, uint64_t size,
				  uint64_t align, uint64_t *first)
{
	uint64_t mask = align - 1;
	uint64_t lo, hi;

	if (r->type != MEM_FREE || r->size < size)
		return 0;
	if (r->base > UINT64_MAX - mask)
		return 0;
	lo = (r->base + mask) & ~mask;
	hi = reg_end(r) - size;
	if (lo > hi)
		return 0;
	*first = lo;
	/* hi < UINT64_MAX because size > 0, so the + 1 cannot wrap. */
	return (hi - lo) / align + 1;
}

int memmap_pick(const struct memmap *m, uint64_t size, uint64_t align, uint64_t seed,
		uint64_t *out)
{
	uint64_t total = 0, first = 0, n, k;
	uint32_t i;

	if (size == 0 || !is_pow2(align))
		return MEMMAP_E_ALIGN;

	/*
	 * Candidates are distinct addresses below UINT64_MAX, so their total
	 * never exceeds UINT64_MAX and the sum cannot wrap.
	 */
	for (i = 0; i < m->count; i++)
		total += region_candidates(&m->r[i], size, align, &first);
	if (total == 0)
		return MEMMAP_E_NOSPACE;

	k = memmap_mix64(seed) % total;
	for (i = 0; i < m->count; i++) {
		n = region_candidates(&m->r[i], size, align, &first);
		if (k < n) {
			*out = first + k * align;
			return 0;
		}
		k -= n;
	}
	/* Not reached: k < total and the walk sees the same regions. */
	return MEMMAP_E_NOSPACE;
}

static const char *const type_names[MEM_TYPE_COUNT] = {
	[MEM_FREE] = "free",
	[MEM_RESERVED] = "reserved",
	[MEM_DT] = "dt",
	[MEM_BOOT_IMAGE] = "boot-image",
	[MEM_BOOTLOADER] = "bootloader",
	[MEM_HYP_IMAGE] = "hyp-image",
	[MEM_HYP_TABLES] = "hyp-tables",
	[MEM_HYP_DATA] = "hyp-data",
	[MEM_PAYLOAD] = "payload",
	[MEM_GUEST] = "guest",
};

const char *mem_type_name(uint32_t type)
{
	if (type >= MEM_TYPE_COUNT)
		return "unknown";
	return type_names[type];
}

uint64_t memmap_total(const struct memmap *m, uint32_t type)
{
	uint64_t sum = 0;
	uint32_t i;

	/* Regions are disjoint and below UINT64_MAX, so the sum fits. */
	for (i = 0; i < m->count; i++) {
		if (m->r[i].type == type)
			sum += m->r[i].size;
	}
	return sum;
}

bool memmap_covers(const struct memmap *m, uint64_t base, uint64_t size)
{
	uint64_t end = base + size;
	uint32_t i;

	if (size == 0 || end < base)
		return false;
	/* Regions are sorted and touching ones are contiguous RAM, so walk
	 * from the one holding base while each ends where the next starts. */
	for (i = 0; i < m->count; i++) {
		const struct mem_region *r = &m->r[i];

		if (base < r->base)
			return false;
		if (base < r->base + r->size) {
			if (end <= r->base + r->size)
				return true;
			base = r->base + r->size;
		}
	}
	return false;
}

const char *memmap_strerror(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case MEMMAP_E_FULL:
		return "memory map full";
	case MEMMAP_E_OVERLAP:
		return "overlaps existing RAM";
	case MEMMAP_E_BUSY:
		return "memory already in use";
	case MEMMAP_E_NOSPACE:
		return "no free memory fits";
	case MEMMAP_E_ALIGN:
		return "bad alignment or zero size";
	case MEMMAP_E_RANGE:
		return "range wraps past the top of memory";
	case MEMMAP_E_TYPE:
		return "invalid memory type";
	case MEMMAP_E_MISMATCH:
		return "not all of that type";
	default:
		return "unknown error";
	}
}

int memmap_reserve_free(struct memmap *m, uint64_t base, uint64_t size, uint32_t type)
{
	uint64_t end;
	int err = check_typed_range(base, size, type, &end);

	if (err)
		return err;
	/* Each round retypes one free piece; the map is rescanned after it. */
	for (;;) {
		const struct mem_region *r = NULL;

		for (uint32_t i = 0; i < m->count; i++) {
			if (m->r[i].type == MEM_FREE && m->r[i].base < end &&
			    m->r[i].base + m->r[i].size > base) {
				r = &m->r[i];
				break;
			}
		}
		if (!r)
			return 0;
		uint64_t lo = r->base > base ? r->base : base;
		uint64_t hi = r->base + r->size < end ? r->base + r->size : end;

		err = memmap_reserve(m, lo, hi - lo, type);
		if (err)
			return err;
	}
}
