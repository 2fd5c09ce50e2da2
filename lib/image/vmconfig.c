/*
 * The VM settings of the boot configuration (lib/image/vmconfig.h).
 * The text is untrusted, so every rule is checked here, once, and what
 * comes out can be used without further checks. Messages name the key as
 * written, because that is what the person fixing the file looks for.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include <lib/image/bundle.h>
#include <lib/image/config.h>
#include <lib/fmt.h>
#include <lib/image/vmconfig.h>

struct vm_parse {
	struct vm_config *vms;
	unsigned int limit;   /* VMs there is room for */
	unsigned int present; /* bit N: some vmN key was seen */
	char *err;
	size_t errlen;
};

/* One setting, with key split as "vm<index>.<field>". */
struct vm_setting {
	const char *key;
	unsigned int index;
	const char *field;
	const char *value;
	size_t vallen;
	bool too_long; /* the value did not fit the buffer: vallen is wrong */
};

__attribute__((format(printf, 3, 4))) static int fail(struct vm_parse *p, int code,
						      const char *fmt, ...)
{
	va_list ap;

	if (p->err && p->errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * Splits "vm<N>.<field>". Returns 0 for a key that is not a VM's (left
 * to other readers), 1 when split, or an error for a key that claims to be
 * a VM's ("vm" and a digit) but is malformed or out of range.
 */
static int split_key(struct vm_parse *p, struct vm_setting *s)
{
	const char *k = s->key + 2;
	unsigned int n = 0;
	size_t digits = 0;

	if (!starts_with(s->key, "vm") || !is_digit(k[0]))
		return 0;
	/* Saturate: only "out of range" matters past the largest VM. */
	for (; is_digit(k[digits]); digits++)
		n = n > VMCONFIG_MAX_VMS ? n : n * 10 + (unsigned int)(k[digits] - '0');
	/* "vm01" would be a second spelling of vm1, so it is refused. */
	if (k[digits] != '.' || (k[0] == '0' && digits > 1))
		return fail(p, VMCONFIG_E_KEY,
			    "%s: not a VM key (vmN.KEY, with N from 0 to %u)", s->key,
			    VMCONFIG_MAX_VMS - 1);
	if (n >= p->limit) {
		if (!p->limit)
			return fail(p, VMCONFIG_E_LIMIT, "%s: no room for any VM",
				    s->key);
		return fail(p, VMCONFIG_E_LIMIT,
			    "%s: only %u VMs are supported (vm0 to vm%u)", s->key,
			    p->limit, p->limit - 1);
	}
	s->index = n;
	s->field = k + digits + 1;
	return 1;
}

static int set_name(struct vm_parse *p, const struct vm_setting *s, char *out)
{
	if (s->too_long || s->vallen > VMCONFIG_NAME_MAX)
		return fail(p, VMCONFIG_E_VALUE, "%s: longer than %d characters", s->key,
			    VMCONFIG_NAME_MAX);
	/* Names go into log lines, so they share the payload names' set. */
	if (!bundle_name_valid(s->value))
		return fail(p, VMCONFIG_E_VALUE,
			    "%s: '%s' has characters outside A-Z a-z 0-9 . _ + -", s->key,
			    s->value);
	memcpy(out, s->value, s->vallen + 1);
	return 0;
}

static int set_payload(struct vm_parse *p, const struct vm_setting *s, char *out)
{
	if (s->too_long || s->vallen > BUNDLE_NAME_SIZE - 1)
		return fail(p, VMCONFIG_E_VALUE,
			    "%s: payload name longer than %d characters", s->key,
			    BUNDLE_NAME_SIZE - 1);
	if (!bundle_name_valid(s->value))
		return fail(p, VMCONFIG_E_VALUE,
			    "%s: payload name '%s' has characters outside "
			    "A-Z a-z 0-9 . _ + -",
			    s->key, s->value);
	memcpy(out, s->value, s->vallen + 1);
	return 0;
}

static int set_mem(struct vm_parse *p, const struct vm_setting *s, uint64_t *out)
{
	uint64_t v = 0;
	int ret;

	if (s->too_long)
		return fail(p, VMCONFIG_E_VALUE, "%s: far too long to be a size", s->key);
	ret = config_parse_u64(s->value, s->vallen, &v);
	if (ret == CONFIG_E_NUMBER)
		return fail(p, VMCONFIG_E_VALUE,
			    "%s: '%s' is not a size (bytes, or a number with K, M or "
			    "G)",
			    s->key, s->value);
	if (ret == CONFIG_E_RANGE || v > VMCONFIG_MEM_MAX)
		return fail(p, VMCONFIG_E_VALUE, "%s: %s is more than 64 GiB", s->key,
			    s->value);
	if (v < VMCONFIG_MEM_MIN)
		return fail(p, VMCONFIG_E_VALUE,
			    "%s: %s is less than 4 MiB (the last 2 MiB hold the "
			    "device tree)",
			    s->key, s->value);
	if (v % VMCONFIG_MEM_ALIGN)
		return fail(p, VMCONFIG_E_VALUE, "%s: %s is not a multiple of 2 MiB",
			    s->key, s->value);
	*out = v;
	return 0;
}

/* Where a raw kernel goes; vm_layout_plan checks it against mem. */
static int set_kernel_offset(struct vm_parse *p, const struct vm_setting *s,
			     struct vm_config *vm)
{
	uint64_t v = 0;
	int ret;

	if (s->too_long)
		return fail(p, VMCONFIG_E_VALUE, "%s: far too long to be an offset",
			    s->key);
	ret = config_parse_u64(s->value, s->vallen, &v);
	if (ret == CONFIG_E_NUMBER)
		return fail(p, VMCONFIG_E_VALUE, "%s: '%s' is not an offset", s->key,
			    s->value);
	if (ret == CONFIG_E_RANGE || v >= VMCONFIG_MEM_MAX)
		return fail(p, VMCONFIG_E_VALUE, "%s: %s is not below 64 GiB", s->key,
			    s->value);
	if (v % VMCONFIG_KERNEL_OFFSET_ALIGN)
		return fail(p, VMCONFIG_E_VALUE, "%s: %s is not a multiple of 4 KiB",
			    s->key, s->value);
	vm->kernel_raw = true;
	vm->kernel_offset = v;
	return 0;
}

/* A count or weight: a number (as config_parse_u64 reads it) in min..max. */
static int set_number(struct vm_parse *p, const struct vm_setting *s, uint64_t min,
		      uint64_t max, uint32_t *out)
{
	uint64_t v = 0;
	int ret;

	if (s->too_long)
		return fail(p, VMCONFIG_E_VALUE, "%s: far too long to be a number",
			    s->key);
	ret = config_parse_u64(s->value, s->vallen, &v);
	if (ret == CONFIG_E_NUMBER)
		return fail(p, VMCONFIG_E_VALUE, "%s: '%s' is not a number", s->key,
			    s->value);
	if (ret == CONFIG_E_RANGE || v < min || v > max)
		return fail(p, VMCONFIG_E_VALUE, "%s: %s is out of range (%llu to %llu)",
			    s->key, s->value, (unsigned long long)min,
			    (unsigned long long)max);
	*out = (uint32_t)v;
	return 0;
}

/*
 * Reads the decimal CPU number at s[*i], leaving *i after it. Returns
 * false when there is no digit there; *cpu saturates past the last CPU,
 * so any number of digits is safe and still out of range.
 */
static bool read_cpu(const char *s, size_t *i, unsigned int *cpu)
{
	size_t start = *i;

	*cpu = 0;
	for (; is_digit(s[*i]); (*i)++) {
		if (*cpu < VMCONFIG_AFFINITY_CPUS)
			*cpu = *cpu * 10 + (unsigned int)(s[*i] - '0');
	}
	return *i > start;
}

/*
 * A CPU list: items "N" or "A-B" separated by commas, with nothing else
 * (no blanks, no empty items). Items may overlap: the set is their union.
 */
static int set_affinity(struct vm_parse *p, const struct vm_setting *s, uint64_t *out)
{
	uint64_t mask = 0;
	size_t i = 0;

	if (s->too_long)
		return fail(p, VMCONFIG_E_VALUE, "%s: far too long to be a CPU list",
			    s->key);
	for (;;) {
		unsigned int first, last;

		if (!read_cpu(s->value, &i, &first))
			break;
		last = first;
		if (s->value[i] == '-') {
			i++;
			if (!read_cpu(s->value, &i, &last))
				break;
		}
		if (first >= VMCONFIG_AFFINITY_CPUS || last >= VMCONFIG_AFFINITY_CPUS)
			return fail(p, VMCONFIG_E_VALUE,
				    "%s: '%s' names a CPU out of range (0 to %d)", s->key,
				    s->value, VMCONFIG_AFFINITY_CPUS - 1);
		if (last < first)
			return fail(p, VMCONFIG_E_VALUE,
				    "%s: '%s' has a range that runs backwards: %u-%u",
				    s->key, s->value, first, last);
		/* Bits first..last, without a shift by 64 when the range is all. */
		mask |= (~0ull >> (VMCONFIG_AFFINITY_CPUS - 1 - (last - first))) << first;
		if (!s->value[i]) {
			*out = mask;
			return 0;
		}
		if (s->value[i] != ',')
			break;
		i++;
	}
	return fail(p, VMCONFIG_E_VALUE,
		    "%s: '%s' is not a CPU list (CPUs N or ranges A-B, 0 to %d, "
		    "separated by commas)",
		    s->key, s->value, VMCONFIG_AFFINITY_CPUS - 1);
}

static int set_cmdline(struct vm_parse *p, const struct vm_setting *s, char *out)
{
	if (s->too_long || s->vallen > VMCONFIG_CMDLINE_MAX)
		return fail(p, VMCONFIG_E_VALUE, "%s: longer than %d bytes", s->key,
			    VMCONFIG_CMDLINE_MAX);
	memcpy(out, s->value, s->vallen + 1);
	return 0;
}

/* A value that is one of two words: *out = it is the second. */
static int set_flag(struct vm_parse *p, const struct vm_setting *s, const char *no,
		    const char *yes, bool *out)
{
	if (!s->too_long && !strcmp(s->value, no))
		*out = false;
	else if (!s->too_long && !strcmp(s->value, yes))
		*out = true;
	else
		return fail(p, VMCONFIG_E_VALUE, "%s: '%s' is neither %s nor %s", s->key,
			    s->too_long ? "(a long value)" : s->value, no, yes);
	return 0;
}

/*
 * The disk list: items LABEL, LABEL:ro, image:NAME or image:NAME:ro
 * separated by commas, nothing else (no blanks, no empty items), each
 * disk once. "image:" is looked for first, so it always introduces a RAM
 * disk and never a partition labelled "image".
 */
static int set_disks(struct vm_parse *p, const struct vm_setting *s, struct vm_config *vm)
{
	const char *v = s->value;
	unsigned int n = 0;

	if (s->too_long)
		return fail(p, VMCONFIG_E_VALUE, "%s: far too long to be a disk list",
			    s->key);
	for (;;) {
		const size_t prefix = sizeof(VMCONFIG_DISK_IMAGE_PREFIX) - 1;
		bool image = !strncmp(v, VMCONFIG_DISK_IMAGE_PREFIX, prefix);
		/* An image is a payload: its name fits a bundle entry's. */
		size_t max = image ? BUNDLE_NAME_SIZE - 1 : VMCONFIG_DISK_LABEL_MAX;
		struct vm_disk *d;
		size_t len = 0;

		if (image)
			v += prefix;
		while (v[len] && v[len] != ',' && v[len] != ':')
			len++;
		if (image && (len == 0 || len > max))
			return fail(p, VMCONFIG_E_VALUE,
				    "%s: in '%s', image: wants a payload name of 1 to "
				    "%d characters",
				    s->key, s->value, BUNDLE_NAME_SIZE - 1);
		if (len == 0 || len > max)
			return fail(p, VMCONFIG_E_VALUE,
				    "%s: '%s' is not a disk list (labels of 1 to %d "
				    "characters, each optionally followed by :ro, "
				    "separated by commas)",
				    s->key, s->value, VMCONFIG_DISK_LABEL_MAX);
		if (n == VMCONFIG_MAX_DISKS)
			return fail(p, VMCONFIG_E_LIMIT, "%s: more than %d disks", s->key,
				    VMCONFIG_MAX_DISKS);
		d = &vm->disks[n];
		for (size_t i = 0; i < len; i++) {
			if (!bundle_name_char_ok(v[i]))
				return fail(p, VMCONFIG_E_VALUE,
					    "%s: disk %s in '%s' has characters "
					    "outside A-Z a-z 0-9 . _ + -",
					    s->key, image ? "image name" : "label",
					    s->value);
			d->label[i] = v[i];
		}
		d->label[len] = 0;
		d->read_only = false;
		d->image = image;
		v += len;
		if (*v == ':') {
			if (strncmp(v, ":ro", 3) || (v[3] && v[3] != ','))
				return fail(p, VMCONFIG_E_VALUE,
					    "%s: in '%s', a label may only be followed "
					    "by :ro",
					    s->key, s->value);
			d->read_only = true;
			v += 3;
		}
		for (unsigned int i = 0; i < n; i++)
			if (vm->disks[i].image == d->image &&
			    !strcmp(vm->disks[i].label, d->label))
				return fail(p, VMCONFIG_E_VALUE,
					    "%s: disk '%s%s' named twice", s->key,
					    d->image ? VMCONFIG_DISK_IMAGE_PREFIX : "",
					    d->label);
		n++;
		if (!*v)
			break;
		v++; /* the comma: an item must follow */
	}
	vm->disk_count = n;
	return 0;
}

/* gkey is the part after "guestinfo."; config_check vetted its characters. */
static int add_guestinfo(struct vm_parse *p, const struct vm_setting *s, const char *gkey,
			 struct vm_config *vm)
{
	struct vm_guestinfo *g;
	size_t keylen = strlen(gkey);

	if (!keylen)
		return fail(p, VMCONFIG_E_KEY, "%s: no guestinfo key after 'guestinfo.'",
			    s->key);
	/* Cannot happen while N is one digit; kept so the copy is safe anyway. */
	if (keylen > VMCONFIG_GUESTINFO_KEY_MAX)
		return fail(p, VMCONFIG_E_KEY,
			    "%s: guestinfo key longer than %d characters", s->key,
			    VMCONFIG_GUESTINFO_KEY_MAX);
	if (s->too_long || s->vallen > VMCONFIG_GUESTINFO_VALUE_MAX)
		return fail(p, VMCONFIG_E_VALUE, "%s: longer than %d bytes", s->key,
			    VMCONFIG_GUESTINFO_VALUE_MAX);
	if (vm->guestinfo_count == VMCONFIG_GUESTINFO_MAX)
		return fail(p, VMCONFIG_E_LIMIT,
			    "%s: more than %d guestinfo keys for vm%u", s->key,
			    VMCONFIG_GUESTINFO_MAX, s->index);
	g = &vm->guestinfo[vm->guestinfo_count++];
	memcpy(g->key, gkey, keylen + 1);
	memcpy(g->value, s->value, s->vallen + 1);
	return 0;
}

static int apply(struct vm_parse *p, const struct vm_setting *s)
{
	struct vm_config *vm = &p->vms[s->index];
	const char *f = s->field;

	p->present |= 1u << s->index;
	if (!strcmp(f, "name"))
		return set_name(p, s, vm->name);
	if (!strcmp(f, "kernel"))
		return set_payload(p, s, vm->kernel);
	if (!strcmp(f, "initrd"))
		return set_payload(p, s, vm->initrd);
	if (!strcmp(f, "kernel_offset"))
		return set_kernel_offset(p, s, vm);
	if (!strcmp(f, "mem"))
		return set_mem(p, s, &vm->mem);
	if (!strcmp(f, "cpus"))
		return set_number(p, s, 1, VMCONFIG_MAX_CPUS, &vm->cpus);
	if (!strcmp(f, "shares"))
		return set_number(p, s, 1, VMCONFIG_SHARES_MAX, &vm->shares);
	if (!strcmp(f, "affinity"))
		return set_affinity(p, s, &vm->affinity);
	if (!strcmp(f, "pinned"))
		return set_flag(p, s, "off", "on", &vm->pinned);
	if (!strcmp(f, "cmdline"))
		return set_cmdline(p, s, vm->cmdline);
	if (!strcmp(f, "ecam"))
		return set_flag(p, s, "none", "passthrough", &vm->ecam_passthrough);
	if (!strcmp(f, "identity"))
		return set_flag(p, s, "off", "on", &vm->identity);
	if (!strcmp(f, "backdoor_el0"))
		return set_flag(p, s, "vmware", "all", &vm->backdoor_el0_all);
	if (!strcmp(f, "disk"))
		return set_disks(p, s, vm);
	if (!strcmp(f, "console"))
		return set_flag(p, s, "pl011", "virtio", &vm->console_virtio);
	if (starts_with(f, "guestinfo."))
		return add_guestinfo(p, s, f + strlen("guestinfo."), vm);
	return fail(p, VMCONFIG_E_KEY, "%s: unknown key", s->key);
}

/* What only the whole set can show: gaps, missing kernels, shared names. */
static int check_vms(struct vm_parse *p, unsigned int *count)
{
	unsigned int n = 0, i, j;

	while (n < p->limit && (p->present >> n))
		n++;
	for (i = 0; i < n; i++) {
		if (p->present & (1u << i))
			continue;
		for (j = i + 1; !(p->present & (1u << j)); j++)
			;
		return fail(p, VMCONFIG_E_MISSING, "vm%u given but no vm%u", j, i);
	}
	for (i = 0; i < n; i++) {
		struct vm_config *vm = &p->vms[i];

		if (!vm->kernel[0])
			return fail(p, VMCONFIG_E_MISSING, "vm%u: no kernel", i);
		if (!vm->name[0])
			fmt_snprintf(vm->name, sizeof(vm->name), "vm%u", i);
	}
	/* Names are compared only now, when the defaults are in. */
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++) {
			if (!strcmp(p->vms[i].name, p->vms[j].name))
				return fail(p, VMCONFIG_E_DUPLICATE,
					    "vm%u: name '%s' is already vm%u's", i,
					    p->vms[i].name, j);
		}
	}
	*count = n;
	return 0;
}

