/*
 * A VM's output on a console it shares with other VMs and the hypervisor:
 * its control characters shown escaped, so that what it prints cannot pass
 * for another VM's line or the hypervisor's ("[vm] " and "hyp: " lines).
 *
 * Passed as they are: \n, \r\n, \t, printable ASCII and bytes from 0x80 up
 * (UTF-8 text), and a backspace that steps back over the VM's own text on
 * the line (never into the "[vm] " prefix before it). Everything else below
 * 0x20 and DEL is shown in caret notation, as `cat -v` does: ESC as ^[,
 * a bare \r as ^M, a backspace at the line's start as ^H, DEL as ^?.
 * A \r is held until the next byte says whether it ends a line.
 */
#ifndef LIB_CONSOLE_ESCAPE_H
#define LIB_CONSOLE_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most console_escape() writes for one byte: a held \r shown as ^M,
 * then the byte escaped. */
#define CONSOLE_ESCAPE_MAX 4

struct console_escape {
	unsigned col; /* columns the VM's text covers since its prefix */
	bool cr;      /* a \r waits for the next byte */
};

/* The start of a stream: nothing on the line, no \r held. */
void console_escape_init(struct console_escape *e);

/* The line goes out with a prefix before the VM's text: a backspace may
 * step back over what follows, not over that. */
void console_escape_prefixed(struct console_escape *e);

/* Byte c of the VM's stream: what to show, into out (at least
 * CONSOLE_ESCAPE_MAX bytes); returns how many bytes (0 while a \r is
 * held). */
size_t console_escape(struct console_escape *e, uint8_t c, char *out);

/* The stream ends (the VM does): a \r still held has no next byte to wait
 * for and is shown, as ^M, into out (at least CONSOLE_ESCAPE_MAX bytes);
 * returns how many bytes. */
size_t console_escape_end(struct console_escape *e, char *out);

#endif
