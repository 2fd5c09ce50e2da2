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
#include <hyp/vdev/mmio.h>

#define REG_ZR 31 /* Rt = 31: XZR/WZR */

/* The access esr describes, on region r at offset off; *reg is the
 * register Rt (NULL: the zero register). false: the device refused it,
 * nothing changed. */
static inline __attribute__((always_inline)) bool access(struct vcpu *v,
							 const struct mmio_region *r,
							 uint64_t esr, uint64_t off,
							 uint64_t *reg)
{
	uint64_t val = 0;

	if (esr & ESR_ISS_WNR)
		return r->ops.write(v, r->priv, off, mmio_access_size(esr),
				    mmio_store_value(esr, reg));
	if (!r->ops.read(v, r->priv, off, mmio_access_size(esr), &val))
		return false;
	if (reg)
		*reg = mmio_load_value(esr, val);
	return true;
}

bool mmio_emulate(struct vcpu *v, struct frame *f, uint64_t esr, uint64_t ipa)
{
	const struct mmio_region *r = mmio_table_find(&v->vm->mmio, ipa);
	unsigned rt = ESR_ISS_SRT(esr);

	if (!r || !(esr & ESR_ISS_ISV))
		return false;
	v->mmio_repeat = false;
	if (!access(v, r, esr, ipa - r->base, rt == REG_ZR ? NULL : &f->x[rt]))
		return false;
	/* The device may ask for the access again (struct mmio_ops): the
	 * guest comes back to the same instruction, and the hypervisor
	 * takes its pending interrupts on the way. */
	if (!v->mmio_repeat)
		f->elr += exc_insn_len(esr); /* 2 for a 16-bit T32 load/store */
	return true;
}

bool mmio_fast_table(struct vcpu *v, uint64_t esr, uint64_t ipa, uint64_t *reg)
{
	const struct mmio_region *r = mmio_table_find(&v->vm->mmio, ipa);

	if (!r)
		return false;
	v->mmio_repeat = false;
	if (!access(v, r, esr, ipa - r->base, reg))
		return false;
	if (v->mmio_repeat) /* the PC stays: counted all the same */
		v->exits++;
	else
		mmio_fast_step(v, esr);
	return mmio_fast_end(v);
}

bool mmio_fast_flush(struct vcpu *v)
{
	vgic_flush(v);
	return true;
}

/* A UART read into x19..x29, into the frame: done, but answered the way a
 * decline is, with ff->reload set (which leaves the usual path its one
 * test in mmio_fast.S). Apart, so that guest_mmio_fast() keeps its tail
 * calls and no frame of its own. */
static bool __attribute__((noinline))
uart_load_callee_saved(struct mmio_fast_frame *ff, uint64_t esr, uint64_t off,
		       uint64_t *reg)
{
	if (vuart_fast_read(current_vcpu(), esr, off, reg))
		ff->reload = 1;
	return false;
}

bool guest_mmio_fast(struct mmio_fast_frame *ff)
{
	uint64_t esr = read_sysreg(esr_el2);
	unsigned rt = ESR_ISS_SRT(esr);
	uint64_t *reg, page, off;
	bool callee_saved = false;

	if (!(esr & ESR_ISS_ISV))
		return false;
	if (rt < CALLER_FRAME_NR_X) {
		reg = &ff->x[rt];
	} else if (rt == 30) {
		reg = &ff->x30;
	} else if (rt == REG_ZR) {
		reg = NULL;
	} else {
		/* x19..x29, where mmio_fast.S saved them. A store from one
		 * (Linux's PL011 driver keeps the byte in one) reads it there;
		 * a load into one (its transmit interrupt's UARTMIS status)
		 * writes it there, and mmio_fast.S reloads them all. */
		reg = &ff->x19_x29[rt - CALLER_FRAME_NR_X];
		callee_saved = true;
	}
	/* The page from HPFAR_EL2, the offset in it from FAR_EL2
	 * (stage2_fault_ipa()). Every VM has its UART at GUEST_UART_BASE
	 * (hyp/vm.c adds it first, and a VM it cannot be added to is not
	 * created): its quick way in goes first, and sends what it declines
	 * to the table. */
	page = read_sysreg(hpfar_el2) & HPFAR_FIPA_MASK;
	off = read_sysreg(far_el2) & 0xfff;
	if (page == (GUEST_UART_BASE >> 12) << HPFAR_FIPA_SHIFT) {
		_Static_assert(PL011_EMU_FRAME == 0x1000, "the UART is one page");
		if (esr & ESR_ISS_WNR)
			return vuart_fast_write(current_vcpu(), esr, off, reg);
		if (callee_saved)
			return uart_load_callee_saved(ff, esr, off, reg);
		return vuart_fast_read(current_vcpu(), esr, off, reg);
	}
	/* Other devices take x19..x29 the full way, as before: a virtio
	 * QueueNotify there may wait for the disk with interrupts open
	 * (hyp/drivers/virtio_disk.c; guests/virtio_hostile.c stores from
	 * x20 to test it). */
	if (callee_saved)
		return false;
	return mmio_fast_table(current_vcpu(), esr, page << (12 - HPFAR_FIPA_SHIFT) | off,
			       reg);
}
