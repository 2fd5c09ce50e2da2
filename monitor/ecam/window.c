/*
 * The emulated PCI ECAM window (technique 5): physical addresses where
 * nothing exists, presented to the normal world as the configuration space
 * of "shim" PCI functions whose BARs are the platform's existing MMIO
 * devices (the platform's table, plat_ecam_window()).
 *
 * The granule protection table makes the window "no access", so every
 * normal-world load or store there, from EL2 or from a guest at EL1/EL0
 * through stage 2, is a granule protection fault taken to EL3. traps.c
 * hands it here; monitor/ecam/access.c decides, with what this file gives it:
 * the caller's registers, address translation in the caller's regime (AT
 * S1E2R, or S12E1R/S12E0R for a guest, which walk the live stage-1 and
 * stage-2 tables), and reads of the instruction word from Non-secure RAM.
 * A completed access resumes the caller after the instruction; a refused
 * one gets a synchronous external abort and one log line.
 *
 * Hardware without FEAT_RME reports such accesses as synchronous external
 * aborts instead (SCR_EL3.EA = 1); ecam_sea() is that path. QEMU never
 * routes an external abort to EL3, so it is exercised by the host tests of
 * monitor/ecam/access.c only.
 */
#include <stddef.h>

#include <libfdt.h>

#include <arch/spinlock.h>
#include <arch/sysreg.h>
#include <lib/console.h>
#include <lib/dt/dt.h>
#include <monitor/ecam/access.h>
#include <lib/exception.h>
#include <lib/fmt.h>
#include <lib/mm/memmap.h>
#include <lib/pci/host_bridge_dt.h>
#include <lib/mm/pgtable.h>

#include <monitor/ecam/fast.h>
#include <monitor/monitor.h>

#define PAGE_OFFSET_MASK (PT_PAGE_SIZE - 1)
/* Refusals logged per boot: a guest can make as many as it likes. */
#define REFUSAL_LOG_LIMIT 32

static struct pci_ecam ecam;
static bool ecam_on;
/* The window, for the fault path's first test: [win_base, win_base +
 * ecam.size), empty until ecam_init() has a window. */
static uint64_t win_base;
static spinlock_t ecam_lock;
static const struct memmap *nsram;
static unsigned refusals;

/* The trapped context: which EL, and its PSTATE. */
struct caller {
	unsigned el;
	uint64_t spsr;
};

static inline bool translate(void *ctx, uint64_t va, uint64_t *pa)
{
	const struct caller *c = ctx;
	uint64_t saved = read_sysreg(par_el1), par;

	/* PAR_EL1 is the caller's register too (EL1 uses it): kept. */
	if (c->el == 2)
		__asm__ volatile("at s1e2r, %0" ::"r"(va));
	else if (c->el == 1)
		__asm__ volatile("at s12e1r, %0" ::"r"(va));
	else
		__asm__ volatile("at s12e0r, %0" ::"r"(va));
	isb();
	par = read_sysreg(par_el1);
	write_sysreg(par_el1, saved);
	if (par & PAR_F)
		return false;
	*pa = (par & PAR_PA_MASK) | (va & PAGE_OFFSET_MASK);
	return true;
}

/* Only from the normal world's RAM, which EL3 maps (Non-secure PAS): the
 * caller may run from anything its tables map, devices included, and a
 * read of those could have side effects. */
static uint64_t ram_page = 1; /* the last page found to be RAM; 1: none */

static __attribute__((noinline, cold)) bool page_is_ram(uint64_t page)
{
	if (!memmap_covers(nsram, page, PAGE_OFFSET_MASK + 1))
		return false;
	__atomic_store_n(&ram_page, page, __ATOMIC_RELAXED);
	return true;
}

static inline bool read_insn(void *ctx, uint64_t pa, uint32_t *insn)
{
	/* Most traps come from the few pages of one driver: the last page
	 * found to be RAM saves the walk of the memory map. */
	uint64_t page = pa & ~PAGE_OFFSET_MASK;

	if (page != __atomic_load_n(&ram_page, __ATOMIC_RELAXED) && !page_is_ram(page))
		return false;
	*insn = *(const volatile uint32_t *)pa;
	return true;
}

static const struct ecam_trap_ops ops = {translate, read_insn};

