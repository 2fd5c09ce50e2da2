/*
 * A VM's output on the shared console must not be able to pass for another
 * VM's line or the hypervisor's: escape sequences, a bare \r and
 * backspaces into the prefix come out escaped; text, \n, \r\n and \t as
 * they are.
 */
#include <string.h>

#include <hyp/drivers/console_escape.h>

#include "unit.h"

static char shown[1024];
static size_t shown_len;

/* The stream s (n bytes) as console_escape() shows it. */
static const char *show(struct console_escape *e, const char *s, size_t n)
{
	shown_len = 0;
	for (size_t i = 0; i < n; i++) {
		char out[CONSOLE_ESCAPE_MAX + 4];
		size_t k;

		memset(out, 0x55, sizeof(out));
		k = console_escape(e, (uint8_t)s[i], out);
		CHECK(k <= CONSOLE_ESCAPE_MAX);
		CHECK_EQ((uint8_t)out[CONSOLE_ESCAPE_MAX], 0x55);
		if (shown_len + k < sizeof(shown)) {
			memcpy(shown + shown_len, out, k);
			shown_len += k;
		}
	}
	shown[shown_len] = 0;
	return shown;
}

#define SHOWS(e, in, want)                                                    \
	do {                                                                  \
		show(e, in, sizeof(in) - 1);                                  \
		if (strcmp(shown, want))                                      \
			printf("  shown \"%s\", want \"%s\"\n", shown, want); \
		CHECK(!strcmp(shown, want));                                  \
	} while (0)

static void passes_text(void)
{
	struct console_escape e;

	console_escape_init(&e);
	SHOWS(&e, "hello, world\n", "hello, world\n");
	SHOWS(&e, "crlf\r\n", "crlf\r\n");
	SHOWS(&e, "a\tb\n", "a\tb\n");
	/* UTF-8 passes untouched. */
	SHOWS(&e, "caf\xc3\xa9 \xe2\x82\xac\n", "caf\xc3\xa9 \xe2\x82\xac\n");
	CHECK_EQ(e.col, 0);
	CHECK(!e.cr);
}

static void escapes_controls(void)
{
	struct console_escape e;
	char all[32 + 1], want[64 + 2 + 1];
	size_t n = 0;

	console_escape_init(&e);
	/* An ESC sequence that would clear the line and home the cursor. */
	SHOWS(&e, "\x1b[2K\x1b[1Ghyp: FAKE\n", "^[[2K^[[1Ghyp: FAKE\n");
	SHOWS(&e, "red \x1b[31mtext\x1b[0m\n", "red ^[[31mtext^[[0m\n");
	/* A bare \r, then text written over the line. */
	SHOWS(&e, "abc\rhyp: FAKE\n", "abc^Mhyp: FAKE\n");
	SHOWS(&e, "\r\r\n", "^M\r\n");
	/* Bell, form feed, DEL, NUL. */
	SHOWS(&e, "\a\f\x7f", "^G^L^?");
	SHOWS(&e, "\0\n", "^@\n");
	/* Every C0 control but \t, \n, \r and \b, in caret notation. */
	for (unsigned c = 0; c < 32; c++) {
		if (c == '\t' || c == '\n' || c == '\r' || c == '\b')
			continue;
		all[n] = (char)c;
		want[2 * n] = '^';
		want[2 * n + 1] = (char)(c + 64);
		n++;
	}
	want[2 * n] = 0;
	show(&e, all, n);
	CHECK_EQ(shown_len, 2 * n);
	CHECK(!strcmp(shown, want));
}

/* A backspace steps back over the VM's own text, never into its prefix:
 * "[vm] " cannot be erased and rewritten. */
static void backspace_stays_on_own_text(void)
{
	struct console_escape e;

	console_escape_init(&e);
	SHOWS(&e, "ab\b\b\b\bX\n", "ab\b\b^H\bX\n"); /* ^H is its own text */
	/* Caret escapes count as the columns they take. */
	SHOWS(&e, "\x1b\b\b\b", "^[\b\b^H");
	SHOWS(&e, "\n", "\n");
	/* A tab counts one column at least. */
	SHOWS(&e, "\t\b\b", "\t\b^H");
	SHOWS(&e, "\n", "\n");
	/* A UTF-8 character counts one column, whatever its length. */
	SHOWS(&e, "\xe2\x82\xac\b\b", "\xe2\x82\xac\b^H");
	/* A new prefix (a long line cut in pieces): the text starts again. */
	SHOWS(&e, "xyz", "xyz");
	console_escape_prefixed(&e);
	SHOWS(&e, "\b", "^H");
	/* A line's end resets, \r\n too. */
	SHOWS(&e, "abc\r\n\b", "abc\r\n^H");
}

/* The \r is held until the next byte, across calls: \r and \n written
 * apart still make a line end. */
static void held_carriage_return(void)
{
	struct console_escape e;
	char out[CONSOLE_ESCAPE_MAX];

	console_escape_init(&e);
	CHECK_EQ(console_escape(&e, '\r', out), 0);
	CHECK(e.cr);
	CHECK_EQ(console_escape(&e, '\n', out), 2);
	CHECK(!memcmp(out, "\r\n", 2));
	/* Held \r, then a control: both escaped, in order, within the
	 * bound. */
	CHECK_EQ(console_escape(&e, '\r', out), 0);
	CHECK_EQ(console_escape(&e, 0x1b, out), 4);
	CHECK(!memcmp(out, "^M^[", 4));
	CHECK_EQ(console_escape(&e, '\r', out), 0);
	CHECK_EQ(console_escape(&e, '\b', out), 3); /* ^M, then \b over it */
	CHECK(!memcmp(out, "^M\b", 3));
	/* A \r held when the stream ends is shown then, once. */
	CHECK_EQ(console_escape(&e, '\r', out), 0);
	CHECK_EQ(console_escape_end(&e, out), 2);
	CHECK(!memcmp(out, "^M", 2));
	CHECK_EQ(console_escape_end(&e, out), 0);
	CHECK(!e.cr);
}

/* Whatever the bytes, nothing a terminal acts on gets through but \n, \t,
 * \r before \n, and backspaces within the text. */
static void any_stream(void)
{
	uint64_t rng = 0x243f6a8885a308d3ull;
	struct console_escape e;
	unsigned bad = 0;

	console_escape_init(&e);
	for (int i = 0; i < 200000; i++) {
		char out[CONSOLE_ESCAPE_MAX];
		size_t k;
		uint8_t c;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		c = (uint8_t)(rng % 4 ? rng >> 24 : (rng >> 24) % 32);
		k = console_escape(&e, c, out);
		for (size_t j = 0; j < k; j++) {
			uint8_t o = (uint8_t)out[j];

			if (o == '\r' && !(j + 1 < k && out[j + 1] == '\n'))
				bad++;
			if ((o < 0x20 && o != '\n' && o != '\t' && o != '\r' &&
			     o != '\b') ||
			    o == 0x7f)
				bad++;
		}
	}
	CHECK_EQ(bad, 0);
}

int main(void)
{
	RUN(passes_text);
	RUN(escapes_controls);
	RUN(backspace_stays_on_own_text);
	RUN(held_carriage_return);
	RUN(any_stream);
	UNIT_DONE();
}
