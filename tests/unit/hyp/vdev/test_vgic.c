/*
 * hyp/vdev/vgic.c's list-register filling, the real code on the host
 * double of the arch layer (arch/fake/sysreg.h) and the real vGIC model:
 * on the way back to the guest, vgic_flush() puts the model's pending
 * interrupts, highest priority first, into the free list registers
 * ICH_LR<n>_EL2 (pending, group, priority, INTID), with the HW bit and
 * the physical INTID for the timers and passed-through SPIs, the EOI
 * maintenance bit for device lines; asks for the underflow maintenance
 * interrupt (ICH_HCR_EL2.UIE) when more wait than fit; leaves occupied
 * registers alone; and takes an interrupt back when the guest is done
 * with it (ICH_ELRSR_EL2).
 */
#include <string.h>

#include <arch/gicv3.h>
#include <arch/sysreg.h>
#include <hyp/drivers/gic.h>
#include <hyp/vm.h>

#include "unit.h"

#define NR_LRS 4
#define SPI_UART 33
#define SPI_DISK 40
#define LR_PENDING (ICH_LR_PENDING << ICH_LR_STATE_SHIFT)
#define LR_ACTIVE (ICH_LR_ACTIVE << ICH_LR_STATE_SHIFT)
#define LR_PRIO(p) ((uint64_t)(p) << ICH_LR_PRIORITY_SHIFT)
#define LR_PINTID(i) ((uint64_t)(i) << ICH_LR_PINTID_SHIFT)

/* The rest of the hypervisor, as vgic.c calls it. */
struct pcpu pcpus[MAX_PCPUS];
static uint32_t deactivated[4];
static unsigned n_deactivated, kicks;
/* The physical active state of this CPU's PPIs, as vgic_save() and
 * vgic_restore() move a held timer interrupt between CPUs. */
static uint32_t ppi_active;

void gic_clear_active_private(uint32_t mask)
{
	ppi_active &= ~mask;
}

void gic_set_active_private(uint32_t mask)
{
	ppi_active |= mask;
}

void gic_deactivate(uint32_t intid)
{
	if (n_deactivated < 4)
		deactivated[n_deactivated] = intid;
	n_deactivated++;
}

void gic_kick(uint64_t mpidr)
{
	kicks++;
}

/* The scheduler brings in another vCPU with something new. */
void sched_notify(struct vcpu *t)
{
	kicks++;
}

uint64_t vcpu_count(const struct vcpu *vc)
{
	return 0;
}

/* vgic_vm_init() registers the distributor and redistributors; the list
 * registers tested here come after it, so it is not called. */
int vm_add_mmio(struct vm *vm, uint64_t base, uint64_t size, const struct mmio_ops *ops,
		void *priv, const char *name)
{
	CHECK(!"vm_add_mmio called");
	return -1;
}

static struct vm vm;
static struct vcpu *v = &vm.vcpus[0];

/* The list registers by number (the double names them by encoding). */
static uint64_t *lr(unsigned n)
{
	uint64_t *lrs[NR_LRS] = {
		&fake_sysregs.S3_4_C12_C12_0, &fake_sysregs.S3_4_C12_C12_1,
		&fake_sysregs.S3_4_C12_C12_2, &fake_sysregs.S3_4_C12_C12_3};

	return lrs[n];
}

static void dist_write(uint32_t off, uint32_t val)
{
	CHECK(vgic_dist_write(&vm.vgic, off, 4, val));
}

static void redist_write(uint32_t off, uint32_t val)
{
	CHECK(vgic_redist_write(&vm.vgic, GICR_SGI_BASE + off, 4, val));
}

