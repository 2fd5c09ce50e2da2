/*
 * What the bootloader's assembly and C share across the MMU switch: written
 * at the physical address before the MMU is on, read at the linked VA after.
 * Offsets are for the assembly; the C struct is checked against them.
 */
#ifndef BOOT_STATE_H
#define BOOT_STATE_H

#define BS_LOAD_PA 0
#define BS_LINK_VA 8
#define BS_DELTA 16
#define BS_DT_PA 24
#define BS_FAULT_ESR 32
#define BS_FAULT_FAR 40
#define BS_RESUME_VA 48
#define BS_RESUMED 56

#ifndef __ASSEMBLY__
#include <stddef.h>
#include <stdint.h>

struct boot_state {
	uint64_t load_pa; /* where the monitor put us */
	uint64_t link_va; /* where we are linked */
	uint64_t delta;	  /* link_va - load_pa */
	uint64_t dt_pa;
	uint64_t fault_esr; /* the fetch fault that moved us to the VA */
	uint64_t fault_far;
	uint64_t resume_va;
	uint64_t resumed;
};

_Static_assert(offsetof(struct boot_state, resumed) == BS_RESUMED, "layout");
_Static_assert(offsetof(struct boot_state, delta) == BS_DELTA, "layout");

extern struct boot_state boot_state;

/* early.c: before the MMU; returns the root table's PA, 0 on failure. */
uint64_t boot_early(uint64_t dt_pa, uint64_t load_pa);
/* main.c: after it. */
void boot_main(void);

#endif
#endif
