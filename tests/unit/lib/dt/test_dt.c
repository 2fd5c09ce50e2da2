/*
 * Device-tree queries (lib/dt/dt.c): every tree is built in memory with
 * libfdt's sequential-write API, so each case states exactly the DT it
 * reads, malformed properties included.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libfdt.h>

#include <lib/dt/dt.h>
#include <lib/mm/memmap.h>

#include "unit.h"

/* --- building trees ------------------------------------------------------ */

static char blob[16384] __attribute__((aligned(8)));
static char big[32768] __attribute__((aligned(8)));
static int build_failed;

/* Every libfdt call of the builder must succeed, or the case fails. */
#define SW(call)                                                                    \
	do {                                                                        \
		int sw_err_ = (call);                                               \
		if (sw_err_ < 0) {                                                  \
			printf("  libfdt: %s: %s\n", #call, fdt_strerror(sw_err_)); \
			build_failed = 1;                                           \
		}                                                                   \
	} while (0)

/* Starts a tree; reservemap entries may follow, then tree_root(). */
static void tree_start(void)
{
	build_failed = 0;
	memset(blob, 0, sizeof(blob));
	SW(fdt_create(blob, sizeof(blob)));
}

static void rsv(uint64_t base, uint64_t size)
{
	SW(fdt_add_reservemap_entry(blob, base, size));
}

static void prop_u32(const char *name, uint32_t v)
{
	SW(fdt_property_u32(blob, name, v));
}

static void prop_str(const char *name, const char *s)
{
	SW(fdt_property_string(blob, name, s));
}

/* A property of exactly len bytes: no terminator is added. */
static void prop_raw(const char *name, const void *v, int len)
{
	SW(fdt_property(blob, name, v, len));
}

/* A property of n big-endian cells given as arguments. */
static void prop_cells(const char *name, int n, ...)
{
	fdt32_t c[16];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n && i < 16; i++)
		c[i] = cpu_to_fdt32(va_arg(ap, uint32_t));
	va_end(ap);
	prop_raw(name, c, n * 4);
}

/* reg with n (base, size) pairs encoded in ac address and sc size cells. */
static void prop_reg(int ac, int sc, int n, const uint64_t *pairs)
{
	fdt32_t c[32];
	int k = 0;

	for (int i = 0; i < n; i++) {
		for (int j = ac - 1; j >= 0; j--)
			c[k++] = cpu_to_fdt32((uint32_t)(pairs[2 * i] >> (32 * j)));
		for (int j = sc - 1; j >= 0; j--)
			c[k++] = cpu_to_fdt32((uint32_t)(pairs[2 * i + 1] >> (32 * j)));
	}
	prop_raw("reg", c, k * 4);
}

static void reg64(uint64_t base, uint64_t size) /* for 2/2 parents */
{
	const uint64_t p[2] = {base, size};

	prop_reg(2, 2, 1, p);
}

static void begin(const char *name)
{
	SW(fdt_begin_node(blob, name));
}

static void end(void)
{
	SW(fdt_end_node(blob));
}

/* Ends the reservemap and opens the root; ac/sc < 0 leaves them out. */
static void tree_root(int ac, int sc)
{
	SW(fdt_finish_reservemap(blob));
	begin("");
	if (ac >= 0)
		prop_u32("#address-cells", (uint32_t)ac);
	if (sc >= 0)
		prop_u32("#size-cells", (uint32_t)sc);
}

/* Closes the root and the tree, which must then be well formed. */
static const void *tree_done(void)
{
	end();
	SW(fdt_finish(blob));
	CHECK(!build_failed);
	CHECK_EQ(fdt_check_header(blob), 0);
	/* Also catches begin/end pairs that do not match. */
	CHECK_EQ(fdt_check_full(blob, sizeof(blob)), 0);
	return blob;
}

/* The finished tree copied into big with room for additions. */
static void *tree_open(void)
{
	const void *fdt = tree_done();

	CHECK_EQ(fdt_open_into(fdt, big, sizeof(big)), 0);
	return big;
}

static int node_at(const void *fdt, const char *path)
{
	int n = fdt_path_offset(fdt, path);

	if (n < 0)
		printf("  no node %s: %s\n", path, fdt_strerror(n));
	CHECK(n >= 0);
	return n;
}

static void check_region(const struct memmap *m, uint32_t i, uint64_t base, uint64_t size,
			 uint32_t type)
{
	CHECK(i < m->count);
	if (i >= m->count)
		return;
	CHECK_EQ(m->r[i].base, base);
	CHECK_EQ(m->r[i].size, size);
	CHECK_EQ(m->r[i].type, type);
}

/* --- dt_reg --------------------------------------------------------------- */

/* A parent /bus with the given cells and a child dev holding raw reg cells. */
static const void *reg_tree(int ac, int sc, int ncells, const uint32_t *cells)
{
	fdt32_t c[16];

	for (int i = 0; i < ncells; i++)
		c[i] = cpu_to_fdt32(cells[i]);
	tree_start();
	tree_root(2, 2);
	begin("bus");
	if (ac >= 0)
		prop_u32("#address-cells", (uint32_t)ac);
	if (sc >= 0)
		prop_u32("#size-cells", (uint32_t)sc);
	begin("dev");
	if (ncells >= 0)
		prop_raw("reg", c, ncells * 4);
	end();
	end();
	return tree_done();
}

static void reg_cells_2_2(void)
{
	const uint32_t c[] = {0x1,	  0x23456000, 0x0, 0x1000,
			      0xfedcba98, 0x76543000, 0x2, 0x80000000};
	const void *fdt = reg_tree(2, 2, 8, c);
	int dev = node_at(fdt, "/bus/dev");
	uint64_t base = 0, size = 0;

	CHECK_EQ(dt_reg(fdt, dev, 0, &base, &size), 0);
	CHECK_EQ(base, 0x123456000ULL);
	CHECK_EQ(size, 0x1000);
	CHECK_EQ(dt_reg(fdt, dev, 1, &base, &size), 0);
	CHECK_EQ(base, 0xfedcba9876543000ULL);
	CHECK_EQ(size, 0x280000000ULL);
	base = size = 0x55;
	CHECK_EQ(dt_reg(fdt, dev, 2, &base, &size), DT_E_NOTFOUND);
	CHECK_EQ(dt_reg(fdt, dev, -1, &base, &size), DT_E_NOTFOUND);
	CHECK_EQ(base, 0x55);
	CHECK_EQ(size, 0x55);
	/* The size may be left out. */
	base = 0;
	CHECK_EQ(dt_reg(fdt, dev, 1, &base, NULL), 0);
	CHECK_EQ(base, 0xfedcba9876543000ULL);
}

static void reg_cells_1_1(void)
{
	const uint32_t c[] = {0x9000000, 0x1000, 0x9010000, 0x2000, 0xfffff000, 0x1000};
	const void *fdt = reg_tree(1, 1, 6, c);
	int dev = node_at(fdt, "/bus/dev");
	uint64_t base = 0, size = 0;

	CHECK_EQ(dt_reg(fdt, dev, 0, &base, &size), 0);
	CHECK_EQ(base, 0x9000000);
	CHECK_EQ(size, 0x1000);
	CHECK_EQ(dt_reg(fdt, dev, 1, &base, &size), 0);
	CHECK_EQ(base, 0x9010000);
	CHECK_EQ(size, 0x2000);
	CHECK_EQ(dt_reg(fdt, dev, 2, &base, &size), 0);
	CHECK_EQ(base, 0xfffff000ULL);
	CHECK_EQ(size, 0x1000);
	CHECK_EQ(dt_reg(fdt, dev, 3, &base, &size), DT_E_NOTFOUND);
}

static void reg_cells_2_1(void)
{
	const uint32_t c[] = {0x80, 0x00001000, 0x4000, 0x0, 0x40000000, 0xffffffff};
	const void *fdt = reg_tree(2, 1, 6, c);
	int dev = node_at(fdt, "/bus/dev");
	uint64_t base = 0, size = 0;

	CHECK_EQ(dt_reg(fdt, dev, 0, &base, &size), 0);
	CHECK_EQ(base, 0x8000001000ULL);
	CHECK_EQ(size, 0x4000);
	CHECK_EQ(dt_reg(fdt, dev, 1, &base, &size), 0);
	CHECK_EQ(base, 0x40000000);
	CHECK_EQ(size, 0xffffffffULL);
	CHECK_EQ(dt_reg(fdt, dev, 2, &base, &size), DT_E_NOTFOUND);
}

