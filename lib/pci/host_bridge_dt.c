/*
 * The host-bridge node for an emulated ECAM window (lib/pci/host_bridge_dt.h
 * says what the node holds and why the ranges are laid out as they are).
 * Everything is checked before the tree changes; the node is then written
 * with libfdt's random-access API, and taken out again if the tree runs
 * out of room half way.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libfdt.h>

#include <lib/dt/dt.h>
#include <lib/fmt.h>
#include <lib/dt/gic_specifier.h>
#include <lib/pci/host_bridge_dt.h>

/* The PCI bus binding's phys.hi cell: npt000ss bbbbbbbb dddddfff rrrrrrrr,
 * ss = 10 32-bit memory, 11 64-bit memory; n (not relocatable), p
 * (prefetchable) and t (aliased) stay 0. */
#define PHYS_HI_MEM32 0x02000000u
#define PHYS_HI_MEM64 0x03000000u
#define PHYS_HI_BUS_SHIFT 16
#define PHYS_HI_DEV_SHIFT 11
#define PHYS_HI_FN_SHIFT 8
#define PHYS_HI_DEVFN_BUS_MASK 0x00ffff00u /* bus, device, function */

#define PCI_ADDR_CELLS 3
#define PCI_SIZE_CELLS 2
#define PCI_INT_CELLS 1
#define GIC_INT_CELLS 3 /* <type number flags>, arm,gic-v3 and GICv2 alike */

/* interrupt-map-mask: device and function of phys.hi, and the pin. Linux
 * builds the unit address from its own bus number, so the bus stays out. */
#define IMAP_MASK_DEVFN 0xff00u
#define IMAP_MASK_PIN 0x7u

/* Class codes (base class and sub-class) Linux never assigns BARs for
 * (__dev_sort_resources()). */
#define CLASS_NOT_DEFINED 0x0000u
#define CLASS_BRIDGE_HOST 0x0600u

#define FOUR_GIB (1ull << 32)

/* Domains the pass over the tree records as taken: enough for any tree
 * with fewer device_type "pci" nodes (choose_domain()). */
#define SCAN_DOMAINS 256

#define RANGE_CELLS (PCI_ADDR_CELLS + 2 + PCI_SIZE_CELLS)
#define IMAP_CELLS (PCI_ADDR_CELLS + PCI_INT_CELLS + 1 + FDT_MAX_NCELLS + GIC_INT_CELLS)

/* What the checks found and the writing needs. */
struct host_bridge {
	const struct pci_ecam_window *w;
	int root_ac, root_sc; /* the root's #address-cells, #size-cells */
	uint32_t gic_phandle; /* resolved */
	int gic_ac;	      /* the GIC's #address-cells, 0 when absent */
	uint16_t domain;
	unsigned order[PCI_ECAM_MAX_FNS]; /* functions in Linux's BAR order */
};

/* ---- reading the tree ------------------------------------------------------ */

/* A string property equal to want (NUL within its length). */
static bool prop_is(const void *fdt, int node, const char *name, const char *want)
{
	int len;
	const char *v = fdt_getprop(fdt, node, name, &len);

	return v && len > 0 && memchr(v, '\0', (size_t)len) && strcmp(v, want) == 0;
}

/* The first cell of a property at least one cell long. */
static bool prop_cell(const void *fdt, int node, const char *name, uint32_t *v)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p || len < 4)
		return false;
	*v = fdt32_to_cpu(p[0]);
	return true;
}

/* The root's cells: 1 or 2 each, as dt_reg() reads them, and enough for
 * every address the node puts in reg and ranges. */
