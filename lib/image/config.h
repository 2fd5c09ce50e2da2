/*
 * The boot configuration: text with one "key = value" per line. It is a
 * bundle payload, so the text is a (pointer, length) pair that is not
 * NUL-terminated, and it is untrusted.
 *
 * Syntax, line by line (lines end with LF; a CR before it is ignored):
 *   - '#' starts a comment that runs to the end of the line, wherever it
 *     is, so values cannot contain '#';
 *   - lines that are empty or only blanks (space, tab) are ignored;
 *   - otherwise: optional blanks, a key of 1..63 characters from
 *     [a-z0-9._-], optional blanks, '=', then the value: the rest of the
 *     line with blanks around it trimmed. The value must not be empty and
 *     must not contain control characters other than tab;
 *   - a NUL byte anywhere is an error, as is a key set twice;
 *   - at most CONFIG_MAX_SETTINGS settings, in a text shorter than 4 GiB.
 */
#ifndef LIB_CONFIG_H
#define LIB_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CONFIG_KEY_MAX 63 /* characters in a key */
/*
 * Settings in one text: config_check() finds a key set twice with a table
 * of this many keys (on its stack), in time linear in the text. Eight VMs
 * with every key and 32 guestinfo values each take about 375.
 */
#define CONFIG_MAX_SETTINGS 512

#define CONFIG_E_INVAL (-1)	/* NULL argument */
#define CONFIG_E_SYNTAX (-2)	/* a malformed line */
#define CONFIG_E_DUPLICATE (-3) /* a key set twice */
#define CONFIG_E_MISSING (-4)	/* key not present */
#define CONFIG_E_SPACE (-5)	/* output buffer too small */
#define CONFIG_E_NUMBER (-6)	/* value is not a number */
#define CONFIG_E_RANGE (-7)	/* number does not fit */
#define CONFIG_E_LIMIT (-8)	/* more than CONFIG_MAX_SETTINGS, or 4 GiB */

/*
 * Checks the whole text. Returns 0, or a negative code with one line such
 * as "line 4: expected '=' after key 'name'" in err (when errlen > 0).
 */
int config_check(const char *text, size_t len, char *err, size_t errlen);

/*
 * Copies the value of key, NUL-terminated, into out. Returns the value's
 * length, CONFIG_E_MISSING, CONFIG_E_SPACE when out cannot hold the value
 * and its NUL (out is then set to ""), or CONFIG_E_SYNTAX when a line
 * before the key is malformed. Meant for text config_check() accepted;
 * of a duplicated key it returns the first value.
 */
int config_get(const char *text, size_t len, const char *key, char *out, size_t outlen);

/*
 * Reads key as an unsigned number: decimal or 0x-prefixed hex, optionally
 * followed by K, M or G (either case) for KiB, MiB, GiB. Returns 0,
 * CONFIG_E_MISSING, CONFIG_E_NUMBER for anything else (signs, blanks,
 * empty digits) or CONFIG_E_RANGE when the result exceeds 64 bits.
 */
int config_get_u64(const char *text, size_t len, const char *key, uint64_t *out);

/*
 * Reads s[0..n), a value already fetched, as config_get_u64 reads a key's
 * value; the same codes, and CONFIG_E_INVAL for NULL arguments.
 */
int config_parse_u64(const char *s, size_t n, uint64_t *out);

/*
 * Walks the settings in text order. *cursor is a byte offset into text:
 * set it to 0 to start and pass it back untouched. Returns 1 with the next
 * key and value (NUL-terminated) in key and value, or 0 at the end.
 *
 * Errors: CONFIG_E_INVAL for NULL arguments or a cursor past len;
 * CONFIG_E_SYNTAX for a malformed line, the cursor staying on it;
 * CONFIG_E_SPACE when the key or the value does not fit with its NUL.
 * Then the setting is consumed all the same, so the walk can go on, and
 * key holds the key if it fit, so the caller can say which setting it
 * could not take; what did not fit is set to "". To retry with larger
 * buffers, save the cursor before the call. Duplicates are not looked
 * for: like the getters, this is meant for text config_check() accepted.
 * A key buffer of CONFIG_KEY_MAX + 1 bytes always fits.
 */
int config_next(const char *text, size_t len, size_t *cursor, char *key, size_t keylen,
		char *value, size_t valuelen);

#endif
