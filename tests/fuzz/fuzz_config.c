/*
 * libFuzzer target for the boot configuration's readers: the text syntax
 * (lib/image/config.c), the VM settings (lib/image/vmconfig.c) and the boot mode
 * (lib/image/bootmode.c). The input is the configuration text, unterminated, in
 * an exact-size buffer, as the bundle hands it over. What must hold:
 * - text config_check() accepts walks with config_next() without an
 *   error, every key and value of the documented form, and config_get()
 *   agrees with the walk (no key twice);
 * - VMs that vmconfig_parse() accepts have every value in its documented
 *   range (lib/image/vmconfig.h), unique names; a refusal leaves no VM;
 * - bootmode_parse() gives a valid mode, native settings only in native
 *   mode, and hypervisor mode with nothing set on a refusal;
 * - every error line is terminated within its buffer;
 * and nothing reads outside the text (ASan).
 *
 * fuzz-libs: lib/image/config.c lib/image/vmconfig.c lib/image/bootmode.c
 * lib/image/bundle.c lib/crc32.c lib/fmt.c
 */
#include <lib/image/bootmode.h>
#include <lib/image/config.h>
#include <lib/image/vmconfig.h>

#include "fuzz.h"

static int key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-';
}

static void check_value(const char *key, const char *v)
{
	size_t n = strlen(v);

	FUZZ_CHECK(n > 0, "%s: empty value", key);
	FUZZ_CHECK(v[0] != ' ' && v[0] != '\t' && v[n - 1] != ' ' && v[n - 1] != '\t',
		   "%s: value not trimmed", key);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(v[i] != '#' && ((unsigned char)v[i] >= 0x20 || v[i] == '\t') &&
				   v[i] != 0x7f,
			   "%s: value byte 0x%02x", key, (unsigned char)v[i]);
}

static void walk(const char *text, size_t len)
{
	char key[CONFIG_KEY_MAX + 1];
	char *value = malloc(len + 1), *again = malloc(len + 1);
	size_t cursor = 0, settings = 0;
	int r;

	if (!value || !again)
		abort();
	while ((r = config_next(text, len, &cursor, key, sizeof(key), value, len + 1)) ==
	       1) {
		size_t k = strlen(key);

		FUZZ_CHECK(k >= 1 && k <= CONFIG_KEY_MAX, "key length %zu", k);
		for (size_t i = 0; i < k; i++)
			FUZZ_CHECK(key_char(key[i]), "key '%s'", key);
		check_value(key, value);
		FUZZ_CHECK(config_get(text, len, key, again, len + 1) ==
					   (int)strlen(value) &&
				   strcmp(again, value) == 0,
			   "config_get('%s') disagrees with the walk", key);
		FUZZ_CHECK(cursor <= len && ++settings <= len, "cursor %zu of %zu",
			   cursor, len);
	}
	FUZZ_CHECK(r == 0, "walk of checked text failed with %d at %zu", r, cursor);
	free(value);
	free(again);
}

