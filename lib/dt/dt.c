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

/* Nesting the pass in parent_of() follows; deeper trees go to libfdt. */
#define PARENT_MAX_DEPTH 16

/*
 * fdt_parent_offset()'s answer in one pass of dt_tag() from the start of
 * the tree, rather than libfdt's two walks (the node's depth, then the
 * node at that depth) of fdt_next_node().
 */
static int parent_of(const void *fdt, int node)
{
	int open[PARENT_MAX_DEPTH], depth = -1, off = 0;
	struct dt_blocks b;
	struct dt_tag t;

	if (dt_blocks(fdt, &b))
		return fdt_parent_offset(fdt, node);
	for (; off <= node; off = t.next) {
		if (dt_tag(&b, off, &t))
			return -FDT_ERR_BADSTRUCTURE;
		if (t.tag == FDT_BEGIN_NODE) {
			if (off == node)
				return depth >= 0 ? open[depth] : -FDT_ERR_NOTFOUND;
			if (++depth >= PARENT_MAX_DEPTH)
				return fdt_parent_offset(fdt, node);
			open[depth] = off;
		} else if (t.tag == FDT_END_NODE) {
			if (--depth < -1)
				return -FDT_ERR_BADSTRUCTURE;
		} else if (t.tag == FDT_END) {
			break;
		}
	}
	return -FDT_ERR_BADOFFSET; /* no node begins at node */
}