/* The guest enabled intid in Group 1 at priority prio. */
static void guest_enables(uint32_t intid, uint8_t prio)
{
	uint32_t bit = 1u << (intid % 32);
	uint32_t prio_off = (intid & ~3u), shift = 8 * (intid & 3);
	uint64_t prios = 0;

	if (intid < GIC_SPI_BASE) {
		uint64_t grp = 0;

		CHECK(vgic_redist_read(&vm.vgic, GICR_SGI_BASE + GICR_IGROUPR0, 4, &grp));
		redist_write(GICR_IGROUPR0, (uint32_t)grp | bit);
		CHECK(vgic_redist_read(
			&vm.vgic, GICR_SGI_BASE + GICR_IPRIORITYR + prio_off, 4, &prios));
		redist_write(GICR_IPRIORITYR + prio_off,
			     ((uint32_t)prios & ~(0xffu << shift)) | (uint32_t)prio
									     << shift);
		redist_write(GICR_ISENABLER0, bit);
	} else {
		uint64_t grp = 0;
		uint32_t word = 4 * (intid / 32);

		CHECK(vgic_dist_read(&vm.vgic, GICD_IGROUPR + word, 4, &grp));
		dist_write(GICD_IGROUPR + word, (uint32_t)grp | bit);
		CHECK(vgic_dist_read(&vm.vgic, GICD_IPRIORITYR + prio_off, 4, &prios));
		dist_write(GICD_IPRIORITYR + prio_off,
			   ((uint32_t)prios & ~(0xffu << shift)) | (uint32_t)prio
									   << shift);
		dist_write(GICD_ISENABLER + word, bit);
	}
}

static void setup(void)
{
	fake_arch_reset();
	memset(&vm, 0, sizeof(vm));
	memset(pcpus, 0, sizeof(pcpus));
	vm.vcpu_count = 1;
	v->vm = &vm;
	pcpus[0].vcpu = v;
	fake_sysregs.tpidr_el2 = (uint64_t)(uintptr_t)&pcpus[0];
	/* 4 list registers, 5 preemption bits. */
	fake_sysregs.ich_vtr_el2 = (NR_LRS - 1) | (4ull << 26);
	n_deactivated = kicks = 0;
	vgic_init(&vm.vgic, 1);
	dist_write(GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_EnableGrp1 | GICD_CTLR_DS);
	*lr(2) = 0xdead; /* stale, from a vCPU that ran here before */
	ppi_active = 0;
	vgic_vcpu_reset(v);
	vgic_restore(v);
}

/* Loading empties the list registers and enables the interface. */
static void load_resets_the_interface(void)
{
	setup();
	for (unsigned i = 0; i < NR_LRS; i++)
		CHECK_EQ(*lr(i), 0);
	CHECK_EQ(fake_sysregs.ich_hcr_el2, ICH_HCR_EN);
	CHECK_EQ(v->lr_used, 0);
}

/* A vCPU loaded (CPU_ON) with an interrupt already waiting in the model
 * gets it at its first flush, though the model did not change since. */
static void first_flush_after_load_fills(void)
{
	setup();
	guest_enables(SPI_UART, 0xa0);
	vgic_line(&vm, SPI_UART, true);
	vgic_vcpu_reset(v);
	vgic_restore(v);
	vgic_flush(v);
	CHECK_EQ(*lr(0) & ICH_LR_VINTID_MASK, SPI_UART);
	CHECK_EQ(v->lr_used, 1);
}

/* A device line: pending, Group 1, its priority, its INTID, and the EOI
 * maintenance bit (a level: resampled when the guest ends it). */
static void spi_fills_a_list_register(void)
{
	setup();
	guest_enables(SPI_UART, 0xa0);
	vgic_line(&vm, SPI_UART, true);
	fake_arch.isb = 0;
	vgic_flush(v);
	CHECK_EQ(*lr(0),
		 LR_PENDING | ICH_LR_GROUP1 | LR_PRIO(0xa0) | ICH_LR_EOI | SPI_UART);
	CHECK_EQ(*lr(1), 0);
	CHECK_EQ(v->lr_used, 1);
	CHECK_EQ(fake_sysregs.ich_hcr_el2, ICH_HCR_EN);
	CHECK(fake_arch.isb >= 1);

	/* Nothing changed since: the next flush writes nothing. */
	*lr(0) = 0x1234;
	vgic_flush(v);
	CHECK_EQ(*lr(0), 0x1234);
}

