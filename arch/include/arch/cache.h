/* Cache maintenance by address range; under HOST_BUILD, the host double's
 * recorded calls (arch/fake/sysreg.h's fake_arch). */
#ifndef ARCH_CACHE_H
#define ARCH_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arch/sysreg.h>

#ifndef HOST_BUILD
/* Smallest data cache line of the PE, from CTR_EL0.DminLine. */
static inline uint64_t dcache_line_size(void)
{
	uint64_t ctr = read_sysreg(ctr_el0);

	return 4ull << ((ctr >> 16) & 0xf);
}

#define DEFINE_DCACHE_OP(name, op)                                              \
	static inline void name(const void *addr, size_t size)                  \
	{                                                                       \
		uint64_t line = dcache_line_size();                             \
		uint64_t p = (uint64_t)addr & ~(line - 1);                      \
		uint64_t end = (uint64_t)addr + size;                           \
		for (; p < end; p += line)                                      \
			__asm__ volatile("dc " #op ", %0" ::"r"(p) : "memory"); \
		dsb(sy);                                                        \
	}

/* Clean to the point of coherency: others with caches off see our writes. */
DEFINE_DCACHE_OP(dcache_clean, cvac)
/* Clean and invalidate: as above, and our next read goes to memory. */
DEFINE_DCACHE_OP(dcache_clean_inval, civac)

/*
 * memset(addr, 0, size) a cache block per instruction where it can (Arm
 * ARM, "DC ZVA, Data Cache Zero by VA": the block is 4 << DCZID_EL0.BS
 * bytes, and DCZID_EL0.DZP set forbids the instruction); the unaligned
 * ends, and everything when DZP is set, by memset(). Normal memory only
 * (DC ZVA faults on Device memory). Complete when it returns (DSB).
 */
#define DCZID_EL0_DZP (1u << 4)

static inline void dcache_zero(void *addr, size_t size)
{
	uint64_t dczid = read_sysreg(dczid_el0), block = 4ull << (dczid & 0xf);
	uintptr_t a = (uintptr_t)addr, end = a + size;
	uintptr_t first = (a + block - 1) & ~(block - 1), last = end & ~(block - 1);

	if ((dczid & DCZID_EL0_DZP) || size < 2 * block || first >= last) {
		memset(addr, 0, size);
		return;
	}
	memset(addr, 0, first - a);
	for (uintptr_t va = first; va < last; va += block)
		__asm__ volatile("dc zva, %0" ::"r"(va) : "memory");
	memset((void *)last, 0, end - last);
	dsb(ish);
}

static inline void icache_inval_all(void)
{
	__asm__ volatile("ic iallu" ::: "memory");
	dsb(sy);
	isb();
}
#else
static inline void dcache_clean(const void *addr, size_t size)
{
	fake_arch.dcache_clean++;
	fake_arch.last_dcache_addr = addr;
	fake_arch.last_dcache_size = size;
}

static inline void dcache_clean_inval(const void *addr, size_t size)
{
	fake_arch.dcache_clean_inval++;
	fake_arch.last_dcache_addr = addr;
	fake_arch.last_dcache_size = size;
}

static inline void dcache_zero(void *addr, size_t size)
{
	memset(addr, 0, size);
}

static inline void icache_inval_all(void)
{
	fake_arch.icache_inval_all++;
}
#endif

#endif
