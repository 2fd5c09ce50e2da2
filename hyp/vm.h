/*
 * VMs and vCPUs. vCPUs share the physical CPUs (hyp/sched/): while one
 * runs, its EL1 state lives in the hardware registers and its general
 * registers in the exception frame at the top of that CPU's EL2 stack;
 * struct vcpu_context holds the full state while it is off a CPU, saved
 * and loaded by vcpu_put() and vcpu_load() (vcpu.c).
 */
#ifndef HYP_VM_H
#define HYP_VM_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/frame.h>
#include <arch/spinlock.h>
#include <arch/sysreg.h>
#include <hyp/backdoor/protocol.h>
#include <hyp/pnmi/lockup.h>
#include <lib/mm/pgtable.h>
#include <hyp/vdev/mmio_table.h>
#include <hyp/vdev/pl011_model.h>
#include <hyp/vdev/timer_model.h>
#include <hyp/vdev/vgic_model.h>
#include <hyp/drivers/console_escape.h>
#include <hyp/sched/runqueue.h>
#include <hyp/vdev/vblk.h>
#include <hyp/vdev/vconsole.h>
#include <lib/console.h>
#include <lib/image/vmconfig.h>

#define MAX_VMS 8
/* 16 vCPUs' GICR frames (GUEST_GICR_SIZE_PER_CPU each from GUEST_GICR_BASE)
 * end at 0x082a0000, below GUEST_UART_BASE. */
#define MAX_VCPUS_PER_VM VMCONFIG_MAX_CPUS
#define MAX_PCPUS 8

/* The guest physical memory map, modelled on QEMU virt. */
#define GUEST_GICD_BASE 0x08000000ull
#define GUEST_GICD_SIZE 0x10000ull
#define GUEST_GICR_BASE 0x080a0000ull
#define GUEST_GICR_SIZE_PER_CPU 0x20000ull
#define GUEST_UART_BASE 0x09000000ull
#define GUEST_UART_SPI 1
#define GUEST_RAM_BASE 0x40000000ull

/* A vCPU's PSCI state. VCPU_OFF_PENDING: it called CPU_OFF and is on its
 * way off its CPU; the guest is told it is OFF once the scheduler has
 * taken it off (hyp/sched/sched.c), so that a CPU_ON then succeeds. */
enum vcpu_state { VCPU_OFF = 0, VCPU_ON_PENDING, VCPU_ON, VCPU_OFF_PENDING };

struct vcpu;

/* EL1 (and EL0) system registers of a vCPU, saved when it leaves its CPU. */
struct el1_sysregs {
	uint64_t sctlr, actlr, cpacr, ttbr0, ttbr1, tcr, mair, amair;
	uint64_t vbar, contextidr, tpidr_el0, tpidrro_el0, tpidr_el1;
	uint64_t sp_el0, sp_el1, elr, spsr, esr, far, afsr0, afsr1, par;
	uint64_t cntkctl, csselr, cntv_ctl, cntv_cval;
};

struct fpsimd_state {
	__uint128_t v[32];
	uint64_t fpsr, fpcr;
};

/* The guest's debug state: what it wrote, as it sees it. */
struct debug_state {
	uint64_t mdscr; /* shadow: the real one runs with TDCC clear */
	uint64_t oslsr; /* OS lock status as the guest set it */
	uint64_t bvr[16], bcr[16], wvr[16], wcr[16];
	bool bp_wp_set; /* one of the four arrays holds a value other than 0 */
};

/* The PMU registers a guest owns (MDCR_EL2.HPMN gives it every counter). */
#define PMU_MAX_COUNTERS 31
struct pmu_state {
	uint64_t pmcr, pmselr, pmuserenr, pmcntenset, pmintenset, pmovsset;
	uint64_t pmccntr, pmccfiltr;
	uint64_t evcntr[PMU_MAX_COUNTERS], evtyper[PMU_MAX_COUNTERS];
};

/* Pointer authentication keys (APIA, APIB, APDA, APDB, APGA; lo, hi). */
struct pauth_keys {
	uint64_t k[10];
};

/* The virtual CPU interface: what its list registers and active
 * priorities held when the vCPU left its CPU (hyp/vdev/vgic.c). */
struct vgic_cpu_state {
	uint64_t lr[16];
	uint32_t ap0r[4], ap1r[4];
	uint64_t vmcr;
	uint64_t hcr; /* ICH_HCR_EL2: UIE when more wait than fit in the LRs */
};

