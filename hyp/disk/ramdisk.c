/*
 * RAM disks (ramdisk.h): the images of the boot image, who holds them, and
 * the copies that serve a VM's requests. Claims come from CPUs creating
 * VMs, under the set's lock; requests need no lock of their own, as only
 * one VM may write an image and its device serialises its requests
 * (hyp/vdev/vblk.c), while readers only read.
 */
#include <string.h>

#include <lib/fmt.h>

#include <hyp/disk/ramdisk.h>

void ramdisk_set_init(struct ramdisk_set *s)
{
	memset(s, 0, sizeof(*s));
}

int ramdisk_add(struct ramdisk_set *s, const char *name, void *data, uint64_t size)
{
	struct ramdisk_image *im;

	if (s->count >= RAMDISK_MAX || !bundle_name_valid(name))
		return -1;
	im = &s->img[s->count];
	memset(im, 0, sizeof(*im));
	memcpy(im->name, name, strlen(name) + 1);
	im->data = data;
	im->size = size;
	im->writer = RAMDISK_MAX_VMS;
	s->count++;
	return 0;
}

static struct ramdisk_image *find(struct ramdisk_set *s, const char *name)
{
	for (unsigned i = 0; i < s->count; i++)
		if (!strcmp(s->img[i].name, name))
			return &s->img[i];
	return NULL;
}

enum ramdisk_err ramdisk_claim(struct ramdisk_set *s, unsigned vm_id, const char *name,
			       bool read_only, struct ramdisk *out, char *err,
			       size_t errlen)
{
	struct ramdisk_image *im;
	enum ramdisk_err ret = RAMDISK_OK;

	if (vm_id >= RAMDISK_MAX_VMS) {
		fmt_snprintf(err, errlen, "disk image '%s': VM number %u out of range",
			     name, vm_id);
		return RAMDISK_E_VM;
	}
	im = find(s, name);
	if (!im) {
		fmt_snprintf(err, errlen, "no disk image '%s' in the boot image", name);
		return RAMDISK_E_NONE;
	}
	/* Capacity is counted in 512-byte sectors (virtio 1.2, 5.2.4): a
	 * partial sector could be neither read nor written whole. */
	if (!im->size || im->size % RAMDISK_SECTOR_SIZE) {
		fmt_snprintf(err, errlen,
			     "disk image '%s' is %lu bytes, not a non-zero multiple of "
			     "%u",
			     name, (unsigned long)im->size, RAMDISK_SECTOR_SIZE);
		return RAMDISK_E_SIZE;
	}
	spin_lock(&s->lock);
	if (im->writer != RAMDISK_MAX_VMS && im->writer != vm_id) {
		fmt_snprintf(err, errlen, "disk image '%s' is written by another VM",
			     name);
		ret = RAMDISK_E_WRITTEN;
	} else if (!read_only && (im->readers & ~(1u << vm_id))) {
		fmt_snprintf(err, errlen,
			     "disk image '%s' is in use by another VM: read-write "
			     "refused",
			     name);
		ret = RAMDISK_E_IN_USE;
	} else {
		if (read_only)
			im->readers |= 1u << vm_id;
		else
			im->writer = (uint8_t)vm_id;
		*out = (struct ramdisk){im->data, im->size / RAMDISK_SECTOR_SIZE,
					read_only};
	}
	spin_unlock(&s->lock);
	return ret;
}

void ramdisk_release(struct ramdisk_set *s, unsigned vm_id)
{
	if (vm_id >= RAMDISK_MAX_VMS)
		return;
	spin_lock(&s->lock);
	for (unsigned i = 0; i < s->count; i++) {
		s->img[i].readers &= ~(1u << vm_id);
		if (s->img[i].writer == vm_id)
			s->img[i].writer = RAMDISK_MAX_VMS;
	}
	spin_unlock(&s->lock);
}

int ramdisk_rw(void *ctx, bool write, uint64_t sector, const struct blk_span *spans,
	       unsigned n)
{
	const struct ramdisk *r = ctx;
	uint64_t total = 0, off;

	if (!r || !r->data || !spans || !n || n > BLK_SEG_MAX || (write && r->read_only))
		return -1;
	/* At most BLK_SEG_MAX lengths below 2^32 each: no overflow. */
	for (unsigned i = 0; i < n; i++) {
		if (spans[i].len && !spans[i].host)
			return -1;
		total += spans[i].len;
	}
	/* sector + total / 512 <= sectors, without overflow; then
	 * sector * 512 is at most the image's size, which is in memory. */
	if (total % RAMDISK_SECTOR_SIZE || sector > r->sectors ||
	    total / RAMDISK_SECTOR_SIZE > r->sectors - sector)
		return -1;
	off = sector * RAMDISK_SECTOR_SIZE;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *img = r->data + off;

		if (write)
			memcpy(img, spans[i].host, spans[i].len);
		else
			memcpy(spans[i].host, img, spans[i].len);
		off += spans[i].len;
	}
	return 0;
}