static void reg_cells_1_0(void)
{
	const uint32_t c[] = {0x0, 0x1, 0x100};
	const void *fdt = reg_tree(1, 0, 3, c);
	int dev = node_at(fdt, "/bus/dev");
	uint64_t base = 0x55, size = 0x55;

	CHECK_EQ(dt_reg(fdt, dev, 0, &base, &size), 0);
	CHECK_EQ(base, 0);
	CHECK_EQ(size, 0); /* no size cells: size 0, not left unset */
	CHECK_EQ(dt_reg(fdt, dev, 2, &base, &size), 0);
	CHECK_EQ(base, 0x100);
	CHECK_EQ(dt_reg(fdt, dev, 3, &base, &size), DT_E_NOTFOUND);
}

/* Without #address-cells/#size-cells the parent's defaults are 2 and 1. */
static void reg_default_cells(void)
{
	const uint32_t c[] = {0x1, 0x0, 0x3000};
	const void *fdt = reg_tree(-1, -1, 3, c);
	int dev = node_at(fdt, "/bus/dev");
	uint64_t base = 0, size = 0;

	CHECK_EQ(dt_reg(fdt, dev, 0, &base, &size), 0);
	CHECK_EQ(base, 0x100000000ULL);
	CHECK_EQ(size, 0x3000);
}

static void reg_too_short(void)
{
	/* 2/2 needs 16 bytes per entry: 12 is not one entry, 28 not two. */
	const uint32_t c[] = {0x0, 0x40000000, 0x0, 0x1000, 0x0, 0x50000000, 0x0};
	const void *fdt = reg_tree(2, 2, 3, c);
	int dev = node_at(fdt, "/bus/dev");
	uint64_t base = 0x55, size = 0x55;

	CHECK_EQ(dt_reg(fdt, dev, 0, &base, &size), DT_E_NOTFOUND);
	CHECK_EQ(base, 0x55);
	CHECK_EQ(size, 0x55);

	fdt = reg_tree(2, 2, 7, c);
	dev = node_at(fdt, "/bus/dev");
	CHECK_EQ(dt_reg(fdt, dev, 0, &base, &size), 0);
	CHECK_EQ(base, 0x40000000);
	CHECK_EQ(size, 0x1000);
	CHECK_EQ(dt_reg(fdt, dev, 1, &base, &size), DT_E_NOTFOUND);

	/* An empty reg has no entry at all. */
	fdt = reg_tree(1, 1, 0, c);
	dev = node_at(fdt, "/bus/dev");
	CHECK_EQ(dt_reg(fdt, dev, 0, &base, &size), DT_E_NOTFOUND);
}

static void reg_missing(void)
{
	const void *fdt = reg_tree(2, 2, -1, NULL);
	int dev = node_at(fdt, "/bus/dev");
	uint64_t base = 0x55, size = 0x55;

	CHECK_EQ(dt_reg(fdt, dev, 0, &base, &size), DT_E_NOTFOUND);
	CHECK_EQ(base, 0x55);
	CHECK_EQ(size, 0x55);
}

static void reg_cells_refused(void)
{
	const uint32_t c[] = {0, 0, 0, 0, 0, 0, 0, 0};
	uint64_t base, size;
	const void *fdt;

	fdt = reg_tree(3, 2, 5, c); /* PCI-style 3 address cells */
	CHECK_EQ(dt_reg(fdt, node_at(fdt, "/bus/dev"), 0, &base, &size), DT_E_BADNODE);
	fdt = reg_tree(2, 3, 5, c);
	CHECK_EQ(dt_reg(fdt, node_at(fdt, "/bus/dev"), 0, &base, &size), DT_E_BADNODE);
	fdt = reg_tree(4, 4, 8, c);
	CHECK_EQ(dt_reg(fdt, node_at(fdt, "/bus/dev"), 0, &base, &size), DT_E_BADNODE);
	/* An address needs at least one cell. */
	fdt = reg_tree(0, 1, 1, c);
	CHECK_EQ(dt_reg(fdt, node_at(fdt, "/bus/dev"), 0, &base, &size), DT_E_BADNODE);
	/* The root has no parent to give its cells. */
	CHECK_EQ(dt_reg(fdt, 0, 0, &base, &size), DT_E_BADNODE);
}

/* The parent's cells given: what dt_reg() reads, from the same checks. */
static void reg_cells_given(void)
{
	const uint32_t c[] = {0x1, 0x23456000, 0x0, 0x1000, 0x9, 0x8};
	const void *fdt = reg_tree(2, 2, 6, c);
	int dev = node_at(fdt, "/bus/dev");
	uint64_t base = 0, size = 0;

	CHECK_EQ(dt_reg_cells(fdt, dev, 2, 2, 0, &base, &size), 0);
	CHECK_EQ(base, 0x123456000ULL);
	CHECK_EQ(size, 0x1000);
	/* Other cells than the parent's read the same bytes otherwise. */
	CHECK_EQ(dt_reg_cells(fdt, dev, 1, 1, 2, &base, &size), 0);
	CHECK_EQ(base, 0x9);
	CHECK_EQ(size, 0x8);
	CHECK_EQ(dt_reg_cells(fdt, dev, 1, 0, 5, &base, NULL), 0);
	CHECK_EQ(base, 0x8);
	CHECK_EQ(dt_reg_cells(fdt, dev, 2, 2, 1, &base, &size), DT_E_NOTFOUND);
	CHECK_EQ(dt_reg_cells(fdt, dev, 1, 0, 6, &base, NULL), DT_E_NOTFOUND);
	CHECK_EQ(dt_reg_cells(fdt, dev, 2, 2, -1, &base, &size), DT_E_NOTFOUND);
	/* Cells dt_reg() refuses, and libfdt's errors for them. */
	CHECK_EQ(dt_reg_cells(fdt, dev, 3, 2, 0, &base, &size), DT_E_BADNODE);
	CHECK_EQ(dt_reg_cells(fdt, dev, 0, 1, 0, &base, &size), DT_E_BADNODE);
	CHECK_EQ(dt_reg_cells(fdt, dev, 2, 3, 0, &base, &size), DT_E_BADNODE);
	CHECK_EQ(dt_reg_cells(fdt, dev, -FDT_ERR_BADNCELLS, 2, 0, &base, &size),
		 DT_E_BADNODE);
	CHECK_EQ(dt_reg_cells(fdt, dev, 2, -FDT_ERR_BADNCELLS, 0, &base, &size),
		 DT_E_BADNODE);
}

/* --- dt_blocks, dt_tag ------------------------------------------------------ */

/* A tree with a NOP, an empty property, long names and nesting. */
static void *tag_tree(void)
{
	void *fdt;

	tree_start();
	tree_root(2, 2);
	prop_raw("empty", NULL, 0);
	begin("a-node-with-a-rather-long-name@12345678");
	prop_str("compatible", "x,y");
	prop_cells("three", 3, 1, 2, 3);
	begin("child");
	prop_raw("odd", "abcde", 5);
	end();
	end();
	begin("b");
	end();
	fdt = tree_open();
	CHECK_EQ(fdt_nop_node(fdt, node_at(fdt, "/b")), 0);
	return fdt;
}

/* dt_reg() finds a node's parent itself: the same one libfdt finds, for
 * every node, and the same refusals for offsets that are no node. */
static void parents_as_libfdt(void)
{
	const uint64_t r[2] = {0x1000, 0x10};
	void *fdt;
	char path[64];
	uint64_t base, size;
	int node, depth = 0, n = 0;

	tree_start();
	tree_root(2, 2);
	for (int d = 0; d < 20; d++) { /* deeper than the pass follows */
		snprintf(path, sizeof(path), "n%d", d);
		begin(path);
		prop_u32("#address-cells", 1);
		prop_u32("#size-cells", d % 2);
		if (d)
			prop_reg(1, (d + 1) % 2, 1, r);
		else
			reg64(0x2000, 0x20);
	}
	for (int d = 0; d < 20; d++)
		end();
	begin("last");
	reg64(0x2000, 0x20);
	end();
	fdt = tree_open();
	for (node = 0; node >= 0 && depth >= 0; node = fdt_next_node(fdt, node, &depth)) {
		int want = fdt_parent_offset(fdt, node);
		int err = dt_reg(fdt, node, 0, &base, &size);

		n++;
		if (want < 0) {
			CHECK_EQ(err, DT_E_BADNODE);
			continue;
		}
		CHECK_EQ(err, 0);
		CHECK_EQ(base, fdt_address_cells(fdt, want) == 1 ? 0x1000 : 0x2000);
	}
	CHECK_EQ(n, 22);
	/* Offsets inside a node, past the tree, negative. */
	node = node_at(fdt, "/last");
	CHECK_EQ(dt_reg(fdt, node + 4, 0, &base, &size), DT_E_BADNODE);
	CHECK_EQ(dt_reg(fdt, 1 << 20, 0, &base, &size), DT_E_BADNODE);
	CHECK_EQ(dt_reg(fdt, -1, 0, &base, &size), DT_E_BADNODE);
}

