#include <stdarg.h>
#include <string.h>

#include <arch/sysreg.h>
#include <lib/fmt.h>

#include "rt.h"

#define EC_SVC32 0x11
#define EC_SVC64 0x15
#define EC_SSTEP_LOW 0x32
#define EC_SSTEP_CUR 0x33
#define VECTOR_LOWER_SYNC 8
#define SLOT_LOWER_A32_SYNC 12
#define SPSR_M_USR32 0x10  /* AArch32 User mode */
#define SPSR_T (1ull << 5) /* T32 */
#define VECTOR_SYNC 0	   /* vector & 3: synchronous, IRQ, FIQ, SError */

unsigned guest_failures;
static volatile bool armed;
static volatile struct caught last;
static volatile uint64_t resume_at;

uint64_t el0_call(uint64_t (*fn)(uint64_t), uint64_t arg, uint64_t sp, uint64_t spsr);
void el0_resume(uint64_t value) __noreturn;
extern char __el0_stack_end[];

struct bdcall bd_request(uint32_t cmd, uint64_t arg)
{
	struct bdcall c = {{0}};

	c.x[0] = BD_MAGIC;
	c.x[1] = arg;
	c.x[2] = cmd;
	c.x[3] = BD_PORT_LB;
	c.x[7] = ((uint64_t)BD_X86_IO_MAGIC << 32) | BD_W7_LB;
	return c;
}

#define BD_ASM(insn, c)                                                              \
	do {                                                                         \
		register uint64_t x0 __asm__("x0") = c->x[0];                        \
		register uint64_t x1 __asm__("x1") = c->x[1];                        \
		register uint64_t x2 __asm__("x2") = c->x[2];                        \
		register uint64_t x3 __asm__("x3") = c->x[3];                        \
		register uint64_t x4 __asm__("x4") = c->x[4];                        \
		register uint64_t x5 __asm__("x5") = c->x[5];                        \
		register uint64_t x6 __asm__("x6") = c->x[6];                        \
		register uint64_t x7 __asm__("x7") = c->x[7];                        \
		__asm__ volatile(insn                                                \
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), \
				   "+r"(x5)                                          \
				 : "r"(x6), "r"(x7)                                  \
				 : "memory");                                        \
		c->x[0] = x0;                                                        \
		c->x[1] = x1;                                                        \
		c->x[2] = x2;                                                        \
		c->x[3] = x3;                                                        \
		c->x[4] = x4;                                                        \
		c->x[5] = x5;                                                        \
	} while (0)

void bd_invoke(enum bd_entry how, struct bdcall *c)
{
	switch (how) {
	case BD_DCC:
		BD_ASM("mrs xzr, mdccsr_el0", c);
		break;
	case BD_HVC:
		BD_ASM("hvc #0x86", c);
		break;
	case BD_BRK:
		BD_ASM("brk #0x86", c);
		break;
	}
}

uint64_t bd_getversion(enum bd_entry how, uint64_t *magic_out, uint64_t *type_out)
{
	struct bdcall c = bd_request(BD_CMD_GETVERSION, ~(uint64_t)BD_MAGIC & 0xffffffff);

	bd_invoke(how, &c);
	if (magic_out)
		*magic_out = c.x[1];
	if (type_out)
		*type_out = c.x[2];
	return c.x[0];
}

/* Console output through the hypervisor's CONSOLE_WRITE service: up to 12
 * bytes a call, in w1, w4 and w5, the count in x2[31:16] (docs/ABI.md). */
static void console_write(const char *s, size_t n)
{
	while (n) {
		size_t k = n < BD_CONSOLE_MAX ? n : BD_CONSOLE_MAX;
		uint32_t w[3] = {0, 0, 0};
		struct bdcall c;

		memcpy(w, s, k);
		c = bd_request(BD_CMD_CONSOLE_WRITE | ((uint32_t)k << 16), w[0]);
		c.x[4] = w[1];
		c.x[5] = w[2];
		bd_invoke(BD_DCC, &c);
		s += k;
		n -= k;
	}
}

