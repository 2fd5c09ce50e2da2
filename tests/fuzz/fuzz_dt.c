/*
 * libFuzzer target for the project's own reading of a flattened device
 * tree's structure block (lib/dt/dt.c: dt_blocks(), dt_tag(),
 * dt_root_child()), which the monitor uses on QEMU's tree instead of
 * libfdt's per-tag walk, and for pci_dt_disable_shimmed()
 * (lib/pci/host_bridge_dt.c), which edits the tree with what that pass
 * finds. The input is the tree itself; its header's magic, version (17)
 * and totalsize (the input's size) are set from the input's first bytes
 * when it asks, so the walk past fdt_check_header() is reached often.
 *
 * What must hold:
 * - each tag dt_tag() accepts lies inside the structure block, its next
 *   offset is past it, a name ends with a NUL inside its block, and a
 *   property's value lies inside the structure block;
 * - where libfdt's fdt_next_tag() also reads a whole tag at the same
 *   offset, both give the same tag and the same next offset;
 * - dt_root_child() finds the node fdt_path_offset() finds, whenever both
 *   find one;
 * - dt_node_by_compatible() and dt_node_by_phandle() find the node
 *   fdt_node_offset_by_compatible() and fdt_node_offset_by_phandle() find,
 *   whenever both find one;
 * - dt_add_root_child() answers as fdt_add_subnode(fdt, 0, name) does and
 *   leaves the same bytes, on copies with room to grow;
 * - pci_dt_disable_shimmed() on a copy with room to grow stays inside it
 *   (ASan), and leaves a header libfdt still accepts when it succeeds.
 *
 * fuzz-libs: lib/dt/dt.c lib/pci/host_bridge_dt.c lib/pci/config_space.c lib/mm/memmap.c
 *   lib/fmt.c
 * fuzz-ldflags: -lfdt
 */
#include <libfdt.h>

#include <lib/dt/dt.h>
#include <lib/pci/host_bridge_dt.h>

#include "fuzz.h"

#define MAX_TAGS 4096
#define ROOM 4096 /* what pci_dt_disable_shimmed() may add */

static void check_tags(const void *fdt, const struct dt_blocks *b)
{
	int off = 0;

	for (unsigned i = 0; i < MAX_TAGS; i++) {
		struct dt_tag t;
		int next, lib_tag;

		if (dt_tag(b, off, &t))
			return;
		FUZZ_CHECK(t.next > off && (uint32_t)off < b->st_size,
			   "tag outside the block");
		if (t.tag == FDT_BEGIN_NODE) {
			FUZZ_CHECK(t.name >= b->st && t.name < b->st + b->st_size &&
					   memchr(t.name, '\0',
						  (size_t)(b->st + b->st_size - t.name)),
				   "node name outside the structure block");
		} else if (t.tag == FDT_PROP) {
			FUZZ_CHECK(
				t.name >= b->str && t.name < b->str + b->str_size &&
					memchr(t.name, '\0',
					       (size_t)(b->str + b->str_size - t.name)),
				"property name outside the strings block");
			FUZZ_CHECK(t.len >= 0 && (const char *)t.val >= b->st &&
					   (const char *)t.val + t.len <=
						   b->st + b->st_size,
				   "property value outside the structure block");
		}
		lib_tag = (int)fdt_next_tag(fdt, off, &next);
		if (next >= 0 && !(lib_tag == FDT_END && t.tag != FDT_END))
			FUZZ_CHECK((uint32_t)lib_tag == t.tag && next == t.next,
				   "dt_tag() and fdt_next_tag() disagree");
		if (t.tag == FDT_END)
			return;
		off = t.next;
	}
}

static void check_root_children(const void *fdt)
{
	static const char *const names[] = {"chosen", "cpus", "psci", "memory@40000000"};

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[32] = "/";
		int ours = dt_root_child(fdt, names[i]), lib;

		strcat(path, names[i]);
		lib = fdt_path_offset(fdt, path);
		if (ours >= 0 && lib >= 0)
			FUZZ_CHECK(ours == lib,
				   "dt_root_child() and fdt_path_offset() disagree");
	}
}

