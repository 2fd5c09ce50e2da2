/* What the host tools share: error messages prefixed with the tool's name. */
#ifndef TOOLS_COMMON_H
#define TOOLS_COMMON_H

#include <stdarg.h>

extern const char *tool_name;
void tool_verror(const char *fmt, va_list ap);
__attribute__((format(printf, 1, 2), noreturn)) void tool_die(const char *fmt, ...);

#endif