/* dt_root_child() finds what fdt_path_offset() finds for "/name". */
static void root_child_as_libfdt(void)
{
	static const char *const names[] = {
		"chosen",  "cpus", "memory", "memory@40000000", "memory@4", "nested",
		"missing", "a",	   "ab",     "b@1@2",		"b@1",	    "b",
	};
	const void *fdt;

	tree_start();
	tree_root(2, 2);
	begin("ab");
	begin("nested");
	end();
	begin("cpus");
	end();
	end();
	begin("memory@40000000");
	end();
	begin("memory@50000000");
	end();
	begin("b@1@2");
	end();
	begin("cpus");
	end();
	begin("chosen");
	end();
	fdt = tree_done();
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[32];
		int want, got = dt_root_child(fdt, names[i]);

		snprintf(path, sizeof(path), "/%s", names[i]);
		want = fdt_path_offset(fdt, path);
		if (got != want)
			printf("  %s: %d, libfdt %d\n", names[i], got, want);
		CHECK_EQ(got, want);
	}
	CHECK_EQ(dt_root_child(fdt, "nested"), -FDT_ERR_NOTFOUND);
	CHECK(dt_root_child(fdt, "memory") > 0);
}

/* Every tag as libfdt reads it: same tags, offsets, names and values. */
static void tags_read_as_libfdt(void)
{
	void *fdt = tag_tree();
	struct dt_blocks b;
	struct dt_tag t;
	int off = 0, next, props = 0, nodes = 0, nops = 0;
	uint32_t tag;

	CHECK_EQ(dt_blocks(fdt, &b), 0);
	do {
		tag = fdt_next_tag(fdt, off, &next);
		CHECK_EQ(dt_tag(&b, off, &t), 0);
		CHECK_EQ(t.tag, tag);
		CHECK_EQ(t.next, next);
		if (tag == FDT_BEGIN_NODE) {
			nodes++;
			CHECK_EQ(strcmp(t.name, fdt_get_name(fdt, off, NULL)), 0);
		} else if (tag == FDT_PROP) {
			const char *name;
			int len;
			const void *v = fdt_getprop_by_offset(fdt, off, &name, &len);

			props++;
			CHECK(v == t.val);
			CHECK_EQ(t.len, len);
			CHECK_EQ(strcmp(t.name, name), 0);
		} else if (tag == FDT_NOP) {
			nops++;
		}
		off = next;
	} while (tag != FDT_END);
	CHECK_EQ(nodes, 3);
	CHECK_EQ(props, 6);
	CHECK(nops > 0);
	/* Past the end, not on a tag boundary, negative. */
	CHECK_EQ(dt_tag(&b, off, &t), -FDT_ERR_BADOFFSET);
	CHECK_EQ(dt_tag(&b, 2, &t), -FDT_ERR_BADOFFSET);
	CHECK_EQ(dt_tag(&b, -4, &t), -FDT_ERR_BADOFFSET);
}

static void tags_refused(void)
{
	void *fdt = tag_tree();
	char *st = (char *)fdt + fdt_off_dt_struct(fdt);
	int node = node_at(fdt, "/a-node-with-a-rather-long-name@12345678");
	int prop = fdt_first_property_offset(fdt, node);
	uint32_t size = fdt_size_dt_struct(fdt);
	struct dt_blocks b;
	struct dt_tag t;
	fdt32_t *w = (fdt32_t *)(void *)(st + prop), saved;

	CHECK_EQ(dt_blocks(fdt, &b), 0);
	CHECK_EQ(dt_tag(&b, prop, &t), 0);
	/* A length past the block, then one that just fits. */
	saved = w[1];
	w[1] = cpu_to_fdt32(size - (uint32_t)prop - 11);
	CHECK_EQ(dt_tag(&b, prop, &t), -FDT_ERR_TRUNCATED);
	w[1] = cpu_to_fdt32(size - (uint32_t)prop - 12);
	CHECK_EQ(dt_tag(&b, prop, &t), 0);
	w[1] = cpu_to_fdt32(0xfffffff0u);
	CHECK_EQ(dt_tag(&b, prop, &t), -FDT_ERR_TRUNCATED);
	w[1] = saved;
	/* A name outside the strings block, or running to its end. */
	saved = w[2];
	w[2] = cpu_to_fdt32(fdt_size_dt_strings(fdt));
	CHECK_EQ(dt_tag(&b, prop, &t), -FDT_ERR_BADSTRUCTURE);
	/* A strings block ending in its NUL is read without a search. */
	CHECK(b.str_ends_nul);
	b.str_size = fdt32_to_cpu(saved) + 3;		/* "compatible" cut short */
	b.str_ends_nul = b.str[b.str_size - 1] == '\0'; /* as dt_blocks() sets it */
	CHECK(!b.str_ends_nul);
	w[2] = saved;
	CHECK_EQ(dt_tag(&b, prop, &t), -FDT_ERR_BADSTRUCTURE);
	CHECK_EQ(dt_blocks(fdt, &b), 0);
	/* A tag of no kind. */
	saved = w[0];
	w[0] = cpu_to_fdt32(0x77);
	CHECK_EQ(dt_tag(&b, prop, &t), -FDT_ERR_BADSTRUCTURE);
	w[0] = saved;
	/* A block cut inside a property header and inside a node name. */
	b.st_size = (uint32_t)prop + 8;
	CHECK_EQ(dt_tag(&b, prop, &t), -FDT_ERR_TRUNCATED);
	b.st_size = (uint32_t)node + 12;
	CHECK_EQ(dt_tag(&b, node, &t), -FDT_ERR_TRUNCATED);
	/* Trees dt_blocks() will not read. */
	fdt_set_version(fdt, 16);
	CHECK_EQ(dt_blocks(fdt, &b), -FDT_ERR_BADVERSION);
	fdt_set_version(fdt, 17);
	fdt_set_magic(fdt, 0);
	CHECK(dt_blocks(fdt, &b) < 0);
	fdt_set_magic(fdt, FDT_MAGIC);
	fdt_set_off_dt_struct(fdt, fdt_off_dt_struct(fdt) + 2);
	CHECK_EQ(dt_blocks(fdt, &b), -FDT_ERR_ALIGNMENT);
}

/*
 * The largest index must be refused like any other index out of range. Run
 * in a child: with UBSan a signed overflow in dt_reg would end the process.
 */
static void reg_index_int_max(void)
{
	const uint32_t c[] = {0x0, 0x40000000, 0x0, 0x1000};
	const void *fdt = reg_tree(2, 2, 4, c);
	int dev = node_at(fdt, "/bus/dev");
	int status = 0;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		uint64_t base, size;

		_exit(dt_reg(fdt, dev, INT_MAX, &base, &size) == DT_E_NOTFOUND ? 0 : 1);
	}
	if (pid > 0) {
		CHECK_EQ(waitpid(pid, &status, 0), pid);
		CHECK(WIFEXITED(status));
		CHECK_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : 99, 0);
	}
}

/* --- dt_node_enabled ------------------------------------------------------ */

/* One node per status; len < 0: no status property. */
static bool enabled_with(const char *status, int len)
{
	const void *fdt;

	tree_start();
	tree_root(2, 2);
	begin("dev");
	if (len >= 0)
		prop_raw("status", status, len);
	end();
	fdt = tree_done();
	return dt_node_enabled(fdt, node_at(fdt, "/dev"));
}

static void node_enabled_status(void)
{
	CHECK(enabled_with(NULL, -1));
	CHECK(enabled_with("okay", 5));
	CHECK(enabled_with("ok", 3));
	CHECK(!enabled_with("disabled", 9));
	CHECK(!enabled_with("fail", 5));
	CHECK(!enabled_with("fail-sss", 9));
	CHECK(!enabled_with("reserved", 9));
	CHECK(!enabled_with("okay-not", 9));
	CHECK(!enabled_with("okayokay", 9));
}

static void node_enabled_odd_lengths(void)
{
	CHECK(!enabled_with("", 0));
	CHECK(!enabled_with("", 1));
	CHECK(!enabled_with("o", 1));
	CHECK(!enabled_with("ok", 2)); /* unterminated */
	CHECK(!enabled_with("okX", 3));
	CHECK(!enabled_with("okayokay", 8)); /* unterminated */
	CHECK(!enabled_with("disabled", 8)); /* unterminated */
	CHECK(!enabled_with("o\0\0", 3));
	/* Trailing padding after the terminator does not change the string. */
	CHECK(enabled_with("okay\0\0\0", 8));
}

/* "oka" is a prefix of "okay", not "okay": the node is not enabled. */
static void node_enabled_prefix_of_okay(void)
{
	CHECK(!enabled_with("oka", 3));
}

