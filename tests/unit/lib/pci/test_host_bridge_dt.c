/*
 * The host-bridge node (lib/pci/host_bridge_dt.c), read back with plain libfdt and
 * judged the way Linux 6.1 uses it: interrupt-map resolved as
 * of_irq_parse_raw() resolves a PCI pin, and the BAR assignment that
 * pci_bus_assign_resources() makes from the ranges replayed (with and
 * without the merging of adjacent windows newer kernels do), which must
 * leave every BAR where its device is. The trees are a QEMU-virt-like one
 * (GIC with #address-cells 2 for its ITS, a host bridge of its own) and
 * the hypervisor's guest tree (GIC with #address-cells 0). When dtc is
 * installed, it must read the result without a warning.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libfdt.h>

#include <hyp/vdev/guest_dt.h>
#include <lib/pci/host_bridge_dt.h>

#include "unit.h"

#define FOUR_GIB (1ull << 32)

static char base_blob[16384] __attribute__((aligned(8)));
static char blob[32768] __attribute__((aligned(8)));

/* ---- windows --------------------------------------------------------------- */

/* sbsa-ref's two shims (tests/unit/lib/pci/test_config_space.c has the reasons). */
static const struct pci_ecam_fn sbsa_fns[] = {
	{
		.dev = 1,
		.vendor_id = 0x8086,
		.device_id = 0x2922,
		.revision_id = 2,
		.class_code = PCI_CLASS_STORAGE_SATA_AHCI,
		.bar = {.base = 0x60100000, .size = 0x10000, .index = 5},
		.int_pin = PCI_INTERRUPT_INTA,
		.spi = 10,
	},
	{
		.dev = 2,
		.vendor_id = 0x1b36,
		.device_id = 0x000d,
		.revision_id = 1,
		.class_code = PCI_CLASS_SERIAL_USB_XHCI,
		.bar = {.base = 0x60110000, .size = 0x10000, .index = 0, .mem64 = true},
		.int_pin = PCI_INTERRUPT_INTA,
		.spi = 11,
	},
};

static const struct pci_ecam_window sbsa_win = {
	.base = 0x60120000,
	.bus_start = 0,
	.bus_end = 0,
	.fns = sbsa_fns,
	.nfns = 2,
};

/* Eight functions chosen to trip Linux's allocator: equal sizes whose
 * address order is the reverse of their device order, windows that touch,
 * two 64-bit BARs above 4 GiB that touch, a multi-function device, pins on
 * INTA..INTD and one without. */
static const struct pci_ecam_fn tricky_fns[] = {
	{.dev = 1,
	 .vendor_id = 0x1b36,
	 .device_id = 1,
	 .class_code = 0xff0000,
	 .bar = {.base = 0x20003000, .size = 0x1000, .index = 0},
	 .int_pin = 1,
	 .spi = 20},
	{.dev = 2,
	 .vendor_id = 0x1b36,
	 .device_id = 2,
	 .class_code = 0xff0000,
	 .bar = {.base = 0x20002000, .size = 0x1000, .index = 1},
	 .int_pin = 2,
	 .spi = 21},
	{.dev = 3,
	 .vendor_id = 0x1b36,
	 .device_id = 3,
	 .class_code = 0xff0000,
	 .bar = {.base = 0x20004000, .size = 0x2000, .index = 5},
	 .int_pin = 3,
	 .spi = 22},
	{.dev = 4,
	 .vendor_id = 0x1b36,
	 .device_id = 4,
	 .class_code = 0xff0000,
	 .bar = {.base = 0x20001000, .size = 0x1000, .index = 0},
	 .int_pin = 4,
	 .spi = 23},
	{.dev = 5,
	 .vendor_id = 0x1b36,
	 .device_id = 5,
	 .class_code = 0xff0000,
	 .bar = {.base = 0x100000000ull, .size = 0x4000, .index = 0, .mem64 = true},
	 .int_pin = 1,
	 .spi = 24},
	{.dev = 6,
	 .fn = 0,
	 .vendor_id = 0x1b36,
	 .device_id = 6,
	 .class_code = 0xff0000,
	 .bar = {.base = 0x100004000ull, .size = 0x4000, .index = 2, .mem64 = true},
	 .int_pin = 1,
	 .spi = 25},
	{.dev = 6,
	 .fn = 1,
	 .vendor_id = 0x1b36,
	 .device_id = 7,
	 .class_code = 0xff0000,
	 .bar = {.base = 0x200000000ull, .size = 0x10000, .index = 4, .mem64 = true},
	 .int_pin = 2,
	 .spi = 25},
	{.dev = 7,
	 .vendor_id = 0x1b36,
	 .device_id = 8,
	 .class_code = 0xff0000,
	 .bar = {.base = 0x20010000, .size = 0x10000, .index = 0, .mem64 = true}},
};

static const struct pci_ecam_window tricky_win = {
	.base = 0x30000000,
	.bus_start = 0,
	.bus_end = 3,
	.fns = tricky_fns,
	.nfns = 8,
};

/* ---- trees ----------------------------------------------------------------- */

#define PH_GIC 1u
#define PH_ITS 2u

static void sw_cells(void *fdt, const char *name, const uint32_t *v, int n)
{
	fdt32_t c[32];

	for (int i = 0; i < n; i++)
		c[i] = cpu_to_fdt32(v[i]);
	CHECK_EQ(fdt_property(fdt, name, c, n * 4), 0);
}

#define SW_CELLS(fdt, name, ...)                                                     \
	do {                                                                         \
		static const uint32_t sw_v_[] = {__VA_ARGS__};                       \
		sw_cells(fdt, name, sw_v_, (int)(sizeof(sw_v_) / sizeof(sw_v_[0]))); \
	} while (0)

struct virt_opts {
	int root_cells;	    /* 2, or 1 for a 32-bit root */
	bool gpio_disabled; /* status = "disabled" on the PL061 */
	bool gic_no_intc;   /* no interrupt-controller property */
	bool gic_two_cells; /* #interrupt-cells = <2> */
	bool gic_disabled;
	bool no_root_ip;  /* no interrupt-parent at the root */
	bool placeholder; /* a pcie@60120000 node already there */
};

/* A tree like the one QEMU virt gives firmware (with gic-version=3), in
 * base_blob, packed. */
