/*
 * The guest device tree (hyp/vdev/guest_dt.c): every case builds a tree and reads
 * it back with plain libfdt calls, so the checks do not share the builder's
 * view of what it wrote. One case also reads it with lib/dt/dt.c, which is how
 * the platform's own code would see it.
 */
#include <stdint.h>
#include <string.h>

#include <libfdt.h>

#include <lib/dt/dt.h>
#include <hyp/vdev/guest_dt.h>

#include "unit.h"

static char blob[8192] __attribute__((aligned(8)));

/* The QEMU-virt-like layout the hypervisor uses. */
static struct guest_dt_params defaults(unsigned cpus)
{
	struct guest_dt_params p = {
		.ram_base = 0x40000000,
		.ram_size = 256ull << 20,
		.cpus = cpus,
		.bootargs = "console=ttyAMA0 root=/dev/vda rw",
		.uart_base = 0x09000000,
		.uart_spi = 1,
		.gicd_base = 0x08000000,
		.gicd_size = 0x10000,
		.gicr_base = 0x080a0000,
		.gicr_size = 0x20000,
	};
	return p;
}

/* Builds into blob; the case fails unless the tree is whole and valid. */
static const void *build(const struct guest_dt_params *p)
{
	int err;

	memset(blob, 0xa5, sizeof(blob));
	err = guest_dt_build(blob, sizeof(blob), p);
	if (err)
		printf("  guest_dt_build: %d (%s)\n", err, fdt_strerror(err));
	CHECK_EQ(err, 0);
	CHECK_EQ(fdt_check_full(blob, sizeof(blob)), 0);
	return blob;
}

static int node_at(const void *fdt, const char *path)
{
	int n = fdt_path_offset(fdt, path);

	if (n < 0)
		printf("  no node %s: %s\n", path, fdt_strerror(n));
	CHECK(n >= 0);
	return n;
}

/* Property value, with its length required to be exactly len. */
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

static uint64_t cell64(const void *v, int i)
{
	fdt64_t c;

	memcpy(&c, (const char *)v + 8 * i, 8);
	return fdt64_to_cpu(c);
}

static uint32_t prop_u32(const void *fdt, int node, const char *name)
{
	const void *v = prop_len(fdt, node, name, 4);

	return v ? cell(v, 0) : 0xdeadbeef;
}

static int str_is(const void *fdt, int node, const char *name, const char *want)
{
	int len = 0;
	const char *v = node >= 0 ? fdt_getprop(fdt, node, name, &len) : NULL;

	return v && len == (int)strlen(want) + 1 && memcmp(v, want, (size_t)len) == 0;
}

/* A string list compared as raw bytes, so order and count both matter. */
#define LIST_IS(fdt, node, name, lit)                                     \
	do {                                                              \
		int l_len_ = 0;                                           \
		const void *l_v_ = fdt_getprop(fdt, node, name, &l_len_); \
		CHECK(l_v_ != NULL);                                      \
		CHECK_EQ(l_len_, sizeof(lit));                            \
		CHECK(l_v_ &&l_len_ == (int)sizeof(lit) &&                \
		      memcmp(l_v_, lit, sizeof(lit)) == 0);               \
	} while (0)

static int present(const void *fdt, int node, const char *name)
{
	return fdt_getprop(fdt, node, name, NULL) != NULL;
}

/* --- the whole tree ---------------------------------------------------------- */

static void tree_valid_and_packed(void)
{
	struct guest_dt_params p = defaults(4);
	const void *fdt;
	uint32_t total;

	p.initrd_start = 0x48000000;
	p.initrd_end = 0x48400000;
	p.rng_seed = 0x0123456789abcdefull;
	fdt = build(&p);
	CHECK_EQ(fdt_magic(fdt), FDT_MAGIC);
	total = fdt_totalsize(fdt);
	CHECK(total <= sizeof(blob));
	/* Packed: nothing for fdt_pack to reclaim. */
	CHECK_EQ(fdt_pack(blob), 0);
	CHECK_EQ(fdt_totalsize(blob), total);
	CHECK_EQ(fdt_num_mem_rsv(fdt), 0);
	CHECK_EQ(fdt_boot_cpuid_phys(fdt), 0);
}

static void root_properties(void)
{
	struct guest_dt_params p = defaults(1);
	const void *fdt = build(&p);

	CHECK(str_is(fdt, 0, "compatible", "linux,dummy-virt"));
	CHECK(present(fdt, 0, "model"));
	CHECK_EQ(prop_u32(fdt, 0, "#address-cells"), 2);
	CHECK_EQ(prop_u32(fdt, 0, "#size-cells"), 2);
}

