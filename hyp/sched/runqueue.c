/*
 * The scheduler's policy: hyp/sched/runqueue.h says what and why.
 */
#include <hyp/sched/runqueue.h>

void rq_init(struct runqueue *rq)
{
	rq->head.next = rq->head.prev = &rq->head;
	rq->nr = 0;
	rq->min_vruntime = 0;
}

void se_init(struct sched_entity *se, uint32_t weight, uint64_t affinity)
{
	*se = (struct sched_entity){.weight = weight ? weight : SCHED_WEIGHT_UNIT,
				    .affinity = affinity};
}

void se_charge(struct sched_entity *se, uint64_t now)
{
	uint64_t ran = now > se->since ? now - se->since : 0;

	se->stats.run += ran;
	/* ran * UNIT overflows only after 2^64 / 1000 ticks (584 years at
	 * 1 GHz) of one slice; a slice is milliseconds. */
	se->vruntime += ran * SCHED_WEIGHT_UNIT / se->weight;
	se->since = now;
}

void rq_enqueue(struct runqueue *rq, struct sched_entity *se, uint64_t now, bool woken,
		uint64_t sleeper_credit)
{
	struct sched_entity *tail = rq->head.prev;

	if (woken) {
		uint64_t floor = rq->min_vruntime > sleeper_credit
					 ? rq->min_vruntime - sleeper_credit
					 : 0;

		if (se->vruntime < floor)
			se->vruntime = floor;
	}
	se->state = SE_RUNNABLE;
	se->since = now;
	se->prev = tail;
	se->next = &rq->head;
	tail->next = se;
	rq->head.prev = se;
	rq->nr++;
}

void rq_remove(struct runqueue *rq, struct sched_entity *se)
{
	se->prev->next = se->next;
	se->next->prev = se->prev;
	se->next = se->prev = se;
	rq->nr--;
}

void rq_take(struct runqueue *rq, struct sched_entity *se, unsigned cpu, uint64_t now)
{
	rq_remove(rq, se);
	se->stats.wait += now > se->since ? now - se->since : 0;
	se->stats.switches++;
	se->state = SE_RUNNING;
	se->cpu = cpu;
	se->since = now;
}

struct sched_entity *rq_best(const struct runqueue *rq, unsigned cpu)
{
	struct sched_entity *best = 0;

	for (struct sched_entity *se = rq->head.next; se != &rq->head; se = se->next) {
		if (cpu >= 64 || !((se->affinity >> cpu) & 1))
			continue;
		if (!best || se->vruntime < best->vruntime)
			best = se;
	}
	return best;
}

bool se_should_preempt(const struct sched_entity *curr, const struct sched_entity *cand,
		       uint64_t granularity)
{
	return cand->vruntime + granularity < curr->vruntime;
}

void rq_update_min(struct runqueue *rq, const struct sched_entity *running)
{
	uint64_t least = running ? running->vruntime : UINT64_MAX;

	for (struct sched_entity *se = rq->head.next; se != &rq->head; se = se->next)
		if (se->vruntime < least)
			least = se->vruntime;
	if (least != UINT64_MAX && least > rq->min_vruntime)
		rq->min_vruntime = least;
}
