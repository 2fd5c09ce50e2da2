/*
 * The OS's device tree from a machine's minimal one (monitor/platform/sbsa-ref/os_dt.c).
 * The machine trees here are shaped like QEMU sbsa-ref's (no compatible on the GIC or the
 * CPUs, the ITS's reg in the root's cells under a GIC node that states none, a
 * non-standard topology node); the results are read back with plain libfdt and with
 * lib/dt/dt.c, as the monitor, the bootloader and the hypervisor read them.
 */
#include <stdint.h>
#include <string.h>

#include <libfdt.h>

#include <lib/dt/dt.h>
#include <lib/mm/memmap.h>
#include <monitor/platform/sbsa-ref/os_dt.h>

#include "unit.h"

static char machine[4096] __attribute__((aligned(8)));
static char blob[16384] __attribute__((aligned(8)));

struct shape {
	unsigned cpus;
	uint64_t mpidr_step_cluster; /* CPUs per cluster; 0: all in Aff0 */
	int memory;		     /* 0: no memory node */
	int gic_regs;		     /* reg entries of /intc */
	int its;
	int numa;
	int rsv;
	int cpu_without_reg;
};

static struct shape qemu_like(unsigned cpus)
{
	struct shape s = {.cpus = cpus, .memory = 1, .gic_regs = 2, .its = 1};
	return s;
}

static void u64_pair(void *fdt, const char *name, const uint64_t *v, int n)
{
	fdt64_t c[4];

	for (int i = 0; i < n; i++)
		c[i] = cpu_to_fdt64(v[i]);
	CHECK_EQ(fdt_property(fdt, name, c, n * 8), 0);
}

static uint64_t mpidr_of(const struct shape *s, unsigned i)
{
	if (!s->mpidr_step_cluster)
		return i;
	return (i / s->mpidr_step_cluster) << 8 | (i % s->mpidr_step_cluster);
}

static const void *make_machine(const struct shape *s)
{
	void *f = machine;

	CHECK_EQ(fdt_create(f, sizeof(machine)), 0);
	if (s->rsv)
		CHECK_EQ(fdt_add_reservemap_entry(f, 0x10000100000ull, 0x1000), 0);
	CHECK_EQ(fdt_finish_reservemap(f), 0);
	CHECK_EQ(fdt_begin_node(f, ""), 0);
	CHECK_EQ(fdt_property_u32(f, "machine-version-minor", 4), 0);
	CHECK_EQ(fdt_property_u32(f, "machine-version-major", 0), 0);
	CHECK_EQ(fdt_property_u32(f, "#size-cells", 2), 0);
	CHECK_EQ(fdt_property_u32(f, "#address-cells", 2), 0);
	CHECK_EQ(fdt_property_string(f, "compatible", "linux,sbsa-ref"), 0);
	CHECK_EQ(fdt_begin_node(f, "chosen"), 0);
	CHECK_EQ(fdt_end_node(f), 0);
	if (s->memory) {
		const uint64_t reg[4] = {0x10000000000ull, 1ull << 30, 0x10080000000ull,
					 1ull << 30};

		CHECK_EQ(fdt_begin_node(f, "memory@10000000000"), 0);
		u64_pair(f, "reg", reg, s->memory > 1 ? 4 : 2);
		CHECK_EQ(fdt_property_string(f, "device_type", "memory"), 0);
		if (s->numa)
			CHECK_EQ(fdt_property_u32(f, "numa-node-id", 0), 0);
		CHECK_EQ(fdt_end_node(f), 0);
	}
	CHECK_EQ(fdt_begin_node(f, "intc"), 0);
	{
		const uint64_t reg[4] = {0x40060000, 0x10000, 0x40080000, 0x4000000};

		u64_pair(f, "reg", reg, 2 * s->gic_regs);
	}
	if (s->its) {
		const uint64_t reg[2] = {0x44081000, 0x20000};

		CHECK_EQ(fdt_begin_node(f, "its"), 0);
		u64_pair(f, "reg", reg, 2);
		CHECK_EQ(fdt_end_node(f), 0);
	}
	CHECK_EQ(fdt_end_node(f), 0);
	CHECK_EQ(fdt_begin_node(f, "cpus"), 0);
	CHECK_EQ(fdt_property_u32(f, "#size-cells", 0), 0);
	CHECK_EQ(fdt_property_u32(f, "#address-cells", 2), 0);
	CHECK_EQ(fdt_begin_node(f, "topology"), 0);
	CHECK_EQ(fdt_property_u32(f, "cores", s->cpus), 0);
	CHECK_EQ(fdt_end_node(f), 0);
	for (unsigned i = 0; i < s->cpus; i++) {
		char name[32];

		snprintf(name, sizeof(name), "cpu@%u", i);
		CHECK_EQ(fdt_begin_node(f, name), 0);
		if (!(s->cpu_without_reg && i == 0))
			CHECK_EQ(fdt_property_u64(f, "reg", mpidr_of(s, i)), 0);
		if (s->numa)
			CHECK_EQ(fdt_property_u32(f, "numa-node-id", i % 2), 0);
		CHECK_EQ(fdt_end_node(f), 0);
	}
	CHECK_EQ(fdt_end_node(f), 0);
	CHECK_EQ(fdt_end_node(f), 0);
	CHECK_EQ(fdt_finish(f), 0);
	return f;
}

