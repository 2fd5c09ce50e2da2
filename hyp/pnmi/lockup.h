/*
 * The lockup detector's judgement of one CPU, tick by tick (the watchdog
 * PNMI, hyp/pnmi/watchdog.c, feeds it). A CPU makes progress when it runs with
 * regular interrupts unmasked (a guest, or the hypervisor with its
 * priority mask open) or passes through the hypervisor's exit path, which
 * counts its returns to the guest. A CPU that a tick finds masked, with
 * that count unchanged, has been masked at least since the first such
 * tick; once that lasts `threshold` counter ticks, it is locked up.
 *
 * With watchdog period P, a CPU masked from time t is first seen masked
 * by a tick t1 <= t + P and reported by the first tick at or after
 * t1 + threshold: before t + 2P + threshold.
 */
#ifndef LIB_LOCKUP_H
#define LIB_LOCKUP_H

#include <stdbool.h>
#include <stdint.h>

struct lockup_cpu {
	uint64_t progress_seen; /* the progress count at the last tick */
	uint64_t masked_since;	/* counter value of the first masked tick */
	bool masked;		/* the last tick found it masked */
	bool reported;		/* this episode has been reported */
};

enum lockup_verdict {
	LOCKUP_NONE,	/* fine, or not long enough to say */
	LOCKUP_NEW,	/* locked up: report it (once per episode) */
	LOCKUP_ONGOING, /* still locked up, already reported */
	LOCKUP_OVER,	/* the reported episode has ended */
};

/* One tick at counter value now: progress is the CPU's count of returns
 * to the guest, masked whether the interrupted context had regular
 * interrupts masked. */
enum lockup_verdict lockup_tick(struct lockup_cpu *c, uint64_t now, uint64_t progress,
				bool masked, uint64_t threshold);

/* How long the current (or just ended) episode has lasted at now. */
static inline uint64_t lockup_masked_for(const struct lockup_cpu *c, uint64_t now)
{
	return now - c->masked_since;
}

#endif
