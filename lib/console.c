#include <stdarg.h>
#include <stddef.h>

#include <lib/console.h>
#include <lib/fmt.h>
#include <lib/pl011.h>

static volatile uint8_t *uart;

static inline uint32_t reg_read(unsigned off)
{
	return *(volatile uint32_t *)(uart + off);
}

static inline void reg_write(unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(uart + off) = v;
}

void console_init(uintptr_t pl011)
{
	uart = (volatile uint8_t *)pl011;
	/* Firmware that ran before may have left the UART off. */
	if (!(reg_read(UARTCR) & UARTCR_UARTEN))
		reg_write(UARTCR, UARTCR_UARTEN | UARTCR_TXE | UARTCR_RXE);
}

static void putc_raw(char c)
{
	while (reg_read(UARTFR) & UARTFR_TXFF)
		;
	reg_write(UARTDR, (uint8_t)c);
}

void console_puts(const char *s)
{
	if (!uart)
		return;
	for (; *s; s++) {
		if (*s == '\n')
			putc_raw('\r');
		putc_raw(*s);
	}
}

void log_vprintf(const char *fmt, va_list ap)
{
	char line[256];

	fmt_vsnprintf(line, sizeof(line), fmt, ap);
	console_puts(line);
}

void log_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprintf(fmt, ap);
	va_end(ap);
}
