/*
 * VM configuration tests. As in test_config.c, every text is handed over in
 * a heap buffer of exactly its length with no NUL after it, so ASan reports
 * any read past the end. Error messages are compared whole: naming the key
 * is the point of them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/image/vmconfig.h>

#include "unit.h"

/* Large (about 10 KiB each), hence static. */
static struct vm_config vms[VMCONFIG_MAX_VMS];
static unsigned int count;
static char err[256];

static int parse_max(const char *s, unsigned int max)
{
	size_t len = strlen(s);
	char *p = malloc(len ? len : 1);
	int ret;

	memcpy(p, s, len);
	memset(err, 'x', sizeof(err));
	count = 99;
	ret = vmconfig_parse(p, len, vms, max, &count, err, sizeof(err));
	free(p);
	return ret;
}

static int parse(const char *s)
{
	return parse_max(s, VMCONFIG_MAX_VMS);
}

static void ok_at(const char *s, unsigned int want_count, int line)
{
	int ret = parse(s);

	if (ret || count != want_count)
		printf("  (line %d: got %d, %u VMs, \"%s\")\n", line, ret, count, err);
	CHECK_EQ(ret, 0);
	CHECK_EQ(count, want_count);
	CHECK_EQ(err[0], 0);
}

#define ok(s, n) ok_at(s, n, __LINE__)

static void fails_at(const char *s, unsigned int max, int code, const char *want,
		     int line)
{
	int ret = parse_max(s, max);

	if (ret != code || strcmp(err, want))
		printf("  (line %d: got %d \"%s\", want %d \"%s\")\n", line, ret, err,
		       code, want);
	CHECK_EQ(ret, code);
	CHECK(strcmp(err, want) == 0);
	/* A failed parse never hands out VMs. */
	CHECK_EQ(count, 0);
}

#define fails(s, code, want) fails_at(s, VMCONFIG_MAX_VMS, code, want, __LINE__)

/* "vm0.kernel = linux\n" followed by a setting under test. */
#define VM0 "vm0.kernel = linux\n"

/* A string of n copies of c, for length limits. */
static const char *repeat(char c, size_t n)
{
	static char buf[4][1024];
	static unsigned int next;
	char *b = buf[next++ % 4];

	memset(b, c, n);
	b[n] = '\0';
	return b;
}

static char text[8192];

/* Formats text; for settings built from repeat(). */
#define TEXT(...) (snprintf(text, sizeof(text), __VA_ARGS__), text)

/* ---- tests ----------------------------------------------------------- */

static void test_no_vms(void)
{
	/* Nothing to run is a valid configuration. */
	ok("", 0);
	ok("# only a comment\n", 0);
	ok("name = default\ntest = psci\n", 0);
	/* Keys that do not start with "vm" and a digit are someone else's. */
	ok("vm = 1\nvmx.kernel = a\nvm.kernel = a\nvms = 3\nmy.vm0.kernel = b\n", 0);
	/* However long their values are. */
	ok(TEXT("name = default\ntest = %s\n", repeat('t', 900)), 0);
	CHECK_EQ(vmconfig_parse(NULL, 0, NULL, 0, &count, err, sizeof(err)), 0);
	CHECK_EQ(count, 0);
}

static void test_defaults(void)
{
	ok("name = one\nvm0.kernel = linux\n", 1);
	CHECK(strcmp(vms[0].name, "vm0") == 0);
	CHECK(strcmp(vms[0].kernel, "linux") == 0);
	CHECK_EQ(vms[0].initrd[0], 0);
	CHECK_EQ(vms[0].mem, 128ull << 20);
	CHECK_EQ(vms[0].cpus, 1);
	CHECK_EQ(vms[0].shares, 1000);
	CHECK_EQ(vms[0].affinity, 0); /* any CPU */
	CHECK(!vms[0].pinned);
	CHECK_EQ(vms[0].cmdline[0], 0);
	CHECK_EQ(vms[0].guestinfo_count, 0);
}

static void test_full(void)
{
	const char *s = "name = two guests\n"
			"test = none\n"
			"vm1.kernel = vm1-kernel   # order does not matter\n"
			"vm0.name = web\n"
			"vm0.kernel = vm0-kernel\n"
			"vm0.initrd = vm0-initrd\n"
			"vm0.mem = 512M\n"
			"vm0.cpus = 4\n"
			"vm0.cmdline = console=ttyAMA0 root=/dev/ram0\tquiet\n"
			"vm0.guestinfo.role = frontend\n"
			"vm0.guestinfo.net.addr-0 = 10.0.0.2/24\n"
			"vm0.guestinfo.a_b = x = y\n"
			"vm1.mem = 0x4000000\n"
			"vm1.cpus = 8\n"
			"vm1.shares = 250\n"
			"vm1.affinity = 1,2-9\n"
			"vm1.pinned = on\n"
			"vm1.name = db.1\n";

	ok(s, 2);
	CHECK(strcmp(vms[0].name, "web") == 0);
	CHECK(strcmp(vms[0].kernel, "vm0-kernel") == 0);
	CHECK(strcmp(vms[0].initrd, "vm0-initrd") == 0);
	CHECK_EQ(vms[0].mem, 512ull << 20);
	CHECK_EQ(vms[0].cpus, 4);
	CHECK(strcmp(vms[0].cmdline, "console=ttyAMA0 root=/dev/ram0\tquiet") == 0);
	CHECK_EQ(vms[0].guestinfo_count, 3);
	/* Guestinfo keeps the text's order. */
	CHECK(strcmp(vms[0].guestinfo[0].key, "role") == 0);
	CHECK(strcmp(vms[0].guestinfo[0].value, "frontend") == 0);
	CHECK(strcmp(vms[0].guestinfo[1].key, "net.addr-0") == 0);
	CHECK(strcmp(vms[0].guestinfo[1].value, "10.0.0.2/24") == 0);
	CHECK(strcmp(vms[0].guestinfo[2].key, "a_b") == 0);
	CHECK(strcmp(vms[0].guestinfo[2].value, "x = y") == 0);
	CHECK(strcmp(vms[1].name, "db.1") == 0);
	CHECK(strcmp(vms[1].kernel, "vm1-kernel") == 0);
	CHECK_EQ(vms[1].initrd[0], 0);
	CHECK_EQ(vms[1].mem, 64ull << 20);
	CHECK_EQ(vms[1].cpus, 8);
	CHECK_EQ(vms[1].shares, 250);
	CHECK_EQ(vms[1].affinity, 0x3fe);
	CHECK(vms[1].pinned);
	CHECK_EQ(vms[0].shares, VMCONFIG_SHARES_DEFAULT);
	CHECK_EQ(vms[0].affinity, 0);
	CHECK(!vms[0].pinned);
	CHECK_EQ(vms[1].guestinfo_count, 0);
}