/* Highest priority (lowest value) first; the register of an interrupt
 * the guest still holds is left as it is. */
static void priority_order_and_occupied_lrs(void)
{
	setup();
	guest_enables(SPI_UART, 0xa0);
	guest_enables(SPI_DISK, 0x20);
	guest_enables(1, 0x60); /* an SGI */
	vgic_line(&vm, SPI_UART, true);
	vgic_flush(v);
	CHECK_EQ(*lr(0) & ICH_LR_VINTID_MASK, SPI_UART);

	*lr(0) = (*lr(0) & ~LR_PENDING) | LR_ACTIVE; /* the guest took it */
	vgic_line(&vm, SPI_DISK, true);
	vgic_send_sgi(&vm.vgic, 0, (1ull << ICC_SGI1R_EL1_INTID_SHIFT) | 1);
	vgic_line(&vm, SPI_UART, false);
	vgic_flush(v);
	CHECK_EQ(*lr(0) & ~ICH_LR_VINTID_MASK,
		 LR_ACTIVE | ICH_LR_GROUP1 | LR_PRIO(0xa0) | ICH_LR_EOI);
	CHECK_EQ(*lr(0) & ICH_LR_VINTID_MASK, SPI_UART);
	CHECK_EQ(*lr(1),
		 LR_PENDING | ICH_LR_GROUP1 | LR_PRIO(0x20) | ICH_LR_EOI | SPI_DISK);
	CHECK_EQ(*lr(2), LR_PENDING | ICH_LR_GROUP1 | LR_PRIO(0x60) | 1);
	CHECK_EQ(*lr(3), 0);
	CHECK_EQ(v->lr_used, 7);
}

/* More pending than list registers: all filled, and UIE asks for the
 * maintenance interrupt that says they drained. */
static void overflow_sets_uie(void)
{
	setup();
	for (unsigned i = 0; i < NR_LRS + 1; i++) {
		guest_enables(SPI_UART + i, 0x80);
		vgic_line(&vm, SPI_UART + i, true);
	}
	vgic_flush(v);
	for (unsigned i = 0; i < NR_LRS; i++)
		CHECK_EQ(*lr(i) & ICH_LR_VINTID_MASK, SPI_UART + i);
	CHECK_EQ(v->lr_used, (1u << NR_LRS) - 1);
	CHECK_EQ(fake_sysregs.ich_hcr_el2, ICH_HCR_EN | ICH_HCR_UIE);

	/* The guest ends the first: its register is taken back (ELRSR) and
	 * the one still waiting goes in; nothing waits any more. */
	*lr(0) = ICH_LR_GROUP1 | LR_PRIO(0x80) | ICH_LR_EOI | SPI_UART; /* inactive */
	vgic_line(&vm, SPI_UART, false);
	fake_sysregs.ich_elrsr_el2 = 1;
	vgic_flush(v);
	CHECK_EQ(*lr(0) & ICH_LR_VINTID_MASK, SPI_UART + NR_LRS);
	CHECK_EQ(*lr(0) >> ICH_LR_STATE_SHIFT, ICH_LR_PENDING);
	CHECK_EQ(fake_sysregs.ich_hcr_el2, ICH_HCR_EN);
}

/* The virtual timer: HW bit with the same physical INTID, no EOI bit
 * (the guest's EOI deactivates the physical interrupt itself). */
