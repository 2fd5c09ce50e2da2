/*
 * mkbundle: builds the bundle that follows the bootloader in the boot
 * image (docs/BOOT_IMAGE.md), and lists/validates existing ones.
 *
 *   mkbundle -o OUT --hyp FILE --config FILE [--kernel NAME=FILE]...
 *            [--initrd NAME=FILE]... [--blob NAME=FILE]...
 *   mkbundle --list FILE
 *
 * Problems are caught here, at build time, where they are cheap to fix:
 * the configuration goes through the same config_check() the platform
 * uses, and the finished image through the same bundle_open() the
 * bootloader runs, before it is written.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/image/bundle.h>
#include <lib/image/config.h>
#include <lib/crc32.h>

#include "bundle_write.h"
#include "common.h"

struct input {
	uint32_t type;
	char name[BUNDLE_NAME_SIZE];
	const char *path;
	uint8_t *data;
	uint64_t size;
};

struct job {
	const char *out;
	struct input in[BUNDLE_MAX_ENTRIES];
	uint32_t count;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s -o OUT --hyp FILE --config FILE\n"
		"           [--kernel NAME=FILE]... [--initrd NAME=FILE]... "
		"[--blob NAME=FILE]...\n"
		"       %s --list FILE\n"
		"NAME: 1 to %d characters from A-Z a-z 0-9 . _ + -\n",
		tool_name, tool_name, BUNDLE_NAME_SIZE - 1);
}

__attribute__((format(printf, 1, 2), noreturn)) static void usage_error(const char *fmt,
									...)
{
	va_list ap;

	va_start(ap, fmt);
	tool_verror(fmt, ap);
	va_end(ap);
	usage(stderr);
	exit(1);
}

/* Reads a whole file; a malloc'ed buffer of *size bytes (at least 1). */
static uint8_t *read_file(const char *path, uint64_t *size)
{
	char err[512];
	uint8_t *buf;

	if (bundle_read_file(path, &buf, size, err, sizeof(err)))
		tool_die("%s", err);
	return buf;
}

static void set_name(struct input *in, const char *opt, const char *name, size_t len)
{
	if (len == 0)
		tool_die("%s: empty payload name", opt);
	if (len > BUNDLE_NAME_SIZE - 1)
		tool_die("%s: name '%.*s' is too long (%zu characters, at most %d)", opt,
			 (int)len, name, len, BUNDLE_NAME_SIZE - 1);
	memcpy(in->name, name, len);
	in->name[len] = '\0';
	if (!bundle_name_valid(in->name))
		tool_die("%s: name '%s' has characters outside "
			 "A-Z a-z 0-9 . _ + -",
			 opt, in->name);
}

/* Adds one payload; spec is FILE for hyp/config, NAME=FILE otherwise. */
static void add_input(struct job *job, uint32_t type, const char *opt, const char *spec)
{
	struct input *in;
	const char *eq;
	uint32_t i;

	if (job->count == BUNDLE_MAX_ENTRIES)
		tool_die("too many payloads (at most %d)", BUNDLE_MAX_ENTRIES);
	in = &job->in[job->count];
	in->type = type;
	if (type == BUNDLE_HYP || type == BUNDLE_CONFIG) {
		set_name(in, opt, bundle_type_name(type), strlen(bundle_type_name(type)));
		in->path = spec;
	} else {
		eq = strchr(spec, '=');
		if (!eq)
			tool_die("%s wants NAME=FILE, got '%s'", opt, spec);
		set_name(in, opt, spec, (size_t)(eq - spec));
		in->path = eq + 1;
	}
	if (!in->path[0])
		tool_die("%s: no file given", opt);
	for (i = 0; i < job->count; i++) {
		if (job->in[i].type == type && !strcmp(job->in[i].name, in->name)) {
			if (type == BUNDLE_HYP || type == BUNDLE_CONFIG)
				tool_die("%s given more than once", opt);
			tool_die("two %s payloads named '%s'", bundle_type_name(type),
				 in->name);
		}
	}
	job->count++;
}

static const struct {
	const char *opt;
	uint32_t type;
} payload_opts[] = {
	{"--hyp", BUNDLE_HYP},	     {"--config", BUNDLE_CONFIG},
	{"--kernel", BUNDLE_KERNEL}, {"--initrd", BUNDLE_INITRD},
	{"--blob", BUNDLE_BLOB},
};

static int payload_type_of(const char *opt)
{
	size_t i;

	for (i = 0; i < sizeof(payload_opts) / sizeof(payload_opts[0]); i++) {
		if (!strcmp(opt, payload_opts[i].opt))
			return (int)payload_opts[i].type;
	}
	return -1;
}

static uint32_t count_type(const struct job *job, uint32_t type)
{
	uint32_t i, n = 0;

	for (i = 0; i < job->count; i++)
		n += job->in[i].type == type;
	return n;
}