/* --- dt_node_by_compatible, dt_node_by_phandle ------------------------------ */

/* Nodes whose compatible and phandle properties take each path through
 * the pass: first of two, among a node's own properties or a child's,
 * after a NOP, one-cell or not, "phandle" beside "linux,phandle". */
static void *lookup_tree(void)
{
	static const char list[] = "x,first\0x,second\0x,third";
	void *fdt;

	tree_start();
	tree_root(2, 2);
	prop_str("compatible", "x,root");
	begin("a");
	prop_str("compatible", "x,dup-first");
	prop_str("compatible", "x,dup-second");
	prop_u32("phandle", 1);
	begin("a-child");
	prop_raw("compatible", list, sizeof(list));
	prop_u32("linux,phandle", 2);
	end();
	end();
	begin("b");
	prop_str("nop-me", "gone");
	prop_str("compatible", "x,after-nop");
	prop_cells("phandle", 2, 3, 3); /* two cells: linux,phandle counts */
	prop_u32("linux,phandle", 4);
	end();
	begin("c");
	prop_u32("phandle", 0); /* one cell of 0: linux,phandle ignored */
	prop_u32("linux,phandle", 5);
	prop_u32("phandle", 6); /* a second phandle: never read */
	prop_raw("compatible", "x,unterminated", 14);
	end();
	begin("d");
	prop_u32("linux,phandle", 7);
	prop_u32("phandle", 8); /* phandle wins over linux,phandle */
	prop_str("compatible", "x,second");
	end();
	fdt = tree_open();
	CHECK_EQ(fdt_nop_property(fdt, node_at(fdt, "/b"), "nop-me"), 0);
	return fdt;
}

static void node_by_compatible_as_libfdt(void)
{
	static const char *const compats[] = {
		"x,root",  "x,dup-first", "x,dup-second",   "x,first", "x,second",
		"x,third", "x,after-nop", "x,unterminated", "x,",      "x,first\0x,sec",
		"",	   "missing",
	};
	const void *fdt = lookup_tree();
	int found = 0;

	for (unsigned i = 0; i < sizeof(compats) / sizeof(compats[0]); i++) {
		int got, want, start = -1;

		/* Every match in turn, as a caller looping with start. */
		do {
			got = dt_node_by_compatible(fdt, start, compats[i]);
			want = fdt_node_offset_by_compatible(fdt, start, compats[i]);
			if (got != want)
				printf("  %s after %d: %d, libfdt %d\n", compats[i],
				       start, got, want);
			CHECK_EQ(got, want);
			found += got >= 0;
			start = got;
		} while (got >= 0);
	}
	/* Not a vacuous agreement: libfdt finds 14 (an empty compat matches
	 * every node whose list holds an empty string, or whose value is
	 * followed by a zero byte, as libfdt compares one byte past). */
	CHECK_EQ(found, 14);
	CHECK_EQ(dt_node_by_compatible(fdt, -1, "x,second"), node_at(fdt, "/a/a-child"));
	/* A start that is no node is refused, as libfdt refuses it. */
	CHECK_EQ(dt_node_by_compatible(fdt, 4, "x,root"), -FDT_ERR_BADOFFSET);
	CHECK_EQ(dt_node_by_compatible(fdt, 1, "x,root"), -FDT_ERR_BADOFFSET);
}

static void node_by_phandle_as_libfdt(void)
{
	const void *fdt = lookup_tree();

	for (uint32_t ph = 0; ph < 10; ph++) {
		int got = dt_node_by_phandle(fdt, ph),
		    want = fdt_node_offset_by_phandle(fdt, ph);

		if (got != want)
			printf("  phandle %u: %d, libfdt %d\n", ph, got, want);
		CHECK_EQ(got, want);
	}
	CHECK_EQ(dt_node_by_phandle(fdt, 1), node_at(fdt, "/a"));
	CHECK_EQ(dt_node_by_phandle(fdt, 4), node_at(fdt, "/b"));
	CHECK_EQ(dt_node_by_phandle(fdt, 8), node_at(fdt, "/d"));
	CHECK_EQ(dt_node_by_phandle(fdt, 5), -FDT_ERR_NOTFOUND);
	CHECK_EQ(dt_node_by_phandle(fdt, 0), -FDT_ERR_BADPHANDLE);
	CHECK_EQ(dt_node_by_phandle(fdt, ~0u), -FDT_ERR_BADPHANDLE);
}

/* --- dt_add_root_child ----------------------------------------------------- */

/* Adds name to a copy of tree both ways; the two trees must be the same
 * bytes, and the answers the same. */
static void add_root_child_as_libfdt(const void *tree, uint32_t size, const char *name)
{
	static char ours[sizeof(big)] __attribute__((aligned(8))),
		lib[sizeof(big)] __attribute__((aligned(8)));
	int got, want;

	memcpy(ours, tree, size);
	memcpy(lib, tree, size);
	got = dt_add_root_child(ours, name);
	want = fdt_add_subnode(lib, 0, name);
	if (got != want)
		printf("  %s: %d, libfdt %d\n", name, got, want);
	CHECK_EQ(got, want);
	CHECK(memcmp(ours, lib, size) == 0);
}

static void add_root_child(void)
{
	static const char *const names[] = {
		"psci",
		"chosen",
		"chosen@0",
		"memory",
		"pcie@4010000000",
		"a-name-of-len-12",
		"abc",
		"abcd",
		"x@1/y",
		"",
		"cpus",
		"missing@1",
	};
	void *fdt;
	uint32_t size;

	tree_start();
	tree_root(2, 2);
	prop_str("model", "root props come first");
	begin("cpus");
	begin("psci"); /* not a child of the root */
	end();
	end();
	begin("memory@40000000");
	end();
	begin("chosen");
	end();
	fdt = tree_open();
	/* A NOP among the root's properties: the node goes after it. */
	CHECK_EQ(fdt_nop_property(fdt, 0, "model"), 0);
	size = fdt_totalsize(fdt);
	CHECK(size <= sizeof(big));
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		add_root_child_as_libfdt(fdt, size, names[i]);
	CHECK_EQ(dt_add_root_child(fdt, "memory"), -FDT_ERR_EXISTS);
	CHECK_EQ(dt_add_root_child(fdt, "cpus"), -FDT_ERR_EXISTS);
	CHECK_EQ(dt_add_root_child(fdt, "psci"), node_at(fdt, "/psci"));
	CHECK_EQ(fdt_first_subnode(fdt, 0), node_at(fdt, "/psci"));
	CHECK_EQ(fdt_check_full(fdt, fdt_totalsize(fdt)), 0);

	/* No room: refused, nothing written. */
	size = fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt) + 8;
	fdt_set_totalsize(fdt, size);
	add_root_child_as_libfdt(fdt, size, "abcd"); /* 16 bytes: too many */
	add_root_child_as_libfdt(fdt, size, "ab");   /* 12 bytes: too many */
	CHECK_EQ(dt_add_root_child(fdt, "a"), -FDT_ERR_NOSPACE);
	fdt_set_totalsize(fdt, size + 4);
	add_root_child_as_libfdt(fdt, size + 4, "abc"); /* 12 bytes: fits */
	/* Blocks out of order, or another version: libfdt's own answer. */
	fdt_set_totalsize(fdt, size + 64);
	fdt_set_version(fdt, 16);
	add_root_child_as_libfdt(fdt, size + 64, "v16");
	fdt_set_version(fdt, 17);
	fdt_set_off_dt_strings(fdt, fdt_off_dt_strings(fdt) - 4);
	add_root_child_as_libfdt(fdt, size + 64, "misordered");
}

/* --- dt_find_compatible --------------------------------------------------- */

