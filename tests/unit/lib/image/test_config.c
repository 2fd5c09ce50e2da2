/*
 * Boot configuration tests. Every text is handed to the parser in a heap
 * buffer of exactly its length with no NUL after it, as a payload in the
 * bundle would be, so ASan reports any read past the end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lib/image/config.h>

#include "unit.h"

struct text {
	char *p;
	size_t len;
};

static struct text mk(const char *s)
{
	struct text t = {malloc(strlen(s) ? strlen(s) : 1), strlen(s)};

	memcpy(t.p, s, t.len);
	return t;
}

/* Like mk() for texts holding a NUL, which strlen() cannot measure. */
static struct text mk_n(const char *s, size_t len)
{
	struct text t = {malloc(len), len};

	memcpy(t.p, s, len);
	return t;
}

static void get_is_at(const char *s, const char *key, const char *want, int line)
{
	struct text t = mk(s);
	char out[128];
	int ret = config_get(t.p, t.len, key, out, sizeof(out));

	if (ret != (int)strlen(want) || strcmp(out, want))
		printf("  (line %d: key '%s' gave %d \"%s\", want \"%s\")\n", line, key,
		       ret, ret >= 0 ? out : "", want);
	CHECK_EQ(ret, strlen(want));
	CHECK(strcmp(out, want) == 0);
	free(t.p);
}

#define get_is(s, key, want) get_is_at(s, key, want, __LINE__)

static int get_ret(const char *s, const char *key)
{
	struct text t = mk(s);
	char out[128];
	int ret = config_get(t.p, t.len, key, out, sizeof(out));

	free(t.p);
	return ret;
}

static void check_fails_at(const char *s, size_t len, int code, const char *want,
			   int line)
{
	struct text t = mk_n(s, len);
	char err[128];
	int ret;

	memset(err, 'x', sizeof(err));
	ret = config_check(t.p, t.len, err, sizeof(err));
	if (ret != code || strcmp(err, want))
		printf("  (line %d: got %d \"%s\", want %d \"%s\")\n", line, ret, err,
		       code, want);
	CHECK_EQ(ret, code);
	CHECK(strcmp(err, want) == 0);
	free(t.p);
}

/* The whole message is compared: line numbers are the point. */
#define check_fails(s, code, want) check_fails_at(s, strlen(s), code, want, __LINE__)

static void check_ok_at(const char *s, int line)
{
	struct text t = mk(s);
	char err[128];
	int ret = config_check(t.p, t.len, err, sizeof(err));

	if (ret)
		printf("  (line %d: unexpected \"%s\")\n", line, err);
	CHECK_EQ(ret, 0);
	CHECK_EQ(err[0], 0);
	free(t.p);
}

#define check_ok(s) check_ok_at(s, __LINE__)

static uint64_t u64_val;

static int u64(const char *value)
{
	char buf[128];
	struct text t;
	int ret;

	snprintf(buf, sizeof(buf), "n = %s", value);
	t = mk(buf);
	u64_val = 0xdeadbeef;
	ret = config_get_u64(t.p, t.len, "n", &u64_val);
	free(t.p);
	return ret;
}

/* ---- tests ----------------------------------------------------------- */

static const char sample[] = "# platform boot configuration\n"
			     "\n"
			     "name = default\n"
			     "mem=64M\n"
			     "  cmdline   =  console=ttyAMA0 earlycon=pl011,0x9000000  \n"
			     "\tguest.0.kernel\t=\tlinux\t\n"
			     "a-b_c.d = x y  z\n"
			     "last = end";

static void test_values(void)
{
	check_ok(sample);
	get_is(sample, "name", "default");
	get_is(sample, "mem", "64M");
	get_is(sample, "cmdline", "console=ttyAMA0 earlycon=pl011,0x9000000");
	get_is(sample, "guest.0.kernel", "linux");
	get_is(sample, "a-b_c.d", "x y  z");
	/* The last line has neither newline nor NUL after it. */
	get_is(sample, "last", "end");
	/* '=' in a value is kept; only the first one separates. */
	get_is("k = a=b = c\n", "k", "a=b = c");
}

