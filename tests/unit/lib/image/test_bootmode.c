/*
 * The boot mode keys. As in test_config.c, every text is handed over in a
 * heap buffer of exactly its length with no NUL after it, so ASan reports
 * any read past the end. Error messages are compared whole: naming the key
 * is the point of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/image/bootmode.h>
#include <lib/image/config.h>

#include "unit.h"

static struct bootmode_config cfg;
static char err[256];

static int parse(const char *s)
{
	size_t len = strlen(s);
	char *p = malloc(len ? len : 1);
	int ret;

	memcpy(p, s, len);
	memset(err, 'x', sizeof(err));
	memset(&cfg, 0x5a, sizeof(cfg));
	ret = bootmode_parse(p, len, &cfg, err, sizeof(err));
	free(p);
	return ret;
}

static void fails_at(const char *s, int code, const char *want, int line)
{
	int ret = parse(s);

	if (ret != code || strcmp(err, want))
		printf("  (line %d: got %d \"%s\", want %d \"%s\")\n", line, ret, err,
		       code, want);
	CHECK_EQ(ret, code);
	CHECK(strcmp(err, want) == 0);
	/* A failed parse says hypervisor mode with nothing native in it. */
	CHECK_EQ(cfg.mode, BOOT_MODE_HYPERVISOR);
	CHECK_EQ(cfg.kernel[0], 0);
	CHECK_EQ(cfg.cmdline[0], 0);
}

#define fails(s, code, want) fails_at(s, code, want, __LINE__)

static void hypervisor_by_default(void)
{
	CHECK_EQ(parse(""), 0);
	CHECK_EQ(cfg.mode, BOOT_MODE_HYPERVISOR);
	CHECK_EQ(err[0], 0);
	CHECK_EQ(parse("name = default\nvm0.kernel = linux\ntest = psci\n"), 0);
	CHECK_EQ(cfg.mode, BOOT_MODE_HYPERVISOR);
	CHECK_EQ(cfg.kernel[0], 0);
	CHECK_EQ(parse("mode = hypervisor\nvm0.kernel = linux\n"), 0);
	CHECK_EQ(cfg.mode, BOOT_MODE_HYPERVISOR);
	CHECK(!strcmp(boot_mode_name(BOOT_MODE_HYPERVISOR), "hypervisor"));
	CHECK(!strcmp(boot_mode_name(BOOT_MODE_NATIVE), "native"));
}

static void native_settings(void)
{
	/* mode may come after the keys it governs. */
	CHECK_EQ(parse("name = n\n"
		       "native.kernel = native-kernel\n"
		       "native.initrd = native-initrd   # a comment\n"
		       "native.cmdline = console=ttyAMA0 hvtest=disk root=/dev/sda\n"
		       "mode = native\n"),
		 0);
	CHECK_EQ(cfg.mode, BOOT_MODE_NATIVE);
	CHECK(!strcmp(cfg.kernel, "native-kernel"));
	CHECK(!strcmp(cfg.initrd, "native-initrd"));
	CHECK(!strcmp(cfg.cmdline, "console=ttyAMA0 hvtest=disk root=/dev/sda"));

	/* The initrd and the command line are optional. */
	CHECK_EQ(parse("mode = native\nnative.kernel = k\n"), 0);
	CHECK(!strcmp(cfg.kernel, "k"));
	CHECK_EQ(cfg.initrd[0], 0);
	CHECK_EQ(cfg.cmdline[0], 0);
}

