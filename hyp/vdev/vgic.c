/*
 * The virtual GIC of a VM: the distributor and redistributors are register
 * models (hyp/vdev/vgic_model.c) behind trapped MMIO; the CPU interface is the
 * hardware's virtual one, fed through the list registers ICH_LR<n>_EL2.
 * Before a vCPU goes back to its guest, vgic_flush() reads back what the
 * guest did with the interrupts in its list registers and fills the free
 * ones with the highest-priority deliverable interrupts. The timers (the
 * virtual one, and the EL1 physical one emulated in hyp/vdev/vtimer.c) go in with
 * the HW bit: the guest's EOI deactivates the physical interrupt, which
 * stays active (masked) until then.
 *
 * A timer's interrupt is a level: its pending state follows the timer's
 * output line (enabled, unmasked, condition met). As KVM does, the line is
 * sampled on the way back to the guest (vgic_flush(), after every exit):
 * if it fell while the interrupt was still only pending (the guest masked
 * or disabled the timer, or moved its deadline ahead, before taking it),
 * the interrupt is taken back from the list register and the physical one
 * deactivated, so the guest does not see a stale tick. The physical timer
 * traps, so its writes end with that sampling; the virtual timer's do not
 * trap, and its line is sampled at the vCPU's next exit.
 */
#include <string.h>

#include <arch/sysreg.h>
#include <lib/gicv3.h>
#include <hyp/vdev/timer_model.h>
#include <hyp/vdev/vgic_model.h>

#include <hyp/drivers/gic.h>
#include <hyp/hyp.h>
#include <hyp/sched/sched.h>
#include <hyp/vm.h>

#define MAX_LRS 16

/* clang-format off */
#define LR_CASES(X)                                                      \
	X(0, S3_4_C12_C12_0) X(1, S3_4_C12_C12_1) X(2, S3_4_C12_C12_2)   \
	X(3, S3_4_C12_C12_3) X(4, S3_4_C12_C12_4) X(5, S3_4_C12_C12_5)   \
	X(6, S3_4_C12_C12_6) X(7, S3_4_C12_C12_7) X(8, S3_4_C12_C13_0)   \
	X(9, S3_4_C12_C13_1) X(10, S3_4_C12_C13_2) X(11, S3_4_C12_C13_3) \
	X(12, S3_4_C12_C13_4) X(13, S3_4_C12_C13_5) X(14, S3_4_C12_C13_6) \
	X(15, S3_4_C12_C13_7)
#define READ_CASE(n, reg) case n: return read_sysreg(reg);
#define WRITE_CASE(n, reg) case n: write_sysreg(reg, v); break;
/* clang-format on */

static uint64_t read_lr(unsigned n)
{
	switch (n) {
		LR_CASES(READ_CASE)
	}
	return 0;
}

static void write_lr(unsigned n, uint64_t v)
{
	switch (n) {
		LR_CASES(WRITE_CASE)
	}
}

/* ICH_VTR_EL2, read once: every CPU of the machine implements the same
 * virtual CPU interface (as KVM assumes too), and under QEMU each read is
 * a call into its GIC model, several on every exit. */
static uint64_t ich_vtr(void)
{
	static uint64_t vtr;

	if (!vtr)
		vtr = read_sysreg(ich_vtr_el2);
	return vtr;
}

static unsigned nr_lrs(void)
{
	unsigned n = ICH_VTR_LISTREGS(ich_vtr());

	return n < MAX_LRS ? n : MAX_LRS;
}

/* The model changed under the VM's lock: every vCPU flushes again. */
static void model_changed(struct vm *vm)
{
	__atomic_store_n(&vm->vgic_gen, vm->vgic_gen + 1, __ATOMIC_RELEASE);
}

/* What the guest did with the interrupts in the list registers; the
 * INTIDs still in them into in_lr (unless NULL), for fill_lrs(), which
 * then need not read them again. Returns how many. Only the registers in
 * use are visited, each read once. */
