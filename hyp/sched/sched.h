/*
 * The vCPU scheduler (docs/ARCHITECTURE.md, "Scheduling"): vCPUs share
 * the physical CPUs by weighted fair share (hyp/sched/runqueue.h), with
 * affinity, pinning, idle in WFI, and preemption by a per-CPU tick.
 *
 * Every decision is taken on the way back to a guest (sched_exit_path),
 * on the CPU concerned, with regular interrupts masked: the exception
 * frame at the top of the CPU's EL2 stack is the running vCPU's, and a
 * switch saves it into that vCPU's context and fills it with the next
 * one's, so that the common return path enters whichever vCPU is now
 * current. Another CPU that wants a decision here (a vCPU woken that
 * should preempt, a VM ending) sets pcpu->resched and kicks.
 */
#ifndef HYP_SCHED_SCHED_H
#define HYP_SCHED_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/compiler.h>
#include <arch/frame.h>

/* The time slice: the tick preempts a vCPU that has run this long when
 * another with less weighted runtime waits. 20 ms, as CFS's latency for a
 * few tasks and below Xen credit1's 30: at 5 ms, two Linux VMs sharing a
 * CPU under QEMU took 2.57 times one VM's time for the same work, at 20 ms
 * 2.05 (QEMU flushes its TLB at each VTTBR change; docs/PERFORMANCE.md).
 * A woken vCPU does not wait for it (SCHED_WAKEUP_GRAN_US). */
#define SCHED_SLICE_MS 20
/* A vCPU woken from WFI preempts the running one at once if it has run
 * less by this much (Linux CFS's wake-up granularity), else it waits for
 * the slice's end. */
#define SCHED_WAKEUP_GRAN_US 1000

struct vm;
struct vcpu;
struct vm_config;

/*
 * A new VM's scheduling: its vCPUs' weight and affinity, and for a pinned
 * VM a CPU of its own for each. Refused with one line (n: the VM's number
 * in the configuration): an affinity naming a CPU the machine lacks, one
 * left with no CPU once pinned VMs have taken theirs, a pinned VM the CPUs
 * free cannot hold. 0 or -1.
 */
int sched_reserve_pinned(const struct vm_config *c, unsigned n);
int sched_vm_setup(struct vm *vm, const struct vm_config *c, unsigned n);
/* A VM refused after sched_vm_setup(): its pinned CPUs are free again. */
void sched_vm_release(struct vm *vm);

/* Starts the CPUs the VMs may use and runs them: no return. */
void sched_start(void) __noreturn;
/* A CPU started by sched_start(), ready: runs vCPUs from now on. */
void sched_cpu_run(void) __noreturn;

/* The end of every slow exit, before the frame goes back to a guest:
 * switches vCPUs when this CPU was asked to (a tick, a WFI, CPU_OFF, the
 * VM ending), waiting in WFI when nothing is runnable. */
void sched_exit_path(struct frame *f);

/* PSCI CPU_ON (and a VM's start): the vCPU runnable at pc with x0. */
void sched_vcpu_start(struct vcpu *v, uint64_t pc, uint64_t x0);
/* A VM's restart (hyp/vm.c): the caller's vCPU self leaves its CPU, and
 * boot, the VM's vCPU 0 (self or another, stopped), starts afresh at pc
 * with x0. */
void sched_vm_restart(struct vcpu *self, struct vcpu *boot, uint64_t pc, uint64_t x0);
/* The running vCPU executed WFI, or WFE. */
void sched_wfi(struct vcpu *v);
/* WFIT: as WFI, with a deadline in the vCPU's virtual count. */
void sched_wfit(struct vcpu *v, uint64_t virtual_deadline);
void sched_wfe(struct vcpu *v);
/* An interrupt is pending for t: it runs soon, wherever it is. */
void sched_notify(struct vcpu *t);
/* Ends every vCPU of vm but the caller's, and waits until none is on a
 * CPU; false if one did not leave within the time allowed. */
bool sched_vm_stop(struct vm *vm);
/* The PNMI part of the EL2 timer (hyp/sched/cpu_timer.c): the slice or
 * a wake-up deadline passed on this CPU. */
void sched_timer_expired(void);
/* A VM's per-vCPU figures, one line each. */
void sched_print_stats(const struct vm *vm);
/* v's run and wait time to now, in nanoseconds, and its switch count (the
 * STATS backdoor service's values 4 to 6). */
void sched_vcpu_figures(const struct vcpu *v, uint64_t *run_ns, uint64_t *wait_ns,
			uint64_t *switches);
/* Each CPU's count of vCPU switches and their mean cost (under -icount
 * shift=0, nanoseconds are instructions). */
void sched_print_cpu_stats(void);

/* hyp/sched/cpu_timer.c: the EL2 physical timer multiplexed. */
void cpu_timer_set(unsigned kind, uint64_t deadline); /* 0: none */
/* Between cpu_timer_hold() and cpu_timer_release() on a CPU, the deadlines
 * set are noted and the timer is programmed once, at the release: a
 * scheduling decision changes up to four of them, and under QEMU each
 * timer write that moves the deadline earlier wakes its main loop. */
void cpu_timer_hold(void);
void cpu_timer_release(void);
void cpu_timer_fired(const void *pnmi_ctx);

#endif