int vmconfig_parse(const char *text, size_t len, struct vm_config *vms,
		   unsigned int max_vms, unsigned int *count, char *err, size_t errlen)
{
	struct vm_parse p = {vms, max_vms, 0, err, errlen};
	/* Room for the longest value any VM key accepts, and one byte more. */
	char key[CONFIG_KEY_MAX + 1], value[VMCONFIG_CMDLINE_MAX + 1];
	struct vm_setting s;
	size_t cursor = 0;
	unsigned int i;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (count)
		*count = 0;
	if ((!vms && max_vms) || !count)
		return CONFIG_E_INVAL;
	ret = config_check(text, len, err, errlen);
	if (ret)
		return ret;
	if (p.limit > VMCONFIG_MAX_VMS)
		p.limit = VMCONFIG_MAX_VMS;
	for (i = 0; i < p.limit; i++) {
		memset(&vms[i], 0, sizeof(vms[i]));
		vms[i].mem = VMCONFIG_MEM_DEFAULT;
		vms[i].cpus = 1;
		vms[i].shares = VMCONFIG_SHARES_DEFAULT;
	}
	for (;;) {
		ret = config_next(text, len, &cursor, key, sizeof(key), value,
				  sizeof(value));
		if (ret == 0)
			break;
		/* config_check passed and the key buffer is full size, so the
		 * only thing that can fail is a value too long for the buffer. */
		if (ret < 0 && ret != CONFIG_E_SPACE)
			return ret;
		s.key = key;
		s.value = value;
		s.vallen = strlen(value);
		s.too_long = ret == CONFIG_E_SPACE;
		ret = split_key(&p, &s);
		if (ret < 0)
			return ret;
		if (ret == 0)
			continue;
		ret = apply(&p, &s);
		if (ret)
			return ret;
	}
	return check_vms(&p, count);
}
