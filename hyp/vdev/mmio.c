/*
 * Emulated devices: a guest's access to an IPA where a device is emulated
 * is a stage-2 fault whose syndrome (ISV = 1) describes the load or store:
 * size, register, sign extension, direction. The access is performed on the
 * device model and the guest continues after the instruction (or at it,
 * when the device asks for the access again: v->mmio_repeat). Accesses the
 * syndrome cannot describe (pairs, writeback, SIMD) and those a device
 * refuses get the external abort a bus error would give.
 *
 * Two ways in. guest_mmio_fast() runs from the exception vector with only
 * the registers a C call may clobber saved (hyp/vdev/mmio_fast.S): a console that
 * polls its UART makes two such exits per character, so they must be
 * short. It handles what it can complete (a described access to a region,
 * the register in its frame, the device accepting) and leaves everything
 * else, unchanged, to the full path, mmio_emulate() under guest_sync(),
 * which also reports faults.
 *
 * Both find the device in the VM's table (hyp/vdev/mmio_table.h), in the
 * order the devices were added: the UART first (hyp/vm.c).
 */
#include <arch/sysreg.h>
#include <lib/exception.h>

#include <hyp/hyp.h>
#include <hyp/vm.h>

#define REG_ZR 31 /* Rt = 31: XZR/WZR */

/* The access esr describes, on region r; *reg is the register Rt (NULL:
 * the zero register). false: the device refused it, nothing changed. */
static inline __attribute__((always_inline)) bool access(struct vcpu *v,
							 const struct mmio_region *r,
							 uint64_t esr, uint64_t ipa,
							 uint64_t *reg)
{
	unsigned size = 1u << ESR_ISS_SAS(esr);
	uint64_t val = 0;

	if (esr & ESR_ISS_WNR) {
		val = reg ? *reg : 0;
		if (size < 8)
			val &= (1ull << (8 * size)) - 1;
		return r->ops.write(v, r->priv, ipa - r->base, size, val);
	}
	if (!r->ops.read(v, r->priv, ipa - r->base, size, &val))
		return false;
	if ((esr & ESR_ISS_SSE) && size < 8 && (val & (1ull << (8 * size - 1))))
		val |= ~((1ull << (8 * size)) - 1);
	if (!(esr & ESR_ISS_SF))
		val &= 0xffffffffull;
	if (reg)
		*reg = val;
	return true;
}

bool mmio_emulate(struct vcpu *v, struct frame *f, uint64_t esr, uint64_t ipa)
{
	const struct mmio_region *r = mmio_table_find(&v->vm->mmio, ipa);
	unsigned rt = ESR_ISS_SRT(esr);

	if (!r || !(esr & ESR_ISS_ISV))
		return false;
	v->mmio_repeat = false;
	if (!access(v, r, esr, ipa, rt == REG_ZR ? NULL : &f->x[rt]))
		return false;
	/* The device may ask for the access again (struct mmio_ops): the
	 * guest comes back to the same instruction, and the hypervisor
	 * takes its pending interrupts on the way. */
	if (!v->mmio_repeat)
		f->elr += exc_insn_len(esr); /* 2 for a 16-bit T32 load/store */
	return true;
}

bool guest_mmio_fast(struct caller_frame *ff)
{
	uint64_t esr = read_sysreg(esr_el2);
	unsigned rt = ESR_ISS_SRT(esr);
	struct vcpu *v = current_vcpu();
	const struct mmio_region *r;
	uint64_t *reg, ipa;

	if (!(esr & ESR_ISS_ISV))
		return false;
	reg = caller_frame_reg(ff, rt);
	if (!reg && rt != REG_ZR)
		return false; /* x19..x29 are in the full frame only */
	ipa = stage2_fault_ipa(read_sysreg(far_el2));
	r = mmio_table_find(&v->vm->mmio, ipa);
	if (!r)
		return false;
	v->mmio_repeat = false;
	if (!access(v, r, esr, ipa, reg))
		return false;
	if (!v->mmio_repeat)
		write_sysreg(elr_el2, read_sysreg(elr_el2) + exc_insn_len(esr));
	v->exits++;
	vgic_flush(v);
	return true;
}