static void test_eight_vms(void)
{
	ok("vm0.kernel = k\nvm1.kernel = k\nvm2.kernel = k\nvm3.kernel = k\n"
	   "vm4.kernel = k\nvm5.kernel = k\nvm6.kernel = k\nvm7.kernel = k\n",
	   8);
	CHECK(strcmp(vms[7].name, "vm7") == 0);
	/* Several VMs may share one kernel payload. */
	CHECK(strcmp(vms[7].kernel, "k") == 0);
}

static void test_numbering(void)
{
	fails("vm0.kernel = a\nvm2.kernel = b\n", VMCONFIG_E_MISSING,
	      "vm2 given but no vm1");
	fails("vm1.kernel = a\n", VMCONFIG_E_MISSING, "vm1 given but no vm0");
	fails("vm0.kernel = a\nvm3.cpus = 2\nvm5.kernel = b\n", VMCONFIG_E_MISSING,
	      "vm3 given but no vm1");
	fails(VM0 "vm8.kernel = b\n", VMCONFIG_E_LIMIT,
	      "vm8.kernel: only 8 VMs are supported (vm0 to vm7)");
	fails(VM0 "vm10.kernel = b\n", VMCONFIG_E_LIMIT,
	      "vm10.kernel: only 8 VMs are supported (vm0 to vm7)");
	fails(VM0 "vm99999999999999999999.kernel = b\n", VMCONFIG_E_LIMIT,
	      "vm99999999999999999999.kernel: only 8 VMs are supported (vm0 to vm7)");
	/* Keys that claim to be a VM's but are not well formed. */
	fails("vm01.kernel = a\n", VMCONFIG_E_KEY,
	      "vm01.kernel: not a VM key (vmN.KEY, with N from 0 to 7)");
	fails("vm0 = a\n", VMCONFIG_E_KEY,
	      "vm0: not a VM key (vmN.KEY, with N from 0 to 7)");
	fails("vm0x.kernel = a\n", VMCONFIG_E_KEY,
	      "vm0x.kernel: not a VM key (vmN.KEY, with N from 0 to 7)");
	fails("vm0-kernel = a\n", VMCONFIG_E_KEY,
	      "vm0-kernel: not a VM key (vmN.KEY, with N from 0 to 7)");
}

/* The caller's array may be smaller than the format's maximum. */
static void test_max_vms(void)
{
	CHECK_EQ(parse_max("vm0.kernel = a\nvm1.kernel = b\n", 2), 0);
	CHECK_EQ(count, 2);
	fails_at("vm0.kernel = a\nvm1.kernel = b\nvm2.kernel = c\n", 2, VMCONFIG_E_LIMIT,
		 "vm2.kernel: only 2 VMs are supported (vm0 to vm1)", __LINE__);
	fails_at("vm0.kernel = a\n", 0, VMCONFIG_E_LIMIT,
		 "vm0.kernel: no room for any VM", __LINE__);
	CHECK_EQ(parse_max("name = x\n", 0), 0);
	CHECK_EQ(count, 0);
	/* More room than the format allows is fine; vm8 is still refused. */
	{
		static struct vm_config many[10];
		char *p = strdup(VM0 "vm8.kernel = b\n");

		CHECK_EQ(vmconfig_parse(p, strlen(p), many, 10, &count, err, sizeof(err)),
			 VMCONFIG_E_LIMIT);
		free(p);
	}
}

static void test_unknown_keys(void)
{
	fails(VM0 "vm0.foo = 1\n", VMCONFIG_E_KEY, "vm0.foo: unknown key");
	fails(VM0 "vm0.kernel.x = 1\n", VMCONFIG_E_KEY, "vm0.kernel.x: unknown key");
	fails(VM0 "vm0.guestinfo = 1\n", VMCONFIG_E_KEY, "vm0.guestinfo: unknown key");
	fails(VM0 "vm0.memory = 4M\n", VMCONFIG_E_KEY, "vm0.memory: unknown key");
	fails(VM0 "vm0. = 1\n", VMCONFIG_E_KEY, "vm0.: unknown key");
	fails(VM0 "vm0.guestinfo. = 1\n", VMCONFIG_E_KEY,
	      "vm0.guestinfo.: no guestinfo key after 'guestinfo.'");
}

