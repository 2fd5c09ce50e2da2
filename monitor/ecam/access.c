/*
 * A trapped ECAM window access, completed or refused (monitor/ecam/access.h).
 */
#include <monitor/ecam/access.h>
#include <lib/mm/pgtable.h>

#define PAGE_MASK (PT_PAGE_SIZE - 1) /* the offset in a page */

struct bus_ctx {
	struct pci_ecam *e;
	uint64_t page_va, page_pa; /* the faulting page, both sides */
	uint64_t win_base, win_size;
};

/* The window offset of [va, va + len), or false when any of it is outside
 * the faulting page or the window. */
static bool window_offset(const struct bus_ctx *b, uint64_t va, uint64_t len,
			  uint64_t *off)
{
	uint64_t pa;

	if (len == 0 || (va & ~PAGE_MASK) != b->page_va ||
	    ((va + len - 1) & ~PAGE_MASK) != b->page_va)
		return false;
	pa = b->page_pa | (va & PAGE_MASK);
	if (pa < b->win_base || pa - b->win_base >= b->win_size)
		return false;
	*off = pa - b->win_base;
	return true;
}

static bool bus_check(void *ctx, uint64_t va, uint64_t len, bool write)
{
	uint64_t off;

	return window_offset(ctx, va, len, &off);
}

static bool bus_read(void *ctx, uint64_t va, unsigned size, uint64_t *val)
{
	const struct bus_ctx *b = ctx;
	uint64_t off;

	return window_offset(b, va, size, &off) &&
	       pci_ecam_access(b->e, off, size, false, val);
}

static bool bus_write(void *ctx, uint64_t va, unsigned size, uint64_t val)
{
	const struct bus_ctx *b = ctx;
	uint64_t off;

	return window_offset(b, va, size, &off) &&
	       pci_ecam_access(b->e, off, size, true, &val);
}

static const struct a64_ldst_bus ecam_bus = {bus_check, bus_read, bus_write};

static struct ecam_trap_result refuse(struct ecam_trap_result r, enum ecam_trap_why why)
{
	r.outcome = ECAM_TRAP_REFUSED;
	r.why = why;
	return r;
}

struct ecam_trap_result ecam_trap_handle(struct pci_ecam *e,
					 const struct ecam_trap_fault *fault,
					 struct a64_ldst_cpu *cpu,
					 const struct ecam_trap_ops *ops, void *ctx)
{
	struct ecam_trap_result r = {ECAM_TRAP_NOT_OURS, ECAM_WHY_NONE, A64_LDST_OK, 0,
				     0};
	struct bus_ctx b = {e, fault->va & ~PAGE_MASK, 0, e->win->base,
			    pci_ecam_window_size(e->win)};
	uint64_t insn_pa;

	if (fault->source == ECAM_TRAP_GPC)
		r.pa = fault->pa;
	else if (!ops->translate(ctx, fault->va, &r.pa))
		return r; /* no translation: not an access that reached a bus */
	if (r.pa < b.win_base || r.pa - b.win_base >= b.win_size)
		return r;
	b.page_pa = r.pa & ~PAGE_MASK;
	if (fault->fetch)
		return refuse(r, ECAM_WHY_IFETCH);
	if (!ops->translate(ctx, fault->pc, &insn_pa) || (insn_pa & 3) ||
	    !ops->read_insn(ctx, insn_pa, &r.insn))
		return refuse(r, ECAM_WHY_FETCH);
	if (fault->big_endian)
		return refuse(r, ECAM_WHY_BIG_ENDIAN);
	r.ldst = a64_ldst_emulate(r.insn, cpu, &ecam_bus, &b);
	if (r.ldst != A64_LDST_OK)
		return refuse(r, ECAM_WHY_DECODE);
	r.outcome = ECAM_TRAP_DONE;
	return r;
}

const char *ecam_trap_why_name(const struct ecam_trap_result *r)
{
	switch (r->why) {
	case ECAM_WHY_NONE:
		return "none";
	case ECAM_WHY_DECODE:
		return a64_ldst_status_name(r->ldst);
	case ECAM_WHY_FETCH:
		return "instruction-unreadable";
	case ECAM_WHY_BIG_ENDIAN:
		return "big-endian";
	case ECAM_WHY_IFETCH:
		return "instruction-fetch";
	}
	return "invalid";
}