/* The tree does not depend on the buffer it was built in. */
static void independent_of_buffer(void)
{
	static char large[65536] __attribute__((aligned(8)));
	struct guest_dt_params p = defaults(8);
	uint32_t total;

	build(&p);
	total = fdt_totalsize(blob);
	CHECK_EQ(guest_dt_build(large, sizeof(large), &p), 0);
	CHECK_EQ(fdt_totalsize(large), total);
	CHECK_EQ(memcmp(large, blob, total), 0);
}

/* --- memory, cpus, psci ------------------------------------------------------ */

static void memory_reg(void)
{
	struct guest_dt_params p = defaults(1);
	const void *fdt, *reg;
	int mem;

	p.ram_base = 0x80000000;
	p.ram_size = 1ull << 30;
	fdt = build(&p);
	mem = node_at(fdt, "/memory@80000000");
	CHECK(str_is(fdt, mem, "device_type", "memory"));
	reg = prop_len(fdt, mem, "reg", 16);
	if (reg) {
		CHECK_EQ(cell64(reg, 0), 0x80000000);
		CHECK_EQ(cell64(reg, 1), 1ull << 30);
	}
	/* Exactly one memory node. */
	CHECK_EQ(fdt_path_offset(fdt, "/memory@40000000"), -FDT_ERR_NOTFOUND);
}

/* The cpu nodes of a tree built for n cpus: names, reg, properties. */
static void check_cpus(unsigned n)
{
	struct guest_dt_params p = defaults(n);
	const void *fdt = build(&p);
	int cpus = node_at(fdt, "/cpus"), node;
	unsigned count = 0;

	CHECK_EQ(prop_u32(fdt, cpus, "#address-cells"), 1);
	CHECK_EQ(prop_u32(fdt, cpus, "#size-cells"), 0);
	fdt_for_each_subnode(node, fdt, cpus) {
		char want[16];

		snprintf(want, sizeof(want), "cpu@%x", count);
		CHECK(strcmp(fdt_get_name(fdt, node, NULL), want) == 0);
		CHECK(str_is(fdt, node, "device_type", "cpu"));
		CHECK(str_is(fdt, node, "compatible", "arm,armv8"));
		CHECK(str_is(fdt, node, "enable-method", "psci"));
		CHECK_EQ(prop_u32(fdt, node, "reg"), count);
		count++;
	}
	CHECK_EQ(count, n);
}

static void cpus_one(void)
{
	check_cpus(1);
}

static void cpus_four(void)
{
	check_cpus(4);
}

static void cpus_eight(void)
{
	check_cpus(8);
}

/* The most a VM may have (VMCONFIG_MAX_CPUS): cpu@0 to cpu@f. */
static void cpus_sixteen(void)
{
	check_cpus(16);
	CHECK_EQ(GUEST_DT_MAX_CPUS, 16);
}

static void psci_hvc(void)
{
	struct guest_dt_params p = defaults(2);
	const void *fdt = build(&p);
	int psci = node_at(fdt, "/psci");

	LIST_IS(fdt, psci, "compatible", "arm,psci-1.0\0arm,psci-0.2");
	CHECK(str_is(fdt, psci, "method", "hvc"));
}

/* --- chosen ------------------------------------------------------------------ */

/* stdout-path must lead to the PL011 at uart_base, wired to uart_spi. */
static void check_stdout(const struct guest_dt_params *p)
{
	const void *fdt = build(p);
	int chosen = node_at(fdt, "/chosen"), uart, len = 0;
	const char *path = fdt_getprop(fdt, chosen, "stdout-path", &len);
	const void *reg, *irq;

	CHECK(path != NULL);
	if (!path)
		return;
	CHECK(len > 1 && path[len - 1] == '\0');
	uart = node_at(fdt, path);
	if (uart < 0)
		return;
	CHECK_EQ(fdt_node_check_compatible(fdt, uart, "arm,pl011"), 0);
	LIST_IS(fdt, uart, "compatible", "arm,pl011\0arm,primecell");
	reg = prop_len(fdt, uart, "reg", 16);
	if (reg) {
		CHECK_EQ(cell64(reg, 0), p->uart_base);
		CHECK_EQ(cell64(reg, 1), 0x1000);
	}
	irq = prop_len(fdt, uart, "interrupts", 12);
	if (irq) {
		CHECK_EQ(cell(irq, 0), 0); /* GIC_SPI */
		CHECK_EQ(cell(irq, 1), p->uart_spi);
		CHECK_EQ(cell(irq, 2), 4); /* IRQ_TYPE_LEVEL_HIGH */
	}
}