static void build_virt(const struct virt_opts *o)
{
	void *fdt = base_blob;
	bool one = o->root_cells == 1;

	CHECK_EQ(fdt_create(fdt, sizeof(base_blob)), 0);
	CHECK_EQ(fdt_finish_reservemap(fdt), 0);
	CHECK_EQ(fdt_begin_node(fdt, ""), 0);
	CHECK_EQ(fdt_property_string(fdt, "compatible", "linux,dummy-virt"), 0);
	CHECK_EQ(fdt_property_u32(fdt, "#address-cells", one ? 1 : 2), 0);
	CHECK_EQ(fdt_property_u32(fdt, "#size-cells", one ? 1 : 2), 0);
	if (!o->no_root_ip)
		CHECK_EQ(fdt_property_u32(fdt, "interrupt-parent", PH_GIC), 0);

	CHECK_EQ(fdt_begin_node(fdt, "chosen"), 0);
	CHECK_EQ(fdt_end_node(fdt), 0);

	CHECK_EQ(fdt_begin_node(fdt, "memory@40000000"), 0);
	CHECK_EQ(fdt_property_string(fdt, "device_type", "memory"), 0);
	if (one)
		SW_CELLS(fdt, "reg", 0x40000000, 0x10000000);
	else
		SW_CELLS(fdt, "reg", 0, 0x40000000, 0, 0x10000000);
	CHECK_EQ(fdt_end_node(fdt), 0);

	CHECK_EQ(fdt_begin_node(fdt, "intc@8000000"), 0);
	CHECK_EQ(fdt_property_string(fdt, "compatible", "arm,gic-v3"), 0);
	CHECK_EQ(fdt_property_u32(fdt, "#interrupt-cells", o->gic_two_cells ? 2 : 3), 0);
	if (!o->gic_no_intc)
		CHECK_EQ(fdt_property(fdt, "interrupt-controller", NULL, 0), 0);
	if (o->gic_disabled)
		CHECK_EQ(fdt_property_string(fdt, "status", "disabled"), 0);
	CHECK_EQ(fdt_property_u32(fdt, "#address-cells", one ? 1 : 2), 0);
	CHECK_EQ(fdt_property_u32(fdt, "#size-cells", one ? 1 : 2), 0);
	CHECK_EQ(fdt_property(fdt, "ranges", NULL, 0), 0);
	if (one)
		SW_CELLS(fdt, "reg", 0x8000000, 0x10000, 0x80a0000, 0xf60000);
	else
		SW_CELLS(fdt, "reg", 0, 0x8000000, 0, 0x10000, 0, 0x80a0000, 0, 0xf60000);
	CHECK_EQ(fdt_property_u32(fdt, "phandle", PH_GIC), 0);
	CHECK_EQ(fdt_begin_node(fdt, "its@8080000"), 0);
	CHECK_EQ(fdt_property_string(fdt, "compatible", "arm,gic-v3-its"), 0);
	CHECK_EQ(fdt_property(fdt, "msi-controller", NULL, 0), 0);
	CHECK_EQ(fdt_property_u32(fdt, "#msi-cells", 1), 0);
	if (one)
		SW_CELLS(fdt, "reg", 0x8080000, 0x20000);
	else
		SW_CELLS(fdt, "reg", 0, 0x8080000, 0, 0x20000);
	CHECK_EQ(fdt_property_u32(fdt, "phandle", PH_ITS), 0);
	CHECK_EQ(fdt_end_node(fdt), 0);
	CHECK_EQ(fdt_end_node(fdt), 0);

	CHECK_EQ(fdt_begin_node(fdt, "pl061@9030000"), 0);
	CHECK_EQ(fdt_property_string(fdt, "compatible", "arm,pl061"), 0);
	if (one)
		SW_CELLS(fdt, "reg", 0x9030000, 0x1000);
	else
		SW_CELLS(fdt, "reg", 0, 0x9030000, 0, 0x1000);
	SW_CELLS(fdt, "interrupts", 0, 7, 4);
	if (o->gpio_disabled)
		CHECK_EQ(fdt_property_string(fdt, "status", "disabled"), 0);
	CHECK_EQ(fdt_end_node(fdt), 0);

	/* virt's own host bridge, domain 0, its ECAM above 4 GiB (named by
	 * its reg here, which keeps dtc quiet; QEMU names it by its MMIO). */
	if (!one) {
		CHECK_EQ(fdt_begin_node(fdt, "pcie@4010000000"), 0);
		CHECK_EQ(fdt_property_string(fdt, "compatible", "pci-host-ecam-generic"),
			 0);
		CHECK_EQ(fdt_property_string(fdt, "device_type", "pci"), 0);
		SW_CELLS(fdt, "reg", 0x40, 0x10000000, 0, 0x10000000);
		SW_CELLS(fdt, "bus-range", 0, 0xff);
		CHECK_EQ(fdt_property_u32(fdt, "#address-cells", 3), 0);
		CHECK_EQ(fdt_property_u32(fdt, "#size-cells", 2), 0);
		SW_CELLS(fdt, "ranges", 0x1000000, 0, 0, 0, 0x3eff0000, 0, 0x10000,
			 0x2000000, 0, 0x10000000, 0, 0x10000000, 0, 0x2eff0000);
		CHECK_EQ(fdt_property_u32(fdt, "linux,pci-domain", 0), 0);
		CHECK_EQ(fdt_property(fdt, "dma-coherent", NULL, 0), 0);
		CHECK_EQ(fdt_end_node(fdt), 0);
	}
	if (o->placeholder) {
		CHECK_EQ(fdt_begin_node(fdt, "pcie@60120000"), 0);
		CHECK_EQ(fdt_property_string(fdt, "status", "disabled"), 0);
		CHECK_EQ(fdt_end_node(fdt), 0);
	}
	CHECK_EQ(fdt_end_node(fdt), 0);
	CHECK_EQ(fdt_finish(fdt), 0);
	CHECK_EQ(fdt_pack(fdt), 0);
	CHECK_EQ(fdt_check_full(fdt, sizeof(base_blob)), 0);
}

/* The hypervisor's guest tree, GIC #address-cells 0, in base_blob. */
static void build_guest(void)
{
	struct guest_dt_params p = {
		.ram_base = 0x40000000,
		.ram_size = 256ull << 20,
		.cpus = 2,
		.bootargs = "console=ttyAMA0",
		.uart_base = 0x09000000,
		.uart_spi = 1,
		.gicd_base = 0x08000000,
		.gicd_size = 0x10000,
		.gicr_base = 0x080a0000,
		.gicr_size = 0x20000,
	};

	CHECK_EQ(guest_dt_build(base_blob, sizeof(base_blob), &p), 0);
}

/* base_blob opened into blob with size bytes of room. */
static void open_base(int size)
{
	memset(blob, 0xa5, sizeof(blob));
	CHECK_EQ(fdt_open_into(base_blob, blob, size), 0);
}

static int add(const struct pci_ecam_window *w, uint32_t gic, int domain)
{
	struct pci_dt_params p = {.win = w, .gic_phandle = gic, .domain = domain};

	return pci_dt_add_host_bridge(blob, &p);
}

/* ---- reading back ---------------------------------------------------------- */

static const void *prop_len(const void *fdt, int node, const char *name, int len)
{
	int got = -1;
	const void *v = node >= 0 ? fdt_getprop(fdt, node, name, &got) : NULL;

	if (!v || got != len)
		printf("  %s: length %d, want %d\n", name, got, len);
	CHECK(v != NULL);
	CHECK_EQ(got, len);
	return v && got == len ? v : NULL;
}

static uint32_t cell(const void *v, int i)
{
	fdt32_t c;

	memcpy(&c, (const char *)v + 4 * i, 4);
	return fdt32_to_cpu(c);
}

static uint32_t prop_u32(const void *fdt, int node, const char *name)
{
	const void *v = prop_len(fdt, node, name, 4);

	return v ? cell(v, 0) : 0xdeadbeef;
}

static int str_is(const void *fdt, int node, const char *name, const char *want)
{
	int len = 0;
	const char *v = fdt_getprop(fdt, node, name, &len);

	return v && len == (int)strlen(want) + 1 && memcmp(v, want, (size_t)len) == 0;
}

static int node_at(const void *fdt, const char *path)
{
	int n = fdt_path_offset(fdt, path);

	if (n < 0)
		printf("  no node %s: %s\n", path, fdt_strerror(n));
	CHECK(n >= 0);
	return n;
}

/* Two trees say the same: the same nodes in the same order, each with the
 * same properties and values (string-table layout may differ). */
static bool same_tree(const void *a, const void *b)
{
	int da = 0, db = 0;
	int na = fdt_next_node(a, -1, &da), nb = fdt_next_node(b, -1, &db);

	/* fdt_next_node() leaves the depth negative past the root's end. */
	while (na >= 0 && nb >= 0 && da >= 0 && db >= 0) {
		int pa, pb;

		if (da != db ||
		    strcmp(fdt_get_name(a, na, NULL), fdt_get_name(b, nb, NULL)))
			return false;
		pa = fdt_first_property_offset(a, na);
		pb = fdt_first_property_offset(b, nb);
		while (pa >= 0 && pb >= 0) {
			const char *sa, *sb;
			int la, lb;
			const void *va = fdt_getprop_by_offset(a, pa, &sa, &la);
			const void *vb = fdt_getprop_by_offset(b, pb, &sb, &lb);

			if (strcmp(sa, sb) || la != lb ||
			    (la > 0 && memcmp(va, vb, (size_t)la)))
				return false;
			pa = fdt_next_property_offset(a, pa);
			pb = fdt_next_property_offset(b, pb);
		}
		if (pa >= 0 || pb >= 0)
			return false;
		na = fdt_next_node(a, na, &da);
		nb = fdt_next_node(b, nb, &db);
	}
	return (na < 0 || da < 0) && (nb < 0 || db < 0);
}

/* ---- Linux's use of the node ----------------------------------------------- */

struct sim_window {
	uint64_t start, end; /* inclusive */
	bool mem64;
};

/* The memory windows of the ranges, as devm_of_pci_get_host_bridge_resources()
 * makes them: 1:1 expected, so the CPU address must equal the PCI one. */
