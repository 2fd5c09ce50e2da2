/*
 * Device-tree queries over libfdt. Malformed properties are reported as
 * DT_E_BADNODE rather than read past their end: the DT comes from outside.
 */
#include <stddef.h>
#include <string.h>

#include <libfdt.h>

#include <lib/dt/dt.h>
#include <lib/mm/memmap.h>

static uint64_t read_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;

	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

int dt_reg_cells(const void *fdt, int node, int ac, int sc, int idx, uint64_t *base,
		 uint64_t *size)
{
	int len;
	const fdt32_t *reg;

	if (ac < 1 || ac > 2 || sc < 0 || sc > 2)
		return DT_E_BADNODE;
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg)
		return DT_E_NOTFOUND;
	if (len < 0 || idx < 0 || (size_t)len < ((size_t)idx + 1) * (size_t)(ac + sc) * 4)
		return DT_E_NOTFOUND;
	reg += idx * (ac + sc);
	*base = read_cells(reg, ac);
	if (size)
		*size = read_cells(reg + ac, sc);
	return 0;
}

int dt_reg(const void *fdt, int node, int idx, uint64_t *base, uint64_t *size)
{
	int parent = fdt_parent_offset(fdt, node);

	if (parent < 0)
		return DT_E_BADNODE;
	return dt_reg_cells(fdt, node, fdt_address_cells(fdt, parent),
			    fdt_size_cells(fdt, parent), idx, base, size);
}

/* A string property, terminated within its length, that reads want (as
 * Linux compares status: padding after the terminator does not matter). */
static bool prop_is(const char *p, int len, const char *want)
{
	return p && len > 0 && memchr(p, '\0', (size_t)len) && strcmp(p, want) == 0;
}

bool dt_node_enabled(const void *fdt, int node)
{
	int len;
	const char *status = fdt_getprop(fdt, node, "status", &len);

	if (!status)
		return true;
	return prop_is(status, len, "okay") || prop_is(status, len, "ok");
}

int dt_find_compatible(const void *fdt, const char *compat, uint64_t *base,
		       uint64_t *size)
{
	int node = -1;

	for (;;) {
		node = fdt_node_offset_by_compatible(fdt, node, compat);
		if (node < 0)
			return DT_E_NOTFOUND;
		if (dt_node_enabled(fdt, node))
			return dt_reg(fdt, node, 0, base, size) ? DT_E_BADNODE : node;
	}
}

int dt_stdout_pl011(const void *fdt, uint64_t *base)
{
	char path[128];
	int chosen, len, node;
	const char *p;
	size_t n;

	chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen < 0)
		return DT_E_NOTFOUND;
	p = fdt_getprop(fdt, chosen, "stdout-path", &len);
	if (!p || len <= 0)
		return DT_E_NOTFOUND;
	n = strnlen(p, (size_t)len);
	if (memchr(p, ':', n))
		n = (size_t)((const char *)memchr(p, ':', n) - p);
	if (n == 0 || n >= sizeof(path))
		return DT_E_BADNODE;
	memcpy(path, p, n);
	path[n] = '\0';
	/* stdout-path may name an alias rather than a path. */
	node = path[0] == '/' ? fdt_path_offset(fdt, path)
			      : fdt_path_offset(fdt, fdt_get_alias(fdt, path) ?: "");
	if (node < 0)
		return DT_E_NOTFOUND;
	if (fdt_node_check_compatible(fdt, node, "arm,pl011") != 0)
		return DT_E_BADNODE;
	return dt_reg(fdt, node, 0, base, NULL) ? DT_E_BADNODE : 0;
}

static bool is_memory_node(const void *fdt, int node)
{
	int len;
	const char *type = fdt_getprop(fdt, node, "device_type", &len);

	return type && len >= 7 && strncmp(type, "memory", (size_t)len) == 0;
}

int dt_add_memory(const void *fdt, struct memmap *m)
{
	int node, added = 0;

	fdt_for_each_subnode(node, fdt, 0) {
		uint64_t base, size;

		if (!is_memory_node(fdt, node) || !dt_node_enabled(fdt, node))
			continue;
		for (int i = 0; dt_reg(fdt, node, i, &base, &size) == 0; i++) {
			if (size == 0)
				continue;
			if (memmap_add_ram(m, base, size) < 0)
				return DT_E_BADNODE;
			added++;
		}
	}
	return added;
}

