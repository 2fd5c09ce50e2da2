/*
 * Test guest: the victim beside a hostile VM (tests/system/test_chaos.sh).
 * It fills a canary in its RAM with a pattern, then forever checks it and
 * prints a heartbeat every guestinfo.period_ms milliseconds (default 250)
 * with the number of rounds, so the test sees it keep running and nothing
 * changing its memory. A changed word is reported with its address and
 * ends the VM with a failure.
 */
#include <arch/sysreg.h>

#include "rt/rpci.h"
#include "rt/rt.h"

#define CANARY_WORDS (256u * 1024 / 8) /* 256 KiB */

static uint64_t canary[CANARY_WORDS] __attribute__((aligned(4096)));

static uint64_t pattern(unsigned i)
{
	uint64_t x = (uint64_t)&canary[i] * 0x9e3779b97f4a7c15ull;

	return x ^ (x >> 29);
}

static unsigned period_ms(void)
{
	char reply[32];
	unsigned v = 0;

	if (rpci_exchange(BD_DCC, "info-get guestinfo.period_ms", reply, sizeof(reply)) <
		    3 ||
	    reply[0] != '1')
		return 250;
	for (const char *s = reply + 2; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (unsigned)(*s - '0');
	return v ? v : 250;
}

void guest_main(uint64_t dt)
{
	uint64_t freq = read_sysreg(cntfrq_el0), next, step;
	unsigned long beat = 0, rounds = 0;

	(void)dt;
	step = freq / 1000 * period_ms();
	for (unsigned i = 0; i < CANARY_WORDS; i++)
		canary[i] = pattern(i);
	gprintf("victim: canary of %u KiB set\n", (unsigned)(sizeof(canary) / 1024));
	next = read_sysreg(cntvct_el0) + step;
	for (;;) {
		for (unsigned i = 0; i < CANARY_WORDS; i++) {
			if (canary[i] != pattern(i)) {
				gprintf("victim: canary changed at 0x%lx: 0x%lx\n",
					(uint64_t)&canary[i], canary[i]);
				guest_exit(1);
			}
		}
		rounds++;
		if (read_sysreg(cntvct_el0) >= next) {
			gprintf("victim: heartbeat %lu, canary ok (%lu rounds)\n", ++beat,
				rounds);
			next += step;
		}
	}
}