static int parse_ranges(const void *fdt, int node, int root_ac, struct sim_window *w)
{
	int len, stride = 3 + root_ac + 2, n = 0;
	const fdt32_t *r = fdt_getprop(fdt, node, "ranges", &len);

	CHECK(r != NULL);
	if (!r)
		return 0;
	CHECK_EQ(len % (stride * 4), 0);
	for (int i = 0; i < len / (stride * 4); i++, r += stride) {
		uint32_t hi = fdt32_to_cpu(r[0]);
		uint64_t pci = (uint64_t)fdt32_to_cpu(r[1]) << 32 | fdt32_to_cpu(r[2]);
		uint64_t cpu = root_ac == 2 ? (uint64_t)fdt32_to_cpu(r[3]) << 32 |
						      fdt32_to_cpu(r[4])
					    : fdt32_to_cpu(r[3]);
		const fdt32_t *s = r + 3 + root_ac;
		uint64_t size = (uint64_t)fdt32_to_cpu(s[0]) << 32 | fdt32_to_cpu(s[1]);

		/* Memory, not prefetchable, not relocatable or aliased. */
		CHECK(hi == 0x02000000 || hi == 0x03000000);
		CHECK_EQ(pci, cpu);
		w[n].start = cpu;
		w[n].end = cpu + size - 1;
		w[n].mem64 = hi == 0x03000000;
		n++;
	}
	return n;
}

/* pci_register_host_bridge()'s "Coalesce contiguous windows" (kernels
 * after 6.1 may do it): a window followed in the list by one of the same
 * kind that starts right after it becomes part of that one. */
static int coalesce(struct sim_window *w, int n)
{
	int out = 0;

	for (int i = 0; i < n; i++) {
		if (i + 1 < n && w[i].mem64 == w[i + 1].mem64 &&
		    w[i].end + 1 == w[i + 1].start) {
			w[i + 1].start = w[i].start;
			continue;
		}
		w[out++] = w[i];
	}
	return out;
}

/* Set while a replay is expected to go wrong, to keep the log quiet. */
static bool sim_quiet;

struct sim {
	struct sim_window win[16];
	int nwin;
	uint64_t taken_start[16], taken_end[16];
	int ntaken;
};

/* allocate_resource() in window w clipped to [lo, hi]: the lowest address
 * aligned to size whose range is free. */
static bool sim_alloc_in(struct sim *s, const struct sim_window *w, uint64_t lo,
			 uint64_t hi, uint64_t size, uint64_t *at)
{
	uint64_t start = w->start > lo ? w->start : lo;
	uint64_t end = w->end < hi ? w->end : hi;
	uint64_t a;

	if (start > end)
		return false;
	a = (start + size - 1) & ~(size - 1);
	while (a >= start && a + size - 1 <= end && a + size - 1 >= a) {
		bool clash = false;

		for (int t = 0; t < s->ntaken; t++) {
			if (a <= s->taken_end[t] && s->taken_start[t] <= a + size - 1) {
				a = (s->taken_end[t] + 1 + size - 1) & ~(size - 1);
				clash = true;
				break;
			}
		}
		if (!clash) {
			*at = a;
			s->taken_start[s->ntaken] = a;
			s->taken_end[s->ntaken++] = a + size - 1;
			return true;
		}
	}
	return false;
}

/* __pci_assign_resource() for a non-prefetchable BAR: windows of its own
 * kind (MEM_64 or not) first, a 64-bit BAR trying above 4 GiB before
 * anywhere (pci_bus_alloc_resource()), then any window for a 64-bit one. */
static bool sim_assign(struct sim *s, const struct pci_ecam_bar *b, uint64_t *at)
{
	for (int pass = 0; pass < (b->mem64 ? 2 : 1); pass++) {
		for (int region = b->mem64 ? 0 : 1; region < 2; region++) {
			uint64_t lo = region == 0 ? FOUR_GIB : 0;
			uint64_t hi = b->mem64 ? UINT64_MAX : FOUR_GIB - 1;

			for (int i = 0; i < s->nwin; i++) {
				if (pass == 0 && s->win[i].mem64 != b->mem64)
					continue;
				if (sim_alloc_in(s, &s->win[i], lo, hi, b->size, at))
					return true;
			}
		}
	}
	return false;
}

static unsigned devfn(const struct pci_ecam_fn *f)
{
	return (unsigned)f->dev << 3 | f->fn;
}

/* pci_bus_assign_resources() on the root bus: BARs by size, largest first,
 * then in device order; true when every BAR lands on its own base. */