static struct os_dt_params params(void)
{
	struct os_dt_params p = {
		.model = "QEMU sbsa-ref",
		.uart_base = 0x60000000,
		.uart_size = 0x1000,
		.uart_spi = 1,
		.uart_clk_hz = 24000000,
		.gic_maint_ppi = 9,
		.timer_ppi = {13, 14, 11, 10},
		.secure_mem_base = 0x20000000,
		.secure_mem_size = 0x20000000,
	};
	return p;
}

static const void *build_from(const struct shape *s, const struct os_dt_params *p)
{
	int err;

	memset(blob, 0xa5, sizeof(blob));
	err = os_dt_build(blob, sizeof(blob), make_machine(s), p);
	if (err)
		printf("  os_dt_build: %d (%s)\n", err, os_dt_strerror(err));
	CHECK_EQ(err, 0);
	CHECK_EQ(fdt_check_full(blob, sizeof(blob)), 0);
	return blob;
}

static const void *build(unsigned cpus)
{
	struct shape s = qemu_like(cpus);
	struct os_dt_params p = params();

	return build_from(&s, &p);
}

static int node_at(const void *fdt, const char *path)
{
	int n = fdt_path_offset(fdt, path);

	if (n < 0)
		printf("  no node %s: %s\n", path, fdt_strerror(n));
	CHECK(n >= 0);
	return n;
}

static int prop_is_str(const void *fdt, int node, const char *name, const char *want)
{
	int len;
	const char *v = fdt_getprop(fdt, node, name, &len);

	return v && len == (int)strlen(want) + 1 && !memcmp(v, want, (size_t)len);
}

static uint32_t cell(const void *fdt, int node, const char *name, int i)
{
	int len;
	const fdt32_t *v = fdt_getprop(fdt, node, name, &len);

	if (!v || len < (i + 1) * 4)
		return 0xdeadbeef;
	return fdt32_to_cpu(v[i]);
}

static void tree_valid_and_packed(void)
{
	const void *fdt = build(2);
	size_t used = fdt_totalsize(fdt);

	CHECK(used < sizeof(blob));
	CHECK_EQ(fdt_pack(blob), 0);
	CHECK_EQ(fdt_totalsize(blob), used);
}

