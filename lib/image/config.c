/*
 * Boot configuration parsing. One line parser serves config_check() and
 * the getters, so what the check accepts is exactly what the getters
 * read. Nothing is copied or stored: the text is small and lookups are
 * rare, so each call walks it again. The one table, config_check()'s
 * record of the keys seen, is bounded by CONFIG_MAX_SETTINGS, and a text
 * with more settings is refused, not cut short.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include <lib/image/config.h>
#include <lib/fmt.h>

/* One "key = value" line; key and val point into the text. */
struct cfg_line {
	size_t lineno;
	const char *key;
	size_t keylen;
	const char *val;
	size_t vallen;
};

struct cfg_iter {
	const char *text;
	size_t len;
	size_t pos;
	size_t lineno;
	char *err; /* may be NULL: getters want no message */
	size_t errlen;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-';
}

static bool is_control(char c)
{
	unsigned char u = (unsigned char)c;

	return (u < 0x20 && c != '\t') || u == 0x7f;
}

__attribute__((format(printf, 3, 4))) static int line_error(struct cfg_iter *it, int code,
							    const char *fmt, ...)
{
	/* Room for the longest message, which quotes a 63-character key. */
	char msg[160];
	va_list ap;

	if (!it->err || !it->errlen)
		return code;
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fmt_snprintf(it->err, it->errlen, "line %llu: %s", (unsigned long long)it->lineno,
		     msg);
	return code;
}

/* Describes a byte for a message without ever printing it raw. */
static void describe_byte(char *buf, size_t size, char c)
{
	unsigned char u = (unsigned char)c;

	if (u > 0x20 && u < 0x7f)
		fmt_snprintf(buf, size, "'%c'", c);
	else
		fmt_snprintf(buf, size, "byte 0x%02x", u);
}

/* The key is bounded by CONFIG_KEY_MAX, so it always fits. */
static void copy_key(char *buf, const char *key, size_t keylen)
{
	size_t k;

	for (k = 0; k < keylen && k < CONFIG_KEY_MAX; k++)
		buf[k] = key[k];
	buf[k] = '\0';
}

/*
 * Finds where the current line's content ends: at the first '#' or at the
 * line end, with trailing blanks and a CR dropped. A NUL anywhere on the
 * line, comment included, is rejected: it means the text is not text.
 */
static int line_content_end(struct cfg_iter *it, size_t start, size_t end,
			    size_t *content_end)
{
	size_t k, stop = end;

	for (k = start; k < end; k++) {
		if (it->text[k] == '\0')
			return line_error(it, CONFIG_E_SYNTAX, "NUL byte");
		if (it->text[k] == '#' && stop == end)
			stop = k;
	}
	while (stop > start &&
	       (is_blank(it->text[stop - 1]) || it->text[stop - 1] == '\r'))
		stop--;
	*content_end = stop;
	return 0;
}

static int parse_key(struct cfg_iter *it, size_t *p, size_t end, struct cfg_line *ln)
{
	const char *t = it->text;
	size_t k = *p;
	char what[16];

	while (k < end && is_key_char(t[k]))
		k++;
	if (k == *p) {
		if (t[k] == '=')
			return line_error(it, CONFIG_E_SYNTAX, "missing key before '='");
		describe_byte(what, sizeof(what), t[k]);
		return line_error(it, CONFIG_E_SYNTAX,
				  "invalid character %s at start of key", what);
	}
	if (k < end && !is_blank(t[k]) && t[k] != '=') {
		describe_byte(what, sizeof(what), t[k]);
		return line_error(it, CONFIG_E_SYNTAX,
				  "invalid character %s in key (allowed: "
				  "a-z 0-9 . _ -)",
				  what);
	}
	if (k - *p > CONFIG_KEY_MAX)
		return line_error(it, CONFIG_E_SYNTAX, "key is longer than %d characters",
				  CONFIG_KEY_MAX);
	ln->key = t + *p;
	ln->keylen = k - *p;
	*p = k;
	return 0;
}

/* p is just past the key; end is the trimmed content end. */
static int parse_value(struct cfg_iter *it, size_t p, size_t end, struct cfg_line *ln)
{
	const char *t = it->text;
	char key[CONFIG_KEY_MAX + 1];
	size_t k;

	copy_key(key, ln->key, ln->keylen);
	while (p < end && is_blank(t[p]))
		p++;
	if (p == end || t[p] != '=')
		return line_error(it, CONFIG_E_SYNTAX, "expected '=' after key '%s'",
				  key);
	p++;
	while (p < end && is_blank(t[p]))
		p++;
	if (p == end)
		return line_error(it, CONFIG_E_SYNTAX, "key '%s' has no value", key);
	for (k = p; k < end; k++) {
		if (is_control(t[k]))
			return line_error(it, CONFIG_E_SYNTAX,
					  "control character 0x%02x in the "
					  "value of '%s'",
					  (unsigned int)(unsigned char)t[k], key);
	}
	ln->val = t + p;
	ln->vallen = end - p;
	return 0;
}

