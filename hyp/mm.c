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

/* A page at va already mapped as Device memory to pa. */
static bool mapped_as_device(uint64_t va, uint64_t pa)
{
	uint64_t out, desc;

	return pt_lookup(&hyp_pt, va, &out, &desc, NULL) == 0 && out == pa &&
	       (desc & PTE_ATTRINDX_MASK) == PTE_ATTRINDX(PT_MAIR_IDX_DEVICE);
}

/*
 * Device memory at hyp_phys_to_virt(pa), like the console: the whole
 * pages holding [pa, pa + size). Pages already mapped so are kept, as two
 * devices may share one (eight virtio-mmio transports of 0x200 bytes to a
 * page, each driver mapping its own); a page mapped otherwise (RAM, say)
 * is refused with PT_E_OVERLAP (the pages before it stay mapped).
 */
int hyp_map_device(uint64_t pa, uint64_t size)
{
	uint64_t start = pa & ~(PT_PAGE_SIZE - 1), end = pa + size;
	int err;

	if (!size || end < pa || end > UINT64_MAX - PT_PAGE_SIZE)
		return PT_E_RANGE;
	end = (end + PT_PAGE_SIZE - 1) & ~(PT_PAGE_SIZE - 1);
	err = pt_map(&hyp_pt, (uint64_t)hyp_phys_to_virt(start), start, end - start,
		     PT_DEVICE);
	/* Page by page only when some are there already: a fresh range keeps
	 * its blocks. */
	if (err == PT_E_OVERLAP) {
		err = 0;
		for (uint64_t p = start; p < end && !err; p += PT_PAGE_SIZE) {
			uint64_t va = (uint64_t)hyp_phys_to_virt(p);

			if (!mapped_as_device(va, p))
				err = pt_map(&hyp_pt, va, p, PT_PAGE_SIZE, PT_DEVICE);
		}
	}
	dsb(ishst);
	isb();
	return err;
}
