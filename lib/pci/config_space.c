/*
 * The configuration space model behind an emulated ECAM window
 * (lib/pci/config_space.h says what it presents and what it leaves
 * out). Field behaviour follows the PCI Local Bus Specification 3.0 and the
 * PCI Express Base Specification for a type 0 header; where they leave a
 * choice, the comment says which way the model goes and why.
 *
 * Every access is checked for size, alignment and range before anything is
 * looked up; a guest-supplied offset only ever selects a table entry by
 * comparison, never indexes memory, and stored values are masked to the
 * bits their register has.
 */
#include <stddef.h>

#include <lib/pci/config_space.h>

/* Command bits a function implements (read/write); every other bit reads 0.
 * I/O Space stays 0 because no BAR is an I/O BAR; Special Cycles, Memory
 * Write and Invalidate, VGA Palette Snoop and Fast Back-to-Back are the
 * bits PCIe hardwires to 0. */
#define COMMAND_WRITABLE                                                \
	(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY | \
	 PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE)

/* Class code base class and sub-class of the bridges a type 0 header cannot
 * describe: PCI-to-PCI (type 1 header) and CardBus (type 2). */
#define CLASS_BRIDGE_PCI 0x0604u
#define CLASS_BRIDGE_CARDBUS 0x0607u

#define FOUR_GIB (1ull << 32)

