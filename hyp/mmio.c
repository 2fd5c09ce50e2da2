/*
 * Emulated devices: a guest's access to an IPA where a device is emulated
 * is a stage-2 fault whose syndrome (ISV = 1) describes the load or store:
 * size, register, sign extension, direction. The access is performed on the
 * device model and the guest continues after the instruction. Accesses the
 * syndrome cannot describe (pairs, writeback, SIMD) and those a device
 * refuses get the external abort a bus error would give.
 */
#include <arch/sysreg.h>

#include "hyp.h"
#include "vm.h"

#define ESR_ISV (1ull << 24)
#define ESR_SAS(iss) (((iss) >> 22) & 3) /* access size: 1 << SAS bytes */
#define ESR_SSE (1ull << 21)		 /* sign-extend the loaded value */
#define ESR_SRT(iss) (((iss) >> 16) & 0x1f)
#define ESR_SF (1ull << 15) /* the register is 64-bit */
#define ESR_WNR (1ull << 6)

static const struct mmio_region *find(const struct vm *vm, uint64_t ipa)
{
	for (unsigned i = 0; i < vm->mmio_count; i++) {
		const struct mmio_region *r = &vm->mmio[i];

		if (ipa >= r->base && ipa - r->base < r->size)
			return r;
	}
	return NULL;
}

bool mmio_emulate(struct vcpu *v, struct frame *f, uint64_t esr, uint64_t ipa)
{
	const struct mmio_region *r = find(v->vm, ipa);
	unsigned size, rt;
	uint64_t val = 0;

	if (!r || !(esr & ESR_ISV))
		return false;
	size = 1u << ESR_SAS(esr);
	rt = ESR_SRT(esr);
	if (esr & ESR_WNR) {
		val = rt == 31 ? 0 : f->x[rt];
		if (size < 8)
			val &= (1ull << (8 * size)) - 1;
		if (!r->write(v, ipa - r->base, size, val))
			return false;
	} else {
		if (!r->read(v, ipa - r->base, size, &val))
			return false;
		if ((esr & ESR_SSE) && size < 8 && (val & (1ull << (8 * size - 1))))
			val |= ~((1ull << (8 * size)) - 1);
		if (!(esr & ESR_SF))
			val &= 0xffffffffull;
		if (rt != 31)
			f->x[rt] = val;
	}
	f->elr += 4;
	return true;
}
