/*
 * PSCI 1.1 and SMCCC for guests, over HVC #0 and (trapped) SMC #0. A VM's
 * vCPUs are numbered by MPIDR Aff0. Turning one on makes it runnable on
 * the CPUs its VM may use (hyp/sched/sched.c); turning it off takes it
 * off its CPU. The physical CPUs stay with the scheduler.
 */
#include <arch/sysreg.h>
#include <lib/psci.h>

#include <hyp/hyp.h>
#include <hyp/sched/sched.h>
#include <hyp/vm.h>

static struct vcpu *vcpu_of(struct vm *vm, uint64_t mpidr)
{
	mpidr &= MPIDR_AFFINITY_MASK;
	if (mpidr >= vm->vcpu_count)
		return NULL; /* only Aff0 is used, and only so many vCPUs */
	return &vm->vcpus[mpidr];
}

static bool in_guest_ram(const struct vm *vm, uint64_t ipa)
{
	return ipa >= vm->ram_ipa && ipa - vm->ram_ipa < vm->ram_size;
}

/* A vCPU's state as the guest may see it. One that called CPU_OFF is OFF
 * once the scheduler has taken it off its CPU. */
static uint32_t vcpu_state(struct vcpu *t)
{
	return __atomic_load_n(&t->state, __ATOMIC_ACQUIRE);
}

/* The operations' ctx is the calling vCPU. */
static int64_t cpu_on(void *caller, uint64_t mpidr, uint64_t entry, uint64_t ctx)
{
	struct vm *vm = ((struct vcpu *)caller)->vm;
	struct vcpu *t = vcpu_of(vm, mpidr);
	uint32_t expect = VCPU_OFF;

	if (!t)
		return PSCI_INVALID_PARAMETERS;
	if (!in_guest_ram(vm, entry))
		return PSCI_INVALID_ADDRESS;
	if (!__atomic_compare_exchange_n(&t->state, &expect, VCPU_ON_PENDING, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return expect == VCPU_ON_PENDING ? PSCI_ON_PENDING : PSCI_ALREADY_ON;
	sched_vcpu_start(t, entry, ctx);
	return PSCI_SUCCESS;
}

static int64_t affinity_info(void *caller, uint64_t mpidr, uint64_t level)
{
	struct vcpu *t = vcpu_of(((struct vcpu *)caller)->vm, mpidr);

	if (!t || level != 0)
		return PSCI_INVALID_PARAMETERS;
	switch (vcpu_state(t)) {
	case VCPU_ON:
	case VCPU_OFF_PENDING:
		return PSCI_AFF_ON;
	case VCPU_ON_PENDING:
		return PSCI_AFF_ON_PENDING;
	default:
		return PSCI_AFF_OFF;
	}
}

static void cpu_off(void *caller)
{
	vcpu_off(caller);
}

static void system_off(void *caller)
{
	vm_end(((struct vcpu *)caller)->vm, "system off");
}

static void system_reset(void *caller)
{
	vm_reset(((struct vcpu *)caller)->vm);
}

/* PSCI for guests: lib/psci.c decodes the call, these carry it out. */
static const struct psci_ops vpsci_ops = {
	.cpu_on = cpu_on,
	.cpu_off = cpu_off,
	.affinity_info = affinity_info,
	.system_off = system_off,
	.system_reset = system_reset,
};

void vpsci_call(struct vcpu *v, struct frame *f)
{
	psci_dispatch(&vpsci_ops, v, f->x);
}