static void root_properties(void)
{
	const void *fdt = build(2);

	CHECK(prop_is_str(fdt, 0, "compatible", "linux,sbsa-ref"));
	CHECK(prop_is_str(fdt, 0, "model", "QEMU sbsa-ref"));
	CHECK_EQ(cell(fdt, 0, "machine-version-minor", 0), 4);
	CHECK_EQ(cell(fdt, 0, "machine-version-major", 0), 0);
	CHECK_EQ(cell(fdt, 0, "#address-cells", 0), 2);
	CHECK_EQ(cell(fdt, 0, "#size-cells", 0), 2);
	/* Everything's interrupts go to the GIC. */
	CHECK_EQ(fdt_node_offset_by_phandle(fdt, cell(fdt, 0, "interrupt-parent", 0)),
		 fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3"));
}

/* The machine's memory is the OS's; the secure RAM is described but not
 * usable, which is what dt_add_memory (monitor, bootloader) sees. */
static void memory(void)
{
	const void *fdt = build(2);
	struct memmap m;
	int node;

	memmap_init(&m);
	CHECK_EQ(dt_add_memory(fdt, &m), 1);
	CHECK_EQ(m.count, 1);
	CHECK_EQ(m.r[0].base, 0x10000000000ull);
	CHECK_EQ(m.r[0].size, 1ull << 30);
	node = node_at(fdt, "/memory@20000000");
	CHECK(prop_is_str(fdt, node, "device_type", "memory"));
	CHECK(prop_is_str(fdt, node, "status", "disabled"));
	CHECK(prop_is_str(fdt, node, "secure-status", "okay"));
	CHECK(!dt_node_enabled(fdt, node));
}

static void memory_two_ranges_and_numa(void)
{
	struct shape s = qemu_like(2);
	struct os_dt_params p = params();
	const void *fdt;
	struct memmap m;
	int node;

	s.memory = 2;
	s.numa = 1;
	fdt = build_from(&s, &p);
	memmap_init(&m);
	CHECK_EQ(dt_add_memory(fdt, &m), 2);
	CHECK_EQ(m.r[1].base, 0x10080000000ull);
	node = node_at(fdt, "/memory@10000000000");
	CHECK_EQ(cell(fdt, node, "numa-node-id", 0), 0);
	node = node_at(fdt, "/cpus/cpu@1");
	CHECK_EQ(cell(fdt, node, "numa-node-id", 0), 1);
}

static void no_secure_memory(void)
{
	struct shape s = qemu_like(1);
	struct os_dt_params p = params();
	const void *fdt;

	p.secure_mem_size = 0;
	fdt = build_from(&s, &p);
	CHECK(fdt_path_offset(fdt, "/memory@20000000") < 0);
}

static void cpus(void)
{
	const void *fdt = build(4);
	uint64_t mpidr;
	int node;

	CHECK_EQ(dt_cpu_count(fdt), 4);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(dt_cpu_mpidr(fdt, i, &mpidr), 0);
		CHECK_EQ(mpidr, (uint64_t)i);
	}
	node = node_at(fdt, "/cpus/cpu@3");
	CHECK(prop_is_str(fdt, node, "device_type", "cpu"));
	CHECK(prop_is_str(fdt, node, "enable-method", "psci"));
	CHECK(prop_is_str(fdt, node, "compatible", "arm,armv8"));
	/* QEMU's topology node is not a CPU and is not carried over. */
	CHECK(fdt_path_offset(fdt, "/cpus/topology") < 0);
}

static void cpus_in_clusters(void)
{
	struct shape s = qemu_like(10);
	struct os_dt_params p = params();
	const void *fdt;
	uint64_t mpidr;

	s.mpidr_step_cluster = 8;
	fdt = build_from(&s, &p);
	CHECK_EQ(dt_cpu_count(fdt), 10);
	node_at(fdt, "/cpus/cpu@101");
	CHECK_EQ(dt_cpu_mpidr(fdt, 9, &mpidr), 0);
	CHECK_EQ(mpidr, 0x101);
}

static void psci_smc(void)
{
	const void *fdt = build(1);
	int node = node_at(fdt, "/psci"), len;
	const char *compat = fdt_getprop(fdt, node, "compatible", &len);

	CHECK(compat && len == (int)sizeof("arm,psci-1.0\0arm,psci-0.2") &&
	      !memcmp(compat, "arm,psci-1.0\0arm,psci-0.2", (size_t)len));
	CHECK(prop_is_str(fdt, node, "method", "smc"));
}

