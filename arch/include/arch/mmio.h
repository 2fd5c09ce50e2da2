/*
 * Device register accesses as single plain loads and stores: one LDR or
 * STR with a base register and no writeback, the form whose data abort
 * syndrome a hypervisor can decode (ESR_ELx.ISV = 1), and whose size is
 * the register's. The compiler may not merge, split or reorder them.
 */
#ifndef ARCH_MMIO_H
#define ARCH_MMIO_H

#include <stdint.h>

static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

#endif
