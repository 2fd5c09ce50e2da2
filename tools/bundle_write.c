/*
 * The bundle writer shared by the host tools (tools/bundle_write.h). It
 * checks the inputs itself, rather than leaving it all to bundle_open() on
 * the result, so that a mistake is reported by payload name, in terms of
 * what the caller passed, and not as a fault in bytes it never saw.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lib/image/bundle.h>
#include <lib/image/config.h>
#include <lib/le.h>
#include <lib/crc32.h>

#include "bundle_write.h"

__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t errlen, int code,
						      const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

static bool type_known(uint32_t type)
{
	return type >= BUNDLE_HYP && type <= BUNDLE_DISK;
}

/* One payload on its own: name, type, data. */
static int check_one(const struct bundle_input *in, uint32_t i, char *err, size_t errlen)
{
	if (!in->name)
		return fail(err, errlen, BUNDLE_WRITE_E_INPUT, "payload %u has no name",
			    i);
	/* The name is the caller's, so it is quoted, but only so much of it. */
	if (!bundle_name_valid(in->name))
		return fail(err, errlen, BUNDLE_WRITE_E_INPUT,
			    "payload %u: name '%.40s' is not 1 to %d characters from "
			    "A-Z a-z 0-9 . _ + -",
			    i, in->name, BUNDLE_NAME_SIZE - 1);
	if (!type_known(in->type))
		return fail(err, errlen, BUNDLE_WRITE_E_INPUT,
			    "payload %u '%s' has unknown type %u", i, in->name, in->type);
	if (!in->data && in->size)
		return fail(err, errlen, BUNDLE_WRITE_E_INPUT,
			    "payload %u '%s' has no data", i, in->name);
	return 0;
}

/* The rules that concern the set: unique names, one hyp, one config. */
static int check_inputs(const struct bundle_input *in, uint32_t count, char *err,
			size_t errlen)
{
	char cfg_err[160];
	int hyp = -1, config = -1, ret;
	uint32_t i, j;

	if (count > BUNDLE_MAX_ENTRIES)
		return fail(err, errlen, BUNDLE_WRITE_E_INPUT,
			    "too many payloads (at most %d)", BUNDLE_MAX_ENTRIES);
	for (i = 0; i < count; i++) {
		ret = check_one(&in[i], i, err, errlen);
		if (ret)
			return ret;
		for (j = 0; j < i; j++) {
			if (in[j].type == in[i].type && !strcmp(in[j].name, in[i].name))
				return fail(err, errlen, BUNDLE_WRITE_E_INPUT,
					    "two %s payloads named '%s'",
					    bundle_type_name(in[i].type), in[i].name);
		}
		if (in[i].type == BUNDLE_HYP) {
			if (hyp >= 0)
				return fail(err, errlen, BUNDLE_WRITE_E_INPUT,
					    "more than one hypervisor payload ('%s' and "
					    "'%s')",
					    in[hyp].name, in[i].name);
			hyp = (int)i;
		}
		if (in[i].type == BUNDLE_CONFIG) {
			if (config >= 0)
				return fail(err, errlen, BUNDLE_WRITE_E_INPUT,
					    "more than one configuration payload ('%s' "
					    "and '%s')",
					    in[config].name, in[i].name);
			config = (int)i;
		}
	}
	if (hyp < 0)
		return fail(err, errlen, BUNDLE_WRITE_E_INPUT, "no hypervisor payload");
	if (!in[hyp].size)
		return fail(err, errlen, BUNDLE_WRITE_E_INPUT,
			    "hypervisor payload '%s' is empty", in[hyp].name);
	if (config < 0)
		return fail(err, errlen, BUNDLE_WRITE_E_INPUT,
			    "no configuration payload");
	/* The platform runs the same check at boot; better to fail here. */
	if (config_check(in[config].data, in[config].size, cfg_err, sizeof(cfg_err)))
		return fail(err, errlen, BUNDLE_WRITE_E_INPUT,
			    "configuration payload '%s': %s", in[config].name, cfg_err);
	return 0;
}

/*
 * The hypervisor and the configuration go first whatever the order given,
 * so every bundle starts the same way; the rest keep their order.
 */
static void table_order(const struct bundle_input *in, uint32_t count, uint32_t *order)
{
	uint32_t i, n = 0;

	for (i = 0; i < count; i++)
		if (in[i].type == BUNDLE_HYP)
			order[n++] = i;
	for (i = 0; i < count; i++)
		if (in[i].type == BUNDLE_CONFIG)
			order[n++] = i;
	for (i = 0; i < count; i++)
		if (in[i].type != BUNDLE_HYP && in[i].type != BUNDLE_CONFIG)
			order[n++] = i;
}

/* Each payload at the next aligned offset; false if the sum overflows. */
static bool layout(const struct bundle_input *in, const uint32_t *order, uint32_t count,
		   uint64_t *offsets, uint64_t *total)
{
	uint64_t pos = BUNDLE_HEADER_SIZE + (uint64_t)count * BUNDLE_ENTRY_SIZE;
	uint32_t i;

	for (i = 0; i < count; i++) {
		uint64_t size = in[order[i]].size;

		if (pos > UINT64_MAX - (BUNDLE_ALIGN - 1))
			return false;
		pos = (pos + BUNDLE_ALIGN - 1) & ~(uint64_t)(BUNDLE_ALIGN - 1);
		if (size > UINT64_MAX - pos)
			return false;
		offsets[i] = pos;
		pos += size;
	}
	*total = pos;
	return true;
}

