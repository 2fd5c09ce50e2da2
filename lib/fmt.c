/*
 * A small vsnprintf: the logs of all three programs go through it, and the
 * host unit tests check it against the behaviour the log contract needs
 * (hex with 0x, 64-bit values, padding).
 */
#include <stdbool.h>
#include <stdint.h>

#include <lib/fmt.h>

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

struct spec {
	bool alt;
	bool zero;
	bool left;
	unsigned width;
};

static void pad(struct out *o, unsigned n, char c)
{
	while (n--)
		put(o, c);
}

static void put_str(struct out *o, const char *s, const struct spec *sp)
{
	unsigned n = 0;

	if (!s)
		s = "(null)";
	while (s[n])
		n++;
	if (!sp->left && sp->width > n)
		pad(o, sp->width - n, ' ');
	for (unsigned i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left && sp->width > n)
		pad(o, sp->width - n, ' ');
}

static void put_num(struct out *o, uint64_t v, bool neg, unsigned base, bool upper,
		    const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	unsigned n = 0, prefix = 0, body;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);

	if (neg)
		prefix = 1;
	else if (sp->alt && base == 16)
		prefix = 2;
	body = n + prefix;

	if (!sp->left && !sp->zero && sp->width > body)
		pad(o, sp->width - body, ' ');
	if (neg)
		put(o, '-');
	else if (prefix == 2) {
		put(o, '0');
		put(o, upper ? 'X' : 'x');
	}
	if (!sp->left && sp->zero && sp->width > body)
		pad(o, sp->width - body, '0');
	while (n)
		put(o, tmp[--n]);
	if (sp->left && sp->width > body)
		pad(o, sp->width - body, ' ');
}

/* Reads the argument for an integer conversion with the given length. */
static uint64_t take_unsigned(va_list *ap, int lng)
{
	if (lng >= 2)
		return va_arg(*ap, unsigned long long);
	if (lng == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static int64_t take_signed(va_list *ap, int lng)
{
	if (lng >= 2)
		return va_arg(*ap, long long);
	if (lng == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = {buf, size, 0};
	va_list ap;

	va_copy(ap, ap_in);
	for (; *fmt; fmt++) {
		struct spec sp = {0};
		int lng = 0;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '#')
				sp.alt = true;
			else if (*fmt == '0')
				sp.zero = true;
			else if (*fmt == '-')
				sp.left = true;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			sp.width = sp.width * 10 + (unsigned)(*fmt++ - '0');
		for (;; fmt++) {
			if (*fmt == 'l')
				lng++;
			else if (*fmt == 'z')
				lng = 1; /* size_t is unsigned long on both ABIs */
			else
				break;
		}

		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = take_signed(&ap, lng);
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

			put_num(&o, mag, v < 0, 10, false, &sp);
			break;
		}
		case 'u':
			put_num(&o, take_unsigned(&ap, lng), false, 10, false, &sp);
			break;
		case 'x':
		case 'X':
			put_num(&o, take_unsigned(&ap, lng), false, 16, *fmt == 'X', &sp);
			break;
		case 'p': {
			struct spec p = {.alt = true, .zero = true, .width = 18};

			put_num(&o, (uintptr_t)va_arg(ap, void *), false, 16, false, &p);
			break;
		}
		case 's':
			put_str(&o, va_arg(ap, const char *), &sp);
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--; /* a lone '%' at the end: stop at the terminator */
			break;
		default:
			/* Unknown conversions are printed as they are, visibly. */
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int fmt_error(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}