static void test_comments(void)
{
	const char *s = "# k = 1\n"
			"  # indented comment\n"
			"k = 2 # trailing comment\n"
			"j = 3#no blank needed\n"
			"#\n"
			"i = 4 #";

	check_ok(s);
	get_is(s, "k", "2");
	get_is(s, "j", "3");
	get_is(s, "i", "4");
	check_ok("# only a comment, no newline");
	check_ok("#");
	check_ok("");
	check_ok("\n\n   \n\t\n");
}

static void test_trimming(void)
{
	get_is("k = v\r\n", "k", "v");
	get_is("k = v \t \r\n", "k", "v");
	get_is("k=v", "k", "v");
	get_is("k\t=v", "k", "v");
	get_is("   k =\t\t v w \t", "k", "v w");
	/* Tabs inside a value are allowed; other controls are not. */
	get_is("k = a\tb", "k", "a\tb");
	check_ok("a = 1\r\nb = 2\r\n");
}

static void test_missing(void)
{
	CHECK_EQ(get_ret(sample, "nope"), CONFIG_E_MISSING);
	/* Prefixes and extensions of a key are other keys. */
	CHECK_EQ(get_ret(sample, "nam"), CONFIG_E_MISSING);
	CHECK_EQ(get_ret(sample, "names"), CONFIG_E_MISSING);
	CHECK_EQ(get_ret(sample, ""), CONFIG_E_MISSING);
	/* A commented-out key does not count. */
	CHECK_EQ(get_ret("# k = 1\n", "k"), CONFIG_E_MISSING);
	CHECK_EQ(get_ret("", "k"), CONFIG_E_MISSING);
	CHECK_EQ(config_get(NULL, 0, "k", NULL, 0), CONFIG_E_MISSING);
	CHECK_EQ(config_get(NULL, 5, "k", NULL, 0), CONFIG_E_INVAL);
	CHECK_EQ(config_get("k = 1", 5, NULL, NULL, 0), CONFIG_E_INVAL);
}

static void test_out_too_small(void)
{
	struct text t = mk("name = default\n");
	char out[8];

	/* "default" plus its NUL needs exactly 8 bytes. */
	CHECK_EQ(config_get(t.p, t.len, "name", out, 8), 7);
	CHECK(strcmp(out, "default") == 0);
	memset(out, 'x', sizeof(out));
	CHECK_EQ(config_get(t.p, t.len, "name", out, 7), CONFIG_E_SPACE);
	CHECK_EQ(out[0], 0);
	CHECK_EQ(config_get(t.p, t.len, "name", out, 1), CONFIG_E_SPACE);
	CHECK_EQ(config_get(t.p, t.len, "name", NULL, 0), CONFIG_E_SPACE);
	CHECK_EQ(config_get(t.p, t.len, "name", NULL, 8), CONFIG_E_INVAL);
	free(t.p);
}

