/*
 * Test guest: the backdoor through each of its entries, from EL1 and EL0.
 * GETVERSION via DCC, HVC and BRK; a full GuestRPC exchange (info-get of a
 * configured key, of a missing one, info-set then info-get); EL0 calls with
 * the guest's MDSCR_EL1.TDCC set, as Linux sets it; and the DCC as an idle
 * channel (or UNDEF at EL0 under TDCC) for reads that are not calls; the
 * project's own commands from EL0: refused by default, allowed when the
 * VM's configuration says vmN.backdoor_el0 = all (the test tells the guest
 * which through guestinfo.el0 = all), in which case the guest's last act is
 * its test exit from EL0.
 */
#include <string.h>

#include <arch/sysreg.h>

#include "rt/rpci.h"
#include "rt/rt.h"

#define SLOT_LOWER_SYNC 8 /* lower EL (EL0), synchronous */

static const char *entry_name[] = {"dcc", "hvc", "brk"};

static uint64_t el0_getversion(uint64_t how)
{
	uint64_t magic = 0, type = 0,
		 v = bd_getversion((enum bd_entry)how, &magic, &type);

	return (v & 0xffffffff) | (magic << 32);
}

static void getversion(enum bd_entry how, bool el0)
{
	uint64_t magic = 0, type = 0, v;

	if (el0) {
		uint64_t r = run_el0(el0_getversion, how);

		v = r & 0xffffffff;
		magic = r >> 32;
	} else {
		v = bd_getversion(how, &magic, &type);
		GCHECK(type == BD_VMX_TYPE, "vmx type %lu", type);
	}
	GCHECK(v == BD_VERSION, "%s getversion at EL%d: version %lu", entry_name[how],
	       el0 ? 0 : 1, v);
	GCHECK(magic == BD_MAGIC, "%s at EL%d: magic 0x%lx", entry_name[how], el0 ? 0 : 1,
	       magic);
	gprintf("backdoor: getversion via %s at EL%d: version %lu\n", entry_name[how],
		el0 ? 0 : 1, v);
}

static char reply[300];

static uint64_t rpci_suite(uint64_t how)
{
	unsigned bad = 0;
	int n;

	n = rpci_exchange((enum bd_entry)how, "info-get guestinfo.color", reply,
			  sizeof(reply));
	bad += n < 0 || strcmp(reply, "1 blue") != 0;
	n = rpci_exchange((enum bd_entry)how, "info-get guestinfo.nothing", reply,
			  sizeof(reply));
	bad += n < 0 || reply[0] != '0';
	n = rpci_exchange((enum bd_entry)how, "info-set guestinfo.shape round", reply,
			  sizeof(reply));
	bad += n < 0 || strcmp(reply, "1 ") != 0;
	n = rpci_exchange((enum bd_entry)how, "info-get guestinfo.shape", reply,
			  sizeof(reply));
	bad += n < 0 || strcmp(reply, "1 round") != 0;
	n = rpci_exchange((enum bd_entry)how, "no-such-command", reply, sizeof(reply));
	bad += n < 0 || reply[0] != '0';
	return bad;
}

static void rpci(enum bd_entry how, bool el0)
{
	uint64_t bad = el0 ? run_el0(rpci_suite, how) : rpci_suite(how);

	GCHECK(bad == 0, "%s rpci at EL%d: %lu bad replies (last '%s')", entry_name[how],
	       el0 ? 0 : 1, bad, reply);
	gprintf("backdoor: rpci via %s at EL%d: %s\n", entry_name[how], el0 ? 0 : 1,
		bad ? "FAILED" : "ok");
}

/* Two channels open at once keep their own state. */
static void two_channels(void)
{
	struct rpci a, b;
	char ra[64], rb[64];

	GCHECK(rpci_open(&a, BD_DCC) && rpci_open(&b, BD_DCC), "open two channels");
	GCHECK(a.id != b.id, "distinct channel ids");
	GCHECK(rpci_send(&a, "info-get guestinfo.color", 24), "send a");
	GCHECK(rpci_send(&b, "info-get guestinfo.shape", 24), "send b");
	GCHECK(rpci_receive(&b, rb, sizeof(rb)) > 0 && strcmp(rb, "1 round") == 0,
	       "b: %s", rb);
	GCHECK(rpci_receive(&a, ra, sizeof(ra)) > 0 && strcmp(ra, "1 blue") == 0, "a: %s",
	       ra);
	GCHECK(rpci_close(&a) && rpci_close(&b), "close both");
}

static uint64_t el0_plain_dcc_read(uint64_t unused)
{
	uint64_t v = 0x1234;

	__asm__ volatile("mov x0, #0\n mrs %0, mdccsr_el0" : "=r"(v)::"x0");
	return v;
}