static void timer_goes_in_with_hw(void)
{
	setup();
	guest_enables(GIC_PPI_VTIMER, 0x40);
	fake_sysregs.cntv_ctl_el0 = CNT_CTL_ENABLE | CNT_CTL_ISTATUS; /* its line is up */
	vgic_timer_fired(v, GIC_PPI_VTIMER);
	vgic_flush(v);
	CHECK_EQ(*lr(0), LR_PENDING | ICH_LR_GROUP1 | LR_PRIO(0x40) | ICH_LR_HW |
				 LR_PINTID(GIC_PPI_VTIMER) | GIC_PPI_VTIMER);
	CHECK_EQ(v->timers_held, 1u << GIC_PPI_VTIMER);
	CHECK_EQ(n_deactivated, 0);

	/* Its line fell before the guest took it: taken back, the physical
	 * one deactivated, by the redistributor (it may have been made
	 * active there by a move rather than acknowledged). */
	ppi_active = 1u << GIC_PPI_VTIMER;
	fake_sysregs.cntv_ctl_el0 = CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS;
	vgic_flush(v);
	CHECK_EQ(*lr(0), 0);
	CHECK_EQ(v->lr_used, 0);
	CHECK_EQ(v->timers_held, 0);
	CHECK_EQ(ppi_active, 0);
}

/* A passed-through SPI: HW bit and its physical INTID. */
static void passthrough_spi_goes_in_with_hw(void)
{
	setup();
	guest_enables(SPI_DISK, 0x90);
	vgic_passthrough_spi(&vm, SPI_DISK);
	vgic_passthrough_fired(&vm, SPI_DISK);
	vgic_flush(v);
	CHECK_EQ(*lr(0), LR_PENDING | ICH_LR_GROUP1 | LR_PRIO(0x90) | ICH_LR_HW |
				 LR_PINTID(SPI_DISK) | SPI_DISK);
}

/* A disabled interrupt, or one in a group the distributor does not
 * enable, stays out of the list registers. */
static void not_deliverable_stays_out(void)
{
	setup();
	vgic_line(&vm, SPI_UART, true); /* never enabled */
	vgic_flush(v);
	CHECK_EQ(*lr(0), 0);
	CHECK_EQ(v->lr_used, 0);

	guest_enables(SPI_UART, 0xa0);
	dist_write(GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_DS); /* Group 1 off */
	vgic_flush(v);
	CHECK_EQ(*lr(0), 0);
}

/* A line that moves without changing what may go into a list register
 * (its interrupt active, or disabled) makes no vCPU flush again; what
 * does change it (the guest's EOI, an enable) still delivers. */
static void line_without_news(void)
{
	uint32_t gen;

	setup();
	guest_enables(SPI_UART, 0xa0);
	vgic_line(&vm, SPI_UART, true);
	vgic_flush(v);
	gen = vm.vgic_gen;
	CHECK(!vgic_flush_wanted(v));
	vgic_line(&vm, SPI_UART, true);		     /* already up */
	*lr(0) = (*lr(0) & ~LR_PENDING) | LR_ACTIVE; /* the guest took it */
	vgic_line(&vm, SPI_UART, false);	     /* its InterruptACK */
	vgic_line(&vm, SPI_UART, true);		     /* the next completion */
	CHECK_EQ(vm.vgic_gen, gen);
	CHECK(!vgic_flush_wanted(v));

	/* Its EOI (ELRSR): the line is up, so it is pending anew. */
	*lr(0) &= ~(LR_PENDING | LR_ACTIVE);
	fake_sysregs.ich_elrsr_el2 = 1;
	CHECK(vgic_flush_wanted(v));
	vgic_flush(v);
	CHECK_EQ(*lr(0),
		 LR_PENDING | ICH_LR_GROUP1 | LR_PRIO(0xa0) | ICH_LR_EOI | SPI_UART);
	fake_sysregs.ich_elrsr_el2 = 0;

	/* A disabled interrupt's line: no news until the guest enables it
	 * (frame_write()'s model_changed(), done here by hand). */
	gen = vm.vgic_gen;
	vgic_line(&vm, SPI_DISK, true);
	CHECK_EQ(vm.vgic_gen, gen);
	guest_enables(SPI_DISK, 0x20);
	vm.vgic_gen++;
	vgic_flush(v);
	CHECK_EQ(*lr(1),
		 LR_PENDING | ICH_LR_GROUP1 | LR_PRIO(0x20) | ICH_LR_EOI | SPI_DISK);

	/* A line that falls while its interrupt only waits in the model is
	 * news: the vCPU must not be given it. */
	guest_enables(SPI_UART + 1, 0x30);
	vgic_line(&vm, SPI_UART + 1, true);
	gen = vm.vgic_gen;
	CHECK(gen != v->vgic_seen);
	vgic_line(&vm, SPI_UART + 1, false);
	CHECK(vm.vgic_gen != gen);
	vgic_flush(v);
	CHECK_EQ(*lr(2), 0);
}