static unsigned sync_lrs_into(struct vcpu *v, uint32_t *in_lr)
{
	uint32_t used = v->lr_used;
	unsigned n_in = 0;

	while (used) {
		unsigned i = (unsigned)__builtin_ctz(used);
		uint64_t lr = read_lr(i), state = lr >> ICH_LR_STATE_SHIFT;
		uint32_t intid = (uint32_t)(lr & ICH_LR_VINTID_MASK);

		used &= used - 1;
		vgic_lr_update(&v->vm->vgic, v->index, intid, state & ICH_LR_PENDING,
			       state & ICH_LR_ACTIVE);
		if (!state) {
			if (intid < VGIC_NR_PRIVATE) /* a timer's EOI'd one */
				v->timers_held &= ~(1u << intid);
			v->lr_used &= ~(1u << i);
			write_lr(i, 0);
			model_changed(v->vm); /* a level line may pend it again */
		} else if (in_lr) {
			in_lr[n_in++] = intid;
		}
	}
	return n_in;
}

static void sync_lrs(struct vcpu *v)
{
	sync_lrs_into(v, NULL);
}

/* Interrupts whose list register links the physical one (ICH_LR_EL2.HW):
 * the virtual timer, and the SPIs of devices passed through. */
static bool hw_linked(const struct vm *vm, uint32_t intid)
{
	uint32_t spi = intid - GIC_SPI_BASE;

	if (intid == GIC_PPI_VTIMER || intid == GIC_PPI_PTIMER)
		return true;
	return intid >= GIC_SPI_BASE && spi < VGIC_NR_SPIS &&
	       (vm->hw_spis[spi / 32] >> (spi % 32)) & 1;
}

/* The free list registers filled, lowest first; in_lr[0..n_in) holds
 * the INTIDs in those in use (sync_lrs_into()), room for nr_lrs(). */
static void fill_lrs(struct vcpu *v, uint32_t *in_lr, unsigned n_in)
{
	struct vgic *g = &v->vm->vgic;
	unsigned n = nr_lrs();
	uint32_t free = ~v->lr_used & ((1u << n) - 1);
	uint64_t hcr = ICH_HCR_EN;

	while (free) {
		unsigned i = (unsigned)__builtin_ctz(free);
		uint8_t prio, group;
		uint32_t intid;
		uint64_t lr;
		bool hw;

		free &= free - 1;
		intid = vgic_next(g, v->index, in_lr, n_in, &prio, &group);
		if (intid == GIC_SPURIOUS)
			break;
		lr = ICH_LR_PENDING << ICH_LR_STATE_SHIFT |
		     (uint64_t)prio << ICH_LR_PRIORITY_SHIFT | intid;
		if (group)
			lr |= ICH_LR_GROUP1;
		hw = hw_linked(v->vm, intid);
		if (hw)
			lr |= ICH_LR_HW | (uint64_t)intid << ICH_LR_PINTID_SHIFT;
		else if (intid >= GIC_SPI_BASE)
			lr |= ICH_LR_EOI; /* device lines are levels: resample at EOI */
		write_lr(i, lr);
		vgic_deliver(g, v->index, intid);
		/* A physical interrupt is a pulse to the model: the physical one
		 * stays active until the guest deactivates it, and fires anew if
		 * its line is still up. */
		if (hw)
			vgic_set_level(g, v->index, intid, false);
		v->lr_used |= 1u << i;
		in_lr[n_in++] = intid;
	}
	/* More waiting than fits: be told when the list registers drain. */
	if (n_in == n && vgic_next(g, v->index, in_lr, n_in, &(uint8_t){0},
				   &(uint8_t){0}) != GIC_SPURIOUS)
		hcr |= ICH_HCR_UIE;
	write_sysreg(ich_hcr_el2, hcr);
}

/* A vCPU reset (its first start, CPU_ON): no interrupt in its list
 * registers, a reset virtual CPU interface (the guest programs it
 * through ICC_* as on hardware), no active priority. */
void vgic_vcpu_reset(struct vcpu *v)
{
	v->lr_used = 0;
	v->timers_held = 0;
	memset(&v->ctx.vgic, 0, sizeof(v->ctx.vgic));
	v->vgic_seen = v->vm->vgic_gen - 1; /* its first flush looks at the model */
}

/* clang-format off */
#define APR_CASES(X)                                              \
	X(0, S3_4_C12_C8_0, S3_4_C12_C9_0)                        \
	X(1, S3_4_C12_C8_1, S3_4_C12_C9_1)                        \
	X(2, S3_4_C12_C8_2, S3_4_C12_C9_2)                        \
	X(3, S3_4_C12_C8_3, S3_4_C12_C9_3)
