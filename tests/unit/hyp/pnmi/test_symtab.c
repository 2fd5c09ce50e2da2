/*
 * Symbol table tests. Tables are built here byte by byte at the literal
 * offsets of the format (16-byte header, 16-byte entries, names), not
 * through the header's structs, so a layout change that scripts/mksymtab.sh
 * does not follow shows up. Every table sits in a heap block of exactly its
 * size, so AddressSanitizer reports any read past it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hyp/pnmi/symtab.h>

#include <lib/le.h>
#include "unit.h"

struct tsym {
	uint64_t addr;
	uint32_t size;
	const char *name;
};

/* A copy of bytes[0..len) in a block of exactly len bytes (malloc's
 * alignment is at least 8). */
static uint8_t *exact(const uint8_t *bytes, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	memcpy(p, bytes, len);
	return p;
}

/* The table for syms[0..n), in the given order; *len is its size. */
static uint8_t *build(const struct tsym *syms, unsigned n, size_t *len)
{
	size_t strsize = 0, pos;
	uint8_t *t;

	for (unsigned i = 0; i < n; i++)
		strsize += strlen(syms[i].name) + 1;
	*len = 16 + 16 * n + strsize;
	t = malloc(*len);
	le_put32(t, 0x4d595348);
	le_put32(t + 4, n);
	le_put32(t + 8, (uint32_t)strsize);
	le_put32(t + 12, 0);
	pos = 16 + 16 * n;
	for (unsigned i = 0; i < n; i++) {
		le_put64(t + 16 + 16 * i, syms[i].addr);
		le_put32(t + 24 + 16 * i, syms[i].size);
		le_put32(t + 28 + 16 * i, (uint32_t)(pos - (16 + 16 * n)));
		memcpy(t + pos, syms[i].name, strlen(syms[i].name) + 1);
		pos += strlen(syms[i].name) + 1;
	}
	return t;
}

/* Gaps between functions, a size-0 symbol (an assembler label) and, last,
 * another one, which has no end. */
static const struct tsym sample[] = {
	{0x1000, 0x20, "first"}, {0x1020, 0x10, "second"}, {0x1040, 0x40, "third"},
	{0x1100, 0, "label"},	 {0x1200, 0x8, "after"},   {0x2000, 0, "tail"},
};
#define NSAMPLE (sizeof(sample) / sizeof(sample[0]))

/* Whether lookup finds want (NULL: no symbol) at offset want_off. */
static int finds(const uint8_t *t, size_t len, uint64_t addr, const char *want,
		 uint64_t want_off)
{
	const char *name = "untouched";
	uint64_t off = 0xdead;
	bool found = symtab_lookup(t, len, addr, &name, &off);

	if (!want)
		return !found && strcmp(name, "untouched") == 0 && off == 0xdead;
	return found && strcmp(name, want) == 0 && off == want_off;
}

static void test_lookup_hits(void)
{
	size_t len;
	uint8_t *t = build(sample, NSAMPLE, &len);

	CHECK(symtab_valid(t, len));
	CHECK(finds(t, len, 0x1000, "first", 0));
	CHECK(finds(t, len, 0x101c, "first", 0x1c));
	CHECK(finds(t, len, 0x101f, "first", 0x1f));
	CHECK(finds(t, len, 0x1020, "second", 0));
	CHECK(finds(t, len, 0x1040, "third", 0));
	CHECK(finds(t, len, 0x107f, "third", 0x3f));
	/* size 0: up to the next symbol */
	CHECK(finds(t, len, 0x1100, "label", 0));
	CHECK(finds(t, len, 0x11ff, "label", 0xff));
	CHECK(finds(t, len, 0x1200, "after", 0));
	CHECK(finds(t, len, 0x1207, "after", 7));
	free(t);
}