struct vcpu_context {
	struct frame regs; /* x0..x30, pc (elr), pstate (spsr) */
	struct el1_sysregs el1;
	struct fpsimd_state fp;
	struct ptimer ptimer; /* the emulated EL1 physical timer (hyp/vdev/vtimer.c) */
	struct pmu_state pmu;
	struct pauth_keys pauth;
	struct vgic_cpu_state vgic;
};

struct vm;

struct vcpu {
	struct vm *vm;
	unsigned index;		     /* within the VM: MPIDR Aff0 */
	volatile uint32_t state;     /* enum vcpu_state */
	uint64_t start_pc, start_x0; /* from PSCI CPU_ON */
	/* Scheduling (hyp/sched/sched.c, under its lock). */
	struct sched_entity se;
	bool pinned;		    /* owns CPU se.cpu exclusively */
	bool restart_request;	    /* leaving at its VM's reset, it starts again */
	bool need_reset;	    /* started by CPU_ON: reset at its next load */
	bool off_request;	    /* CPU_OFF: leave the CPU, powered off */
	bool wfi_request;	    /* WFI: leave the CPU until an interrupt */
	bool yield_request;	    /* WFE: let another vCPU run first */
	volatile bool wake_pending; /* an interrupt came while it ran */
	uint64_t wake_at;	    /* blocked: its timers' deadline, 0 none */
	/* Its state is in some CPU's registers: set by the CPU that loads
	 * it, cleared (release) once vcpu_put() has saved it all. */
	volatile bool loaded;
	struct vcpu_context ctx;
	struct debug_state dbg;
	uint64_t exits;	     /* traps taken to EL2, for statistics */
	uint64_t fast_exits; /* ... and answered in the vectors, while off a CPU */
	uint32_t lr_used;    /* list registers holding an interrupt (hyp/vdev/vgic.c) */
	uint32_t vgic_seen;  /* vm->vgic_gen at this vCPU's last flush */
	/* Bit n: timer PPI n fired and its physical interrupt is active
	 * for this vCPU until the guest's EOI, or until its line falls
	 * first (hyp/vdev/vgic.c). */
	uint32_t timers_held;
	/* A device's mmio_ops handler asks for the trapped access to be
	 * made again: the PC stays (hyp/vdev/mmio.c, which clears it). */
	bool mmio_repeat;
};

struct vm {
	/* First, what a fast exit to its UART touches (hyp/vdev/vuart.c):
	 * within a load's or store's immediate offset from the VM's address,
	 * not behind its vCPUs (the model's hot fields lead struct
	 * pl011_emu, its input buffer ends it). */
	spinlock_t uart_lock;
	bool uart_line; /* its interrupt line, as last told to the vGIC */
	/* One VM, raw: its last byte out was not a line end. */
	bool console_mid_line;
	uint32_t vgic_gen; /* bumped on each model change, under vgic_lock */
	struct pl011_emu uart;
	unsigned id;	       /* also its VMID */
	unsigned config_index; /* its number in the configuration: vmN */
	char name[32];
	/* Running, until its end begins: cleared once, by the atomic
	 * exchange that elects the one CPU that ends the VM (vm.c). */
	volatile bool live;
	uint64_t ram_ipa, ram_pa, ram_size;
	uint64_t entry_ipa, dt_ipa;
	struct pgtable s2;
	uint64_t vttbr, vtcr, cntvoff;
	bool clock_started; /* cntvoff taken, at vCPU 0's first entry */
	unsigned vcpu_count;
	struct vcpu vcpus[MAX_VCPUS_PER_VM];
	struct bd_vm backdoor;
	struct mmio_table mmio; /* its devices, added with vm_add_mmio() */
	unsigned disk_count;	/* its virtio disks (hyp/vdev/vblk.c) */
	struct vblk disks[VMCONFIG_MAX_DISKS];
	struct vconsole vconsole; /* its virtio console (hyp/vdev/vconsole.c) */
	spinlock_t vgic_lock;	  /* the model and vgic_gen */
	struct vgic vgic;
	/* Bit n of word w: SPI INTID 32 + 32 w + n is a physical one, linked
	 * (ICH_LR_EL2.HW) to the same INTID. */
	uint32_t hw_spis[VGIC_NR_SPIS / 32];
	spinlock_t console_lock; /* the guest's console line, below */
	unsigned console_len;
	char console_line[120];
	/* The escaping of its control characters (console_mux.c). */
	struct console_escape console_esc;
	int exit_code; /* from the test-exit service, -1 when none */
};