static void test_kernel(void)
{
	fails("vm0.mem = 4M\n", VMCONFIG_E_MISSING, "vm0: no kernel");
	fails("vm0.kernel = a\nvm1.initrd = b\n", VMCONFIG_E_MISSING, "vm1: no kernel");
	fails("vm0.kernel = my kernel\n", VMCONFIG_E_VALUE,
	      "vm0.kernel: payload name 'my kernel' has characters outside "
	      "A-Z a-z 0-9 . _ + -");
	fails("vm0.kernel = a/b\n", VMCONFIG_E_VALUE,
	      "vm0.kernel: payload name 'a/b' has characters outside A-Z a-z 0-9 . _ + "
	      "-");
	/* 31 characters fit a payload name, 32 do not. */
	ok(TEXT("vm0.kernel = %s\n", repeat('k', 31)), 1);
	CHECK_EQ(strlen(vms[0].kernel), 31);
	fails(TEXT("vm0.kernel = %s\n", repeat('k', 32)), VMCONFIG_E_VALUE,
	      "vm0.kernel: payload name longer than 31 characters");
	fails(TEXT("vm0.kernel = %s\n", repeat('k', 700)), VMCONFIG_E_VALUE,
	      "vm0.kernel: payload name longer than 31 characters");
}

static void test_initrd(void)
{
	ok(VM0 "vm0.initrd = Rootfs+1.cpio_gz\n", 1);
	CHECK(strcmp(vms[0].initrd, "Rootfs+1.cpio_gz") == 0);
	fails(VM0 "vm0.initrd = a*\n", VMCONFIG_E_VALUE,
	      "vm0.initrd: payload name 'a*' has characters outside A-Z a-z 0-9 . _ + -");
	fails(TEXT(VM0 "vm0.initrd = %s\n", repeat('i', 32)), VMCONFIG_E_VALUE,
	      "vm0.initrd: payload name longer than 31 characters");
}

static void test_mem(void)
{
	ok(VM0 "vm0.mem = 4M\n", 1);
	CHECK_EQ(vms[0].mem, 4ull << 20);
	ok(VM0 "vm0.mem = 64G\n", 1);
	CHECK_EQ(vms[0].mem, 64ull << 30);
	ok(VM0 "vm0.mem = 6144k\n", 1);
	CHECK_EQ(vms[0].mem, 6ull << 20);
	ok(VM0 "vm0.mem = 0x400000\n", 1);
	CHECK_EQ(vms[0].mem, 4ull << 20);
	ok(VM0 "vm0.mem = 1g\n", 1);
	CHECK_EQ(vms[0].mem, 1ull << 30);
	ok(VM0 "vm0.mem = 4194304\n", 1);
	CHECK_EQ(vms[0].mem, 4ull << 20);

	fails("vm0.kernel = a\nvm1.kernel = b\nvm1.mem = 5M\n", VMCONFIG_E_VALUE,
	      "vm1.mem: 5M is not a multiple of 2 MiB");
	fails(VM0 "vm0.mem = 4097K\n", VMCONFIG_E_VALUE,
	      "vm0.mem: 4097K is not a multiple of 2 MiB");
	fails(VM0 "vm0.mem = 1M\n", VMCONFIG_E_VALUE,
	      "vm0.mem: 1M is less than 4 MiB (the last 2 MiB hold the device tree)");
	fails(VM0 "vm0.mem = 0\n", VMCONFIG_E_VALUE,
	      "vm0.mem: 0 is less than 4 MiB (the last 2 MiB hold the device tree)");
	/* The report: 2 MiB is only the device tree's slot. */
	fails(VM0 "vm0.mem = 2M\n", VMCONFIG_E_VALUE,
	      "vm0.mem: 2M is less than 4 MiB (the last 2 MiB hold the device tree)");
	fails(VM0 "vm0.mem = 66G\n", VMCONFIG_E_VALUE,
	      "vm0.mem: 66G is more than 64 GiB");
	fails(VM0 "vm0.mem = 65538M\n", VMCONFIG_E_VALUE,
	      "vm0.mem: 65538M is more than 64 GiB");
	fails(VM0 "vm0.mem = 99999999999999999999\n", VMCONFIG_E_VALUE,
	      "vm0.mem: 99999999999999999999 is more than 64 GiB");
	fails(VM0 "vm0.mem = 17179869184G\n", VMCONFIG_E_VALUE,
	      "vm0.mem: 17179869184G is more than 64 GiB");
	fails(VM0 "vm0.mem = lots\n", VMCONFIG_E_VALUE,
	      "vm0.mem: 'lots' is not a size (bytes, or a number with K, M or G)");
	fails(VM0 "vm0.mem = 64 M\n", VMCONFIG_E_VALUE,
	      "vm0.mem: '64 M' is not a size (bytes, or a number with K, M or G)");
	fails(VM0 "vm0.mem = 1T\n", VMCONFIG_E_VALUE,
	      "vm0.mem: '1T' is not a size (bytes, or a number with K, M or G)");
	fails(TEXT(VM0 "vm0.mem = %s\n", repeat('1', 600)), VMCONFIG_E_VALUE,
	      "vm0.mem: far too long to be a size");
}

static void test_kernel_offset(void)
{
	ok(VM0, 1);
	CHECK(!vms[0].kernel_raw);
	ok(VM0 "vm0.kernel_offset = 0x80000\n", 1);
	CHECK(vms[0].kernel_raw);
	CHECK_EQ(vms[0].kernel_offset, 0x80000);
	ok(VM0 "vm0.kernel_offset = 0\n", 1);
	CHECK(vms[0].kernel_raw);
	CHECK_EQ(vms[0].kernel_offset, 0);
	fails(VM0 "vm0.kernel_offset = 0x80010\n", VMCONFIG_E_VALUE,
	      "vm0.kernel_offset: 0x80010 is not a multiple of 4 KiB");
	fails(VM0 "vm0.kernel_offset = 64G\n", VMCONFIG_E_VALUE,
	      "vm0.kernel_offset: 64G is not below 64 GiB");
	fails(VM0 "vm0.kernel_offset = 0x10000000000000000\n", VMCONFIG_E_VALUE,
	      "vm0.kernel_offset: 0x10000000000000000 is not below 64 GiB");
	fails(VM0 "vm0.kernel_offset = -1\n", VMCONFIG_E_VALUE,
	      "vm0.kernel_offset: '-1' is not an offset");
}

