/*
 * The OS's device tree from the machine's minimal one
 * (monitor/platform/sbsa-ref/os_dt.h), written front to back with
 * libfdt's sequential-write API: the machine's tree is only read, so the
 * new one can be laid out as the bindings want it, with no in-place
 * growing or moving.
 *
 * The machine's tree comes from outside: every property taken from it is
 * read through lib/dt/dt.c's checked accessors, and what an OS cannot do
 * without (memory, CPUs, the GIC) is an error when missing.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libfdt.h>

#include <lib/dt/dt.h>
#include <lib/dt/dt_writer.h>
#include <lib/fmt.h>
#include <lib/dt/gic_specifier.h>
#include <monitor/platform/sbsa-ref/os_dt.h>

#define PHANDLE_GIC 1u
#define PHANDLE_PCLK 2u

/* Reg entries a memory node may carry that are copied. */
#define MAX_REG_ENTRIES DTW_MAX_REGS

/* A property of the machine's node copied as it is, when it has one. */
static void copy_prop(struct dtw *s, const void *machine, int node, const char *name)
{
	int len;
	const void *v = fdt_getprop(machine, node, name, &len);

	if (v && len >= 0)
		dtw_raw(s, name, v, len);
}

/* --- what the machine's tree must have ------------------------------------ */

static bool is_type(const void *fdt, int node, const char *type)
{
	int len;
	const char *t = fdt_getprop(fdt, node, "device_type", &len);

	return t && len > 0 && strnlen(t, (size_t)len) < (size_t)len && !strcmp(t, type);
}

static bool is_memory(const void *machine, int node)
{
	uint64_t base, size;

	return is_type(machine, node, "memory") && dt_node_enabled(machine, node) &&
	       dt_reg(machine, node, 0, &base, &size) == 0;
}

/* QEMU's CPU nodes carry neither device_type nor compatible: a child of
 * /cpus named cpu@... with a reg is a CPU. */
static bool is_cpu(const void *machine, int node)
{
	const char *name = fdt_get_name(machine, node, NULL);
	uint64_t mpidr;

	return name && !strncmp(name, "cpu@", 4) &&
	       dt_reg(machine, node, 0, &mpidr, NULL) == 0;
}

static int find_gic(const void *machine)
{
	int node = fdt_path_offset(machine, "/intc");
	uint64_t b, sz;

	if (node < 0)
		node = fdt_node_offset_by_compatible(machine, -1, "arm,gic-v3");
	if (node < 0 || dt_reg(machine, node, 0, &b, &sz) ||
	    dt_reg(machine, node, 1, &b, &sz))
		return -1;
	return node;
}

/*
 * The ITS's frame. QEMU gives the GIC node no #address-cells/#size-cells
 * but writes the child's reg as two 2-cell values, as the root's are; the
 * binding's defaults (2 and 1) would misread it. So: the parent's cells
 * when it states them, else the root's.
 */
static int its_reg(const void *machine, int its, uint64_t *base, uint64_t *size)
{
	int parent = fdt_parent_offset(machine, its), len;
	const fdt32_t *reg;

	if (parent >= 0 && fdt_getprop(machine, parent, "#address-cells", NULL) &&
	    fdt_getprop(machine, parent, "#size-cells", NULL))
		return dt_reg(machine, its, 0, base, size);
	if (fdt_address_cells(machine, 0) != 2 || fdt_size_cells(machine, 0) != 2)
		return DT_E_BADNODE;
	reg = fdt_getprop(machine, its, "reg", &len);
	/* Cells, not 64-bit loads: properties are only 4-byte aligned. */
	if (!reg || len != 4 * (int)sizeof(*reg))
		return DT_E_BADNODE;
	*base = (uint64_t)fdt32_to_cpu(reg[0]) << 32 | fdt32_to_cpu(reg[1]);
	*size = (uint64_t)fdt32_to_cpu(reg[2]) << 32 | fdt32_to_cpu(reg[3]);
	return *size ? 0 : DT_E_BADNODE;
}

static int find_its(const void *machine, int gic)
{
	int node;
	uint64_t b, sz;

	fdt_for_each_subnode(node, machine, gic) {
		const char *name = fdt_get_name(machine, node, NULL);

		if (((name && !strncmp(name, "its", 3)) ||
		     fdt_node_check_compatible(machine, node, "arm,gic-v3-its") == 0) &&
		    its_reg(machine, node, &b, &sz) == 0)
			return node;
	}
	return -1;
}

static int check_machine(const void *machine)
{
	int node, cpus, n = 0;

	if (!machine || fdt_check_header(machine))
		return OS_DT_E_MACHINE;
	fdt_for_each_subnode(node, machine, 0)
		n += is_memory(machine, node);
	if (!n)
		return OS_DT_E_NO_MEMORY;
	n = 0;
	cpus = fdt_path_offset(machine, "/cpus");
	if (cpus >= 0)
		fdt_for_each_subnode(node, machine, cpus)
			n += is_cpu(machine, node);
	if (!n || n > OS_DT_MAX_CPUS)
		return OS_DT_E_NO_CPUS;
	if (find_gic(machine) < 0)
		return OS_DT_E_NO_GIC;
	return 0;
}

