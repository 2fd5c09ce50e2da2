/* monitor/ecam/fast.S and its C half, ecam_fast() in monitor/ecam/window.c. */
#ifndef MONITOR_ECAM_FAST_H
#define MONITOR_ECAM_FAST_H

#include <stdbool.h>

#include <arch/frame.h>

/* true when the access was completed and the caller may go on; false
 * leaves everything as it was, for the full path. */
bool ecam_fast(struct caller_frame *cf);

#endif