static void test_cpus(void)
{
	ok(VM0 "vm0.cpus = 1\n", 1);
	CHECK_EQ(vms[0].cpus, 1);
	ok(VM0 "vm0.cpus = 8\n", 1);
	CHECK_EQ(vms[0].cpus, 8);
	/* More vCPUs than any machine here has CPUs: they share. */
	ok(VM0 "vm0.cpus = 16\n", 1);
	CHECK_EQ(vms[0].cpus, 16);
	fails(VM0 "vm0.cpus = 0\n", VMCONFIG_E_VALUE,
	      "vm0.cpus: 0 is out of range (1 to 16)");
	fails(VM0 "vm0.cpus = 17\n", VMCONFIG_E_VALUE,
	      "vm0.cpus: 17 is out of range (1 to 16)");
	fails(VM0 "vm0.cpus = 1K\n", VMCONFIG_E_VALUE,
	      "vm0.cpus: 1K is out of range (1 to 16)");
	fails(VM0 "vm0.cpus = 4294967297\n", VMCONFIG_E_VALUE,
	      "vm0.cpus: 4294967297 is out of range (1 to 16)");
	fails(VM0 "vm0.cpus = 99999999999999999999\n", VMCONFIG_E_VALUE,
	      "vm0.cpus: 99999999999999999999 is out of range (1 to 16)");
	fails(VM0 "vm0.cpus = two\n", VMCONFIG_E_VALUE,
	      "vm0.cpus: 'two' is not a number");
	fails(VM0 "vm0.cpus = -1\n", VMCONFIG_E_VALUE, "vm0.cpus: '-1' is not a number");
	fails(TEXT(VM0 "vm0.cpus = %s\n", repeat('1', 512)), VMCONFIG_E_VALUE,
	      "vm0.cpus: far too long to be a number");
}

static void test_shares(void)
{
	ok(VM0 "vm0.shares = 1\n", 1);
	CHECK_EQ(vms[0].shares, 1);
	ok(VM0 "vm0.shares = 2000\n", 1);
	CHECK_EQ(vms[0].shares, 2000);
	ok(VM0 "vm0.shares = 100000\n", 1);
	CHECK_EQ(vms[0].shares, VMCONFIG_SHARES_MAX);
	ok(VM0 "vm0.shares = 0x3e8\n", 1);
	CHECK_EQ(vms[0].shares, 1000);
	/* Each VM has its own; the others keep the default. */
	ok(VM0 "vm1.kernel = b\nvm1.shares = 500\n", 2);
	CHECK_EQ(vms[0].shares, VMCONFIG_SHARES_DEFAULT);
	CHECK_EQ(vms[1].shares, 500);
	fails(VM0 "vm0.shares = 0\n", VMCONFIG_E_VALUE,
	      "vm0.shares: 0 is out of range (1 to 100000)");
	fails(VM0 "vm0.shares = 100001\n", VMCONFIG_E_VALUE,
	      "vm0.shares: 100001 is out of range (1 to 100000)");
	/* Past 32 bits: never truncated into range. */
	fails(VM0 "vm0.shares = 4294968296\n", VMCONFIG_E_VALUE,
	      "vm0.shares: 4294968296 is out of range (1 to 100000)");
	fails(VM0 "vm0.shares = 99999999999999999999\n", VMCONFIG_E_VALUE,
	      "vm0.shares: 99999999999999999999 is out of range (1 to 100000)");
	fails(VM0 "vm0.shares = high\n", VMCONFIG_E_VALUE,
	      "vm0.shares: 'high' is not a number");
	fails(VM0 "vm0.shares = -5\n", VMCONFIG_E_VALUE,
	      "vm0.shares: '-5' is not a number");
	fails(VM0 "vm0.shares = 1 000\n", VMCONFIG_E_VALUE,
	      "vm0.shares: '1 000' is not a number");
	fails(TEXT(VM0 "vm0.shares = %s\n", repeat('1', 512)), VMCONFIG_E_VALUE,
	      "vm0.shares: far too long to be a number");
}

#define NOT_A_LIST \
	"' is not a CPU list (CPUs N or ranges A-B, 0 to 63, separated by commas)"

