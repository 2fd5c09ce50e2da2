/*
 * Walking AArch64 frame records: with frame pointers, x29 points at a
 * 16-byte record {caller's x29, x30 (return address)} on the stack, and the
 * records chain from the innermost frame outwards.
 */
#ifndef LIB_BACKTRACE_H
#define LIB_BACKTRACE_H

#include <stdint.h>

/*
 * Follows the chain from the record at fp, storing each record's return
 * address (the saved LR, as is: the instruction after the BL; subtract 4 for
 * the call itself) in pcs[0..max), innermost first. Returns how many it
 * stored.
 *
 * The records are read directly from memory, so the bounds are the safety:
 * a record is read only when its fp is 16-byte aligned, lies in
 * [stack_lo, stack_hi - 16] and is above the previous record's (the stack
 * grows down, so callers' records are higher, which also ends loops). The
 * walk stops at fp 0, at a saved LR of 0 (the outermost frame), after max
 * entries, or at the first record that breaks a rule; nothing is stored for
 * that record.
 */
unsigned backtrace_walk(uint64_t fp, uint64_t stack_lo, uint64_t stack_hi, uint64_t *pcs,
			unsigned max);

#endif
