/*
 * hyp/sched/runqueue.c, the scheduler's policy: a CPU picks the runnable
 * vCPU with the least weighted runtime that its affinity allows; CPU time
 * goes to competing vCPUs in the ratio of their weights; a vCPU woken
 * from a long sleep does not get the CPU for as long as it slept; the
 * figures of run and wait time add up.
 */
#include <string.h>

#include <hyp/sched/runqueue.h>

#include "unit.h"

#define SLICE 5000u /* ticks */
#define ALL_CPUS (~0ull)

static struct runqueue rq;

static void setup(void)
{
	rq_init(&rq);
}

static void empty_queue_has_no_best(void)
{
	setup();
	CHECK(rq_best(&rq, 0) == NULL);
	CHECK_EQ(rq.nr, 0);
}

static void least_vruntime_first(void)
{
	struct sched_entity a, b, c;

	setup();
	se_init(&a, 1000, ALL_CPUS);
	se_init(&b, 1000, ALL_CPUS);
	se_init(&c, 1000, ALL_CPUS);
	a.vruntime = 30;
	b.vruntime = 10;
	c.vruntime = 20;
	rq_enqueue(&rq, &a, 0, false, 0);
	rq_enqueue(&rq, &b, 0, false, 0);
	rq_enqueue(&rq, &c, 0, false, 0);
	CHECK_EQ(rq.nr, 3);
	CHECK(rq_best(&rq, 0) == &b);
	rq_take(&rq, &b, 1, 100);
	CHECK_EQ(b.state, SE_RUNNING);
	CHECK_EQ(b.cpu, 1);
	CHECK_EQ(rq.nr, 2);
	CHECK(rq_best(&rq, 0) == &c);
	rq_remove(&rq, &c);
	CHECK(rq_best(&rq, 0) == &a);
}

/* Affinity: a CPU never picks a vCPU that may not run on it. */
static void affinity_is_obeyed(void)
{
	struct sched_entity a, b;

	setup();
	se_init(&a, 1000, 1ull << 1);
	se_init(&b, 1000, 1ull << 0 | 1ull << 63);
	a.vruntime = 0;
	b.vruntime = 100;
	rq_enqueue(&rq, &a, 0, false, 0);
	rq_enqueue(&rq, &b, 0, false, 0);
	CHECK(rq_best(&rq, 0) == &b);
	CHECK(rq_best(&rq, 1) == &a);
	CHECK(rq_best(&rq, 2) == NULL);
	CHECK(rq_best(&rq, 63) == &b);
	CHECK(rq_best(&rq, 64) == NULL); /* no such CPU bit */
}

/* Simulates one CPU shared by n entities for `ticks`, switching to the
 * least-vruntime one each time the running one is ahead by more than
 * the granularity, checking at every slice. */
static void simulate(struct sched_entity *se, unsigned n, uint64_t ticks)
{
	struct sched_entity *cur;
	uint64_t now = 0;

	setup();
	for (unsigned i = 0; i < n; i++)
		rq_enqueue(&rq, &se[i], 0, false, 0);
	cur = rq_best(&rq, 0);
	rq_take(&rq, cur, 0, 0);
	while (now < ticks) {
		struct sched_entity *best;

		now += SLICE;
		se_charge(cur, now);
		best = rq_best(&rq, 0);
		if (best && se_should_preempt(cur, best, SLICE / 2)) {
			rq_enqueue(&rq, cur, now, false, 0);
			rq_take(&rq, best, 0, now);
			cur = best;
		}
	}
	se_charge(cur, now);
	/* Those still queued waited until the end. */
	for (unsigned i = 0; i < n; i++)
		if (se[i].state == SE_RUNNABLE)
			se[i].stats.wait += now - se[i].since;
}

static void equal_weights_share_equally(void)
{
	struct sched_entity se[3];
	uint64_t total = 0;

	for (unsigned i = 0; i < 3; i++)
		se_init(&se[i], 1000, ALL_CPUS);
	simulate(se, 3, 3000 * SLICE);
	for (unsigned i = 0; i < 3; i++)
		total += se[i].stats.run;
	CHECK_EQ(total, 3000 * SLICE);
	for (unsigned i = 0; i < 3; i++) {
		CHECK(se[i].stats.run > 990 * SLICE);
		CHECK(se[i].stats.run < 1010 * SLICE);
		/* Each waited while the other two ran. */
		CHECK(se[i].stats.wait > 1980 * SLICE);
		CHECK_EQ(se[i].stats.run + se[i].stats.wait, 3000 * SLICE);
	}
}

/* Shares 2000:1000 on one CPU: 2:1. */
static void weights_set_the_ratio(void)
{
	struct sched_entity se[2];
	double ratio;

	se_init(&se[0], 2000, ALL_CPUS);
	se_init(&se[1], 1000, ALL_CPUS);
	simulate(se, 2, 3000 * SLICE);
	ratio = (double)se[0].stats.run / (double)se[1].stats.run;
	CHECK(ratio > 1.95 && ratio < 2.05);
}

/* A weight of 0 is taken as the default rather than dividing by it. */
static void zero_weight_is_default(void)
{
	struct sched_entity a;

	se_init(&a, 0, ALL_CPUS);
	CHECK_EQ(a.weight, SCHED_WEIGHT_UNIT);
	a.since = 0;
	se_charge(&a, 1000);
	CHECK_EQ(a.vruntime, 1000);
}

/* A sleeper comes back at most `credit` behind the queue's floor; one
 * that slept briefly keeps its own vruntime. */
static void sleeper_credit_is_bounded(void)
{
	struct sched_entity runner, sleeper, napper;

	setup();
	se_init(&runner, 1000, ALL_CPUS);
	se_init(&sleeper, 1000, ALL_CPUS);
	se_init(&napper, 1000, ALL_CPUS);
	runner.vruntime = 1000000;
	rq_enqueue(&rq, &runner, 0, false, 0);
	rq_update_min(&rq, NULL);
	CHECK_EQ(rq.min_vruntime, 1000000);
	sleeper.vruntime = 10;
	rq_enqueue(&rq, &sleeper, 0, true, SLICE);
	CHECK_EQ(sleeper.vruntime, 1000000 - SLICE);
	napper.vruntime = 999999;
	rq_enqueue(&rq, &napper, 0, true, SLICE);
	CHECK_EQ(napper.vruntime, 999999);
	/* The floor never goes back. */
	rq_remove(&rq, &runner);
	rq_update_min(&rq, NULL);
	CHECK_EQ(rq.min_vruntime, 1000000);
}

/* The running entity keeps the CPU until it is ahead by more than the
 * granularity: no swapping at every tick. */
static void preemption_has_hysteresis(void)
{
	struct sched_entity cur, cand;

	se_init(&cur, 1000, ALL_CPUS);
	se_init(&cand, 1000, ALL_CPUS);
	cand.vruntime = 100;
	cur.vruntime = 100 + SLICE / 2;
	CHECK(!se_should_preempt(&cur, &cand, SLICE / 2));
	cur.vruntime++;
	CHECK(se_should_preempt(&cur, &cand, SLICE / 2));
}

int main(void)
{
	RUN(empty_queue_has_no_best);
	RUN(least_vruntime_first);
	RUN(affinity_is_obeyed);
	RUN(equal_weights_share_equally);
	RUN(weights_set_the_ratio);
	RUN(zero_weight_is_default);
	RUN(sleeper_credit_is_bounded);
	RUN(preemption_has_hysteresis);
	UNIT_DONE();
}
