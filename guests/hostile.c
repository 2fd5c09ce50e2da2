/*
 * Test guest: a hostile guest. Thousands of malformed backdoor calls
 * (random registers with and without the magic, random commands, random
 * GuestRPC subtypes, channel ids and cookies) through every entry, and
 * random reads of system registers in the spaces the hypervisor traps.
 * Every one gets an error status or an exception of the guest's own; at
 * the end the hypervisor still answers correctly.
 */
#include <string.h>

#include <arch/sysreg.h>

#include "rt/rpci.h"
#include "rt/rt.h"

#define CALLS_PER_ENTRY 3000
#define SYSREG_PROBES 3000

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t next_random(void)
{
	/* xorshift64*: plenty for test inputs, the same every run. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

/* Random registers, often close enough to a real call to get past the
 * first checks: the magic, a valid W7, the MESSAGE command. */
static struct bdcall random_call(void)
{
	struct bdcall c;
	uint64_t r = next_random();

	for (int i = 0; i < 8; i++)
		c.x[i] = next_random();
	if (r & 1)
		c.x[0] = BD_MAGIC;
	if (r & 2)
		c.x[7] = ((uint64_t)BD_X86_IO_MAGIC << 32) | BD_W7_LB;
	if (r & 4)
		c.x[2] = BD_CMD_MESSAGE | (c.x[2] & 0xffff0000u);
	if (r & 8)
		c.x[3] = (c.x[3] & 0xffff0000u) | BD_PORT_LB;
	/* The project's own commands include "end this VM": not here. */
	if ((c.x[2] & 0xffff) >= BD_CMD_OWN_FIRST && (c.x[2] & 0xffff) <= BD_CMD_OWN_LAST)
		c.x[2] &= ~0xff00ull;
	return c;
}

static void fuzz_backdoor(enum bd_entry how)
{
	unsigned reflected = 0;

	for (unsigned i = 0; i < CALLS_PER_ENTRY; i++) {
		struct bdcall c = random_call();
		struct caught k;

		/* A BRK #0x86 that is not a call is the guest's own BRK. */
		expect_exception();
		bd_invoke(how, &c);
		k = caught_exception();
		if (k.hit) {
			GCHECK(how == BD_BRK && esr_ec(k.esr) == ESR_EC_BRK64,
			       "entry %d: unexpected exception esr 0x%lx", how, k.esr);
			reflected++;
		}
	}
	gprintf("hostile: %u random calls via entry %d (%u reflected as the guest's "
		"BRK)\n",
		CALLS_PER_ENTRY, how, reflected);
}

/* Executes one MRS of a random register in trapped spaces, built in RAM. */
static uint32_t code[2] __attribute__((aligned(8)));

static uint64_t probe_sysreg(uint32_t insn)
{
	uint64_t (*fn)(void) = (uint64_t(*)(void))code;

	code[0] = insn;
	code[1] = 0xd65f03c0; /* ret */
	__asm__ volatile("dsb sy\n ic iallu\n dsb sy\n isb" ::: "memory");
	return fn();
}

static uint32_t random_mrs(void)
{
	uint32_t op1 = next_random() & 7, crm = next_random() & 15,
		 op2 = next_random() & 7;
	uint32_t o0, crn;

	switch (next_random() % 3) {
	case 0: /* op0 = 3, CRn = 15: implementation defined (HCR_EL2.TIDCP) */
		o0 = 1;
		crn = 15;
		break;
	case 1: /* op0 = 2: debug registers (MDCR_EL2.TDA) */
		o0 = 0;
		crn = next_random() & 7;
		break;
	default: /* op0 = 3, op1 = 3, CRn = 14, CRm = 2: physical timer */
		o0 = 1;
		crn = 14;
		op1 = 3;
		crm = 2;
		break;
	}
	/* MRS x0, S<2+o0>_<op1>_C<crn>_C<crm>_<op2> */
	return 0xd5300000u | o0 << 19 | op1 << 16 | crn << 12 | crm << 8 | op2 << 5;
}

static void fuzz_sysregs(void)
{
	unsigned undef = 0;

	for (unsigned i = 0; i < SYSREG_PROBES; i++) {
		struct caught k;

		expect_exception();
		probe_sysreg(random_mrs());
		k = caught_exception();
		if (k.hit) {
			GCHECK(esr_ec(k.esr) == ESR_EC_UNKNOWN, "sysreg probe: esr 0x%lx",
			       k.esr);
			undef++;
		}
	}
	gprintf("hostile: %u random system register reads (%u undefined)\n",
		SYSREG_PROBES, undef);
}

void guest_main(uint64_t dt)
{
	char reply[64];

	for (int how = BD_DCC; how <= BD_BRK; how++)
		fuzz_backdoor((enum bd_entry)how);
	fuzz_sysregs();
	write_sysreg(mdscr_el1, 0);
	for (int how = BD_DCC; how <= BD_BRK; how++)
		GCHECK(bd_getversion((enum bd_entry)how, NULL, NULL) == BD_VERSION,
		       "getversion via %d afterwards", how);
	GCHECK(rpci_exchange(BD_DCC, "info-get guestinfo.color", reply, sizeof(reply)) >
			       0 &&
		       strcmp(reply, "1 blue") == 0,
	       "rpci afterwards: '%s'", reply);
	gprintf("hostile: the hypervisor still answers\n");
	guest_finish("hostile");
}