static int check_root_cells(const void *fdt, struct host_bridge *hb)
{
	const struct pci_ecam_window *w = hb->w;
	uint64_t wsize = pci_ecam_window_size(w);

	hb->root_ac = fdt_address_cells(fdt, 0);
	if (hb->root_ac < 0)
		return hb->root_ac;
	hb->root_sc = fdt_size_cells(fdt, 0);
	if (hb->root_sc < 0)
		return hb->root_sc;
	if (hb->root_ac < 1 || hb->root_ac > 2 || hb->root_sc < 1 || hb->root_sc > 2)
		return PCI_DT_E_PARAM;
	if (hb->root_ac == 1 && w->base + wsize > FOUR_GIB)
		return PCI_DT_E_PARAM;
	if (hb->root_sc == 1 && wsize >= FOUR_GIB)
		return PCI_DT_E_PARAM;
	for (unsigned i = 0; i < w->nfns; i++) {
		const struct pci_ecam_bar *b = &w->fns[i].bar;

		if (hb->root_ac == 1 && b->base + b->size > FOUR_GIB)
			return PCI_DT_E_PARAM;
	}
	return 0;
}

/* [a, a + as) and [b, b + bs) share a byte; sizes > 0, ends may wrap. */
static bool overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	uint64_t a_last = a + as - 1 < a ? UINT64_MAX : a + as - 1;
	uint64_t b_last = b + bs - 1 < b ? UINT64_MAX : b + bs - 1;

	return a <= b_last && b <= a_last;
}

/*
 * What the checks need from the whole tree, found in one pass over its
 * structure block (scan_tree()) rather than one walk per question: libfdt
 * finds a node by phandle, or a node's parent, by walking from the start,
 * and a walk costs a few hundred instructions per tag.
 */
struct tree_facts {
	int gic_node;	 /* the first node with the GIC's phandle; -1: none */
	bool overlap;	 /* an enabled root child covers the window or a BAR */
	bool want_taken; /* some device_type "pci" node has the wanted domain */
	uint64_t low_taken[SCAN_DOMAINS / 64]; /* domains below that, taken */
};

/* Property names scan_tree() reads, as bits of node_props.seen. */
enum {
	P_STATUS = 1u << 0,
	P_TYPE = 1u << 1,
	P_DOMAIN = 1u << 2,
	P_PHANDLE = 1u << 3,
	P_LPHANDLE = 1u << 4,
	P_REG = 1u << 5,
};

/* One node's properties that matter, each as the first property of its
 * name reads (that is the one fdt_getprop() finds). */
struct node_props {
	int offset, depth;
	bool open;     /* the node's properties are being read */
	unsigned seen; /* P_* */
	bool enabled, is_pci, domain_ok, phandle_ok, lphandle_ok;
	uint32_t domain, phandle, lphandle;
	const fdt32_t *reg;
	int reg_len;
};

/* Whether a property named pname is the first named name in its node. */
static bool first(struct node_props *n, unsigned bit, const char *pname, const char *name)
{
	if ((n->seen & bit) || strcmp(pname, name) != 0)
		return false;
	n->seen |= bit;
	return true;
}

/* A string value, NUL-terminated within its length, that reads want. */
static bool str_is(const void *v, int len, const char *want)
{
	return len > 0 && memchr(v, '\0', (size_t)len) && strcmp(v, want) == 0;
}

/* One cell long (exact), as fdt_get_phandle() reads a phandle. */
static bool one_cell(const void *v, int len, uint32_t *out)
{
	if (len != 4)
		return false;
	*out = fdt32_to_cpu(*(const fdt32_t *)v);
	return true;
}

static void note_prop(struct node_props *n, const char *name, const void *v, int len)
{
	if (first(n, P_STATUS, name, "status")) {
		/* As dt_node_enabled() reads it. */
		n->enabled = str_is(v, len, "okay") || str_is(v, len, "ok");
	} else if (first(n, P_TYPE, name, "device_type")) {
		n->is_pci = str_is(v, len, "pci");
	} else if (first(n, P_DOMAIN, name, "linux,pci-domain")) {
		/* The first cell of one at least a cell long, as prop_cell(). */
		n->domain_ok = len >= 4;
		if (n->domain_ok)
			n->domain = fdt32_to_cpu(*(const fdt32_t *)v);
	} else if (first(n, P_PHANDLE, name, "phandle")) {
		n->phandle_ok = one_cell(v, len, &n->phandle);
	} else if (first(n, P_LPHANDLE, name, "linux,phandle")) {
		n->lphandle_ok = one_cell(v, len, &n->lphandle);
	} else if (first(n, P_REG, name, "reg")) {
		n->reg = v;
		n->reg_len = len;
	}
}