static void timer_interrupts(void)
{
	const void *fdt = build(1);
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer");
	static const uint32_t ppis[4] = {13, 14, 11, 10};
	int len;

	CHECK(node >= 0);
	CHECK(fdt_getprop(fdt, node, "interrupts", &len) && len == 48);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(cell(fdt, node, "interrupts", 3 * i), 1); /* PPI */
		CHECK_EQ(cell(fdt, node, "interrupts", 3 * i + 1), ppis[i]);
		CHECK_EQ(cell(fdt, node, "interrupts", 3 * i + 2), 4); /* level high */
	}
	CHECK(fdt_getprop(fdt, node, "always-on", &len) && len == 0);
}

static void gic(void)
{
	const void *fdt = build(2);
	uint64_t base, size;
	int node = dt_find_compatible(fdt, "arm,gic-v3", &base, &size), len;

	CHECK(node >= 0);
	CHECK_EQ(base, 0x40060000);
	CHECK_EQ(size, 0x10000);
	CHECK_EQ(dt_reg(fdt, node, 1, &base, &size), 0);
	CHECK_EQ(base, 0x40080000);
	CHECK_EQ(size, 0x4000000);
	CHECK_EQ(cell(fdt, node, "#interrupt-cells", 0), 3);
	CHECK(fdt_getprop(fdt, node, "interrupt-controller", &len) && len == 0);
	CHECK_EQ(cell(fdt, node, "#redistributor-regions", 0), 1);
	/* The maintenance interrupt, which KVM-like users of the GIC want. */
	CHECK_EQ(cell(fdt, node, "interrupts", 0), 1);
	CHECK_EQ(cell(fdt, node, "interrupts", 1), 9);
	CHECK_EQ(cell(fdt, node, "interrupts", 2), 4);
}

/* QEMU's ITS reg is in the root's cells though /intc states none: read
 * with the defaults (2, 1) its size would be 0. */