static void chosen_stdout_pl011(void)
{
	struct guest_dt_params p = defaults(1);

	check_stdout(&p);
	/* Not hard-wired: another base and SPI come out as given. */
	p.uart_base = 0x1c090000;
	p.uart_spi = 37;
	check_stdout(&p);
}

static void chosen_bootargs(void)
{
	struct guest_dt_params p = defaults(1);
	const void *fdt = build(&p);
	int chosen = node_at(fdt, "/chosen");

	CHECK(str_is(fdt, chosen, "bootargs", "console=ttyAMA0 root=/dev/vda rw"));

	p.bootargs = "";
	fdt = build(&p);
	CHECK(str_is(fdt, node_at(fdt, "/chosen"), "bootargs", ""));

	p.bootargs = NULL;
	fdt = build(&p);
	CHECK(!present(fdt, node_at(fdt, "/chosen"), "bootargs"));
}

static void initrd_present(void)
{
	struct guest_dt_params p = defaults(1);
	const void *fdt, *v;
	int chosen;

	/* Values chosen so a 32-bit encoding would lose bits. */
	p.ram_base = 0x100000000ull;
	p.initrd_start = 0x104000000ull;
	p.initrd_end = 0x104123456ull;
	fdt = build(&p);
	chosen = node_at(fdt, "/chosen");
	v = prop_len(fdt, chosen, "linux,initrd-start", 8);
	if (v)
		CHECK_EQ(cell64(v, 0), 0x104000000ull);
	v = prop_len(fdt, chosen, "linux,initrd-end", 8);
	if (v)
		CHECK_EQ(cell64(v, 0), 0x104123456ull);
}

static void initrd_absent(void)
{
	struct guest_dt_params p = defaults(1);
	const void *fdt = build(&p);
	int chosen = node_at(fdt, "/chosen");

	CHECK(!present(fdt, chosen, "linux,initrd-start"));
	CHECK(!present(fdt, chosen, "linux,initrd-end"));
}

static void seeds(void)
{
	struct guest_dt_params p = defaults(1);
	const void *fdt = build(&p), *v;
	int chosen = node_at(fdt, "/chosen");

	CHECK(!present(fdt, chosen, "rng-seed"));
	CHECK(!present(fdt, chosen, "kaslr-seed"));

	p.rng_seed = 0xfeedbeefc0def00dull;
	fdt = build(&p);
	chosen = node_at(fdt, "/chosen");
	/* Linux takes kaslr-seed only when it is exactly one u64. */
	v = prop_len(fdt, chosen, "kaslr-seed", 8);
	if (v)
		CHECK_EQ(cell64(v, 0), 0xfeedbeefc0def00dull);
	v = prop_len(fdt, chosen, "rng-seed", 8);
	if (v)
		CHECK_EQ(cell64(v, 0), 0xfeedbeefc0def00dull);
}

/* --- interrupts -------------------------------------------------------------- */

static void check_gic(unsigned cpus)
{
	struct guest_dt_params p = defaults(cpus);
	const void *fdt = build(&p), *reg;
	int gic = node_at(fdt, "/intc@8000000");

	CHECK_EQ(fdt_node_check_compatible(fdt, gic, "arm,gic-v3"), 0);
	CHECK_EQ(prop_u32(fdt, gic, "#interrupt-cells"), 3);
	CHECK(prop_len(fdt, gic, "interrupt-controller", 0) != NULL);
	CHECK_EQ(prop_u32(fdt, gic, "#redistributor-regions"), 1);
	reg = prop_len(fdt, gic, "reg", 32);
	if (reg) {
		CHECK_EQ(cell64(reg, 0), 0x08000000);
		CHECK_EQ(cell64(reg, 1), 0x10000);
		CHECK_EQ(cell64(reg, 2), 0x080a0000);
		CHECK_EQ(cell64(reg, 3), cpus * 0x20000ull);
	}
}

static void gic_reg(void)
{
	check_gic(1);
	check_gic(4);
	check_gic(8);
	check_gic(16); /* up to 0x082a0000, below the UART at 0x09000000 */
}

