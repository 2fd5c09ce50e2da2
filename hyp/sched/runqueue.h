/*
 * The scheduler's policy, apart from the hardware (host-tested in
 * tests/unit/hyp/sched/): who runs next, and how CPU time is charged.
 *
 * Fair share by weighted virtual runtime, as Linux's CFS and close to
 * Xen's credit2: each vCPU's vruntime grows by the time it runs scaled by
 * SCHED_WEIGHT_UNIT / weight, and a CPU runs the runnable vCPU with the
 * least vruntime among those its affinity allows. Over time two vCPUs
 * competing for one CPU get it in the ratio of their weights.
 *
 * One run queue is shared by every CPU (credit2 keeps one per cache
 * domain; this platform's machines have one): a CPU that falls idle takes
 * the next vCPU whoever queued it, so there is no separate load balancer
 * to run and a vCPU moves to wherever a CPU is free. The queue is a list;
 * with the few dozen vCPUs a host runs, a scan is cheaper than a tree.
 *
 * Times are counter ticks (CNTPCT_EL0). Nothing here locks: the caller
 * holds the scheduler's lock (hyp/sched/sched.c).
 */
#ifndef HYP_SCHED_RUNQUEUE_H
#define HYP_SCHED_RUNQUEUE_H

#include <stdbool.h>
#include <stdint.h>

/* A vCPU's weight when its VM's configuration names none (vmN.shares). */
#define SCHED_WEIGHT_UNIT 1000u

enum se_state {
	SE_OFF = 0,  /* powered off (PSCI), or its VM has ended */
	SE_RUNNABLE, /* in the run queue */
	SE_RUNNING,  /* on a CPU */
	SE_BLOCKED,  /* waiting for an interrupt (WFI) */
};

struct se_stats {
	uint64_t run;	   /* ticks on a CPU */
	uint64_t wait;	   /* ticks runnable but not running (%RDY) */
	uint64_t switches; /* times it was put on a CPU */
};

struct sched_entity {
	struct sched_entity *next, *prev; /* in the run queue, when runnable */
	enum se_state state;
	uint32_t weight;   /* 1 .. ; SCHED_WEIGHT_UNIT is the default */
	uint64_t affinity; /* bit n: it may run on CPU n */
	uint64_t vruntime; /* weighted ticks run */
	uint64_t since;	   /* when it entered its state */
	unsigned cpu;	   /* the CPU it runs or last ran on */
	struct se_stats stats;
};

struct runqueue {
	struct sched_entity head; /* list sentinel */
	unsigned nr;		  /* runnable entities queued */
	uint64_t min_vruntime;	  /* never goes back */
};

void rq_init(struct runqueue *rq);
void se_init(struct sched_entity *se, uint32_t weight, uint64_t affinity);

/* The time a running entity has run since se->since, charged at now. */
void se_charge(struct sched_entity *se, uint64_t now);

/*
 * Queues a runnable entity at now. One woken from a wait gets no credit
 * for the time it slept beyond `sleeper_credit` ticks behind the queue's
 * least vruntime: a vCPU idle for an hour does not then own a CPU for an
 * hour.
 */
void rq_enqueue(struct runqueue *rq, struct sched_entity *se, uint64_t now, bool woken,
		uint64_t sleeper_credit);

/* Takes a queued entity out; it is to run on `cpu` from now (RUNNING). */
void rq_take(struct runqueue *rq, struct sched_entity *se, unsigned cpu, uint64_t now);

/* Takes a queued entity out without running it (it is turned off). */
void rq_remove(struct runqueue *rq, struct sched_entity *se);

/* The queued entity with the least vruntime that may run on cpu, or NULL. */
struct sched_entity *rq_best(const struct runqueue *rq, unsigned cpu);

/*
 * Whether `cand` should take the CPU from `curr` (running, charged up to
 * now): when its vruntime is behind by more than `granularity` weighted
 * ticks. Hysteresis, so that two equal vCPUs do not swap at every tick.
 */
bool se_should_preempt(const struct sched_entity *curr, const struct sched_entity *cand,
		       uint64_t granularity);

/* The queue's floor follows the least vruntime among the entities queued
 * and `running` (may be NULL), never backwards. */
void rq_update_min(struct runqueue *rq, const struct sched_entity *running);

#endif