/* Whether any reg entry of a root child (the root's cells, checked by
 * check_root_cells()) covers the window or a BAR; empty entries do not. */
static bool reg_overlaps(const struct node_props *n, const struct host_bridge *hb)
{
	const struct pci_ecam_window *w = hb->w;
	const int cells = hb->root_ac + hb->root_sc;

	for (int i = 0; i < n->reg_len / (cells * 4); i++) {
		const fdt32_t *e = n->reg + i * cells;
		uint64_t base = fdt32_to_cpu(e[0]), size = fdt32_to_cpu(e[hb->root_ac]);

		if (hb->root_ac == 2)
			base = base << 32 | fdt32_to_cpu(e[1]);
		if (hb->root_sc == 2)
			size = size << 32 | fdt32_to_cpu(e[hb->root_ac + 1]);
		if (!size)
			continue;
		if (overlaps(base, size, w->base, pci_ecam_window_size(w)))
			return true;
		for (unsigned k = 0; k < w->nfns; k++)
			if (overlaps(base, size, w->fns[k].bar.base, w->fns[k].bar.size))
				return true;
	}
	return false;
}

/* A node's properties are all seen: what it says about the questions. */
static void judge_node(struct node_props *n, const struct host_bridge *hb, int want,
		       struct tree_facts *t)
{
	/* fdt_get_phandle(): "phandle" when one cell long, else "linux,phandle"
	 * when one cell long, else none (0, never the GIC's). */
	uint32_t ph = n->phandle_ok ? n->phandle : n->lphandle_ok ? n->lphandle : 0;

	if (!n->open)
		return;
	n->open = false;
	if (t->gic_node < 0 && ph == hb->gic_phandle)
		t->gic_node = n->offset;
	if (n->is_pci && n->domain_ok) {
		uint16_t d = (uint16_t)n->domain; /* Linux reads a u16 */

		if (d < SCAN_DOMAINS)
			t->low_taken[d / 64] |= 1ull << (d % 64);
		if (want != PCI_DT_DOMAIN_AUTO && d == want)
			t->want_taken = true;
	}
	if (n->depth == 1 && (!(n->seen & P_STATUS) || n->enabled) && n->reg &&
	    reg_overlaps(n, hb))
		t->overlap = true;
}

/*
 * The pass: every tag of the structure block once, each checked against
 * the blocks' bounds (dt_tag()). A node's properties come before its
 * subnodes (Devicetree Specification v0.4, 5.4.2), so a node is judged at
 * the first tag after its properties. Returns 0 or the libfdt error of a
 * malformed block.
 */
static int scan_tree(const void *fdt, const struct host_bridge *hb, int want,
		     struct tree_facts *t)
{
	struct node_props n = {0};
	struct dt_blocks b;
	struct dt_tag tag;
	int off = 0, depth = -1, err = dt_blocks(fdt, &b);

	*t = (struct tree_facts){.gic_node = -1};
	for (; !err; off = tag.next) {
		err = dt_tag(&b, off, &tag);
		if (err)
			break;
		switch (tag.tag) {
		case FDT_BEGIN_NODE:
			judge_node(&n, hb, want, t);
			n = (struct node_props){
				.offset = off, .depth = ++depth, .open = true};
			break;
		case FDT_PROP:
			if (n.open)
				note_prop(&n, tag.name, tag.val, tag.len);
			break;
		case FDT_END_NODE:
			judge_node(&n, hb, want, t);
			if (--depth < 0)
				return 0;
			break;
		case FDT_NOP:
			break;
		default: /* FDT_END inside the root */
			return -FDT_ERR_BADSTRUCTURE;
		}
	}
	return err;
}

/* The interrupt parent: an enabled interrupt-controller taking 3-cell
 * specifiers. Its #address-cells sizes the parent unit address in each
 * interrupt-map entry; Linux (of_irq_parse_raw()) and dtc take a missing
 * one as 0, and libfdt's fdt_address_cells() would say 2, so it is read
 * here by hand. node is the one with phandle, or negative when none has. */
