/*
 * The virtio block device's protocol (virtio 1.2, section 5.2): its device
 * ID, feature bits, request types and statuses, and the configuration
 * space's layout, by the specification's names: what the VMs' disks
 * (hyp/virtio/blk.c) and the hypervisor's driver of the machine's disk
 * (hyp/drivers/virtio_disk.c) both speak.
 */
#ifndef HYP_VIRTIO_BLK_PROTO_H
#define HYP_VIRTIO_BLK_PROTO_H

#define VIRTIO_ID_BLOCK 2u

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_GEOMETRY 4
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_TOPOLOGY 10
#define VIRTIO_BLK_F_CONFIG_WCE 11
#define VIRTIO_BLK_F_MQ 12
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

/* Request types and status values (5.2.6). */
#define VIRTIO_BLK_T_IN 0u
#define VIRTIO_BLK_T_OUT 1u
#define VIRTIO_BLK_T_FLUSH 4u
#define VIRTIO_BLK_T_GET_ID 8u
#define VIRTIO_BLK_T_GET_LIFETIME 10u
#define VIRTIO_BLK_T_DISCARD 11u
#define VIRTIO_BLK_T_WRITE_ZEROES 13u
#define VIRTIO_BLK_T_SECURE_ERASE 14u
#define VIRTIO_BLK_S_OK 0u
#define VIRTIO_BLK_S_IOERR 1u
#define VIRTIO_BLK_S_UNSUPP 2u

#define VIRTIO_BLK_SECTOR_SIZE 512u /* the protocol's unit, whatever blk_size */
#define VIRTIO_BLK_HDR_SIZE 16u	    /* type, reserved, sector */
#define VIRTIO_BLK_ID_BYTES 20u	    /* GET_ID: NUL-padded, unterminated at 20 */

/* struct virtio_blk_config (5.2.4): the offsets of its fields. */
#define VIRTIO_BLK_CFG_capacity 0
#define VIRTIO_BLK_CFG_size_max 8
#define VIRTIO_BLK_CFG_seg_max 12
#define VIRTIO_BLK_CFG_geometry 16
#define VIRTIO_BLK_CFG_blk_size 20
#define VIRTIO_BLK_CFG_topology 24
#define VIRTIO_BLK_CFG_writeback 32
#define VIRTIO_BLK_CFG_num_queues 34
#define VIRTIO_BLK_CFG_max_discard_sectors 36
#define VIRTIO_BLK_CFG_max_write_zeroes_sectors 48
#define VIRTIO_BLK_CFG_max_secure_erase_sectors 60
#define VIRTIO_BLK_CONFIG_SIZE 72u

#endif