static bool caller_big_endian(const struct caller *c)
{
	if (c->el == 2)
		return read_sysreg(sctlr_el2) & SCTLR_ELx_EE;
	if (c->el == 1)
		return read_sysreg(sctlr_el1) & SCTLR_ELx_EE;
	return read_sysreg(sctlr_el1) & SCTLR_EL1_E0E;
}

/* The stack pointer the caller was using. */
static uint64_t caller_sp(const struct caller *c)
{
	if (!(c->spsr & SPSR_M_SP_ELX) || c->el == 0)
		return read_sysreg(sp_el0);
	return c->el == 2 ? read_sysreg(sp_el2) : read_sysreg(sp_el1);
}

static void set_caller_sp(const struct caller *c, uint64_t sp)
{
	if (!(c->spsr & SPSR_M_SP_ELX) || c->el == 0)
		write_sysreg(sp_el0, sp);
	else if (c->el == 2)
		write_sysreg(sp_el2, sp);
	else
		write_sysreg(sp_el1, sp);
}

static void log_refusal(const struct caller *c, const struct ecam_trap_result *r,
			uint64_t pc)
{
	if (refusals >= REFUSAL_LOG_LIMIT)
		return;
	if (++refusals == REFUSAL_LOG_LIMIT)
		log_printf("monitor: ecam: refusals after this one are not logged\n");
	log_printf("monitor: ecam: EL%u access to PA 0x%lx refused (%s, insn 0x%08x at "
		   "pc 0x%lx): external abort injected\n",
		   c->el, r->pa, ecam_trap_why_name(r), r->insn, pc);
}

/* The frame's registers and sp slot are a struct a64_ldst_cpu (frame.h). */
_Static_assert(offsetof(struct frame, x) == offsetof(struct a64_ldst_cpu, x) &&
		       offsetof(struct frame, sp) == offsetof(struct a64_ldst_cpu, sp),
	       "struct frame starts with a struct a64_ldst_cpu");

/* One fault, from either source: true when it was the window's (emulated,
 * or refused with an abort injected), false when it is somebody else's.
 * The access is emulated on the saved frame itself: the vectors restore
 * x0..x30 from it on the way out. */
static bool handle(struct frame *f, struct ecam_trap_fault *fault, bool write)
{
	struct caller c = {spsr_el(f->spsr), f->spsr};
	struct a64_ldst_cpu *cpu = (struct a64_ldst_cpu *)(void *)f;
	struct ecam_trap_result r;

	fault->pc = f->elr;
	fault->big_endian = caller_big_endian(&c);
	f->sp = caller_sp(&c);

	spin_lock(&ecam_lock);
	r = ecam_trap_handle(&ecam, fault, cpu, &ops, &c);
	spin_unlock(&ecam_lock);

	switch (r.outcome) {
	case ECAM_TRAP_NOT_OURS:
		return false;
	case ECAM_TRAP_DONE:
		set_caller_sp(&c, f->sp);
		f->elr += 4;
		return true;
	case ECAM_TRAP_REFUSED:
		break;
	}
	log_refusal(&c, &r, f->elr);
	monitor_inject_sea(f, fault->fetch, write, fault->va);
	return true;
}

/*
 * The short way (monitor/ecam/fast.S) for what config reads are: LDR (unsigned
 * offset) of 1, 2 or 4 bytes from EL2 or EL1, little-endian, registers
 * among those the short frame holds, the address in the faulting page, the
 * instruction on a page already known to be RAM. It calls nothing, so it
 * needs no stack frame of its own. The instruction is fetched and checked
 * as ecam_trap_handle() does; anything else (writes, 8-byte reads, any
 * doubt) returns false and the full path decides: the same answer, more
 * slowly, and the one that logs refusals. Reads take no lock: writes are
 * serialised, and a read sees a dword before or after (lib/pci/config_space.h).
 */