static bool sim_linux_assigns_in_place(const struct pci_ecam_window *pw,
				       const struct sim_window *w, int n, bool merge)
{
	struct sim s = {.nwin = n};
	unsigned order[PCI_ECAM_MAX_FNS];
	bool all = true;

	memcpy(s.win, w, (size_t)n * sizeof(w[0]));
	if (merge)
		s.nwin = coalesce(s.win, n);
	for (unsigned i = 0; i < pw->nfns; i++) {
		unsigned j = i;

		while (j > 0) {
			const struct pci_ecam_fn *a = &pw->fns[i],
						 *b = &pw->fns[order[j - 1]];

			if (a->bar.size < b->bar.size ||
			    (a->bar.size == b->bar.size && devfn(a) > devfn(b)))
				break;
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	for (unsigned k = 0; k < pw->nfns; k++) {
		const struct pci_ecam_fn *f = &pw->fns[order[k]];
		uint64_t at = 0;

		if (!sim_assign(&s, &f->bar, &at) || at != f->bar.base) {
			if (!sim_quiet)
				printf("  %02x.%x: BAR at 0x%llx, assigned 0x%llx%s\n",
				       f->dev, f->fn, (unsigned long long)f->bar.base,
				       (unsigned long long)at,
				       merge ? " (merged windows)" : "");
			all = false;
		}
	}
	return all;
}

/* of_irq_parse_raw() for a function's pin on the root bus: the GIC
 * specifier the map gives, or false when no entry matches. */
static bool linux_map_pin(const void *fdt, int node, const struct pci_ecam_fn *f,
			  uint32_t *phandle, uint32_t spec[3])
{
	uint32_t addr[4] = {(uint32_t)f->bus << 16 | devfn(f) << 8, 0, 0, f->int_pin};
	int len, mlen;
	const fdt32_t *map = fdt_getprop(fdt, node, "interrupt-map", &len);
	const fdt32_t *mask = fdt_getprop(fdt, node, "interrupt-map-mask", &mlen);
	int cells = len / 4;

	if (!map || !mask || mlen != 16)
		return false;
	while (cells > 0) {
		bool match = true;
		uint32_t ph, gic_ac = 0, gic_ic;
		int gic;
		const fdt32_t *p;

		if (cells < 5)
			return false;
		for (int i = 0; i < 4; i++)
			match &= !((addr[i] ^ fdt32_to_cpu(map[i])) &
				   fdt32_to_cpu(mask[i]));
		ph = fdt32_to_cpu(map[4]);
		gic = fdt_node_offset_by_phandle(fdt, ph);
		if (gic < 0)
			return false;
		p = fdt_getprop(fdt, gic, "#address-cells", NULL);
		if (p)
			gic_ac = fdt32_to_cpu(*p);
		p = fdt_getprop(fdt, gic, "#interrupt-cells", NULL);
		if (!p)
			return false;
		gic_ic = fdt32_to_cpu(*p);
		if (gic_ic != 3 || cells < 5 + (int)(gic_ac + gic_ic))
			return false;
		if (match) {
			for (uint32_t i = 0; i < gic_ac; i++)
				CHECK_EQ(fdt32_to_cpu(map[5 + i]), 0);
			*phandle = ph;
			for (int i = 0; i < 3; i++)
				spec[i] = fdt32_to_cpu(map[5 + gic_ac + i]);
			return true;
		}
		map += 5 + gic_ac + gic_ic;
		cells -= 5 + (int)(gic_ac + gic_ic);
	}
	return false;
}

/* Every pin resolves to its own SPI, level-high, on gic; pinless
 * functions have no entry. */
static void check_interrupts(const void *fdt, int node, const struct pci_ecam_window *w,
			     uint32_t gic)
{
	unsigned pins = 0;

	for (unsigned i = 0; i < w->nfns; i++) {
		const struct pci_ecam_fn *f = &w->fns[i];
		uint32_t ph = 0, spec[3] = {0};

		if (!f->int_pin)
			continue;
		pins++;
		CHECK(linux_map_pin(fdt, node, f, &ph, spec));
		CHECK_EQ(ph, gic);
		CHECK_EQ(spec[0], DT_GIC_SPI);
		CHECK_EQ(spec[1], f->spi);
		CHECK_EQ(spec[2], DT_IRQ_TYPE_LEVEL_HIGH);
	}
	if (pins) {
		const void *m = prop_len(fdt, node, "interrupt-map-mask", 16);

		if (m) {
			CHECK_EQ(cell(m, 0), 0xff00);
			CHECK_EQ(cell(m, 1), 0);
			CHECK_EQ(cell(m, 2), 0);
			CHECK_EQ(cell(m, 3), 7);
		}
	}
}

/* What dtc says of a tree: 1 nothing, 0 warnings or errors, -1 no dtc. */
static int dtc_verdict(const void *fdt, bool quiet)
{
	char path[] = "/tmp/test_pci_dt.XXXXXX", cmd[128], out[512];
	size_t got = 0;
	FILE *f, *p;
	int fd;

	if (system("command -v dtc >/dev/null 2>&1") != 0)
		return -1;
	fd = mkstemp(path);
	if (fd < 0)
		return 0;
	f = fdopen(fd, "wb");
	if (!f || fwrite(fdt, 1, fdt_totalsize(fdt), f) != fdt_totalsize(fdt)) {
		if (f)
			fclose(f);
		unlink(path);
		return 0;
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "dtc -I dtb -O dts -o /dev/null %s 2>&1; echo rc=$?",
		 path);
	p = popen(cmd, "r");
	if (p) {
		got = fread(out, 1, sizeof(out) - 1, p);
		pclose(p);
	}
	out[got] = '\0';
	unlink(path);
	if (strcmp(out, "rc=0\n") == 0)
		return 1;
	if (!quiet)
		printf("  dtc says: %s", out);
	return 0;
}

/* dtc, when installed, reads the tree without a warning. */
static void check_dtc(const void *fdt)
{
	int v = dtc_verdict(fdt, false);

	if (v < 0)
		printf("  dtc not installed: not checked\n");
	CHECK(v != 0);
}

/* ---- the node -------------------------------------------------------------- */

static void virt_node_properties(void)
{
	struct virt_opts o = {.root_cells = 2};
	struct sim_window w[8];
	const void *v;
	int node, n;

	build_virt(&o);
	open_base(sizeof(blob));
	CHECK_EQ(add(&sbsa_win, 0, PCI_DT_DOMAIN_AUTO), 0);
	CHECK_EQ(fdt_check_full(blob, sizeof(blob)), 0);
	CHECK(!same_tree(blob, base_blob));
	node = node_at(blob, "/pcie@60120000");
	/* In the usual order, compatible first. */
	{
		const char *name = NULL;

		fdt_getprop_by_offset(blob, fdt_first_property_offset(blob, node), &name,
				      NULL);
		CHECK(name && strcmp(name, "compatible") == 0);
	}
	CHECK(str_is(blob, node, "compatible", "pci-host-ecam-generic"));
	CHECK(str_is(blob, node, "device_type", "pci"));
	v = prop_len(blob, node, "reg", 16);
	if (v) {
		CHECK_EQ(cell(v, 0), 0);
		CHECK_EQ(cell(v, 1), 0x60120000);
		CHECK_EQ(cell(v, 2), 0);
		CHECK_EQ(cell(v, 3), 0x100000);
	}
	v = prop_len(blob, node, "bus-range", 8);
	if (v) {
		CHECK_EQ(cell(v, 0), 0);
		CHECK_EQ(cell(v, 1), 0);
	}
	CHECK_EQ(prop_u32(blob, node, "#address-cells"), 3);
	CHECK_EQ(prop_u32(blob, node, "#size-cells"), 2);
	CHECK_EQ(prop_u32(blob, node, "#interrupt-cells"), 1);
	/* virt's bridge has domain 0. */
	CHECK_EQ(prop_u32(blob, node, "linux,pci-domain"), 1);
	CHECK_EQ(prop_u32(blob, node, "linux,pci-probe-only"), 1);
	prop_len(blob, node, "dma-coherent", 0);
	/* Not in /chosen, where Linux 6.1 would apply it to every bridge. */
	CHECK(!fdt_getprop(blob, node_at(blob, "/chosen"), "linux,pci-probe-only", NULL));

	/* Two windows of 64 KiB: the AHCI's 32-bit one at 0x60100000, the
	 * xHCI's 64-bit one at 0x60110000; equal sizes go in device order. */
	v = prop_len(blob, node, "ranges", 2 * 7 * 4);
	if (v) {
		static const uint32_t want[14] = {
			0x02000000, 0, 0x60100000, 0, 0x60100000, 0, 0x10000,
			0x03000000, 0, 0x60110000, 0, 0x60110000, 0, 0x10000,
		};

		for (int i = 0; i < 14; i++)
			CHECK_EQ(cell(v, i), want[i]);
	}
	/* interrupt-map: <addr 3, pin, &gic, 0 0 (GIC #address-cells 2), spec 3>. */
	v = prop_len(blob, node, "interrupt-map", 2 * 10 * 4);
	if (v) {
		static const uint32_t want[20] = {
			1 << 11, 0, 0,		1,  PH_GIC,
			0,	 0, DT_GIC_SPI, 10, DT_IRQ_TYPE_LEVEL_HIGH,
			2 << 11, 0, 0,		1,  PH_GIC,
			0,	 0, DT_GIC_SPI, 11, DT_IRQ_TYPE_LEVEL_HIGH,
		};

		for (int i = 0; i < 20; i++)
			CHECK_EQ(cell(v, i), want[i]);
	}
	check_interrupts(blob, node, &sbsa_win, PH_GIC);
	n = parse_ranges(blob, node, 2, w);
	CHECK_EQ(n, 2);
	CHECK(sim_linux_assigns_in_place(&sbsa_win, w, n, false));
	CHECK(sim_linux_assigns_in_place(&sbsa_win, w, n, true));
	check_dtc(blob);
}

static void guest_tree_gic_without_address_cells(void)
{
	const void *v;
	int node;

	build_guest();
	open_base(sizeof(blob));
	CHECK_EQ(add(&sbsa_win, 0, PCI_DT_DOMAIN_AUTO), 0);
	node = node_at(blob, "/pcie@60120000");
	/* No host bridge before: domain 0. */
	CHECK_EQ(prop_u32(blob, node, "linux,pci-domain"), 0);
	/* No parent unit address cells: 8 cells an entry. */
	v = prop_len(blob, node, "interrupt-map", 2 * 8 * 4);
	if (v) {
		static const uint32_t want[16] = {
			1 << 11, 0, 0, 1, 1, DT_GIC_SPI, 10, DT_IRQ_TYPE_LEVEL_HIGH,
			2 << 11, 0, 0, 1, 1, DT_GIC_SPI, 11, DT_IRQ_TYPE_LEVEL_HIGH,
		};

		for (int i = 0; i < 16; i++)
			CHECK_EQ(cell(v, i), want[i]);
	}
	check_interrupts(blob, node, &sbsa_win, 1);
	check_dtc(blob);
}

/* pci_dt_intx_spi() reads back what the writer wrote, with and without
 * GIC unit-address cells, and finds nothing for a pin or function that
 * has no entry. */
static void intx_read_back(void)
{
	uint32_t spi = 0;
	int node;

	for (int guest = 0; guest < 2; guest++) {
		struct virt_opts o = {.root_cells = 2};

		if (guest)
			build_guest();
		else
			build_virt(&o);
		open_base(sizeof(blob));
		CHECK_EQ(add(&sbsa_win, 0, PCI_DT_DOMAIN_AUTO), 0);
		node = node_at(blob, "/pcie@60120000");
		CHECK_EQ(pci_dt_intx_spi(blob, node, 0, 1, 0, PCI_INTERRUPT_INTA, &spi),
			 0);
		CHECK_EQ(spi, 10);
		CHECK_EQ(pci_dt_intx_spi(blob, node, 0, 2, 0, PCI_INTERRUPT_INTA, &spi),
			 0);
		CHECK_EQ(spi, 11);
		CHECK_EQ(pci_dt_intx_spi(blob, node, 0, 2, 0, PCI_INTERRUPT_INTB, &spi),
			 -FDT_ERR_NOTFOUND);
		CHECK_EQ(pci_dt_intx_spi(blob, node, 0, 3, 0, PCI_INTERRUPT_INTA, &spi),
			 -FDT_ERR_NOTFOUND);
		CHECK_EQ(pci_dt_intx_spi(blob, node, 1, 1, 0, PCI_INTERRUPT_INTA, &spi),
			 -FDT_ERR_NOTFOUND);
		/* A node without a map, and a map cut short. */
		CHECK_EQ(pci_dt_intx_spi(blob, 0, 0, 1, 0, PCI_INTERRUPT_INTA, &spi),
			 PCI_DT_E_GIC);
		{
			int len;
			const void *m = fdt_getprop(blob, node, "interrupt-map", &len);
			uint8_t copy[128];

			CHECK(m && len > 8 && len <= (int)sizeof(copy));
			if (m && len > 8 && len <= (int)sizeof(copy)) {
				memcpy(copy, m, (size_t)len);
				CHECK_EQ(fdt_setprop(blob, node, "interrupt-map", copy,
						     len - 8),
					 0);
				CHECK_EQ(pci_dt_intx_spi(blob, node, 0, 2, 0,
							 PCI_INTERRUPT_INTA, &spi),
					 PCI_DT_E_GIC);
			}
		}
	}
}

static void tricky_layout_lands_in_place(void)
{
	struct virt_opts o = {.root_cells = 2};
	struct sim_window w[8], bad[8];
	int node, n;

	build_virt(&o);
	open_base(sizeof(blob));
	CHECK_EQ(add(&tricky_win, 0, PCI_DT_DOMAIN_AUTO), 0);
	node = node_at(blob, "/pcie@30000000");
	CHECK_EQ(prop_u32(blob, node, "#interrupt-cells"), 1);
	n = parse_ranges(blob, node, 2, w);
	CHECK_EQ(n, 8);
	/* Largest first, equal sizes in device order. */
	if (n == 8) {
		static const uint64_t want[8] = {
			0x200000000ull, 0x20010000, 0x100000000ull, 0x100004000ull,
			0x20004000,	0x20003000, 0x20002000,	    0x20001000};

		for (int i = 0; i < 8; i++)
			CHECK_EQ(w[i].start, want[i]);
	}
	CHECK(sim_linux_assigns_in_place(&tricky_win, w, n, false));
	CHECK(sim_linux_assigns_in_place(&tricky_win, w, n, true));
	check_interrupts(blob, node, &tricky_win, PH_GIC);
	/* The replay is not vacuous: windows in address order get the 8 KiB
	 * BAR at 0x20002000 once merged, and the first 4 KiB window taken by
	 * the wrong device when not. */
	memcpy(bad, w, sizeof(bad));
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (bad[j].start < bad[i].start) {
				struct sim_window t = bad[i];

				bad[i] = bad[j];
				bad[j] = t;
			}
	sim_quiet = true;
	CHECK(!sim_linux_assigns_in_place(&tricky_win, bad, n, true));
	CHECK(!sim_linux_assigns_in_place(&tricky_win, bad, n, false));
	sim_quiet = false;
	check_dtc(blob);
}

static void root_with_one_cell(void)
{
	struct virt_opts o = {.root_cells = 1};
	struct sim_window w[8];
	const void *v;
	int node;

	build_virt(&o);
	open_base(sizeof(blob));
	CHECK_EQ(add(&sbsa_win, 0, PCI_DT_DOMAIN_AUTO), 0);
	node = node_at(blob, "/pcie@60120000");
	v = prop_len(blob, node, "reg", 8);
	if (v) {
		CHECK_EQ(cell(v, 0), 0x60120000);
		CHECK_EQ(cell(v, 1), 0x100000);
	}
	/* 3 PCI cells, 1 CPU cell, 2 size cells. */
	v = prop_len(blob, node, "ranges", 2 * 6 * 4);
	if (v) {
		CHECK_EQ(cell(v, 3), 0x60100000);
		CHECK_EQ(cell(v, 9), 0x60110000);
	}
	CHECK_EQ(parse_ranges(blob, node, 1, w), 2);
	check_interrupts(blob, node, &sbsa_win, PH_GIC);
	check_dtc(blob);

	/* Anything above 4 GiB cannot be said with one cell. */
	open_base(sizeof(blob));
	CHECK_EQ(add(&tricky_win, 0, PCI_DT_DOMAIN_AUTO), PCI_DT_E_PARAM);
	{
		struct pci_ecam_window high = sbsa_win;

		high.base = 0x100000000ull;
		CHECK_EQ(add(&high, 0, PCI_DT_DOMAIN_AUTO), PCI_DT_E_PARAM);
		high.base = 0xfff00000; /* ends exactly at 4 GiB: fits */
		CHECK_EQ(add(&high, 0, PCI_DT_DOMAIN_AUTO), 0);
	}
}

static void no_pins_no_map(void)
{
	struct pci_ecam_fn fns[2];
	struct pci_ecam_window w = sbsa_win;
	struct virt_opts o = {.root_cells = 2};
	int node;

	memcpy(fns, sbsa_fns, sizeof(fns));
	fns[0].int_pin = PCI_INTERRUPT_NONE;
	fns[1].int_pin = PCI_INTERRUPT_NONE;
	w.fns = fns;
	build_virt(&o);
	open_base(sizeof(blob));
	CHECK_EQ(add(&w, 0, PCI_DT_DOMAIN_AUTO), 0);
	node = node_at(blob, "/pcie@60120000");
	CHECK(!fdt_getprop(blob, node, "interrupt-map", NULL));
	CHECK(!fdt_getprop(blob, node, "interrupt-map-mask", NULL));
	CHECK_EQ(prop_u32(blob, node, "#interrupt-cells"), 1);
	check_dtc(blob);
}

/* ---- parameters and refusals ----------------------------------------------- */

static void interrupt_parent_checks(void)
{
	struct virt_opts o = {.root_cells = 2};

	build_virt(&o);
	open_base(sizeof(blob));
	/* Explicit and from the root alike. */
	CHECK_EQ(add(&sbsa_win, PH_GIC, PCI_DT_DOMAIN_AUTO), 0);
	open_base(sizeof(blob));
	CHECK_EQ(add(&sbsa_win, PH_ITS, PCI_DT_DOMAIN_AUTO),
		 PCI_DT_E_GIC); /* an MSI controller */
	CHECK_EQ(add(&sbsa_win, 99, PCI_DT_DOMAIN_AUTO), PCI_DT_E_GIC);
	CHECK_EQ(add(&sbsa_win, 0xffffffffu, PCI_DT_DOMAIN_AUTO), PCI_DT_E_GIC);

	o.no_root_ip = true;
	build_virt(&o);
	open_base(sizeof(blob));
	CHECK_EQ(add(&sbsa_win, 0, PCI_DT_DOMAIN_AUTO), PCI_DT_E_GIC);
	CHECK_EQ(add(&sbsa_win, PH_GIC, PCI_DT_DOMAIN_AUTO), 0);

	o = (struct virt_opts){.root_cells = 2, .gic_no_intc = true};
	build_virt(&o);
	open_base(sizeof(blob));
	CHECK_EQ(add(&sbsa_win, 0, PCI_DT_DOMAIN_AUTO), PCI_DT_E_GIC);
	o = (struct virt_opts){.root_cells = 2, .gic_two_cells = true};
	build_virt(&o);
	open_base(sizeof(blob));
	CHECK_EQ(add(&sbsa_win, 0, PCI_DT_DOMAIN_AUTO), PCI_DT_E_GIC);
	o = (struct virt_opts){.root_cells = 2, .gic_disabled = true};
	build_virt(&o);
	open_base(sizeof(blob));
	CHECK_EQ(add(&sbsa_win, 0, PCI_DT_DOMAIN_AUTO), PCI_DT_E_GIC);
	/* Nothing was added by any refusal. */
	CHECK(same_tree(blob, base_blob));
}

static void domain_choice(void)
{
	struct virt_opts o = {.root_cells = 2};
	struct pci_ecam_window second = sbsa_win;
	struct pci_ecam_fn fns[2];
	int node;

	build_virt(&o);
	open_base(sizeof(blob));
	CHECK_EQ(add(&sbsa_win, 0, 0), PCI_DT_E_DOMAIN); /* virt's */
	CHECK_EQ(add(&sbsa_win, 0, PCI_DT_MAX_DOMAIN + 1), PCI_DT_E_DOMAIN);
	CHECK_EQ(add(&sbsa_win, 0, -2), PCI_DT_E_DOMAIN);
	CHECK_EQ(add(&sbsa_win, 0, 7), 0);
	CHECK_EQ(prop_u32(blob, node_at(blob, "/pcie@60120000"), "linux,pci-domain"), 7);

	/* A second window in the same tree: auto skips 0 (virt) but takes 1. */
	memcpy(fns, sbsa_fns, sizeof(fns));
	fns[0].bar.base = 0x61000000;
	fns[1].bar.base = 0x61010000;
	second.fns = fns;
	second.base = 0x60400000;
	CHECK_EQ(add(&second, 0, PCI_DT_DOMAIN_AUTO), 0);
	node = node_at(blob, "/pcie@60400000");
	CHECK_EQ(prop_u32(blob, node, "linux,pci-domain"), 1);
	/* And a third: 0, 1 and 7 are taken; Linux reads the value as u16,
	 * so a node saying 0x10002 has taken 2. */
	CHECK_EQ(fdt_setprop_u32(blob, node, "linux,pci-domain", 0x10002), 0);
	fns[0].bar.base = 0x62000000;
	fns[1].bar.base = 0x62010000;
	second.base = 0x60600000;
	CHECK_EQ(add(&second, 0, PCI_DT_DOMAIN_AUTO), 0);
	CHECK_EQ(prop_u32(blob, node_at(blob, "/pcie@60600000"), "linux,pci-domain"), 1);
	fns[0].bar.base = 0x63000000;
	fns[1].bar.base = 0x63010000;
	second.base = 0x60800000;
	CHECK_EQ(add(&second, 0, PCI_DT_DOMAIN_AUTO), 0);
	CHECK_EQ(prop_u32(blob, node_at(blob, "/pcie@60800000"), "linux,pci-domain"), 3);
	CHECK_EQ(add(&second, 0, 2), PCI_DT_E_DOMAIN);	/* 0x10002 */
	CHECK_EQ(add(&second, 0, 9), PCI_DT_E_OVERLAP); /* the same window again */
}

static void overlapping_nodes(void)
{
	struct virt_opts o = {.root_cells = 2};
	struct pci_ecam_fn fns[2];
	struct pci_ecam_window w = sbsa_win;

	/* A shim for virt's PL061 while its node is still enabled. */
	memcpy(fns, sbsa_fns, sizeof(fns));
	fns[0].bar.base = 0x9030000;
	fns[0].bar.size = 0x1000;
	w.fns = fns;
	build_virt(&o);
	open_base(sizeof(blob));
	CHECK_EQ(add(&w, 0, PCI_DT_DOMAIN_AUTO), PCI_DT_E_OVERLAP);
	o.gpio_disabled = true;
	build_virt(&o);
	open_base(sizeof(blob));
	CHECK_EQ(add(&w, 0, PCI_DT_DOMAIN_AUTO), 0);

	/* A BAR on the ITS, a node below the GIC, is the caller's to check;
	 * one on the GIC's second reg entry is refused. */
	fns[0].bar.base = 0x8080000;
	build_virt(&o);
	open_base(sizeof(blob));
	CHECK_EQ(add(&w, 0, PCI_DT_DOMAIN_AUTO), 0);
	fns[0].bar.base = 0x80b0000;
	open_base(sizeof(blob));
	CHECK_EQ(add(&w, 0, PCI_DT_DOMAIN_AUTO), PCI_DT_E_OVERLAP);

	/* An ECAM window in RAM, or on virt's own ECAM. */
	w = sbsa_win;
	w.base = 0x4ff00000;
	open_base(sizeof(blob));
	CHECK_EQ(add(&w, 0, PCI_DT_DOMAIN_AUTO), PCI_DT_E_OVERLAP);
	w.base = 0x4010000000ull;
	CHECK_EQ(add(&w, 0, PCI_DT_DOMAIN_AUTO), PCI_DT_E_OVERLAP);
	CHECK(same_tree(blob, base_blob));

	/* A node of that name already there (without reg). */
	o = (struct virt_opts){.root_cells = 2, .placeholder = true};
	build_virt(&o);
	open_base(sizeof(blob));
	CHECK_EQ(add(&sbsa_win, 0, PCI_DT_DOMAIN_AUTO), -FDT_ERR_EXISTS);
	CHECK(same_tree(blob, base_blob));
}

/* Windows in Linux's order, for a table add() refuses. */
static int windows_of(const struct pci_ecam_fn *fns, unsigned n, struct sim_window *w)
{
	for (unsigned i = 0; i < n; i++) {
		w[i].start = fns[i].bar.base;
		w[i].end = fns[i].bar.base + fns[i].bar.size - 1;
		w[i].mem64 = fns[i].bar.mem64;
	}
	return (int)n;
}

static void layout_refusals(void)
{
	struct virt_opts o = {.root_cells = 2};
	struct pci_ecam_fn fns[3] = {sbsa_fns[1], sbsa_fns[1], sbsa_fns[1]};
	struct pci_ecam_window w = sbsa_win;
	struct sim_window sw[3];
	int n;

	build_virt(&o);
	open_base(sizeof(blob));
	w.fns = fns;
	w.nfns = 2;
	/* The xHCI's 64-bit BAR below 4 GiB on device 2, one of the same size
	 * above 4 GiB on device 3, assigned after it: Linux would put the
	 * xHCI there. */
	fns[1].dev = 3;
	fns[1].bar.base = 0x100000000ull;
	CHECK_EQ(add(&w, 0, PCI_DT_DOMAIN_AUTO), PCI_DT_E_LAYOUT);
	n = windows_of(fns, 2, sw);
	sim_quiet = true;
	CHECK(!sim_linux_assigns_in_place(&w, sw, n, false));
	sim_quiet = false;
	/* The other way round the high one goes first: fine. */
	fns[1].dev = 1;
	CHECK_EQ(add(&w, 0, PCI_DT_DOMAIN_AUTO), 0);
	n = parse_ranges(blob, node_at(blob, "/pcie@60120000"), 2, sw);
	CHECK(sim_linux_assigns_in_place(&w, sw, n, false));
	CHECK(sim_linux_assigns_in_place(&w, sw, n, true));

	/* Two touching 32 KiB windows above 4 GiB, assigned after a 64 KiB
	 * BAR below: apart they are too small, merged they are not. */
	open_base(sizeof(blob));
	fns[1].dev = 3;
	fns[1].bar.size = 0x8000;
	fns[2].dev = 4;
	fns[2].bar.base = 0x100008000ull;
	fns[2].bar.size = 0x8000;
	w.nfns = 3;
	CHECK_EQ(add(&w, 0, PCI_DT_DOMAIN_AUTO), PCI_DT_E_LAYOUT);
	n = windows_of(fns, 3, sw);
	CHECK(sim_linux_assigns_in_place(&w, sw, n, false));
	sim_quiet = true;
	CHECK(!sim_linux_assigns_in_place(&w, sw, n, true));
	sim_quiet = false;
	/* With a gap between them, nothing can take the xHCI's place. */
	fns[2].bar.base = 0x100010000ull;
	CHECK_EQ(add(&w, 0, PCI_DT_DOMAIN_AUTO), 0);
	n = parse_ranges(blob, node_at(blob, "/pcie@60120000"), 2, sw);
	CHECK(sim_linux_assigns_in_place(&w, sw, n, false));
	CHECK(sim_linux_assigns_in_place(&w, sw, n, true));

	/* Classes Linux never assigns BARs for. */
	open_base(sizeof(blob));
	memcpy(fns, sbsa_fns, sizeof(sbsa_fns));
	w.nfns = 2;
	fns[0].class_code = 0x060000;
	CHECK_EQ(add(&w, 0, PCI_DT_DOMAIN_AUTO), PCI_DT_E_LAYOUT);
	fns[0].class_code = 0x000000;
	CHECK_EQ(add(&w, 0, PCI_DT_DOMAIN_AUTO), PCI_DT_E_LAYOUT);
	/* A bad window is the model's refusal, passed through. */
	fns[0].class_code = PCI_CLASS_STORAGE_SATA_AHCI;
	fns[0].vendor_id = 0xffff;
	CHECK_EQ(add(&w, 0, PCI_DT_DOMAIN_AUTO), PCI_ECAM_E_FN);
	CHECK_EQ(add(NULL, 0, PCI_DT_DOMAIN_AUTO), PCI_ECAM_E_WINDOW);
	CHECK(same_tree(blob, base_blob));
}

static void bad_arguments(void)
{
	struct pci_dt_params p = {.win = &sbsa_win, .domain = PCI_DT_DOMAIN_AUTO};
	static char junk[256] __attribute__((aligned(8)));

	CHECK_EQ(pci_dt_add_host_bridge(NULL, &p), PCI_DT_E_PARAM);
	CHECK_EQ(pci_dt_add_host_bridge(blob, NULL), PCI_DT_E_PARAM);
	memset(junk, 0, sizeof(junk));
	CHECK_EQ(pci_dt_add_host_bridge(junk, &p), -FDT_ERR_BADMAGIC);
}

/* Every size short of enough fails with NOSPACE and leaves the tree as it
 * was; the first that is enough works. */
static void nospace_leaves_tree_alone(void)
{
	struct virt_opts o = {.root_cells = 2};
	int total, extra, failures = 0;

	build_virt(&o);
	total = (int)fdt_totalsize(base_blob);
	for (extra = 0; extra < 2048; extra += 4) {
		int err;

		open_base(total + extra);
		err = add(&tricky_win, 0, PCI_DT_DOMAIN_AUTO);
		if (!err)
			break;
		failures++;
		CHECK_EQ(err, -FDT_ERR_NOSPACE);
		CHECK_EQ(fdt_check_full(blob, (size_t)(total + extra)), 0);
		CHECK_EQ(fdt_path_offset(blob, "/pcie@30000000"), -FDT_ERR_NOTFOUND);
		if (!same_tree(blob, base_blob)) {
			printf("  tree changed with %d bytes of room\n", extra);
			CHECK(0);
			break;
		}
	}
	CHECK(extra < 2048);
	/* Failures both before the node and inside it. */
	CHECK(failures > 20);
	CHECK(fdt_path_offset(blob, "/pcie@30000000") >= 0);
	CHECK_EQ(fdt_check_full(blob, (size_t)(total + extra)), 0);
}

/* The dtc check can fail: a PCI host bridge node under another name. */
/* ---- one pass over the tree -------------------------------------------------- */

struct noted {
	int n;
	char names[4][32];
	const struct pci_ecam_fn *fns[4];
};

static void note(void *ctx, const void *fdt, int node, const struct pci_ecam_fn *f)
{
	struct noted *d = ctx;

	if (d->n < 4) {
		snprintf(d->names[d->n], sizeof(d->names[0]), "%s",
			 fdt_get_name(fdt, node, NULL));
		d->fns[d->n] = f;
	}
	d->n++;
}

static void disable_shimmed(void)
{
	struct virt_opts o = {.root_cells = 2};
	struct pci_ecam_fn fns[3] = {sbsa_fns[0], sbsa_fns[1], sbsa_fns[1]};
	struct pci_ecam_window w = sbsa_win;
	struct noted d = {0};
	int total;

	/* fns[1] covers part of the PL061, fns[2] all of it and comes later:
	 * the node is disabled once, for fns[1]. fns[0] covers the ITS, a
	 * child of the GIC (not the root's), and no entry 0 of a root child. */
	fns[0].bar.base = 0x8080000;
	fns[0].bar.size = 0x1000;
	fns[1].bar.base = 0x9030800;
	fns[1].bar.size = 0x100;
	fns[1].dev = 3;
	fns[2].bar.base = 0x9030000;
	fns[2].bar.size = 0x1000;
	fns[2].dev = 4;
	w.fns = fns;
	w.nfns = 3;
	build_virt(&o);
	open_base(sizeof(blob));
	CHECK_EQ(pci_dt_disable_shimmed(blob, &w, note, &d), 0);
	CHECK_EQ(d.n, 1);
	CHECK_EQ(strcmp(d.names[0], "pl061@9030000"), 0);
	CHECK(d.fns[0] == &fns[1]);
	CHECK_EQ(str_is(blob, node_at(blob, "/pl061@9030000"), "status", "disabled"), 1);
	CHECK(!fdt_getprop(blob, node_at(blob, "/intc@8000000"), "status", NULL));
	CHECK(!fdt_getprop(blob, node_at(blob, "/intc@8000000/its@8080000"), "status",
			   NULL));
	/* Already disabled: nothing to do, nobody told. */
	d.n = 0;
	CHECK_EQ(pci_dt_disable_shimmed(blob, &w, note, &d), 0);
	CHECK_EQ(d.n, 0);
	/* Nothing else changed. */
	CHECK_EQ(fdt_delprop(blob, node_at(blob, "/pl061@9030000"), "status"), 0);
	CHECK(same_tree(blob, base_blob));

	/* A 32-bit root, and the memory node (entry 0) under a BAR; no note
	 * function is fine. */
	o = (struct virt_opts){.root_cells = 1};
	build_virt(&o);
	open_base(sizeof(blob));
	fns[0].bar.base = 0x4fff0000;
	fns[0].bar.size = 0x10000;
	w.nfns = 1;
	CHECK_EQ(pci_dt_disable_shimmed(blob, &w, NULL, NULL), 0);
	CHECK_EQ(str_is(blob, node_at(blob, "/memory@40000000"), "status", "disabled"),
		 1);
	CHECK(!fdt_getprop(blob, node_at(blob, "/pl061@9030000"), "status", NULL));

	/* No room for the property; no tree, no window. */
	build_virt(&o);
	total = (int)fdt_totalsize(base_blob);
	open_base(total);
	CHECK_EQ(pci_dt_disable_shimmed(blob, &w, NULL, NULL), -FDT_ERR_NOSPACE);
	CHECK(same_tree(blob, base_blob));
	CHECK_EQ(pci_dt_disable_shimmed(NULL, &w, NULL, NULL), PCI_DT_E_PARAM);
	CHECK_EQ(pci_dt_disable_shimmed(blob, NULL, NULL, NULL), PCI_DT_E_PARAM);
}

/* More nodes under the BARs than one pass takes: later passes take the
 * rest, and each is told of once, in tree order. */
struct order {
	int n;
	bool in_order;
	uint64_t last;
};

static void note_order(void *ctx, const void *fdt, int node, const struct pci_ecam_fn *f)
{
	struct order *o = ctx;
	const char *name = fdt_get_name(fdt, node, NULL);
	uint64_t at = strtoull(strchr(name, '@') + 1, NULL, 16);

	(void)f;
	if (o->n++ && at <= o->last)
		o->in_order = false;
	o->last = at;
}

static void disable_shimmed_many(void)
{
	struct pci_ecam_fn fn = sbsa_fns[0];
	struct pci_ecam_window w = {.base = 0x60120000, .fns = &fn, .nfns = 1};
	struct order o = {.in_order = true};
	void *fdt = base_blob;
	uint32_t reg[2] = {0, 0x1000};
	char name[32];
	int node, disabled = 0;

	fn.bar.base = 0x20000000;
	fn.bar.size = 0x100000;
	CHECK_EQ(fdt_create(fdt, sizeof(base_blob)), 0);
	CHECK_EQ(fdt_finish_reservemap(fdt), 0);
	CHECK_EQ(fdt_begin_node(fdt, ""), 0);
	CHECK_EQ(fdt_property_u32(fdt, "#address-cells", 1), 0);
	CHECK_EQ(fdt_property_u32(fdt, "#size-cells", 1), 0);
	for (unsigned i = 0; i < 30; i++) {
		snprintf(name, sizeof(name), "dev@%x", 0x20000000 + i * 0x1000);
		CHECK_EQ(fdt_begin_node(fdt, name), 0);
		if (i % 10 == 3)
			CHECK_EQ(fdt_property_string(fdt, "status", "disabled"), 0);
		reg[0] = 0x20000000 + i * 0x1000;
		sw_cells(fdt, "reg", reg, 2);
		if (i == 5) { /* below a root child: left alone */
			CHECK_EQ(fdt_begin_node(fdt, "sub@20005000"), 0);
			sw_cells(fdt, "reg", reg, 2);
			CHECK_EQ(fdt_end_node(fdt), 0);
		}
		CHECK_EQ(fdt_end_node(fdt), 0);
	}
	CHECK_EQ(fdt_end_node(fdt), 0);
	CHECK_EQ(fdt_finish(fdt), 0);
	open_base(sizeof(blob));
	CHECK_EQ(pci_dt_disable_shimmed(blob, &w, note_order, &o), 0);
	CHECK_EQ(o.n, 27);
	CHECK(o.in_order);
	fdt_for_each_subnode(node, blob, 0) {
		CHECK_EQ(str_is(blob, node, "status", "disabled"), 1);
		disabled++;
	}
	CHECK_EQ(disabled, 30);
	CHECK(!fdt_getprop(blob, node_at(blob, "/dev@20005000/sub@20005000"), "status",
			   NULL));
	CHECK_EQ(fdt_check_full(blob, sizeof(blob)), 0);
}

static char big_blob[65536] __attribute__((aligned(8)));

/* A root with a 3-cell GIC (phandle PH_GIC) and n device_type "pci" nodes,
 * node i with linux,pci-domain dom(i), in big_blob with room. */
/* A tree in big_blob under construction: its root opened, with 2-cell
 * addresses and sizes and the GIC as interrupt parent. */
static void begin_big_root(void *fdt)
{
	CHECK_EQ(fdt_create(fdt, sizeof(big_blob)), 0);
	CHECK_EQ(fdt_finish_reservemap(fdt), 0);
	CHECK_EQ(fdt_begin_node(fdt, ""), 0);
	CHECK_EQ(fdt_property_u32(fdt, "#address-cells", 2), 0);
	CHECK_EQ(fdt_property_u32(fdt, "#size-cells", 2), 0);
	CHECK_EQ(fdt_property_u32(fdt, "interrupt-parent", PH_GIC), 0);
}

static void build_many_pci(int n, uint32_t (*dom)(int))
{
	void *fdt = big_blob;
	char name[32];

	begin_big_root(fdt);
	CHECK_EQ(fdt_begin_node(fdt, "intc"), 0);
	CHECK_EQ(fdt_property(fdt, "interrupt-controller", NULL, 0), 0);
	CHECK_EQ(fdt_property_u32(fdt, "#interrupt-cells", 3), 0);
	CHECK_EQ(fdt_property_u32(fdt, "phandle", PH_GIC), 0);
	CHECK_EQ(fdt_end_node(fdt), 0);
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "pci%d", i);
		CHECK_EQ(fdt_begin_node(fdt, name), 0);
		CHECK_EQ(fdt_property_string(fdt, "device_type", "pci"), 0);
		CHECK_EQ(fdt_property_u32(fdt, "linux,pci-domain", dom(i)), 0);
		CHECK_EQ(fdt_end_node(fdt), 0);
	}
	CHECK_EQ(fdt_end_node(fdt), 0);
	CHECK_EQ(fdt_finish(fdt), 0);
	CHECK_EQ(fdt_open_into(fdt, fdt, sizeof(big_blob)), 0);
}