/* Entries may overlap each other and what is already reserved (the DT
 * itself, say): only what is still free changes. */
int dt_reserve_memory(const void *fdt, struct memmap *m)
{
	int n = fdt_num_mem_rsv(fdt), resv, node, err;

	for (int i = 0; i < n; i++) {
		uint64_t base, size;

		if (fdt_get_mem_rsv(fdt, i, &base, &size) == 0 && size) {
			err = memmap_reserve_free(m, base, size, MEM_RESERVED);
			if (err)
				return DT_E_BADNODE;
		}
	}
	resv = fdt_path_offset(fdt, "/reserved-memory");
	if (resv < 0)
		return 0;
	fdt_for_each_subnode(node, fdt, resv) {
		uint64_t base, size;

		if (!dt_node_enabled(fdt, node))
			continue;
		for (int i = 0; dt_reg(fdt, node, i, &base, &size) == 0; i++) {
			if (!size)
				continue;
			err = memmap_reserve_free(m, base, size, MEM_RESERVED);
			if (err)
				return DT_E_BADNODE;
		}
	}
	return 0;
}

int dt_chosen_get_range(const void *fdt, const char *prop, uint64_t *base, uint64_t *size)
{
	int chosen = fdt_path_offset(fdt, "/chosen"), len;
	const fdt32_t *p;

	if (chosen < 0)
		return DT_E_NOTFOUND;
	p = fdt_getprop(fdt, chosen, prop, &len);
	if (!p)
		return DT_E_NOTFOUND;
	if (len != 16)
		return DT_E_BADNODE;
	*base = read_cells(p, 2);
	*size = read_cells(p + 2, 2);
	return 0;
}

int dt_chosen_set_range(void *fdt, const char *prop, uint64_t base, uint64_t size)
{
	fdt32_t cells[4] = {
		cpu_to_fdt32((uint32_t)(base >> 32)),
		cpu_to_fdt32((uint32_t)base),
		cpu_to_fdt32((uint32_t)(size >> 32)),
		cpu_to_fdt32((uint32_t)size),
	};
	int chosen = fdt_path_offset(fdt, "/chosen");

	if (chosen < 0)
		chosen = fdt_add_subnode(fdt, 0, "chosen");
	if (chosen < 0)
		return chosen;
	return fdt_setprop(fdt, chosen, prop, cells, sizeof(cells));
}

/* The nth cpu node under /cpus, or with n < 0 how many there are. */
static int nth_cpu_node(const void *fdt, int n)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), node, i = 0;

	if (cpus < 0)
		return n < 0 ? 0 : DT_E_NOTFOUND;
	fdt_for_each_subnode(node, fdt, cpus) {
		int len;
		const char *type = fdt_getprop(fdt, node, "device_type", &len);

		if (!type || len < 4 || strncmp(type, "cpu", (size_t)len) != 0)
			continue;
		if (i++ == n)
			return node;
	}
	return n < 0 ? i : DT_E_NOTFOUND;
}

int dt_cpu_count(const void *fdt)
{
	return nth_cpu_node(fdt, -1);
}

int dt_cpu_mpidr(const void *fdt, int n, uint64_t *mpidr)
{
	int node;

	if (n < 0)
		return DT_E_NOTFOUND;
	node = nth_cpu_node(fdt, n);

	if (node < 0)
		return node;
	return dt_reg(fdt, node, 0, mpidr, NULL);
}

int dt_cpus_set_enable_method(void *fdt, const char *method)
{
	int n = dt_cpu_count(fdt);

	for (int i = 0; i < n; i++) {
		/* Looked up again each time: adding a property moves nodes. */
		int node = nth_cpu_node(fdt, i), err;

		if (node < 0)
			return node;
		if (fdt_getprop(fdt, node, "enable-method", NULL))
			continue;
		err = fdt_setprop_string(fdt, node, "enable-method", method);
		if (err)
			return err;
	}
	return 0;
}
