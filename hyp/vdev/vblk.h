/*
 * A VM's virtio disks: for each partition its configuration names
 * (`vmN.disk`), a virtio-blk device (hyp/virtio/blk.c) behind a
 * virtio-mmio transport (hyp/virtio/mmio_dev.c) at the VM's
 * GUEST_VIRTIO_BASE + i * 0x200, on SPI GUEST_VIRTIO_SPI + i, whose
 * sectors are the partition's on the machine's disk (hyp/disk/datastore.c,
 * hyp/drivers/virtio_disk.c). Requests are served in the trap of the
 * guest's QueueNotify write, synchronously, straight between the guest's
 * buffers and the disk (zero-copy: the disk's DMA reaches guest RAM).
 * A disk named image:NAME is a RAM disk instead (hyp/disk/ramdisk.h): the
 * same device, its sectors a payload of the boot image, copied.
 */
#ifndef HYP_VDEV_VBLK_H
#define HYP_VDEV_VBLK_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/spinlock.h>
#include <hyp/disk/datastore.h>
#include <hyp/disk/ramdisk.h>
#include <hyp/drivers/virtio_disk.h>
#include <hyp/virtio/blk.h>
#include <hyp/virtio/mmio_dev.h>
#include <lib/image/vmconfig.h>

/* Where QEMU virt puts its virtio-mmio transports, and their SPIs. */
#define GUEST_VIRTIO_BASE 0x0a000000ull
#define GUEST_VIRTIO_SPI 16u

struct vm;

struct vblk {
	struct vm *vm;
	unsigned index; /* the VM's disk number: vda = 0 */
	spinlock_t lock;
	bool line;  /* the interrupt line as last told to the vGIC */
	bool again; /* notify() left chains for the repeated write (vblk.c) */
	struct datastore_extent extent; /* a partition, */
	struct ramdisk rd;		/* or a RAM disk (image:NAME) */
	struct guest_ram ram;
	struct virtio_mmio_dev_ops ops;
	struct virtio_mmio_dev mmio;
	struct blk_backend be;
	struct blk_dev blk;
	struct virtq_seg segs[BLK_CHAIN_SEGS];
	struct disk_span spans[BLK_SEG_MAX];
};

/* Claims the VM's partitions on the datastore and RAM disks, and adds a
 * device for each.
 * On a refusal (logged, one line), gives back what it claimed: -1. */
int vblk_vm_init(struct vm *vm, const struct vm_config *c, unsigned n);
/* The VM restarts: each device as after power-on. */
void vblk_vm_reset(struct vm *vm);
/* The VM has ended: its partitions and RAM disks are given back. */
void vblk_vm_release(struct vm *vm);

#endif