static void check_vms(const char *text, size_t len)
{
	static struct vm_config vms[VMCONFIG_MAX_VMS];
	unsigned count = 99;
	char err[160];
	int r;

	memset(err, 0x5a, sizeof(err));
	r = vmconfig_parse(text, len, vms, VMCONFIG_MAX_VMS, &count, err, sizeof(err));
	if (r) {
		FUZZ_CHECK(r < 0 && count == 0, "refusal %d with %u VMs", r, count);
		FUZZ_CHECK(fz_terminated(err, sizeof(err)), "error line unterminated");
		return;
	}
	FUZZ_CHECK(count <= VMCONFIG_MAX_VMS, "%u VMs", count);
	for (unsigned i = 0; i < count; i++) {
		const struct vm_config *v = &vms[i];

		FUZZ_CHECK(fz_terminated(v->name, sizeof(v->name)) &&
				   bundle_name_valid(v->name),
			   "vm%u name", i);
		FUZZ_CHECK(fz_terminated(v->kernel, sizeof(v->kernel)) &&
				   bundle_name_valid(v->kernel),
			   "vm%u kernel", i);
		FUZZ_CHECK(fz_terminated(v->initrd, sizeof(v->initrd)) &&
				   (!v->initrd[0] || bundle_name_valid(v->initrd)),
			   "vm%u initrd", i);
		FUZZ_CHECK(v->mem >= VMCONFIG_MEM_MIN && v->mem <= VMCONFIG_MEM_MAX &&
				   v->mem % VMCONFIG_MEM_ALIGN == 0,
			   "vm%u mem 0x%llx", i, (unsigned long long)v->mem);
		FUZZ_CHECK(v->cpus >= 1 && v->cpus <= VMCONFIG_MAX_CPUS, "vm%u cpus %u",
			   i, v->cpus);
		FUZZ_CHECK(v->shares >= 1 && v->shares <= VMCONFIG_SHARES_MAX,
			   "vm%u shares %u", i, v->shares);
		FUZZ_CHECK(fz_terminated(v->cmdline, sizeof(v->cmdline)), "vm%u cmdline",
			   i);
		FUZZ_CHECK(v->guestinfo_count <= VMCONFIG_GUESTINFO_MAX,
			   "vm%u guestinfo %u", i, v->guestinfo_count);
		for (unsigned g = 0; g < v->guestinfo_count; g++) {
			const struct vm_guestinfo *e = &v->guestinfo[g];

			FUZZ_CHECK(fz_terminated(e->key, sizeof(e->key)) && e->key[0],
				   "vm%u guestinfo %u key", i, g);
			for (size_t c = 0; e->key[c]; c++)
				FUZZ_CHECK(key_char(e->key[c]), "vm%u guestinfo key '%s'",
					   i, e->key);
			FUZZ_CHECK(fz_terminated(e->value, sizeof(e->value)),
				   "vm%u guestinfo %u value", i, g);
		}
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(v->name, vms[j].name) != 0,
				   "vm%u and vm%u named '%s'", j, i, v->name);
	}
}

static void check_mode(const char *text, size_t len)
{
	static struct bootmode_config bm;
	char err[160];
	int r;

	memset(&bm, 0x5a, sizeof(bm));
	memset(err, 0x5a, sizeof(err));
	r = bootmode_parse(text, len, &bm, err, sizeof(err));
	FUZZ_CHECK(fz_terminated(bm.kernel, sizeof(bm.kernel)) &&
			   fz_terminated(bm.initrd, sizeof(bm.initrd)) &&
			   fz_terminated(bm.cmdline, sizeof(bm.cmdline)),
		   "unterminated setting (%d)", r);
	if (r) {
		FUZZ_CHECK(r < 0 && fz_terminated(err, sizeof(err)), "refusal %d", r);
		FUZZ_CHECK(bm.mode == BOOT_MODE_HYPERVISOR && !bm.kernel[0] &&
				   !bm.initrd[0] && !bm.cmdline[0],
			   "a refusal left settings");
		return;
	}
	if (bm.mode == BOOT_MODE_NATIVE) {
		FUZZ_CHECK(bundle_name_valid(bm.kernel), "native kernel '%s'", bm.kernel);
		FUZZ_CHECK(!bm.initrd[0] || bundle_name_valid(bm.initrd),
			   "native initrd");
	} else {
		FUZZ_CHECK(bm.mode == BOOT_MODE_HYPERVISOR, "mode %d", (int)bm.mode);
		FUZZ_CHECK(!bm.kernel[0] && !bm.initrd[0] && !bm.cmdline[0],
			   "native settings in hypervisor mode");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char err[96];
	uint64_t v;
	int r;

	memset(err, 0x5a, sizeof(err));
	r = config_check(text, size, err, sizeof(err));
	FUZZ_CHECK(r <= 0 && fz_terminated(err, sizeof(err)), "config_check %d", r);
	if (r == 0)
		walk(text, size);
	check_vms(text, size);
	check_mode(text, size);
	/* Numbers as the readers take them, from the raw bytes. */
	r = config_parse_u64(text, size < 32 ? size : 32, &v);
	FUZZ_CHECK(r == 0 || r == CONFIG_E_NUMBER || r == CONFIG_E_RANGE, "parse_u64 %d",
		   r);
	return 0;
}
