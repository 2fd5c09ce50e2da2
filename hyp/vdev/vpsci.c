/*
 * PSCI 1.1 and SMCCC for guests, over HVC #0 and (trapped) SMC #0. A VM's
 * vCPUs are numbered by MPIDR Aff0; each runs on its own physical CPU,
 * which the hypervisor powers on through the monitor's PSCI when the guest
 * turns the vCPU on, and off again when the guest turns it off.
 */
#include <arch/sysreg.h>
#include <lib/console.h>
#include <lib/psci.h>

#include <hyp/hyp.h>
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

/*
 * A vCPU's state as the guest may see it. One that called CPU_OFF is OFF
 * only once the monitor reports its CPU off: until then the CPU is still
 * on its way there, and a CPU_ON would find it busy.
 */
static uint32_t vcpu_state(struct vcpu *t)
{
	uint32_t s = __atomic_load_n(&t->state, __ATOMIC_ACQUIRE);

	if (s == VCPU_OFF_PENDING && pcpu_is_off(t->pcpu) &&
	    __atomic_compare_exchange_n(&t->state, &s, VCPU_OFF, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		s = VCPU_OFF;
	return s;
}

/* The operations' ctx is the calling vCPU. */
static int64_t cpu_on(void *caller, uint64_t mpidr, uint64_t entry, uint64_t ctx)
{
	struct vm *vm = ((struct vcpu *)caller)->vm;
	struct vcpu *t = vcpu_of(vm, mpidr);
	uint32_t expect = VCPU_OFF;
	int64_t r;

	if (!t)
		return PSCI_INVALID_PARAMETERS;
	if (!in_guest_ram(vm, entry))
		return PSCI_INVALID_ADDRESS;
	vcpu_state(t); /* OFF_PENDING becomes OFF if its CPU is off by now */
	if (!__atomic_compare_exchange_n(&t->state, &expect, VCPU_ON_PENDING, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return expect == VCPU_ON_PENDING ? PSCI_ON_PENDING : PSCI_ALREADY_ON;
	t->start_pc = entry;
	t->start_x0 = ctx;
	r = pcpu_start(t->pcpu);
	if (r != PSCI_SUCCESS) {
		/* Not expected once the CPU is off; a guest retrying in a loop
		 * must not flood the console: once per vCPU. */
		if (!t->start_failure_logged)
			log_printf(
				"hyp: vm%u: cannot start cpu %u for vcpu %u (psci %ld); "
				"further failures not logged\n",
				vm->id, t->pcpu, t->index, r);
		t->start_failure_logged = true;
		__atomic_store_n(&t->state, VCPU_OFF, __ATOMIC_RELEASE);
		return PSCI_INTERNAL_FAILURE;
	}
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
