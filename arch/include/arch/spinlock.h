/*
 * A test-and-set spinlock for the rare shared state of the EL2 and EL3
 * programs (the console, a VM's console line). Needs the MMU on: exclusive
 * accesses to Device memory are not guaranteed to work.
 */
#ifndef ARCH_SPINLOCK_H
#define ARCH_SPINLOCK_H

#include <stdbool.h>

typedef struct {
	volatile bool held;
} spinlock_t;

static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_test_and_set(&l->held, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->held, __ATOMIC_RELAXED))
			;
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_clear(&l->held, __ATOMIC_RELEASE);
}

#endif