static int check_gic(const void *fdt, int node, uint32_t phandle, struct host_bridge *hb)
{
	uint32_t cells;

	if (node < 0)
		return PCI_DT_E_GIC;
	if (!fdt_getprop(fdt, node, "interrupt-controller", NULL) ||
	    !dt_node_enabled(fdt, node))
		return PCI_DT_E_GIC;
	if (!prop_cell(fdt, node, "#interrupt-cells", &cells) || cells != GIC_INT_CELLS)
		return PCI_DT_E_GIC;
	cells = 0;
	if (fdt_getprop(fdt, node, "#address-cells", NULL) &&
	    (!prop_cell(fdt, node, "#address-cells", &cells) || cells > FDT_MAX_NCELLS))
		return PCI_DT_E_GIC;
	hb->gic_phandle = phandle;
	hb->gic_ac = (int)cells;
	return 0;
}

/* The phandle the SPIs go to: the caller's, or the root's interrupt-parent. */
static int gic_phandle(const void *fdt, uint32_t phandle, uint32_t *out)
{
	if (!phandle && !prop_cell(fdt, 0, "interrupt-parent", &phandle))
		return PCI_DT_E_GIC;
	if (!phandle || phandle == (uint32_t)-1)
		return PCI_DT_E_GIC;
	*out = phandle;
	return 0;
}

/* A GIC found the slow way, for reading maps (pci_dt_intx_spi()). */
static int find_gic(const void *fdt, uint32_t phandle, struct host_bridge *hb)
{
	int err = gic_phandle(fdt, phandle, &phandle);

	if (err)
		return err;
	return check_gic(fdt, fdt_node_offset_by_phandle(fdt, phandle), phandle, hb);
}

/* Whether a device_type "pci" node already has domain d, walking the tree:
 * only for candidates above what the pass recorded. */
static bool domain_taken(const void *fdt, uint16_t d)
{
	uint32_t v;

	for (int node = fdt_next_node(fdt, -1, NULL); node >= 0;
	     node = fdt_next_node(fdt, node, NULL)) {
		if (!prop_is(fdt, node, "device_type", "pci"))
			continue;
		if (prop_cell(fdt, node, "linux,pci-domain", &v) && (uint16_t)v == d)
			return true;
	}
	return false;
}

/* Linux 6.1 reserves every device_type "pci" node's linux,pci-domain (read
 * as u16) before numbering the host bridges without one, so a number none
 * of them has is free whatever order the bridges probe in. Disabled nodes
 * count: Linux counts them. The lowest free number is at most the count of
 * such nodes, so the pass's record of the low numbers nearly always
 * answers; past it, each candidate is looked for in the tree. */
static int choose_domain(const void *fdt, int want, const struct tree_facts *t,
			 struct host_bridge *hb)
{
	if (want == PCI_DT_DOMAIN_AUTO) {
		for (int d = 0; d <= PCI_DT_MAX_DOMAIN; d++) {
			bool taken = d < SCAN_DOMAINS
					     ? t->low_taken[d / 64] >> (d % 64) & 1
					     : domain_taken(fdt, (uint16_t)d);

			if (!taken) {
				hb->domain = (uint16_t)d;
				return 0;
			}
		}
		return PCI_DT_E_DOMAIN;
	}
	if (want < 0 || want > PCI_DT_MAX_DOMAIN || t->want_taken)
		return PCI_DT_E_DOMAIN;
	hb->domain = (uint16_t)want;
	return 0;
}

/* ---- the BAR order --------------------------------------------------------- */

static unsigned devfn(const struct pci_ecam_fn *f)
{
	return (unsigned)f->dev << 3 | f->fn;
}

/* Whether Linux assigns a's BAR before b's: pdev_sort_resources() orders a
 * bus's BARs by alignment (a BAR's size), largest first, keeping the order
 * of the bus's device list (device and function) among equals. */