static uint32_t dom_i(int i)
{
	return (uint32_t)i;
}

static uint32_t dom_skip_256(int i)
{
	return (uint32_t)(i < 256 ? i : i + 1); /* 0..255, 257.. */
}

static uint32_t dom_high(int i)
{
	return 0x10000u + 300u - (uint32_t)i; /* as u16: 300 down to 1 */
}

static int many_domain(int want)
{
	struct pci_dt_params p = {.win = &sbsa_win, .domain = want};
	int node;

	if (pci_dt_add_host_bridge(big_blob, &p))
		return -1;
	node = fdt_path_offset(big_blob, "/pcie@60120000");
	return node < 0 ? -1 : (int)prop_u32(big_blob, node, "linux,pci-domain");
}

/* The lowest free domain past the numbers the pass records (256), found
 * by looking for each candidate in the tree. */
static void domain_past_the_record(void)
{
	build_many_pci(256, dom_i);
	CHECK_EQ(many_domain(PCI_DT_DOMAIN_AUTO), 256);
	build_many_pci(257, dom_i);
	CHECK_EQ(many_domain(PCI_DT_DOMAIN_AUTO), 257);
	build_many_pci(300, dom_skip_256);
	CHECK_EQ(many_domain(PCI_DT_DOMAIN_AUTO), 256);
	/* Values above 0xffff read as u16, low ones from the record. */
	build_many_pci(300, dom_high);
	CHECK_EQ(many_domain(PCI_DT_DOMAIN_AUTO), 0);
	build_many_pci(300, dom_high);
	CHECK_EQ(many_domain(1), -1);
	CHECK_EQ(many_domain(300), -1);
	CHECK_EQ(many_domain(301), 301);
}

