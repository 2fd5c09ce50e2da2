/*
 * mkbootimg: builds a complete boot image for guests in one command: the
 * bootloader followed by a bundle holding the hypervisor, a configuration
 * generated from the options, and each VM's kernel and initrd
 * (docs/BOOT_IMAGE.md, "Building a boot image for a guest"), and the RAM
 * disks' images (--disk-image, BUNDLE_DISK). With --native,
 * the image starts one Linux kernel at EL2 in place of the hypervisor
 * ("Native mode" there).
 *
 * The configuration is checked with the same vmconfig_parse() and
 * bootmode_parse() the platform uses, a native kernel's Image header with
 * the bootloader's arm64_image_parse(), each VM's kernel and initrd against
 * its memory with the hypervisor's vm_kernel_read() and vm_layout_plan(),
 * and the bundle with the same bundle_open(); every file is read and
 * checked before the output is created: what would fail at boot fails
 * here, where the message can name the option.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/image/bootmode.h>
#include <lib/image/bundle.h>
#include <lib/image/config.h>
#include <lib/image/linux_boot.h>
#include <lib/le.h>
#include <lib/image/vmconfig.h>

#include "bundle_write.h"
#include "common.h"

struct vm_opts {
	const char *name;
	const char *kernel; /* file paths */
	const char *initrd;
	const char *cmdline; /* values, as given */
	const char *mem;
	const char *cpus;
	const char *shares;
	const char *affinity;
	const char *disk; /* the vmN.disk list, as given */
	const char *backdoor_el0;
	const char *console;			       /* --console pl011|virtio */
	const char *guestinfo[VMCONFIG_GUESTINFO_MAX]; /* "KEY=VALUE" */
	unsigned int guestinfo_count;
	bool ecam_passthrough, identity, pinned;
	bool raw;		/* --raw or --raw-offset: no Image header */
	const char *raw_offset; /* --raw-offset, as given */
};

/* The most --disk-image: what the bundle has room for besides the
 * hypervisor, the configuration and a kernel and an initrd per VM. */
#define MAX_DISK_IMAGES (BUNDLE_MAX_ENTRIES - 2 - 2 * VMCONFIG_MAX_VMS)

/* A --disk-image NAME=FILE, split. */
struct disk_image {
	char name[BUNDLE_NAME_SIZE];
	const char *path;
};

struct opts {
	const char *out;
	const char *boot;
	const char *hyp;
	const char *name;
	const char **sets; /* "KEY=VALUE", argc entries of room */
	unsigned int set_count;
	bool print_config;
	struct vm_opts vm[VMCONFIG_MAX_VMS];
	unsigned int vm_count;
	/* --native: its kernel, initrd and command line, in the fields the
	 * VMs use (name, mem, cpus and guestinfo stay unset). */
	bool native;
	struct vm_opts native_opts;
	struct disk_image images[MAX_DISK_IMAGES];
	unsigned int image_count;
};

