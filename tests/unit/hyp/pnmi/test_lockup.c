/* The lockup detector's judgement: no false reports for a CPU that keeps
 * coming back to its guest, a report within the documented bound for one
 * that does not, once per episode, and the episode's end. */
#include <hyp/pnmi/lockup.h>

#include "unit.h"

#define PERIOD 100
#define THRESHOLD 250

static void healthy_cpu_never_reported(void)
{
	struct lockup_cpu c = {0};
	uint64_t progress = 0;

	/* In the guest at some ticks, in the hypervisor (masked) at others,
	 * but returning to the guest in between. */
	for (uint64_t t = 0; t < 100 * PERIOD; t += PERIOD) {
		bool masked = (t / PERIOD) % 3 != 0;

		progress += masked ? 1 : 0;
		CHECK_EQ(lockup_tick(&c, t, progress, masked, THRESHOLD), LOCKUP_NONE);
	}
}

static void masked_but_progressing_is_not_a_lockup(void)
{
	struct lockup_cpu c = {0};

	/* Every tick lands in the hypervisor, but the exit count moves. */
	for (uint64_t t = 0, p = 0; t < 50 * PERIOD; t += PERIOD, p++)
		CHECK_EQ(lockup_tick(&c, t, p, true, THRESHOLD), LOCKUP_NONE);
}

static void stuck_cpu_reported_within_bound_once(void)
{
	struct lockup_cpu c = {0};
	const uint64_t stuck_at = 1030; /* between ticks */
	uint64_t reported_at = 0;
	unsigned news = 0;

	for (uint64_t t = 0; t <= 40 * PERIOD; t += PERIOD) {
		bool masked = t >= stuck_at;
		enum lockup_verdict v =
			lockup_tick(&c, t, masked ? 7 : t, masked, THRESHOLD);

		if (v == LOCKUP_NEW) {
			news++;
			reported_at = t;
		} else if (t >= stuck_at) {
			CHECK(v == LOCKUP_NONE || v == LOCKUP_ONGOING);
		}
	}
	CHECK_EQ(news, 1);
	CHECK(reported_at >= stuck_at + THRESHOLD - PERIOD);
	CHECK(reported_at < stuck_at + 2 * PERIOD + THRESHOLD);
}

static void episode_end_reported_with_its_length(void)
{
	struct lockup_cpu c = {0};
	uint64_t t = 0;

	CHECK_EQ(lockup_tick(&c, t, 1, false, THRESHOLD), LOCKUP_NONE);
	for (t = PERIOD; t <= 5 * PERIOD; t += PERIOD)
		lockup_tick(&c, t, 1, true, THRESHOLD);
	CHECK(c.reported);
	CHECK_EQ(lockup_tick(&c, t, 2, false, THRESHOLD), LOCKUP_OVER);
	CHECK_EQ(lockup_masked_for(&c, t), 5 * PERIOD);
	CHECK(!c.reported);
	/* A second episode is reported again. */
	for (t += PERIOD; t <= 12 * PERIOD; t += PERIOD)
		if (lockup_tick(&c, t, 2, true, THRESHOLD) == LOCKUP_NEW)
			break;
	CHECK(t <= 12 * PERIOD);
}

static void ends_by_progress_while_masked(void)
{
	struct lockup_cpu c = {0};

	for (uint64_t t = 0; t <= 5 * PERIOD; t += PERIOD)
		lockup_tick(&c, t, 3, true, THRESHOLD);
	CHECK(c.reported);
	/* Back to the guest and already in the hypervisor again. */
	CHECK_EQ(lockup_tick(&c, 6 * PERIOD, 4, true, THRESHOLD), LOCKUP_OVER);
	CHECK_EQ(c.masked_since, 6 * PERIOD);
}

int main(void)
{
	RUN(healthy_cpu_never_reported);
	RUN(masked_but_progressing_is_not_a_lockup);
	RUN(stuck_cpu_reported_within_bound_once);
	RUN(episode_end_reported_with_its_length);
	RUN(ends_by_progress_while_masked);
	UNIT_DONE();
}