static void timer_interrupts(void)
{
	/* <type number flags>: PPI, and level-low with no GICv2 CPU mask. */
	static const uint32_t want[12] = {1, 13, 8, 1, 14, 8, 1, 11, 8, 1, 10, 8};
	struct guest_dt_params p = defaults(4);
	const void *fdt = build(&p), *irq;
	int timer = node_at(fdt, "/timer");

	CHECK(str_is(fdt, timer, "compatible", "arm,armv8-timer"));
	CHECK(present(fdt, timer, "always-on"));
	irq = prop_len(fdt, timer, "interrupts", sizeof(want));
	for (int i = 0; irq && i < 12; i++)
		CHECK_EQ(cell(irq, i), want[i]);
	/* It relies on the root's interrupt-parent. */
	CHECK(!present(fdt, timer, "interrupt-parent"));
}

static void interrupt_parent_is_gic(void)
{
	struct guest_dt_params p = defaults(2);
	const void *fdt = build(&p);
	uint32_t ph = prop_u32(fdt, 0, "interrupt-parent");
	int gic = fdt_node_offset_by_phandle(fdt, ph);

	CHECK(ph != 0 && ph != 0xffffffffu);
	CHECK(gic >= 0);
	CHECK_EQ(fdt_node_check_compatible(fdt, gic, "arm,gic-v3"), 0);
	CHECK(present(fdt, gic, "interrupt-controller"));
	CHECK_EQ(gic, node_at(fdt, "/intc@8000000"));
}

/* --- clocks ------------------------------------------------------------------ */

static void pl011_clocks(void)
{
	struct guest_dt_params p = defaults(1);
	const void *fdt = build(&p), *clk;
	int uart = node_at(fdt, "/pl011@9000000");

	clk = prop_len(fdt, uart, "clocks", 8);
	LIST_IS(fdt, uart, "clock-names", "uartclk\0apb_pclk");
	for (int i = 0; clk && i < 2; i++) {
		int c = fdt_node_offset_by_phandle(fdt, cell(clk, i));

		CHECK(c >= 0);
		CHECK_EQ(fdt_node_check_compatible(fdt, c, "fixed-clock"), 0);
		CHECK_EQ(prop_u32(fdt, c, "#clock-cells"), 0);
		CHECK_EQ(prop_u32(fdt, c, "clock-frequency"), 24000000);
		CHECK_EQ(c, node_at(fdt, "/apb-pclk"));
	}
	/* The clock and the GIC must not share a phandle. */
	CHECK(prop_u32(fdt, node_at(fdt, "/apb-pclk"), "phandle") !=
	      prop_u32(fdt, 0, "interrupt-parent"));
}

/* --- virtio-mmio transports ------------------------------------------------- */