/* Parses line [start, end) into ln: 1 for a setting, 0 for nothing. */
static int parse_line(struct cfg_iter *it, size_t start, size_t end, struct cfg_line *ln)
{
	size_t p = start, stop = end;
	int ret;

	ret = line_content_end(it, start, end, &stop);
	if (ret)
		return ret;
	while (p < stop && is_blank(it->text[p]))
		p++;
	if (p == stop)
		return 0;
	ret = parse_key(it, &p, stop, ln);
	if (ret)
		return ret;
	ret = parse_value(it, p, stop, ln);
	if (ret)
		return ret;
	ln->lineno = it->lineno;
	return 1;
}

/* The next setting: 1 and ln filled, 0 at the end, or an error code. */
static int cfg_next(struct cfg_iter *it, struct cfg_line *ln)
{
	while (it->pos < it->len) {
		size_t start = it->pos, end = start;
		int ret;

		while (end < it->len && it->text[end] != '\n')
			end++;
		it->pos = end < it->len ? end + 1 : end;
		it->lineno++;
		ret = parse_line(it, start, end, ln);
		if (ret)
			return ret;
	}
	return 0;
}

static int iter_init(struct cfg_iter *it, const char *text, size_t len, char *err,
		     size_t errlen)
{
	it->text = text;
	it->len = len;
	it->pos = 0;
	it->lineno = 0;
	it->err = err;
	it->errlen = errlen;
	if (err && errlen)
		err[0] = '\0';
	/* An absent text is only acceptable when it is empty. */
	if (!text && len)
		return CONFIG_E_INVAL;
	return 0;
}

static bool key_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t k;

	if (alen != blen)
		return false;
	for (k = 0; k < alen; k++) {
		if (a[k] != b[k])
			return false;
	}
	return true;
}

/*
 * The keys seen so far, as offsets in the text plus one (0: a free slot),
 * in an open-addressing hash table twice as large as the settings it may
 * hold, so probes stay short and config_check() linear in the text.
 */
#define SEEN_SLOTS (2 * CONFIG_MAX_SETTINGS)

struct seen {
	uint32_t slot[SEEN_SLOTS];
	size_t count;
};

/* FNV-1a: cheap, and good enough spread for keys of a few words. */
static uint32_t key_hash(const char *key, size_t keylen)
{
	uint32_t h = 2166136261u;

	for (size_t k = 0; k < keylen; k++)
		h = (h ^ (uint8_t)key[k]) * 16777619u;
	return h;
}

/* The line number of text offset off: only for the message. */
static size_t line_of(const char *text, size_t off)
{
	size_t n = 1;

	for (size_t k = 0; k < off; k++)
		n += text[k] == '\n';
	return n;
}

/*
 * Records ln's key, or reports it as a duplicate of the line that set it
 * first. The keys in the table passed parse_key(), so their length is
 * where their key characters end.
 */
static int check_duplicate(struct cfg_iter *it, struct seen *seen,
			   const struct cfg_line *ln)
{
	size_t off = (size_t)(ln->key - it->text), i;
	char key[CONFIG_KEY_MAX + 1];

	if (seen->count == CONFIG_MAX_SETTINGS)
		return line_error(it, CONFIG_E_LIMIT, "more than %d settings",
				  CONFIG_MAX_SETTINGS);
	i = key_hash(ln->key, ln->keylen) & (SEEN_SLOTS - 1);
	for (; seen->slot[i]; i = (i + 1) & (SEEN_SLOTS - 1)) {
		const char *pk = it->text + seen->slot[i] - 1;
		size_t plen = 0;

		while (plen <= CONFIG_KEY_MAX && is_key_char(pk[plen]))
			plen++;
		if (key_eq(pk, plen, ln->key, ln->keylen)) {
			copy_key(key, ln->key, ln->keylen);
			return line_error(
				it, CONFIG_E_DUPLICATE,
				"duplicate key '%s' (first set on line %llu)", key,
				(unsigned long long)line_of(it->text, seen->slot[i] - 1));
		}
	}
	seen->slot[i] = (uint32_t)off + 1;
	seen->count++;
	return 0;
}

int config_check(const char *text, size_t len, char *err, size_t errlen)
{
	struct cfg_iter it;
	struct cfg_line ln;
	struct seen seen;
	int ret;

	if (iter_init(&it, text, len, err, errlen)) {
		if (err && errlen)
			fmt_snprintf(err, errlen, "no configuration text");
		return CONFIG_E_INVAL;
	}
	/* Key offsets plus one must fit the table's 32-bit slots. */
	if (len >= UINT32_MAX) {
		if (err && errlen)
			fmt_snprintf(err, errlen, "configuration text of 4 GiB or more");
		return CONFIG_E_LIMIT;
	}
	memset(&seen, 0, sizeof(seen));
	while ((ret = cfg_next(&it, &ln)) == 1) {
		ret = check_duplicate(&it, &seen, &ln);
		if (ret)
			return ret;
	}
	return ret;
}

