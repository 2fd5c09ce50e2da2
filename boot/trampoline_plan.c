#include <lib/mm/pgtable.h>
#include <boot/trampoline_plan.h>

int trampoline_plan(uint64_t va, uint64_t pa, uint64_t delta, struct trampoline_plan *out)
{
	const uint64_t top = 1ull << PT_VA_BITS;
	uint64_t alias = va + delta;

	/* Both pages must be distinct, or the jump across goes nowhere. */
	if (delta < PT_PAGE_SIZE)
		return TRAMPOLINE_E_DELTA;
	if ((va | pa | delta) & (PT_PAGE_SIZE - 1))
		return TRAMPOLINE_E_ALIGN;
	if (va >= top || alias < va || alias > top - PT_PAGE_SIZE)
		return TRAMPOLINE_E_RANGE;
	out->pa = pa;
	out->va = va;
	out->alias_va = alias;
	out->delta = delta;
	return 0;
}

int trampoline_plan_identity(uint64_t va, uint64_t pa, struct trampoline_plan *out)
{
	const uint64_t top = 1ull << PT_VA_BITS;

	if ((va | pa) & (PT_PAGE_SIZE - 1))
		return TRAMPOLINE_E_ALIGN;
	if (va >= top || pa >= top)
		return TRAMPOLINE_E_RANGE;
	/* Distinct page-aligned addresses: the two pages cannot overlap. */
	if (va == pa)
		return TRAMPOLINE_E_DELTA;
	out->pa = pa;
	out->va = va;
	out->alias_va = pa;
	out->delta = pa - va;
	return 0;
}

int trampoline_map(struct pgtable *pt, const struct trampoline_plan *p)
{
	int err = pt_map(pt, p->va, p->pa, PT_PAGE_SIZE, PT_NORMAL | PT_RO);

	if (!err)
		err = pt_map(pt, p->alias_va, p->pa, PT_PAGE_SIZE, PT_NORMAL | PT_RO);
	return err;
}
