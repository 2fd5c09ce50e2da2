/*
 * Physical memory map shared by the EL3 monitor, the bootloader and the
 * hypervisor. The monitor uses it to choose where the boot image goes, the
 * bootloader to allocate pages for the hypervisor, and the hypervisor
 * receives it to learn what every part of RAM is used for.
 *
 * The table has a fixed capacity and lives wherever the caller puts it, so
 * it can be built before any allocator exists and passed between stages as
 * plain data. It describes RAM only: holes between regions are not RAM.
 *
 * Invariants kept by every operation:
 *  - regions are sorted by base and never overlap;
 *  - two regions that touch never have the same type (they are merged);
 *  - every region has size > 0 and base + size <= UINT64_MAX, so the end
 *    address is always representable and no computation on it wraps. A
 *    region ending exactly at 2^64 is therefore refused as wrapping; real
 *    physical address spaces are far smaller, so nothing is lost.
 *
 * Every operation either succeeds completely or returns an error and
 * leaves the map exactly as it was.
 */
#ifndef LIB_MEMMAP_H
#define LIB_MEMMAP_H

#include <stdbool.h>
#include <stdint.h>

#define MEMMAP_MAX 64

/* Granule of memmap_alloc(): the size and alignment of a page. */
#define MEMMAP_PAGE_SIZE 4096ULL

enum mem_type {
	MEM_FREE = 0,
	MEM_RESERVED,
	MEM_DT,
	MEM_BOOT_IMAGE,
	MEM_BOOTLOADER,
	MEM_HYP_IMAGE,
	MEM_HYP_TABLES,
	MEM_HYP_DATA,
	MEM_PAYLOAD,
	MEM_GUEST, /* a VM's RAM */
	MEM_TYPE_COUNT
};

/* Fixed-width fields, explicit padding: the layout is passed across stages. */
struct mem_region {
	uint64_t base;
	uint64_t size;
	uint32_t type;
	uint32_t pad;
};

struct memmap {
	uint32_t count;
	uint32_t pad;
	struct mem_region r[MEMMAP_MAX];
};

#define MEMMAP_E_FULL (-1)     /* the table has no room for the result */
#define MEMMAP_E_OVERLAP (-2)  /* new RAM overlaps RAM already in the map */
#define MEMMAP_E_BUSY (-3)     /* part of the range is already in use */
#define MEMMAP_E_NOSPACE (-4)  /* no free memory fits the request */
#define MEMMAP_E_ALIGN (-5)    /* alignment not a power of two, or size 0 */
#define MEMMAP_E_RANGE (-6)    /* base + size wraps past the top of memory */
#define MEMMAP_E_TYPE (-7)     /* type is MEM_FREE or not a known type */
#define MEMMAP_E_MISMATCH (-8) /* the range is not all of the given type */

/* Empties the map, clearing every slot so no stale data is handed on. */
void memmap_init(struct memmap *m);

/*
 * Adds [base, base + size) as free RAM. Refuses (MEMMAP_E_OVERLAP) a range
 * that overlaps any region already in the map; touching is allowed and
 * merges with neighbouring free RAM.
 */
int memmap_add_ram(struct memmap *m, uint64_t base, uint64_t size);

/*
 * Marks the free RAM inside [base, base + size) as type. Parts of the range
 * that are not RAM are ignored. Returns MEMMAP_E_BUSY, changing nothing,
 * when any part of the range is RAM that is not free (even of the same
 * type: a double reservation is a bug in the caller). type must not be
 * MEM_FREE (MEMMAP_E_TYPE).
 */
int memmap_reserve(struct memmap *m, uint64_t base, uint64_t size, uint32_t type);

/*
 * Marks the FREE parts of [base, base+size) as type and leaves parts
 * already in use as they are: for reservations that may overlap others
 * (a DT's /memreserve/ and /reserved-memory entries). Fails with
 * MEMMAP_E_FULL (the map then holds the parts done so far) or the
 * argument errors of memmap_reserve().
 */
int memmap_reserve_free(struct memmap *m, uint64_t base, uint64_t size, uint32_t type);

/*
 * Allocates size bytes (rounded up to MEMMAP_PAGE_SIZE) of free RAM as
 * type, at the highest address that fits, aligned to align (at least a
 * page). Returns the base, or 0 when nothing fits, the arguments are
 * invalid or the table is full; because 0 means failure, a block at
 * address 0 is never returned.
 */
uint64_t memmap_alloc(struct memmap *m, uint64_t size, uint64_t align, uint32_t type);

/*
 * Gives [base, base + size) back as free RAM: what memmap_alloc() or
 * memmap_reserve() made of type (a VM's RAM when the VM ends). The range
 * must lie inside one region of that type (MEMMAP_E_MISMATCH otherwise:
 * another type, free RAM, a hole); the free piece merges with touching
 * free RAM, and what remains of the region on either side keeps its type.
 * MEMMAP_E_FULL when splitting the region needs slots the table lacks.
 */
int memmap_release(struct memmap *m, uint64_t base, uint64_t size, uint32_t type);

/*
 * Chooses, from seed, a base for a block of size bytes aligned to align that
 * lies wholly inside one free region, and stores it in *out. Every aligned
 * candidate base is equally likely over seeds (up to a bias below
 * count / 2^64 from the modulo), the same seed always gives the same base,
 * and different seeds give different bases with overwhelming probability.
 * Returns 0, MEMMAP_E_ALIGN, or MEMMAP_E_NOSPACE when nothing fits. The map
 * is not changed; reserve the result with memmap_reserve().
 */
int memmap_pick(const struct memmap *m, uint64_t size, uint64_t align, uint64_t seed,
		uint64_t *out);

/* A bijective 64-bit mixer: splitmix64's first output from state x
 * (lib/prng.h); turns a seed into a hash. */
uint64_t memmap_mix64(uint64_t x);

/* "free", "reserved", "dt", ...; "unknown" for a type out of range. */
const char *mem_type_name(uint32_t type);

/* True when every byte of [base, base + size) is RAM in the map, whatever
 * its type; false for size 0 or a range that wraps. */
bool memmap_covers(const struct memmap *m, uint64_t base, uint64_t size);

/* Total bytes of regions of the given type. */
uint64_t memmap_total(const struct memmap *m, uint32_t type);

/* Human-readable text for a MEMMAP_E_* code; "ok" for 0. */
const char *memmap_strerror(int err);

#endif