int dt_reg(const void *fdt, int node, int idx, uint64_t *base, uint64_t *size)
{
	int parent = parent_of(fdt, node);

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
		node = dt_node_by_compatible(fdt, node, compat);
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

	chosen = dt_root_child(fdt, "chosen");
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
	/* stdout-path may name an alias rather than a path; a child of the
	 * root (QEMU's "/pl011@9000000") is found in one pass. */
	if (path[0] == '/' && path[1] && !strchr(path + 1, '/'))
		node = dt_root_child(fdt, path + 1);
	else if (path[0] == '/')
		node = fdt_path_offset(fdt, path);
	else
		node = fdt_path_offset(fdt, fdt_get_alias(fdt, path) ?: "");
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

/* The root's children in order, in one pass of dt_tag() (libfdt's
 * fdt_for_each_subnode() reads every tag through fdt_next_node()). */
struct root_children {
	struct dt_blocks b;
	int off, depth;
};

static int root_children_start(const void *fdt, struct root_children *it)
{
	struct dt_tag t;

	if (dt_blocks(fdt, &it->b) || dt_tag(&it->b, 0, &t) || t.tag != FDT_BEGIN_NODE)
		return -1;
	it->off = t.next;
	it->depth = 0;
	return 0;
}

/* The next child's offset, or a negative libfdt error at the end. */
static int root_children_next(struct root_children *it)
{
	struct dt_tag t;

	for (;; it->off = t.next) {
		if (dt_tag(&it->b, it->off, &t))
			return -FDT_ERR_BADSTRUCTURE;
		if (t.tag == FDT_BEGIN_NODE) {
			if (++it->depth == 1) {
				int node = it->off;

				it->off = t.next;
				return node;
			}
		} else if (t.tag == FDT_END_NODE) {
			if (--it->depth < 0)
				return -FDT_ERR_NOTFOUND;
		} else if (t.tag == FDT_END) {
			return -FDT_ERR_NOTFOUND;
		}
	}
}

/* The next child of the root after node (-1: the first): through the
 * pass when it started, else libfdt's. */
static int next_root_child(const void *fdt, struct root_children *it, bool fast, int node)
{
	if (fast)
		return root_children_next(it);
	return node < 0 ? fdt_first_subnode(fdt, 0) : fdt_next_subnode(fdt, node);
}

int dt_add_memory(const void *fdt, struct memmap *m)
{
	struct root_children it;
	bool fast = root_children_start(fdt, &it) == 0;
	/* dt_reg()'s cells for a child of the root, read once. */
	int node = -1, added = 0, ac = fdt_address_cells(fdt, 0),
	    sc = fdt_size_cells(fdt, 0);

	while ((node = next_root_child(fdt, &it, fast, node)) >= 0) {
		uint64_t base, size;

		if (!is_memory_node(fdt, node) || !dt_node_enabled(fdt, node))
			continue;
		for (int i = 0; dt_reg_cells(fdt, node, ac, sc, i, &base, &size) == 0;
		     i++) {
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
	resv = dt_root_child(fdt, "reserved-memory");
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
	int chosen = dt_root_child(fdt, "chosen"), len;
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
	int chosen = dt_root_child(fdt, "chosen");

	if (chosen < 0)
		chosen = dt_add_root_child(fdt, "chosen");
	if (chosen < 0)
		return chosen;
	return fdt_setprop(fdt, chosen, prop, cells, sizeof(cells));
}

/* A child of /cpus that is a CPU: device_type "cpu" (not cpu-map). */
static bool is_cpu_node(const void *fdt, int node)
{
	int len;
	const char *type = fdt_getprop(fdt, node, "device_type", &len);

	return type && len >= 4 && strncmp(type, "cpu", (size_t)len) == 0;
}

/* The nth cpu node under /cpus, or with n < 0 how many there are; *cpus
 * (when asked) is /cpus. */
static int nth_cpu_node(const void *fdt, int n, int *cpus_out)
{
	int cpus = dt_root_child(fdt, "cpus"), node, i = 0;

	if (cpus < 0)
		return n < 0 ? 0 : DT_E_NOTFOUND;
	if (cpus_out)
		*cpus_out = cpus;
	fdt_for_each_subnode(node, fdt, cpus) {
		if (!is_cpu_node(fdt, node))
			continue;
		if (i++ == n)
			return node;
	}
	return n < 0 ? i : DT_E_NOTFOUND;
}

int dt_cpu_count(const void *fdt)
{
	return nth_cpu_node(fdt, -1, NULL);
}

int dt_cpu_mpidr(const void *fdt, int n, uint64_t *mpidr)
{
	int node, cpus;

	if (n < 0)
		return DT_E_NOTFOUND;
	node = nth_cpu_node(fdt, n, &cpus);

	if (node < 0)
		return node;
	/* The parent is known: dt_reg() would walk the tree to find it. */
	return dt_reg_cells(fdt, node, fdt_address_cells(fdt, cpus),
			    fdt_size_cells(fdt, cpus), 0, mpidr, NULL);
}

/* The cpu nodes dt_cpus_set_enable_method() collects from one lookup of
 * /cpus; with more, /cpus is looked up again for each. */
#define CPUS_AT_ONCE 64

static int set_enable_method(void *fdt, int node, const char *method)
{
	if (fdt_getprop(fdt, node, "enable-method", NULL))
		return 0;
	return fdt_setprop_string(fdt, node, "enable-method", method);
}

/* The cpu nodes nth_cpu_node() counts, in order, into at[]: how many, or
 * -1 when there are more than max. */
static int cpu_nodes(const void *fdt, int *at, int max, int *cpus_out)
{
	int cpus = dt_root_child(fdt, "cpus"), node, n = 0;

	if (cpus < 0)
		return 0;
	if (cpus_out)
		*cpus_out = cpus;
	fdt_for_each_subnode(node, fdt, cpus) {
		if (!is_cpu_node(fdt, node))
			continue;
		if (n == max)
			return -1;
		at[n++] = node;
	}
	return n;
}

int dt_cpus_set_enable_method(void *fdt, const char *method)
{
	int at[CPUS_AT_ONCE], n = cpu_nodes(fdt, at, CPUS_AT_ONCE, NULL), err;

	/* Last first: a property added to a node moves only what follows
	 * it, so the offsets still to use stay right, and the tree ends as
	 * the loop below leaves it. */
	if (n >= 0) {
		while (n--) {
			err = set_enable_method(fdt, at[n], method);
			if (err)
				return err;
		}
		return 0;
	}
	n = dt_cpu_count(fdt);
	for (int i = 0; i < n; i++) {
		/* Looked up again each time: adding a property moves nodes. */
		int node = nth_cpu_node(fdt, i, NULL);

		if (node < 0)
			return node;
		err = set_enable_method(fdt, node, method);
		if (err)
			return err;
	}
	return 0;
}

int dt_blocks(const void *fdt, struct dt_blocks *b)
{
	int err = fdt_check_header(fdt);

	if (err)
		return err;
	/* Before version 17 the header gives no structure block size. */
	if (fdt_version(fdt) < 17)
		return -FDT_ERR_BADVERSION;
	b->st = (const char *)fdt + fdt_off_dt_struct(fdt);
	b->st_size = fdt_size_dt_struct(fdt);
	b->str = (const char *)fdt + fdt_off_dt_strings(fdt);
	b->str_size = fdt_size_dt_strings(fdt);
	b->str_ends_nul = b->str_size && b->str[b->str_size - 1] == '\0';
	/* Tags and cells are read as aligned words. */
	if ((uintptr_t)b->st & (FDT_TAGSIZE - 1))
		return -FDT_ERR_ALIGNMENT;
	return 0;
}

#define TAG_ALIGN(x) (((x) + FDT_TAGSIZE - 1) & ~(uint32_t)(FDT_TAGSIZE - 1))

static uint32_t word(const char *p)
{
	return fdt32_to_cpu(*(const fdt32_t *)(const void *)p);
}

/* The NUL ending a node name at p, a word-aligned address, within room
 * bytes: a word at a time while whole words remain (a word holds a zero
 * byte exactly when (w - 0x01010101) & ~w & 0x80808080 is not 0), then
 * byte by byte. memchr() goes a byte at a time. */
static const char *name_end(const char *p, uint32_t room)
{
	uint32_t i = 0;

	for (; room - i >= FDT_TAGSIZE; i += FDT_TAGSIZE) {
		uint32_t w = *(const uint32_t *)(const void *)(p + i);

		if ((w - 0x01010101u) & ~w & 0x80808080u)
			break;
	}
	for (; i < room; i++)
		if (!p[i])
			return p + i;
	return NULL;
}

/* fdt_check_header() has put both blocks inside the tree, so their sizes
 * fit an int, as libfdt's offsets do. */
int dt_tag(const struct dt_blocks *b, int off, struct dt_tag *t)
{
	uint32_t o = (uint32_t)off, room, nameoff, len;
	const char *nul;

	if (off < 0 || (o & (FDT_TAGSIZE - 1)) || o >= b->st_size)
		return -FDT_ERR_BADOFFSET;
	room = b->st_size - o;
	if (room < FDT_TAGSIZE)
		return -FDT_ERR_TRUNCATED;
	t->tag = word(b->st + o);
	t->next = off + FDT_TAGSIZE;
	t->name = NULL;
	t->val = NULL;
	t->len = 0;
	switch (t->tag) {
	case FDT_BEGIN_NODE:
		nul = name_end(b->st + o + FDT_TAGSIZE, room - FDT_TAGSIZE);
		if (!nul)
			return -FDT_ERR_TRUNCATED;
		t->name = b->st + o + FDT_TAGSIZE;
		t->next = (int)TAG_ALIGN((uint32_t)(nul + 1 - b->st));
		return 0;
	case FDT_PROP:
		/* struct fdt_property: tag, len, nameoff, then the value. */
		if (room < 3 * FDT_TAGSIZE)
			return -FDT_ERR_TRUNCATED;
		len = word(b->st + o + 4);
		nameoff = word(b->st + o + 8);
		if (len > room - 3 * FDT_TAGSIZE)
			return -FDT_ERR_TRUNCATED;
		if (nameoff >= b->str_size ||
		    (!b->str_ends_nul &&
		     !memchr(b->str + nameoff, '\0', b->str_size - nameoff)))
			return -FDT_ERR_BADSTRUCTURE;
		t->name = b->str + nameoff;
		t->val = b->st + o + 3 * FDT_TAGSIZE;
		t->len = (int)len;
		t->next = (int)TAG_ALIGN(o + 3 * FDT_TAGSIZE + len);
		return 0;
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		return 0;
	default:
		return -FDT_ERR_BADSTRUCTURE;
	}
}

/* A node name matches as libfdt's fdt_path_offset() matches a path
 * component: equal, or want without a unit address and the name with one. */
static bool name_matches(const char *name, const char *want, size_t n)
{
	return strncmp(name, want, n) == 0 &&
	       (name[n] == '\0' || (name[n] == '@' && !memchr(want, '@', n)));
}

int dt_root_child(const void *fdt, const char *name)
{
	size_t n = strlen(name);
	struct dt_blocks b;
	struct dt_tag t;
	int off = 0, depth = -1;
	char path[64];

	if (dt_blocks(fdt, &b)) {
		if (n + 2 > sizeof(path))
			return -FDT_ERR_NOTFOUND;
		path[0] = '/';
		memcpy(path + 1, name, n + 1);
		return fdt_path_offset(fdt, path);
	}
	for (;; off = t.next) {
		if (dt_tag(&b, off, &t))
			return -FDT_ERR_BADSTRUCTURE;
		if (t.tag == FDT_BEGIN_NODE) {
			if (++depth == 1 && name_matches(t.name, name, n))
				return off;
		} else if (t.tag == FDT_END_NODE) {
			if (--depth < 0)
				return -FDT_ERR_NOTFOUND;
		} else if (t.tag == FDT_END) {
			return -FDT_ERR_BADSTRUCTURE;
		}
	}
}

/* The pass after start (-1: from the root) of fdt_node_offset_by_compatible()
 * and fdt_node_offset_by_phandle(): libfdt reads each node's properties
 * again through fdt_getprop() after fdt_next_node() has walked them. A
 * node's own properties are the ones between its FDT_BEGIN_NODE and its
 * first child or FDT_END_NODE (NOPs skipped), and the first one of a
 * name is the one fdt_getprop() finds: so are they read here. */
static int first_node_after(const struct dt_blocks *b, int start)
{
	struct dt_tag t;

	if (start < 0)
		return 0;
	if (dt_tag(b, start, &t) || t.tag != FDT_BEGIN_NODE)
		return -FDT_ERR_BADOFFSET;
	return t.next;
}

int dt_node_by_compatible(const void *fdt, int start, const char *compat)
{
	struct dt_blocks b;
	struct dt_tag t;
	int off, node = -1;
	bool seen = false;

	if (dt_blocks(fdt, &b))
		return fdt_node_offset_by_compatible(fdt, start, compat);
	off = first_node_after(&b, start);
	if (off < 0)
		return off;
	for (;; off = t.next) {
		if (dt_tag(&b, off, &t))
			return -FDT_ERR_BADSTRUCTURE;
		switch (t.tag) {
		case FDT_BEGIN_NODE:
			node = off;
			seen = false;
			break;
		case FDT_PROP:
			if (node < 0 || seen || strcmp(t.name, "compatible") != 0)
				break;
			seen = true;
			if (fdt_stringlist_contains(t.val, t.len, compat))
				return node;
			break;
		case FDT_END_NODE:
			node = -1; /* what follows is no node's own property */
			break;
		case FDT_END:
			return -FDT_ERR_NOTFOUND;
		}
	}
}

/* One node's phandle as fdt_get_phandle() reads it: the first "phandle"
 * when one cell long, else the first "linux,phandle" when one cell long,
 * else 0. */
struct phandle_props {
	bool seen, seen_linux, ok, ok_linux;
	uint32_t v, v_linux;
};

static void note_phandle(struct phandle_props *p, const struct dt_tag *t)
{
	if (!p->seen && strcmp(t->name, "phandle") == 0) {
		p->seen = true;
		p->ok = t->len == FDT_TAGSIZE;
		if (p->ok)
			p->v = word(t->val);
	} else if (!p->seen_linux && strcmp(t->name, "linux,phandle") == 0) {
		p->seen_linux = true;
		p->ok_linux = t->len == FDT_TAGSIZE;
		if (p->ok_linux)
			p->v_linux = word(t->val);
	}
}

static uint32_t phandle_of(const struct phandle_props *p)
{
	return p->ok ? p->v : p->ok_linux ? p->v_linux : 0;
}

int dt_node_by_phandle(const void *fdt, uint32_t phandle)
{
	struct phandle_props p;
	struct dt_blocks b;
	struct dt_tag t;
	int off = 0, node = -1;

	if (phandle == 0 || phandle == ~0u)
		return -FDT_ERR_BADPHANDLE;
	if (dt_blocks(fdt, &b))
		return fdt_node_offset_by_phandle(fdt, phandle);
	for (;; off = t.next) {
		if (dt_tag(&b, off, &t))
			return -FDT_ERR_BADSTRUCTURE;
		if (t.tag == FDT_PROP) {
			if (node >= 0)
				note_phandle(&p, &t);
			continue;
		}
		if (t.tag == FDT_NOP)
			continue;
		/* The properties of node, if any, end here. */
		if (node >= 0 && phandle_of(&p) == phandle)
			return node;
		node = -1;
		if (t.tag == FDT_BEGIN_NODE) {
			node = off;
			memset(&p, 0, sizeof(p));
		} else if (t.tag == FDT_END) {
			return -FDT_ERR_NOTFOUND;
		}
	}
}

/* The layout fdt_rw_probe() accepts for writing (libfdt fdt_rw.c,
 * fdt_blocks_misordered_()): header, memory reservation block (at least
 * its terminating entry), structure block, strings block, in that order
 * and inside totalsize. */
static bool writable_layout(const void *fdt)
{
	uint64_t rsv = fdt_off_mem_rsvmap(fdt), st = fdt_off_dt_struct(fdt),
		 str = fdt_off_dt_strings(fdt);

	return fdt_version(fdt) == 17 && rsv >= sizeof(struct fdt_header) &&
	       st >= rsv + sizeof(struct fdt_reserve_entry) &&
	       str >= st + fdt_size_dt_struct(fdt) &&
	       fdt_totalsize(fdt) >= str + fdt_size_dt_strings(fdt);
}

int dt_add_root_child(void *fdt, const char *name)
{
	size_t namelen = strlen(name);
	uint32_t nodelen, dsize;
	struct dt_blocks b;
	struct dt_tag t;
	char *p;
	int at;

	/* Anything but the plain case (version 17, blocks in order, a name
	 * that is one path component) goes to libfdt itself. */
	if (namelen > 255 || strchr(name, '/') || dt_blocks(fdt, &b) ||
	    !writable_layout(fdt) || dt_tag(&b, 0, &t) || t.tag != FDT_BEGIN_NODE)
		return fdt_add_subnode(fdt, 0, name);
	at = dt_root_child(fdt, name);
	if (at >= 0)
		return -FDT_ERR_EXISTS;
	/* A tag the pass refuses may lie where libfdt's search does not
	 * look, or be one it reads: its answer, then. */
	if (at != -FDT_ERR_NOTFOUND)
		return fdt_add_subnode(fdt, 0, name);
	/* After the root's properties, where libfdt puts a new node. */
	do {
		at = t.next;
		if (dt_tag(&b, at, &t))
			return fdt_add_subnode(fdt, 0, name);
	} while (t.tag == FDT_PROP || t.tag == FDT_NOP);
	nodelen = FDT_TAGSIZE + TAG_ALIGN((uint32_t)namelen + 1) + FDT_TAGSIZE;
	/* writable_layout() bounds dsize by totalsize, a uint32_t. */
	dsize = fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt);
	if (fdt_totalsize(fdt) - dsize < nodelen)
		return -FDT_ERR_NOSPACE;
	p = (char *)fdt + fdt_off_dt_struct(fdt) + at;
	memmove(p + nodelen, p, (size_t)((char *)fdt + dsize - p));
	*(fdt32_t *)(void *)p = cpu_to_fdt32(FDT_BEGIN_NODE);
	memset(p + FDT_TAGSIZE, 0, nodelen - 2 * FDT_TAGSIZE);
	memcpy(p + FDT_TAGSIZE, name, namelen);
	*(fdt32_t *)(void *)(p + nodelen - FDT_TAGSIZE) = cpu_to_fdt32(FDT_END_NODE);
	fdt_set_size_dt_struct(fdt, fdt_size_dt_struct(fdt) + nodelen);
	fdt_set_off_dt_strings(fdt, fdt_off_dt_strings(fdt) + nodelen);
	return at;
}

int dt_cpu_mpidrs(const void *fdt, uint64_t *mpidr, bool *ok, int max)
{
	int at[CPUS_AT_ONCE], cpus = 0, ac, sc, n;

	if (max > CPUS_AT_ONCE)
		max = CPUS_AT_ONCE;
	n = cpu_nodes(fdt, at, max, &cpus);
	if (n <= 0)
		return n;
	/* As dt_cpu_mpidr() reads each: /cpus's cells, errors included. */
	ac = fdt_address_cells(fdt, cpus);
	sc = fdt_size_cells(fdt, cpus);
	for (int i = 0; i < n; i++)
		ok[i] = dt_reg_cells(fdt, at[i], ac, sc, 0, &mpidr[i], NULL) == 0;
	return n;
}
