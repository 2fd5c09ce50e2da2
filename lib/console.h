/*
 * The log console: a PL011 reached at a virtual address the caller mapped.
 * Until console_init() runs, output is dropped (there is nowhere to send it).
 * Each call's output is written as one piece, under a lock: callers that
 * format a whole line get lines that never interleave with other CPUs'.
 */
#ifndef LIB_CONSOLE_H
#define LIB_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void console_init(uintptr_t pl011);
/* Who is writing: a small number per CPU. With it, a CPU interrupted by
 * a pseudo-NMI while writing can still write from the PNMI handler. */
void console_set_cpu_id(unsigned (*fn)(void));
void console_puts(const char *s);
int console_getc(void);
void console_enable_rx_irq(void);
void console_write_bytes(const char *s, size_t n);
void console_write_raw(const char *s, size_t n);
void console_putc_raw(char c);
void log_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_vprintf(const char *fmt, va_list ap);

#endif