static void find_compatible(void)
{
	static const char both[] = "vendor,uart\0arm,pl011";
	const void *fdt;
	uint64_t base = 0, size = 0;

	tree_start();
	tree_root(2, 2);
	begin("soc");
	prop_u32("#address-cells", 1);
	prop_u32("#size-cells", 1);
	begin("uart@1000");
	prop_str("compatible", "arm,pl011");
	prop_str("status", "disabled");
	prop_cells("reg", 2, 0x1000, 0x100);
	end();
	begin("gpio@1800");
	prop_str("compatible", "arm,pl061");
	prop_cells("reg", 2, 0x1800, 0x100);
	end();
	begin("uart@2000");
	prop_raw("compatible", both, sizeof(both));
	prop_str("status", "okay");
	prop_cells("reg", 2, 0x2000, 0x200);
	end();
	begin("uart@3000");
	prop_str("compatible", "arm,pl011");
	prop_cells("reg", 2, 0x3000, 0x300);
	end();
	begin("rtc@4000");
	prop_str("compatible", "arm,pl031");
	prop_str("status", "disabled");
	prop_cells("reg", 2, 0x4000, 0x100);
	end();
	begin("wdt@5000");
	prop_str("compatible", "arm,sp805");
	end();
	end();
	fdt = tree_done();

	CHECK_EQ(dt_find_compatible(fdt, "arm,pl011", &base, &size),
		 node_at(fdt, "/soc/uart@2000"));
	CHECK_EQ(base, 0x2000);
	CHECK_EQ(size, 0x200);
	CHECK_EQ(dt_find_compatible(fdt, "arm,pl061", &base, NULL),
		 node_at(fdt, "/soc/gpio@1800"));
	CHECK_EQ(base, 0x1800);
	/* Only match disabled, and nothing matching at all. */
	base = 0x55;
	CHECK_EQ(dt_find_compatible(fdt, "arm,pl031", &base, &size), DT_E_NOTFOUND);
	CHECK_EQ(dt_find_compatible(fdt, "qemu,fw-cfg-mmio", &base, &size),
		 DT_E_NOTFOUND);
	CHECK_EQ(dt_find_compatible(fdt, "arm,pl01", &base, &size), DT_E_NOTFOUND);
	CHECK_EQ(base, 0x55);
	/* An enabled match without reg is malformed. */
	CHECK_EQ(dt_find_compatible(fdt, "arm,sp805", &base, &size), DT_E_BADNODE);
}

/* --- dt_stdout_pl011 ------------------------------------------------------ */

/* A 126-character node name: "/" + it is the longest path that fits. */
static char long_name[127];
static char longer_name[128];

static void make_long_names(void)
{
	memset(long_name, 'u', sizeof(long_name) - 1);
	memcpy(long_name + sizeof(long_name) - 1 - 8, "@9100000", 8);
	long_name[sizeof(long_name) - 1] = '\0';
	memset(longer_name, 'u', sizeof(longer_name) - 1);
	memcpy(longer_name + sizeof(longer_name) - 1 - 8, "@9200000", 8);
	longer_name[sizeof(longer_name) - 1] = '\0';
}

static void pl011_node(const char *name, uint64_t base)
{
	static const char compat[] = "arm,pl011\0arm,primecell";

	begin(name);
	prop_raw("compatible", compat, sizeof(compat));
	reg64(base, 0x1000);
	end();
}

/*
 * QEMU virt's layout. chosen: 0 no /chosen, 1 /chosen without
 * stdout-path, 2 /chosen with stdout-path = stdout.
 */
static const void *stdout_tree(int chosen, const char *stdout)
{
	make_long_names();
	tree_start();
	tree_root(2, 2);
	if (chosen) {
		begin("chosen");
		if (chosen == 2)
			prop_str("stdout-path", stdout);
		end();
	}
	begin("aliases");
	prop_str("serial0", "/pl011@9000000");
	prop_str("gpio0", "/pl061@9030000");
	end();
	pl011_node("pl011@9000000", 0x9000000);
	begin("pl061@9030000");
	prop_str("compatible", "arm,pl061");
	reg64(0x9030000, 0x1000);
	end();
	begin("pl011@9040000"); /* no reg */
	prop_str("compatible", "arm,pl011");
	end();
	pl011_node(long_name, 0x9100000);
	pl011_node(longer_name, 0x9200000);
	return tree_done();
}

static int stdout_base(const char *path, uint64_t *base)
{
	*base = 0x55;
	return dt_stdout_pl011(stdout_tree(2, path), base);
}

static void stdout_full_path(void)
{
	uint64_t base;

	CHECK_EQ(stdout_base("/pl011@9000000", &base), 0);
	CHECK_EQ(base, 0x9000000);
	CHECK_EQ(stdout_base("/pl011@9000000:115200n8", &base), 0);
	CHECK_EQ(base, 0x9000000);
	CHECK_EQ(stdout_base("/pl011@9000000:", &base), 0);
	CHECK_EQ(base, 0x9000000);
}

static void stdout_alias(void)
{
	uint64_t base;

	CHECK_EQ(stdout_base("serial0", &base), 0);
	CHECK_EQ(base, 0x9000000);
	CHECK_EQ(stdout_base("serial0:115200n8", &base), 0);
	CHECK_EQ(base, 0x9000000);
	/* No such alias. */
	CHECK_EQ(stdout_base("serial1", &base), DT_E_NOTFOUND);
	CHECK_EQ(base, 0x55);
}

static void stdout_not_pl011(void)
{
	uint64_t base;

	CHECK_EQ(stdout_base("/pl061@9030000", &base), DT_E_BADNODE);
	CHECK_EQ(stdout_base("gpio0:115200", &base), DT_E_BADNODE);
	CHECK_EQ(stdout_base("/aliases", &base), DT_E_BADNODE);	      /* no compatible */
	CHECK_EQ(stdout_base("/pl011@9040000", &base), DT_E_BADNODE); /* no reg */
	/* Paths that are no child of the root go to libfdt: the root, and
	 * below the root. */
	CHECK_EQ(stdout_base("/", &base), DT_E_BADNODE);
	CHECK_EQ(stdout_base("/aliases/serial0", &base), DT_E_NOTFOUND);
	CHECK_EQ(stdout_base("/chosen/", &base), DT_E_BADNODE);
	CHECK_EQ(base, 0x55);
}

static void stdout_missing(void)
{
	uint64_t base = 0x55;

	CHECK_EQ(dt_stdout_pl011(stdout_tree(0, NULL), &base), DT_E_NOTFOUND);
	CHECK_EQ(dt_stdout_pl011(stdout_tree(1, NULL), &base), DT_E_NOTFOUND);
	CHECK_EQ(base, 0x55);
	CHECK_EQ(stdout_base("/pl011@9999999", &base), DT_E_NOTFOUND);
	/* Nothing before the options. */
	CHECK_EQ(stdout_base("", &base), DT_E_BADNODE);
	CHECK_EQ(stdout_base(":115200n8", &base), DT_E_BADNODE);
	CHECK_EQ(base, 0x55);
}

static void stdout_path_length(void)
{
	char path[300];
	uint64_t base;

	/* 127 characters fit, options after them do not count. */
	snprintf(path, sizeof(path), "/%s", long_name);
	CHECK_EQ(strlen(path), 127);
	CHECK_EQ(stdout_base(path, &base), 0);
	CHECK_EQ(base, 0x9100000);
	snprintf(path, sizeof(path), "/%s:115200n8", long_name);
	CHECK_EQ(stdout_base(path, &base), 0);
	CHECK_EQ(base, 0x9100000);
	/* 128 do not, even though the node exists. */
	snprintf(path, sizeof(path), "/%s", longer_name);
	CHECK_EQ(strlen(path), 128);
	base = 0x55;
	CHECK_EQ(stdout_base(path, &base), DT_E_BADNODE);
	CHECK_EQ(base, 0x55);
	memset(path, 'a', 250);
	path[0] = '/';
	path[250] = '\0';
	CHECK_EQ(stdout_base(path, &base), DT_E_BADNODE);
}

/* --- dt_add_memory -------------------------------------------------------- */

static void memory_node(const char *name, int n, const uint64_t *pairs)
{
	begin(name);
	prop_str("device_type", "memory");
	prop_reg(2, 2, n, pairs);
	end();
}

static void add_memory_all_ranges(void)
{
	static const uint64_t high[] = {0x100000000ULL, 0x40000000, 0x80000000ULL,
					0x10000000};
	static const uint64_t low[] = {0x40000000, 0x20000000};
	struct memmap m;
	const void *fdt;

	tree_start();
	tree_root(2, 2);
	memory_node("memory@100000000", 2, high); /* out of order on purpose */
	begin("pl011@9000000");
	prop_str("compatible", "arm,pl011");
	reg64(0x9000000, 0x1000);
	end();
	memory_node("memory@40000000", 1, low);
	fdt = tree_done();

	memmap_init(&m);
	CHECK_EQ(dt_add_memory(fdt, &m), 3);
	CHECK_EQ(m.count, 3);
	check_region(&m, 0, 0x40000000, 0x20000000, MEM_FREE);
	check_region(&m, 1, 0x80000000ULL, 0x10000000, MEM_FREE);
	check_region(&m, 2, 0x100000000ULL, 0x40000000, MEM_FREE);
	CHECK_EQ(memmap_total(&m, MEM_FREE), 0x70000000ULL);
}

/* Touching ranges count as added even though the map merges them. */
static void add_memory_touching(void)
{
	static const uint64_t a[] = {0x40000000, 0x40000000};
	static const uint64_t b[] = {0x80000000ULL, 0x40000000};
	struct memmap m;
	const void *fdt;

	tree_start();
	tree_root(2, 2);
	memory_node("memory@80000000", 1, b);
	memory_node("memory@40000000", 1, a);
	fdt = tree_done();
	memmap_init(&m);
	CHECK_EQ(dt_add_memory(fdt, &m), 2);
	CHECK_EQ(m.count, 1);
	check_region(&m, 0, 0x40000000, 0x80000000ULL, MEM_FREE);
}