static void test_u64(void)
{
	CHECK_EQ(u64("0"), 0);
	CHECK_EQ(u64_val, 0);
	CHECK_EQ(u64("12345"), 0);
	CHECK_EQ(u64_val, 12345);
	CHECK_EQ(u64("0x1f"), 0);
	CHECK_EQ(u64_val, 0x1f);
	CHECK_EQ(u64("0XAbC"), 0);
	CHECK_EQ(u64_val, 0xabc);
	CHECK_EQ(u64("4K"), 0);
	CHECK_EQ(u64_val, 4096);
	CHECK_EQ(u64("4k"), 0);
	CHECK_EQ(u64_val, 4096);
	CHECK_EQ(u64("64M"), 0);
	CHECK_EQ(u64_val, 64ull << 20);
	CHECK_EQ(u64("2g"), 0);
	CHECK_EQ(u64_val, 2ull << 30);
	CHECK_EQ(u64("0x10M"), 0);
	CHECK_EQ(u64_val, 16ull << 20);
	CHECK_EQ(u64("007"), 0);
	CHECK_EQ(u64_val, 7);
	CHECK_EQ(u64("18446744073709551615"), 0);
	CHECK_EQ(u64_val, UINT64_MAX);
	CHECK_EQ(u64("0xffffffffffffffff"), 0);
	CHECK_EQ(u64_val, UINT64_MAX);
	/* The largest value a suffix still allows, and one past it. */
	CHECK_EQ(u64("17179869183G"), 0);
	CHECK_EQ(u64_val, 17179869183ull << 30);
	CHECK_EQ(u64("17179869184G"), CONFIG_E_RANGE);
	CHECK_EQ(u64("0x40000000000000K"), CONFIG_E_RANGE);

	CHECK_EQ(u64("18446744073709551616"), CONFIG_E_RANGE);
	CHECK_EQ(u64("99999999999999999999999"), CONFIG_E_RANGE);
	CHECK_EQ(u64("0x10000000000000000"), CONFIG_E_RANGE);
	CHECK_EQ(u64_val, 0xdeadbeef); /* untouched on error */

	CHECK_EQ(u64("abc"), CONFIG_E_NUMBER);
	CHECK_EQ(u64("0x"), CONFIG_E_NUMBER);
	CHECK_EQ(u64("0xK"), CONFIG_E_NUMBER);
	CHECK_EQ(u64("K"), CONFIG_E_NUMBER);
	CHECK_EQ(u64("-1"), CONFIG_E_NUMBER);
	CHECK_EQ(u64("+1"), CONFIG_E_NUMBER);
	CHECK_EQ(u64("1 K"), CONFIG_E_NUMBER);
	CHECK_EQ(u64("12KB"), CONFIG_E_NUMBER);
	CHECK_EQ(u64("1KK"), CONFIG_E_NUMBER);
	CHECK_EQ(u64("12a"), CONFIG_E_NUMBER);
	CHECK_EQ(u64("0x1g2"), CONFIG_E_NUMBER);
	CHECK_EQ(u64("1T"), CONFIG_E_NUMBER);

	{
		struct text t = mk("size = 4K");
		uint64_t v = 0;

		/* The suffix is the buffer's very last byte. */
		CHECK_EQ(config_get_u64(t.p, t.len, "size", &v), 0);
		CHECK_EQ(v, 4096);
		CHECK_EQ(config_get_u64(t.p, t.len, "other", &v), CONFIG_E_MISSING);
		CHECK_EQ(config_get_u64(t.p, t.len, "size", NULL), CONFIG_E_INVAL);
		free(t.p);
	}
}

static void test_malformed(void)
{
	check_fails("a = 1\n\nBad = 2\n", CONFIG_E_SYNTAX,
		    "line 3: invalid character 'B' at start of key");
	check_fails("a = 1\nb 2\n", CONFIG_E_SYNTAX,
		    "line 2: expected '=' after key 'b'");
	check_fails("a b = c", CONFIG_E_SYNTAX, "line 1: expected '=' after key 'a'");
	check_fails("foo", CONFIG_E_SYNTAX, "line 1: expected '=' after key 'foo'");
	check_fails("foo # = 1", CONFIG_E_SYNTAX, "line 1: expected '=' after key 'foo'");
	check_fails("# c\n = x\n", CONFIG_E_SYNTAX, "line 2: missing key before '='");
	check_fails("a = 1\nb =\n", CONFIG_E_SYNTAX, "line 2: key 'b' has no value");
	check_fails("b =   # nothing\n", CONFIG_E_SYNTAX, "line 1: key 'b' has no value");
	check_fails("a$ = 1", CONFIG_E_SYNTAX,
		    "line 1: invalid character '$' in key (allowed: a-z 0-9 . _ -)");
	check_fails("Key = 1", CONFIG_E_SYNTAX,
		    "line 1: invalid character 'K' at start of key");
	check_fails(
		"\n\n\n\n\n\n\n\n\n\nk\x01 = 1", CONFIG_E_SYNTAX,
		"line 11: invalid character byte 0x01 in key (allowed: a-z 0-9 . _ -)");
	check_fails("a = 1\nk = x\x01y\n", CONFIG_E_SYNTAX,
		    "line 2: control character 0x01 in the value of 'k'");
	check_fails("k = a\rb\n", CONFIG_E_SYNTAX,
		    "line 1: control character 0x0d in the value of 'k'");
	check_fails_at("a = 1\nb = 2\0\n", 13, CONFIG_E_SYNTAX, "line 2: NUL byte",
		       __LINE__);
	check_fails_at("# \0 in a comment\n", 17, CONFIG_E_SYNTAX, "line 1: NUL byte",
		       __LINE__);

	/* 63 characters is the longest key, 64 too long. */
	check_ok("k23456789012345678901234567890123456789012345678901234567890123 = 1");
	check_fails(
		"k234567890123456789012345678901234567890123456789012345678901234 = 1",
		CONFIG_E_SYNTAX, "line 1: key is longer than 63 characters");

	/* Lines before a malformed one still read; config_get stops at it. */
	CHECK_EQ(get_ret("a = 1\nb 2\nc = 3\n", "a"), 1);
	CHECK_EQ(get_ret("a = 1\nb 2\nc = 3\n", "c"), CONFIG_E_SYNTAX);
}

