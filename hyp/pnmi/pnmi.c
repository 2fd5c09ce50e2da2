/*
 * What pseudo-NMIs do (hyp/pnmi/irq.c takes them; hyp/pnmi/prio.h, hyp/pnmi/mask.h): the
 * lockup watchdog's tick (hyp/pnmi/watchdog.c) and the cross-CPU state dump, whose
 * user is the panic path: the CPU that panics sends the dump SGI to every
 * other CPU, and each prints its registers and a backtrace of the
 * hypervisor's stack even when it is stuck in a masked section or a
 * regular handler.
 *
 * Backtraces follow the frame records (x29) within the CPU's own stack
 * and are symbolised from the table the build links into the image
 * (scripts/mksymtab.sh).
 */
#include <stddef.h>

#include <arch/sysreg.h>
#include <hyp/pnmi/backtrace.h>
#include <lib/console.h>
#include <lib/fmt.h>
#include <hyp/pnmi/prio.h>
#include <lib/gicv3.h>
#include <hyp/pnmi/symtab.h>

#include <hyp/drivers/gic.h>
#include <hyp/hyp.h>
#include <hyp/sched/sched.h>
#include <hyp/pnmi/mask.h>
#include <hyp/vm.h>

#define BACKTRACE_MAX 16
/* How long the panicking CPU waits for the others' dumps. */
#define DUMP_WAIT_MS 1000

extern const char hyp_symtab_start[], hyp_symtab_end[];

static volatile int panic_cpu = -1;

static void symbol(char *buf, size_t n, uint64_t addr)
{
	symtab_format(buf, n, hyp_symtab_start,
		      (size_t)(hyp_symtab_end - hyp_symtab_start), addr);
}

static void print_backtrace(unsigned cpu, const struct frame *f)
{
	const struct pcpu *p = &pcpus[cpu];
	uint64_t pcs[BACKTRACE_MAX];
	unsigned n = backtrace_walk(f->x[29], p->stack_top - PCPU_STACK_SIZE,
				    p->stack_top, pcs, BACKTRACE_MAX);
	char name[96];

	symbol(name, sizeof(name), f->elr);
	log_printf("hyp: cpu%u:   #0 0x%lx %s\n", cpu, f->elr, name);
	/* A leaf function keeps its return address in x30 only, without a
	 * frame record: shown apart, as it may also be stale. */
	symbol(name, sizeof(name), f->x[30] - 4);
	log_printf("hyp: cpu%u:   lr 0x%lx %s\n", cpu, f->x[30], name);
	for (unsigned i = 0; i < n; i++) {
		/* A return address: the call is the instruction before it. */
		symbol(name, sizeof(name), pcs[i] - 4);
		log_printf("hyp: cpu%u:   #%u 0x%lx %s\n", cpu, i + 1, pcs[i], name);
	}
}

void pnmi_print_state(const struct pnmi_ctx *c, const char *why)
{
	const struct frame *f = c->f;
	unsigned cpu = this_pcpu()->index;
	struct vcpu *v = current_vcpu();

	if (c->from_guest && v)
		log_printf("hyp: cpu%u: %s: in vm%u vcpu%u (guest pc 0x%lx)\n", cpu, why,
			   v->vm->id, v->index, f->elr);
	else
		log_printf("hyp: cpu%u: %s: in the hypervisor, PMR 0x%lx%s\n", cpu, why,
			   c->pmr,
			   c->pmr <= GIC_PMR_REGULAR_OFF ? " (regular masked)" : "");
	for (unsigned i = 0; i < 31; i += 4) {
		if (i == 28) {
			log_printf("hyp: cpu%u:   x28 %016lx x29 %016lx x30 %016lx\n",
				   cpu, f->x[28], f->x[29], f->x[30]);
			break;
		}
		log_printf("hyp: cpu%u:   x%-2u %016lx x%-2u %016lx x%-2u %016lx x%-2u "
			   "%016lx\n",
			   cpu, i, f->x[i], i + 1, f->x[i + 1], i + 2, f->x[i + 2], i + 3,
			   f->x[i + 3]);
	}
	log_printf("hyp: cpu%u:   sp  %016lx pc  %016lx pstate %08lx\n", cpu,
		   c->from_guest ? 0 : f->sp, f->elr, f->spsr);
	if (!c->from_guest)
		print_backtrace(cpu, f);
}

