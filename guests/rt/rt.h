/*
 * The test guests' runtime: console and exit through the hypervisor's
 * backdoor services, backdoor calls through each entry, EL0 calls, and
 * catching the exceptions a test provokes.
 */
#ifndef GUEST_RT_H
#define GUEST_RT_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/compiler.h>
#include <arch/frame.h>
#include <hyp/backdoor/protocol.h>

/* Backdoor calls: x0..x7 in, x0..x5 out. */
struct bdcall {
	uint64_t x[8];
};
enum bd_entry { BD_DCC, BD_HVC, BD_BRK };
/* A call as the VMware library makes it: magic, port, W7 of "in eax, dx". */
struct bdcall bd_request(uint32_t cmd, uint64_t arg);
void bd_invoke(enum bd_entry how, struct bdcall *c);
uint64_t bd_getversion(enum bd_entry how, uint64_t *magic_out, uint64_t *type_out);

void gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void guest_exit(uint32_t code) __noreturn;

/* Test bookkeeping: CHECK prints a FAIL line and counts it. */
extern unsigned guest_failures;
#define GCHECK(cond, ...)                                                       \
	do {                                                                    \
		if (!(cond)) {                                                  \
			guest_failures++;                                       \
			gprintf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			gprintf(__VA_ARGS__);                                   \
			gprintf("\n");                                          \
		}                                                               \
	} while (0)
/* The median of n samples, which it sorts in place (guests/rt/median.c);
 * 0 for none. */
uint64_t median_u64(uint64_t *s, unsigned n);

/* Prints "guest: N failures" and exits with 0 (none) or 1. */
void guest_finish(const char *name) __noreturn;

/* Catching one exception: arm, do the thing, check what was caught.
 * The handler resumes after the faulting instruction (or where set). */
struct caught {
	bool hit;
	unsigned vector; /* 0..15: which vector slot took it */
	uint64_t esr, far, elr, spsr;
};
void expect_exception(void);
struct caught caught_exception(void);
/* Optional: where to resume instead of after the instruction. */
void expect_resume_at(uint64_t pc);

/* Runs fn(arg) at EL0 and returns its result. */
uint64_t run_el0(uint64_t (*fn)(uint64_t), uint64_t arg);
/* Runs AArch32 code at EL0 (User mode, A32 or T32) from pc with r0 = arg,
 * until it executes SVC: returns its r0 then. */
uint64_t run_el0_aarch32(uint64_t pc, uint64_t arg, bool thumb);
/* The same with PSTATE.SS set: with MDSCR_EL1.SS, one instruction steps. */
uint64_t run_el0_stepped(uint64_t (*fn)(uint64_t), uint64_t arg);
#define SPSR_SS (1ull << 21)
/* The same with SPSR bits of the caller's choice, e.g. DAIF masked. */
uint64_t run_el0_spsr(uint64_t (*fn)(uint64_t), uint64_t arg, uint64_t spsr);
extern void fault_landing(void);

/*
 * Exceptions no test armed for: asynchronous ones (IRQ, FIQ, SError) and
 * synchronous ones while nothing is expected. A guest that provokes them
 * on purpose (a hostile one setting debug state for itself) provides
 * this and returns true when it has handled f; by default they end the
 * guest with exit code 99.
 */
bool guest_unexpected(struct frame *f, unsigned vector, uint64_t esr);

/* Entry points each guest provides. */
void guest_main(uint64_t dt);
void guest_secondary(uint64_t ctx);

extern void guest_secondary_entry(void);

static inline uint64_t esr_ec(uint64_t esr)
{
	return (esr >> 26) & 0x3f;
}

#endif
