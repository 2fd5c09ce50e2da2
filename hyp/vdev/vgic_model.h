/*
 * The register model of an emulated GICv3 distributor (GICD) and its
 * redistributors (GICR), one of each per vCPU, for one VM (Arm IHI 0069).
 * The guest sees a GIC with affinity routing only (GICD_CTLR.ARE fixed at
 * 1), one Security state (GICD_CTLR.DS fixed at 1: Group 0 and Group 1,
 * no Secure Group 1), 96 SPIs (INTIDs 32..127), no LPIs, no ITS.
 *
 * The hypervisor traps the guest's accesses to the GICD frame and to the
 * redistributor region and passes them here; it delivers interrupts itself
 * through the hardware's virtual CPU interface (ICH_LR<n>_EL2), asking
 * vgic_next() what to put in a list register and telling the model, with
 * vgic_deliver() and vgic_lr_update(), what happened to it. The CPU
 * interface (ICC_*) is the hardware's; only ICC_SGI1R_EL1, whose writes
 * trap, reaches the model (vgic_send_sgi()).
 *
 * The library holds no locks: the caller serialises every call on one
 * struct vgic (one lock per VM). Everything the guest passes (offsets,
 * sizes, values, SGI targets) is checked before it indexes anything.
 *
 * While an interrupt sits in a list register its pending and active state
 * there is the caller's: the model learns it only through
 * vgic_lr_update(). Guest writes to GICD/GICR set/clear registers for such
 * an interrupt change the model's copy, not the list register.
 */
#ifndef LIB_VGIC_H
#define LIB_VGIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* INTIDs 32..127: GICD_TYPER.ITLinesNumber = 3, 32 * (3 + 1) INTIDs. */
#define VGIC_NR_SPIS 96
/* A VM's vCPUs (VMCONFIG_MAX_CPUS). At most 16: an SGI's target list
 * reaches Aff0 0..15 (GICD_TYPER.RSS = 0), and vgic_pending_mask() has a
 * bit per vCPU in 32. */
#define VGIC_MAX_VCPUS 16
/* SGIs 0..15 and PPIs 16..31, one set per redistributor. */
#define VGIC_NR_PRIVATE 32
#define VGIC_FIRST_SPI 32
/* What vgic_next() answers when nothing is deliverable (ICC_IAR1_EL1's
 * spurious INTID). */
#define VGIC_SPURIOUS 1023u

/* The guest-physical frames the hypervisor traps: the GICD frame, and one
 * RD_base + SGI_base pair per vCPU, contiguous from vCPU 0. */
#define VGIC_DIST_SIZE 0x10000u
#define VGIC_REDIST_STRIDE 0x20000u

/* vgic_irq.target_vcpu of an SPI whose GICD_IROUTER names no vCPU. */
#define VGIC_NO_VCPU 0xffu

struct vgic_irq {
	uint8_t priority;      /* GIC*_IPRIORITYR field, unimplemented bits 0 */
	uint8_t group;	       /* GIC*_IGROUPR: 0 Group 0, 1 Group 1 */
	uint8_t enabled;       /* GIC*_ISENABLER */
	uint8_t pending_latch; /* edge seen, ISPENDR written or SGI sent */
	uint8_t level;	       /* input line as the device last drove it */
	uint8_t active;	       /* GIC*_ISACTIVER, as last known */
	uint8_t config_edge;   /* GIC*_ICFGR Int_config[1]: 1 edge, 0 level */
	uint8_t in_lr;	       /* in a list register of lr_vcpu */
	uint8_t lr_vcpu;
	uint8_t lr_pending;  /* the list register's pending bit, as last known */
	uint8_t target_vcpu; /* SPIs: the vCPU GICD_IROUTER names */
	uint64_t route;	     /* SPIs: GICD_IROUTER<n> as the guest reads it */
};

struct vgic_vcpu {
	struct vgic_irq private_irqs[VGIC_NR_PRIVATE];
	uint32_t waker; /* GICR_WAKER */
	uint32_t ready; /* bit n: INTID n is ready (see below) */
};

struct vgic {
	uint32_t ctlr; /* GICD_CTLR.EnableGrp0/EnableGrp1 as written */
	unsigned nr_vcpus;
	struct vgic_irq spis[VGIC_NR_SPIS];
	struct vgic_vcpu vcpu[VGIC_MAX_VCPUS];
	/* Bit n of word w: SPI INTID 32 + 32 * w + n is ready: pending,
	 * enabled, not active and not in a list register. These and
	 * vgic_vcpu.ready are exactly the INTIDs in that state, updated at
	 * every change of it, so the delivery search visits those alone
	 * and checks the rest (the group's enable, an SPI's route, the
	 * caller's list registers) on them. */
	uint32_t ready_spis[VGIC_NR_SPIS / 32];
};