/* A file read whole. */
struct blob {
	uint8_t *data;
	uint64_t size;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s -o OUT --boot FILE --hyp FILE [--name NAME] [--set "
		"KEY=VALUE]...\n"
		"           [--vm --kernel FILE [--initrd FILE] [--cmdline TEXT] [--mem "
		"SIZE]\n"
		"                 [--cpus N] [--shares WEIGHT] [--affinity CPUS] "
		"[--pinned]\n"
		"                 [--name NAME] [--guestinfo KEY=VALUE]... [--disk "
		"DISKS]\n"
		"                 [--ecam-passthrough] [--identity] [--backdoor-el0 "
		"vmware|all]\n"
		"                 [--console pl011|virtio] [--raw] [--raw-offset "
		"OFF]]...\n"
		"           [--disk-image NAME=FILE]... [--print-config]\n"
		"       %s -o OUT --boot FILE --hyp FILE [--name NAME] --native --kernel "
		"FILE\n"
		"           [--initrd FILE] [--cmdline TEXT] [--print-config]\n"
		"       %s --print-config [--name NAME] [--set KEY=VALUE]... [--vm "
		"...]...\n"
		"Each --vm starts a VM (vm0, vm1, ... in order); the options after it,\n"
		"up to the next --vm, are that VM's, and --name names the VM there.\n"
		"SIZE: bytes, or a number with K, M or G; a multiple of 2M from 4M to "
		"64G\n"
		"(default 128M). N: 1 to %d vCPUs (default 1), which may be more than\n"
		"the machine's CPUs: vCPUs then share CPUs. WEIGHT: 1 to %d (default\n"
		"%d), each vCPU's share of the CPUs it competes for. CPUS: the CPUs\n"
		"the VM's vCPUs may run on, such as 0 or 0-1,3 (0 to %d; default any).\n"
		"--pinned gives each vCPU a CPU of its own. DISKS: the VM's virtio\n"
		"disks, datastore partitions by label, LABEL or LABEL:ro, separated\n"
		"by commas (at most %d). Errors about the generated\n"
		"configuration name its key: vm0.mem is --mem of the first VM.\n"
		"--ecam-passthrough gives the VM the monitor's emulated ECAM window and\n"
		"its devices; --identity puts its RAM at the physical addresses backing\n"
		"it, so those devices can DMA to it.\n"
		"DISKS may also name RAM disks, image:NAME or image:NAME:ro, whose\n"
		"content --disk-image NAME=FILE carries in the boot image (FILE a\n"
		"non-zero multiple of 512 bytes; writes to it are lost at power-off).\n"
		"--backdoor-el0 all lets the VM's user programs (EL0) call the\n"
		"project's own backdoor commands (console, test exit, ...); by default\n"
		"(vmware) they get only VMware's (docs/ABI.md).\n"
		"--console virtio sends the keyboard's input to the VM's virtio console\n"
		"(hvc0) instead of its PL011 (ttyAMA0, the default); both show output.\n"
		"A VM's --kernel must be an arm64 Image unless --raw declares it a raw\n"
		"image, loaded and entered at RAM base + 0x80000, or --raw-offset OFF\n"
		"at RAM base + OFF (a multiple of 4K).\n"
		"--native boots the kernel at EL2 in place of the hypervisor, on the\n"
		"whole machine: it takes no --vm, and its --kernel must be an arm64 "
		"Image.\n"
		"--print-config prints the configuration; without -o, nothing is "
		"built.\n",
		tool_name, tool_name, tool_name, VMCONFIG_MAX_CPUS, VMCONFIG_SHARES_MAX,
		VMCONFIG_SHARES_DEFAULT, VMCONFIG_AFFINITY_CPUS - 1, VMCONFIG_MAX_DISKS);
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

/* ---- option checks ---------------------------------------------------- */

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-';
}

/*
 * A value goes on a "key = value" line, and the configuration would read
 * back something else if it held a line break, a '#' or outer blanks; so
 * such values are refused instead of being silently changed.
 */
static void check_value(const char *what, const char *v)
{
	size_t n = strlen(v), i;

	if (!n)
		tool_die("%s: empty value", what);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			tool_die("%s: control character 0x%02x in the value", what, c);
		if (c == '#')
			tool_die("%s: '#' cannot appear in a value (it starts a comment "
				 "in "
				 "the "
				 "configuration)",
				 what);
	}
	if (v[0] == ' ' || v[0] == '\t' || v[n - 1] == ' ' || v[n - 1] == '\t')
		tool_die("%s: '%s' starts or ends with a blank, which the configuration "
			 "would drop",
			 what, v);
}

/* Checks key[0..len) against the configuration's key rules. */
static void check_key(const char *what, const char *key, size_t len, size_t max)
{
	size_t i;

	if (!len)
		tool_die("%s: empty key", what);
	if (len > max)
		tool_die("%s: key '%.*s' is longer than %zu characters", what, (int)len,
			 key, max);
	for (i = 0; i < len; i++) {
		if (!is_key_char(key[i]))
			tool_die("%s: key '%.*s' has characters outside a-z 0-9 . _ -",
				 what, (int)len, key);
	}
}

/* Splits "KEY=VALUE" at the first '='; KEY never holds one. */
static const char *split_eq(const char *opt, const char *spec, size_t *keylen)
{
	const char *eq = strchr(spec, '=');

	if (!eq)
		tool_die("%s wants KEY=VALUE, got '%s'", opt, spec);
	*keylen = (size_t)(eq - spec);
	return eq + 1;
}

static bool same_key(const char *a, const char *b)
{
	size_t n = strcspn(a, "=");

	return n == strcspn(b, "=") && !strncmp(a, b, n);
}