/* Per physical CPU; TPIDR_EL2 points at the current CPU's. */
/* The debug hypercall's work on one CPU (hyp/test/debug_calls.c, test builds). */
struct pcpu_debug {
	uint32_t pending;	    /* an operation for debug_run_pending() */
	uint64_t ms;		    /* its duration */
	volatile bool irq_running;  /* inside the long regular handler */
	volatile bool bench_armed;  /* the next PNMI entry is measured */
	uint64_t bench_start;	    /* PMU count just before the SGI write */
	volatile uint64_t bench_at; /* PMU count at the PNMI handler's entry */
	volatile bool bench_hit;    /* ... which has been reached */
};

/* The EL2 physical timer (CNTHP) serves several deadlines of a CPU
 * (hyp/sched/cpu_timer.c). */
enum cpu_timer_kind { CPU_TIMER_WATCHDOG, CPU_TIMER_SLICE, CPU_TIMER_WAKE, CPU_TIMER_NR };

struct pcpu {
	unsigned index;
	uint64_t mpidr;
	uint64_t stack_top;
	struct vcpu *vcpu;   /* running on this CPU, or NULL */
	uint64_t fast_exits; /* traps answered by hyp/backdoor/fast.S */
	uint64_t fast_base;  /* fast_exits when the running vCPU was loaded */
	/* Scheduling (hyp/sched/sched.c). */
	volatile bool resched;	      /* schedule on the way back to the guest */
	volatile bool idle;	      /* waiting in WFI for something to run */
	bool reserved;		      /* a pinned vCPU owns it */
	uint64_t next_wake;	      /* the next deadline of a vCPU blocked here */
	uint64_t timer[CPU_TIMER_NR]; /* deadlines, 0 = none */
	uint64_t timer_armed;	      /* the one CNTHP is programmed for, 0 = off */
	bool timer_held;	      /* deadlines noted, programmed at the release */
	uint32_t lr_zero; /* list registers known to hold 0 (hyp/vdev/vgic.c) */
	/* The cost of vCPU switches: when the running exit began, whether it
	 * switched vCPUs, and the switching exits' count and total time. */
	uint64_t exit_at;
	bool switched;
	uint64_t switches, switch_ticks;
	/* The breakpoint and watchpoint registers are known to hold 0s (their
	 * reset values are UNKNOWN: false until a vCPU's load wrote them). */
	bool bp_wp_clean;
	/* Returns to the guest through the slow path (hyp/pnmi/mask.h): the lockup
	 * detector's measure of progress. */
	uint64_t guest_entries;
	volatile bool online;	  /* running the hypervisor or a guest */
	struct lockup_cpu lockup; /* hyp/pnmi/watchdog.c */
	volatile bool dump_done;  /* answered the last dump request */
	struct pcpu_debug debug;  /* hyp/test/debug_calls.c, in test builds */
};

static inline struct pcpu *this_pcpu(void)
{
	return (struct pcpu *)read_sysreg(tpidr_el2);
}

/* The IPA of the guest's access that took a stage-2 fault: the page from
 * HPFAR_EL2, the offset in it from the virtual address in far. */
static inline uint64_t stage2_fault_ipa(uint64_t far)
{
	return (read_sysreg(hpfar_el2) & HPFAR_FIPA_MASK) << (12 - HPFAR_FIPA_SHIFT) |
	       (far & 0xfff);
}

static inline struct vcpu *current_vcpu(void)
{
	return this_pcpu()->vcpu;
}

/* vm.c */
extern struct vm vms[MAX_VMS];
extern unsigned vm_count;
struct vm_config;
int vms_create(void);
void vms_start(void) __attribute__((noreturn));
/* A VM's end, asked by one of its vCPUs: returns, and the calling vCPU
 * leaves its CPU on the way back to the guest (hyp/sched/sched.c). */
void vm_end(struct vm *vm, const char *why);
/* The test-exit service: the VM ends with that exit code (the first
 * caller's, when several of its vCPUs ask). */
void vm_exit(struct vm *vm, int code);
void vm_reset(struct vm *vm);
/*
 * The one way an emulated device joins a VM (docs/ARCHITECTURE.md, "Adding
 * an emulated device"): its registers at [base, base + size), answered by
 * ops with priv. Refused, with one line naming the VM, the device and the
 * range: a zero size, a range that wraps, one that overlaps another
 * device or what stage 2 maps (vm_add_mapped), a full table. 0 or -1.
 */
int vm_add_mmio(struct vm *vm, uint64_t base, uint64_t size, const struct mmio_ops *ops,
		void *priv, const char *name);
