/*
 * The boot image's RAM disks (ramdisk.h): the BUNDLE_DISK payloads the
 * bootloader handed over, reached where they lie in the boot image through
 * the hypervisor's map of all RAM. That memory is MEM_BOOT_IMAGE in the
 * memory map, never given to a VM, so only the copies of ramdisk_rw()
 * reach it on a VM's behalf.
 */
#include <lib/console.h>
#include <lib/handoff.h>

#include <hyp/disk/ramdisk.h>
#include <hyp/hyp.h>

static struct ramdisk_set images;

void ramdisk_init(void)
{
	ramdisk_set_init(&images);
	for (uint32_t i = 0; i < handoff->payload_count; i++) {
		const struct handoff_payload *p = &handoff->payloads[i];

		/* bundle_open() vetted names and counts: this cannot refuse. */
		if (p->type == BUNDLE_DISK &&
		    ramdisk_add(&images, p->name, hyp_phys_to_virt(p->pa), p->size))
			log_printf("hyp: disk image '%s' left out\n", p->name);
	}
}

int ramdisk_vm_claim(unsigned vm_id, const char *who, const char *name, bool read_only,
		     struct ramdisk *out)
{
	char err[128];

	if (ramdisk_claim(&images, vm_id, name, read_only, out, err, sizeof(err)) ==
	    RAMDISK_OK)
		return 0;
	log_printf("hyp: %s: %s\n", who, err);
	return -1;
}

void ramdisk_vm_release(unsigned vm_id)
{
	ramdisk_release(&images, vm_id);
}
