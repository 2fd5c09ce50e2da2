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
 *   - a NUL byte anywhere is an error, as is a key set twice.
 */
#ifndef LIB_CONFIG_H
#define LIB_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CONFIG_KEY_MAX 63 /* characters in a key */

#define CONFIG_E_INVAL (-1)	/* NULL argument */
#define CONFIG_E_SYNTAX (-2)	/* a malformed line */
#define CONFIG_E_DUPLICATE (-3) /* a key set twice */
#define CONFIG_E_MISSING (-4)	/* key not present */
#define CONFIG_E_SPACE (-5)	/* output buffer too small */
#define CONFIG_E_NUMBER (-6)	/* value is not a number */
#define CONFIG_E_RANGE (-7)	/* number does not fit */

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

#endif
