/*
 * A VM's control characters on a shared console
 * (hyp/drivers/console_escape.h).
 */
#include <hyp/drivers/console_escape.h>

#define CARET_DEL 0x7f
#define CARET_FLIP 0x40 /* ^@..^_ for 0x00..0x1f, ^? for DEL */

void console_escape_init(struct console_escape *e)
{
	e->col = 0;
	e->cr = false;
}

void console_escape_prefixed(struct console_escape *e)
{
	e->col = 0;
}

/* Caret notation: two visible columns. */
static size_t caret(struct console_escape *e, uint8_t c, char *out)
{
	out[0] = '^';
	out[1] = (char)(c ^ CARET_FLIP);
	e->col += 2;
	return 2;
}

size_t console_escape(struct console_escape *e, uint8_t c, char *out)
{
	size_t n = 0;

	if (e->cr) {
		e->cr = false;
		if (c == '\n') {
			out[0] = '\r';
			out[1] = '\n';
			e->col = 0;
			return 2;
		}
		n = caret(e, '\r', out);
	}
	switch (c) {
	case '\r':
		e->cr = true;
		return n;
	case '\n':
		out[n++] = '\n';
		e->col = 0;
		return n;
	case '\t':
		/* At least one column further: col stays a lower bound. */
		out[n++] = '\t';
		e->col++;
		return n;
	case '\b':
		if (e->col) {
			out[n++] = '\b';
			e->col--;
			return n;
		}
		return n + caret(e, c, out + n);
	default:
		break;
	}
	if (c < 0x20 || c == CARET_DEL)
		return n + caret(e, c, out + n);
	out[n++] = (char)c;
	/* A UTF-8 continuation byte adds no column; a lead byte one, which
	 * may be less than the character takes (never more). */
	if (c < 0x80 || c >= 0xc0)
		e->col++;
	return n;
}

size_t console_escape_end(struct console_escape *e, char *out)
{
	if (!e->cr)
		return 0;
	e->cr = false;
	return caret(e, '\r', out);
}
