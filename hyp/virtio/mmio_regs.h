/*
 * The virtio-mmio register frame (virtio 1.2, section 4.2.2, table "MMIO
 * Device Register Layout"; 4.2.4 for the legacy interface), by the
 * specification's names, and the device status bits (2.1): what the
 * devices the VMs get (hyp/virtio/mmio_dev.c) and the hypervisor's driver
 * of the machine's disk (hyp/drivers/virtio_disk.c) both speak.
 */
#ifndef HYP_VIRTIO_MMIO_REGS_H
#define HYP_VIRTIO_MMIO_REGS_H

#define VIRTIO_MMIO_MagicValue 0x000
#define VIRTIO_MMIO_Version 0x004
#define VIRTIO_MMIO_DeviceID 0x008
#define VIRTIO_MMIO_VendorID 0x00c
#define VIRTIO_MMIO_DeviceFeatures 0x010
#define VIRTIO_MMIO_DeviceFeaturesSel 0x014
#define VIRTIO_MMIO_DriverFeatures 0x020
#define VIRTIO_MMIO_DriverFeaturesSel 0x024
#define VIRTIO_MMIO_QueueSel 0x030
#define VIRTIO_MMIO_QueueNumMax 0x034
#define VIRTIO_MMIO_QueueNum 0x038
#define VIRTIO_MMIO_QueueReady 0x044
#define VIRTIO_MMIO_QueueNotify 0x050
#define VIRTIO_MMIO_InterruptStatus 0x060
#define VIRTIO_MMIO_InterruptACK 0x064
#define VIRTIO_MMIO_Status 0x070
#define VIRTIO_MMIO_QueueDescLow 0x080
#define VIRTIO_MMIO_QueueDescHigh 0x084
#define VIRTIO_MMIO_QueueDriverLow 0x090
#define VIRTIO_MMIO_QueueDriverHigh 0x094
#define VIRTIO_MMIO_QueueDeviceLow 0x0a0
#define VIRTIO_MMIO_QueueDeviceHigh 0x0a4
#define VIRTIO_MMIO_SHMSel 0x0ac
#define VIRTIO_MMIO_SHMLenLow 0x0b0
#define VIRTIO_MMIO_SHMLenHigh 0x0b4
#define VIRTIO_MMIO_SHMBaseLow 0x0b8
#define VIRTIO_MMIO_SHMBaseHigh 0x0bc
#define VIRTIO_MMIO_QueueReset 0x0c0
#define VIRTIO_MMIO_ConfigGeneration 0x0fc
#define VIRTIO_MMIO_Config 0x100

#define VIRTIO_MMIO_MAGIC 0x74726976u /* "virt", little-endian */
#define VIRTIO_MMIO_VERSION 2u
#define VIRTIO_MMIO_VENDOR 0x554d4551u /* "QEMU", little-endian */
/* The frame a device tree node gives (the 4.2.1 example): 0x100 bytes of
 * registers, 0x100 of configuration space. */
#define VIRTIO_MMIO_FRAME 0x200u

/* InterruptStatus and InterruptACK bits (4.2.2). */
#define VIRTIO_MMIO_INT_VRING (1u << 0)	 /* Used Buffer Notification */
#define VIRTIO_MMIO_INT_CONFIG (1u << 1) /* Configuration Change Notification */

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER 2u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED 128u

/* Queues a transport holds: enough for a block device (1), a network
 * device without multiqueue (3) and a console with a few ports. */
#define VIRTIO_MMIO_MAX_QUEUES 8u

/* Registers of the legacy interface only (4.2.4: version 1, which QEMU's
 * virtio-mmio presents unless force-legacy=false): the machine's disk may
 * be one. */
#define VIRTIO_MMIO_GuestPageSize 0x028
#define VIRTIO_MMIO_QueueAlign 0x03c
#define VIRTIO_MMIO_QueuePFN 0x040
#define VIRTIO_MMIO_VERSION_LEGACY 1u

#endif
