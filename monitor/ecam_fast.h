/* The frame monitor/ecam_fast.S saves: x0..x18, then x30. */
#ifndef MONITOR_ECAM_FAST_H
#define MONITOR_ECAM_FAST_H

#define ECAM_FAST_NR_X 19
#define ECAM_FAST_FRAME_SIZE (8 * (ECAM_FAST_NR_X + 1))

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>

struct ecam_fast_frame {
	uint64_t x[ECAM_FAST_NR_X];
	uint64_t x30;
};
_Static_assert(sizeof(struct ecam_fast_frame) == ECAM_FAST_FRAME_SIZE,
	       "ecam_fast.S layout");

/* ecam.c: true when the access was completed and the caller may go on;
 * false leaves everything as it was, for the full path. */
bool ecam_fast(struct ecam_fast_frame *ff);
#endif

#endif