/* Reset (nr_vcpus is clamped to 1..VGIC_MAX_VCPUS): everything disabled,
 * Group 0, priority 0, SPIs level-sensitive and routed to vCPU 0, every
 * redistributor asleep (GICR_WAKER.ProcessorSleep = ChildrenAsleep = 1,
 * which holds nothing back: see vgic_next()). */
void vgic_init(struct vgic *g, unsigned nr_vcpus);

/*
 * Trapped MMIO. off is the offset in the 64 KiB GICD frame, or in the
 * whole redistributor region (vCPU off / VGIC_REDIST_STRIDE). size is the
 * access size in bytes. Returns false for an access the hardware would
 * reject (size not 1/2/4/8, unaligned, beyond the frames, or a size the
 * register does not support): the caller injects an external abort.
 * Reserved and unimplemented locations read as zero and ignore writes.
 * A write uses the low size bytes of val.
 */
bool vgic_dist_read(struct vgic *g, uint32_t off, unsigned size, uint64_t *val);
bool vgic_dist_write(struct vgic *g, uint32_t off, unsigned size, uint64_t val);
bool vgic_redist_read(struct vgic *g, uint32_t off, unsigned size, uint64_t *val);
bool vgic_redist_write(struct vgic *g, uint32_t off, unsigned size, uint64_t val);

/* Drive an interrupt line: an SPI, or a PPI/SGI of vCPU vcpu. A
 * level-sensitive interrupt is pending while the line is high; an
 * edge-triggered one latches pending on each 0->1 transition. True when
 * that changed whether vgic_next() may pick it (pending, enabled, not
 * active, not in a list register): when false, no vgic_next() answer
 * changed, and a line that moves while its interrupt is active or
 * disabled needs no new look at the list registers. */
bool vgic_set_level(struct vgic *g, unsigned vcpu, uint32_t intid, bool level);

/* The guest's write of sgi1r to ICC_SGI1R_EL1 on vCPU from_vcpu. */
void vgic_send_sgi(struct vgic *g, unsigned from_vcpu, uint64_t sgi1r);

/*
 * The highest-priority (lowest value, then lowest INTID) interrupt that is
 * pending, enabled, in a group GICD_CTLR enables, not active, targeted at
 * vcpu, not already in a list register, and not one of in_lr[0..n_in_lr).
 * Returns VGIC_SPURIOUS if there is none. GICR_WAKER.ProcessorSleep
 * does not hold interrupts back, as on QEMU's GICv3 and KVM's vGIC (a
 * guest that never clears it still gets its interrupts). *priority and *group (either may
 * be NULL) are what the list register should carry. Changes nothing.
 */
uint32_t vgic_next(struct vgic *g, unsigned vcpu, const uint32_t *in_lr, unsigned n_in_lr,
		   uint8_t *priority, uint8_t *group);

/* The caller put intid in a list register of vcpu as pending: its pending
 * latch moves there. False (and nothing changed) if intid is not pending
 * for vcpu or is already in a list register. */
bool vgic_deliver(struct vgic *g, unsigned vcpu, uint32_t intid);

/* The state the caller read back from vcpu's list register holding intid.
 * Pending or active: it stays there. Neither (the guest EOId it): the list
 * register is free and the interrupt is the model's again, so a level
 * interrupt whose line is still high is pending again. */
void vgic_lr_update(struct vgic *g, unsigned vcpu, uint32_t intid, bool pending,
		    bool active);

/*
 * vcpu's list register holding intid is given up before the guest is done
 * with it: its virtual CPU interface goes away (PSCI CPU_OFF). The GIC's
 * redistributor keeps an interrupt pending that its CPU interface never
 * acknowledged, so pending (what the list register showed; false for a
 * physical interrupt linked with the HW bit, whose own line decides) makes
 * it pending in the model again. The active state goes with the interface
 * that held it: the vCPU comes back with a reset interface (no active
 * priority) that could never end it, and an interrupt left active would
 * never be delivered again. The interrupt is the model's again either way.
 */
void vgic_lr_unload(struct vgic *g, unsigned vcpu, uint32_t intid, bool pending);

/* Bit n set when vCPU n has an interrupt vgic_next() would return: the
 * vCPUs to kick or wake. */
uint32_t vgic_pending_mask(struct vgic *g);

#endif