static void add_set(struct opts *o, const char *spec)
{
	const char *value;
	size_t keylen;
	unsigned int i;

	value = split_eq("--set", spec, &keylen);
	check_key("--set", spec, keylen, CONFIG_KEY_MAX);
	/* VM keys are generated from --vm and its options, never given raw. */
	if (keylen > 2 && !strncmp(spec, "vm", 2) && spec[2] >= '0' && spec[2] <= '9')
		tool_die("--set: '%.*s' is a VM key; use --vm and its options",
			 (int)keylen, spec);
	if (keylen == 4 && !strncmp(spec, "name", 4))
		tool_die("--set: use --name NAME to set 'name'");
	if ((keylen == 4 && !strncmp(spec, "mode", 4)) ||
	    (keylen > 7 && !strncmp(spec, "native.", 7)))
		tool_die("--set: '%.*s' is a native-mode key; use --native and its "
			 "options",
			 (int)keylen, spec);
	for (i = 0; i < o->set_count; i++) {
		if (same_key(o->sets[i], spec))
			tool_die("--set: '%.*s' given twice", (int)keylen, spec);
	}
	check_value("--set", value);
	o->sets[o->set_count++] = spec;
}

/* --disk-image NAME=FILE: its name is a payload name, given once. */
static void add_disk_image(struct opts *o, const char *spec)
{
	const char *path;
	size_t namelen;
	unsigned int i;

	if (o->native)
		usage_error("--disk-image: native mode runs no VMs to use it");
	path = split_eq("--disk-image", spec, &namelen);
	if (!namelen || namelen >= BUNDLE_NAME_SIZE)
		tool_die("--disk-image: '%.*s' is not a name of 1 to %d characters",
			 (int)namelen, spec, BUNDLE_NAME_SIZE - 1);
	if (!path[0])
		tool_die("--disk-image: no file given for '%.*s'", (int)namelen, spec);
	for (i = 0; i < o->image_count; i++) {
		if (strlen(o->images[i].name) == namelen &&
		    !strncmp(o->images[i].name, spec, namelen))
			tool_die("--disk-image: '%.*s' given twice", (int)namelen, spec);
	}
	if (o->image_count == MAX_DISK_IMAGES)
		tool_die("--disk-image: at most %d", MAX_DISK_IMAGES);
	memcpy(o->images[o->image_count].name, spec, namelen);
	o->images[o->image_count].name[namelen] = 0;
	if (!bundle_name_valid(o->images[o->image_count].name))
		tool_die("--disk-image: name '%s' has characters outside A-Z a-z 0-9 . _ "
			 "+ -",
			 o->images[o->image_count].name);
	o->images[o->image_count++].path = path;
}

static void add_guestinfo(struct vm_opts *vm, unsigned int index, const char *spec)
{
	const char *value;
	size_t keylen;
	unsigned int i;

	value = split_eq("--guestinfo", spec, &keylen);
	/* The key goes after "vmN.guestinfo." in a config key. */
	check_key("--guestinfo", spec, keylen, VMCONFIG_GUESTINFO_KEY_MAX);
	for (i = 0; i < vm->guestinfo_count; i++) {
		if (same_key(vm->guestinfo[i], spec))
			tool_die("--guestinfo: '%.*s' given twice for vm%u", (int)keylen,
				 spec, index);
	}
	if (vm->guestinfo_count == VMCONFIG_GUESTINFO_MAX)
		tool_die("--guestinfo: more than %d for vm%u", VMCONFIG_GUESTINFO_MAX,
			 index);
	check_value("--guestinfo", value);
	vm->guestinfo[vm->guestinfo_count++] = spec;
}

/* The VM the option belongs to: the one the last --vm started. */
static struct vm_opts *current_vm(struct opts *o, const char *opt)
{
	if (o->native)
		usage_error("%s is a VM option; native mode runs no VMs", opt);
	if (!o->vm_count)
		usage_error("%s must follow a --vm or --native", opt);
	return &o->vm[o->vm_count - 1];
}

/* --kernel, --initrd, --cmdline: the native kernel's, or the current VM's. */
static struct vm_opts *current_kernel(struct opts *o, const char *opt)
{
	return o->native ? &o->native_opts : current_vm(o, opt);
}