static void test_disks(void)
{
	ok(VM0, 1);
	CHECK_EQ(vms[0].disk_count, 0);
	ok(VM0 "vm0.disk = debian-root\n", 1);
	CHECK_EQ(vms[0].disk_count, 1);
	CHECK(!strcmp(vms[0].disks[0].label, "debian-root"));
	CHECK(!vms[0].disks[0].read_only);
	ok(VM0 "vm0.disk = root,data:ro,a.b_c+d,x:ro\n", 1);
	CHECK_EQ(vms[0].disk_count, 4);
	CHECK(!strcmp(vms[0].disks[1].label, "data"));
	CHECK(vms[0].disks[1].read_only);
	CHECK(!vms[0].disks[2].read_only);
	CHECK(!strcmp(vms[0].disks[3].label, "x"));
	CHECK(vms[0].disks[3].read_only);
	/* 36 characters: a GPT name's length. */
	ok(VM0 "vm0.disk = abcdefghijabcdefghijabcdefghijabcdef\n", 1);
	CHECK_EQ(strlen(vms[0].disks[0].label), 36);

	fails(VM0 "vm0.disk = abcdefghijabcdefghijabcdefghijabcdefg\n", VMCONFIG_E_VALUE,
	      "vm0.disk: 'abcdefghijabcdefghijabcdefghijabcdefg' is not a disk list "
	      "(labels of 1 to 36 characters, each optionally followed by :ro, "
	      "separated by commas)");
	fails(VM0 "vm0.disk = a,,b\n", VMCONFIG_E_VALUE,
	      "vm0.disk: 'a,,b' is not a disk list (labels of 1 to 36 characters, "
	      "each optionally followed by :ro, separated by commas)");
	fails(VM0 "vm0.disk = a,\n", VMCONFIG_E_VALUE,
	      "vm0.disk: 'a,' is not a disk list (labels of 1 to 36 characters, "
	      "each optionally followed by :ro, separated by commas)");
	fails(VM0 "vm0.disk = :ro\n", VMCONFIG_E_VALUE,
	      "vm0.disk: ':ro' is not a disk list (labels of 1 to 36 characters, "
	      "each optionally followed by :ro, separated by commas)");
	fails(VM0 "vm0.disk = a:rw\n", VMCONFIG_E_VALUE,
	      "vm0.disk: in 'a:rw', a label may only be followed by :ro");
	fails(VM0 "vm0.disk = a:rox\n", VMCONFIG_E_VALUE,
	      "vm0.disk: in 'a:rox', a label may only be followed by :ro");
	fails(VM0 "vm0.disk = a b\n", VMCONFIG_E_VALUE,
	      "vm0.disk: disk label in 'a b' has characters outside A-Z a-z 0-9 . _ + -");
	fails(VM0 "vm0.disk = a,b,c,d,e\n", VMCONFIG_E_LIMIT,
	      "vm0.disk: more than 4 disks");
	fails(VM0 "vm0.disk = a,b:ro,a\n", VMCONFIG_E_VALUE,
	      "vm0.disk: disk 'a' named twice");
}

/* RAM disks: image:NAME[:ro], a BUNDLE_DISK payload by name. */
static void test_disk_images(void)
{
	ok(VM0 "vm0.disk = image:scratch\n", 1);
	CHECK_EQ(vms[0].disk_count, 1);
	CHECK(vms[0].disks[0].image);
	CHECK(!vms[0].disks[0].read_only);
	CHECK(!strcmp(vms[0].disks[0].label, "scratch"));
	/* Mixed with partitions; a partition and an image may share a name. */
	ok(VM0 "vm0.disk = root,image:root:ro,image:b.c+d_e-f,data:ro\n", 1);
	CHECK_EQ(vms[0].disk_count, 4);
	CHECK(!vms[0].disks[0].image);
	CHECK(!strcmp(vms[0].disks[0].label, "root"));
	CHECK(vms[0].disks[1].image);
	CHECK(vms[0].disks[1].read_only);
	CHECK(!strcmp(vms[0].disks[1].label, "root"));
	CHECK(vms[0].disks[2].image);
	CHECK(!vms[0].disks[2].read_only);
	CHECK(!strcmp(vms[0].disks[2].label, "b.c+d_e-f"));
	CHECK(!vms[0].disks[3].image);
	CHECK(vms[0].disks[3].read_only);
	/* The prefix always means an image: "image:ro" is the image "ro". */
	ok(VM0 "vm0.disk = image:ro\n", 1);
	CHECK(vms[0].disks[0].image);
	CHECK(!vms[0].disks[0].read_only);
	CHECK(!strcmp(vms[0].disks[0].label, "ro"));
	ok(VM0 "vm0.disk = image:ro:ro\n", 1);
	CHECK(vms[0].disks[0].read_only);
	/* Without its colon it is a partition's label. */
	ok(VM0 "vm0.disk = image,images:ro\n", 1);
	CHECK(!vms[0].disks[0].image);
	CHECK(!strcmp(vms[0].disks[0].label, "image"));
	CHECK(!vms[0].disks[1].image);
	CHECK(!strcmp(vms[0].disks[1].label, "images"));
	/* 31 characters: a payload name's longest. */
	ok(VM0 "vm0.disk = image:abcdefghijabcdefghijabcdefghija\n", 1);
	CHECK_EQ(strlen(vms[0].disks[0].label), 31);

	fails(VM0 "vm0.disk = image:abcdefghijabcdefghijabcdefghijab\n", VMCONFIG_E_VALUE,
	      "vm0.disk: in 'image:abcdefghijabcdefghijabcdefghijab', image: wants a "
	      "payload name of 1 to 31 characters");
	fails(VM0 "vm0.disk = image:\n", VMCONFIG_E_VALUE,
	      "vm0.disk: in 'image:', image: wants a payload name of 1 to 31 "
	      "characters");
	fails(VM0 "vm0.disk = image::ro\n", VMCONFIG_E_VALUE,
	      "vm0.disk: in 'image::ro', image: wants a payload name of 1 to 31 "
	      "characters");
	fails(VM0 "vm0.disk = a,image:,b\n", VMCONFIG_E_VALUE,
	      "vm0.disk: in 'a,image:,b', image: wants a payload name of 1 to 31 "
	      "characters");
	fails(VM0 "vm0.disk = image:a:rw\n", VMCONFIG_E_VALUE,
	      "vm0.disk: in 'image:a:rw', a label may only be followed by :ro");
	fails(VM0 "vm0.disk = image:a:ro:ro\n", VMCONFIG_E_VALUE,
	      "vm0.disk: in 'image:a:ro:ro', a label may only be followed by :ro");
	fails(VM0 "vm0.disk = image:a/b\n", VMCONFIG_E_VALUE,
	      "vm0.disk: disk image name in 'image:a/b' has characters outside A-Z "
	      "a-z 0-9 . _ + -");
	fails(VM0 "vm0.disk = image:a,image:b:ro,image:a:ro\n", VMCONFIG_E_VALUE,
	      "vm0.disk: disk 'image:a' named twice");
	fails(VM0 "vm0.disk = image:a,b,image:c,d,image:e\n", VMCONFIG_E_LIMIT,
	      "vm0.disk: more than 4 disks");
}

