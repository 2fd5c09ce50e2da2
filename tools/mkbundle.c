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
#include <sys/stat.h>

#include <lib/bundle.h>
#include <lib/config.h>
#include <lib/crc32.h>

struct input {
	uint32_t type;
	char name[BUNDLE_NAME_SIZE];
	const char *path;
	uint8_t *data;
	uint64_t size;
	uint64_t offset;
};

struct job {
	const char *out;
	struct input in[BUNDLE_MAX_ENTRIES];
	uint32_t count;
};

static const char *prog = "mkbundle";

static void print_error(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_error(fmt, ap);
	va_end(ap);
	exit(1);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s -o OUT --hyp FILE --config FILE\n"
		"           [--kernel NAME=FILE]... [--initrd NAME=FILE]... "
		"[--blob NAME=FILE]...\n"
		"       %s --list FILE\n"
		"NAME: 1 to %d characters from A-Z a-z 0-9 . _ + -\n",
		prog, prog, BUNDLE_NAME_SIZE - 1);
}

__attribute__((format(printf, 1, 2), noreturn)) static void usage_error(const char *fmt,
									...)
{
	va_list ap;

	va_start(ap, fmt);
	print_error(fmt, ap);
	va_end(ap);
	usage(stderr);
	exit(1);
}

/* Reads a whole file; a malloc'ed buffer of *size bytes (at least 1). */
static uint8_t *read_file(const char *path, uint64_t *size)
{
	struct stat st;
	uint8_t *buf;
	FILE *f;
	size_t n;

	f = fopen(path, "rb");
	if (!f)
		die("cannot open '%s': %s", path, strerror(errno));
	if (fstat(fileno(f), &st) < 0)
		die("cannot stat '%s': %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		die("'%s' is not a regular file", path);
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf)
		die("out of memory reading '%s'", path);
	n = fread(buf, 1, (size_t)st.st_size, f);
	if (n != (size_t)st.st_size || ferror(f))
		die("cannot read '%s': %s", path,
		    ferror(f) ? strerror(errno) : "file changed size");
	fclose(f);
	*size = (uint64_t)st.st_size;
	return buf;
}

