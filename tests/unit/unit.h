/*
 * A minimal host unit-test harness. Each test file defines test functions
 * and a main() that runs them with RUN(); CHECK() records a failure with
 * its location and lets the test go on, so one run shows every problem.
 * The file ends with UNIT_DONE(), which prints "N passed, N failed" for the
 * file and exits non-zero when anything failed.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <stdlib.h>

static int unit_case_failed;
static int unit_passed, unit_failed;

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (!(cond)) {                                                   \
			printf("  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			unit_case_failed = 1;                                    \
		}                                                                \
	} while (0)

#define CHECK_EQ(a, b)                                                                  \
	do {                                                                            \
		unsigned long long unit_a_ = (unsigned long long)(a);                   \
		unsigned long long unit_b_ = (unsigned long long)(b);                   \
		if (unit_a_ != unit_b_) {                                               \
			printf("  FAIL %s:%d: %s == %s (0x%llx != 0x%llx)\n", __FILE__, \
			       __LINE__, #a, #b, unit_a_, unit_b_);                     \
			unit_case_failed = 1;                                           \
		}                                                                       \
	} while (0)

#define RUN(fn)                                     \
	do {                                        \
		unit_case_failed = 0;               \
		fn();                               \
		if (unit_case_failed) {             \
			printf("not ok %s\n", #fn); \
			unit_failed++;              \
		} else {                            \
			printf("ok %s\n", #fn);     \
			unit_passed++;              \
		}                                   \
	} while (0)

#define UNIT_DONE()                                                         \
	do {                                                                \
		printf("%d passed, %d failed\n", unit_passed, unit_failed); \
		return unit_failed ? 1 : 0;                                 \
	} while (0)

#endif