static bool params_ok(const struct os_dt_params *p)
{
	if (!p->model || !p->uart_size || p->uart_base + p->uart_size < p->uart_base)
		return false;
	if (p->uart_spi > DT_GIC_MAX_SPI || p->gic_maint_ppi > OS_DT_MAX_PPI)
		return false;
	for (int i = 0; i < OS_DT_TIMER_PPIS; i++)
		if (p->timer_ppi[i] > OS_DT_MAX_PPI)
			return false;
	return p->secure_mem_base + p->secure_mem_size >= p->secure_mem_base;
}

/* --- nodes ---------------------------------------------------------------- */

static void add_chosen(struct dtw *s, const char *uart_path)
{
	dtw_begin(s, "chosen");
	dtw_str(s, "stdout-path", uart_path);
	dtw_end(s);
	/* serial0 makes the console ttyAMA0 whatever else Linux probes. */
	dtw_begin(s, "aliases");
	dtw_str(s, "serial0", uart_path);
	dtw_end(s);
}

static void add_memory(struct dtw *s, const void *machine)
{
	int node;

	fdt_for_each_subnode(node, machine, 0) {
		uint64_t reg[2 * MAX_REG_ENTRIES];
		char name[32];
		int n = 0;

		if (!is_memory(machine, node))
			continue;
		while (n < MAX_REG_ENTRIES &&
		       dt_reg(machine, node, n, &reg[2 * n], &reg[2 * n + 1]) == 0)
			n++;
		dtw_node_name(name, sizeof(name), "memory", reg[0]);
		dtw_begin(s, name);
		dtw_str(s, "device_type", "memory");
		dtw_reg64(s, reg, n);
		copy_prop(s, machine, node, "numa-node-id");
		dtw_end(s);
	}
}

/* The monitor's own memory, described the way QEMU virt does it, so the
 * normal world knows it is there and not its to use. */
static void add_secure_memory(struct dtw *s, const struct os_dt_params *p)
{
	const uint64_t reg[2] = {p->secure_mem_base, p->secure_mem_size};
	char name[32];

	if (!p->secure_mem_size)
		return;
	dtw_node_name(name, sizeof(name), "memory", p->secure_mem_base);
	dtw_begin(s, name);
	dtw_str(s, "device_type", "memory");
	dtw_reg64(s, reg, 1);
	dtw_str(s, "status", "disabled");
	dtw_str(s, "secure-status", "okay");
	dtw_end(s);
}

static void add_cpus(struct dtw *s, const void *machine)
{
	int cpus = fdt_path_offset(machine, "/cpus"), node;

	dtw_begin(s, "cpus");
	/* Two cells: an MPIDR's Aff3 is in bits [39:32]. */
	dtw_u32(s, "#address-cells", 2);
	dtw_u32(s, "#size-cells", 0);
	fdt_for_each_subnode(node, machine, cpus) {
		fdt64_t reg;
		uint64_t mpidr;
		char name[32];

		if (!is_cpu(machine, node))
			continue;
		dt_reg(machine, node, 0, &mpidr, NULL);
		reg = cpu_to_fdt64(mpidr);
		dtw_node_name(name, sizeof(name), "cpu", mpidr);
		dtw_begin(s, name);
		dtw_str(s, "device_type", "cpu");
		dtw_str(s, "compatible", "arm,armv8");
		dtw_raw(s, "reg", &reg, sizeof(reg));
		/* Secondaries start parked in the monitor, released by CPU_ON. */
		dtw_str(s, "enable-method", "psci");
		copy_prop(s, machine, node, "numa-node-id");
		dtw_end(s);
	}
	dtw_end(s);
}

static void add_timer(struct dtw *s, const struct os_dt_params *p)
{
	uint32_t irqs[3 * OS_DT_TIMER_PPIS];

	for (int i = 0; i < OS_DT_TIMER_PPIS; i++) {
		irqs[3 * i] = DT_GIC_PPI;
		irqs[3 * i + 1] = p->timer_ppi[i];
		irqs[3 * i + 2] = DT_IRQ_TYPE_LEVEL_HIGH;
	}
	dtw_begin(s, "timer");
	dtw_str(s, "compatible", "arm,armv8-timer");
	dtw_cells(s, "interrupts", irqs, 3 * OS_DT_TIMER_PPIS);
	/* No power state here stops the counter or the timers (the monitor
	 * offers no CPU_SUSPEND), so no broadcast timer is needed. */
	dtw_empty(s, "always-on");
	dtw_end(s);
}