/* Fills a zeroed image, so padding and reserved fields are 0. */
static void fill(uint8_t *img, const struct bundle_input *in, const uint32_t *order,
		 uint32_t count, const uint64_t *offsets, uint64_t total)
{
	uint64_t table_end = BUNDLE_HEADER_SIZE + (uint64_t)count * BUNDLE_ENTRY_SIZE;
	uint32_t i;

	for (i = 0; i < count; i++) {
		const struct bundle_input *p = &in[order[i]];
		uint8_t *e = img + BUNDLE_HEADER_SIZE + (size_t)i * BUNDLE_ENTRY_SIZE;

		le_put32(e + BUNDLE_ENT_TYPE, p->type);
		le_put64(e + BUNDLE_ENT_OFFSET, offsets[i]);
		le_put64(e + BUNDLE_ENT_SIZE, p->size);
		le_put32(e + BUNDLE_ENT_CRC, crc32(0, p->data, (size_t)p->size));
		memcpy(e + BUNDLE_ENT_NAME, p->name, strlen(p->name));
		if (p->size)
			memcpy(img + offsets[i], p->data, (size_t)p->size);
	}
	le_put32(img + BUNDLE_HDR_MAGIC, BUNDLE_MAGIC);
	le_put32(img + BUNDLE_HDR_VERSION, BUNDLE_VERSION);
	le_put32(img + BUNDLE_HDR_HEADER_SIZE, BUNDLE_HEADER_SIZE);
	le_put32(img + BUNDLE_HDR_COUNT, count);
	le_put64(img + BUNDLE_HDR_TOTAL_SIZE, total);
	/* The CRC field is still zero here, as the format specifies. */
	le_put32(img + BUNDLE_HDR_CRC, crc32(0, img, (size_t)table_end));
}

int bundle_build(const struct bundle_input *in, uint32_t count, uint8_t **image,
		 uint64_t *size, char *err, size_t errlen)
{
	uint64_t offsets[BUNDLE_MAX_ENTRIES], total;
	uint32_t order[BUNDLE_MAX_ENTRIES];
	struct bundle b;
	uint8_t *img;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!image || !size || (!in && count))
		return fail(err, errlen, BUNDLE_WRITE_E_INPUT, "bundle_build: no inputs");
	*image = NULL;
	*size = 0;
	ret = check_inputs(in, count, err, errlen);
	if (ret)
		return ret;
	table_order(in, count, order);
	if (!layout(in, order, count, offsets, &total) || total > SIZE_MAX)
		return fail(err, errlen, BUNDLE_WRITE_E_INPUT, "bundle too large");
	img = calloc(1, (size_t)total);
	if (!img)
		return fail(err, errlen, BUNDLE_WRITE_E_NOMEM,
			    "out of memory for a %llu-byte bundle",
			    (unsigned long long)total);
	fill(img, in, order, count, offsets, total);
	/* What the bootloader will run on it, so a bad writer cannot ship. */
	if (bundle_open(&b, img, total)) {
		free(img);
		return fail(err, errlen, BUNDLE_WRITE_E_INPUT,
			    "internal error: the new bundle does not validate: %s",
			    b.error);
	}
	*image = img;
	*size = total;
	return 0;
}

int bundle_write(FILE *f, const struct bundle_input *in, uint32_t count, char *err,
		 size_t errlen)
{
	uint64_t size;
	uint8_t *img;
	int ret;

	if (!f)
		return fail(err, errlen, BUNDLE_WRITE_E_INPUT, "bundle_write: no file");
	ret = bundle_build(in, count, &img, &size, err, errlen);
	if (ret)
		return ret;
	errno = 0;
	if (fwrite(img, 1, (size_t)size, f) != size || fflush(f) || ferror(f))
		ret = fail(err, errlen, BUNDLE_WRITE_E_IO, "%s",
			   errno ? strerror(errno) : "write error");
	free(img);
	return ret;
}

int bundle_read_file(const char *path, uint8_t **data, uint64_t *size, char *err,
		     size_t errlen)
{
	struct stat st;
	uint8_t *buf;
	FILE *f;
	size_t n;

	*data = NULL;
	*size = 0;
	f = fopen(path, "rb");
	if (!f)
		return fail(err, errlen, -1, "cannot open '%s': %s", path,
			    strerror(errno));
	if (fstat(fileno(f), &st) < 0) {
		fail(err, errlen, -1, "cannot stat '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(err, errlen, -1, "'%s' is not a regular file", path);
		goto out;
	}
	buf = (uint64_t)st.st_size <= SIZE_MAX
		      ? malloc(st.st_size ? (size_t)st.st_size : 1)
		      : NULL;
	if (!buf) {
		fail(err, errlen, -1, "out of memory reading '%s'", path);
		goto out;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	if (n != (size_t)st.st_size || ferror(f)) {
		fail(err, errlen, -1, "cannot read '%s': %s", path,
		     ferror(f) ? strerror(errno) : "file changed size");
		free(buf);
		goto out;
	}
	fclose(f);
	*data = buf;
	*size = (uint64_t)st.st_size;
	return 0;
out:
	fclose(f);
	return -1;
}
