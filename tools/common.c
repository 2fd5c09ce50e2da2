/* What the host tools share: error messages and exit. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

const char *tool_name = "tool";

void tool_verror(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", tool_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void tool_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tool_verror(fmt, ap);
	va_end(ap);
	exit(1);
}