/* "vm0" or "--native", for messages about the options of one kernel. */
static const char *owner(const struct opts *o)
{
	static char name[16];

	if (o->native)
		return "--native";
	snprintf(name, sizeof(name), "vm%u", o->vm_count - 1);
	return name;
}

static void set_once(const struct opts *o, const char **slot, const char *opt,
		     const char *arg)
{
	if (*slot)
		tool_die("%s given twice for %s", opt, owner(o));
	if (!arg[0])
		tool_die("%s: empty argument for %s", opt, owner(o));
	*slot = arg;
}

static void set_file(const char **slot, const char *opt, const char *arg)
{
	if (*slot)
		usage_error("%s given more than once", opt);
	if (!arg[0])
		usage_error("%s: no file given", opt);
	*slot = arg;
}

static bool takes_argument(const char *opt)
{
	static const char *const opts[] = {
		"-o",		"--boot",	  "--hyp",	  "--name",
		"--set",	"--kernel",	  "--initrd",	  "--cmdline",
		"--mem",	"--cpus",	  "--shares",	  "--affinity",
		"--guestinfo",	"--backdoor-el0", "--raw-offset", "--disk",
		"--disk-image",
	};
	size_t i;

	if (!strcmp(opt, "--console"))
		return true;
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		if (!strcmp(opt, opts[i]))
			return true;
	}
	return false;
}

static void parse_args(struct opts *o, int argc, char **argv)
{
	int i;

	o->sets = calloc((size_t)argc, sizeof(*o->sets));
	if (!o->sets)
		tool_die("out of memory");
	for (i = 1; i < argc; i++) {
		const char *opt = argv[i], *arg;

		if (!strcmp(opt, "-h") || !strcmp(opt, "--help")) {
			usage(stdout);
			exit(0);
		}
		if (!strcmp(opt, "--print-config")) {
			o->print_config = true;
			continue;
		}
		if (!strcmp(opt, "--native")) {
			if (o->native)
				usage_error("--native given twice");
			if (o->image_count)
				usage_error("--disk-image: native mode runs no VMs to "
					    "use it");
			if (o->vm_count)
				usage_error(
					"--native and --vm cannot be combined: native "
					"mode runs no VMs");
			o->native = true;
			continue;
		}
		if (!strcmp(opt, "--vm")) {
			if (o->native)
				usage_error(
					"--native and --vm cannot be combined: native "
					"mode runs no VMs");
			if (o->vm_count == VMCONFIG_MAX_VMS)
				tool_die("--vm: at most %d VMs", VMCONFIG_MAX_VMS);
			o->vm_count++;
			continue;
		}
		if (!strcmp(opt, "--ecam-passthrough")) {
			current_vm(o, opt)->ecam_passthrough = true;
			continue;
		}
		if (!strcmp(opt, "--identity")) {
			current_vm(o, opt)->identity = true;
			continue;
		}
		if (!strcmp(opt, "--pinned")) {
			if (current_vm(o, opt)->pinned)
				tool_die("%s given twice for %s", opt, owner(o));
			current_vm(o, opt)->pinned = true;
			continue;
		}
		if (!strcmp(opt, "--raw")) {
			current_vm(o, opt)->raw = true;
			continue;
		}
		if (!takes_argument(opt))
			usage_error("unknown option '%s'", opt);
		if (i + 1 >= argc)
			usage_error("%s needs an argument", opt);
		arg = argv[++i];
		if (!strcmp(opt, "-o")) {
			set_file(&o->out, opt, arg);
		} else if (!strcmp(opt, "--boot")) {
			set_file(&o->boot, opt, arg);
		} else if (!strcmp(opt, "--hyp")) {
			set_file(&o->hyp, opt, arg);
		} else if (!strcmp(opt, "--set")) {
			add_set(o, arg);
		} else if (!strcmp(opt, "--name") && !o->vm_count && !o->native) {
			if (o->name)
				tool_die("--name given twice");
			check_value("--name", arg);
			o->name = arg;
		} else if (!strcmp(opt, "--name") && o->native) {
			usage_error("--name after --native: give the image's --name "
				    "before it");
		} else if (!strcmp(opt, "--name")) {
			set_once(o, &current_vm(o, opt)->name, opt, arg);
			check_value(opt, arg);
		} else if (!strcmp(opt, "--kernel")) {
			set_once(o, &current_kernel(o, opt)->kernel, opt, arg);
		} else if (!strcmp(opt, "--initrd")) {
			set_once(o, &current_kernel(o, opt)->initrd, opt, arg);
		} else if (!strcmp(opt, "--cmdline")) {
			set_once(o, &current_kernel(o, opt)->cmdline, opt, arg);
			check_value(opt, arg);
		} else if (!strcmp(opt, "--mem")) {
			set_once(o, &current_vm(o, opt)->mem, opt, arg);
			check_value(opt, arg);
		} else if (!strcmp(opt, "--cpus")) {
			set_once(o, &current_vm(o, opt)->cpus, opt, arg);
			check_value(opt, arg);
		} else if (!strcmp(opt, "--shares")) {
			/* Checked with the configuration it makes, as --cpus. */
			set_once(o, &current_vm(o, opt)->shares, opt, arg);
			check_value(opt, arg);
		} else if (!strcmp(opt, "--affinity")) {
			set_once(o, &current_vm(o, opt)->affinity, opt, arg);
			check_value(opt, arg);
		} else if (!strcmp(opt, "--disk")) {
			set_once(o, &current_vm(o, opt)->disk, opt, arg);
			check_value(opt, arg);
		} else if (!strcmp(opt, "--console")) {
			/* The value is checked with the configuration it makes. */
			set_once(o, &current_vm(o, opt)->console, opt, arg);
		} else if (!strcmp(opt, "--backdoor-el0")) {
			/* The value is checked with the configuration it makes. */
			set_once(o, &current_vm(o, opt)->backdoor_el0, opt, arg);
			check_value(opt, arg);
		} else if (!strcmp(opt, "--disk-image")) {
			add_disk_image(o, arg);
		} else if (!strcmp(opt, "--guestinfo")) {
			add_guestinfo(current_vm(o, opt), o->vm_count - 1, arg);
		} else if (!strcmp(opt, "--raw-offset")) {
			set_once(o, &current_vm(o, opt)->raw_offset, opt, arg);
			check_value(opt, arg);
			current_vm(o, opt)->raw = true;
		}
	}
	/*
	 * A VM without --kernel would have no line in the configuration at
	 * all, and so would not be a VM there; it has to be caught here.
	 */
	for (i = 0; i < (int)o->vm_count; i++) {
		if (!o->vm[i].kernel)
			usage_error("vm%d: no kernel (--kernel FILE after its --vm)", i);
	}
	if (o->native && !o->native_opts.kernel)
		usage_error("--native: no kernel (--kernel FILE after --native)");
}