static void test_lookup_misses(void)
{
	size_t len;
	uint8_t *t = build(sample, NSAMPLE, &len);

	CHECK(finds(t, len, 0, NULL, 0));
	CHECK(finds(t, len, 0xfff, NULL, 0));
	CHECK(finds(t, len, 0x1030, NULL, 0)); /* gap after second */
	CHECK(finds(t, len, 0x1080, NULL, 0)); /* one past third */
	CHECK(finds(t, len, 0x10ff, NULL, 0));
	CHECK(finds(t, len, 0x1208, NULL, 0));
	CHECK(finds(t, len, 0x1fff, NULL, 0));
	/* the last symbol is size 0: it has no end, so nothing is in it */
	CHECK(finds(t, len, 0x2000, NULL, 0));
	CHECK(finds(t, len, UINT64_MAX, NULL, 0));
	free(t);
}

static void test_lookup_edges(void)
{
	static const struct tsym one[] = {{0x4000, 4, "only"}};
	static const struct tsym top[] = {{UINT64_MAX - 0xf, 0x10, "top"}};
	static const struct tsym alias[] = {
		{0x100, 0, "alias_a"}, {0x100, 0, "alias_b"}, {0x140, 0x10, "next"}};
	static const struct tsym huge[] = {{0x10, 0xffffffff, "huge"}};
	const char *name;
	uint64_t off;
	size_t len;
	uint8_t *t;

	t = build(one, 1, &len);
	CHECK(finds(t, len, 0x3fff, NULL, 0));
	CHECK(finds(t, len, 0x4003, "only", 3));
	CHECK(finds(t, len, 0x4004, NULL, 0));
	/* either result pointer may be NULL */
	CHECK(symtab_lookup(t, len, 0x4001, NULL, NULL));
	CHECK(symtab_lookup(t, len, 0x4001, &name, NULL) && strcmp(name, "only") == 0);
	CHECK(symtab_lookup(t, len, 0x4002, NULL, &off) && off == 2);
	free(t);

	/* addr + size would wrap past 2^64 */
	t = build(top, 1, &len);
	CHECK(finds(t, len, UINT64_MAX, "top", 0xf));
	CHECK(finds(t, len, UINT64_MAX - 0x10, NULL, 0));
	free(t);

	/* equal addresses are allowed: the last of them names the place */
	t = build(alias, 3, &len);
	CHECK(symtab_valid(t, len));
	CHECK(finds(t, len, 0x100, "alias_b", 0));
	CHECK(finds(t, len, 0x13f, "alias_b", 0x3f));
	CHECK(finds(t, len, 0x14f, "next", 0xf));
	free(t);

	t = build(huge, 1, &len);
	CHECK(finds(t, len, 0x10 + 0xfffffffeull, "huge", 0xfffffffe));
	CHECK(finds(t, len, 0x10 + 0xffffffffull, NULL, 0));
	free(t);
}

static void test_empty_and_padded(void)
{
	static const uint8_t empty[16] = {0x48, 0x53, 0x59, 0x4d};
	size_t len;
	uint8_t *t = exact(empty, sizeof(empty)), *big;

	/* what mksymtab.sh --empty writes: valid, and finds nothing */
	CHECK(symtab_valid(t, sizeof(empty)));
	CHECK(finds(t, sizeof(empty), 0, NULL, 0));
	CHECK(finds(t, sizeof(empty), 0x1000, NULL, 0));
	free(t);

	/* bytes after the string table (alignment padding) are ignored */
	t = build(sample, NSAMPLE, &len);
	big = calloc(1, len + 7);
	memcpy(big, t, len);
	CHECK(symtab_valid(big, len + 7));
	CHECK(finds(big, len + 7, 0x1024, "second", 4));
	free(big);
	free(t);
}

/* The table scripts/mksymtab.sh wrote (assembled, then objcopy -O binary)
 * for an ELF with these nm -n -S lines:
 *   0000000040080000                  T entry
 *   0000000040080008 000000000000000c t beta
 *   0000000040080014 000000000000000c T alpha
 *   0000000040080020 0000000000000030 T gamma_fn */