static bool assigned_before(const struct pci_ecam_fn *a, const struct pci_ecam_fn *b)
{
	if (a->bar.size != b->bar.size)
		return a->bar.size > b->bar.size;
	return devfn(a) < devfn(b);
}

static bool high64(const struct pci_ecam_fn *f)
{
	return f->bar.mem64 && f->bar.base >= FOUR_GIB;
}

/*
 * Whether Linux could put f, a 64-bit BAR below 4 GiB, above 4 GiB.
 * __pci_assign_resource() tries a 64-bit BAR first in the 64-bit windows
 * above 4 GiB (pci_bus_alloc_resource()). Those of BARs assigned before f
 * are full; those of BARs assigned after f are free, and a kernel that
 * merges touching windows may offer several as one. So: does any run of
 * touching free windows hold an f-aligned slot of f's size?
 */
static bool room_above_4g(const struct pci_ecam_window *w, const struct pci_ecam_fn *f)
{
	const uint64_t size = f->bar.size;

	for (unsigned i = 0; i < w->nfns; i++) {
		const struct pci_ecam_fn *g = &w->fns[i];
		uint64_t start = g->bar.base, end = g->bar.base + g->bar.size, slot;
		bool grew = true;

		if (!high64(g) || !assigned_before(f, g))
			continue;
		while (grew) {
			grew = false;
			for (unsigned j = 0; j < w->nfns; j++) {
				const struct pci_ecam_fn *h = &w->fns[j];

				if (!high64(h) || !assigned_before(f, h))
					continue;
				if (h->bar.base == end) {
					end += h->bar.size;
					grew = true;
				} else if (h->bar.base + h->bar.size == start) {
					start = h->bar.base;
					grew = true;
				}
			}
		}
		slot = (start + size - 1) & ~(size - 1);
		if (slot >= start && slot < end && end - slot >= size)
			return true;
	}
	return false;
}

/* Refuses what Linux 6.1 would not assign where it is: a 64-bit BAR below
 * 4 GiB that could land above (room_above_4g()), and a class Linux never
 * assigns BARs for. */
static int check_layout(const struct pci_ecam_window *w)
{
	for (unsigned i = 0; i < w->nfns; i++) {
		const struct pci_ecam_fn *f = &w->fns[i];
		uint32_t class_dev = f->class_code >> 8;

		if (class_dev == CLASS_NOT_DEFINED || class_dev == CLASS_BRIDGE_HOST)
			return PCI_DT_E_LAYOUT;
		if (f->bar.mem64 && !high64(f) && room_above_4g(w, f))
			return PCI_DT_E_LAYOUT;
	}
	return 0;
}

static void sort_bars(struct host_bridge *hb)
{
	const struct pci_ecam_fn *fns = hb->w->fns;

	for (unsigned i = 0; i < hb->w->nfns; i++) {
		unsigned j = i;

		while (j > 0 && assigned_before(&fns[i], &fns[hb->order[j - 1]])) {
			hb->order[j] = hb->order[j - 1];
			j--;
		}
		hb->order[j] = i;
	}
}

/* ---- writing the node ------------------------------------------------------ */

/* The first libfdt error sticks and later steps do nothing, so the node
 * reads as a list of properties. */
struct writer {
	void *fdt;
	int node;
	int err;
};

static void prop_raw(struct writer *wr, const char *name, const void *v, int len)
{
	if (!wr->err)
		wr->err = fdt_setprop(wr->fdt, wr->node, name, v, len);
}

static void prop_u32(struct writer *wr, const char *name, uint32_t v)
{
	if (!wr->err)
		wr->err = fdt_setprop_u32(wr->fdt, wr->node, name, v);
}

static void prop_str(struct writer *wr, const char *name, const char *v)
{
	if (!wr->err)
		wr->err = fdt_setprop_string(wr->fdt, wr->node, name, v);
}

/* v in n (1 or 2) big-endian cells at c; returns n. */
static int put_cells(fdt32_t *c, int n, uint64_t v)
{
	if (n == 2)
		*c++ = cpu_to_fdt32((uint32_t)(v >> 32));
	*c = cpu_to_fdt32((uint32_t)v);
	return n;
}