static void test_duplicates(void)
{
	const char *s = "a = 1\nb = 2\n\n# x\na = 3\n";

	check_fails(s, CONFIG_E_DUPLICATE,
		    "line 5: duplicate key 'a' (first set on line 1)");
	check_fails("ab = 1\nab=1", CONFIG_E_DUPLICATE,
		    "line 2: duplicate key 'ab' (first set on line 1)");
	/* The longest key is quoted whole, not cut. */
	check_fails(
		"k23456789012345678901234567890123456789012345678901234567890123 = 1\n"
		"k23456789012345678901234567890123456789012345678901234567890123 = 2\n",
		CONFIG_E_DUPLICATE,
		"line 2: duplicate key "
		"'k23456789012345678901234567890123456789012345678901234567890123' "
		"(first set on line 1)");
	check_fails(
		"k23456789012345678901234567890123456789012345678901234567890123 = \x7f",
		CONFIG_E_SYNTAX,
		"line 1: control character 0x7f in the value of "
		"'k23456789012345678901234567890123456789012345678901234567890123'");
	/* A key that only prefixes another is not a duplicate. */
	check_ok("ab = 1\na = 2\nabc = 3\n");
	get_is(s, "a", "1");
}

/*
 * A text of n settings "kI = I", each after `comments` comment lines, in
 * a heap buffer of exactly its length; extra, if not NULL, is appended.
 */
static struct text many(unsigned n, unsigned comments, const char *extra)
{
	size_t cap = (size_t)n * (comments * 4 + 24) + 128, len = 0;
	struct text t = {malloc(cap), 0};

	for (unsigned i = 0; i < n; i++) {
		for (unsigned c = 0; c < comments; c++)
			len += (size_t)snprintf(t.p + len, cap - len, "# c\n");
		len += (size_t)snprintf(t.p + len, cap - len, "k%u = %u\n", i, i);
	}
	if (extra)
		len += (size_t)snprintf(t.p + len, cap - len, "%s", extra);
	t.len = len;
	return t;
}

static void test_many_lines(void)
{
	struct text t;
	char err[128];
	clock_t start;
	double secs;

	/* As many settings as allowed, among 200 000 comment lines: found in
	 * time linear in the text (walking back over every earlier line for
	 * each setting took 2 s of CPU here, this takes 10 ms). */
	t = many(CONFIG_MAX_SETTINGS, 400, NULL);
	start = clock();
	CHECK_EQ(config_check(t.p, t.len, err, sizeof(err)), 0);
	secs = (double)(clock() - start) / CLOCKS_PER_SEC;
	if (secs > 0.5)
		printf("  config_check took %.2f s of CPU\n", secs);
	CHECK(secs <= 0.5);
	free(t.p);

	/* A duplicate of the first key at the very end, named with both lines. */
	t = many(CONFIG_MAX_SETTINGS - 1, 1, "k0 = again\n");
	CHECK_EQ(config_check(t.p, t.len, err, sizeof(err)), CONFIG_E_DUPLICATE);
	CHECK(!strcmp(err, "line 1023: duplicate key 'k0' (first set on line 2)"));
	free(t.p);

	/* One setting more than the table holds: refused, never cut short. */
	t = many(CONFIG_MAX_SETTINGS + 1, 0, NULL);
	CHECK_EQ(config_check(t.p, t.len, err, sizeof(err)), CONFIG_E_LIMIT);
	CHECK(!strcmp(err, "line 513: more than 512 settings"));
	free(t.p);

	/* Short keys that differ in one character, up to the limit: those
	 * that share hash slots are still told apart. */
	{
		static const char set[] = "abcdefghijklmnopqrstuvwxyz0123456789._-";
		size_t cap = 16 * 2000, len = 0;
		char *p = malloc(cap);
		unsigned n = 0;

		for (const char *a = set; *a && n < CONFIG_MAX_SETTINGS; a++, n++)
			len += (size_t)snprintf(p + len, cap - len, "%c = 1\n", *a);
		for (const char *a = set; *a && n < CONFIG_MAX_SETTINGS; a++)
			for (const char *b = set; *b && n < CONFIG_MAX_SETTINGS; b++, n++)
				len += (size_t)snprintf(p + len, cap - len, "%c%c = 1\n",
							*a, *b);
		CHECK_EQ(config_check(p, len, err, sizeof(err)), 0);
		len += (size_t)snprintf(p + len, cap - len, "q = 2\n");
		CHECK_EQ(config_check(p, len, err, sizeof(err)), CONFIG_E_LIMIT);
		free(p);
	}
}

