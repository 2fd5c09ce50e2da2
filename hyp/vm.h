/*
 * VMs and vCPUs. Each vCPU is bound to its own physical CPU for its whole
 * life (static partitioning): while it runs, its EL1 state lives in the
 * hardware registers and its general registers in the exception frame on
 * that CPU's EL2 stack. struct vcpu_context holds the full state when the
 * vCPU is not on a CPU (before its first run, after CPU_OFF).
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

/* A vCPU's PSCI state. VCPU_OFF_PENDING: it called CPU_OFF and its CPU
 * is on its way off; the guest is told it is OFF only once the monitor
 * says the CPU is (hyp/vdev/vpsci.c), so that a CPU_ON then succeeds. */
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
};

struct vcpu_context {
	struct frame regs; /* x0..x30, pc (elr), pstate (spsr) */
	struct el1_sysregs el1;
	struct fpsimd_state fp;
	struct ptimer ptimer; /* the emulated EL1 physical timer (hyp/vdev/vtimer.c) */
};

struct vm;

struct vcpu {
	struct vm *vm;
	unsigned index;		     /* within the VM: MPIDR Aff0 */
	unsigned pcpu;		     /* the physical CPU it runs on */
	volatile uint32_t state;     /* enum vcpu_state */
	uint64_t start_pc, start_x0; /* from PSCI CPU_ON */
	struct vcpu_context ctx;
	struct debug_state dbg;
	uint64_t exits;	    /* traps taken to EL2, for statistics */
	uint32_t lr_used;   /* list registers holding an interrupt (hyp/vdev/vgic.c) */
	uint32_t vgic_seen; /* vm->vgic_gen at this vCPU's last flush */
	/* Bit n: timer PPI n fired and its physical interrupt is active
	 * for this vCPU until the guest's EOI, or until its line falls
	 * first (hyp/vdev/vgic.c). */
	uint32_t timers_held;
	bool start_failure_logged; /* a failed CPU_ON is logged once */
};

struct vm {
	unsigned id; /* also its VMID */
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
	spinlock_t vgic_lock;
	uint32_t vgic_gen; /* bumped on each model change, under vgic_lock */
	struct vgic vgic;
	/* Bit n of word w: SPI INTID 32 + 32 w + n is a physical one, linked
	 * (ICH_LR_EL2.HW) to the same INTID. */
	uint32_t hw_spis[VGIC_NR_SPIS / 32];
	spinlock_t uart_lock;
	struct pl011_emu uart;
	bool uart_line;		 /* its interrupt line, as last told to the vGIC */
	spinlock_t console_lock; /* the guest's console line, below */
	unsigned console_len;
	/* One VM, raw: its last byte out was not a line end. */
	bool console_mid_line;
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

struct pcpu {
	unsigned index;
	uint64_t mpidr;
	uint64_t stack_top;
	struct vcpu *vcpu;   /* bound to this CPU, or NULL */
	uint64_t fast_exits; /* traps answered by hyp/backdoor/fast.S */
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
void vm_end(struct vm *vm, const char *why) __attribute__((noreturn));
/* The test-exit service: the VM ends with that exit code (the first
 * caller's, when several of its vCPUs ask). */
void vm_exit(struct vm *vm, int code) __attribute__((noreturn));
void vm_reset(struct vm *vm) __attribute__((noreturn));
/* On every way back into a guest: a CPU whose VM has ended parks here. */
void vm_park_if_ended(const struct vcpu *v);
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
void vcpu_run(struct vcpu *v) __attribute__((noreturn));
void vcpu_save(struct vcpu *v);
void vcpu_reset(struct vcpu *v, uint64_t pc, uint64_t x0);
void vcpu_off(struct vcpu *v) __attribute__((noreturn));

/* smp.c */
extern struct pcpu pcpus[MAX_PCPUS];
extern unsigned pcpu_count;
void smp_init(const void *fdt);
int pcpu_start(unsigned pcpu);
bool pcpu_is_off(unsigned pcpu); /* as the monitor's AFFINITY_INFO says */
void pcpu_stop(void) __attribute__((noreturn));
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
void vgic_flush(struct vcpu *v);
void vgic_vcpu_load(struct vcpu *v);
void vgic_vcpu_unload(struct vcpu *v);
void vgic_kick_others(struct vm *vm);
void vgic_guest_sgi(struct vcpu *v, uint64_t value);
void vgic_line(struct vm *vm, uint32_t intid, bool level);
void vgic_timer_fired(struct vcpu *v, uint32_t intid);

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
void vuart_input(struct vm *vm, uint8_t c);
void vuart_input_idle(struct vm *vm);
void vm_console_out(struct vm *vm, const char *s, size_t n);
void vm_console_flush(struct vm *vm);
/* The VM ended: what it printed last goes out, a held \r included. */
void vm_console_end(struct vm *vm);
void console_mux_init(const void *fdt, uint64_t uart_pa);
void console_mux_cpu_leaving(unsigned pcpu);
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
bool backdoor_try(struct vcpu *v, struct frame *f);
void backdoor_call(struct vcpu *v, struct frame *f);

/* fpsimd.S */
void fpsimd_save(struct fpsimd_state *s);
void fpsimd_load(const struct fpsimd_state *s);

/* entry.S */
void guest_enter(struct frame *f) __attribute__((noreturn));

#endif
