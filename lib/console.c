#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <arch/spinlock.h>
#include <lib/console.h>
#include <lib/fmt.h>
#include <lib/pl011.h>

static volatile uint8_t *uart;
/* Whole lines from different CPUs must not interleave. */
static spinlock_t lock;

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

static void write_locked(const char *s, size_t n, bool crlf)
{
	if (!uart)
		return;
	spin_lock(&lock);
	for (size_t i = 0; i < n; i++) {
		if (crlf && s[i] == '\n')
			putc_raw('\r');
		putc_raw(s[i]);
	}
	spin_unlock(&lock);
}

/* Bytes written as they are, newlines as CR LF, as one piece. */
void console_write_bytes(const char *s, size_t n)
{
	write_locked(s, n, true);
}

/* A terminal stream from elsewhere (a guest's UART): untouched, since it
 * has its own line endings. */
void console_write_raw(const char *s, size_t n)
{
	write_locked(s, n, false);
}

/* A byte of input, or -1 when there is none (never waits). */
int console_getc(void)
{
	if (!uart || (reg_read(UARTFR) & UARTFR_RXFE))
		return -1;
	return (int)(reg_read(UARTDR) & 0xff);
}

/* Input raises the UART's interrupt: received, or receive timeout. */
void console_enable_rx_irq(void)
{
	if (uart)
		reg_write(UARTIMSC, UARTIMSC_RXIM | UARTIMSC_RTIM);
}

void console_puts(const char *s)
{
	console_write_bytes(s, strlen(s));
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
