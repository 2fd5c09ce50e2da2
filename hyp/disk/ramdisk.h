/*
 * RAM disks: a VM disk whose sectors are a BUNDLE_DISK payload of the boot
 * image (docs/BOOT_IMAGE.md), for machines with no disk the hypervisor
 * drives (sbsa-ref) and for scratch or read-only data disks anywhere. A VM
 * names one with `vmN.disk = image:NAME[:ro]`; its virtio-blk device
 * (hyp/vdev/vblk.c, hyp/virtio/blk.c) then reads and writes the payload's
 * bytes where the monitor loaded them, with a copy between the image and
 * the request's spans of guest RAM.
 *
 * - The payload memory stays the hypervisor's: it lies in the boot image,
 *   which the memory map keeps as MEM_BOOT_IMAGE, so it is never part of a
 *   VM's RAM (taken from free memory) and is mapped into no stage-2 table.
 *   A VM reaches it only through its device, a sector range at a time.
 * - An image is a whole number of 512-byte sectors, at least one
 *   (virtio 1.2, 5.2.4: capacity is in 512-byte sectors). mkbootimg
 *   refuses any other size; a bundle made otherwise is refused here, per
 *   VM, when a VM claims the image.
 * - Claims follow the datastore's rule (hyp/disk/datastore.h): an image is
 *   read-write to one VM alone, or read-only to any number of VMs.
 * - Writes change the payload in RAM: they are lost at power-off (and at a
 *   platform reset, which loads the boot image again). A VM restarted on
 *   its own (SYSTEM_RESET with other VMs running) keeps its claims, so it
 *   finds what it wrote, as it would on a real disk.
 *
 * Pure logic with no hypervisor dependency, host-tested
 * (tests/unit/hyp/disk/test_ramdisk.c): the caller fills a struct
 * ramdisk_set from the hand-off's payloads and logs what claims refuse.
 */
#ifndef HYP_DISK_RAMDISK_H
#define HYP_DISK_RAMDISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <arch/spinlock.h>
#include <hyp/virtio/blk.h>
#include <lib/image/bundle.h>

#define RAMDISK_SECTOR_SIZE 512u
/* Every payload of a bundle could be a disk image. */
#define RAMDISK_MAX BUNDLE_MAX_ENTRIES
/* Claims are kept as a bit per VM in a uint32_t. */
#define RAMDISK_MAX_VMS 32u

/* An image in the boot image, and who holds it. */
struct ramdisk_image {
	char name[BUNDLE_NAME_SIZE];
	uint8_t *data;	  /* the payload, where the hypervisor reaches it */
	uint64_t size;	  /* bytes, as the bundle says */
	uint8_t writer;	  /* the VM writing it, RAMDISK_MAX_VMS: none */
	uint32_t readers; /* bit n: VM n reads it */
};

/* All the images; claims from several CPUs are serialised by lock. */
struct ramdisk_set {
	spinlock_t lock;
	unsigned count;
	struct ramdisk_image img[RAMDISK_MAX];
};

/* One VM's disk on an image: the blk_backend's ctx for ramdisk_rw(). */
struct ramdisk {
	uint8_t *data;
	uint64_t sectors;
	bool read_only;
};

enum ramdisk_err {
	RAMDISK_OK = 0,
	RAMDISK_E_NONE,	   /* no image of that name */
	RAMDISK_E_SIZE,	   /* not a non-zero multiple of 512 bytes */
	RAMDISK_E_WRITTEN, /* another VM writes it */
	RAMDISK_E_IN_USE,  /* read-write asked, another VM reads it */
	RAMDISK_E_VM,	   /* vm_id out of range */
};

/* Empties s. */
void ramdisk_set_init(struct ramdisk_set *s);

/* Records the image name, size bytes at data (its size is checked when
 * a VM claims it). -1 if s is full or name not a payload name. */
int ramdisk_add(struct ramdisk_set *s, const char *name, void *data, uint64_t size);

/*
 * Gives VM vm_id the image called name, read-only or not, into *out.
 * Refuses an image that is not there, of a bad size, written by another
 * VM, or (read-write) read by another: then one line saying why, without
 * a trailing newline, in err (when errlen > 0), and *out untouched. A VM
 * asking again for what it holds is given it.
 */
enum ramdisk_err ramdisk_claim(struct ramdisk_set *s, unsigned vm_id, const char *name,
			       bool read_only, struct ramdisk *out, char *err,
			       size_t errlen);

/* Gives back every image VM vm_id holds (at its end). */
void ramdisk_release(struct ramdisk_set *s, unsigned vm_id);

/*
 * The blk_backend rw (hyp/virtio/blk.h) on ctx, a struct ramdisk: copies
 * between the image from sector on and the n spans' hypervisor addresses.
 * Checks again what blk_handle() promises (1 to BLK_SEG_MAX spans, a
 * multiple of 512 bytes, within the image, no write to a read-only disk),
 * so a caller's mistake cannot reach past the image: -1, nothing copied.
 */
int ramdisk_rw(void *ctx, bool write, uint64_t sector, const struct blk_span *spans,
	       unsigned n);

/*
 * The hypervisor's images (hyp/disk/ramdisk_hyp.c, not host-built): every
 * BUNDLE_DISK payload of the hand-off, in place. ramdisk_init() once at
 * boot, before VMs are made; ramdisk_vm_claim() logs a refusal in one line
 * starting "hyp: WHO: " and returns -1; ramdisk_vm_release() at a VM's end.
 */
void ramdisk_init(void);
int ramdisk_vm_claim(unsigned vm_id, const char *who, const char *name, bool read_only,
		     struct ramdisk *out);
void ramdisk_vm_release(unsigned vm_id);

#endif