static const uint8_t mksymtab_output[] = {
	0x48, 0x53, 0x59, 0x4d, 0x04, 0x00, 0x00, 0x00, 0x1a, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x40, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x08, 0x40,
	0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,
	0x14, 0x00, 0x08, 0x40, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00,
	0x0b, 0x00, 0x00, 0x00, 0x20, 0x00, 0x08, 0x40, 0x00, 0x00, 0x00, 0x00,
	0x30, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, 0x65, 0x6e, 0x74, 0x72,
	0x79, 0x00, 0x62, 0x65, 0x74, 0x61, 0x00, 0x61, 0x6c, 0x70, 0x68, 0x61,
	0x00, 0x67, 0x61, 0x6d, 0x6d, 0x61, 0x5f, 0x66, 0x6e, 0x00,
};

static void test_mksymtab_output(void)
{
	size_t len = sizeof(mksymtab_output);
	uint8_t *t = exact(mksymtab_output, len);
	static const struct tsym same[] = {
		{0x40080000, 0, "entry"},
		{0x40080008, 0xc, "beta"},
		{0x40080014, 0xc, "alpha"},
		{0x40080020, 0x30, "gamma_fn"},
	};
	size_t blen;
	uint8_t *b = build(same, 4, &blen);

	/* the tests' writer and the script agree byte for byte */
	CHECK_EQ(blen, len);
	CHECK(blen == len && memcmp(b, t, len) == 0);
	CHECK(symtab_valid(t, len));
	CHECK(finds(t, len, 0x40080004, "entry", 4)); /* unsized: up to beta */
	CHECK(finds(t, len, 0x40080008, "beta", 0));
	CHECK(finds(t, len, 0x40080018, "alpha", 4));
	CHECK(finds(t, len, 0x4008004c, "gamma_fn", 0x2c));
	CHECK(finds(t, len, 0x40080050, NULL, 0));
	free(b);
	free(t);
}

/* A copy of the sample table with the 32-bit field at off set to v. */
static uint8_t *sample_with(unsigned off, uint32_t v, size_t *len)
{
	uint8_t *t = build(sample, NSAMPLE, len);

	le_put32(t + off, v);
	return t;
}

/* Whether the table is refused: not valid, and no lookup of any symbol's
 * address finds anything. */
static int refused(const uint8_t *t, size_t len)
{
	if (symtab_valid(t, len))
		return 0;
	for (unsigned i = 0; i < NSAMPLE; i++)
		if (!finds(t, len, sample[i].addr + 1, NULL, 0))
			return 0;
	return 1;
}

static void test_malformed_header(void)
{
	size_t len;
	uint8_t *t;

	CHECK(!symtab_valid(NULL, 64));
	CHECK(!symtab_lookup(NULL, 64, 0x1000, NULL, NULL));

	t = sample_with(0, 0x4d595349, &len); /* magic */
	CHECK(refused(t, len));
	free(t);
	t = sample_with(12, 1, &len); /* reserved */
	CHECK(refused(t, len));
	free(t);

	/* count: one more than fits, then so many that count * 16 wraps 32 bits */
	t = sample_with(4, NSAMPLE + 1, &len);
	CHECK(refused(t, len));
	free(t);
	t = sample_with(4, 0x10000001, &len);
	CHECK(refused(t, len));
	free(t);
	t = sample_with(4, 0xffffffff, &len);
	CHECK(refused(t, len));
	free(t);

	/* string table: larger than what is left, or empty with entries */
	t = build(sample, NSAMPLE, &len);
	le_put32(t + 8, (uint32_t)(len - 16 - 16 * NSAMPLE + 1));
	CHECK(refused(t, len));
	le_put32(t + 8, 0xffffffff);
	CHECK(refused(t, len));
	le_put32(t + 8, 0);
	CHECK(refused(t, len));
	free(t);
}