/* Properties of the same name twice (only the first counts, as for
 * fdt_getprop()), phandles as fdt_get_phandle() reads them, and a
 * structure block that breaks off. */
static void pass_reads_as_libfdt(void)
{
	void *fdt = big_blob;
	struct pci_dt_params p = {.win = &sbsa_win, .domain = PCI_DT_DOMAIN_AUTO};
	const uint32_t two = cpu_to_fdt32(PH_GIC);
	const uint64_t eight = cpu_to_fdt64(PH_GIC);
	int node;

	begin_big_root(fdt);
	/* phandle of the wrong length: linux,phandle says PH_GIC, but it is
	 * no interrupt controller. */
	CHECK_EQ(fdt_begin_node(fdt, "decoy"), 0);
	CHECK_EQ(fdt_property(fdt, "phandle", &eight, 8), 0);
	CHECK_EQ(fdt_property(fdt, "linux,phandle", &two, 4), 0);
	CHECK_EQ(fdt_end_node(fdt), 0);
	CHECK_EQ(fdt_begin_node(fdt, "intc"), 0);
	CHECK_EQ(fdt_property(fdt, "interrupt-controller", NULL, 0), 0);
	CHECK_EQ(fdt_property_u32(fdt, "#interrupt-cells", 3), 0);
	CHECK_EQ(fdt_property_u32(fdt, "phandle", PH_GIC), 0);
	CHECK_EQ(fdt_end_node(fdt), 0);
	/* Domain 0 second: not taken. A first status that is not "okay". */
	CHECK_EQ(fdt_begin_node(fdt, "pci0"), 0);
	CHECK_EQ(fdt_property_string(fdt, "device_type", "pci"), 0);
	CHECK_EQ(fdt_property(fdt, "linux,pci-domain", &two, 2), 0);
	CHECK_EQ(fdt_property_u32(fdt, "linux,pci-domain", 0), 0);
	CHECK_EQ(fdt_end_node(fdt), 0);
	CHECK_EQ(fdt_begin_node(fdt, "dev@60120000"), 0);
	CHECK_EQ(fdt_property_string(fdt, "status", "disabled"), 0);
	CHECK_EQ(fdt_property_string(fdt, "status", "okay"), 0);
	SW_CELLS(fdt, "reg", 0, 0x60120000, 0, 0x1000);
	CHECK_EQ(fdt_end_node(fdt), 0);
	CHECK_EQ(fdt_end_node(fdt), 0);
	CHECK_EQ(fdt_finish(fdt), 0);
	CHECK_EQ(fdt_open_into(fdt, fdt, sizeof(big_blob)), 0);
	CHECK_EQ(fdt_node_offset_by_phandle(fdt, PH_GIC), fdt_path_offset(fdt, "/decoy"));
	CHECK_EQ(pci_dt_add_host_bridge(fdt, &p), PCI_DT_E_GIC); /* the decoy */
	CHECK_EQ(fdt_setprop_u32(fdt, fdt_path_offset(fdt, "/decoy"), "linux,phandle", 7),
		 0);
	CHECK_EQ(pci_dt_add_host_bridge(fdt, &p), 0);
	node = fdt_path_offset(fdt, "/pcie@60120000");
	CHECK_EQ(prop_u32(fdt, node, "linux,pci-domain"), 0);
	CHECK(fdt_getprop(fdt, node, "interrupt-map", NULL) != NULL);

	/* A structure block cut short: an error, and no node. */
	CHECK_EQ(fdt_del_node(fdt, node), 0);
	fdt_set_size_dt_struct(fdt, fdt_size_dt_struct(fdt) - 8);
	CHECK(pci_dt_add_host_bridge(fdt, &p) < 0);
	fdt_set_size_dt_struct(fdt, fdt_size_dt_struct(fdt) + 8);
	CHECK_EQ(fdt_path_offset(fdt, "/pcie@60120000"), -FDT_ERR_NOTFOUND);
	/* A bad tag in the middle. */
	node = fdt_path_offset(fdt, "/pci0");
	*(fdt32_t *)((char *)fdt + fdt_off_dt_struct(fdt) + node) = cpu_to_fdt32(0x77);
	CHECK(pci_dt_add_host_bridge(fdt, &p) < 0);
}

