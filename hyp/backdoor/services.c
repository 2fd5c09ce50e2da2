/*
 * The backdoor as the hypervisor offers it to a vCPU: the VMware protocol
 * (hyp/backdoor/protocol.c) on the guest's registers, and the project's own services
 * behind it (docs/ABI.md): console output, exit statistics, test exit.
 */
#include <string.h>

#include <arch/sysreg.h>
#include <hyp/backdoor/protocol.h>
#include <lib/console.h>
#include <lib/exception.h>
#include <lib/image/vmconfig.h>

#include <hyp/hyp.h>
#include <hyp/sched/sched.h>
#include <hyp/vm.h>

static void console_write(void *ctx, const char *s, size_t n)
{
	vm_console_out(ctx, s, n);
}

static void test_exit(void *ctx, uint32_t code)
{
	vm_exit(ctx, (int)code);
}

static void stats(void *ctx, uint64_t *out)
{
	struct vm *vm = ctx;
	uint64_t exits = 0;

	/* The running vCPU's fast exits since it was loaded are still only
	 * in its CPU's count (hyp/sched/sched.c folds them in as it leaves). */
	uint64_t fast_now = this_pcpu()->fast_exits - this_pcpu()->fast_base;

	for (unsigned i = 0; i < vm->vcpu_count; i++)
		exits += vm->vcpus[i].exits + vm->vcpus[i].fast_exits;
	out[0] = exits + fast_now;
	out[1] = current_vcpu()->exits + current_vcpu()->fast_exits + fast_now;
	out[2] = vm->vcpu_count;
	out[3] = vm->id;
	sched_vcpu_figures(current_vcpu(), &out[4], &out[5], &out[6]);
}

static int debug(void *ctx, uint32_t op, uint32_t arg, uint64_t *result)
{
	return debug_call(current_vcpu(), op, arg, result) ? 0 : -1;
}

/* Without debug calls compiled in (hyp/test/debug_calls.c), debug_call() refuses
 * every operation and the command fails as an unknown one would. */
static const struct bd_ops ops = {console_write, test_exit, stats, debug};

void backdoor_vm_restart(struct vm *vm)
{
	bd_vm_close_channels(&vm->backdoor);
}

void backdoor_vm_init(struct vm *vm, const struct vm_config *c)
{
	bd_vm_init(&vm->backdoor, &ops, vm);
	bd_vm_seed(&vm->backdoor, read_sysreg(cntpct_el0) ^ ((uint64_t)vm->id << 56));
	vm->backdoor.el0_own = c->backdoor_el0_all;
	vm->backdoor.idle_ticks = counter_ms_to_ticks(BD_CHAN_IDLE_MS);
	for (unsigned i = 0; i < c->guestinfo_count; i++)
		bd_guestinfo_set(&vm->backdoor.info, c->guestinfo[i].key,
				 c->guestinfo[i].value);
}

static void from_frame(struct bd_regs *r, const struct frame *f)
{
	memcpy(r->x, f->x, sizeof(r->x));
}

static void to_frame(struct frame *f, const struct bd_regs *r)
{
	memcpy(f->x, r->x, 6 * sizeof(r->x[0])); /* results: x0..x5 */
}

/* The first refusal of each VM is logged, not every one: a hostile
 * process could otherwise flood the console. */
static bool el0_refusal_logged[MAX_VMS];

/* The caller's EL comes from the trapped PSTATE: EL0 reaches the DCC and
 * BRK entries (HVC is undefined at EL0). */
static void call(struct vcpu *v, struct frame *f, struct bd_regs *r)
{
	struct bd_caller who = {spsr_el(f->spsr), read_sysreg(cntpct_el0)};
	struct vm *vm = v->vm;

	if (bd_call(&vm->backdoor, r, &who) == BD_EPRIV &&
	    !__atomic_exchange_n(&el0_refusal_logged[vm->id], true, __ATOMIC_RELAXED))
		log_printf("hyp: vm%u: backdoor command 0x%lx from EL0 refused "
			   "(vm%u.backdoor_el0 = vmware); further refusals not logged\n",
			   vm->id, f->x[2] & 0xffff, vm->id);
}

void backdoor_call(struct vcpu *v, struct frame *f)
{
	struct bd_regs r;

	from_frame(&r, f);
	call(v, f, &r);
	to_frame(f, &r);
}

bool backdoor_try(struct vcpu *v, struct frame *f)
{
	struct bd_regs r;

	from_frame(&r, f);
	if (!bd_is_call(&r))
		return false;
	call(v, f, &r);
	to_frame(f, &r);
	return true;
}