static void test_malformed_entries(void)
{
	size_t len, strsize;
	uint8_t *t;

	/* a name offset at or past the string table */
	t = build(sample, NSAMPLE, &len);
	strsize = len - 16 - 16 * NSAMPLE;
	le_put32(t + 28 + 16 * 2, (uint32_t)strsize);
	CHECK(refused(t, len));
	le_put32(t + 28 + 16 * 2, 0xffffffff);
	CHECK(refused(t, len));
	le_put32(t + 28 + 16 * 2, (uint32_t)strsize - 1); /* the final NUL: "" */
	CHECK(symtab_valid(t, len));
	CHECK(finds(t, len, 0x1044, "", 4));
	free(t);

	/* the last name unterminated */
	t = build(sample, NSAMPLE, &len);
	t[len - 1] = 'x';
	CHECK(refused(t, len));
	free(t);

	/* unsorted: two neighbours swapped, the first and last swapped */
	t = build(sample, NSAMPLE, &len);
	le_put64(t + 16 + 16 * 1, 0x1040);
	le_put64(t + 16 + 16 * 2, 0x1020);
	CHECK(refused(t, len));
	free(t);
	t = build(sample, NSAMPLE, &len);
	le_put64(t + 16, 0x2000);
	le_put64(t + 16 + 16 * (NSAMPLE - 1), 0x1000);
	CHECK(refused(t, len));
	free(t);
}

/* Every prefix of a valid table is refused, and none is read past its end. */
static void test_truncated(void)
{
	size_t len;
	uint8_t *full = build(sample, NSAMPLE, &len);

	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *t = exact(full, cut);

		if (!refused(t, cut)) {
			printf("  truncated to %zu bytes: accepted\n", cut);
			unit_case_failed = 1;
		}
		free(t);
	}
	free(full);
}

static void test_misaligned(void)
{
	size_t len;
	uint8_t *t = build(sample, NSAMPLE, &len);
	uint8_t *shifted = malloc(len + 4);

	memcpy(shifted + 4, t, len);
	CHECK(!symtab_valid(shifted + 4, len));
	CHECK(!symtab_lookup(shifted + 4, len, 0x1000, NULL, NULL));
	free(shifted);
	free(t);
}

static void test_format(void)
{
	static const struct tsym wide[] = {{0xffff800000001000ull, 0x100, "far"}};
	char buf[64];
	size_t len;
	uint8_t *t = build(sample, NSAMPLE, &len);

	CHECK_EQ(symtab_format(buf, sizeof(buf), t, len, 0x101c), 10);
	CHECK(strcmp(buf, "first+0x1c") == 0);
	symtab_format(buf, sizeof(buf), t, len, 0x1040);
	CHECK(strcmp(buf, "third+0x0") == 0);
	CHECK_EQ(symtab_format(buf, sizeof(buf), t, len, 0x1030), 6);
	CHECK(strcmp(buf, "0x1030") == 0);
	symtab_format(buf, sizeof(buf), t, len, 0);
	CHECK(strcmp(buf, "0x0") == 0);
	/* an unusable table gives the bare address too */
	symtab_format(buf, sizeof(buf), t, len - 1, 0x101c);
	CHECK(strcmp(buf, "0x101c") == 0);

	/* truncation: NUL-terminated, full length returned */
	CHECK_EQ(symtab_format(buf, 6, t, len, 0x101c), 10);
	CHECK(strcmp(buf, "first") == 0);
	buf[0] = 'z';
	CHECK_EQ(symtab_format(buf, 0, t, len, 0x101c), 10);
	CHECK(buf[0] == 'z');
	free(t);

	t = build(wide, 1, &len);
	symtab_format(buf, sizeof(buf), t, len, 0xffff8000000010ffull);
	CHECK(strcmp(buf, "far+0xff") == 0);
	symtab_format(buf, sizeof(buf), t, len, 0xffff800000001100ull);
	CHECK(strcmp(buf, "0xffff800000001100") == 0);
	free(t);
}

int main(void)
{
	RUN(test_lookup_hits);
	RUN(test_lookup_misses);
	RUN(test_lookup_edges);
	RUN(test_empty_and_padded);
	RUN(test_mksymtab_output);
	RUN(test_malformed_header);
	RUN(test_malformed_entries);
	RUN(test_truncated);
	RUN(test_misaligned);
	RUN(test_format);
	UNIT_DONE();
}
