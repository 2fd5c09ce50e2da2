/*
 * A VM's table of emulated devices and of the ranges stage 2 maps
 * (hyp/vdev/mmio_table.h): the checks a range passes before it joins.
 */
#include <stddef.h>

#include <hyp/vdev/mmio_table.h>

/* [b, b + s) and [base, base + size) share a byte; neither wraps. */
static bool overlaps(uint64_t b, uint64_t s, uint64_t base, uint64_t size)
{
	return base < b + s && b < base + size;
}

/* The refusals every range gets: empty, wrapping, overlapping anything
 * in the table. */
static enum mmio_table_err check(const struct mmio_table *t, uint64_t base, uint64_t size,
				 const char **clash)
{
	if (!size)
		return MMIO_E_EMPTY;
	/* base + size may be 2^64 exactly (the last byte is 2^64 - 1), which
	 * no range here needs: refused as wrapping, so ends are computable. */
	if (base + size <= base)
		return MMIO_E_WRAPS;
	for (unsigned i = 0; i < t->count; i++) {
		const struct mmio_region *r = &t->regions[i];

		if (overlaps(r->base, r->size, base, size)) {
			if (clash)
				*clash = r->name;
			return MMIO_E_OVERLAP;
		}
	}
	for (unsigned i = 0; i < t->mapped_count; i++) {
		const struct mapped_range *m = &t->mapped[i];

		if (overlaps(m->base, m->size, base, size)) {
			if (clash)
				*clash = m->name;
			return MMIO_E_OVERLAP;
		}
	}
	return MMIO_OK;
}

enum mmio_table_err mmio_table_add(struct mmio_table *t, uint64_t base, uint64_t size,
				   const struct mmio_ops *ops, void *priv,
				   const char *name, const char **clash)
{
	enum mmio_table_err err;

	if (!ops || !ops->read || !ops->write)
		return MMIO_E_OPS;
	err = check(t, base, size, clash);
	if (err)
		return err;
	if (t->count >= MAX_MMIO_REGIONS)
		return MMIO_E_FULL;
	t->regions[t->count++] = (struct mmio_region){base, size, *ops, priv, name};
	return MMIO_OK;
}

enum mmio_table_err mmio_table_add_mapped(struct mmio_table *t, uint64_t base,
					  uint64_t size, const char *name,
					  const char **clash)
{
	enum mmio_table_err err = check(t, base, size, clash);

	if (err)
		return err;
	if (t->mapped_count >= MAX_MAPPED_RANGES)
		return MMIO_E_FULL;
	t->mapped[t->mapped_count++] = (struct mapped_range){base, size, name};
	return MMIO_OK;
}

const char *mmio_table_strerror(enum mmio_table_err err)
{
	switch (err) {
	case MMIO_OK:
		return "no error";
	case MMIO_E_EMPTY:
		return "size 0";
	case MMIO_E_WRAPS:
		return "range wraps past the top of the address space";
	case MMIO_E_OVERLAP:
		return "overlaps";
	case MMIO_E_FULL:
		return "table full";
	case MMIO_E_OPS:
		return "no read or write handler";
	}
	return "unknown error";
}