static void test_affinity(void)
{
	ok(VM0 "vm0.affinity = 0\n", 1);
	CHECK_EQ(vms[0].affinity, 1);
	ok(VM0 "vm0.affinity = 0-1,3\n", 1);
	CHECK_EQ(vms[0].affinity, 0xb);
	ok(VM0 "vm0.affinity = 3,0-1\n", 1);
	CHECK_EQ(vms[0].affinity, 0xb);
	ok(VM0 "vm0.affinity = 5-5\n", 1);
	CHECK_EQ(vms[0].affinity, 0x20);
	/* Overlapping items: the set is their union. */
	ok(VM0 "vm0.affinity = 0-3,2-5,4,4\n", 1);
	CHECK_EQ(vms[0].affinity, 0x3f);
	/* The top bit, alone and at the end of ranges. */
	ok(VM0 "vm0.affinity = 63\n", 1);
	CHECK_EQ(vms[0].affinity, 1ull << 63);
	ok(VM0 "vm0.affinity = 62-63\n", 1);
	CHECK_EQ(vms[0].affinity, 3ull << 62);
	ok(VM0 "vm0.affinity = 0-63\n", 1);
	CHECK_EQ(vms[0].affinity, UINT64_MAX);
	ok(VM0 "vm0.affinity = 1-63\n", 1);
	CHECK_EQ(vms[0].affinity, UINT64_MAX - 1);
	ok(VM0 "vm0.affinity = 0,63\n", 1);
	CHECK_EQ(vms[0].affinity, (1ull << 63) | 1);
	/* Leading zeros are still decimal. */
	ok(VM0 "vm0.affinity = 010\n", 1);
	CHECK_EQ(vms[0].affinity, 1ull << 10);

	fails(VM0 "vm0.affinity = 64\n", VMCONFIG_E_VALUE,
	      "vm0.affinity: '64' names a CPU out of range (0 to 63)");
	fails(VM0 "vm0.affinity = 0-64\n", VMCONFIG_E_VALUE,
	      "vm0.affinity: '0-64' names a CPU out of range (0 to 63)");
	fails(VM0 "vm0.affinity = 1,99999999999999999999999\n", VMCONFIG_E_VALUE,
	      "vm0.affinity: '1,99999999999999999999999' names a CPU out of range "
	      "(0 to 63)");
	fails(VM0 "vm0.affinity = 2-1\n", VMCONFIG_E_VALUE,
	      "vm0.affinity: '2-1' has a range that runs backwards: 2-1");
	fails(VM0 "vm0.affinity = 0,63-62\n", VMCONFIG_E_VALUE,
	      "vm0.affinity: '0,63-62' has a range that runs backwards: 63-62");
	fails(VM0 "vm0.affinity = ,\n", VMCONFIG_E_VALUE, "vm0.affinity: '," NOT_A_LIST);
	fails(VM0 "vm0.affinity = 0,\n", VMCONFIG_E_VALUE,
	      "vm0.affinity: '0," NOT_A_LIST);
	fails(VM0 "vm0.affinity = ,0\n", VMCONFIG_E_VALUE,
	      "vm0.affinity: ',0" NOT_A_LIST);
	fails(VM0 "vm0.affinity = 0,,1\n", VMCONFIG_E_VALUE,
	      "vm0.affinity: '0,,1" NOT_A_LIST);
	fails(VM0 "vm0.affinity = 0, 1\n", VMCONFIG_E_VALUE,
	      "vm0.affinity: '0, 1" NOT_A_LIST);
	fails(VM0 "vm0.affinity = 0 - 1\n", VMCONFIG_E_VALUE,
	      "vm0.affinity: '0 - 1" NOT_A_LIST);
	fails(VM0 "vm0.affinity = 1-\n", VMCONFIG_E_VALUE,
	      "vm0.affinity: '1-" NOT_A_LIST);
	fails(VM0 "vm0.affinity = -1\n", VMCONFIG_E_VALUE,
	      "vm0.affinity: '-1" NOT_A_LIST);
	fails(VM0 "vm0.affinity = 1-2-3\n", VMCONFIG_E_VALUE,
	      "vm0.affinity: '1-2-3" NOT_A_LIST);
	fails(VM0 "vm0.affinity = 0x3\n", VMCONFIG_E_VALUE,
	      "vm0.affinity: '0x3" NOT_A_LIST);
	fails(VM0 "vm0.affinity = any\n", VMCONFIG_E_VALUE,
	      "vm0.affinity: 'any" NOT_A_LIST);
	/* An empty value is the configuration syntax's to refuse. */
	CHECK_EQ(parse(VM0 "vm0.affinity =\n"), CONFIG_E_SYNTAX);
	CHECK_EQ(count, 0);
	fails(TEXT(VM0 "vm0.affinity = %s\n", repeat('1', 512)), VMCONFIG_E_VALUE,
	      "vm0.affinity: far too long to be a CPU list");
}

static void test_pinned(void)
{
	ok(VM0 "vm0.pinned = on\n", 1);
	CHECK(vms[0].pinned);
	ok(VM0 "vm0.pinned = off\n", 1);
	CHECK(!vms[0].pinned);
	fails(VM0 "vm0.pinned = yes\n", VMCONFIG_E_VALUE,
	      "vm0.pinned: 'yes' is neither off nor on");
	fails(VM0 "vm0.pinned = ON\n", VMCONFIG_E_VALUE,
	      "vm0.pinned: 'ON' is neither off nor on");
	/* Any order; how many CPUs a pinned VM gets is the hypervisor's to
	 * check, against the CPUs the machine has. */
	ok(VM0 "vm0.pinned = on\nvm0.affinity = 0-1,3\nvm0.cpus = 16\n", 1);
	CHECK(vms[0].pinned);
	CHECK_EQ(vms[0].affinity, 0xb);
	CHECK_EQ(vms[0].cpus, 16);
}