static void park(void) __attribute__((noreturn));
static void park(void)
{
	pstate_irq_disable();
	for (;;)
		wfe();
}

static void dump_request(const struct pnmi_ctx *c)
{
	struct pcpu *p = this_pcpu();

	pnmi_print_state(c, "state on panic");
	__atomic_store_n(&p->dump_done, true, __ATOMIC_RELEASE);
	/* The platform is going down: do not go back to whatever this CPU
	 * was doing. */
	park();
}

/* A PNMI nobody asked for (a bug: only the watchdog and the dump SGI are
 * PNMIs): said once and disabled, or a level that stays up would take the
 * CPU over. */
static void unexpected(uint32_t intid)
{
	log_printf("hyp: cpu%u: unexpected PNMI %u: disabled\n", this_pcpu()->index,
		   intid);
	gic_disable(intid);
}

void pnmi_handle(const struct pnmi_ctx *c, uint32_t intid)
{
	if (debug_pnmi_entry())
		return; /* a benchmark's PNMI: measured, nothing else to do */
	if (intid == GIC_PPI_HYP_TIMER)
		cpu_timer_fired(c);
	else if (intid == GIC_SGI_DUMP && panic_cpu >= 0)
		dump_request(c);
	else
		unexpected(intid);
}

static void wait_for_dumps(unsigned self)
{
	uint64_t end = read_sysreg(cntpct_el0) + counter_ms_to_ticks(DUMP_WAIT_MS);
	bool all;

	do {
		all = true;
		for (unsigned i = 0; i < pcpu_count; i++)
			if (i != self && pcpus[i].online &&
			    !__atomic_load_n(&pcpus[i].dump_done, __ATOMIC_ACQUIRE))
				all = false;
	} while (!all && read_sysreg(cntpct_el0) < end);
	for (unsigned i = 0; i < pcpu_count; i++)
		if (i != self && pcpus[i].online && !pcpus[i].dump_done)
			log_printf("hyp: cpu%u: no answer to the dump PNMI\n", i);
}

void hyp_panic_frame(const char *why, struct frame *f)
{
	struct pcpu *p = this_pcpu();
	unsigned self = p->index;
	int none = -1;
	struct pnmi_ctx c = {f, false, read_sysreg(icc_pmr_el1)};

	pstate_irq_disable(); /* nothing more for this CPU to take */
	if (!__atomic_compare_exchange_n(&panic_cpu, &none, (int)self, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		log_printf("hyp: cpu%u: panic while cpu%d panics: %s\n", self, none, why);
		park();
	}
	watchdog_stop();
	log_printf("hyp: PANIC on cpu%u: %s\n", self, why);
	pnmi_print_state(&c, "panicking");
	for (unsigned i = 0; i < pcpu_count; i++) {
		if (i == self || !pcpus[i].online)
			continue;
		pcpus[i].dump_done = false;
		gic_send_sgi(pcpus[i].mpidr, GIC_SGI_DUMP);
	}
	wait_for_dumps(self);
	log_printf("hyp: panic: every CPU's state shown\n");
	hyp_power_off();
}

void hyp_panic(const char *why)
{
	struct frame f = {0};

	/* This function's own context: its frame record starts the walk. */
	f.x[29] = (uint64_t)__builtin_frame_address(0);
	f.x[30] = (uint64_t)__builtin_return_address(0);
	f.sp = f.x[29];
	f.elr = (uint64_t)hyp_panic;
	hyp_panic_frame(why, &f);
}