static void test_err_buffer(void)
{
	struct text t = mk("a = 1\nb 2\n");
	char small[8];

	/* Messages are cut to the buffer and still terminated. */
	memset(small, 'x', sizeof(small));
	CHECK_EQ(config_check(t.p, t.len, small, sizeof(small)), CONFIG_E_SYNTAX);
	CHECK(strcmp(small, "line 2:") == 0);
	CHECK_EQ(config_check(t.p, t.len, NULL, 0), CONFIG_E_SYNTAX);
	CHECK_EQ(config_check(t.p, t.len, small, 0), CONFIG_E_SYNTAX);
	CHECK_EQ(small[0], 'l');
	CHECK_EQ(config_check(NULL, 0, small, sizeof(small)), 0);
	CHECK_EQ(config_check(NULL, 3, small, sizeof(small)), CONFIG_E_INVAL);
	free(t.p);
}

/* Every prefix of a text is a valid buffer end; none may read past it. */
static void test_every_prefix(void)
{
	char out[64];
	uint64_t v;

	for (size_t n = 0; n <= sizeof(sample) - 1; n++) {
		struct text t = mk_n(sample, n);

		config_check(t.p, t.len, NULL, 0);
		config_get(t.p, t.len, "last", out, sizeof(out));
		config_get_u64(t.p, t.len, "mem", &v);
		free(t.p);
	}
}

/* Walks s with config_next and checks it yields exactly the pairs given. */
static void next_yields_at(const char *s, const char *const *pairs, size_t npairs,
			   int line)
{
	struct text t = mk(s);
	char key[CONFIG_KEY_MAX + 1], value[128];
	size_t cursor = 0, i;
	int ret;

	for (i = 0; i < npairs; i += 2) {
		ret = config_next(t.p, t.len, &cursor, key, sizeof(key), value,
				  sizeof(value));
		if (ret != 1 || strcmp(key, pairs[i]) || strcmp(value, pairs[i + 1]))
			printf("  (line %d: setting %zu gave %d '%s' = '%s')\n", line,
			       i / 2, ret, key, value);
		CHECK_EQ(ret, 1);
		CHECK(strcmp(key, pairs[i]) == 0);
		CHECK(strcmp(value, pairs[i + 1]) == 0);
	}
	/* The end is sticky, and the cursor stays within the text. */
	CHECK_EQ(config_next(t.p, t.len, &cursor, key, sizeof(key), value, sizeof(value)),
		 0);
	CHECK_EQ(config_next(t.p, t.len, &cursor, key, sizeof(key), value, sizeof(value)),
		 0);
	CHECK_EQ(cursor, t.len);
	CHECK_EQ(key[0], 0);
	CHECK_EQ(value[0], 0);
	free(t.p);
}

#define next_yields(s, ...)                                                              \
	do {                                                                             \
		static const char *const pairs_[] = {__VA_ARGS__};                       \
		next_yields_at(s, pairs_, sizeof(pairs_) / sizeof(pairs_[0]), __LINE__); \
	} while (0)

