/*
 * Self-test `test = ecam`: the monitor's emulated ECAM window read and
 * written from EL2, the way an OS's PCI code would and the ways it must
 * not. Prints what the first function says it is, reads the real device
 * behind its BAR (a PrimeCell names its part), and checks the
 * answers the window defines: all-ones for an absent function, read-only
 * fields that keep their value, BAR sizing, and an external abort for
 * accesses the monitor refuses (which it logs). Ends with "hyp: ecam
 * self-test passed" or FAILED lines, then the cost of one config read
 * ("bench: ecam_read_el2 insns=N": exact under -icount shift=0, where the
 * counter counts instructions; docs/PERFORMANCE.md).
 */
#include <arch/mmio.h>
#include <arch/sysreg.h>
#include <lib/console.h>
#include <lib/pci/config_space.h>

#include <hyp/hyp.h>

/* PrimeCell component ID registers, at the end of a PrimeCell's 4 KiB. */
#define PRIMECELL_PERIPH_ID0 0xfe0
#define PRIMECELL_PERIPH_ID1 0xfe4
#define PRIMECELL_CELL_ID0 0xff0
#define PRIMECELL_CELL_ID1 0xff4
#define PRIMECELL_CELL_ID2 0xff8
#define PRIMECELL_CELL_ID3 0xffc
#define PRIMECELL_CELL_ID 0xb105f00du
#define BENCH_SAMPLES 101

static bool ok = true;

static void expect(bool cond, const char *what, uint64_t got)
{
	if (!cond) {
		log_printf("hyp: ecam: FAILED: %s (got 0x%lx)\n", what, got);
		ok = false;
	}
}

/* A refused access: a data abort from EL2, the external abort the monitor
 * injects or (for unaligned ones) the alignment fault the Device mapping
 * gives before the access leaves the CPU. */
static void expect_abort(hyp_probe_fn *fn, uint64_t va, bool alignment_ok,
			 const char *what)
{
	uint64_t v, esr, fsc;

	if (hyp_probe(fn, va, &v, &esr)) {
		expect(false, what, v);
		return;
	}
	fsc = esr & ESR_ISS_FSC_MASK;
	expect(ESR_EC(esr) == ESR_EC_DABT_CUR &&
		       (fsc == ESR_FSC_SEA || (alignment_ok && fsc == ESR_FSC_ALIGNMENT)),
	       what, esr);
}

static uint64_t timed_read(uintptr_t va, bool access)
{
	uint64_t t0, t1;

	isb();
	t0 = read_sysreg(cntpct_el0);
	isb();
	if (access)
		(void)mmio_read32(va);
	isb();
	t1 = read_sysreg(cntpct_el0);
	return t1 - t0;
}