/* A range the caller maps in the VM's stage 2, which no device may then
 * overlap (nor it a device); refused as vm_add_mmio() refuses. 0 or -1. */
int vm_add_mapped(struct vm *vm, uint64_t base, uint64_t size, const char *name);

/* vcpu.c */
void vcpu_configure_traps(const struct vcpu *v);
void vcpu_reset(struct vcpu *v, uint64_t pc, uint64_t x0);
/* Its whole state out of this CPU (the frame f: its general registers),
 * and in again, on any CPU. */
void vcpu_put(struct vcpu *v, const struct frame *f);
void vcpu_load(struct vcpu *v, struct frame *f);
/* PSCI CPU_OFF: its interrupts back to the model; it leaves its CPU on
 * the way back to the guest. */
void vcpu_off(struct vcpu *v);

/* smp.c */
extern struct pcpu pcpus[MAX_PCPUS];
extern unsigned pcpu_count;
void smp_init(const void *fdt);
int pcpu_start(unsigned pcpu);
void hyp_secondary_main(unsigned idx) __attribute__((noreturn));

/* hyp/pnmi/irq.c: the one entry for physical interrupts, from a guest or from
 * EL2 itself. */
void hyp_irq(struct frame *f, bool from_guest);

/* What a PNMI handler learns of the context it interrupted. */
struct pnmi_ctx {
	struct frame *f;
	bool from_guest;
	uint64_t pmr; /* ICC_PMR_EL1 when it was interrupted */
};

/* hyp/pnmi/pnmi.c */
void pnmi_handle(const struct pnmi_ctx *c, uint32_t intid);
void pnmi_print_state(const struct pnmi_ctx *c, const char *why);
void hyp_panic(const char *why) __attribute__((noreturn));
void hyp_panic_frame(const char *why, struct frame *f) __attribute__((noreturn));

/* hyp/pnmi/watchdog.c */
void watchdog_start(void);
/* Counts as progress for the lockup detector: for work that is meant to
 * keep regular interrupts masked for a while (a polled disk request). */
void watchdog_touch(void);
/* Whether this CPU's watchdog ticks (a PNMI every WATCHDOG_PERIOD_MS). */
bool watchdog_running(void);
void watchdog_stop(void);
void watchdog_tick(const struct pnmi_ctx *c);

/* hyp/test/debug_calls.c: the debug hypercall of test builds, and the hooks it
 * needs in the interrupt paths. */
bool debug_call(struct vcpu *v, uint32_t op, uint32_t arg, uint64_t *result);
void debug_regular_irq(void);
bool debug_pnmi_entry(void);
/* hyp/test/debug_devices.c: the placeholder devices `test.devices.vmN`
 * asks for (test builds; none in hyp.bin). 0, or -1 when one is refused. */
int debug_vm_devices(struct vm *vm, unsigned n);
/* Test builds: a VM's PMU counters may count at EL2 (the benchmarks
 * measure the hypervisor's share of a call); otherwise MDCR_EL2.HPMD. */
extern const bool debug_pmu_counts_el2;

/* traps_inject.c: exceptions for the guest's EL1 */
void inject_undef(struct frame *f);
void inject_sea(struct frame *f, bool fetch, bool write, uint64_t far);
void inject_sync(struct frame *f, uint64_t esr, uint64_t far);

/* hyp/vdev/vgic.c */
int vgic_vm_init(struct vm *vm);
void vgic_vm_reset(struct vm *vm);
void vgic_flush(struct vcpu *v);
/* Whether vgic_flush() has something to do, by the same tests it makes
 * first (hyp/vdev/vgic.c): most exits change no interrupt state, and a
 * fast exit then pays a few loads, not a call. */
static inline bool vgic_flush_wanted(struct vcpu *v)
{
	uint32_t used = v->lr_used;

	return v->timers_held ||
	       (used && (used & (uint32_t)(read_sysreg(ich_elrsr_el2) |
					   read_sysreg(ich_eisr_el2)))) ||
	       __atomic_load_n(&v->vm->vgic_gen, __ATOMIC_ACQUIRE) != v->vgic_seen;
}
void vgic_vcpu_reset(struct vcpu *v);
void vgic_vcpu_unload(struct vcpu *v);
/* The virtual CPU interface out of this CPU into v's context, and in. */
void vgic_save(struct vcpu *v);
void vgic_restore(struct vcpu *v);
/* Whether an interrupt waits for v (which runs here): WFI returns. */
bool vgic_vcpu_pending(struct vcpu *v);
void vgic_kick_others(struct vm *vm);
void vgic_guest_sgi(struct vcpu *v, uint64_t value);
void vgic_line(struct vm *vm, uint32_t intid, bool level);
void vgic_timer_fired(struct vcpu *v, uint32_t intid);
void vgic_timer_loaded(struct vcpu *v);