bool ecam_fast(struct caller_frame *ff)
{
	uint64_t far = read_sysreg(far_el3), elr = read_sysreg(elr_el3);
	uint64_t pa = (read_sysreg(MFAR_EL3) & MFAR_PA_MASK) | (far & PAGE_OFFSET_MASK);
	uint64_t esr = read_sysreg(esr_el3), spsr = read_sysreg(spsr_el3);
	struct caller c = {spsr_el(spsr), spsr};
	struct a64_ldst_simple s;
	uint64_t insn_pa, va, *rn, *rt = NULL;
	uint32_t insn, val;

	if (pa - win_base >= ecam.size || (esr & ESR_GPC_IND) || c.el == 0 ||
	    caller_big_endian(&c) || !translate(&c, elr, &insn_pa) || (insn_pa & 3) ||
	    (insn_pa & ~PAGE_OFFSET_MASK) != __atomic_load_n(&ram_page, __ATOMIC_RELAXED))
		return false;
	insn = *(const volatile uint32_t *)insn_pa;
	if (!a64_ldst_simple(insn, &s) || !s.load || s.size == 8)
		return false;
	rn = caller_frame_reg(ff, s.rn); /* NULL for SP, and x19..x29 */
	if (!rn || (s.rt != A64_LDST_REG_MASK && !(rt = caller_frame_reg(ff, s.rt))))
		return false;
	va = *rn + s.offset;
	if (((va ^ far) & ~PAGE_OFFSET_MASK) || (va & (s.size - 1u)) ||
	    !pci_ecam_read(&ecam,
			   ((pa & ~PAGE_OFFSET_MASK) | (va & PAGE_OFFSET_MASK)) -
				   win_base,
			   s.size, &val))
		return false;
	if (rt)
		*rt = val; /* a W load: the X register's upper half is 0 */
	write_sysreg(elr_el3, elr + 4);
	return true;
}

bool ecam_gpc(struct frame *f, uint64_t esr)
{
	uint64_t far = read_sysreg(far_el3);
	uint64_t pa = (read_sysreg(MFAR_EL3) & MFAR_PA_MASK) | (far & PAGE_OFFSET_MASK);
	struct ecam_trap_fault fault;

	if (!ecam_on || pa - ecam.win->base >= ecam.size)
		return false;
	fault = (struct ecam_trap_fault){
		.source = ECAM_TRAP_GPC,
		.va = far,
		.pa = pa,
		.fetch = esr & ESR_GPC_IND,
	};
	return handle(f, &fault, !fault.fetch && (esr & ESR_ISS_WNR));
}

bool ecam_sea(struct frame *f, uint64_t esr)
{
	struct ecam_trap_fault fault = {
		.source = ECAM_TRAP_SEA,
		.va = read_sysreg(far_el3),
		.fetch = ESR_EC(esr) == ESR_EC_IABT_LOW,
	};

	return ecam_on && handle(f, &fault, !fault.fetch && (esr & ESR_ISS_WNR));
}

int ecam_init(const struct memmap *ram)
{
	const struct pci_ecam_window *w = plat_ecam_window();
	int err;

	if (!w)
		return 0;
	err = pci_ecam_init(&ecam, w);
	if (!err)
		err = protect_no_access(w->base, pci_ecam_window_size(w));
	if (err) {
		log_printf("monitor: ecam: the platform's window at 0x%lx is unusable "
			   "(%d)\n",
			   w->base, err);
		return err;
	}
	nsram = ram;
	win_base = w->base;
	ecam_on = true;
	log_printf("monitor: ecam: emulated window 0x%lx-0x%lx, %u shim function(s)\n",
		   w->base, w->base + pci_ecam_window_size(w) - 1, w->nfns);
	return 0;
}

/* A shim replaces its device's own node (pci_dt_disable_shimmed()): an
 * enabled node for the same registers would give the device two drivers. */
static void note_shimmed(void *ctx, const void *fdt, int node,
			 const struct pci_ecam_fn *f)
{
	(void)ctx;
	log_printf("monitor: ecam: %s is PCI function %02x:%02x.%u now\n",
		   fdt_get_name(fdt, node, NULL), f->bus, f->dev, f->fn);
}

int ecam_add_dt_node(void *fdt)
{
	const struct pci_ecam_window *w = ecam.win;
	struct pci_dt_params p = {w, 0, PCI_DT_DOMAIN_AUTO};
	char path[32];
	int err, node;

	if (!ecam_on)
		return 0;
	err = pci_dt_disable_shimmed(fdt, w, note_shimmed, NULL);
	if (!err)
		err = pci_dt_add_host_bridge(fdt, &p);
	if (!err) {
		fmt_snprintf(path, sizeof(path), "/pcie@%lx", w->base);
		node = fdt_path_offset(fdt, path);
		err = node < 0 ? node
			       : fdt_setprop_empty(fdt, node, PCI_DT_PROP_EMULATED);
	}
	if (err)
		log_printf("monitor: ecam: cannot describe the window in the DT (%d)\n",
			   err);
	return err;
}