static void test_cmdline(void)
{
	/* 511 bytes fit; 512, and far more, do not. */
	ok(TEXT(VM0 "vm0.cmdline = %s\n", repeat('c', 511)), 1);
	CHECK_EQ(strlen(vms[0].cmdline), 511);
	fails(TEXT(VM0 "vm0.cmdline = %s\n", repeat('c', 512)), VMCONFIG_E_VALUE,
	      "vm0.cmdline: longer than 511 bytes");
	fails(TEXT(VM0 "vm0.cmdline = %s\n", repeat('c', 1000)), VMCONFIG_E_VALUE,
	      "vm0.cmdline: longer than 511 bytes");
}

static void test_ecam_and_identity(void)
{
	ok(VM0, 1);
	CHECK(!vms[0].ecam_passthrough);
	CHECK(!vms[0].identity);
	ok(VM0 "vm0.ecam = passthrough\nvm0.identity = on\n", 1);
	CHECK(vms[0].ecam_passthrough);
	CHECK(vms[0].identity);
	ok(VM0 "vm0.ecam = none\nvm0.identity = off\n", 1);
	CHECK(!vms[0].ecam_passthrough);
	CHECK(!vms[0].identity);
	fails(VM0 "vm0.ecam = yes\n", VMCONFIG_E_VALUE,
	      "vm0.ecam: 'yes' is neither none nor passthrough");
	fails(VM0 "vm0.identity = 1\n", VMCONFIG_E_VALUE,
	      "vm0.identity: '1' is neither off nor on");
	fails(TEXT(VM0 "vm0.identity = %s\n", repeat('o', 600)), VMCONFIG_E_VALUE,
	      "vm0.identity: '(a long value)' is neither off nor on");
}

static void test_console(void)
{
	/* Default: the keyboard goes to the PL011. */
	ok(VM0 "vm1.kernel = k\n", 2);
	CHECK(!vms[0].console_virtio);
	CHECK(!vms[1].console_virtio);
	ok(VM0 "vm0.console = virtio\nvm1.kernel = k\nvm1.console = pl011\n", 2);
	CHECK(vms[0].console_virtio);
	CHECK(!vms[1].console_virtio);
	fails(VM0 "vm0.console = hvc0\n", VMCONFIG_E_VALUE,
	      "vm0.console: 'hvc0' is neither pl011 nor virtio");
	fails(VM0 "vm0.console = PL011\n", VMCONFIG_E_VALUE,
	      "vm0.console: 'PL011' is neither pl011 nor virtio");
	fails(VM0 "vm0.console = virtio\nvm0.console = pl011\n", CONFIG_E_DUPLICATE,
	      "line 3: duplicate key 'vm0.console' (first set on line 2)");
}

static void test_backdoor_el0(void)
{
	/* Default: EL0 gets VMware's commands only. */
	ok(VM0 "vm1.kernel = k\n", 2);
	CHECK(!vms[0].backdoor_el0_all);
	CHECK(!vms[1].backdoor_el0_all);
	ok(VM0 "vm0.backdoor_el0 = all\nvm1.kernel = k\nvm1.backdoor_el0 = vmware\n", 2);
	CHECK(vms[0].backdoor_el0_all);
	CHECK(!vms[1].backdoor_el0_all);
	fails(VM0 "vm0.backdoor_el0 = on\n", VMCONFIG_E_VALUE,
	      "vm0.backdoor_el0: 'on' is neither vmware nor all");
	fails(VM0 "vm0.backdoor_el0 = ALL\n", VMCONFIG_E_VALUE,
	      "vm0.backdoor_el0: 'ALL' is neither vmware nor all");
}

static void test_name(void)
{
	ok(TEXT(VM0 "vm0.name = %s\n", repeat('n', 31)), 1);
	CHECK_EQ(strlen(vms[0].name), 31);
	fails(TEXT(VM0 "vm0.name = %s\n", repeat('n', 32)), VMCONFIG_E_VALUE,
	      "vm0.name: longer than 31 characters");
	fails(VM0 "vm0.name = my vm\n", VMCONFIG_E_VALUE,
	      "vm0.name: 'my vm' has characters outside A-Z a-z 0-9 . _ + -");
	fails("vm0.kernel = a\nvm0.name = web\nvm1.kernel = a\nvm1.name = web\n",
	      VMCONFIG_E_DUPLICATE, "vm1: name 'web' is already vm0's");
	/* A default name counts too. */
	fails("vm0.kernel = a\nvm0.name = vm1\nvm1.kernel = a\n", VMCONFIG_E_DUPLICATE,
	      "vm1: name 'vm1' is already vm0's");
	ok("vm0.kernel = a\nvm0.name = vm1\nvm1.kernel = a\nvm1.name = vm0\n", 2);
}

