/*
 * A VM's emulated devices: the IPA ranges whose accesses trap to EL2
 * (stage 2 maps nothing there) and are answered by a device model, and the
 * ranges stage 2 does map (its RAM, a passed-through ECAM window and BARs),
 * which no device may overlap: an access there never traps, so a device
 * behind it would never be reached.
 *
 * Devices are found in the order they were added (mmio_table_find()); the
 * most frequently accessed one goes first (the UART: a console polls it
 * twice per character, hyp/vm.c). Pure logic, host-tested
 * (tests/unit/hyp/vdev/test_mmio_table.c); hyp/vm.c's vm_add_mmio() is the
 * one way a device joins a VM, and prints the refusals.
 */
#ifndef HYP_VDEV_MMIO_TABLE_H
#define HYP_VDEV_MMIO_TABLE_H

#include <stdbool.h>
#include <stdint.h>

/* Devices per VM: the vGIC's distributor and redistributors, the UART,
 * and room for the virtio-mmio transports to come (a few per VM). */
#define MAX_MMIO_REGIONS 16
/* Ranges stage 2 maps in a VM: its RAM, and with ECAM passthrough the
 * window and each function's BAR (PCI_ECAM_MAX_FNS, checked where they
 * are added, hyp/vdev/ecam_passthrough.c). */
#define MAX_MAPPED_RANGES 10

struct vcpu;

/*
 * What a device does with an access: off is the offset into its range,
 * size 1, 2, 4 or 8 bytes, priv the pointer it was added with. A write's
 * value holds only the size's bytes; a read sets *val to them (the caller
 * extends and truncates for the register). false refuses the access (an
 * offset or size the device does not decode): nothing changes and the
 * guest gets a synchronous external abort. A handler that accepts an
 * access but has done only part of what it asks (more than one trap
 * should hold the CPU for) sets v->mmio_repeat: the guest's PC is not
 * advanced, the guest makes the same access again, and the hypervisor
 * takes its interrupts and may schedule in between.
 */
struct mmio_ops {
	bool (*read)(struct vcpu *v, void *priv, uint64_t off, unsigned size,
		     uint64_t *val);
	bool (*write)(struct vcpu *v, void *priv, uint64_t off, unsigned size,
		      uint64_t val);
};

/* An emulated device's registers in a VM's physical address space. The
 * handlers are copied from its mmio_ops: the lookup on every trapped
 * access then loads them from the entry it found. */
struct mmio_region {
	uint64_t base, size;
	struct mmio_ops ops;
	void *priv;
	const char *name;
};

/* A range stage 2 maps: no device may sit there. */
struct mapped_range {
	uint64_t base, size;
	const char *name;
};

struct mmio_table {
	struct mmio_region regions[MAX_MMIO_REGIONS];
	unsigned count;
	struct mapped_range mapped[MAX_MAPPED_RANGES];
	unsigned mapped_count;
};

/* Why an addition was refused (0: it was not). */
enum mmio_table_err {
	MMIO_OK = 0,
	MMIO_E_EMPTY,	/* size 0 */
	MMIO_E_WRAPS,	/* base + size beyond 2^64 */
	MMIO_E_OVERLAP, /* with a device, or a range stage 2 maps */
	MMIO_E_FULL,	/* MAX_MMIO_REGIONS or MAX_MAPPED_RANGES reached */
	MMIO_E_OPS,	/* no read or no write handler */
};

/*
 * Adds a device at [base, base + size). Refuses (and changes nothing) a
 * zero size, a range that wraps, one that overlaps a device or a mapped
 * range (ranges that only touch, one's end the other's base, do not
 * overlap), a full table, missing handlers. On MMIO_E_OVERLAP, *clash (if
 * not NULL) names what it overlaps.
 */
enum mmio_table_err mmio_table_add(struct mmio_table *t, uint64_t base, uint64_t size,
				   const struct mmio_ops *ops, void *priv,
				   const char *name, const char **clash);

/* Records [base, base + size) as mapped by stage 2, with the same
 * refusals (a mapping over a device would hide it). */
enum mmio_table_err mmio_table_add_mapped(struct mmio_table *t, uint64_t base,
					  uint64_t size, const char *name,
					  const char **clash);

/* The device whose range holds ipa, searched in the order they were
 * added; NULL if none. One compare per device: for ipa below a base,
 * ipa - base wraps to at least 2^64 - base, which is not below a size
 * that mmio_table_add() let in (base + size < 2^64). */
static inline const struct mmio_region *mmio_table_find(const struct mmio_table *t,
							uint64_t ipa)
{
	const struct mmio_region *end = t->regions + t->count;

	for (const struct mmio_region *r = t->regions; r < end; r++)
		if (ipa - r->base < r->size)
			return r;
	return NULL;
}

/* A short description of a refusal, for logs. */
const char *mmio_table_strerror(enum mmio_table_err err);

#endif