static void check_lookups(const void *fdt, uint32_t phandle)
{
	static const char *const compats[] = {"arm,gic-v3", "gpio-poweroff", "arm,pl061",
					      "qemu,fw-cfg-mmio"};
	int ours, lib;

	for (unsigned i = 0; i < sizeof(compats) / sizeof(compats[0]); i++) {
		int start = -1;

		/* Each match in turn, while both agree on the previous one. */
		for (unsigned n = 0; n < 64; n++) {
			ours = dt_node_by_compatible(fdt, start, compats[i]);
			lib = fdt_node_offset_by_compatible(fdt, start, compats[i]);
			if (ours < 0 || lib < 0)
				break;
			FUZZ_CHECK(ours == lib,
				   "dt_node_by_compatible() and libfdt disagree");
			start = ours;
		}
	}
	for (uint32_t ph = 1; ph <= 4; ph++) {
		ours = dt_node_by_phandle(fdt, ph == 4 ? phandle : ph);
		lib = fdt_node_offset_by_phandle(fdt, ph == 4 ? phandle : ph);
		if (ours >= 0 && lib >= 0)
			FUZZ_CHECK(ours == lib,
				   "dt_node_by_phandle() and libfdt disagree");
	}
}

/* The tree in a buffer of n + ROOM bytes, totalsize covering them. */
static uint8_t *with_room(const uint8_t *tree, size_t n)
{
	uint8_t *copy = malloc(n + ROOM);

	if (!copy)
		return NULL;
	memcpy(copy, tree, n);
	memset(copy + n, 0, ROOM);
	fdt_set_totalsize(copy, (uint32_t)(n + ROOM));
	return copy;
}

static void check_add(const uint8_t *tree, size_t n, uint64_t pick)
{
	static const char *const names[] = {"psci", "chosen", "pcie@4010000000", "a@"};
	const char *name = names[pick % 4];
	uint8_t *ours = with_room(tree, n), *lib = with_room(tree, n);

	if (ours && lib) {
		int got = dt_add_root_child(ours, name),
		    want = fdt_add_subnode(lib, 0, name);

		FUZZ_CHECK(got == want,
			   "dt_add_root_child() and fdt_add_subnode() disagree");
		FUZZ_CHECK(
			memcmp(ours, lib, n + ROOM) == 0,
			"dt_add_root_child() wrote other bytes than fdt_add_subnode()");
	}
	free(ours);
	free(lib);
}

static void check_disable(const uint8_t *tree, size_t n, uint64_t bar)
{
	struct pci_ecam_fn fn;
	struct pci_ecam_window win;
	uint8_t *copy = malloc(n + ROOM);

	if (!copy)
		return;
	memset(&fn, 0, sizeof(fn));
	fn.bar.base = bar & ~0xfffull;
	fn.bar.size = 0x1000;
	memset(&win, 0, sizeof(win));
	win.fns = &fn;
	win.nfns = 1;
	/* Room at the end, as the monitor's tree has (not fdt_open_into(),
	 * which trusts the blocks' layout more than the functions under test
	 * may; libfdt's writers check it themselves). */
	memcpy(copy, tree, n);
	memset(copy + n, 0, ROOM);
	fdt_set_totalsize(copy, (uint32_t)(n + ROOM));
	if (pci_dt_disable_shimmed(copy, &win, NULL, NULL) == 0)
		FUZZ_CHECK(fdt_check_header(copy) == 0,
			   "a tree libfdt refuses after disabling");
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	uint64_t flags = fz_take(&f, 1), bar = fz_take(&f, 4);
	uint8_t *tree;
	struct dt_blocks b;

	if (f.n < sizeof(struct fdt_header) || f.n > (1u << 20))
		return 0;
	tree = malloc(f.n); /* exact size: ASan sees a read past the tree */
	if (!tree)
		return 0;
	memcpy(tree, f.d, f.n);
	if (flags & 1) {
		fdt_set_magic(tree, FDT_MAGIC);
		fdt_set_version(tree, 17);
		fdt_set_last_comp_version(tree, 16);
		fdt_set_totalsize(tree, (uint32_t)f.n);
	}
	/* The functions trust totalsize, as the monitor trusts QEMU's: the
	 * tree must not claim more than the buffer holds. */
	if (fdt_check_header(tree) == 0 && fdt_totalsize(tree) <= f.n &&
	    dt_blocks(tree, &b) == 0) {
		check_tags(tree, &b);
		check_root_children(tree);
		check_lookups(tree, (uint32_t)bar);
		if (flags & 2)
			check_disable(tree, fdt_totalsize(tree), bar);
		if (flags & 4)
			check_add(tree, fdt_totalsize(tree), flags >> 3);
	}
	free(tree);
	return 0;
}