static void add_reg(struct writer *wr, const struct host_bridge *hb)
{
	fdt32_t c[4];
	int n = put_cells(c, hb->root_ac, hb->w->base);

	n += put_cells(c + n, hb->root_sc, pci_ecam_window_size(hb->w));
	prop_raw(wr, "reg", c, n * (int)sizeof(c[0]));
}

/* One window per BAR, in the order Linux assigns them (lib/pci/host_bridge_dt.h). */
static void add_ranges(struct writer *wr, const struct host_bridge *hb)
{
	fdt32_t c[PCI_ECAM_MAX_FNS * RANGE_CELLS];
	int n = 0;

	for (unsigned k = 0; k < hb->w->nfns; k++) {
		const struct pci_ecam_bar *b = &hb->w->fns[hb->order[k]].bar;

		c[n++] = cpu_to_fdt32(b->mem64 ? PHYS_HI_MEM64 : PHYS_HI_MEM32);
		n += put_cells(c + n, 2, b->base); /* PCI address = CPU address */
		n += put_cells(c + n, hb->root_ac, b->base);
		n += put_cells(c + n, PCI_SIZE_CELLS, b->size);
	}
	prop_raw(wr, "ranges", c, n * (int)sizeof(c[0]));
}

/* Each function's pin straight to its SPI: functions on the root bus are
 * not swizzled. PCI INTx is level-sensitive; the GIC takes SPIs level-high,
 * which is how the platform wires the devices. */
static void add_interrupt_map(struct writer *wr, const struct host_bridge *hb)
{
	static const uint32_t mask[PCI_ADDR_CELLS + PCI_INT_CELLS] = {IMAP_MASK_DEVFN, 0,
								      0, IMAP_MASK_PIN};
	fdt32_t c[PCI_ECAM_MAX_FNS * IMAP_CELLS], m[PCI_ADDR_CELLS + PCI_INT_CELLS];
	int n = 0;

	for (unsigned i = 0; i < hb->w->nfns; i++) {
		const struct pci_ecam_fn *f = &hb->w->fns[i];

		if (f->int_pin == PCI_INTERRUPT_NONE)
			continue;
		c[n++] = cpu_to_fdt32((uint32_t)f->bus << PHYS_HI_BUS_SHIFT |
				      (uint32_t)f->dev << PHYS_HI_DEV_SHIFT |
				      (uint32_t)f->fn << PHYS_HI_FN_SHIFT);
		c[n++] = 0;
		c[n++] = 0;
		c[n++] = cpu_to_fdt32(f->int_pin);
		c[n++] = cpu_to_fdt32(hb->gic_phandle);
		for (int k = 0; k < hb->gic_ac; k++)
			c[n++] = 0;
		c[n++] = cpu_to_fdt32(DT_GIC_SPI);
		c[n++] = cpu_to_fdt32(f->spi);
		c[n++] = cpu_to_fdt32(DT_IRQ_TYPE_LEVEL_HIGH);
	}
	if (!n)
		return;
	for (int k = 0; k < PCI_ADDR_CELLS + PCI_INT_CELLS; k++)
		m[k] = cpu_to_fdt32(mask[k]);
	prop_raw(wr, "interrupt-map", c, n * (int)sizeof(c[0]));
	prop_raw(wr, "interrupt-map-mask", m, (int)sizeof(m));
}

/* libfdt puts a new property first in its node, so the properties are
 * written last to first for the node to read in the usual order. */