static void test_guestinfo(void)
{
	char *p = text;
	size_t left = sizeof(text);
	int n;

	/* Up to 32 keys per VM, and each VM has its own 32. */
	n = snprintf(p, left, "vm0.kernel = a\nvm1.kernel = b\n");
	for (int vm = 0; vm < 2; vm++) {
		for (int i = 0; i < VMCONFIG_GUESTINFO_MAX; i++) {
			p += n;
			left -= (size_t)n;
			n = snprintf(p, left, "vm%d.guestinfo.k%d = v%d\n", vm, i, i);
		}
	}
	ok(text, 2);
	CHECK_EQ(vms[0].guestinfo_count, 32);
	CHECK_EQ(vms[1].guestinfo_count, 32);
	CHECK(strcmp(vms[1].guestinfo[31].key, "k31") == 0);
	CHECK(strcmp(vms[1].guestinfo[31].value, "v31") == 0);
	p += n;
	left -= (size_t)n;
	snprintf(p, left, "vm1.guestinfo.one-more = x\n");
	fails(text, VMCONFIG_E_LIMIT,
	      "vm1.guestinfo.one-more: more than 32 guestinfo keys for vm1");

	/* The longest key a config line allows: 63 - strlen("vm0.guestinfo."). */
	ok(TEXT(VM0 "vm0.guestinfo.%s = v\n", repeat('g', VMCONFIG_GUESTINFO_KEY_MAX)),
	   1);
	CHECK_EQ(strlen(vms[0].guestinfo[0].key), 49);
	fails(TEXT(VM0 "vm0.guestinfo.%s = v\n", repeat('g', 50)), CONFIG_E_SYNTAX,
	      "line 2: key is longer than 63 characters");

	ok(TEXT(VM0 "vm0.guestinfo.k = %s\n", repeat('v', 255)), 1);
	CHECK_EQ(strlen(vms[0].guestinfo[0].value), 255);
	fails(TEXT(VM0 "vm0.guestinfo.k = %s\n", repeat('v', 256)), VMCONFIG_E_VALUE,
	      "vm0.guestinfo.k: longer than 255 bytes");
	fails(TEXT(VM0 "vm0.guestinfo.k = %s\n", repeat('v', 900)), VMCONFIG_E_VALUE,
	      "vm0.guestinfo.k: longer than 255 bytes");
}

/* The text as a whole goes through config_check first. */
static void test_config_errors(void)
{
	fails("vm0.kernel = a\nvm0.kernel = b\n", CONFIG_E_DUPLICATE,
	      "line 2: duplicate key 'vm0.kernel' (first set on line 1)");
	fails("vm0.kernel = a\nvm0.Mem = 4M\n", CONFIG_E_SYNTAX,
	      "line 2: invalid character 'M' in key (allowed: a-z 0-9 . _ -)");
	fails("vm0.kernel =\n", CONFIG_E_SYNTAX, "line 1: key 'vm0.kernel' has no value");
	/* A bad line after the VM keys is still found. */
	fails("vm0.kernel = a\nname\n", CONFIG_E_SYNTAX,
	      "line 2: expected '=' after key 'name'");
}

static void test_arguments(void)
{
	char *p = strdup(VM0);
	char small[12];

	CHECK_EQ(vmconfig_parse(p, strlen(p), vms, 8, NULL, err, sizeof(err)),
		 CONFIG_E_INVAL);
	CHECK_EQ(vmconfig_parse(p, strlen(p), NULL, 8, &count, err, sizeof(err)),
		 CONFIG_E_INVAL);
	CHECK_EQ(vmconfig_parse(NULL, 3, vms, 8, &count, err, sizeof(err)),
		 CONFIG_E_INVAL);
	/* No message wanted, and a message cut to the buffer. */
	CHECK_EQ(vmconfig_parse(p, strlen(p), vms, 8, &count, NULL, 0), 0);
	CHECK_EQ(count, 1);
	free(p);
	p = strdup("vm0.mem = 4M\n");
	CHECK_EQ(vmconfig_parse(p, strlen(p), vms, 8, &count, NULL, 0),
		 VMCONFIG_E_MISSING);
	CHECK_EQ(vmconfig_parse(p, strlen(p), vms, 8, &count, small, sizeof(small)),
		 VMCONFIG_E_MISSING);
	CHECK(strcmp(small, "vm0: no ker") == 0);
	free(p);
}

/* Every prefix of a text is a valid buffer end; none may read past it. */
static void test_every_prefix(void)
{
	static const char s[] = "vm0.kernel = linux\n"
				"vm0.mem = 256M\n"
				"vm0.guestinfo.k = v\n"
				"vm1.kernel = b\n"
				"vm1.cpus = 2";

	for (size_t n = 0; n <= sizeof(s) - 1; n++) {
		char *p = malloc(n ? n : 1);

		memcpy(p, s, n);
		vmconfig_parse(p, n, vms, 8, &count, err, sizeof(err));
		free(p);
	}
	CHECK_EQ(count, 2);
}

/* The shipped default configuration has no VMs, and parses. */
static void test_default_cfg(void)
{
	FILE *f = fopen("configs/default.cfg", "rb");
	char buf[4096];
	size_t n;

	CHECK(f != NULL);
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	CHECK_EQ(vmconfig_parse(buf, n, vms, 8, &count, err, sizeof(err)), 0);
	CHECK_EQ(count, 0);
}

int main(void)
{
	RUN(test_no_vms);
	RUN(test_defaults);
	RUN(test_full);
	RUN(test_eight_vms);
	RUN(test_numbering);
	RUN(test_max_vms);
	RUN(test_unknown_keys);
	RUN(test_kernel);
	RUN(test_initrd);
	RUN(test_mem);
	RUN(test_kernel_offset);
	RUN(test_cpus);
	RUN(test_shares);
	RUN(test_affinity);
	RUN(test_pinned);
	RUN(test_cmdline);
	RUN(test_ecam_and_identity);
	RUN(test_console);
	RUN(test_backdoor_el0);
	RUN(test_disks);
	RUN(test_disk_images);
	RUN(test_name);
	RUN(test_guestinfo);
	RUN(test_config_errors);
	RUN(test_arguments);
	RUN(test_every_prefix);
	RUN(test_default_cfg);
	UNIT_DONE();
}