static void test_next(void)
{
	next_yields(sample, "name", "default", "mem", "64M", "cmdline",
		    "console=ttyAMA0 earlycon=pl011,0x9000000", "guest.0.kernel", "linux",
		    "a-b_c.d", "x y  z", "last", "end");
	next_yields_at("# nothing but a comment\n\n", NULL, 0, __LINE__);
	next_yields("a = 1\r\n\n  b=2 # c = 3\n", "a", "1", "b", "2");
	/* Duplicates are not looked for: both settings come back. */
	next_yields("a = 1\na = 2\n", "a", "1", "a", "2");
	{
		char key[8], value[8];
		size_t cursor = 0;

		/* Nothing at all is a walk that ends at once. */
		CHECK_EQ(config_next(NULL, 0, &cursor, key, sizeof(key), value,
				     sizeof(value)),
			 0);
		CHECK_EQ(cursor, 0);
	}
}

static void test_next_space(void)
{
	struct text t = mk("name = default\nkey.too.long = 1\nx = 2\n");
	char key[8], value[8], big[64];
	size_t cursor = 0, saved;

	/* "default" and its NUL fill the 8 bytes exactly. */
	CHECK_EQ(config_next(t.p, t.len, &cursor, key, sizeof(key), value, sizeof(value)),
		 1);
	CHECK(strcmp(key, "name") == 0 && strcmp(value, "default") == 0);
	/* The key does not fit: "" for it, the value still comes. */
	saved = cursor;
	CHECK_EQ(config_next(t.p, t.len, &cursor, key, sizeof(key), value, sizeof(value)),
		 CONFIG_E_SPACE);
	CHECK_EQ(key[0], 0);
	CHECK(strcmp(value, "1") == 0);
	/* It was consumed: the walk goes on with the next setting... */
	CHECK_EQ(config_next(t.p, t.len, &cursor, key, sizeof(key), value, sizeof(value)),
		 1);
	CHECK(strcmp(key, "x") == 0 && strcmp(value, "2") == 0);
	/* ...and the saved cursor retries it with room enough. */
	CHECK_EQ(config_next(t.p, t.len, &saved, big, sizeof(big), value, sizeof(value)),
		 1);
	CHECK(strcmp(big, "key.too.long") == 0 && strcmp(value, "1") == 0);
	free(t.p);

	/* A value that does not fit: the key still names the setting. */
	t = mk("cmdline = console=ttyAMA0\nnext = 1");
	cursor = 0;
	memset(value, 'x', sizeof(value));
	CHECK_EQ(config_next(t.p, t.len, &cursor, key, sizeof(key), value, sizeof(value)),
		 CONFIG_E_SPACE);
	CHECK(strcmp(key, "cmdline") == 0);
	CHECK_EQ(value[0], 0);
	CHECK_EQ(config_next(t.p, t.len, &cursor, key, sizeof(key), value, sizeof(value)),
		 1);
	CHECK(strcmp(key, "next") == 0 && strcmp(value, "1") == 0);
	/* Buffers of no size take nothing but still walk. */
	cursor = 0;
	CHECK_EQ(config_next(t.p, t.len, &cursor, NULL, 0, NULL, 0), CONFIG_E_SPACE);
	CHECK_EQ(config_next(t.p, t.len, &cursor, NULL, 0, NULL, 0), CONFIG_E_SPACE);
	CHECK_EQ(config_next(t.p, t.len, &cursor, NULL, 0, NULL, 0), 0);
	free(t.p);
}