static int write_node(void *fdt, int node, const struct host_bridge *hb)
{
	struct writer wr = {fdt, node, 0};
	const fdt32_t bus_range[2] = {cpu_to_fdt32(hb->w->bus_start),
				      cpu_to_fdt32(hb->w->bus_end)};

	/* The shims' devices snoop the CPU caches, as on QEMU; PCI devices
	 * inherit this from their host bridge. */
	prop_raw(&wr, "dma-coherent", NULL, 0);
	/* Read by kernels after 6.1 for this bridge alone; 6.1 reads only
	 * /chosen, which would affect every host bridge (lib/pci/host_bridge_dt.h). */
	prop_u32(&wr, "linux,pci-probe-only", 1);
	prop_u32(&wr, "linux,pci-domain", hb->domain);
	add_interrupt_map(&wr, hb);
	prop_u32(&wr, "#interrupt-cells", PCI_INT_CELLS);
	add_ranges(&wr, hb);
	prop_u32(&wr, "#size-cells", PCI_SIZE_CELLS);
	prop_u32(&wr, "#address-cells", PCI_ADDR_CELLS);
	prop_raw(&wr, "bus-range", bus_range, (int)sizeof(bus_range));
	add_reg(&wr, hb);
	prop_str(&wr, "device_type", "pci");
	prop_str(&wr, "compatible", "pci-host-ecam-generic");
	return wr.err;
}

int pci_dt_add_host_bridge(void *fdt, const struct pci_dt_params *p)
{
	struct host_bridge hb = {0};
	struct tree_facts t;
	char name[32];
	int err, node;

	if (!fdt || !p)
		return PCI_DT_E_PARAM;
	err = fdt_check_header(fdt);
	if (err)
		return err;
	err = pci_ecam_window_check(p->win);
	if (err)
		return err;
	hb.w = p->win;
	err = check_layout(hb.w);
	if (!err)
		err = check_root_cells(fdt, &hb);
	if (!err)
		err = gic_phandle(fdt, p->gic_phandle, &hb.gic_phandle);
	if (!err)
		err = scan_tree(fdt, &hb, p->domain, &t);
	if (!err)
		err = check_gic(fdt, t.gic_node, hb.gic_phandle, &hb);
	if (!err)
		err = choose_domain(fdt, p->domain, &t, &hb);
	if (!err && t.overlap)
		err = PCI_DT_E_OVERLAP;
	if (err)
		return err;
	sort_bars(&hb);

	fmt_snprintf(name, sizeof(name), "pcie@%llx", (unsigned long long)hb.w->base);
	node = dt_add_root_child(fdt, name);
	if (node < 0)
		return node;
	err = write_node(fdt, node, &hb);
	/* Out of room half way: take the node out again. Deleting only
	 * shrinks the tree, and nothing before the node moved. */
	if (err)
		fdt_del_node(fdt, node);
	return err;
}

/* Root children pci_dt_disable_shimmed() disables per pass over the tree. */
#define SHIMMED_PER_PASS 8

/*
 * Up to SHIMMED_PER_PASS enabled root children whose first reg entry (in
 * the root's cells ac, sc, as dt_reg_cells() reads it) overlaps a BAR of
 * w, in tree order, into node[] and fn[]. Returns how many, or the libfdt
 * error of a malformed block.
 */
static int find_shimmed(const void *fdt, const struct pci_ecam_window *w, int ac, int sc,
			int *node, const struct pci_ecam_fn **fn)
{
	struct node_props n = {0};
	struct dt_blocks b;
	struct dt_tag tag;
	int off = 0, depth = -1, found = 0, err = dt_blocks(fdt, &b);
	bool cells_ok = ac >= 1 && ac <= 2 && sc >= 0 && sc <= 2;

	for (; !err && found < (int)SHIMMED_PER_PASS; off = tag.next) {
		const struct pci_ecam_fn *f = NULL;
		uint64_t base = 0, size = 0;

		err = dt_tag(&b, off, &tag);
		if (err)
			break;
		if (tag.tag == FDT_PROP) {
			if (n.open)
				note_prop(&n, tag.name, tag.val, tag.len);
			continue;
		}
		if (tag.tag == FDT_NOP)
			continue;
		if (tag.tag != FDT_BEGIN_NODE && tag.tag != FDT_END_NODE)
			return -FDT_ERR_BADSTRUCTURE;
		/* The node read so far, if a root child, is judged now. */
		if (n.open && n.depth == 1 && cells_ok &&
		    (!(n.seen & P_STATUS) || n.enabled) && n.reg &&
		    n.reg_len >= (ac + sc) * 4) {
			for (int i = 0; i < ac; i++)
				base = base << 32 | fdt32_to_cpu(n.reg[i]);
			for (int i = 0; i < sc; i++)
				size = size << 32 | fdt32_to_cpu(n.reg[ac + i]);
			for (unsigned i = 0; i < w->nfns && !f; i++) {
				const struct pci_ecam_bar *bar = &w->fns[i].bar;

				if (base < bar->base + bar->size &&
				    bar->base < base + size)
					f = &w->fns[i];
			}
			if (f) {
				node[found] = n.offset;
				fn[found++] = f;
			}
		}
		n.open = false;
		if (tag.tag == FDT_BEGIN_NODE) {
			n = (struct node_props){
				.offset = off, .depth = ++depth, .open = true};
		} else if (--depth < 0) {
			return found;
		}
	}
	return err ? err : found;
}

