/*
 * The boot mode part of the boot configuration (lib/image/
 * bootmode.h). Untrusted text: every rule is checked here, and a message
 * names the key as written.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include <lib/image/bootmode.h>
#include <lib/image/config.h>
#include <lib/fmt.h>

#define NATIVE_PREFIX "native."
/* Long enough for the longest value read here (the command line), and one more. */
#define VALUE_BUF (BOOTMODE_CMDLINE_MAX + 1)

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "vm" and a digit: a key of lib/image/vmconfig.c. */
static bool is_vm_key(const char *k)
{
	return starts_with(k, "vm") && k[2] >= '0' && k[2] <= '9';
}

const char *boot_mode_name(enum boot_mode mode)
{
	return mode == BOOT_MODE_NATIVE ? "native" : "hypervisor";
}

static int read_mode(const char *text, size_t len, enum boot_mode *mode, char *err,
		     size_t errlen)
{
	char v[16];
	int n = config_get(text, len, "mode", v, sizeof(v));

	*mode = BOOT_MODE_HYPERVISOR;
	if (n == CONFIG_E_MISSING)
		return 0;
	if (n >= 0 && !strcmp(v, "hypervisor"))
		return 0;
	if (n >= 0 && !strcmp(v, "native")) {
		*mode = BOOT_MODE_NATIVE;
		return 0;
	}
	if (n == CONFIG_E_SPACE)
		return fmt_error(err, errlen, BOOTMODE_E_VALUE,
				 "mode: not hypervisor or native (too long)");
	if (n < 0)
		return n;
	return fmt_error(err, errlen, BOOTMODE_E_VALUE,
			 "mode: '%s' is not hypervisor or native", v);
}

static int set_payload(const char *key, const char *value, bool too_long, char *out,
		       char *err, size_t errlen)
{
	if (too_long || strlen(value) > BUNDLE_NAME_SIZE - 1)
		return fmt_error(err, errlen, BOOTMODE_E_VALUE,
				 "%s: payload name longer than %d characters", key,
				 BUNDLE_NAME_SIZE - 1);
	if (!bundle_name_valid(value))
		return fmt_error(err, errlen, BOOTMODE_E_VALUE,
				 "%s: payload name '%s' has characters outside "
				 "A-Z a-z 0-9 . _ + -",
				 key, value);
	memcpy(out, value, strlen(value) + 1);
	return 0;
}

/* One setting of a native-mode configuration. */
static int apply_native(const char *key, const char *value, bool too_long,
			struct bootmode_config *out, char *err, size_t errlen)
{
	const char *field = key + strlen(NATIVE_PREFIX);

	if (!strcmp(field, "kernel"))
		return set_payload(key, value, too_long, out->kernel, err, errlen);
	if (!strcmp(field, "initrd"))
		return set_payload(key, value, too_long, out->initrd, err, errlen);
	if (!strcmp(field, "cmdline")) {
		if (too_long || strlen(value) > BOOTMODE_CMDLINE_MAX)
			return fmt_error(err, errlen, BOOTMODE_E_VALUE,
					 "%s: longer than %d bytes", key,
					 BOOTMODE_CMDLINE_MAX);
		memcpy(out->cmdline, value, strlen(value) + 1);
		return 0;
	}
	return fmt_error(err, errlen, BOOTMODE_E_KEY, "%s: unknown key", key);
}

static int walk(const char *text, size_t len, struct bootmode_config *out, char *err,
		size_t errlen)
{
	char key[CONFIG_KEY_MAX + 1], value[VALUE_BUF];
	bool native = out->mode == BOOT_MODE_NATIVE;
	size_t cursor = 0;
	int ret;

	for (;;) {
		ret = config_next(text, len, &cursor, key, sizeof(key), value,
				  sizeof(value));
		if (ret == 0)
			return 0;
		/* config_check passed and the key buffer is full size: only a
		 * value too long for the buffer can go wrong. */
		if (ret < 0 && ret != CONFIG_E_SPACE)
			return ret;
		if (starts_with(key, NATIVE_PREFIX)) {
			if (!native)
				return fmt_error(err, errlen, BOOTMODE_E_CONFLICT,
						 "%s: native settings need mode = native",
						 key);
			ret = apply_native(key, value, ret == CONFIG_E_SPACE, out, err,
					   errlen);
			if (ret)
				return ret;
		} else if (native && is_vm_key(key)) {
			return fmt_error(err, errlen, BOOTMODE_E_CONFLICT,
					 "%s: VMs are not run in native mode", key);
		} else if (native && !strcmp(key, "test")) {
			return fmt_error(
				err, errlen, BOOTMODE_E_CONFLICT,
				"test: the hypervisor's self-tests are not run in "
				"native mode");
		}
	}
}

int bootmode_parse(const char *text, size_t len, struct bootmode_config *out, char *err,
		   size_t errlen)
{
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return CONFIG_E_INVAL;
	memset(out, 0, sizeof(*out));
	ret = config_check(text, len, err, errlen);
	if (!ret)
		ret = read_mode(text, len, &out->mode, err, errlen);
	if (!ret)
		ret = walk(text, len, out, err, errlen);
	if (!ret && out->mode == BOOT_MODE_NATIVE && !out->kernel[0])
		ret = fmt_error(err, errlen, BOOTMODE_E_MISSING,
				"native: no kernel (native.kernel = PAYLOAD)");
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}