static void set_name(struct input *in, const char *opt, const char *name, size_t len)
{
	if (len == 0)
		die("%s: empty payload name", opt);
	if (len > BUNDLE_NAME_SIZE - 1)
		die("%s: name '%.*s' is too long (%zu characters, at most %d)", opt,
		    (int)len, name, len, BUNDLE_NAME_SIZE - 1);
	memcpy(in->name, name, len);
	in->name[len] = '\0';
	if (!bundle_name_valid(in->name))
		die("%s: name '%s' has characters outside "
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
		die("too many payloads (at most %d)", BUNDLE_MAX_ENTRIES);
	in = &job->in[job->count];
	in->type = type;
	if (type == BUNDLE_HYP || type == BUNDLE_CONFIG) {
		set_name(in, opt, bundle_type_name(type), strlen(bundle_type_name(type)));
		in->path = spec;
	} else {
		eq = strchr(spec, '=');
		if (!eq)
			die("%s wants NAME=FILE, got '%s'", opt, spec);
		set_name(in, opt, spec, (size_t)(eq - spec));
		in->path = eq + 1;
	}
	if (!in->path[0])
		die("%s: no file given", opt);
	for (i = 0; i < job->count; i++) {
		if (job->in[i].type == type && !strcmp(job->in[i].name, in->name)) {
			if (type == BUNDLE_HYP || type == BUNDLE_CONFIG)
				die("%s given more than once", opt);
			die("two %s payloads named '%s'", bundle_type_name(type),
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

/*
 * The hypervisor and the configuration go first whatever the order on the
 * command line, so every bundle starts the same way; the rest keep their
 * order.
 */
static void sort_roles_first(struct job *job)
{
	struct input tmp;
	uint32_t i, j, next = 0;
	uint32_t roles[] = {BUNDLE_HYP, BUNDLE_CONFIG};

	for (j = 0; j < 2; j++) {
		for (i = next; i < job->count; i++) {
			if (job->in[i].type != roles[j])
				continue;
			tmp = job->in[i];
			memmove(&job->in[next + 1], &job->in[next],
				(i - next) * sizeof(job->in[0]));
			job->in[next++] = tmp;
			break;
		}
	}
}

static void load_inputs(struct job *job)
{
	char err[160];
	uint32_t i;

	for (i = 0; i < job->count; i++) {
		struct input *in = &job->in[i];

		in->data = read_file(in->path, &in->size);
		if (in->type == BUNDLE_HYP && in->size == 0)
			die("hypervisor image '%s' is empty", in->path);
		if (in->type == BUNDLE_CONFIG &&
		    config_check((const char *)in->data, in->size, err, sizeof(err)))
			die("bad configuration %s: %s", in->path, err);
	}
}

static uint64_t align_up(uint64_t v)
{
	if (v > UINT64_MAX - (BUNDLE_ALIGN - 1))
		die("bundle too large");
	return (v + BUNDLE_ALIGN - 1) & ~(uint64_t)(BUNDLE_ALIGN - 1);
}

/* Assigns each payload its aligned offset; returns the total size. */
static uint64_t layout(struct job *job)
{
	uint64_t pos = BUNDLE_HEADER_SIZE + (uint64_t)job->count * BUNDLE_ENTRY_SIZE;
	uint32_t i;

	for (i = 0; i < job->count; i++) {
		job->in[i].offset = align_up(pos);
		if (job->in[i].size > UINT64_MAX - job->in[i].offset)
			die("bundle too large");
		pos = job->in[i].offset + job->in[i].size;
	}
	return pos;
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

/* Builds the image in a zeroed buffer, so padding and reserved are 0. */
static uint8_t *build(const struct job *job, uint64_t total)
{
	uint64_t table_end =
		BUNDLE_HEADER_SIZE + (uint64_t)job->count * BUNDLE_ENTRY_SIZE;
	uint8_t *img, *e;
	uint32_t i;

	if (total > SIZE_MAX)
		die("bundle too large");
	img = calloc(1, (size_t)total);
	if (!img)
		die("out of memory for a %llu-byte bundle", (unsigned long long)total);
	for (i = 0; i < job->count; i++) {
		const struct input *in = &job->in[i];

		e = img + BUNDLE_HEADER_SIZE + (size_t)i * BUNDLE_ENTRY_SIZE;
		wr32(e + BUNDLE_ENT_TYPE, in->type);
		wr64(e + BUNDLE_ENT_OFFSET, in->offset);
		wr64(e + BUNDLE_ENT_SIZE, in->size);
		wr32(e + BUNDLE_ENT_CRC, crc32(0, in->data, in->size));
		memcpy(e + BUNDLE_ENT_NAME, in->name, strlen(in->name));
		memcpy(img + in->offset, in->data, in->size);
	}
	wr32(img + BUNDLE_HDR_MAGIC, BUNDLE_MAGIC);
	wr32(img + BUNDLE_HDR_VERSION, BUNDLE_VERSION);
	wr32(img + BUNDLE_HDR_HEADER_SIZE, BUNDLE_HEADER_SIZE);
	wr32(img + BUNDLE_HDR_COUNT, job->count);
	wr64(img + BUNDLE_HDR_TOTAL_SIZE, total);
	/* The CRC field is still zero here, as the format specifies. */
	wr32(img + BUNDLE_HDR_CRC, crc32(0, img, (size_t)table_end));
	return img;
}

static void write_file(const char *path, const uint8_t *data, uint64_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		die("cannot create '%s': %s", path, strerror(errno));
	if (fwrite(data, 1, (size_t)size, f) != size || fflush(f) || ferror(f)) {
		fclose(f);
		remove(path);
		die("cannot write '%s': %s", path, strerror(errno));
	}
	if (fclose(f)) {
		remove(path);
		die("cannot write '%s': %s", path, strerror(errno));
	}
}

static int make(struct job *job)
{
	struct bundle b;
	uint64_t total;
	uint8_t *img;
	uint32_t i;

	if (!job->out)
		usage_error("no output file (-o OUT)");
	if (!count_type(job, BUNDLE_HYP))
		usage_error("no hypervisor (--hyp FILE)");
	if (!count_type(job, BUNDLE_CONFIG))
		usage_error("no configuration (--config FILE)");
	sort_roles_first(job);
	load_inputs(job);
	total = layout(job);
	img = build(job, total);
	if (bundle_open(&b, img, total))
		die("internal error: the new bundle does not validate: %s", b.error);
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
		fprintf(stderr, "%s: %s: %s\n", prog, path, b.error);
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
