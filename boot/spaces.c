/*
 * Building address spaces once the bootloader runs at its VA: table pages
 * come from free RAM (marked in the memory map with what they are for) and
 * are written through the bootloader's linear map of RAM.
 */
#include <string.h>

#include <lib/mm/memmap.h>
#include <lib/mm/pgtable.h>
#include <lib/va_layout.h>

#include <boot/boot.h>

void *phys_to_virt(uint64_t pa)
{
	return (void *)(PHYS_MAP_VA + pa);
}

struct ram_tables {
	struct memmap *ram;
	uint32_t type;
};

static uint64_t ram_alloc_page(void *ctx)
{
	struct ram_tables *t = ctx;
	uint64_t pa = memmap_alloc(t->ram, 4096, 4096, t->type);

	if (pa)
		memset(phys_to_virt(pa), 0, 4096);
	return pa;
}

static uint64_t *ram_table_ptr(void *ctx, uint64_t pa)
{
	return phys_to_virt(pa);
}

/* One context per space type: the allocator keeps a pointer to it. */
static struct ram_tables contexts[MEM_TYPE_COUNT];

int space_init(struct pgtable *pt, struct memmap *ram, uint32_t table_type)
{
	struct pt_alloc alloc = {ram_alloc_page, ram_table_ptr, &contexts[table_type]};

	contexts[table_type].ram = ram;
	contexts[table_type].type = table_type;
	return pt_init(pt, &alloc);
}

/*
 * Maps all of RAM at PHYS_MAP_VA + PA. Works from a copy of the map, since
 * mapping may allocate table pages and so change it, and joins adjacent
 * regions whatever their use, so blocks are as large as alignment allows.
 */
int map_ram(struct pgtable *pt, const struct memmap *ram)
{
	struct memmap snap = *ram;

	for (uint32_t i = 0; i < snap.count;) {
		uint64_t base = snap.r[i].base, end = base + snap.r[i].size;
		int err;

		for (i++; i < snap.count && snap.r[i].base == end; i++)
			end += snap.r[i].size;
		err = pt_map(pt, PHYS_MAP_VA + base, base, end - base, PT_NORMAL | PT_XN);
		if (err)
			return err;
	}
	return 0;
}