/* ---- the configuration ------------------------------------------------ */

struct text {
	char *p;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static void append(struct text *t, const char *fmt,
							 ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		tool_die("cannot format the configuration");
	if (t->len + (size_t)n + 1 > t->cap) {
		t->cap = (t->len + (size_t)n + 1) * 2;
		t->p = realloc(t->p, t->cap);
		if (!t->p)
			tool_die("out of memory");
	}
	va_start(ap, fmt);
	vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

/*
 * The VM whose payload VM i's kernel (initrd) is: the first that gives the
 * same file, so a file used by several VMs is stored once.
 */
static unsigned int kernel_owner(const struct opts *o, unsigned int i)
{
	unsigned int j = 0;

	while (strcmp(o->vm[j].kernel, o->vm[i].kernel))
		j++;
	return j;
}

static unsigned int initrd_owner(const struct opts *o, unsigned int i)
{
	unsigned int j = 0;

	while (!o->vm[j].initrd || strcmp(o->vm[j].initrd, o->vm[i].initrd))
		j++;
	return j;
}

static void gen_config(const struct opts *o, struct text *t)
{
	unsigned int i, j;

	append(t, "# Generated by mkbootimg (docs/BOOT_IMAGE.md).\n");
	if (o->name)
		append(t, "name = %s\n", o->name);
	for (i = 0; i < o->set_count; i++) {
		size_t keylen = strcspn(o->sets[i], "=");

		append(t, "%.*s = %s\n", (int)keylen, o->sets[i],
		       o->sets[i] + keylen + 1);
	}
	if (o->native) {
		append(t, "\nmode = native\n");
		append(t, "native.kernel = native-kernel\n");
		if (o->native_opts.initrd)
			append(t, "native.initrd = native-initrd\n");
		if (o->native_opts.cmdline)
			append(t, "native.cmdline = %s\n", o->native_opts.cmdline);
	}
	for (i = 0; i < o->vm_count; i++) {
		const struct vm_opts *vm = &o->vm[i];

		append(t, "\n");
		if (vm->name)
			append(t, "vm%u.name = %s\n", i, vm->name);
		append(t, "vm%u.kernel = vm%u-kernel\n", i, kernel_owner(o, i));
		if (vm->raw && vm->raw_offset)
			append(t, "vm%u.kernel_offset = %s\n", i, vm->raw_offset);
		else if (vm->raw)
			append(t, "vm%u.kernel_offset = 0x%llx\n", i,
			       (unsigned long long)VM_RAW_OFFSET_DEFAULT);
		if (vm->initrd)
			append(t, "vm%u.initrd = vm%u-initrd\n", i, initrd_owner(o, i));
		if (vm->mem)
			append(t, "vm%u.mem = %s\n", i, vm->mem);
		if (vm->cpus)
			append(t, "vm%u.cpus = %s\n", i, vm->cpus);
		if (vm->shares)
			append(t, "vm%u.shares = %s\n", i, vm->shares);
		if (vm->affinity)
			append(t, "vm%u.affinity = %s\n", i, vm->affinity);
		if (vm->disk)
			append(t, "vm%u.disk = %s\n", i, vm->disk);
		if (vm->pinned)
			append(t, "vm%u.pinned = on\n", i);
		if (vm->ecam_passthrough)
			append(t, "vm%u.ecam = passthrough\n", i);
		if (vm->identity)
			append(t, "vm%u.identity = on\n", i);
		if (vm->backdoor_el0)
			append(t, "vm%u.backdoor_el0 = %s\n", i, vm->backdoor_el0);
		if (vm->console)
			append(t, "vm%u.console = %s\n", i, vm->console);
		if (vm->cmdline)
			append(t, "vm%u.cmdline = %s\n", i, vm->cmdline);
		for (j = 0; j < vm->guestinfo_count; j++) {
			const char *g = vm->guestinfo[j];
			size_t keylen = strcspn(g, "=");

			append(t, "vm%u.guestinfo.%.*s = %s\n", i, (int)keylen, g,
			       g + keylen + 1);
		}
	}
}

/* Each image:NAME a VM names must be a --disk-image: the hypervisor
 * would refuse the VM. */
static void check_disk_names(const struct opts *o, const struct vm_config *vms,
			     unsigned int count)
{
	for (unsigned int i = 0; i < count; i++) {
		for (unsigned int d = 0; d < vms[i].disk_count; d++) {
			const struct vm_disk *vd = &vms[i].disks[d];
			unsigned int k = 0;

			while (vd->image && k < o->image_count &&
			       strcmp(o->images[k].name, vd->label))
				k++;
			if (vd->image && k == o->image_count)
				tool_die("vm%u --disk: image:%s: no --disk-image %s=FILE",
					 i, vd->label, vd->label);
		}
	}
}

/* Checks the configuration as the platform will; the VMs into vms. */
static void check_config(const struct opts *o, const struct text *t,
			 struct vm_config *vms)
{
	static struct bootmode_config mode;
	unsigned int count;
	char err[256];
	int ret;

	ret = vmconfig_parse(t->p, t->len, vms, VMCONFIG_MAX_VMS, &count, err,
			     sizeof(err));
	/*
	 * The options were checked one by one, so a syntax error here is a
	 * bug in this program, not in the command line.
	 */
	if (ret == CONFIG_E_SYNTAX || ret == CONFIG_E_DUPLICATE)
		tool_die("internal error: the generated configuration is malformed: %s",
			 err);
	if (ret)
		tool_die("%s", err);
	check_disk_names(o, vms, count);
	/* What the bootloader reads: the mode, and --set keys that clash with it. */
	if (bootmode_parse(t->p, t->len, &mode, err, sizeof(err)))
		tool_die("%s", err);
}

/* ---- the image --------------------------------------------------------- */

static struct blob load(const char *what, const char *path)
{
	struct blob b;
	char err[512];

	if (bundle_read_file(path, &b.data, &b.size, err, sizeof(err)))
		tool_die("%s: %s", what, err);
	return b;
}

static void check_boot(const char *path, const struct blob *b)
{
	if (b->size < ARM64_IMAGE_MAGIC_OFFSET + 4 ||
	    le_get32(b->data + ARM64_IMAGE_MAGIC_OFFSET) != ARM64_IMAGE_MAGIC)
		tool_die("--boot: '%s' is not an arm64 Image (no \"ARM\\x64\" magic at "
			 "offset "
			 "0x38); it should be the bootloader, boot.bin",
			 path);
	/* Payloads are aligned from the bundle start; see BOOT_IMAGE.md. */
	if (b->size % BUNDLE_ALIGN)
		tool_die(
			"--boot: '%s' is %llu bytes, not a multiple of %d, so the bundle "
			"after it would not be page-aligned",
			path, (unsigned long long)b->size, BUNDLE_ALIGN);
}

/* The bootloader's own check, so a kernel it would refuse is refused here. */
static void check_native_kernel(const char *path, const struct blob *b)
{
	struct arm64_image img;
	char err[128];

	if (arm64_image_parse(b->data, b->size, &img, err, sizeof(err)))
		tool_die("--native --kernel: '%s' is not an arm64 Image the bootloader "
			 "can boot: %s",
			 path, err);
}

static void write_image(const char *path, const struct blob *boot,
			const struct bundle_input *in, uint32_t count)
{
	char err[512];
	FILE *f;
	int ret;

	f = fopen(path, "wb");
	if (!f)
		tool_die("cannot create '%s': %s", path, strerror(errno));
	if (fwrite(boot->data, 1, (size_t)boot->size, f) != boot->size) {
		ret = BUNDLE_WRITE_E_IO;
		snprintf(err, sizeof(err), "%s", strerror(errno));
	} else {
		ret = bundle_write(f, in, count, err, sizeof(err));
	}
	if (!ret && fclose(f)) {
		ret = BUNDLE_WRITE_E_IO;
		snprintf(err, sizeof(err), "%s", strerror(errno));
	} else if (ret) {
		fclose(f);
	}
	if (ret) {
		remove(path);
		if (ret == BUNDLE_WRITE_E_IO)
			tool_die("cannot write '%s': %s", path, err);
		tool_die("%s", err);
	}
}

/*
 * What the hypervisor will check when it creates VM i: its kernel is an
 * Image (or declared raw), and kernel, initrd and DT fit in its memory.
 */
static void check_vm_fits(const struct opts *o, unsigned int i, const struct vm_config *c,
			  const struct blob *kernel, const struct blob *initrd)
{
	const struct vm_opts *vm = &o->vm[i];
	struct vm_kernel k;
	struct vm_layout l;
	char err[160], mem[64];
	int ret;

	ret = vm_kernel_read(kernel->data, kernel->size, c->kernel_raw, c->kernel_offset,
			     &k, err, sizeof(err));
	if (ret == LINUX_E_NOT_IMAGE)
		tool_die("vm%u --kernel: '%s' is not an arm64 Image: %s (give --raw "
			 "for a raw image)",
			 i, vm->kernel, err);
	if (ret)
		tool_die("vm%u --kernel: '%s': %s", i, vm->kernel, err);
	if (vm_layout_plan(c->mem, &k, initrd ? initrd->size : 0, &l, err, sizeof(err))) {
		if (vm->mem)
			snprintf(mem, sizeof(mem), "--mem %s", vm->mem);
		else
			snprintf(mem, sizeof(mem), "the default %lluM",
				 (unsigned long long)(VMCONFIG_MEM_DEFAULT >> 20));
		tool_die("vm%u: --kernel '%s'%s%s%s %s not fit in %s: %s", i, vm->kernel,
			 initrd ? " and --initrd '" : "", initrd ? vm->initrd : "",
			 initrd ? "'" : "", initrd ? "do" : "does", mem, err);
	}
}

static void make(const struct opts *o, const struct text *config,
		 const struct vm_config *vms)
{
	struct bundle_input in[2 + 2 * VMCONFIG_MAX_VMS + MAX_DISK_IMAGES];
	char names[2 * VMCONFIG_MAX_VMS][BUNDLE_NAME_SIZE];
	struct blob boot, hyp, files[2 * VMCONFIG_MAX_VMS + MAX_DISK_IMAGES];
	const struct blob *kernels[VMCONFIG_MAX_VMS], *initrds[VMCONFIG_MAX_VMS];
	char what[64];
	uint32_t n = 0, nf = 0;
	unsigned int i;

	boot = load("--boot", o->boot);
	check_boot(o->boot, &boot);
	hyp = load("--hyp", o->hyp);
	if (!hyp.size)
		tool_die("--hyp: hypervisor image '%s' is empty", o->hyp);
	in[n++] = (struct bundle_input){BUNDLE_HYP, "hyp", hyp.data, hyp.size};
	in[n++] = (struct bundle_input){BUNDLE_CONFIG, "config", config->p, config->len};
	if (o->native) {
		files[nf] = load("--native --kernel", o->native_opts.kernel);
		check_native_kernel(o->native_opts.kernel, &files[nf]);
		in[n++] = (struct bundle_input){BUNDLE_KERNEL, "native-kernel",
						files[nf].data, files[nf].size};
		nf++;
	}
	if (o->native && o->native_opts.initrd) {
		files[nf] = load("--native --initrd", o->native_opts.initrd);
		if (!files[nf].size)
			tool_die("--native --initrd: '%s' is empty",
				 o->native_opts.initrd);
		in[n++] = (struct bundle_input){BUNDLE_INITRD, "native-initrd",
						files[nf].data, files[nf].size};
		nf++;
	}
	for (i = 0; i < o->vm_count; i++) {
		if (kernel_owner(o, i) == i) {
			snprintf(what, sizeof(what), "vm%u --kernel", i);
			files[nf] = load(what, o->vm[i].kernel);
			if (!files[nf].size)
				tool_die("%s: kernel '%s' is empty", what,
					 o->vm[i].kernel);
			snprintf(names[nf], sizeof(names[nf]), "vm%u-kernel", i);
			in[n++] = (struct bundle_input){BUNDLE_KERNEL, names[nf],
							files[nf].data, files[nf].size};
			kernels[i] = &files[nf++];
		} else {
			kernels[i] = kernels[kernel_owner(o, i)];
		}
		initrds[i] = NULL;
		if (!o->vm[i].initrd)
			continue;
		if (initrd_owner(o, i) == i) {
			snprintf(what, sizeof(what), "vm%u --initrd", i);
			files[nf] = load(what, o->vm[i].initrd);
			snprintf(names[nf], sizeof(names[nf]), "vm%u-initrd", i);
			in[n++] = (struct bundle_input){BUNDLE_INITRD, names[nf],
							files[nf].data, files[nf].size};
			initrds[i] = &files[nf++];
		} else {
			initrds[i] = initrds[initrd_owner(o, i)];
		}
	}
	for (i = 0; i < o->vm_count; i++)
		check_vm_fits(o, i, &vms[i], kernels[i], initrds[i]);
	for (i = 0; i < o->image_count; i++) {
		snprintf(what, sizeof(what), "--disk-image %s", o->images[i].name);
		files[nf] = load(what, o->images[i].path);
		/* A disk is whole 512-byte sectors (virtio 1.2, 5.2.4); the
		 * hypervisor refuses any other size too. */
		if (!files[nf].size || files[nf].size % 512)
			tool_die("%s: '%s' is %llu bytes, not a non-zero multiple of 512",
				 what, o->images[i].path,
				 (unsigned long long)files[nf].size);
		in[n++] = (struct bundle_input){BUNDLE_DISK, o->images[i].name,
						files[nf].data, files[nf].size};
		nf++;
	}
	write_image(o->out, &boot, in, n);
	free(boot.data);
	free(hyp.data);
	for (i = 0; i < nf; i++)
		free(files[i].data);
}

int main(int argc, char **argv)
{
	static struct opts o;
	static struct vm_config vms[VMCONFIG_MAX_VMS];
	struct text config = {0};

	tool_name = "mkbootimg";
	if (argc == 1)
		usage_error("nothing to do");
	parse_args(&o, argc, argv);
	if (!o.out && !o.print_config)
		usage_error("no output file (-o OUT)");
	if (o.out && !o.boot)
		usage_error("no bootloader (--boot FILE)");
	if (o.out && !o.hyp)
		usage_error("no hypervisor (--hyp FILE)");
	gen_config(&o, &config);
	check_config(&o, &config, vms);
	if (o.print_config)
		fwrite(config.p, 1, config.len, stdout);
	if (o.out)
		make(&o, &config, vms);
	free(config.p);
	free(o.sets);
	return 0;
}
