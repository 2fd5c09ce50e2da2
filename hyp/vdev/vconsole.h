/*
 * Each VM's virtio console (hvc0 in Linux): a virtio-console device
 * (hyp/virtio/console.c) behind a virtio-mmio transport at the slot after
 * the disks' (VCONSOLE_SLOT: GUEST_VIRTIO_BASE + 4 * 0x200, SPI
 * GUEST_VIRTIO_SPI + 4), whatever the VM's configuration, beside its
 * PL011. Its output goes to the VM's console stream as the PL011's does
 * (vm_console_out(): the same prefix and escaping when the console is
 * shared, in the order the guest wrote it); the keyboard's input comes to
 * it instead of the PL011 when the VM's configuration says
 * `vmN.console = virtio`, held in the device's 4 KiB until the guest
 * posts buffers for it, with the PL011's one line for what a full buffer
 * refused. Requests are served in the trap of the guest's QueueNotify
 * write; one lock per device, as for the disks (vblk.c).
 */
#ifndef HYP_VDEV_VCONSOLE_H
#define HYP_VDEV_VCONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <arch/spinlock.h>
#include <hyp/virtio/console.h>
#include <lib/image/vmconfig.h>

/* The transport slot: the one after the last disk's. */
#define VCONSOLE_SLOT VMCONFIG_MAX_DISKS

struct vm;

struct vconsole {
	struct vm *vm;
	spinlock_t lock;
	bool line;	 /* the interrupt line as last told to the vGIC */
	bool gets_input; /* vmN.console = virtio: the keyboard's input */
	struct guest_ram ram;
	struct vcons dev;
};

/* Adds the VM's console device (configured by c). 0, or -1 (logged). */
int vconsole_vm_init(struct vm *vm, const struct vm_config *c);
/* The VM restarts: the device as at power-on, no input held. */
void vconsole_vm_reset(struct vm *vm);
/* Whether the VM's keyboard input goes to its virtio console. */
bool vconsole_takes_input(const struct vm *vm);
/* Keyboard input for the VM's virtio console: n bytes at p. */
void vconsole_input(struct vm *vm, const uint8_t *p, size_t n);

#endif