#define SAVE_APR(n, r0, r1) \
	case n: s->ap0r[n] = (uint32_t)read_sysreg(r0); s->ap1r[n] = (uint32_t)read_sysreg(r1); break;
#define LOAD_APR(n, r0, r1) \
	case n: write_sysreg(r0, s->ap0r[n]); write_sysreg(r1, s->ap1r[n]); break;
/* clang-format on */

/* ICH_AP0R<n>_EL2 and ICH_AP1R<n>_EL2 implemented: 1, 2 or 4 of each, as
 * the priority bits ICH_VTR_EL2.PREbits give (5, 6 or 7). */
static unsigned nr_aprs(void)
{
	unsigned pre = ICH_VTR_PREBITS(ich_vtr());

	return pre >= 7 ? 4 : pre == 6 ? 2 : 1;
}

/*
 * The vCPU leaves this CPU: its list registers, active priorities and
 * VMCR into its context, the virtual CPU interface off. A timer
 * interrupt it holds (physical PPI active until the guest's EOI) is
 * deactivated here, on the CPU that took it, and made active again where
 * the vCPU is next loaded (KVM does the same with the timer's active
 * state), so the list register's HW link still finds it active.
 */
void vgic_save(struct vcpu *v)
{
	struct vgic_cpu_state *s = &v->ctx.vgic;
	unsigned n = nr_lrs(), a = nr_aprs();

	/* First what the guest has finished: a timer interrupt it ended is
	 * no longer held, and must not be made active where it goes next. */
	spin_lock(&v->vm->vgic_lock);
	sync_lrs(v);
	spin_unlock(&v->vm->vgic_lock);
	for (unsigned i = 0; i < n; i++)
		s->lr[i] = (v->lr_used & (1u << i)) ? read_lr(i) : 0;
	for (unsigned i = 0; i < a; i++) {
		switch (i) {
			APR_CASES(SAVE_APR)
		}
	}
	s->vmcr = read_sysreg(ich_vmcr_el2);
	s->hcr = read_sysreg(ich_hcr_el2);
	write_sysreg(ich_hcr_el2, 0);
	isb();
	/* Its list registers stay as they are (the virtual CPU interface is
	 * off); the others are 0, as sync_lrs() leaves every one it frees. */
	this_pcpu()->lr_zero = ~v->lr_used;
	if (v->timers_held)
		gic_clear_active_private(v->timers_held);
}

/* ... and comes back, on this CPU or another. */
void vgic_restore(struct vcpu *v)
{
	const struct vgic_cpu_state *s = &v->ctx.vgic;
	unsigned n = nr_lrs(), a = nr_aprs();

	struct pcpu *p = this_pcpu();

	if (v->timers_held)
		gic_set_active_private(v->timers_held);
	/* Its own list registers, and 0 in those the last vCPU here left
	 * with an interrupt (or that hold what they held at reset). */
	for (unsigned i = 0; i < n; i++) {
		if (v->lr_used & (1u << i))
			write_lr(i, s->lr[i]);
		else if (!(p->lr_zero & (1u << i)))
			write_lr(i, 0);
	}
	for (unsigned i = 0; i < a; i++) {
		switch (i) {
			APR_CASES(LOAD_APR)
		}
	}
	write_sysreg(ich_vmcr_el2, s->vmcr);
	write_sysreg(ich_hcr_el2, s->hcr | ICH_HCR_EN);
	/* What changed in the model while it was away bumped vgic_gen: the
	 * next flush sees it, and otherwise has nothing to do. */
	isb();
}

/* A timer's output line now (ISTATUS && ENABLE && !IMASK). */
static bool timer_line(struct vcpu *v, uint32_t intid)
{
	if (intid == GIC_PPI_VTIMER)
		return timer_ctl_line(read_sysreg(cntv_ctl_el0));
	return ptimer_line(&v->ctx.ptimer, vcpu_count(v));
}

/* The timer's line fell while its interrupt was held for the guest: take
 * it back unless the guest has already acknowledged it (active: its EOI
 * deactivates the physical one as usual). */
