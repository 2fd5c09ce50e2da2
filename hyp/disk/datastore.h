/*
 * The datastore: the machine's disk (hyp/drivers/virtio_disk.c) seen as the
 * partitions of its GUID partition table (hyp/disk/gpt.c), each a VM disk
 * named by its label, as an ESXi datastore holds VMs' disks. The
 * hypervisor reads the table once at boot; a VM's configuration names the
 * partitions it gets (`vmN.disk = LABEL[:ro],...`), and the datastore
 * keeps who has what: a partition may be given read-only to any number of
 * VMs, or read-write to one VM alone (two writers would each corrupt the
 * other's filesystem; KVM's and Xen's toolstacks refuse the same).
 */
#ifndef HYP_DISK_DATASTORE_H
#define HYP_DISK_DATASTORE_H

#include <stdbool.h>
#include <stdint.h>

/* Partitions kept from the table (more are refused, with the table). */
#define DATASTORE_MAX_PARTS 64

/* A partition given to a VM: its first sector on the disk and its size. */
struct datastore_extent {
	uint64_t first_sector, sectors;
};

/* Reads the disk's partition table, once, after disk_init(); logs what it
 * found in a line per partition, or why there is none. */
void datastore_init(void);

/*
 * Gives VM vm_id the partition labelled label, read-only or not. Refuses,
 * with one log line starting "hyp: WHO: ", a label not on the disk (or no disk, or
 * no usable table), and a read-write claim on a partition another VM has,
 * or a read-only one on a partition another VM writes. Returns 0 and
 * fills *out, or -1.
 */
int datastore_claim(unsigned vm_id, const char *who, const char *label, bool read_only,
		    struct datastore_extent *out);

/* Gives back every partition VM vm_id holds (at its end). */
void datastore_release(unsigned vm_id);

#endif