/* hyp/vdev/vtimer.c: the emulated EL1 physical timer. */
enum ptimer_reg { PTIMER_CTL, PTIMER_CVAL, PTIMER_TVAL, PTIMER_COUNT };
uint64_t vcpu_count(const struct vcpu *v);
uint64_t ptimer_read(struct vcpu *v, enum ptimer_reg reg);
void ptimer_write(struct vcpu *v, enum ptimer_reg reg, uint64_t val);
void ptimer_load(struct vcpu *v);
/* A physical SPI given to the VM with the same INTID (hyp/vdev/ecam_passthrough.c), and
 * its firing: it stays active until the guest's EOI deactivates it. */
void vgic_passthrough_spi(struct vm *vm, uint32_t intid);
void vgic_passthrough_fired(struct vm *vm, uint32_t intid);

/* hyp/vdev/ecam_passthrough.c: the monitor's emulated ECAM window and its devices. */
int hyp_ecam_scan(const void *fdt);
int ecam_vm_attach(struct vm *vm, void *dt, size_t dt_max);
struct vm *ecam_spi_owner(uint32_t intid);

/* hyp/vdev/vuart.c, hyp/drivers/console_mux.c */
int vuart_vm_init(struct vm *vm);
void vuart_reset(struct vm *vm);
void vuart_input(struct vm *vm, uint8_t c);
void vuart_input_idle(struct vm *vm);
/* The fast exit's way to the UART (hyp/vdev/mmio.c's guest_mmio_fast()
 * for a load or a store at offset off of its frame; the same result). */
bool vuart_fast_read(struct vcpu *v, uint64_t esr, uint64_t off, uint64_t *reg);
bool vuart_fast_write(struct vcpu *v, uint64_t esr, uint64_t off, uint64_t *reg);
void vm_console_out(struct vm *vm, const char *s, size_t n);
/* vm_console_out() of one byte, the PL011's: with one VM, without the
 * call and the stream's loop. */
void vm_console_out_byte(struct vm *vm, char c);
static inline void vm_console_putc(struct vm *vm, char c)
{
	if (vm_count != 1) {
		vm_console_out_byte(vm, c);
		return;
	}
	console_putc_raw(c);
	vm->console_mid_line = c != '\n';
}
void vm_console_flush(struct vm *vm);
/* The VM ended: what it printed last goes out, a held \r included. */
void vm_console_end(struct vm *vm);
void console_mux_init(const void *fdt, uint64_t uart_pa);
void console_mux_vm_ended(struct vm *vm);
uint32_t console_uart_intid(void);
void console_input(void);

/* idregs.c */
uint64_t idreg_guest_value(unsigned crm, unsigned op2);

/* hyp/vdev/mmio.c */
bool mmio_emulate(struct vcpu *v, struct frame *f, uint64_t esr, uint64_t ipa);

/* hyp/vdev/vpsci.c */
void vpsci_call(struct vcpu *v, struct frame *f);

/* sysregs.c */
void sysreg_trap(struct vcpu *v, struct frame *f, uint64_t esr);

/* hyp/backdoor/brk_debug.c */
#define DBG_OP2_BVR 4 /* op2 of DBGBVR<n>_EL1; BCR 5, WVR 6, WCR 7 */
#define DBG_OP2_BCR 5
#define DBG_OP2_WVR 6
#define DBG_OP2_WCR 7
void debug_trap(struct vcpu *v, struct frame *f, uint64_t esr);
void debug_apply(struct vcpu *v);
void debug_load(struct vcpu *v);
bool debug_bp_wp_access(struct vcpu *v, unsigned op2, unsigned n, bool read,
			uint64_t *val);

/* hyp/backdoor/services.c: the backdoor for a vCPU. */
void backdoor_vm_init(struct vm *vm, const struct vm_config *c);
/* A VM's reset: its channels closed, its guestinfo kept. */
void backdoor_vm_restart(struct vm *vm);
bool backdoor_try(struct vcpu *v, struct frame *f);
void backdoor_call(struct vcpu *v, struct frame *f);

/* fpsimd.S */
void fpsimd_save(struct fpsimd_state *s);
void fpsimd_load(const struct fpsimd_state *s);

/* entry.S */
void guest_enter(struct frame *f) __attribute__((noreturn));

#endif