static void its_frame(void)
{
	const void *fdt = build(2);
	uint64_t base, size;
	int node = dt_find_compatible(fdt, "arm,gic-v3-its", &base, &size), len;

	CHECK(node >= 0);
	CHECK_EQ(base, 0x44081000);
	CHECK_EQ(size, 0x20000);
	CHECK(fdt_getprop(fdt, node, "msi-controller", &len) && len == 0);
	CHECK_EQ(cell(fdt, node, "#msi-cells", 0), 1);
	CHECK_EQ(fdt_parent_offset(fdt, node),
		 fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3"));
}

static void no_its(void)
{
	struct shape s = qemu_like(2);
	struct os_dt_params p = params();
	const void *fdt;

	s.its = 0;
	fdt = build_from(&s, &p);
	CHECK(fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3-its") < 0);
	CHECK(fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3") >= 0);
}

static void console_uart(void)
{
	const void *fdt = build(2);
	uint64_t base, size;
	int node, clk;

	CHECK_EQ(dt_stdout_pl011(fdt, &base), 0);
	CHECK_EQ(base, 0x60000000);
	node = node_at(fdt, "/pl011@60000000");
	CHECK_EQ(dt_reg(fdt, node, 0, &base, &size), 0);
	CHECK_EQ(size, 0x1000);
	CHECK_EQ(fdt_node_check_compatible(fdt, node, "arm,primecell"), 0);
	CHECK_EQ(cell(fdt, node, "interrupts", 0), 0); /* SPI */
	CHECK_EQ(cell(fdt, node, "interrupts", 1), 1);
	CHECK_EQ(cell(fdt, node, "interrupts", 2), 4);
	clk = fdt_node_offset_by_phandle(fdt, cell(fdt, node, "clocks", 0));
	CHECK(clk >= 0);
	CHECK_EQ(cell(fdt, node, "clocks", 1), cell(fdt, node, "clocks", 0));
	CHECK_EQ(fdt_node_check_compatible(fdt, clk, "fixed-clock"), 0);
	CHECK_EQ(cell(fdt, clk, "clock-frequency", 0), 24000000);
	CHECK(prop_is_str(fdt, node_at(fdt, "/aliases"), "serial0", "/pl011@60000000"));
}

static void reservations_kept(void)
{
	struct shape s = qemu_like(1);
	struct os_dt_params p = params();
	const void *fdt;
	uint64_t addr, size;

	s.rsv = 1;
	fdt = build_from(&s, &p);
	CHECK_EQ(fdt_num_mem_rsv(fdt), 1);
	CHECK_EQ(fdt_get_mem_rsv(fdt, 0, &addr, &size), 0);
	CHECK_EQ(addr, 0x10000100000ull);
	CHECK_EQ(size, 0x1000);
}

static void machine_errors(void)
{
	struct os_dt_params p = params();
	struct shape s;

	s = qemu_like(2);
	s.memory = 0;
	CHECK_EQ(os_dt_build(blob, sizeof(blob), make_machine(&s), &p),
		 OS_DT_E_NO_MEMORY);
	s = qemu_like(0);
	CHECK_EQ(os_dt_build(blob, sizeof(blob), make_machine(&s), &p), OS_DT_E_NO_CPUS);
	s = qemu_like(1);
	s.cpu_without_reg = 1;
	CHECK_EQ(os_dt_build(blob, sizeof(blob), make_machine(&s), &p), OS_DT_E_NO_CPUS);
	s = qemu_like(65);
	CHECK_EQ(os_dt_build(blob, sizeof(blob), make_machine(&s), &p), OS_DT_E_NO_CPUS);
	s = qemu_like(2);
	s.gic_regs = 1;
	CHECK_EQ(os_dt_build(blob, sizeof(blob), make_machine(&s), &p), OS_DT_E_NO_GIC);

	memset(machine, 0x5a, sizeof(machine));
	CHECK_EQ(os_dt_build(blob, sizeof(blob), machine, &p), OS_DT_E_MACHINE);
	CHECK_EQ(os_dt_build(blob, sizeof(blob), NULL, &p), OS_DT_E_MACHINE);
	CHECK(strstr(os_dt_strerror(OS_DT_E_NO_MEMORY), "no memory") != NULL);
}

static void param_errors(void)
{
	struct shape s = qemu_like(2);
	struct os_dt_params p;
	const void *m = make_machine(&s);

#define REJECT(field, value)                                                     \
	do {                                                                     \
		p = params();                                                    \
		p.field = value;                                                 \
		CHECK_EQ(os_dt_build(blob, sizeof(blob), m, &p), OS_DT_E_PARAM); \
	} while (0)
	REJECT(model, NULL);
	REJECT(uart_size, 0);
	REJECT(uart_base, UINT64_MAX - 10);
	REJECT(uart_spi, 988);
	REJECT(gic_maint_ppi, 16);
	REJECT(timer_ppi[2], 16);
	REJECT(secure_mem_base, UINT64_MAX);
#undef REJECT
	p = params();
	CHECK_EQ(os_dt_build(blob, sizeof(blob), m, NULL), OS_DT_E_PARAM);
	CHECK_EQ(os_dt_build(NULL, sizeof(blob), m, &p), OS_DT_E_PARAM);
	CHECK_EQ(os_dt_build(blob + 4, sizeof(blob) - 4, m, &p), -FDT_ERR_ALIGNMENT);
	CHECK_EQ(os_dt_build(blob, 512, m, &p), -FDT_ERR_NOSPACE);
}

int main(void)
{
	RUN(tree_valid_and_packed);
	RUN(root_properties);
	RUN(memory);
	RUN(memory_two_ranges_and_numa);
	RUN(no_secure_memory);
	RUN(cpus);
	RUN(cpus_in_clusters);
	RUN(psci_smc);
	RUN(timer_interrupts);
	RUN(gic);
	RUN(its_frame);
	RUN(no_its);
	RUN(console_uart);
	RUN(reservations_kept);
	RUN(machine_errors);
	RUN(param_errors);
	UNIT_DONE();
}