static void timer_retire(struct vcpu *v, uint32_t intid)
{
	struct vgic *g = &v->vm->vgic;
	bool in_lr = false, retire = true;
	unsigned n = nr_lrs();

	spin_lock(&v->vm->vgic_lock);
	sync_lrs(v);
	for (unsigned i = 0; i < n && (v->timers_held & (1u << intid)); i++) {
		uint64_t lr = read_lr(i);

		if (!(v->lr_used & (1u << i)) ||
		    (uint32_t)(lr & ICH_LR_VINTID_MASK) != intid)
			continue;
		in_lr = true;
		if (lr >> ICH_LR_STATE_SHIFT != ICH_LR_PENDING) {
			retire = false; /* active: the guest is handling it */
			break;
		}
		write_lr(i, 0);
		v->lr_used &= ~(1u << i);
		vgic_lr_update(g, v->index, intid, false, false);
	}
	if (retire && (v->timers_held & (1u << intid))) {
		if (!in_lr) /* still waiting for a list register */
			vgic_set_level(g, v->index, intid, false);
		v->timers_held &= ~(1u << intid);
		/* Not ICC_DIR_EL1: on a vCPU that moved here, the interrupt
		 * was made active by vgic_restore(), not acknowledged here. */
		gic_clear_active_private(1u << intid);
		model_changed(v->vm);
	}
	spin_unlock(&v->vm->vgic_lock);
}

/* Out of line: vgic_flush()'s common path, nothing held, stays short. */
static __attribute__((noinline)) void timers_resample(struct vcpu *v)
{
	static const uint32_t timers[] = {GIC_PPI_VTIMER, GIC_PPI_PTIMER};

	for (unsigned i = 0; i < sizeof(timers) / sizeof(timers[0]); i++) {
		uint32_t intid = timers[i];

		if ((v->timers_held & (1u << intid)) && !timer_line(v, intid))
			timer_retire(v, intid);
	}
}

/*
 * The vCPU on this CPU is turning off (PSCI CPU_OFF): its list registers
 * and virtual CPU interface go away with it, so what they hold goes back
 * to the model (vgic_lr_unload: pending stays pending, active is dropped)
 * and a physical interrupt linked to one (HW bit: the virtual timer, a
 * passed-through SPI) is deactivated here, where it was taken, or it
 * would never fire again. The timer is stopped first so that it does not
 * fire again on a CPU going off; its line then falls, and a guest that
 * re-arms it after CPU_ON is interrupted anew.
 */
void vgic_vcpu_unload(struct vcpu *v)
{
	unsigned n = nr_lrs();

	/* Both timers stop with the vCPU: CPU_ON starts it with reset ones. */
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntp_ctl_el0, 0);
	isb();
	spin_lock(&v->vm->vgic_lock);
	for (unsigned i = 0; i < n; i++) {
		uint64_t lr;
		uint32_t intid;
		bool hw;

		if (!(v->lr_used & (1u << i)))
			continue;
		lr = read_lr(i);
		intid = (uint32_t)(lr & ICH_LR_VINTID_MASK);
		hw = lr & ICH_LR_HW;
		write_lr(i, 0);
		vgic_lr_unload(&v->vm->vgic, v->index, intid,
			       !hw && ((lr >> ICH_LR_STATE_SHIFT) & ICH_LR_PENDING));
		if (hw && intid >= GIC_SPI_BASE && (lr >> ICH_LR_STATE_SHIFT))
			gic_deactivate(intid);
	}
	/* The timers' physical interrupts it holds, whether or not in a list
	 * register, and whether acknowledged here or brought by a move. */
	if (v->timers_held)
		gic_clear_active_private(v->timers_held);
	v->timers_held = 0;
	vgic_set_level(&v->vm->vgic, v->index, GIC_PPI_VTIMER, false);
	vgic_set_level(&v->vm->vgic, v->index, GIC_PPI_PTIMER, false);
	v->lr_used = 0;
	model_changed(v->vm);
	spin_unlock(&v->vm->vgic_lock);
	write_sysreg(ich_hcr_el2, 0);
	isb();
}

/*
 * Most exits change no interrupt state: nothing left a list register
 * (ICH_ELRSR_EL2 and ICH_EISR_EL2 show none of ours done) and the model is as this vCPU
 * last saw it. Then there is nothing to do, which keeps a trapped device
 * access short. A list register whose interrupt went from pending to
 * active is left alone: the model learns that at the next sync (and
 * before any GICD/GICR access, whose registers report it).
 */