static void add_memory_skips_disabled(void)
{
	static const uint64_t ram[] = {0x40000000, 0x8000000};
	struct memmap m;
	const void *fdt;

	tree_start();
	tree_root(2, 2);
	/* QEMU virt with secure=on: secure RAM is for the secure world only. */
	begin("memory@e000000");
	prop_str("device_type", "memory");
	prop_str("status", "disabled");
	prop_str("secure-status", "okay");
	reg64(0xe000000, 0x1000000);
	end();
	memory_node("memory@40000000", 1, ram);
	fdt = tree_done();

	memmap_init(&m);
	CHECK_EQ(dt_add_memory(fdt, &m), 1);
	CHECK_EQ(m.count, 1);
	check_region(&m, 0, 0x40000000, 0x8000000, MEM_FREE);
}

static void add_memory_skips_empty(void)
{
	static const uint64_t empty[] = {0x20000000, 0};
	static const uint64_t mixed[] = {0x30000000, 0, 0x40000000, 0x1000000};
	struct memmap m;
	const void *fdt;

	tree_start();
	tree_root(2, 2);
	memory_node("memory@20000000", 1, empty);
	memory_node("memory@30000000", 2, mixed);
	fdt = tree_done();

	memmap_init(&m);
	CHECK_EQ(dt_add_memory(fdt, &m), 1);
	CHECK_EQ(m.count, 1);
	check_region(&m, 0, 0x40000000, 0x1000000, MEM_FREE);
}

static void add_memory_none(void)
{
	struct memmap m;
	const void *fdt;

	tree_start();
	tree_root(2, 2);
	/* Named like memory but without device_type = "memory". */
	begin("memory@40000000");
	reg64(0x40000000, 0x1000000);
	end();
	begin("sram@50000000");
	prop_str("device_type", "memoryx");
	reg64(0x50000000, 0x1000000);
	end();
	begin("empty-memory"); /* memory type without reg */
	prop_str("device_type", "memory");
	end();
	fdt = tree_done();

	memmap_init(&m);
	CHECK_EQ(dt_add_memory(fdt, &m), 0);
	CHECK_EQ(m.count, 0);

	tree_start();
	tree_root(2, 2);
	fdt = tree_done();
	CHECK_EQ(dt_add_memory(fdt, &m), 0);
	CHECK_EQ(m.count, 0);
}

static void add_memory_overlap(void)
{
	static const uint64_t a[] = {0x40000000, 0x20000000};
	static const uint64_t b[] = {0x50000000, 0x20000000};
	static const uint64_t self[] = {0x40000000, 0x1000000, 0x40800000, 0x1000000};
	struct memmap m;
	const void *fdt;

	tree_start();
	tree_root(2, 2);
	memory_node("memory@40000000", 1, a);
	memory_node("memory@50000000", 1, b);
	fdt = tree_done();
	memmap_init(&m);
	CHECK_EQ(dt_add_memory(fdt, &m), DT_E_BADNODE);

	/* Two ranges of one node overlapping each other. */
	tree_start();
	tree_root(2, 2);
	memory_node("memory@40000000", 2, self);
	fdt = tree_done();
	memmap_init(&m);
	CHECK_EQ(dt_add_memory(fdt, &m), DT_E_BADNODE);

	/* A range that wraps past the top of memory is malformed too. */
	tree_start();
	tree_root(2, 2);
	begin("memory@fffffffffffff000");
	prop_str("device_type", "memory");
	reg64(0xfffffffffffff000ULL, 0x2000);
	end();
	fdt = tree_done();
	memmap_init(&m);
	CHECK_EQ(dt_add_memory(fdt, &m), DT_E_BADNODE);
}

/* --- dt_reserve_memory ---------------------------------------------------- */

static void reserve_memory(void)
{
	struct memmap m;
	const void *fdt;

	tree_start();
	rsv(0x48000000, 0x100000); /* inside RAM */
	rsv(0x3ff00000, 0x200000); /* straddles the start of RAM */
	rsv(0x10000000, 0x1000);   /* wholly outside RAM */
	rsv(0x50000000, 0);	   /* empty */
	tree_root(2, 2);
	begin("reserved-memory");
	prop_u32("#address-cells", 1);
	prop_u32("#size-cells", 1);
	prop_raw("ranges", "", 0);
	begin("secmon@4f000000");
	prop_cells("reg", 2, 0x4f000000, 0x10000);
	prop_raw("no-map", "", 0);
	end();
	begin("tail@7ff00000"); /* straddles the end of RAM */
	prop_cells("reg", 2, 0x7ff00000, 0x200000);
	end();
	begin("two@60000000");
	prop_cells("reg", 4, 0x60000000, 0x1000, 0x60100000, 0x2000);
	end();
	begin("pool"); /* dynamically allocated: nothing fixed to reserve */
	prop_cells("size", 1, 0x400000);
	end();
	end();
	fdt = tree_done();

	memmap_init(&m);
	CHECK_EQ(memmap_add_ram(&m, 0x40000000, 0x40000000), 0);
	CHECK_EQ(dt_reserve_memory(fdt, &m), 0);
	CHECK_EQ(m.count, 11);
	check_region(&m, 0, 0x40000000, 0x100000, MEM_RESERVED);
	check_region(&m, 1, 0x40100000, 0x07f00000, MEM_FREE);
	check_region(&m, 2, 0x48000000, 0x100000, MEM_RESERVED);
	check_region(&m, 3, 0x48100000, 0x06f00000, MEM_FREE);
	check_region(&m, 4, 0x4f000000, 0x10000, MEM_RESERVED);
	check_region(&m, 5, 0x4f010000, 0x10ff0000, MEM_FREE);
	check_region(&m, 6, 0x60000000, 0x1000, MEM_RESERVED);
	check_region(&m, 7, 0x60001000, 0xff000, MEM_FREE);
	check_region(&m, 8, 0x60100000, 0x2000, MEM_RESERVED);
	check_region(&m, 9, 0x60102000, 0x1fdfe000, MEM_FREE);
	check_region(&m, 10, 0x7ff00000, 0x100000, MEM_RESERVED);
	CHECK_EQ(memmap_total(&m, MEM_RESERVED),
		 0x100000 + 0x100000 + 0x10000 + 0x1000 + 0x2000 + 0x100000);
}

static void reserve_memory_nothing(void)
{
	struct memmap m;
	const void *fdt;

	tree_start();
	tree_root(2, 2);
	fdt = tree_done();
	memmap_init(&m);
	CHECK_EQ(memmap_add_ram(&m, 0x40000000, 0x10000000), 0);
	CHECK_EQ(dt_reserve_memory(fdt, &m), 0);
	CHECK_EQ(m.count, 1);
	check_region(&m, 0, 0x40000000, 0x10000000, MEM_FREE);
}

/*
 * Reservations that overlap each other, as when a /memreserve/ entry and a
 * /reserved-memory node describe overlapping ranges: the union must end up
 * reserved, not only the first one.
 */
static void reserve_memory_overlapping(void)
{
	struct memmap m;
	const void *fdt;

	tree_start();
	rsv(0x40000000, 0x10000);
	tree_root(2, 2);
	begin("reserved-memory");
	prop_u32("#address-cells", 2);
	prop_u32("#size-cells", 2);
	prop_raw("ranges", "", 0);
	begin("fw@40008000");
	reg64(0x40008000, 0x10000);
	end();
	end();
	fdt = tree_done();

	memmap_init(&m);
	CHECK_EQ(memmap_add_ram(&m, 0x40000000, 0x10000000), 0);
	CHECK_EQ(dt_reserve_memory(fdt, &m), 0);
	check_region(&m, 0, 0x40000000, 0x18000, MEM_RESERVED);
	check_region(&m, 1, 0x40018000, 0x10000000 - 0x18000, MEM_FREE);
	CHECK_EQ(memmap_total(&m, MEM_RESERVED), 0x18000);
}

/* --- /chosen ranges ------------------------------------------------------- */

