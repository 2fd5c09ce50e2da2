/*
 * The hypervisor's own address space, as the bootloader built it: more
 * mappings are added with table pages from RAM the memory map says is free.
 */
#include <string.h>

#include <arch/sysreg.h>
#include <lib/handoff.h>
#include <lib/mm/memmap.h>
#include <lib/mm/pgtable.h>

#include <hyp/hyp.h>

static struct pgtable hyp_pt;
static struct memmap *ram;

static uint64_t alloc_page(void *ctx)
{
	uint64_t pa = memmap_alloc(ram, 4096, 4096, MEM_HYP_TABLES);

	if (pa)
		memset(hyp_phys_to_virt(pa), 0, 4096);
	return pa;
}

static uint64_t *table_ptr(void *ctx, uint64_t pa)
{
	return hyp_phys_to_virt(pa);
}

static const struct pt_alloc table_alloc = {alloc_page, table_ptr, NULL};

/* Table pages from free RAM, for the hypervisor's and VMs' tables. */
const struct pt_alloc *hyp_table_alloc(void)
{
	return &table_alloc;
}

int hyp_mm_init(struct handoff *h)
{
	ram = &h->memmap;
	hyp_pt.root_pa = h->ttbr;
	hyp_pt.alloc = table_alloc;
	return 0;
}

/* Device memory at hyp_phys_to_virt(pa), like the console. */
int hyp_map_device(uint64_t pa, uint64_t size)
{
	int err = pt_map(&hyp_pt, (uint64_t)hyp_phys_to_virt(pa), pa, size, PT_DEVICE);

	dsb(ishst);
	isb();
	return err;
}