/*
 * A vCPU switched out while handling its timer interrupt and loaded again
 * (on another CPU): its list registers, active priorities and VMCR come
 * back as they were, the interface is off in between, and the physical
 * timer PPI is inactive on the CPU it left and active where it comes back,
 * so that the guest's EOI through the HW link deactivates it there.
 */
static void save_restore_round_trip(void)
{
	uint64_t lr0;

	setup();
	guest_enables(GIC_PPI_VTIMER, 0x40);
	fake_sysregs.cntv_ctl_el0 = CNT_CTL_ENABLE | CNT_CTL_ISTATUS;
	vgic_timer_fired(v, GIC_PPI_VTIMER);
	vgic_flush(v);
	*lr(0) = (*lr(0) & ~LR_PENDING) | LR_ACTIVE; /* the guest acknowledged it */
	lr0 = *lr(0);
	fake_sysregs.S3_4_C12_C9_0 = 1u << 8; /* ICH_AP1R0: its priority active */
	fake_sysregs.ich_vmcr_el2 = 0xf0000003;
	ppi_active = 1u << GIC_PPI_VTIMER;
	/* More were waiting than fit: it wanted to know when LRs drain. */
	fake_sysregs.ich_hcr_el2 = ICH_HCR_EN | ICH_HCR_UIE;

	vgic_save(v);
	CHECK_EQ(fake_sysregs.ich_hcr_el2, 0);
	CHECK_EQ(ppi_active, 0);

	/* Another vCPU ran here meanwhile, and left every list register in
	 * use (its vgic_save() says so). */
	for (unsigned i = 0; i < NR_LRS; i++)
		*lr(i) = 0x77;
	pcpus[0].lr_zero = 0;
	fake_sysregs.S3_4_C12_C9_0 = 0;
	fake_sysregs.ich_vmcr_el2 = 0;

	vgic_restore(v);
	CHECK_EQ(*lr(0), lr0);
	for (unsigned i = 1; i < NR_LRS; i++)
		CHECK_EQ(*lr(i), 0);
	CHECK_EQ(fake_sysregs.S3_4_C12_C9_0, 1u << 8);
	CHECK_EQ(fake_sysregs.ich_vmcr_el2, 0xf0000003);
	CHECK_EQ(fake_sysregs.ich_hcr_el2, ICH_HCR_EN | ICH_HCR_UIE);
	CHECK_EQ(ppi_active, 1u << GIC_PPI_VTIMER);
	CHECK_EQ(v->lr_used, 1);
}

/* A timer interrupt the guest has ended (its list register empty, not
 * yet seen by the hypervisor) is not made active where the vCPU goes
 * next: that would mask that CPU's timer for good. */
