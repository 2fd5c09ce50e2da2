/*
 * What hyp/vdev/mmio.c's fast exit shares with a device that has a quick
 * way in of its own (hyp/vdev/vuart.c): the access as the syndrome of a
 * stage-2 data abort with ISV = 1 describes it (the Arm ARM's ESR_EL2,
 * "ISS encoding for an exception from a Data Abort": SAS the size, SSE
 * sign extension, SRT the register, SF a 64-bit Rt, WnR a store), and the
 * end of a fast exit.
 */
#ifndef HYP_VDEV_MMIO_H
#define HYP_VDEV_MMIO_H

#include <stdint.h>

#include <arch/sysreg.h>
#include <lib/exception.h>

#include <hyp/vm.h>

/* The access's size in bytes: 1, 2, 4 or 8. */
static inline unsigned mmio_access_size(uint64_t esr)
{
	return 1u << ESR_ISS_SAS(esr);
}

/* What a store writes: the access's bytes of Rt (reg NULL: the zero
 * register). */
static inline uint64_t mmio_store_value(uint64_t esr, const uint64_t *reg)
{
	unsigned size = mmio_access_size(esr);
	uint64_t val = reg ? *reg : 0;

	if (size < 8)
		val &= (1ull << (8 * size)) - 1;
	return val;
}

/* What a load leaves in Rt, from the device's val (the access's bytes):
 * sign-extended (SSE) and cut to a W register (SF clear) as the
 * instruction would. */
static inline uint64_t mmio_load_value(uint64_t esr, uint64_t val)
{
	unsigned size = mmio_access_size(esr);

	if ((esr & ESR_ISS_SSE) && size < 8 && (val & (1ull << (8 * size - 1))))
		val |= ~((1ull << (8 * size)) - 1);
	if (!(esr & ESR_ISS_SF))
		val &= 0xffffffffull;
	return val;
}

/* The end of a fast exit's access: the guest goes on after the
 * instruction (2 bytes for a 16-bit T32 load or store, ESR_EL2.IL),
 * counted. */
static inline void mmio_fast_step(struct vcpu *v, uint64_t esr)
{
	write_sysreg(elr_el2, read_sysreg(elr_el2) + exc_insn_len(esr));
	v->exits++;
}

/* vgic_flush() and true: for a tail call, so that a fast exit keeps no
 * registers across a call it seldom makes. */
bool mmio_fast_flush(struct vcpu *v);

/* ... and then what changed in its interrupts: true, for the caller to
 * return. */
static inline bool mmio_fast_end(struct vcpu *v)
{
	if (vgic_flush_wanted(v))
		return mmio_fast_flush(v);
	return true;
}

/* The fast exit's access at ipa by way of the VM's device table, for one
 * that a quick way in declined; Rt is *reg (NULL: the zero register).
 * true: done, the exit with it (mmio_fast_end()); false: nothing
 * changed, and the full path takes the exit. */
bool mmio_fast_table(struct vcpu *v, uint64_t esr, uint64_t ipa, uint64_t *reg);

#endif
