/*
 * What the libFuzzer targets share: reading fields from the input one
 * after another (missing bytes read as zero, so every input is a valid
 * sequence), and a check that names the invariant it found broken before
 * it aborts, which libFuzzer reports as a crash and saves the input of.
 *
 * libFuzzer hands each target a heap copy of exactly the input's size, so
 * ASan sees any read past the input; the targets pass that buffer (or an
 * exact-size copy of part of it) to the code under test.
 */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fz {
	const uint8_t *d;
	size_t n;
};

/* The next bytes (up to 8) of the input, little-endian; 0 once it ends. */
static inline uint64_t fz_take(struct fz *f, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && f->n; i++, f->n--)
		v |= (uint64_t) * (f->d)++ << (8 * i);
	return v;
}

/* An exact-size heap copy of the next len bytes (fewer if the input ends
 * first: *got says how many); free() it. */
static inline uint8_t *fz_copy(struct fz *f, size_t len, size_t *got)
{
	uint8_t *p;

	if (len > f->n)
		len = f->n;
	p = malloc(len ? len : 1);
	if (!p)
		abort();
	memcpy(p, f->d, len);
	f->d += len;
	f->n -= len;
	*got = len;
	return p;
}

#define FUZZ_CHECK(cond, ...)                                                            \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "fuzz: %s:%d: broken: %s: ", __FILE__, __LINE__, \
				#cond);                                                  \
			fprintf(stderr, __VA_ARGS__);                                    \
			fputc('\n', stderr);                                             \
			abort();                                                         \
		}                                                                        \
	} while (0)

/* A string field of size bytes holds a NUL within it. */
static inline int fz_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

#endif
