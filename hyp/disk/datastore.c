/*
 * The datastore's partitions and who holds them (datastore.h). Claims come
 * from CPUs creating VMs, under one lock; the table itself is read once at
 * boot and not changed after.
 */
#include <string.h>

#include <arch/spinlock.h>
#include <lib/console.h>
#include <lib/handoff.h>
#include <lib/mm/memmap.h>

#include <hyp/disk/datastore.h>
#include <hyp/disk/gpt.h>
#include <hyp/drivers/virtio_disk.h>
#include <hyp/hyp.h>

/* The table is read through this much memory at a time (64 sectors). */
#define SCRATCH_SIZE 0x8000u

/* No holder; holders are VM ids (below MAX_VMS). */
#define NO_VM 0xffu

static struct gpt_disk_part parts[DATASTORE_MAX_PARTS];
static unsigned part_count;
static bool table_ok;
/* Per partition: the VM writing it (NO_VM: none), and the VMs reading it
 * (bit n: VM n). */
static uint8_t writer[DATASTORE_MAX_PARTS];
static uint32_t readers[DATASTORE_MAX_PARTS];
static spinlock_t lock;

static uint64_t scratch_pa;

static int read_sectors(void *ctx, uint64_t lba, unsigned count, void *buf)
{
	struct disk_span span = {scratch_pa, count * DISK_SECTOR_SIZE};

	(void)ctx;
	/* gpt_disk_read() reads only into the scratch buffer (gpt.h). */
	if (buf != hyp_phys_to_virt(scratch_pa) ||
	    count > SCRATCH_SIZE / DISK_SECTOR_SIZE)
		return -1;
	return disk_rw(false, lba, &span, 1);
}

void datastore_init(void)
{
	struct gpt_disk_info info;
	enum gpt_disk_err err;

	for (unsigned i = 0; i < DATASTORE_MAX_PARTS; i++)
		writer[i] = NO_VM;
	if (!disk_present())
		return; /* hyp: disk: none said it */
	scratch_pa = memmap_alloc(&handoff->memmap, SCRATCH_SIZE, 4096, MEM_HYP_DATA);
	if (!scratch_pa) {
		log_printf("hyp: datastore: no memory to read the partition table\n");
		return;
	}
	err = gpt_disk_read(read_sectors, NULL, disk_sectors(),
			    hyp_phys_to_virt(scratch_pa), SCRATCH_SIZE, parts,
			    DATASTORE_MAX_PARTS, &info);
	memmap_release(&handoff->memmap, scratch_pa, SCRATCH_SIZE, MEM_HYP_DATA);
	if (err != GPT_DISK_OK) {
		log_printf("hyp: datastore: no usable partition table: %s\n",
			   gpt_disk_strerror(err));
		return;
	}
	table_ok = true;
	part_count = info.count;
	log_printf("hyp: datastore: %u partitions (%s table)%s\n", part_count,
		   info.used_backup ? "backup" : "primary",
		   !info.used_backup && info.backup != GPT_DISK_OK
			   ? ", backup table unusable"
			   : "");
	for (unsigned i = 0; i < part_count; i++) {
		const struct gpt_disk_part *p = &parts[i];

		log_printf(
			"hyp: datastore: partition %u '%s': sectors %lu-%lu (%lu MiB)\n",
			p->index + 1, p->label, p->first_lba, p->last_lba,
			(p->last_lba - p->first_lba + 1) >> 11);
	}
}

int datastore_claim(unsigned vm_id, const char *who, const char *label, bool read_only,
		    struct datastore_extent *out)
{
	const struct gpt_disk_part *p;
	unsigned i;
	int ret = -1;

	if (!table_ok) {
		log_printf("hyp: %s: no datastore for disk '%s' (%s)\n", who, label,
			   disk_present() ? "no usable partition table" : "no disk");
		return -1;
	}
	p = gpt_disk_find(parts, part_count, label);
	if (!p) {
		log_printf("hyp: %s: no partition '%s' on the datastore\n", who, label);
		return -1;
	}
	i = (unsigned)(p - parts);
	spin_lock(&lock);
	if (writer[i] != NO_VM && writer[i] != vm_id)
		log_printf("hyp: %s: disk '%s' is written by another VM\n", who, label);
	else if (!read_only && (readers[i] & ~(1u << vm_id)))
		log_printf("hyp: %s: disk '%s' is in use by another VM: read-write "
			   "refused\n",
			   who, label);
	else {
		if (read_only)
			readers[i] |= 1u << vm_id;
		else
			writer[i] = (uint8_t)vm_id;
		out->first_sector = p->first_lba;
		out->sectors = p->last_lba - p->first_lba + 1;
		ret = 0;
	}
	spin_unlock(&lock);
	return ret;
}

void datastore_release(unsigned vm_id)
{
	spin_lock(&lock);
	for (unsigned i = 0; i < part_count; i++) {
		readers[i] &= ~(1u << vm_id);
		if (writer[i] == vm_id)
			writer[i] = NO_VM;
	}
	spin_unlock(&lock);
}