static void ended_timer_not_carried(void)
{
	setup();
	guest_enables(GIC_PPI_VTIMER, 0x40);
	fake_sysregs.cntv_ctl_el0 = CNT_CTL_ENABLE | CNT_CTL_ISTATUS;
	vgic_timer_fired(v, GIC_PPI_VTIMER);
	vgic_flush(v);
	CHECK_EQ(v->timers_held, 1u << GIC_PPI_VTIMER);
	/* The guest's EOI deactivated it through the HW link. */
	*lr(0) &= ~(LR_PENDING | LR_ACTIVE);
	fake_sysregs.ich_elrsr_el2 = 1;
	vgic_save(v);
	CHECK_EQ(v->timers_held, 0);
	ppi_active = 0;
	vgic_restore(v);
	CHECK_EQ(ppi_active, 0);
	CHECK_EQ(*lr(0), 0);
}

/* The timer fires again after the guest's EOI of the last one but before
 * any exit synced that list register: the new activation is held, and a
 * vCPU that then moves takes it along (else the physical interrupt would
 * stay active on the CPU it left, that CPU's timer dead for good). */
static void refired_timer_stays_held(void)
{
	setup();
	guest_enables(GIC_PPI_VTIMER, 0x40);
	fake_sysregs.cntv_ctl_el0 = CNT_CTL_ENABLE | CNT_CTL_ISTATUS;
	vgic_timer_fired(v, GIC_PPI_VTIMER);
	vgic_flush(v);
	*lr(0) &= ~(LR_PENDING | LR_ACTIVE); /* EOI'd, not yet synced */
	fake_sysregs.ich_elrsr_el2 = 1;
	vgic_timer_fired(v, GIC_PPI_VTIMER);
	vgic_flush(v);
	CHECK_EQ(v->timers_held, 1u << GIC_PPI_VTIMER);
	fake_sysregs.ich_elrsr_el2 = 0;
	ppi_active = 1u << GIC_PPI_VTIMER;
	vgic_save(v);
	CHECK_EQ(ppi_active, 0); /* cleared on the CPU it leaves */
	CHECK_EQ(v->timers_held, 1u << GIC_PPI_VTIMER);
	vgic_restore(v);
	CHECK_EQ(ppi_active, 1u << GIC_PPI_VTIMER); /* active where it goes */
}

/* WFI completes at once when an interrupt waits: in the model, in a list
 * register, or a timer whose line is up; otherwise the vCPU may block. */
static void wfi_pending_check(void)
{
	setup();
	fake_sysregs.cntv_ctl_el0 = 0;
	CHECK(!vgic_vcpu_pending(v));

	guest_enables(SPI_UART, 0xa0);
	vgic_line(&vm, SPI_UART, true);
	CHECK(vgic_vcpu_pending(v)); /* brought into a list register */
	CHECK_EQ(*lr(0) & ICH_LR_VINTID_MASK, SPI_UART);

	/* The guest took it: active, no longer pending. */
	*lr(0) = (*lr(0) & ~LR_PENDING) | LR_ACTIVE;
	vgic_line(&vm, SPI_UART, false);
	CHECK(!vgic_vcpu_pending(v));

	/* Its virtual timer's condition is met, the interrupt not yet taken. */
	fake_sysregs.cntv_ctl_el0 = CNT_CTL_ENABLE | CNT_CTL_ISTATUS;
	CHECK(vgic_vcpu_pending(v));
	fake_sysregs.cntv_ctl_el0 = CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS;
	CHECK(!vgic_vcpu_pending(v));
}

int main(void)
{
	RUN(load_resets_the_interface);
	RUN(first_flush_after_load_fills);
	RUN(spi_fills_a_list_register);
	RUN(priority_order_and_occupied_lrs);
	RUN(overflow_sets_uie);
	RUN(timer_goes_in_with_hw);
	RUN(passthrough_spi_goes_in_with_hw);
	RUN(not_deliverable_stays_out);
	RUN(line_without_news);
	RUN(save_restore_round_trip);
	RUN(wfi_pending_check);
	RUN(ended_timer_not_carried);
	RUN(refired_timer_stays_held);
	UNIT_DONE();
}
