/*
 * String formatting for the freestanding programs, also built on the host.
 * Supports the subset the platform's logs use: %d %i %u %x %X %p %s %c %%,
 * the length modifiers l, ll, z, the flags '#', '0', '-' and a field width.
 * %p prints 0x followed by 16 hex digits. Output is always NUL-terminated
 * when size > 0; the return value is the length the full output would have.
 */
#ifndef LIB_FMT_H
#define LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* For parsers that report one line: formats it into err (when err and
 * errlen are non-zero) and returns code. */
int fmt_error(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
