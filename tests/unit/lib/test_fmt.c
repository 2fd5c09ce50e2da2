/* The log contract relies on these formats: hex with 0x, 64-bit, padding. */
#include <string.h>

#pragma GCC diagnostic ignored "-Wformat-security"
#pragma GCC diagnostic ignored "-Wformat-overflow"

#include <lib/fmt.h>

#include "unit.h"

static char buf[128];

#define FMT_IS(expect, ...)                                           \
	do {                                                          \
		int n_ = fmt_snprintf(buf, sizeof(buf), __VA_ARGS__); \
		CHECK(strcmp(buf, expect) == 0);                      \
		CHECK_EQ(n_, strlen(expect));                         \
	} while (0)

static void hex_with_prefix(void)
{
	FMT_IS("load_pa=0x40123000", "load_pa=%#lx", 0x40123000ul);
	FMT_IS("0xffffffffffffffff", "%#llx", ~0ull);
	FMT_IS("0x0", "%#x", 0u);
	FMT_IS("DEADBEEF", "%X", 0xdeadbeefu);
}

static void decimal_signed_and_unsigned(void)
{
	FMT_IS("-42 42 0", "%d %u %d", -42, 42u, 0);
	FMT_IS("-9223372036854775808", "%ld", (long)(-9223372036854775807L - 1));
	FMT_IS("18446744073709551615", "%lu", ~0ul);
	FMT_IS("123", "%zu", (size_t)123);
}

static void width_and_padding(void)
{
	FMT_IS("0007", "%04u", 7u);
	FMT_IS("   ab", "%5s", "ab");
	FMT_IS("ab   |", "%-5s|", "ab");
	FMT_IS("0x00ff", "%#06x", 0xffu);
	FMT_IS("0x0000000000001000", "%p", (void *)0x1000);
}

static void strings_and_chars(void)
{
	FMT_IS("a-b%c", "%c-%s%%c", 'a', "b");
	const char *none = NULL;
	const char *unknown = "%q";

	/* Built at run time so the compiler's format check does not refuse them. */
	FMT_IS("(null)", "%s", none);
	fmt_snprintf(buf, sizeof(buf), unknown);
	CHECK(strcmp(buf, "%q") == 0);
}

static void truncation_keeps_terminator(void)
{
	char small[6];
	int n = fmt_snprintf(small, sizeof(small), "hello world");

	CHECK_EQ(n, 11);
	CHECK(strcmp(small, "hello") == 0);
	n = fmt_snprintf(small, 0, "abc");
	CHECK_EQ(n, 3);
}

int main(void)
{
	RUN(hex_with_prefix);
	RUN(decimal_signed_and_unsigned);
	RUN(width_and_padding);
	RUN(strings_and_chars);
	RUN(truncation_keeps_terminator);
	UNIT_DONE();
}
