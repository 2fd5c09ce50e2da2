/*
 * The VM part of the boot configuration (lib/image/config.h has the syntax):
 *
 *   vmN.name = NAME           optional, default "vmN"; 1 to 31 characters
 *                             from A-Z a-z 0-9 . _ + -, unique among VMs
 *   vmN.kernel = PAYLOAD      required: a BUNDLE_KERNEL payload's name
 *   vmN.initrd = PAYLOAD      optional: a BUNDLE_INITRD payload's name
 *   vmN.kernel_offset = OFF   optional: the kernel is a raw image (no
 *                             arm64 Image header), loaded and entered at
 *                             RAM base + OFF, a multiple of 4 KiB below
 *                             64 GiB (QEMU's -kernel uses 0x80000); without
 *                             it the kernel must be an arm64 Image
 *   vmN.mem = SIZE            optional, default 128M; bytes, with an
 *                             optional K, M or G; a multiple of 2 MiB
 *                             from 4 MiB (the last 2 MiB hold the DT) to
 *                             64 GiB
 *   vmN.cpus = COUNT          optional, default 1; 1 to 16 vCPUs, which
 *                             may be more than the machine's CPUs
 *   vmN.shares = WEIGHT       optional, default 1000; 1 to 100000: the
 *                             weight of each of the VM's vCPUs when vCPUs
 *                             share CPUs (a vCPU with twice the shares
 *                             gets twice the CPU time under contention)
 *   vmN.affinity = CPUS       optional, default: any CPU; the CPUs the
 *                             VM's vCPUs may run on, as a list of CPU
 *                             numbers N and ranges A-B (A <= B) from 0 to
 *                             63, separated by commas, without blanks or
 *                             empty items: "0", "0-1,3". Items may overlap;
 *                             the set is their union. Whether the machine
 *                             has those CPUs is the hypervisor's to check
 *   vmN.pinned = on           optional, default off: each vCPU owns one
 *                             CPU that runs nothing else; whether there
 *                             are enough CPUs is the hypervisor's to check
 *   vmN.cmdline = TEXT        optional; at most 511 bytes
 *   vmN.guestinfo.KEY = TEXT  optional, at most 32 per VM; KEY from
 *                             a-z 0-9 . _ -, values at most 255 bytes
 *   vmN.ecam = passthrough    optional, default none: the monitor's
 *                             emulated ECAM window and its shim devices
 *                             (their registers and interrupts) belong to
 *                             this VM, at their physical addresses
 *   vmN.identity = on         optional, default off: the VM's RAM sits at
 *                             the physical addresses that back it (IPA =
 *                             PA), so devices given to it can DMA into it
 *   vmN.backdoor_el0 = all    optional, default vmware: which backdoor
 *                             commands the VM's EL0 may call; vmware: only
 *                             VMware's (GETVERSION, MESSAGE), all: the
 *                             project's own too (console, test exit, ...)
 *   vmN.disk = DISKS          optional: the VM's virtio disks, in order
 *                             (/dev/vda, vdb, ...), as a list of items
 *                             LABEL, LABEL:ro, image:NAME or
 *                             image:NAME:ro separated by commas, at most
 *                             VMCONFIG_MAX_DISKS; LABEL names a partition
 *                             of the datastore (its GPT name, 1 to 36
 *                             characters from A-Z a-z 0-9 . _ + -),
 *                             image:NAME a RAM disk, the BUNDLE_DISK
 *                             payload NAME (a payload name); :ro makes it
 *                             read-only; a disk at most once per VM. The
 *                             prefix "image:" always means a RAM disk, so
 *                             "image:ro" is the image "ro", read-write.
 *                             Whether the disk or the bundle has it, and
 *                             whether another VM writes it, is the
 *                             hypervisor's to check
 *   vmN.console = DEVICE      optional, default pl011: which of the VM's
 *                             consoles gets the keyboard's input, pl011
 *                             (ttyAMA0) or virtio (its virtio console,
 *                             hvc0); the output of both is shown always
 *
 * N runs from 0 to 7, and the VMs present must be numbered consecutively
 * from 0. No VMs at all is valid: the hypervisor then has nothing to run.
 * Every key that starts with "vm" and a digit belongs to this parser and
 * must be one of the above; all other keys (name, test, ...) are left to
 * other readers.
 *
 * Payload names are only checked for form here; whether the bundle holds
 * them is for whoever has the bundle at hand to check.
 */
#ifndef LIB_VMCONFIG_H
#define LIB_VMCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lib/image/bundle.h>
#include <lib/image/config.h>

#define VMCONFIG_MAX_VMS 8
/* vCPUs of one VM; a VM may have more vCPUs than the machine has CPUs. */
#define VMCONFIG_MAX_CPUS 16
/* vmN.shares: the weight of each of the VM's vCPUs (docs/BOOT_IMAGE.md). */
#define VMCONFIG_SHARES_DEFAULT 1000
#define VMCONFIG_SHARES_MAX 100000
/* vmN.affinity names CPUs 0..63: one bit each in a uint64_t. */
#define VMCONFIG_AFFINITY_CPUS 64
#define VMCONFIG_NAME_MAX 31 /* a VM name, as a payload name */
/* vmN.disk: disks per VM, and a label's length (a GPT partition name
 * holds 36 UTF-16 code units, UEFI 2.10 section 5.3.3). */
