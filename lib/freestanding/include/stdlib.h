/* What libfdt_env.h needs of <stdlib.h> in the freestanding programs. */
#ifndef FREESTANDING_STDLIB_H
#define FREESTANDING_STDLIB_H

#include <stddef.h>

unsigned long strtoul(const char *s, char **end, int base);

#endif
