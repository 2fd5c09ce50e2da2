/*
 * Symbol table lookups (hyp/pnmi/symtab.h). Validation bounds every size against
 * table_bytes with divisions and subtractions, never additions that could
 * wrap, before any entry or name is touched.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lib/fmt.h>
#include <hyp/pnmi/symtab.h>

struct view {
	const struct symtab_entry *ent;
	uint32_t count;
	const char *strtab;
	uint32_t strtab_size;
};

static bool view_of(const void *table, size_t table_bytes, struct view *v)
{
	const struct symtab_header *h = table;
	size_t room;

	if (!table || ((uintptr_t)table & 7) || table_bytes < sizeof(*h))
		return false;
	if (h->magic != SYMTAB_MAGIC || h->reserved != 0)
		return false;
	room = table_bytes - sizeof(*h);
	if (h->count > room / sizeof(struct symtab_entry))
		return false;
	room -= (size_t)h->count * sizeof(struct symtab_entry);
	if (h->strtab_size > room)
		return false;
	v->ent = (const struct symtab_entry *)(h + 1);
	v->count = h->count;
	v->strtab = (const char *)(v->ent + h->count);
	v->strtab_size = h->strtab_size;
	return true;
}

/* Names inside the string table and terminated (the table's last byte is
 * NUL, so every offset below its size starts a terminated string); entries
 * in address order. */
static bool entries_valid(const struct view *v)
{
	if (v->count == 0)
		return true;
	if (v->strtab_size == 0 || v->strtab[v->strtab_size - 1] != '\0')
		return false;
	for (uint32_t i = 0; i < v->count; i++) {
		if (v->ent[i].name_offset >= v->strtab_size)
			return false;
		if (i > 0 && v->ent[i].addr < v->ent[i - 1].addr)
			return false;
	}
	return true;
}

bool symtab_valid(const void *table, size_t table_bytes)
{
	struct view v;

	return view_of(table, table_bytes, &v) && entries_valid(&v);
}

bool symtab_lookup(const void *table, size_t table_bytes, uint64_t addr,
		   const char **name, uint64_t *offset)
{
	struct view v;
	uint32_t lo = 0, hi;
	const struct symtab_entry *e;

	if (!view_of(table, table_bytes, &v) || !entries_valid(&v))
		return false;

	/* lo ends as the number of entries at or below addr. */
	hi = v.count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (v.ent[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	e = &v.ent[lo - 1];
	if (e->size != 0 ? addr - e->addr >= e->size : lo == v.count)
		return false;
	if (name)
		*name = v.strtab + e->name_offset;
	if (offset)
		*offset = addr - e->addr;
	return true;
}

int symtab_format(char *buf, size_t n, const void *table, size_t table_bytes,
		  uint64_t addr)
{
	const char *name;
	uint64_t off;

	if (symtab_lookup(table, table_bytes, addr, &name, &off))
		return fmt_snprintf(buf, n, "%s+0x%llx", name, (unsigned long long)off);
	return fmt_snprintf(buf, n, "0x%llx", (unsigned long long)addr);
}