/* Reads one payload and applies the checks that name its file. */
static void load_input(struct input *in)
{
	char err[160];

	in->data = read_file(in->path, &in->size);
	if (in->type == BUNDLE_HYP && in->size == 0)
		tool_die("hypervisor image '%s' is empty", in->path);
	if (in->type == BUNDLE_CONFIG &&
	    config_check((const char *)in->data, in->size, err, sizeof(err)))
		tool_die("bad configuration %s: %s", in->path, err);
}

/*
 * Loads the hypervisor, then the configuration, then the rest in order:
 * the order they take in the bundle, so when several files are bad, the
 * one reported is the one earliest in the bundle.
 */
static void load_inputs(struct job *job)
{
	uint32_t i;

	for (i = 0; i < job->count; i++)
		if (job->in[i].type == BUNDLE_HYP)
			load_input(&job->in[i]);
	for (i = 0; i < job->count; i++)
		if (job->in[i].type == BUNDLE_CONFIG)
			load_input(&job->in[i]);
	for (i = 0; i < job->count; i++)
		if (job->in[i].type != BUNDLE_HYP && job->in[i].type != BUNDLE_CONFIG)
			load_input(&job->in[i]);
}

static void write_file(const char *path, const uint8_t *data, uint64_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		tool_die("cannot create '%s': %s", path, strerror(errno));
	if (fwrite(data, 1, (size_t)size, f) != size || fflush(f) || ferror(f)) {
		fclose(f);
		remove(path);
		tool_die("cannot write '%s': %s", path, strerror(errno));
	}
	if (fclose(f)) {
		remove(path);
		tool_die("cannot write '%s': %s", path, strerror(errno));
	}
}

static int make(struct job *job)
{
	struct bundle_input bin[BUNDLE_MAX_ENTRIES];
	char err[512];
	uint64_t total;
	uint8_t *img;
	uint32_t i;

	if (!job->out)
		usage_error("no output file (-o OUT)");
	if (!count_type(job, BUNDLE_HYP))
		usage_error("no hypervisor (--hyp FILE)");
	if (!count_type(job, BUNDLE_CONFIG))
		usage_error("no configuration (--config FILE)");
	load_inputs(job);
	for (i = 0; i < job->count; i++) {
		bin[i].type = job->in[i].type;
		bin[i].name = job->in[i].name;
		bin[i].data = job->in[i].data;
		bin[i].size = job->in[i].size;
	}
	/* Built and validated before the output is created, so a failure
	 * leaves an existing OUT as it was. */
	if (bundle_build(bin, job->count, &img, &total, err, sizeof(err)))
		tool_die("%s", err);
	write_file(job->out, img, total);
	free(img);
	for (i = 0; i < job->count; i++)
		free(job->in[i].data);
	return 0;
}

static int list(const char *path)
{
	struct bundle_payload p;
	struct bundle b;
	uint64_t size;
	uint8_t *data;
	uint32_t i;

	data = read_file(path, &size);
	if (bundle_open(&b, data, size)) {
		fprintf(stderr, "%s: %s: %s\n", tool_name, path, b.error);
		free(data);
		return 1;
	}
	printf("%s: bundle version %u, %u payloads, %llu bytes\n", path, BUNDLE_VERSION,
	       b.count, (unsigned long long)b.size);
	if (size > b.size)
		printf("  (%llu bytes after the bundle are ignored)\n",
		       (unsigned long long)(size - b.size));
	printf("  %2s  %-7s %-31s %10s %10s  %s\n", "#", "type", "name", "offset", "size",
	       "crc32");
	for (i = 0; i < b.count; i++) {
		bundle_get(&b, i, &p);
		/* bundle_open has checked it equals the stored CRC. */
		printf("  %2u  %-7s %-31s %#10llx %10llu  0x%08x\n", i,
		       bundle_type_name(p.type), p.name, (unsigned long long)p.offset,
		       (unsigned long long)p.size, crc32(0, p.data, (size_t)p.size));
	}
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	static struct job job;
	const char *list_path = NULL;
	int i, type;

	tool_name = "mkbundle";
	for (i = 1; i < argc; i++) {
		const char *opt = argv[i];

		if (!strcmp(opt, "-h") || !strcmp(opt, "--help")) {
			usage(stdout);
			return 0;
		}
		type = payload_type_of(opt);
		if (type < 0 && strcmp(opt, "-o") && strcmp(opt, "--list"))
			usage_error("unknown option '%s'", opt);
		if (i + 1 >= argc)
			usage_error("%s needs an argument", opt);
		if (type > 0)
			add_input(&job, (uint32_t)type, opt, argv[++i]);
		else if (!strcmp(opt, "-o") && !job.out)
			job.out = argv[++i];
		else if (!strcmp(opt, "--list") && !list_path)
			list_path = argv[++i];
		else
			usage_error("%s given more than once", opt);
	}
	if (list_path) {
		if (job.count || job.out)
			usage_error("--list takes no other options");
		return list(list_path);
	}
	if (argc == 1)
		usage_error("nothing to do");
	return make(&job);
}
