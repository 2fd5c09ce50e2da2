/*
 * The EL3 translation regime: an identity map. The port's fixed regions
 * (plat_el3_regions: flash, the monitor's secure RAM, MMIO) are in the Root
 * physical address space (QEMU's Root space sees the Non-secure devices
 * and the secure-only ones); DRAM is mapped in the Non-secure PAS, since
 * everything the monitor does there (the DT, the boot image) is for the
 * normal world.
 *
 * The MMU matters at EL3 even though VA == PA: with it off every data access
 * is Device memory, and libfdt makes unaligned and SIMD accesses.
 */
#include <stddef.h>
#include <string.h>

#include <arch/sysreg.h>
#include <lib/mm/memmap.h>
#include <lib/mm/pgtable.h>

#include <monitor/monitor.h>
#include <platform.h>

extern char __pool_start[], __pool_end[];

static uint64_t pool_next;
static struct pgtable el3_pt;

uint64_t pool_alloc(uint64_t size, uint64_t align)
{
	uint64_t base;

	if (!pool_next)
		pool_next = (uint64_t)__pool_start;
	base = (pool_next + align - 1) & ~(align - 1);
	if (base < pool_next || base + size > (uint64_t)__pool_end || base + size < base)
		return 0;
	pool_next = base + size;
	memset((void *)base, 0, size);
	return base;
}

static uint64_t alloc_table(void *ctx)
{
	return pool_alloc(4096, 4096);
}

static uint64_t *table_ptr(void *ctx, uint64_t pa)
{
	return (uint64_t *)pa; /* the monitor's memory is identity-mapped */
}

/* DRAM up to here is mapped before the DT is read: the DT lies in it. */
#define EARLY_DRAM_SIZE 0x200000

static int map(uint64_t base, uint64_t end, uint64_t flags)
{
	return pt_map(&el3_pt, base, base, end - base, flags);
}

int el3_map_early(void)
{
	static const struct pt_alloc alloc = {alloc_table, table_ptr, NULL};
	int err = pt_init(&el3_pt, &alloc);

	/* The port's fixed map: its flash, secure RAM and MMIO. */
	for (unsigned i = 0; !err && i < plat_el3_region_count; i++)
		err = map(plat_el3_regions[i].base,
			  plat_el3_regions[i].base + plat_el3_regions[i].size,
			  plat_el3_regions[i].attrs);
	if (!err)
		err = map(PLAT_DT_BASE, PLAT_DT_BASE + EARLY_DRAM_SIZE,
			  PT_NORMAL | PT_XN | PT_PAS_NS);
	return err;
}

/* Maps every RAM range of the map except the early window, already there. */
int el3_map_ram(const struct memmap *ram)
{
	const uint64_t win = PLAT_DT_BASE, win_end = PLAT_DT_BASE + EARLY_DRAM_SIZE;

	for (uint32_t i = 0; i < ram->count; i++) {
		uint64_t b = ram->r[i].base, e = b + ram->r[i].size;
		uint64_t flags = PT_NORMAL | PT_XN | PT_PAS_NS;
		int err = 0;

		if (e <= win || b >= win_end) {
			err = map(b, e, flags);
		} else {
			if (b < win)
				err = map(b, win, flags);
			if (!err && e > win_end)
				err = map(win_end, e, flags);
		}
		if (err)
			return err;
	}
	return 0;
}

void el3_mmu_enable(void)
{
	write_sysreg(mair_el3, PT_MAIR_VALUE);
	write_sysreg(tcr_el3, TCR_ELx_RES1 | TCR_T0SZ(VA_BITS) | TCR_IRGN0_WBWA |
				      TCR_ORGN0_WBWA | TCR_SH0_INNER | TCR_TG0_4K |
				      TCR_PS_48BIT);
	write_sysreg(ttbr0_el3, el3_pt.root_pa);
	isb();
	__asm__ volatile("tlbi alle3" ::: "memory");
	dsb(sy);
	isb();
	write_sysreg(sctlr_el3, SCTLR_ELx_RES1 | SCTLR_ELx_M | SCTLR_ELx_C | SCTLR_ELx_I |
					SCTLR_ELx_SA);
	isb();
}