static uint64_t median(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

/* One config read from EL2, round trip through EL3, less the measuring. */
static uint64_t bench_read(uintptr_t va)
{
	uint64_t with[BENCH_SAMPLES], without[BENCH_SAMPLES];

	for (unsigned i = 0; i < BENCH_SAMPLES; i++) {
		with[i] = timed_read(va, true);
		without[i] = timed_read(va, false);
	}
	return median(with, BENCH_SAMPLES) - median(without, BENCH_SAMPLES);
}

/* The real device behind the BAR: a PrimeCell says what it is in its ID
 * registers; anything else shows its first register. */
static void read_device(uint64_t bar_pa)
{
	uintptr_t d;
	uint32_t cell = 0;

	if (hyp_map_device(bar_pa, PCI_ECAM_BAR_MIN_SIZE)) {
		expect(false, "mapping the BAR", bar_pa);
		return;
	}
	d = (uintptr_t)hyp_phys_to_virt(bar_pa);
	cell = (mmio_read32(d + PRIMECELL_CELL_ID3) & 0xff) << 24 |
	       (mmio_read32(d + PRIMECELL_CELL_ID2) & 0xff) << 16 |
	       (mmio_read32(d + PRIMECELL_CELL_ID1) & 0xff) << 8 |
	       (mmio_read32(d + PRIMECELL_CELL_ID0) & 0xff);
	if (cell == PRIMECELL_CELL_ID)
		log_printf("hyp: ecam: the BAR at 0x%lx is a PrimeCell, part 0x%03x\n",
			   bar_pa,
			   (mmio_read32(d + PRIMECELL_PERIPH_ID1) & 0xf) << 8 |
				   (mmio_read32(d + PRIMECELL_PERIPH_ID0) & 0xff));
	else
		log_printf("hyp: ecam: the BAR at 0x%lx answers, first register 0x%08x\n",
			   bar_pa, mmio_read32(d));
}

/* A function the window does not have: the first free device number. */
static uintptr_t absent_fn(const struct pci_ecam_window *win, uintptr_t w)
{
	for (unsigned dev = 0; dev <= PCI_ECAM_DEV_MASK; dev++) {
		bool used = false;

		for (unsigned i = 0; i < win->nfns; i++)
			used |= win->fns[i].dev == dev;
		if (!used)
			return w + ((uintptr_t)dev << PCI_ECAM_DEV_SHIFT);
	}
	return 0;
}

void selftest_ecam(void)
{
	const struct pci_ecam_window *win;
	const struct pci_ecam_fn *f;
	uint64_t bar, bar_size;
	uintptr_t w, fn0, fn1;
	unsigned bar_reg;
	uint32_t id, class_rev;

	win = hyp_ecam_window(&w);
	if (!win) {
		log_printf("hyp: ecam: no emulated ECAM window\n");
		return;
	}
	/* The first function the scan found, and one that is not there. */
	f = &win->fns[0];
	fn0 = w + ((uintptr_t)f->dev << PCI_ECAM_DEV_SHIFT) +
	      ((uintptr_t)f->fn << PCI_ECAM_FN_SHIFT);
	fn1 = absent_fn(win, w);
	bar_reg = PCI_BASE_ADDRESS_0 + 4u * f->bar.index;

	/* What it is, in every access size an OS uses. */
	id = mmio_read32(fn0 + PCI_VENDOR_ID);
	class_rev = mmio_read32(fn0 + PCI_REVISION_ID);
	expect(mmio_read16(fn0 + PCI_VENDOR_ID) == (id & 0xffff), "16-bit vendor ID", id);
	expect(mmio_read16(fn0 + PCI_DEVICE_ID) == id >> 16, "16-bit device ID", id);
	expect(mmio_read8(fn0 + PCI_CLASS_DEVICE + 1) == class_rev >> 24,
	       "8-bit base class", class_rev);
	expect((uint32_t)mmio_read64(fn0 + PCI_VENDOR_ID) == id, "64-bit read", id);
	expect((mmio_read8(fn0 + PCI_HEADER_TYPE) & ~PCI_HEADER_TYPE_MFD) ==
		       PCI_HEADER_TYPE_NORMAL,
	       "header type 0", mmio_read8(fn0 + PCI_HEADER_TYPE));

	/* Sizing its BAR as Linux does, then putting it back. */
	bar = mmio_read32(fn0 + bar_reg);
	mmio_write32(fn0 + bar_reg, 0xffffffffu);
	bar_size =
		(~(uint64_t)(mmio_read32(fn0 + bar_reg) & 0xfffffff0u) & 0xffffffffu) + 1;
	mmio_write32(fn0 + bar_reg, (uint32_t)bar);
	expect(mmio_read32(fn0 + bar_reg) == bar, "BAR back at its base",
	       mmio_read32(fn0 + bar_reg));
	bar &= PCI_BASE_ADDRESS_MEM_MASK;
	log_printf("hyp: ecam: window 0x%lx, %02x:%02x.%u is %04x:%04x class %06x, BAR%u "
		   "0x%lx size 0x%lx, pin %u\n",
		   win->base, f->bus, f->dev, f->fn, id & 0xffff, id >> 16,
		   class_rev >> 8, f->bar.index, bar, bar_size,
		   mmio_read8(fn0 + PCI_INTERRUPT_PIN));

	/* The defined answers. */
	mmio_write32(fn0 + PCI_VENDOR_ID, 0x12345678u);
	expect(mmio_read32(fn0 + PCI_VENDOR_ID) == id, "IDs are read-only",
	       mmio_read32(fn0 + PCI_VENDOR_ID));
	mmio_write16(fn0 + PCI_COMMAND, PCI_COMMAND_MEMORY);
	expect(mmio_read16(fn0 + PCI_COMMAND) == PCI_COMMAND_MEMORY,
	       "command is writable", mmio_read16(fn0 + PCI_COMMAND));
	mmio_write16(fn0 + PCI_COMMAND, 0);
	expect(fn1 && mmio_read32(fn1 + PCI_VENDOR_ID) == 0xffffffffu,
	       "absent function reads ones", fn1 ? mmio_read32(fn1 + PCI_VENDOR_ID) : 0);
	expect_abort(hyp_probe_load32, fn0 + 1, true, "unaligned read refused");
	expect_abort(hyp_probe_ldxr32, fn0, false, "exclusive read refused");
	expect_abort(hyp_probe_ldadd32, fn0, false, "atomic refused");
	expect_abort(hyp_probe_ldp64, fn0 + PCI_ECAM_FN_CFG_SIZE - 8, false,
		     "pair across the function's page refused");

	read_device(bar);
	log_printf("hyp: ecam self-test %s\n", ok ? "passed" : "FAILED");
	log_printf("bench: ecam_read_el2 insns=%lu\n", bench_read(fn0 + PCI_VENDOR_ID));
}