int pci_dt_disable_shimmed(void *fdt, const struct pci_ecam_window *win,
			   pci_dt_shimmed_fn *note, void *ctx)
{
	const struct pci_ecam_fn *fn[SHIMMED_PER_PASS];
	int node[SHIMMED_PER_PASS], ac, sc, found;

	if (!fdt || !win || fdt_check_header(fdt))
		return PCI_DT_E_PARAM;
	/* The root's cells, once: dt_reg() would walk the tree from its start
	 * to find each node's parent. */
	ac = fdt_address_cells(fdt, 0);
	sc = fdt_size_cells(fdt, 0);
	/* A pass reads, then its nodes change last to first: a change moves
	 * only what follows it. A node disabled is not found again, so the
	 * passes end. */
	while ((found = find_shimmed(fdt, win, ac, sc, node, fn)) > 0) {
		for (int i = 0; note && i < found; i++)
			note(ctx, fdt, node[i], fn[i]);
		for (int i = found - 1; i >= 0; i--) {
			int err = fdt_setprop_string(fdt, node[i], "status", "disabled");

			if (err)
				return err;
		}
	}
	return found;
}

/*
 * An entry of interrupt-map, as written above: child unit address (3
 * cells), pin (1), the parent's phandle, as many cells as the parent's
 * #address-cells, and the parent's 3-cell specifier. The parent's
 * #address-cells is read per entry, as an OS does, so maps written by
 * other tools read too as long as their parent is a 3-cell GIC.
 */
int pci_dt_intx_spi(const void *fdt, int node, uint8_t bus, uint8_t dev, uint8_t fn,
		    uint8_t pin, uint32_t *spi)
{
	const uint32_t want = (uint32_t)bus << PHYS_HI_BUS_SHIFT |
			      (uint32_t)dev << PHYS_HI_DEV_SHIFT |
			      (uint32_t)fn << PHYS_HI_FN_SHIFT;
	const fdt32_t *c;
	int len, n, i = 0;

	c = fdt_getprop(fdt, node, "interrupt-map", &len);
	if (!c || len < 0 || len % 4)
		return PCI_DT_E_GIC;
	n = len / 4;
	while (i + PCI_ADDR_CELLS + PCI_INT_CELLS + 1 <= n) {
		const fdt32_t *e = c + i;
		struct host_bridge parent = {0};
		int spec;

		if (find_gic(fdt, fdt32_to_cpu(e[PCI_ADDR_CELLS + PCI_INT_CELLS]),
			     &parent))
			return PCI_DT_E_GIC;
		spec = PCI_ADDR_CELLS + PCI_INT_CELLS + 1 + parent.gic_ac;
		if (i + spec + GIC_INT_CELLS > n)
			return PCI_DT_E_GIC;
		if ((fdt32_to_cpu(e[0]) & PHYS_HI_DEVFN_BUS_MASK) == want &&
		    fdt32_to_cpu(e[PCI_ADDR_CELLS]) == pin) {
			if (fdt32_to_cpu(e[spec]) != DT_GIC_SPI)
				return PCI_DT_E_GIC;
			*spi = fdt32_to_cpu(e[spec + 1]);
			return 0;
		}
		i += spec + GIC_INT_CELLS;
	}
	return -FDT_ERR_NOTFOUND;
}