static void cmdline_length(void)
{
	static char text[4096];
	char *p;

	/* 2047 bytes is the most Linux takes. */
	p = text + sprintf(text, "mode = native\nnative.kernel = k\nnative.cmdline = ");
	memset(p, 'c', BOOTMODE_CMDLINE_MAX);
	strcpy(p + BOOTMODE_CMDLINE_MAX, "\n");
	CHECK_EQ(parse(text), 0);
	CHECK_EQ(strlen(cfg.cmdline), BOOTMODE_CMDLINE_MAX);

	memset(p, 'c', BOOTMODE_CMDLINE_MAX + 1);
	strcpy(p + BOOTMODE_CMDLINE_MAX + 1, "\n");
	fails(text, BOOTMODE_E_VALUE, "native.cmdline: longer than 2047 bytes");

	/* Far longer than the value buffer: still that message. */
	memset(p, 'c', 3000);
	strcpy(p + 3000, "\n");
	fails(text, BOOTMODE_E_VALUE, "native.cmdline: longer than 2047 bytes");

	/* A long value of someone else's key is not ours to judge. */
	p = text + sprintf(text, "mode = native\nnative.kernel = k\nname = ");
	memset(p, 'n', 3000);
	strcpy(p + 3000, "\n");
	CHECK_EQ(parse(text), 0);
}

static void bad_values(void)
{
	fails("mode = nativ\n", BOOTMODE_E_VALUE,
	      "mode: 'nativ' is not hypervisor or native");
	fails("mode = Native\n", BOOTMODE_E_VALUE,
	      "mode: 'Native' is not hypervisor or native");
	fails("mode = native-and-more-than-fifteen\n", BOOTMODE_E_VALUE,
	      "mode: not hypervisor or native (too long)");
	fails("mode = native\nnative.kernel = my kernel\n", BOOTMODE_E_VALUE,
	      "native.kernel: payload name 'my kernel' has characters outside A-Z a-z "
	      "0-9 "
	      ". _ + -");
	fails("mode = native\nnative.kernel = k\nnative.initrd = "
	      "abcdefghijabcdefghijabcdefghij12\n",
	      BOOTMODE_E_VALUE, "native.initrd: payload name longer than 31 characters");
	fails("mode = native\nnative.kernel = k\nnative.kernels = k\n", BOOTMODE_E_KEY,
	      "native.kernels: unknown key");
}

static void conflicts(void)
{
	fails("native.kernel = k\n", BOOTMODE_E_CONFLICT,
	      "native.kernel: native settings need mode = native");
	fails("mode = hypervisor\nnative.cmdline = x\n", BOOTMODE_E_CONFLICT,
	      "native.cmdline: native settings need mode = native");
	fails("mode = native\nnative.kernel = k\nvm0.kernel = linux\n",
	      BOOTMODE_E_CONFLICT, "vm0.kernel: VMs are not run in native mode");
	fails("vm3.mem = 64M\nmode = native\nnative.kernel = k\n", BOOTMODE_E_CONFLICT,
	      "vm3.mem: VMs are not run in native mode");
	fails("mode = native\nnative.kernel = k\ntest = psci\n", BOOTMODE_E_CONFLICT,
	      "test: the hypervisor's self-tests are not run in native mode");
	/* "vm" without a digit is not a VM key. */
	CHECK_EQ(parse("mode = native\nnative.kernel = k\nvmx = 1\n"), 0);
}

static void missing_kernel(void)
{
	fails("mode = native\n", BOOTMODE_E_MISSING,
	      "native: no kernel (native.kernel = PAYLOAD)");
	fails("mode = native\nnative.initrd = i\n", BOOTMODE_E_MISSING,
	      "native: no kernel (native.kernel = PAYLOAD)");
}

static void syntax_first(void)
{
	fails("mode native\n", CONFIG_E_SYNTAX, "line 1: expected '=' after key 'mode'");
	fails("mode = native\nmode = native\n", CONFIG_E_DUPLICATE,
	      "line 2: duplicate key 'mode' (first set on line 1)");
	CHECK_EQ(bootmode_parse("", 0, NULL, err, sizeof(err)), CONFIG_E_INVAL);
}

int main(void)
{
	RUN(hypervisor_by_default);
	RUN(native_settings);
	RUN(cmdline_length);
	RUN(bad_values);
	RUN(conflicts);
	RUN(missing_kernel);
	RUN(syntax_first);
	UNIT_DONE();
}