static void chosen_round_trip(void)
{
	uint64_t base = 0, size = 0;
	void *fdt;

	tree_start();
	tree_root(2, 2);
	begin("chosen");
	prop_str("bootargs", "console=ttyAMA0");
	end();
	fdt = tree_open();

	CHECK_EQ(dt_chosen_get_range(fdt, DT_CHOSEN_BOOT_IMAGE, &base, &size),
		 DT_E_NOTFOUND);
	CHECK_EQ(dt_chosen_set_range(fdt, DT_CHOSEN_BOOT_IMAGE, 0x123456789a000ULL,
				     0x200001000ULL),
		 0);
	CHECK_EQ(fdt_check_header(fdt), 0);
	CHECK_EQ(dt_chosen_get_range(fdt, DT_CHOSEN_BOOT_IMAGE, &base, &size), 0);
	CHECK_EQ(base, 0x123456789a000ULL);
	CHECK_EQ(size, 0x200001000ULL);

	/* Stored as four big-endian cells, high word first. */
	{
		int len = 0;
		const fdt32_t *p = fdt_getprop(fdt, node_at(fdt, "/chosen"),
					       DT_CHOSEN_BOOT_IMAGE, &len);

		CHECK(p != NULL);
		CHECK_EQ(len, 16);
		if (p && len == 16) {
			CHECK_EQ(fdt32_to_cpu(p[0]), 0x12345);
			CHECK_EQ(fdt32_to_cpu(p[1]), 0x6789a000);
			CHECK_EQ(fdt32_to_cpu(p[2]), 0x2);
			CHECK_EQ(fdt32_to_cpu(p[3]), 0x1000);
		}
	}

	/* Overwriting, and the extremes of both halves. */
	CHECK_EQ(dt_chosen_set_range(fdt, DT_CHOSEN_BOOT_IMAGE, 0xffffffff00000000ULL,
				     0xffffffffULL),
		 0);
	CHECK_EQ(dt_chosen_get_range(fdt, DT_CHOSEN_BOOT_IMAGE, &base, &size), 0);
	CHECK_EQ(base, 0xffffffff00000000ULL);
	CHECK_EQ(size, 0xffffffffULL);
	/* Other properties of /chosen are untouched. */
	CHECK(fdt_getprop(fdt, node_at(fdt, "/chosen"), "bootargs", NULL) != NULL);
}

static void chosen_created_when_missing(void)
{
	uint64_t base = 0, size = 0;
	void *fdt;

	tree_start();
	tree_root(2, 2);
	fdt = tree_open();

	CHECK(fdt_path_offset(fdt, "/chosen") < 0);
	CHECK_EQ(dt_chosen_get_range(fdt, "hv,test", &base, &size), DT_E_NOTFOUND);
	CHECK_EQ(dt_chosen_set_range(fdt, "hv,test", 0x880000000ULL, 0x100000000ULL), 0);
	CHECK(fdt_path_offset(fdt, "/chosen") >= 0);
	CHECK_EQ(dt_chosen_get_range(fdt, "hv,test", &base, &size), 0);
	CHECK_EQ(base, 0x880000000ULL);
	CHECK_EQ(size, 0x100000000ULL);
	/* A second property goes into the same /chosen. */
	CHECK_EQ(dt_chosen_set_range(fdt, "hv,other", 1, 2), 0);
	CHECK_EQ(dt_chosen_get_range(fdt, "hv,test", &base, &size), 0);
	CHECK_EQ(base, 0x880000000ULL);
	CHECK_EQ(dt_chosen_get_range(fdt, "hv,other", &base, &size), 0);
	CHECK_EQ(base, 1);
	CHECK_EQ(size, 2);
}

static void chosen_wrong_length(void)
{
	uint64_t base = 0x55, size = 0x55;
	const void *fdt;

	tree_start();
	tree_root(2, 2);
	begin("chosen");
	prop_cells("two-cells", 2, 0x40000000, 0x1000);
	prop_cells("five-cells", 5, 0, 0x40000000, 0, 0x1000, 0);
	prop_raw("empty", "", 0);
	prop_raw("fifteen", "0123456789abcde", 15);
	end();
	fdt = tree_done();

	CHECK_EQ(dt_chosen_get_range(fdt, "two-cells", &base, &size), DT_E_BADNODE);
	CHECK_EQ(dt_chosen_get_range(fdt, "five-cells", &base, &size), DT_E_BADNODE);
	CHECK_EQ(dt_chosen_get_range(fdt, "empty", &base, &size), DT_E_BADNODE);
	CHECK_EQ(dt_chosen_get_range(fdt, "fifteen", &base, &size), DT_E_BADNODE);
	CHECK_EQ(dt_chosen_get_range(fdt, "absent", &base, &size), DT_E_NOTFOUND);
	CHECK_EQ(base, 0x55);
	CHECK_EQ(size, 0x55);
}

/* A finished tree has no free space: setting fails and leaves it valid. */
static void chosen_set_without_space(void)
{
	uint64_t base = 0, size = 0;
	void *fdt;

	tree_start();
	tree_root(2, 2);
	begin("chosen");
	end();
	fdt = (void *)tree_done();
	CHECK_EQ(fdt_totalsize(fdt), fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt));

	CHECK(dt_chosen_set_range(fdt, DT_CHOSEN_BOOT_IMAGE, 1, 2) < 0);
	CHECK_EQ(fdt_check_header(fdt), 0);
	CHECK_EQ(dt_chosen_get_range(fdt, DT_CHOSEN_BOOT_IMAGE, &base, &size),
		 DT_E_NOTFOUND);
}

/* --- cpus ----------------------------------------------------------------- */

static void cpu_node(const char *name, int ac, uint64_t mpidr)
{
	begin(name);
	prop_str("device_type", "cpu");
	prop_str("compatible", "arm,cortex-a57");
	if (ac == 2)
		prop_cells("reg", 2, (uint32_t)(mpidr >> 32), (uint32_t)mpidr);
	else
		prop_cells("reg", 1, (uint32_t)mpidr);
	prop_str("enable-method", "psci");
	end();
}

static const void *cpus_tree(int ac)
{
	tree_start();
	tree_root(2, 2);
	begin("cpus");
	prop_u32("#address-cells", (uint32_t)ac);
	prop_u32("#size-cells", 0);
	cpu_node("cpu@0", ac, 0x0);
	cpu_node("cpu@1", ac, 0x1);
	begin("cpu-map"); /* not a cpu: no device_type */
	begin("socket0");
	begin("cluster0");
	begin("core0");
	prop_u32("cpu", 1);
	end();
	end();
	end();
	end();
	begin("idle-states");
	prop_str("entry-method", "psci");
	end();
	cpu_node("cpu@100", ac, ac == 2 ? 0x100000100ULL : 0x100);
	begin("l2-cache0");
	prop_str("compatible", "cache");
	prop_str("device_type", "cache"); /* not "cpu" either */
	end();
	cpu_node("cpu@101", ac, ac == 2 ? 0x100000101ULL : 0x101);
	end();
	return tree_done();
}

static void cpus_count_and_mpidr(void)
{
	const void *fdt = cpus_tree(1);
	uint64_t mpidr = 0x55;

	CHECK_EQ(dt_cpu_count(fdt), 4);
	CHECK_EQ(dt_cpu_mpidr(fdt, 0, &mpidr), 0);
	CHECK_EQ(mpidr, 0x0);
	CHECK_EQ(dt_cpu_mpidr(fdt, 1, &mpidr), 0);
	CHECK_EQ(mpidr, 0x1);
	CHECK_EQ(dt_cpu_mpidr(fdt, 2, &mpidr), 0);
	CHECK_EQ(mpidr, 0x100);
	CHECK_EQ(dt_cpu_mpidr(fdt, 3, &mpidr), 0);
	CHECK_EQ(mpidr, 0x101);
	mpidr = 0x55;
	CHECK_EQ(dt_cpu_mpidr(fdt, 4, &mpidr), DT_E_NOTFOUND);
	CHECK_EQ(dt_cpu_mpidr(fdt, 100, &mpidr), DT_E_NOTFOUND);
	CHECK_EQ(mpidr, 0x55);

	/* Two address cells carry Aff3 as well. */
	fdt = cpus_tree(2);
	CHECK_EQ(dt_cpu_count(fdt), 4);
	CHECK_EQ(dt_cpu_mpidr(fdt, 2, &mpidr), 0);
	CHECK_EQ(mpidr, 0x100000100ULL);
	CHECK_EQ(dt_cpu_mpidr(fdt, 3, &mpidr), 0);
	CHECK_EQ(mpidr, 0x100000101ULL);
}

/* dt_cpu_mpidrs() reads what dt_cpu_mpidr() reads, node by node. */
static void cpus_mpidrs_as_one_by_one(void)
{
	uint64_t ids[8], one;
	bool ok[8];
	const void *fdt;

	for (int ac = 1; ac <= 3; ac++) { /* 3: no reg readable */
		fdt = cpus_tree(ac);
		CHECK_EQ(dt_cpu_mpidrs(fdt, ids, ok, 8), dt_cpu_count(fdt));
		for (int i = 0; i < dt_cpu_count(fdt); i++) {
			bool want = dt_cpu_mpidr(fdt, i, &one) == 0;

			CHECK_EQ(ok[i], want);
			if (want)
				CHECK_EQ(ids[i], one);
		}
		/* More cpus than asked for: -1, the caller goes one by one. */
		CHECK_EQ(dt_cpu_mpidrs(fdt, ids, ok, 3), -1);
	}
	CHECK_EQ(dt_cpu_mpidrs(cpus_tree(1), ids, ok, 8), 4);
	CHECK(ok[3] && ids[3] == 0x101);
}

