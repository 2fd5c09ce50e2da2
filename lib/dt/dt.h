/*
 * Device-tree queries the three programs share, on top of libfdt. Every
 * hardware fact the platform uses comes through here.
 */
#ifndef LIB_DT_H
#define LIB_DT_H

#include <stdbool.h>
#include <stdint.h>

struct memmap;

#define DT_E_NOTFOUND (-1)
#define DT_E_BADNODE (-2) /* present but malformed */

/* Reg entry idx of node, honouring the parent's #address-cells/#size-cells. */
int dt_reg(const void *fdt, int node, int idx, uint64_t *base, uint64_t *size);
/* The same with the parent's cells given (fdt_address_cells() and
 * fdt_size_cells() of it, errors included): dt_reg() finds the parent by
 * walking the tree from its start, so a loop over siblings reads the
 * parent's cells once and calls this. */
int dt_reg_cells(const void *fdt, int node, int ac, int sc, int idx, uint64_t *base,
		 uint64_t *size);
/* True when the node is usable by the normal world (status absent or "okay"). */
bool dt_node_enabled(const void *fdt, int node);
/* First enabled node compatible with compat, with its first reg entry. */
int dt_find_compatible(const void *fdt, const char *compat, uint64_t *base,
		       uint64_t *size);
/* The PL011 named by /chosen/stdout-path (options after ':' ignored). */
int dt_stdout_pl011(const void *fdt, uint64_t *base);
/* Adds every enabled device_type="memory" node's ranges as free RAM;
 * returns how many ranges were added (0: the DT describes no memory). */
int dt_add_memory(const void *fdt, struct memmap *m);
/* Marks /memreserve/ entries and /reserved-memory children as reserved. */
int dt_reserve_memory(const void *fdt, struct memmap *m);
/* A 64-bit pair (address, size) stored as four cells in /chosen. */
int dt_chosen_get_range(const void *fdt, const char *prop, uint64_t *base,
			uint64_t *size);
int dt_chosen_set_range(void *fdt, const char *prop, uint64_t base, uint64_t size);
/* Number of /cpus/cpu@ nodes and the MPIDR of the nth one. */
int dt_cpu_count(const void *fdt);
int dt_cpu_mpidr(const void *fdt, int n, uint64_t *mpidr);
/* dt_cpu_mpidr() of every cpu node from one lookup of /cpus: how many
 * (mpidr[i] read where ok[i]), or -1 when there are more than max (at
 * most 64): the caller then asks dt_cpu_mpidr() one at a time. */
int dt_cpu_mpidrs(const void *fdt, uint64_t *mpidr, bool *ok, int max);
/* Gives each cpu node without an enable-method that method ("psci"):
 * what an OS reads to know how to start the CPU. 0 or a libfdt error. */
int dt_cpus_set_enable_method(void *fdt, const char *method);

/*
 * Reading the structure block tag by tag (Devicetree Specification v0.4,
 * 5.4), for passes that visit every node: libfdt's fdt_next_tag() and
 * fdt_getprop_by_offset() check the header again at each tag and read a
 * node's name a byte per call, several hundred instructions a tag. Here
 * the blocks are checked once (dt_blocks()) and each tag against them.
 * Offsets are libfdt's node and property offsets.
 */
struct dt_blocks {
	const char *st, *str; /* structure and strings blocks */
	uint32_t st_size, str_size;
	/* The strings block's last byte is a NUL: every string starting
	 * inside it then ends inside it, with no search for the NUL. */
	bool str_ends_nul;
};

struct dt_tag {
	uint32_t tag;	  /* FDT_BEGIN_NODE, FDT_PROP, FDT_END_NODE, FDT_NOP, FDT_END */
	int next;	  /* offset of the tag after it */
	const char *name; /* a node's or property's name, NUL-terminated */
	const void *val;  /* a property's value, len bytes */
	int len;
};

/* fdt's blocks: 0, libfdt's fdt_check_header() error, -FDT_ERR_BADVERSION
 * for a tree before version 17 (no structure block size), or
 * -FDT_ERR_ALIGNMENT for a structure block not 4-byte aligned. */
int dt_blocks(const void *fdt, struct dt_blocks *b);
/* The tag at off into t: 0, or -FDT_ERR_BADOFFSET / -FDT_ERR_TRUNCATED /
 * -FDT_ERR_BADSTRUCTURE when it is not a whole tag inside the blocks. */
int dt_tag(const struct dt_blocks *b, int off, struct dt_tag *t);

/* The child of the root that fdt_path_offset(fdt, "/name") finds, in one
 * pass of dt_tag(): a libfdt path lookup walks every tag through
 * fdt_next_node(). Its offset, or a negative libfdt error. */
int dt_root_child(const void *fdt, const char *name);

/* fdt_node_offset_by_compatible(fdt, start, compat) and
 * fdt_node_offset_by_phandle(fdt, phandle) in one pass of dt_tag() (libfdt
 * goes back to each node's properties through fdt_getprop()). The node's
 * offset, or a negative libfdt error. */
int dt_node_by_compatible(const void *fdt, int start, const char *compat);
int dt_node_by_phandle(const void *fdt, uint32_t phandle);

/* fdt_add_subnode(fdt, 0, name) with the duplicate check done by
 * dt_root_child() (libfdt's walks every tag of the tree): the same bytes
 * written, the new node first among the root's children. Its offset, or
 * a negative libfdt error (-FDT_ERR_EXISTS, -FDT_ERR_NOSPACE, ...). */
int dt_add_root_child(void *fdt, const char *name);

/* The /chosen property through which the monitor tells the bootloader
 * where the boot image was loaded and how many bytes it has. */
#define DT_CHOSEN_BOOT_IMAGE "hv,boot-image"

#endif