static void virtio_nodes(void)
{
	struct guest_dt_params p = defaults(2);
	const void *fdt;
	int first = -1, second = -1, n;

	/* None by default. */
	fdt = build(&p);
	CHECK(fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio") < 0);

	p.virtio_count = 2;
	p.virtio_base = 0x0a000000;
	p.virtio_spi = 16;
	fdt = build(&p);
	first = node_at(fdt, "/virtio_mmio@a000000");
	second = node_at(fdt, "/virtio_mmio@a000200");
	for (int i = 0, node = first; i < 2; i++, node = second) {
		const void *reg = prop_len(fdt, node, "reg", 16);
		const void *irq = prop_len(fdt, node, "interrupts", 12);

		CHECK_EQ(fdt_node_check_compatible(fdt, node, "virtio,mmio"), 0);
		if (reg) {
			CHECK_EQ(cell(reg, 1), 0x0a000000 + 0x200 * i);
			CHECK_EQ(cell(reg, 3), 0x200);
		}
		if (irq) {
			CHECK_EQ(cell(irq, 0), 0);	/* SPI */
			CHECK_EQ(cell(irq, 1), 16 + i); /* INTID 48 + i */
			CHECK_EQ(cell(irq, 2), 4);	/* level, high */
		}
		CHECK(fdt_getprop(fdt, node, "dma-coherent", NULL) != NULL);
	}
	/* The first transport comes first in the tree: Linux's vda. */
	n = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio");
	CHECK_EQ(n, first);
	CHECK_EQ(fdt_node_offset_by_compatible(fdt, n, "virtio,mmio"), second);

	p.virtio_count = 32;
	build(&p);
}

/* Slots named in virtio_slots, beside the first virtio_count: a VM with
 * one disk and its console at slot 4 has transports 0 and 4, in that
 * order, and nothing for slots 1 to 3. */
static void virtio_slots(void)
{
	static char rej[4096] __attribute__((aligned(8)));
	struct guest_dt_params p = defaults(2);
	const void *fdt;
	int disk, cons;

	p.virtio_count = 1;
	p.virtio_slots = 1u << 4;
	p.virtio_base = 0x0a000000;
	p.virtio_spi = 16;
	fdt = build(&p);
	disk = node_at(fdt, "/virtio_mmio@a000000");
	cons = node_at(fdt, "/virtio_mmio@a000800");
	for (unsigned i = 1; i < 4; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/virtio_mmio@a000%x00", 2 * i);
		CHECK(fdt_path_offset(fdt, path) < 0);
	}
	if (cons >= 0) {
		const void *irq = prop_len(fdt, cons, "interrupts", 12);

		if (irq)
			CHECK_EQ(cell(irq, 1), 20);
	}
	CHECK_EQ(fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"), disk);
	CHECK_EQ(fdt_node_offset_by_compatible(fdt, disk, "virtio,mmio"), cons);
	CHECK(fdt_node_offset_by_compatible(fdt, cons, "virtio,mmio") < 0);

	/* The console alone, no disks. */
	p.virtio_count = 0;
	fdt = build(&p);
	CHECK(fdt_path_offset(fdt, "/virtio_mmio@a000000") < 0);
	CHECK(fdt_path_offset(fdt, "/virtio_mmio@a000800") >= 0);

	/* A slot counts in the range checks as the count does: slot 31's
	 * SPI must exist, its frame must not wrap. */
	p.virtio_slots = 1u << 31;
	p.virtio_spi = 988 - 31; /* SPI 988 is INTID 1020: beyond */
	CHECK_EQ(guest_dt_build(rej, sizeof(rej), &p), GUEST_DT_E_PARAM);
	p.virtio_spi = 987 - 31;
	build(&p);
	p.virtio_base = 0xffffffffffffc000ull;
	CHECK_EQ(guest_dt_build(rej, sizeof(rej), &p), GUEST_DT_E_PARAM);
	p.virtio_slots = 0;
	build(&p); /* no transport: the base is not used */
}

/* --- the platform's own DT reader agrees ------------------------------------- */

static void dt_queries_agree(void)
{
	struct guest_dt_params p = defaults(4);
	const void *fdt = build(&p);
	uint64_t base = 0, mpidr = 0;

	CHECK_EQ(dt_stdout_pl011(fdt, &base), 0);
	CHECK_EQ(base, 0x09000000);
	CHECK_EQ(dt_cpu_count(fdt), 4);
	CHECK_EQ(dt_cpu_mpidr(fdt, 3, &mpidr), 0);
	CHECK_EQ(mpidr, 3);
}

/* --- failures ---------------------------------------------------------------- */

/* Every buffer too short for the tree fails cleanly, and the build needs
 * little beyond the tree's own size. Each buffer is its own heap block of
 * exactly that size, so ASan reports any write past it. */
static void too_small(void)
{
	struct guest_dt_params p = defaults(16);
	uint32_t total, n;

	p.initrd_start = 0x48000000;
	p.initrd_end = 0x48400000;
	p.rng_seed = 1;
	build(&p);
	total = fdt_totalsize(blob);
	for (n = 0; n < total + 64; n++) {
		char *b = malloc(n ? n : 1);
		int err;

		CHECK(b != NULL);
		if (!b)
			return;
		err = guest_dt_build(b, n, &p);
		if (err == 0) {
			CHECK_EQ(fdt_check_full(b, n), 0);
			CHECK_EQ(memcmp(b, blob, total), 0);
			free(b);
			break;
		}
		if (err != -FDT_ERR_NOSPACE) {
			printf("  size %u: %d\n", n, err);
			CHECK_EQ(err, -FDT_ERR_NOSPACE);
		}
		/* What is left is no tree anyone could mistake for one. */
		if (n >= sizeof(struct fdt_header))
			CHECK(fdt_check_header(b) != 0);
		free(b);
	}
	CHECK(n >= total);
	/* The sequential-write header gap is the only overhead. */
	CHECK(n <= total + 8);
}

/* A rejected parameter set leaves the buffer as it was. */
static void rejected(const struct guest_dt_params *p, int line)
{
	static char buf[4096] __attribute__((aligned(8)));
	int err;

	memset(buf, 0x5a, sizeof(buf));
	err = guest_dt_build(buf, sizeof(buf), p);
	if (err != GUEST_DT_E_PARAM)
		printf("  case at line %d: %d\n", line, err);
	CHECK_EQ(err, GUEST_DT_E_PARAM);
	for (size_t i = 0; i < sizeof(buf); i++) {
		if (buf[i] != 0x5a) {
			printf("  case at line %d wrote the buffer\n", line);
			CHECK(0);
			break;
		}
	}
}

/* One field changed from the accepted baseline, which has no initrd so
 * each case fails for its own reason only. */
#define REJECT(field, value)                             \
	do {                                             \
		struct guest_dt_params q_ = defaults(2); \
		q_.field = value;                        \
		rejected(&q_, __LINE__);                 \
	} while (0)

#define REJECT_VIRTIO(count, base, spi)                  \
	do {                                             \
		struct guest_dt_params q_ = defaults(2); \
		q_.virtio_count = count;                 \
		q_.virtio_base = base;                   \
		q_.virtio_spi = spi;                     \
		rejected(&q_, __LINE__);                 \
	} while (0)

#define REJECT_INITRD(start, end)                        \
	do {                                             \
		struct guest_dt_params q_ = defaults(2); \
		q_.initrd_start = start;                 \
		q_.initrd_end = end;                     \
		rejected(&q_, __LINE__);                 \
	} while (0)

static void bad_params(void)
{
	struct guest_dt_params p = defaults(2);

	build(&p); /* the baseline is accepted */

	REJECT(cpus, 0);
	REJECT(cpus, 17);
	REJECT(ram_size, 0);
	REJECT(ram_base, 0x40100000);		   /* 1 MiB aligned */
	REJECT(ram_size, (256ull << 20) + 0x1000); /* not 2 MiB */
	REJECT(ram_base, 0xfffffffff0000000ull);   /* base + size wraps */
	REJECT(uart_spi, 988);			   /* beyond INTID 1019 */
	REJECT(gicd_size, 0);
	REJECT(gicr_size, 0);
	REJECT(gicr_size, 0x8000000000000000ull); /* x cpus wraps */
	REJECT_VIRTIO(33, 0x0a000000, 16);
	REJECT_VIRTIO(2, 0x0a000000, 987);	     /* the second past INTID 1019 */
	REJECT_VIRTIO(2, 0xfffffffffffffe00ull, 16); /* wraps */
	REJECT_INITRD(0x3ff00000, 0x40100000);	     /* starts below RAM */
	REJECT_INITRD(0x4ff00000, 0x50000001);	     /* ends past RAM */
	REJECT_INITRD(0x48000000, 0x48000000);	     /* empty */
	REJECT_INITRD(0x48000000, 0x47000000);	     /* reversed */
	REJECT_INITRD(0x48000000, 0);		     /* only a start */
	REJECT_INITRD(0, 0x48000000);		     /* only an end */

	/* The initrd may fill RAM exactly. */
	p.initrd_start = 0x40000000;
	p.initrd_end = 0x50000000;
	build(&p);

	CHECK_EQ(guest_dt_build(blob, sizeof(blob), NULL), GUEST_DT_E_PARAM);
	CHECK_EQ(guest_dt_build(NULL, sizeof(blob), &p), GUEST_DT_E_PARAM);
	/* Linux and libfdt both want the tree 8-byte aligned. */
	CHECK_EQ(guest_dt_build(blob + 4, sizeof(blob) - 4, &p), -FDT_ERR_ALIGNMENT);
}

int main(void)
{
	RUN(tree_valid_and_packed);
	RUN(root_properties);
	RUN(independent_of_buffer);
	RUN(memory_reg);
	RUN(cpus_one);
	RUN(cpus_four);
	RUN(cpus_eight);
	RUN(cpus_sixteen);
	RUN(psci_hvc);
	RUN(chosen_stdout_pl011);
	RUN(chosen_bootargs);
	RUN(initrd_present);
	RUN(initrd_absent);
	RUN(seeds);
	RUN(gic_reg);
	RUN(timer_interrupts);
	RUN(interrupt_parent_is_gic);
	RUN(pl011_clocks);
	RUN(virtio_nodes);
	RUN(virtio_slots);
	RUN(dt_queries_agree);
	RUN(too_small);
	RUN(bad_params);
	UNIT_DONE();
}