#define VMCONFIG_MAX_DISKS 4
#define VMCONFIG_DISK_LABEL_MAX 36
/* vmN.disk's prefix for a RAM disk (image:NAME). */
#define VMCONFIG_DISK_IMAGE_PREFIX "image:"
#define VMCONFIG_CMDLINE_MAX 511
#define VMCONFIG_GUESTINFO_MAX 32 /* guestinfo keys per VM */
/*
 * A guestinfo key is what is left of a CONFIG_KEY_MAX-character config key
 * after "vmN.guestinfo.", so 49 characters.
 */
#define VMCONFIG_GUESTINFO_PREFIX_LEN 14
#define VMCONFIG_GUESTINFO_KEY_MAX (CONFIG_KEY_MAX - VMCONFIG_GUESTINFO_PREFIX_LEN)
#define VMCONFIG_GUESTINFO_VALUE_MAX 255

/* Guest memory is mapped with 2 MiB blocks, hence the granule. The
 * smallest VM has a block for its kernel and one for its device tree
 * (VM_DT_SLOT); whether its kernel and initrd fit is vm_layout_plan's to
 * say, with their sizes at hand. */
#define VMCONFIG_MEM_ALIGN (2ull << 20)
#define VMCONFIG_MEM_MIN (2 * VMCONFIG_MEM_ALIGN)
#define VMCONFIG_KERNEL_OFFSET_ALIGN 0x1000ull
#define VMCONFIG_MEM_MAX (64ull << 30)
#define VMCONFIG_MEM_DEFAULT (128ull << 20)

/*
 * Error codes, beyond the CONFIG_E_* that config_check() may return for
 * the text as a whole (syntax, duplicate keys); err says which key.
 */
#define VMCONFIG_E_KEY (-16)	   /* a vmN key that is not a known one */
#define VMCONFIG_E_VALUE (-17)	   /* a value that breaks its key's rule */
#define VMCONFIG_E_LIMIT (-18)	   /* VM number or guestinfo count too high */
#define VMCONFIG_E_MISSING (-19)   /* no kernel, or a gap in the numbering */
#define VMCONFIG_E_DUPLICATE (-20) /* two VMs with one name */

struct vm_guestinfo {
	char key[VMCONFIG_GUESTINFO_KEY_MAX + 1];
	char value[VMCONFIG_GUESTINFO_VALUE_MAX + 1];
};

/* A virtio disk of a VM: a datastore partition by its label, or (image)
 * a RAM disk by its BUNDLE_DISK payload's name. */
struct vm_disk {
	char label[VMCONFIG_DISK_LABEL_MAX + 1];
	bool read_only;
	bool image; /* image:NAME: label is the payload's name */
};

/* One VM; strings are NUL-terminated, "" when not given. About 10 KiB. */
struct vm_config {
	char name[VMCONFIG_NAME_MAX + 1];
	char kernel[BUNDLE_NAME_SIZE];
	char initrd[BUNDLE_NAME_SIZE];
	bool kernel_raw;	/* vmN.kernel_offset given */
	uint64_t kernel_offset; /* its value */
	uint64_t mem;		/* bytes */
	unsigned int cpus;
	uint32_t shares;   /* 1..VMCONFIG_SHARES_MAX, per vCPU */
	uint64_t affinity; /* bit n: may run on CPU n; 0: on any CPU */
	bool pinned;	   /* vmN.pinned = on: each vCPU owns a CPU */
	char cmdline[VMCONFIG_CMDLINE_MAX + 1];
	unsigned int guestinfo_count;
	struct vm_guestinfo guestinfo[VMCONFIG_GUESTINFO_MAX]; /* in text order */
	bool ecam_passthrough; /* vmN.ecam = passthrough */
	bool identity;	       /* vmN.identity = on */
	bool backdoor_el0_all; /* vmN.backdoor_el0 = all */
	unsigned int disk_count;
	struct vm_disk disks[VMCONFIG_MAX_DISKS]; /* vmN.disk, in order */
	bool console_virtio;			  /* vmN.console = virtio */
};

/*
 * Checks the whole text with config_check(), then reads the VMs into
 * vms[0..*count), which has room for max_vms (more than VMCONFIG_MAX_VMS
 * are never used). Returns 0, CONFIG_E_INVAL for NULL arguments, a code
 * from config_check() with its "line N: ..." message, or a VMCONFIG_E_*
 * code with one line naming the key, such as
 * "vm1.mem: 3M is not a multiple of 2 MiB" or "vm0: no kernel", in err
 * (when errlen > 0). On failure *count is 0, so nothing is run by mistake.
 */
int vmconfig_parse(const char *text, size_t len, struct vm_config *vms,
		   unsigned int max_vms, unsigned int *count, char *err, size_t errlen);

#endif
