/*
 * What the platform boots as its system software, from the boot
 * configuration (lib/image/config.h has the syntax):
 *
 *   mode = hypervisor | native  optional, default hypervisor: the bootloader
 *                               starts the hypervisor, which runs the VMs of
 *                               the vmN.* keys (lib/image/vmconfig.h)
 *   native.kernel = PAYLOAD     native mode, required: a BUNDLE_KERNEL
 *                               payload, an arm64 Linux Image, which the
 *                               bootloader starts at EL2 in place of the
 *                               hypervisor
 *   native.initrd = PAYLOAD     native mode, optional: a BUNDLE_INITRD payload
 *   native.cmdline = TEXT       native mode, optional: the kernel command
 *                               line, at most 2047 bytes
 *
 * native.* keys need mode = native, and native mode takes no VMs (vmN.*)
 * and no hypervisor self-test (test): both would be silently ignored
 * otherwise. Other keys (name, ...) are left to their readers. Payload
 * names are checked for their form only; whoever has the bundle checks
 * that they are there.
 */
#ifndef LIB_BOOTMODE_H
#define LIB_BOOTMODE_H

#include <stddef.h>

#include <lib/image/bundle.h>

/* Linux's arm64 COMMAND_LINE_SIZE is 2048 bytes with the NUL. */
#define BOOTMODE_CMDLINE_MAX 2047

enum boot_mode {
	BOOT_MODE_HYPERVISOR = 0,
	BOOT_MODE_NATIVE,
};

#define BOOTMODE_E_VALUE (-24)	  /* a value that breaks its key's rule */
#define BOOTMODE_E_KEY (-25)	  /* an unknown native.* key */
#define BOOTMODE_E_CONFLICT (-26) /* a key that does not go with the mode */
#define BOOTMODE_E_MISSING (-27)  /* native mode without a kernel */

struct bootmode_config {
	enum boot_mode mode;
	/* Native mode only; "" when not given. */
	char kernel[BUNDLE_NAME_SIZE];
	char initrd[BUNDLE_NAME_SIZE];
	char cmdline[BOOTMODE_CMDLINE_MAX + 1];
};

/*
 * Checks the whole text with config_check(), then reads the keys above
 * into *out. Returns 0, CONFIG_E_INVAL for NULL arguments, a code from
 * config_check() with its "line N: ..." message, or a BOOTMODE_E_* code
 * with one line naming the key in err (when errlen > 0), such as
 * "mode: 'nativ' is not hypervisor or native" or "vm0.kernel: VMs are
 * not run in native mode". On failure *out says hypervisor mode with no
 * native settings.
 */
int bootmode_parse(const char *text, size_t len, struct bootmode_config *out, char *err,
		   size_t errlen);

/* "hypervisor" or "native". */
const char *boot_mode_name(enum boot_mode mode);

#endif