void gprintf(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	console_write(line, n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void guest_exit(uint32_t code)
{
	struct bdcall c = bd_request(BD_CMD_TEST_EXIT, code);

	bd_invoke(BD_DCC, &c);
	for (;;)
		__asm__ volatile("wfe");
}

void guest_finish(const char *name)
{
	gprintf("guest %s: %u failure%s\n", name, guest_failures,
		guest_failures == 1 ? "" : "s");
	guest_exit(guest_failures ? 1 : 0);
}

void expect_exception(void)
{
	last.hit = false;
	resume_at = 0;
	armed = true;
}

void expect_resume_at(uint64_t pc)
{
	resume_at = pc;
}

struct caught caught_exception(void)
{
	struct caught c;

	armed = false;
	c.hit = last.hit;
	c.vector = last.vector;
	c.esr = last.esr;
	c.far = last.far;
	c.elr = last.elr;
	c.spsr = last.spsr;
	return c;
}

uint64_t run_el0(uint64_t (*fn)(uint64_t), uint64_t arg)
{
	return el0_call(fn, arg, (uint64_t)__el0_stack_end, 0);
}

uint64_t run_el0_aarch32(uint64_t pc, uint64_t arg, bool thumb)
{
	return el0_call((uint64_t(*)(uint64_t))pc, arg, (uint64_t)__el0_stack_end,
			SPSR_M_USR32 | (thumb ? SPSR_T : 0));
}

uint64_t run_el0_stepped(uint64_t (*fn)(uint64_t), uint64_t arg)
{
	return el0_call(fn, arg, (uint64_t)__el0_stack_end, SPSR_SS);
}

uint64_t run_el0_spsr(uint64_t (*fn)(uint64_t), uint64_t arg, uint64_t spsr)
{
	return el0_call(fn, arg, (uint64_t)__el0_stack_end, spsr);
}

__attribute__((weak)) bool guest_unexpected(struct frame *f, unsigned vector,
					    uint64_t esr)
{
	(void)f;
	(void)vector;
	(void)esr;
	return false;
}

void guest_exception(struct frame *f, unsigned vector)
{
	uint64_t esr = read_sysreg(esr_el1);

	if ((vector == VECTOR_LOWER_SYNC && esr_ec(esr) == EC_SVC64) ||
	    (vector == SLOT_LOWER_A32_SYNC && esr_ec(esr) == EC_SVC32))
		el0_resume(f->x[0]); /* the EL0 function returned */
	if ((vector & 3) != VECTOR_SYNC && guest_unexpected(f, vector, esr))
		return;
	if (armed && !last.hit) {
		last.hit = true;
		last.vector = vector;
		last.esr = esr;
		last.far = read_sysreg(far_el1);
		last.elr = f->elr;
		last.spsr = f->spsr;
		if (resume_at) {
			f->elr = resume_at;
		} else if (esr_ec(esr) == EC_SSTEP_LOW || esr_ec(esr) == EC_SSTEP_CUR) {
			/* A step has not executed the instruction at ELR yet:
			 * stop stepping and let it run. */
			write_sysreg(mdscr_el1, read_sysreg(mdscr_el1) & ~MDSCR_SS);
			f->spsr &= ~SPSR_SS;
		} else {
			f->elr += 4; /* step over what faulted */
		}
		return;
	}
	if (guest_unexpected(f, vector, esr))
		return;
	gprintf("guest: unexpected exception: vector %u esr 0x%lx elr 0x%lx far 0x%lx\n",
		vector, esr, f->elr, read_sysreg(far_el1));
	guest_exit(99);
}

void guest_start(uint64_t dt)
{
	guest_main(dt);
	guest_finish("main");
}

/* Guests that start no second CPU need not provide one. */
__attribute__((weak)) void guest_secondary(uint64_t ctx)
{
	gprintf("guest: a secondary CPU started but this guest has none\n");
	guest_exit(98);
}