static void plain_dcc(void)
{
	uint64_t v;
	struct caught c;

	/* Without TDCC: an idle DCC (nothing to receive, room to send). */
	write_sysreg(mdscr_el1, 0);
	v = run_el0(el0_plain_dcc_read, 0);
	GCHECK(v == 0, "idle DCC status at EL0: 0x%lx", v);
	__asm__ volatile("mov x0, #0\n mrs %0, mdccsr_el0" : "=r"(v)::"x0");
	GCHECK(v == 0, "idle DCC status at EL1: 0x%lx", v);

	/* With TDCC (as Linux runs): EL0's backdoor still works... */
	write_sysreg(mdscr_el1, MDSCR_TDCC);
	GCHECK(read_sysreg(mdscr_el1) == MDSCR_TDCC, "MDSCR_EL1 reads back as written");
	getversion(BD_DCC, true);
	/* ...but a plain DCC access at EL0 is undefined for it. */
	expect_exception();
	run_el0(el0_plain_dcc_read, 0);
	c = caught_exception();
	GCHECK(c.hit && c.vector == SLOT_LOWER_SYNC && esr_ec(c.esr) == ESR_EC_UNKNOWN,
	       "plain DCC read at EL0 under TDCC: hit %d vector %u esr 0x%lx", c.hit,
	       c.vector, c.esr);
	write_sysreg(mdscr_el1, 0);
	gprintf("backdoor: plain DCC accesses behave as an idle DCC\n");
}

/* CONSOLE_WRITE of up to 12 bytes from EL0 through entry how; w0. */
static const char *el0_text;

static uint64_t el0_console_write(uint64_t how)
{
	uint32_t w[3] = {0, 0, 0};
	size_t n = strlen(el0_text);
	struct bdcall c;

	memcpy(w, el0_text, n < BD_CONSOLE_MAX ? n : BD_CONSOLE_MAX);
	c = bd_request(BD_CMD_CONSOLE_WRITE | ((uint32_t)n << 16), w[0]);
	c.x[4] = w[1];
	c.x[5] = w[2];
	bd_invoke((enum bd_entry)how, &c);
	return c.x[0];
}

static uint64_t el0_stats(uint64_t index)
{
	struct bdcall c = bd_request(BD_CMD_STATS, index);

	bd_invoke(BD_DCC, &c);
	return c.x[0];
}

/* TEST_EXIT from EL0: returns (w0) only if the hypervisor refused it. */
static uint64_t el0_test_exit(uint64_t code)
{
	struct bdcall c = bd_request(BD_CMD_TEST_EXIT, code);

	bd_invoke(BD_DCC, &c);
	return c.x[0];
}

/* Whether this VM lets EL0 use the project's own commands. */
static bool el0_own_allowed(void)
{
	char r[16];

	return rpci_exchange(BD_DCC, "info-get guestinfo.el0", r, sizeof(r)) > 0 &&
	       strcmp(r, "1 all") == 0;
}

/*
 * A user process (EL0, under a kernel that sets TDCC as Linux does) trying
 * the project's own commands: by default each fails as an unknown command
 * would, nothing reaches the console and the VM goes on.
 */
static void own_commands_at_el0(bool allowed)
{
	uint64_t v;

	write_sysreg(mdscr_el1, MDSCR_TDCC);
	el0_text = allowed ? "el0: hello\n" : "hyp: FAKE\n";
	for (int how = BD_DCC; how <= BD_BRK; how += BD_BRK - BD_DCC) {
		v = run_el0(el0_console_write, how);
		GCHECK(v == (allowed ? strlen(el0_text) : BD_FAIL),
		       "console write via %s at EL0: w0 0x%lx", entry_name[how], v);
	}
	v = run_el0(el0_stats, 3);
	GCHECK(v == (allowed ? 0 : BD_FAIL), "stats at EL0: w0 0x%lx", v);
	if (!allowed) {
		v = run_el0(el0_test_exit, 77);
		GCHECK(v == BD_FAIL, "test exit at EL0: w0 0x%lx", v);
	}
	/* The kernel keeps them. */
	v = el0_stats(3);
	GCHECK(v == 0, "stats at EL1: w0 0x%lx", v);
	write_sysreg(mdscr_el1, 0);
	gprintf("backdoor: own commands at EL0 %s\n", allowed ? "allowed" : "refused");
}

void guest_main(uint64_t dt)
{
	bool el0_all = el0_own_allowed();

	for (int how = BD_DCC; how <= BD_BRK; how++)
		getversion((enum bd_entry)how, false);
	getversion(BD_DCC, true);
	getversion(BD_BRK, true);
	for (int how = BD_DCC; how <= BD_BRK; how++)
		rpci((enum bd_entry)how, false);
	rpci(BD_DCC, true);
	rpci(BD_BRK, true);
	two_channels();
	plain_dcc();
	own_commands_at_el0(el0_all);
	if (el0_all) {
		/* The verdict, then the exit from EL0 with it. */
		gprintf("guest backdoor: %u failure%s\n", guest_failures,
			guest_failures == 1 ? "" : "s");
		uint64_t v = run_el0(el0_test_exit, guest_failures ? 1 : 0);

		GCHECK(false, "test exit at EL0 returned: w0 0x%lx", v);
	}
	guest_finish("backdoor");
}
