#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <lib/console.h>
#include <lib/fmt.h>
#include <lib/pl011.h>

static volatile uint8_t *uart;
/*
 * Whole lines from different CPUs must not interleave: each write holds
 * the lock, which records its holder when the program says who is who
 * (console_set_cpu_id). Two things must not hang the log even so: a
 * pseudo-NMI on the CPU that holds the lock (it writes through: its line
 * may land inside the interrupted one), and a holder that never lets go
 * (after CONSOLE_STEAL_SPINS the waiter takes the lock).
 */
#define CONSOLE_STEAL_SPINS (1u << 26)
#define OWNER_ANON (~0u)
static volatile unsigned owner; /* 0: free; cpu id + 1; or OWNER_ANON */
static unsigned (*cpu_id)(void);

void console_set_cpu_id(unsigned (*fn)(void))
{
	cpu_id = fn;
}

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

/* Takes the lock for me; false when this CPU holds it already. */
static bool lock(unsigned me)
{
	unsigned spins = 0, free = 0;

	while (!__atomic_compare_exchange_n(&owner, &free, me, false, __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED)) {
		if (free == me && me != OWNER_ANON)
			return false;
		free = 0;
		if (++spins >= CONSOLE_STEAL_SPINS) {
			__atomic_store_n(&owner, me, __ATOMIC_RELAXED);
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			break;
		}
	}
	return true;
}

/* After a steal, the robbed CPU's unlock frees the thief's lock too: the
 * worst that does is let lines interleave once. */
static void unlock(void)
{
	__atomic_store_n(&owner, 0, __ATOMIC_RELEASE);
}

/* Inline: console_putc_raw() is this for one byte, without the loop. */
static inline __attribute__((always_inline)) void write_locked(const char *s, size_t n,
							       bool crlf)
{
	unsigned me = cpu_id ? cpu_id() + 1 : OWNER_ANON;
	bool locked;

	if (!uart)
		return;
	locked = lock(me);
	for (size_t i = 0; i < n; i++) {
		if (crlf && s[i] == '\n')
			putc_raw('\r');
		putc_raw(s[i]);
	}
	if (locked)
		unlock();
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

/* One byte of such a stream: a guest's PL011 writes a byte per trap. */
void console_putc_raw(char c)
{
	write_locked(&c, 1, false);
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