void vgic_flush(struct vcpu *v)
{
	/* An LR the guest is done with shows in ICH_ELRSR_EL2, or in
	 * ICH_EISR_EL2 when it asked for a maintenance interrupt at EOI. */
	uint32_t emptied, in_lr[MAX_LRS];
	unsigned n_in;

	if (v->timers_held) /* a timer's line may have fallen */
		timers_resample(v);
	emptied = v->lr_used &
		  (uint32_t)(read_sysreg(ich_elrsr_el2) | read_sysreg(ich_eisr_el2));

	if (!emptied &&
	    __atomic_load_n(&v->vm->vgic_gen, __ATOMIC_ACQUIRE) == v->vgic_seen)
		return;
	spin_lock(&v->vm->vgic_lock);
	v->vgic_seen = v->vm->vgic_gen;
	n_in = sync_lrs_into(v, in_lr);
	fill_lrs(v, in_lr, n_in);
	spin_unlock(&v->vm->vgic_lock);
	isb();
}

/*
 * Whether an interrupt waits for v, which runs on this CPU and executed
 * WFI: one in its list registers pending (after a flush brought in what
 * the model holds), more than fit there, or a timer whose line is up and
 * whose interrupt has not fired yet. The guest's priority mask is not
 * looked at: a WFI that returns early is one the architecture allows.
 */
bool vgic_vcpu_pending(struct vcpu *v)
{
	static const uint32_t timers[] = {GIC_PPI_VTIMER, GIC_PPI_PTIMER};
	unsigned n = nr_lrs();

	vgic_flush(v);
	for (unsigned i = 0; i < n; i++)
		if ((v->lr_used & (1u << i)) &&
		    ((read_lr(i) >> ICH_LR_STATE_SHIFT) & ICH_LR_PENDING))
			return true;
	if (read_sysreg(ich_hcr_el2) & ICH_HCR_UIE)
		return true;
	for (unsigned i = 0; i < sizeof(timers) / sizeof(timers[0]); i++)
		if (!(v->timers_held & (1u << timers[i])) && timer_line(v, timers[i]))
			return true;
	return false;
}

/* Every other vCPU with something new: the scheduler brings it in (a
 * kick to its CPU if it runs, a wake-up if it waits in WFI). */
void vgic_kick_others(struct vm *vm)
{
	uint32_t mask;
	struct vcpu *self = current_vcpu();

	if (vm->vcpu_count == 1 && &vm->vcpus[0] == self)
		return; /* it flushes on its way back to the guest */
	spin_lock(&vm->vgic_lock);
	mask = vgic_pending_mask(&vm->vgic);
	spin_unlock(&vm->vgic_lock);
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *t = &vm->vcpus[i];

		if ((mask & (1u << i)) && t != self)
			sched_notify(t);
	}
}

/* MMIO handlers for the distributor and the redistributors: the model
 * under the VM's lock; a write may make something deliverable elsewhere.
 * Their priv says which of the two frames the range is. */
struct vgic_frame {
	bool (*read)(struct vgic *g, uint32_t off, unsigned size, uint64_t *val);
	bool (*write)(struct vgic *g, uint32_t off, unsigned size, uint64_t val);
};

static const struct vgic_frame dist_frame = {vgic_dist_read, vgic_dist_write};
static const struct vgic_frame redist_frame = {vgic_redist_read, vgic_redist_write};

static bool frame_read(struct vcpu *v, void *priv, uint64_t off, unsigned size,
		       uint64_t *val)
{
	const struct vgic_frame *fr = priv;
	bool ok;

	spin_lock(&v->vm->vgic_lock);
	sync_lrs(v); /* the registers report list-register state too */
	ok = fr->read(&v->vm->vgic, (uint32_t)off, size, val);
	spin_unlock(&v->vm->vgic_lock);
	return ok;
}

static bool frame_write(struct vcpu *v, void *priv, uint64_t off, unsigned size,
			uint64_t val)
{
	const struct vgic_frame *fr = priv;
	bool ok;

	spin_lock(&v->vm->vgic_lock);
	sync_lrs(v);
	ok = fr->write(&v->vm->vgic, (uint32_t)off, size, val);
	model_changed(v->vm);
	spin_unlock(&v->vm->vgic_lock);
	vgic_kick_others(v->vm);
	return ok;
}

static const struct mmio_ops frame_ops = {frame_read, frame_write};

/* A VM's reset: its distributor and redistributors as at power-on; every
 * vCPU sees the change at its next flush. */