/* dt_cpus_set_enable_method() on a tree of n cpus (every third with an
 * enable-method already) leaves the bytes libfdt's own loop, first cpu
 * first, leaves: the collected offsets (n <= 64) and the slow way. */
static void cpus_enable_method_as_libfdt_loop(int n)
{
	static char ref[sizeof(big)] __attribute__((aligned(8)));
	char name[16];
	void *fdt;
	int cpus, node;

	tree_start();
	tree_root(2, 2);
	begin("cpus");
	prop_u32("#address-cells", 1);
	prop_u32("#size-cells", 0);
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "cpu@%x", i);
		begin(name);
		prop_str("device_type", "cpu");
		prop_cells("reg", 1, i);
		if (i % 3 == 1)
			prop_str("enable-method", "spin-table");
		end();
	}
	end();
	begin("chosen");
	end();
	fdt = tree_open();
	memcpy(ref, fdt, sizeof(big));
	cpus = fdt_path_offset(ref, "/cpus");
	fdt_for_each_subnode(node, ref, cpus) {
		if (!fdt_getprop(ref, node, "enable-method", NULL))
			CHECK_EQ(fdt_setprop_string(ref, node, "enable-method", "psci"),
				 0);
	}
	CHECK_EQ(dt_cpus_set_enable_method(fdt, "psci"), 0);
	CHECK(memcmp(fdt, ref, sizeof(big)) == 0);
	CHECK_EQ(dt_cpu_count(fdt), n);
}

static void cpus_enable_method_order(void)
{
	cpus_enable_method_as_libfdt_loop(1);
	cpus_enable_method_as_libfdt_loop(3);
	cpus_enable_method_as_libfdt_loop(64);
	cpus_enable_method_as_libfdt_loop(65); /* past CPUS_AT_ONCE */
}

static void cpus_enable_method(void)
{
	void *fdt;
	const char *m;
	int node;

	/* cpu@1 already says spin-table: left as it is; the others get psci. */
	tree_start();
	tree_root(2, 2);
	begin("cpus");
	prop_u32("#address-cells", 1);
	prop_u32("#size-cells", 0);
	begin("cpu@0");
	prop_str("device_type", "cpu");
	prop_cells("reg", 1, 0);
	end();
	begin("cpu@1");
	prop_str("device_type", "cpu");
	prop_cells("reg", 1, 1);
	prop_str("enable-method", "spin-table");
	end();
	begin("cpu-map");
	end();
	begin("cpu@2");
	prop_str("device_type", "cpu");
	prop_cells("reg", 1, 2);
	end();
	end();
	fdt = tree_open();
	CHECK_EQ(dt_cpus_set_enable_method(fdt, "psci"), 0);
	m = fdt_getprop(fdt, node_at(fdt, "/cpus/cpu@0"), "enable-method", NULL);
	CHECK(m && !strcmp(m, "psci"));
	m = fdt_getprop(fdt, node_at(fdt, "/cpus/cpu@1"), "enable-method", NULL);
	CHECK(m && !strcmp(m, "spin-table"));
	m = fdt_getprop(fdt, node_at(fdt, "/cpus/cpu@2"), "enable-method", NULL);
	CHECK(m && !strcmp(m, "psci"));
	node = node_at(fdt, "/cpus/cpu-map");
	CHECK(!fdt_getprop(fdt, node, "enable-method", NULL));
	CHECK_EQ(dt_cpu_count(fdt), 3);

	/* No room left: the libfdt error comes back. */
	fdt = (void *)cpus_tree(1);
	CHECK_EQ(dt_cpus_set_enable_method(fdt, "psci"), 0); /* all have one */
	tree_start();
	tree_root(2, 2);
	begin("cpus");
	prop_u32("#address-cells", 1);
	prop_u32("#size-cells", 0);
	begin("cpu@0");
	prop_str("device_type", "cpu");
	prop_cells("reg", 1, 0);
	end();
	end();
	fdt = (void *)tree_done();
	CHECK_EQ(fdt_pack(fdt), 0);
	CHECK_EQ(dt_cpus_set_enable_method(fdt, "psci"), -FDT_ERR_NOSPACE);
}

static void cpus_missing(void)
{
	uint64_t mpidr = 0x55;
	const void *fdt;

	tree_start();
	tree_root(2, 2);
	fdt = tree_done();
	CHECK_EQ(dt_cpu_count(fdt), 0);
	CHECK_EQ(dt_cpu_mpidr(fdt, 0, &mpidr), DT_E_NOTFOUND);
	CHECK_EQ(mpidr, 0x55);

	/* /cpus with no cpu in it. */
	tree_start();
	tree_root(2, 2);
	begin("cpus");
	prop_u32("#address-cells", 1);
	prop_u32("#size-cells", 0);
	begin("cpu-map");
	end();
	end();
	fdt = tree_done();
	CHECK_EQ(dt_cpu_count(fdt), 0);
	CHECK_EQ(dt_cpu_mpidr(fdt, 0, &mpidr), DT_E_NOTFOUND);
}

/* A negative index names no cpu. */
static void cpus_negative_index(void)
{
	uint64_t mpidr = 0x55;
	const void *fdt = cpus_tree(1);

	CHECK_EQ(dt_cpu_mpidr(fdt, -1, &mpidr), DT_E_NOTFOUND);
	CHECK_EQ(dt_cpu_mpidr(fdt, INT_MIN, &mpidr), DT_E_NOTFOUND);
	CHECK_EQ(mpidr, 0x55);

	/*
	 * With a root without properties its first child is at offset 8; with
	 * 8 cpus, a count mistaken for a node offset lands right on it.
	 */
	tree_start();
	tree_root(-1, -1);
	begin("dev");
	prop_cells("reg", 3, 0x0, 0xdead0000, 0x1000);
	end();
	begin("cpus");
	prop_u32("#address-cells", 1);
	prop_u32("#size-cells", 0);
	for (int i = 0; i < 8; i++) {
		char name[16];

		snprintf(name, sizeof(name), "cpu@%d", i);
		cpu_node(name, 1, (uint64_t)i);
	}
	end();
	fdt = tree_done();
	CHECK_EQ(node_at(fdt, "/dev"), 8);
	CHECK_EQ(dt_cpu_count(fdt), 8);
	CHECK_EQ(dt_cpu_mpidr(fdt, -1, &mpidr), DT_E_NOTFOUND);
	CHECK_EQ(mpidr, 0x55);
}

int main(void)
{
	/* Line buffered, so a sanitizer abort does not lose earlier results. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	RUN(reg_cells_2_2);
	RUN(reg_cells_1_1);
	RUN(reg_cells_2_1);
	RUN(reg_cells_1_0);
	RUN(reg_default_cells);
	RUN(reg_too_short);
	RUN(reg_missing);
	RUN(reg_cells_refused);
	RUN(reg_cells_given);
	RUN(parents_as_libfdt);
	RUN(root_child_as_libfdt);
	RUN(tags_read_as_libfdt);
	RUN(tags_refused);
	RUN(reg_index_int_max);
	RUN(node_enabled_status);
	RUN(node_enabled_odd_lengths);
	RUN(node_enabled_prefix_of_okay);
	RUN(node_by_compatible_as_libfdt);
	RUN(node_by_phandle_as_libfdt);
	RUN(add_root_child);
	RUN(find_compatible);
	RUN(stdout_full_path);
	RUN(stdout_alias);
	RUN(stdout_not_pl011);
	RUN(stdout_missing);
	RUN(stdout_path_length);
	RUN(add_memory_all_ranges);
	RUN(add_memory_touching);
	RUN(add_memory_skips_disabled);
	RUN(add_memory_skips_empty);
	RUN(add_memory_none);
	RUN(add_memory_overlap);
	RUN(reserve_memory);
	RUN(reserve_memory_nothing);
	RUN(reserve_memory_overlapping);
	RUN(chosen_round_trip);
	RUN(chosen_created_when_missing);
	RUN(chosen_wrong_length);
	RUN(chosen_set_without_space);
	RUN(cpus_count_and_mpidr);
	RUN(cpus_mpidrs_as_one_by_one);
	RUN(cpus_enable_method);
	RUN(cpus_enable_method_order);
	RUN(cpus_missing);
	RUN(cpus_negative_index);
	UNIT_DONE();
}