/* The all-ones of an access size: what an absent function returns. */
static uint32_t ones(unsigned size)
{
	return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* [a, a + as) and [b, b + bs) share a byte; both ranges are non-empty and
 * do not wrap (checked before this is called). */
static bool overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

/* ---- window checks --------------------------------------------------------- */

uint64_t pci_ecam_window_size(const struct pci_ecam_window *w)
{
	if (w->bus_end < w->bus_start)
		return 0;
	return (uint64_t)(w->bus_end - w->bus_start + 1) << PCI_ECAM_BUS_SHIFT;
}

static bool fn_ids_ok(const struct pci_ecam_fn *f)
{
	uint32_t class_dev = f->class_code >> 8;

	/* 0xffff is what an absent function reads; Linux also rejects vendor
	 * 0x0000, and takes 0x0001 for a Configuration Request Retry Status
	 * completion, which it waits on until it times out. */
	if (f->vendor_id == 0x0000 || f->vendor_id == 0x0001 || f->vendor_id == 0xffff)
		return false;
	if (f->device_id == 0xffff)
		return false;
	if (f->class_code > 0xffffff)
		return false;
	/* Linux drops the class of a type 0 function that claims to be a
	 * bridge ("doesn't match header type"), and no driver would bind. */
	return class_dev != CLASS_BRIDGE_PCI && class_dev != CLASS_BRIDGE_CARDBUS;
}

static bool fn_bar_ok(const struct pci_ecam_bar *b)
{
	if (b->index >= PCI_NUM_BARS)
		return false;
	if (!is_pow2(b->size) || b->size < PCI_ECAM_BAR_MIN_SIZE)
		return false;
	/* The low address bits are hardwired to 0 below the size, so the
	 * base must be a multiple of it; this also keeps base + size from
	 * wrapping unless the BAR ends exactly at 2^64. */
	if (b->base & (b->size - 1))
		return false;
	if (b->base + b->size < b->base)
		return false;
	if (b->mem64)
		/* The upper dword is the next BAR; BAR 5 has none. */
		return b->index + 1u < PCI_NUM_BARS;
	return b->size <= PCI_ECAM_BAR32_MAX_SIZE && b->base + b->size <= FOUR_GIB;
}

static bool fn_intx_ok(const struct pci_ecam_fn *f)
{
	if (f->int_pin > PCI_INTERRUPT_INTD)
		return false;
	return f->int_pin == PCI_INTERRUPT_NONE || f->spi <= PCI_ECAM_MAX_SPI;
}

static bool same_slot(const struct pci_ecam_fn *a, const struct pci_ecam_fn *b)
{
	return a->bus == b->bus && a->dev == b->dev;
}

static bool fn_place_ok(const struct pci_ecam_window *w, unsigned i)
{
	const struct pci_ecam_fn *f = &w->fns[i];
	bool have_fn0 = f->fn == 0;

	if (f->bus != w->bus_start || f->dev > PCI_ECAM_DEV_MASK ||
	    f->fn > PCI_ECAM_FN_MASK)
		return false;
	for (unsigned j = 0; j < w->nfns; j++) {
		const struct pci_ecam_fn *g = &w->fns[j];

		if (j != i && same_slot(f, g) && g->fn == f->fn)
			return false;
		if (same_slot(f, g) && g->fn == 0)
			have_fn0 = true;
	}
	return have_fn0;
}

int pci_ecam_window_check(const struct pci_ecam_window *w)
{
	uint64_t size;

	if (!w || !w->fns || w->nfns < 1 || w->nfns > PCI_ECAM_MAX_FNS)
		return PCI_ECAM_E_WINDOW;
	size = pci_ecam_window_size(w);
	/* 4 KiB is what the trap needs (the GPT granule, one function's
	 * space). The PCIe spec aligns a hardware ECAM to its size so that
	 * address bits select the bus; the model decodes by offset. */
	if (!size || (w->base & (PCI_ECAM_FN_CFG_SIZE - 1)) || w->base + size < w->base)
		return PCI_ECAM_E_WINDOW;

	for (unsigned i = 0; i < w->nfns; i++) {
		const struct pci_ecam_fn *f = &w->fns[i];

		if (!fn_place_ok(w, i) || !fn_ids_ok(f))
			return PCI_ECAM_E_FN;
		if (!fn_bar_ok(&f->bar))
			return PCI_ECAM_E_BAR;
		if (!fn_intx_ok(f))
			return PCI_ECAM_E_INTX;
	}
	for (unsigned i = 0; i < w->nfns; i++) {
		const struct pci_ecam_bar *b = &w->fns[i].bar;

		/* A BAR over the window would make config space and the device
		 * alias; two over each other would be two drivers on one device. */
		if (overlaps(b->base, b->size, w->base, size))
			return PCI_ECAM_E_OVERLAP;
		for (unsigned j = i + 1; j < w->nfns; j++)
			if (overlaps(b->base, b->size, w->fns[j].bar.base,
				     w->fns[j].bar.size))
				return PCI_ECAM_E_OVERLAP;
	}
	return 0;
}

bool pci_ecam_decode(const struct pci_ecam_window *w, uint64_t off,
		     struct pci_ecam_addr *a)
{
	if (off >= pci_ecam_window_size(w))
		return false;
	a->bus = (uint8_t)(w->bus_start + (off >> PCI_ECAM_BUS_SHIFT));
	a->dev = (uint8_t)((off >> PCI_ECAM_DEV_SHIFT) & PCI_ECAM_DEV_MASK);
	a->fn = (uint8_t)((off >> PCI_ECAM_FN_SHIFT) & PCI_ECAM_FN_MASK);
	a->reg = (uint16_t)(off & PCI_ECAM_REG_MASK);
	return true;
}

/* ---- state ----------------------------------------------------------------- */

static uint32_t header_read(const struct pci_ecam *e, unsigned i, unsigned dw);

/* Every dword of function i's header as it now reads. */
static void refresh_header(struct pci_ecam *e, unsigned i)
{
	for (unsigned dw = 0; dw < PCI_ECAM_HEADER_DWORDS; dw++)
		__atomic_store_n(&e->header[i][dw], header_read(e, i, 4 * dw),
				 __ATOMIC_RELAXED);
}

void pci_ecam_reset(struct pci_ecam *e)
{
	/* Command resets to 0 (the function neither decodes nor masters);
	 * the spec leaves Interrupt Line to software, and 0 leaks nothing. */
	for (unsigned i = 0; i < PCI_ECAM_MAX_FNS; i++) {
		struct pci_ecam_fn_state *s = &e->fn[i];

		s->command = 0;
		s->cache_line_size = 0;
		s->latency_timer = 0;
		s->interrupt_line = 0;
		s->bar_sizing[0] = false;
		s->bar_sizing[1] = false;
		if (e->win && i < e->win->nfns)
			refresh_header(e, i);
	}
}

int pci_ecam_init(struct pci_ecam *e, const struct pci_ecam_window *w)
{
	int err = pci_ecam_window_check(w);

	e->win = err ? NULL : w;
	e->size = err ? 0 : pci_ecam_window_size(w);
	for (unsigned i = 0; i < PCI_ECAM_DEVFNS; i++)
		e->slot[i] = 0;
	for (unsigned i = 0; e->win && i < w->nfns; i++)
		e->slot[(unsigned)w->fns[i].dev << 3 | w->fns[i].fn] = (uint8_t)(i + 1);
	pci_ecam_reset(e);
	return err;
}

static bool multi_function(const struct pci_ecam_window *w, const struct pci_ecam_fn *f)
{
	for (unsigned i = 0; i < w->nfns; i++)
		if (&w->fns[i] != f && same_slot(&w->fns[i], f))
			return true;
	return false;
}

/* ---- the BAR --------------------------------------------------------------- */

/* The address bits the BAR implements (writable on hardware), as a 64-bit
 * value: everything from the size upward. */
static uint64_t bar_size_mask(const struct pci_ecam_bar *b)
{
	return ~(b->size - 1) & PCI_BASE_ADDRESS_MEM_MASK;
}

static uint32_t bar_type(const struct pci_ecam_bar *b)
{
	return b->mem64 ? PCI_BASE_ADDRESS_MEM_TYPE_64 : PCI_BASE_ADDRESS_MEM_TYPE_32;
}

/* Which dword of the BAR BAR slot n is: 0 the low one, 1 the upper half of
 * a 64-bit BAR, -1 a slot the function does not implement. */
static int bar_half(const struct pci_ecam_bar *b, unsigned n)
{
	if (n == b->index)
		return 0;
	if (b->mem64 && n == b->index + 1u)
		return 1;
	return -1;
}

static uint32_t bar_read(const struct pci_ecam_bar *b, const struct pci_ecam_fn_state *s,
			 unsigned n)
{
	int half = bar_half(b, n);
	uint64_t v;

	if (half < 0)
		return 0;
	v = s->bar_sizing[half] ? bar_size_mask(b) : b->base;
	if (half)
		return (uint32_t)(v >> 32);
	return (uint32_t)v | bar_type(b);
}

/*
 * On hardware the implemented address bits are a register: writing all of
 * them to 1 makes it read back the size mask, and what the OS writes next
 * (normally the saved old value) moves the BAR. Here the base cannot move,
 * so only the all-ones case is kept and every other value restores the
 * real base. When a dword holds no implemented bit (the low dword of a BAR
 * of 4 GiB or more) both states read the same, so the flag is harmless.
 */
static void bar_write(const struct pci_ecam_bar *b, struct pci_ecam_fn_state *s,
		      unsigned n, uint32_t v)
{
	int half = bar_half(b, n);
	uint64_t mask = bar_size_mask(b);
	uint32_t implemented;

	if (half < 0)
		return;
	implemented = half ? (uint32_t)(mask >> 32) : (uint32_t)mask;
	s->bar_sizing[half] = (v & implemented) == implemented;
}

/* ---- the header, a dword at a time ---------------------------------------- */

static uint32_t header_read(const struct pci_ecam *e, unsigned i, unsigned dw)
{
	const struct pci_ecam_fn *f = &e->win->fns[i];
	const struct pci_ecam_fn_state *s = &e->fn[i];
	uint32_t header_type = PCI_HEADER_TYPE_NORMAL;

	switch (dw) {
	case PCI_VENDOR_ID:
		return (uint32_t)f->device_id << 16 | f->vendor_id;
	case PCI_COMMAND:
		/* Status is 0: no capabilities list, no error ever signalled. */
		return s->command;
	case PCI_REVISION_ID:
		return f->class_code << 8 | f->revision_id;
	case PCI_CACHE_LINE_SIZE:
		if (multi_function(e->win, f))
			header_type |= PCI_HEADER_TYPE_MFD;
		/* BIST (bits 31:24) 0: not BIST capable. */
		return header_type << 16 | (uint32_t)s->latency_timer << 8 |
		       s->cache_line_size;
	case PCI_SUBSYSTEM_VENDOR_ID:
		return (uint32_t)f->subsys_id << 16 | f->subsys_vendor_id;
	case PCI_INTERRUPT_LINE:
		/* Min_Gnt and Max_Lat 0: no latency requirements. */
		return (uint32_t)f->int_pin << 8 | s->interrupt_line;
	default:
		if (dw >= PCI_BASE_ADDRESS_0 && dw <= PCI_BASE_ADDRESS_5)
			return bar_read(&f->bar, s, (dw - PCI_BASE_ADDRESS_0) / 4);
		/* CardBus CIS, Expansion ROM (no ROM: writes of the sizing
		 * pattern read 0 too), Capabilities Pointer, reserved. */
		return 0;
	}
}

/* v is the whole new dword: the written bytes merged into the value read
 * before, so the registers below need not know the access size. */
static void header_write(struct pci_ecam *e, unsigned i, unsigned dw, uint32_t v)
{
	struct pci_ecam_fn_state *s = &e->fn[i];

	switch (dw) {
	case PCI_COMMAND:
		/* Status has no RW1C bit that is ever set: nothing to clear. */
		s->command = (uint16_t)(v & COMMAND_WRITABLE);
		return;
	case PCI_CACHE_LINE_SIZE:
		/* Header Type is read-only; BIST has no Start BIST to set. */
		s->cache_line_size = (uint8_t)v;
		s->latency_timer = (uint8_t)(v >> 8);
		return;
	case PCI_INTERRUPT_LINE:
		s->interrupt_line = (uint8_t)v;
		return;
	default:
		if (dw >= PCI_BASE_ADDRESS_0 && dw <= PCI_BASE_ADDRESS_5)
			bar_write(&e->win->fns[i].bar, s, (dw - PCI_BASE_ADDRESS_0) / 4,
				  v);
		/* Everything else is read-only. */
		return;
	}
}

/* ---- accesses -------------------------------------------------------------- */

/* Checks the access and finds its function: *fn is the table index or -1
 * for an absent function. Only the first bus has functions (lib/pci/config_space.h).
 * Every trapped access comes here, so it is kept to a few tests. */
static bool locate(const struct pci_ecam *e, uint64_t off, unsigned size,
		   struct pci_ecam_addr *a, int *fn)
{
	/* 1, 2 or 4, and naturally aligned; a window (e->size is 0 without). */
	if (size - 1 > 3 || size == 3 || (off & (size - 1)) || off >= e->size)
		return false;
	a->reg = (uint16_t)(off & PCI_ECAM_REG_MASK);
	if (off >> PCI_ECAM_BUS_SHIFT) {
		*fn = -1;
		return true;
	}
	*fn = (int)e->slot[(off >> PCI_ECAM_FN_SHIFT) & (PCI_ECAM_DEVFNS - 1)] - 1;
	return true;
}

bool pci_ecam_write(struct pci_ecam *e, uint64_t off, unsigned size, uint32_t val)
{
	struct pci_ecam_addr a;
	uint32_t lanes, old;
	unsigned shift, dw;
	int fn;

	if (!locate(e, off, size, &a, &fn))
		return false;
	if (fn < 0 || a.reg >= PCI_STD_HEADER_SIZEOF)
		return true;
	dw = a.reg & ~3u;
	shift = 8 * (a.reg & 3u);
	lanes = ones(size) << shift;
	old = e->header[fn][dw / 4];
	header_write(e, (unsigned)fn, dw, (old & ~lanes) | ((val << shift) & lanes));
	__atomic_store_n(&e->header[fn][dw / 4], header_read(e, (unsigned)fn, dw),
			 __ATOMIC_RELAXED);
	return true;
}

bool pci_ecam_access(struct pci_ecam *e, uint64_t off, unsigned size, bool write,
		     uint64_t *val)
{
	uint32_t lo, hi;

	if (size != 8) {
		if (write)
			return pci_ecam_write(e, off, size, (uint32_t)*val);
		if (!pci_ecam_read(e, off, size, &lo)) {
			*val = 0;
			return false;
		}
		*val = lo;
		return true;
	}
	/* Both dwords lie in one function's 4 KiB, so checking the first
	 * checks the second; nothing happens unless the whole access can. */
	if ((off & 7) || off >= e->size) {
		if (!write)
			*val = 0;
		return false;
	}
	if (write) {
		pci_ecam_write(e, off, 4, (uint32_t)*val);
		pci_ecam_write(e, off + 4, 4, (uint32_t)(*val >> 32));
		return true;
	}
	pci_ecam_read(e, off, 4, &lo);
	pci_ecam_read(e, off + 4, 4, &hi);
	*val = (uint64_t)hi << 32 | lo;
	return true;
}