static void dtc_check_is_not_vacuous(void)
{
	struct virt_opts o = {.root_cells = 2};

	build_virt(&o);
	open_base(sizeof(blob));
	CHECK_EQ(add(&sbsa_win, 0, PCI_DT_DOMAIN_AUTO), 0);
	CHECK_EQ(fdt_set_name(blob, node_at(blob, "/pcie@60120000"), "bridge@60120000"),
		 0);
	if (dtc_verdict(base_blob, false) < 0)
		return;
	CHECK_EQ(dtc_verdict(blob, true), 0);
}

int main(void)
{
	RUN(virt_node_properties);
	RUN(guest_tree_gic_without_address_cells);
	RUN(intx_read_back);
	RUN(tricky_layout_lands_in_place);
	RUN(root_with_one_cell);
	RUN(no_pins_no_map);
	RUN(interrupt_parent_checks);
	RUN(domain_choice);
	RUN(overlapping_nodes);
	RUN(layout_refusals);
	RUN(bad_arguments);
	RUN(nospace_leaves_tree_alone);
	RUN(disable_shimmed);
	RUN(disable_shimmed_many);
	RUN(domain_past_the_record);
	RUN(pass_reads_as_libfdt);
	RUN(dtc_check_is_not_vacuous);
	UNIT_DONE();
}