static void add_gic(struct dtw *s, const void *machine, const struct os_dt_params *p)
{
	const uint32_t maint[3] = {DT_GIC_PPI, p->gic_maint_ppi, DT_IRQ_TYPE_LEVEL_HIGH};
	int gic = find_gic(machine), its = find_its(machine, gic);
	uint64_t reg[4];
	char name[32];

	dt_reg(machine, gic, 0, &reg[0], &reg[1]);
	dt_reg(machine, gic, 1, &reg[2], &reg[3]);
	dtw_node_name(name, sizeof(name), "intc", reg[0]);
	dtw_begin(s, name);
	dtw_str(s, "compatible", "arm,gic-v3");
	dtw_u32(s, "#interrupt-cells", 3);
	dtw_empty(s, "interrupt-controller");
	/* The ITS child is addressed like the root: 1:1 ranges. */
	dtw_u32(s, "#address-cells", 2);
	dtw_u32(s, "#size-cells", 2);
	dtw_empty(s, "ranges");
	/* One redistributor region; its frames end at GICR_TYPER.Last. */
	dtw_u32(s, "#redistributor-regions", 1);
	dtw_reg64(s, reg, 2);
	dtw_cells(s, "interrupts", maint, 3);
	dtw_u32(s, "phandle", PHANDLE_GIC);
	if (its >= 0) {
		its_reg(machine, its, &reg[0], &reg[1]);
		dtw_node_name(name, sizeof(name), "msi-controller", reg[0]);
		dtw_begin(s, name);
		dtw_str(s, "compatible", "arm,gic-v3-its");
		dtw_empty(s, "msi-controller");
		dtw_u32(s, "#msi-cells", 1);
		dtw_reg64(s, reg, 1);
		dtw_end(s);
	}
	dtw_end(s);
}

static void add_uart(struct dtw *s, const struct os_dt_params *p, const char *node)
{
	dtw_pl011(s, node, p->uart_base, p->uart_size, p->uart_spi, p->uart_clk_hz,
		  PHANDLE_PCLK, NULL);
}

static void copy_reservations(struct dtw *s, const void *machine)
{
	int n = fdt_num_mem_rsv(machine);

	for (int i = 0; i < n; i++) {
		uint64_t addr, size;

		if (fdt_get_mem_rsv(machine, i, &addr, &size) == 0 && !s->err)
			dtw_step(s, fdt_add_reservemap_entry(s->fdt, addr, size));
	}
	if (!s->err)
		dtw_step(s, fdt_finish_reservemap(s->fdt));
}

int os_dt_build(void *buf, size_t size, const void *machine, const struct os_dt_params *p)
{
	struct dtw s = {buf, 0};
	char uart[40], uart_path[48];
	int err;

	if (!buf || !p || !params_ok(p))
		return OS_DT_E_PARAM;
	err = check_machine(machine);
	if (err)
		return err;
	if ((uintptr_t)buf & 7)
		return -FDT_ERR_ALIGNMENT;
	if (size > INT32_MAX)
		size = INT32_MAX;

	dtw_node_name(uart, sizeof(uart), "pl011", p->uart_base);
	fmt_snprintf(uart_path, sizeof(uart_path), "/%s", uart);

	dtw_step(&s, fdt_create(buf, (int)size));
	copy_reservations(&s, machine);
	dtw_begin(&s, "");
	copy_prop(&s, machine, 0, "compatible");
	dtw_str(&s, "model", p->model);
	copy_prop(&s, machine, 0, "machine-version-major");
	copy_prop(&s, machine, 0, "machine-version-minor");
	dtw_u32(&s, "#address-cells", 2);
	dtw_u32(&s, "#size-cells", 2);
	dtw_u32(&s, "interrupt-parent", PHANDLE_GIC);
	add_chosen(&s, uart_path);
	add_memory(&s, machine);
	add_secure_memory(&s, p);
	add_cpus(&s, machine);
	/* The monitor serves PSCI at EL3. */
	dtw_psci(&s, "smc");
	add_timer(&s, p);
	add_gic(&s, machine, p);
	add_uart(&s, p, uart);
	dtw_end(&s);
	if (!s.err)
		dtw_step(&s, fdt_finish(buf));
	if (!s.err)
		dtw_step(&s, fdt_pack(buf));
	return s.err;
}

const char *os_dt_strerror(int err)
{
	switch (err) {
	case OS_DT_E_PARAM:
		return "unusable platform parameters";
	case OS_DT_E_MACHINE:
		return "the machine's device tree is not valid";
	case OS_DT_E_NO_MEMORY:
		return "the machine's device tree describes no memory";
	case OS_DT_E_NO_CPUS:
		return "the machine's device tree has no usable /cpus/cpu@ node";
	case OS_DT_E_NO_GIC:
		return "the machine's device tree has no GIC with distributor and "
		       "redistributors";
	default:
		return fdt_strerror(err);
	}
}