static void test_next_errors(void)
{
	struct text t = mk("a = 1\nb 2\nc = 3\n");
	char key[CONFIG_KEY_MAX + 1], value[16];
	size_t cursor = 0, at;

	CHECK_EQ(config_next(t.p, t.len, &cursor, key, sizeof(key), value, sizeof(value)),
		 1);
	CHECK(strcmp(key, "a") == 0);
	/* A malformed line stops the walk there, every time. */
	at = cursor;
	CHECK_EQ(config_next(t.p, t.len, &cursor, key, sizeof(key), value, sizeof(value)),
		 CONFIG_E_SYNTAX);
	CHECK_EQ(cursor, at);
	CHECK_EQ(key[0], 0);
	CHECK_EQ(config_next(t.p, t.len, &cursor, key, sizeof(key), value, sizeof(value)),
		 CONFIG_E_SYNTAX);

	cursor = t.len + 1;
	CHECK_EQ(config_next(t.p, t.len, &cursor, key, sizeof(key), value, sizeof(value)),
		 CONFIG_E_INVAL);
	cursor = 0;
	CHECK_EQ(config_next(t.p, t.len, NULL, key, sizeof(key), value, sizeof(value)),
		 CONFIG_E_INVAL);
	CHECK_EQ(config_next(NULL, 3, &cursor, key, sizeof(key), value, sizeof(value)),
		 CONFIG_E_INVAL);
	CHECK_EQ(config_next(t.p, t.len, &cursor, NULL, 4, value, sizeof(value)),
		 CONFIG_E_INVAL);
	CHECK_EQ(config_next(t.p, t.len, &cursor, key, sizeof(key), NULL, 4),
		 CONFIG_E_INVAL);
	CHECK_EQ(cursor, 0);
	free(t.p);

	t = mk_n("a = 1\n\0", 7);
	cursor = 0;
	CHECK_EQ(config_next(t.p, t.len, &cursor, key, sizeof(key), value, sizeof(value)),
		 1);
	CHECK_EQ(config_next(t.p, t.len, &cursor, key, sizeof(key), value, sizeof(value)),
		 CONFIG_E_SYNTAX);
	free(t.p);
}

/* Walking every prefix of a text stays inside it. */
static void test_next_every_prefix(void)
{
	char key[CONFIG_KEY_MAX + 1], value[64];

	for (size_t n = 0; n <= sizeof(sample) - 1; n++) {
		struct text t = mk_n(sample, n);
		size_t cursor = 0, settings = 0;
		int ret;

		while ((ret = config_next(t.p, t.len, &cursor, key, sizeof(key), value,
					  sizeof(value))) == 1)
			settings++;
		CHECK(ret == 0 || ret == CONFIG_E_SYNTAX);
		CHECK(cursor <= n);
		CHECK(settings <= 6);
		free(t.p);
	}
}

static void test_parse_u64(void)
{
	/* A value with no NUL after it: the suffix is the last byte. */
	struct text t = mk("64M");
	uint64_t v = 0;

	CHECK_EQ(config_parse_u64(t.p, t.len, &v), 0);
	CHECK_EQ(v, 64ull << 20);
	CHECK_EQ(config_parse_u64(t.p, 2, &v), 0);
	CHECK_EQ(v, 64);
	CHECK_EQ(config_parse_u64(t.p, 0, &v), CONFIG_E_NUMBER);
	CHECK_EQ(config_parse_u64(NULL, 0, &v), CONFIG_E_NUMBER);
	CHECK_EQ(config_parse_u64(NULL, 1, &v), CONFIG_E_INVAL);
	CHECK_EQ(config_parse_u64(t.p, t.len, NULL), CONFIG_E_INVAL);
	free(t.p);
}

/* The default configuration shipped with the platform must be valid. */
static void test_default_cfg(void)
{
	FILE *f = fopen("configs/default.cfg", "rb");
	char buf[4096], out[64], err[128];
	size_t n;

	CHECK(f != NULL);
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	CHECK_EQ(config_check(buf, n, err, sizeof(err)), 0);
	CHECK_EQ(config_get(buf, n, "name", out, sizeof(out)), 7);
	CHECK(strcmp(out, "default") == 0);
}

int main(void)
{
	RUN(test_values);
	RUN(test_comments);
	RUN(test_trimming);
	RUN(test_missing);
	RUN(test_out_too_small);
	RUN(test_u64);
	RUN(test_malformed);
	RUN(test_duplicates);
	RUN(test_many_lines);
	RUN(test_err_buffer);
	RUN(test_every_prefix);
	RUN(test_next);
	RUN(test_next_space);
	RUN(test_next_errors);
	RUN(test_next_every_prefix);
	RUN(test_parse_u64);
	RUN(test_default_cfg);
	UNIT_DONE();
}