void vgic_vm_reset(struct vm *vm)
{
	spin_lock(&vm->vgic_lock);
	vgic_init(&vm->vgic, vm->vcpu_count);
	model_changed(vm);
	spin_unlock(&vm->vgic_lock);
}

int vgic_vm_init(struct vm *vm)
{
	vgic_init(&vm->vgic, vm->vcpu_count);
	if (vm_add_mmio(vm, GUEST_GICD_BASE, GUEST_GICD_SIZE, &frame_ops,
			(void *)&dist_frame, "GIC distributor"))
		return -1;
	return vm_add_mmio(vm, GUEST_GICR_BASE, GUEST_GICR_SIZE_PER_CPU * vm->vcpu_count,
			   &frame_ops, (void *)&redist_frame, "GIC redistributors");
}

/* A guest's ICC_SGI1R_EL1 write (trapped while HCR_EL2.IMO is set). */
void vgic_guest_sgi(struct vcpu *v, uint64_t value)
{
	spin_lock(&v->vm->vgic_lock);
	vgic_send_sgi(&v->vm->vgic, v->index, value);
	model_changed(v->vm);
	spin_unlock(&v->vm->vgic_lock);
	vgic_kick_others(v->vm);
}

/*
 * A device line of the VM (its UART, a virtio device) changed level. Only
 * a change of whether the interrupt may go into a list register is news
 * to the vCPUs: a line that falls while the guest handles its interrupt
 * (a virtio InterruptACK write: the interrupt is active in a list
 * register) or that moves while the interrupt is disabled leaves every
 * flush's answer as it was, so no vCPU is made to flush again, nor
 * kicked (docs/PERFORMANCE.md, "Instructions per 4 KiB request").
 */
void vgic_line(struct vm *vm, uint32_t intid, bool level)
{
	bool news;

	spin_lock(&vm->vgic_lock);
	news = vgic_set_level(&vm->vgic, 0, intid, level);
	if (news)
		model_changed(vm);
	spin_unlock(&vm->vgic_lock);
	if (news)
		vgic_kick_others(vm);
}

void vgic_passthrough_spi(struct vm *vm, uint32_t intid)
{
	uint32_t spi = intid - GIC_SPI_BASE;

	if (intid >= GIC_SPI_BASE && spi < VGIC_NR_SPIS)
		vm->hw_spis[spi / 32] |= 1u << (spi % 32);
}

void vgic_passthrough_fired(struct vm *vm, uint32_t intid)
{
	spin_lock(&vm->vgic_lock);
	vgic_set_level(&vm->vgic, 0, intid, true);
	model_changed(vm);
	spin_unlock(&vm->vgic_lock);
	vgic_kick_others(vm);
}

/*
 * The vCPU was just loaded (vcpu_load) with its virtual timer's line
 * already up: its deadline passed while it was off this CPU, the most
 * common case being a vCPU woken from WFI by that very deadline. Its
 * physical interrupt would fire as soon as the guest ran and bring it
 * straight back here; instead it is made active now (a pending and
 * active level interrupt is not signalled) and handled as if it had
 * fired, so the guest enters with it in a list register. The guest's EOI
 * deactivates it through the list register's HW link as usual. KVM does
 * the same when it loads a vCPU whose timer should fire.
 */
void vgic_timer_loaded(struct vcpu *v)
{
	uint32_t bit = 1u << GIC_PPI_VTIMER;

	if ((v->timers_held & bit) || !timer_ctl_line(read_sysreg(cntv_ctl_el0)))
		return;
	gic_set_active_private(bit);
	vgic_timer_fired(v, GIC_PPI_VTIMER);
}

/* A timer's physical interrupt (virtual timer, or the EL1 physical timer
 * armed for the guest) fired for the vCPU running here; it stays active
 * until the guest's EOI or until its line falls (timer_retire()). */
void vgic_timer_fired(struct vcpu *v, uint32_t intid)
{
	spin_lock(&v->vm->vgic_lock);
	/* It fired, so the guest has deactivated the one before, whose list
	 * register may not have been synced yet: sync now, or that sync
	 * would take this new activation for the old one's end and forget
	 * it, and once the vCPU moves, the physical interrupt would stay
	 * active on this CPU, and its timer dead, for good. */
	sync_lrs(v);
	v->timers_held |= 1u << intid;
	vgic_set_level(&v->vm->vgic, v->index, intid, true);
	model_changed(v->vm);
	spin_unlock(&v->vm->vgic_lock);
}