/* Finds key's line: 0 and ln filled, CONFIG_E_MISSING, or an error. */
static int find_key(const char *text, size_t len, const char *key, struct cfg_line *ln)
{
	struct cfg_iter it;
	size_t keylen = 0;
	int ret;

	if (!key || iter_init(&it, text, len, NULL, 0))
		return CONFIG_E_INVAL;
	while (key[keylen])
		keylen++;
	while ((ret = cfg_next(&it, ln)) == 1) {
		if (key_eq(ln->key, ln->keylen, key, keylen))
			return 0;
	}
	return ret ? ret : CONFIG_E_MISSING;
}

int config_get(const char *text, size_t len, const char *key, char *out, size_t outlen)
{
	struct cfg_line ln;
	size_t k;
	int ret;

	if (!out && outlen)
		return CONFIG_E_INVAL;
	if (out && outlen)
		out[0] = '\0';
	ret = find_key(text, len, key, &ln);
	if (ret)
		return ret;
	/* The length is returned as an int, so it must fit one too. */
	if (ln.vallen >= outlen || ln.vallen > 0x7fffffff)
		return CONFIG_E_SPACE;
	for (k = 0; k < ln.vallen; k++)
		out[k] = ln.val[k];
	out[k] = '\0';
	return (int)ln.vallen;
}

static int digit_value(char c, unsigned int base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return (unsigned int)d < base ? d : -1;
}

static unsigned int suffix_shift(char c)
{
	switch (c) {
	case 'k':
	case 'K':
		return 10;
	case 'm':
	case 'M':
		return 20;
	case 'g':
	case 'G':
		return 30;
	default:
		return 0;
	}
}

int config_parse_u64(const char *s, size_t n, uint64_t *out)
{
	unsigned int base = 10, shift;
	uint64_t v = 0;
	size_t i = 0;

	if ((!s && n) || !out)
		return CONFIG_E_INVAL;

	/* 'k', 'm' and 'g' are not hex digits, so a suffix is unambiguous. */
	shift = n ? suffix_shift(s[n - 1]) : 0;
	if (shift)
		n--;
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		return CONFIG_E_NUMBER;
	for (; i < n; i++) {
		int d = digit_value(s[i], base);

		if (d < 0)
			return CONFIG_E_NUMBER;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return CONFIG_E_RANGE;
		v = v * base + (uint64_t)d;
	}
	if (v > UINT64_MAX >> shift)
		return CONFIG_E_RANGE;
	*out = v << shift;
	return 0;
}

int config_get_u64(const char *text, size_t len, const char *key, uint64_t *out)
{
	struct cfg_line ln;
	int ret;

	if (!out)
		return CONFIG_E_INVAL;
	ret = find_key(text, len, key, &ln);
	if (ret)
		return ret;
	return config_parse_u64(ln.val, ln.vallen, out);
}

/* Copies n bytes and a NUL if they fit in size, else sets out to "". */
static bool copy_out(char *out, size_t size, const char *s, size_t n)
{
	size_t k;

	if (n >= size) {
		if (size)
			out[0] = '\0';
		return false;
	}
	for (k = 0; k < n; k++)
		out[k] = s[k];
	out[n] = '\0';
	return true;
}

int config_next(const char *text, size_t len, size_t *cursor, char *key, size_t keylen,
		char *value, size_t valuelen)
{
	struct cfg_iter it;
	struct cfg_line ln;
	bool key_ok, value_ok;
	int ret;

	if (!cursor || (!key && keylen) || (!value && valuelen))
		return CONFIG_E_INVAL;
	if (key && keylen)
		key[0] = '\0';
	if (value && valuelen)
		value[0] = '\0';
	/* A cursor past the end was not produced by this function. */
	if (iter_init(&it, text, len, NULL, 0) || *cursor > len)
		return CONFIG_E_INVAL;
	it.pos = *cursor;
	ret = cfg_next(&it, &ln);
	if (ret < 0)
		return ret;
	if (ret == 0) {
		*cursor = len;
		return 0;
	}
	/*
	 * The setting is consumed even when it does not fit, so a caller can
	 * skip values it has no use for; the key is still filled in when it
	 * fits, so the caller can name the setting it could not take.
	 */
	*cursor = it.pos;
	key_ok = copy_out(key, keylen, ln.key, ln.keylen);
	value_ok = copy_out(value, valuelen, ln.val, ln.vallen);
	return key_ok && value_ok ? 1 : CONFIG_E_SPACE;
}
