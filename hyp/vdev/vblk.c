/*
 * A VM's virtio disks (vblk.h). Each device has its own lock, taken for
 * every access to its registers: a request is served within the trapped
 * QueueNotify write that announced it, so a vCPU touching the device
 * meanwhile waits for it. The physical disk has a lock of its own
 * (hyp/drivers/virtio_disk.c), which orders the requests of all VMs.
 */
#include <string.h>

#include <lib/console.h>
#include <lib/fmt.h>
#include <lib/gicv3.h>

#include <hyp/hyp.h>
#include <hyp/vdev/guest_dt.h>
#include <hyp/vdev/vblk.h>
#include <hyp/vm.h>

/* Queue size offered: as QEMU's virtio-blk (256). */
#define VBLK_QUEUE_MAX 256u

static int be_rw(void *ctx, bool write, uint64_t sector, const struct blk_span *spans,
		 unsigned n)
{
	struct vblk *d = ctx;

	/* blk_handle() checked the range against be.sectors, the partition's
	 * size, and each span against the VM's RAM. */
	if (n > BLK_SEG_MAX)
		return -1;
	for (unsigned i = 0; i < n; i++)
		d->spans[i] = (struct disk_span){spans[i].pa, spans[i].len};
	return disk_rw(write, d->extent.first_sector + sector, d->spans, n);
}

static int be_flush(void *ctx)
{
	(void)ctx;
	return disk_flush();
}

static bool config_read(void *priv, uint32_t off, unsigned size, uint64_t *val)
{
	struct vblk *d = priv;

	return blk_config_read(&d->blk, off, size, val);
}

static void say(struct vblk *d, const char *what)
{
	log_printf("hyp: vm%u '%s': disk vd%c: %s: device needs a reset\n", d->vm->id,
		   d->vm->name, 'a' + d->index, what);
}

/*
 * Available buffers on the queue: each request served, answered, and the
 * driver interrupted once for the batch if it wants to be. A ring the
 * driver broke stops the device until it resets it.
 *
 * At most a queue's worth of chains (num) per call: all a driver can have
 * made available when it notified (virtq_pop() refuses more than num
 * pending). Another vCPU of the VM may keep adding chains while these are
 * served, and a loop until the ring is empty would then hold this CPU in
 * the hypervisor, interrupts masked, for as long as the guest likes. Past
 * the budget the notification is not finished: d->again asks for the
 * QueueNotify write to be made again (vblk_write()), so the rest is
 * served in the next trap, after the hypervisor has taken its interrupts,
 * and no chain waits for a notification the driver will not send (with
 * EVENT_IDX it sends none for entries behind avail_event, 2.7.10).
 */
static void notify(void *priv, unsigned queue)
{
	struct vblk *d = priv;
	struct virtq *q = virtio_mmio_queue(&d->mmio, queue);
	uint32_t budget = q ? q->num : 0;
	bool used = false;

	while (q) {
		struct virtq_chain c = {.segs = d->segs, .cap = BLK_CHAIN_SEGS};
		struct blk_done done;
		enum virtq_err qerr;
		enum blk_err berr;

		if (!budget--) {
			d->again = true;
			break;
		}
		qerr = virtq_pop(q, &d->ram, &c);
		if (qerr == VIRTQ_EMPTY)
			break;
		if (qerr != VIRTQ_OK) {
			say(d, virtq_strerror(qerr));
			virtio_mmio_needs_reset(&d->mmio);
			break;
		}
		berr = blk_handle(&d->blk, &c, &done);
		if (berr != BLK_OK) {
			say(d, blk_strerror(berr));
			virtio_mmio_needs_reset(&d->mmio);
			break;
		}
		virtq_push(q, c.head, done.used_len);
		used = true;
	}
	if (used && q && virtq_should_interrupt(q))
		virtio_mmio_used(&d->mmio);
}

/* After each access, with the lock held: a fault's one line, and the
 * interrupt line told to the vGIC when it changed. */
static void after_access(struct vblk *d)
{
	const struct virtio_mmio_fault *f = virtio_mmio_new_fault(&d->mmio);
	bool level = virtio_mmio_irq_level(&d->mmio);

	/* The device's own faults (notify() below) were said as they came. */
	if (f && f->why == VIRTIO_MMIO_FAULT_QUEUE_START) {
		char what[96];

		fmt_snprintf(what, sizeof(what), "queue %u: %s", f->queue,
			     virtq_strerror(f->qerr));
		say(d, what);
	} else if (f && f->why != VIRTIO_MMIO_FAULT_DEVICE) {
		say(d, virtio_mmio_strfault(f->why));
	}
	if (level != d->line) {
		d->line = level;
		vgic_line(d->vm, GIC_SPI_BASE + GUEST_VIRTIO_SPI + d->index, level);
	}
}

static bool vblk_read(struct vcpu *v, void *priv, uint64_t off, unsigned size,
		      uint64_t *val)
{
	struct vblk *d = priv;
	bool ok;

	(void)v;
	spin_lock(&d->lock);
	ok = virtio_mmio_read(&d->mmio, off, size, val);
	after_access(d);
	spin_unlock(&d->lock);
	return ok;
}

static bool vblk_write(struct vcpu *v, void *priv, uint64_t off, unsigned size,
		       uint64_t val)
{
	struct vblk *d = priv;
	bool ok;

	spin_lock(&d->lock);
	ok = virtio_mmio_write(&d->mmio, off, size, val);
	after_access(d);
	/* notify() stopped at its budget: the same write again, later. */
	if (d->again) {
		d->again = false;
		v->mmio_repeat = ok;
	}
	spin_unlock(&d->lock);
	return ok;
}

static const struct mmio_ops vblk_mmio_ops = {vblk_read, vblk_write};

/* The device as at power-on, on its claimed extent. */
static void device_reset(struct vblk *d)
{
	d->line = false;
	vgic_line(d->vm, GIC_SPI_BASE + GUEST_VIRTIO_SPI + d->index, false);
	virtio_mmio_init(&d->mmio, &d->ops, d, &d->ram);
}

int vblk_vm_init(struct vm *vm, const struct vm_config *c, unsigned n)
{
	char who[48];

	fmt_snprintf(who, sizeof(who), "vm%u '%s'", n, vm->name);
	vm->disk_count = 0;
	for (unsigned i = 0; i < c->disk_count; i++) {
		const struct vm_disk *cd = &c->disks[i];
		struct vblk *d = &vm->disks[i];
		/* A RAM disk is not on the machine's disk: its drive's
		 * read-only state is not its own. */
		bool ro = cd->read_only || (!cd->image && disk_read_only());

		memset(d, 0, sizeof(*d));
		d->vm = vm;
		d->index = i;
		if (cd->image ? ramdisk_vm_claim(vm->id, who, cd->label, ro, &d->rd)
			      : datastore_claim(vm->id, who, cd->label, ro, &d->extent))
			goto refuse;
		vm->disk_count = i + 1;
		d->ram = (struct guest_ram){vm->ram_ipa, vm->ram_size, vm->ram_pa,
					    hyp_phys_to_virt(vm->ram_pa)};
		d->be = (struct blk_backend){.sectors = d->extent.sectors,
					     .read_only = ro,
					     .ctx = d,
					     .rw = be_rw,
					     .flush = be_flush};
		/* Writes to RAM are as stable as they will be once copied. */
		if (cd->image)
			d->be = (struct blk_backend){.sectors = d->rd.sectors,
						     .read_only = ro,
						     .ctx = &d->rd,
						     .rw = ramdisk_rw};
		/* GET_ID: the partition's label, as a disk's serial number. */
		memcpy(d->be.serial, cd->label,
		       strlen(cd->label) < sizeof(d->be.serial) ? strlen(cd->label)
								: sizeof(d->be.serial));
		d->blk = (struct blk_dev){.be = &d->be, .ram = &d->ram};
		d->ops = (struct virtio_mmio_dev_ops){
			.device_id = VIRTIO_ID_BLOCK,
			.features = blk_features(&d->blk),
			.num_queues = 1,
			.queue_max = VBLK_QUEUE_MAX,
			.config_size = VIRTIO_BLK_CONFIG_SIZE,
			.config_read = config_read,
			.notify = notify,
		};
		if (!virtio_mmio_init(&d->mmio, &d->ops, d, &d->ram))
			goto refuse;
		if (vm_add_mmio(vm,
				GUEST_VIRTIO_BASE + (uint64_t)i * GUEST_DT_VIRTIO_SIZE,
				GUEST_DT_VIRTIO_SIZE, &vblk_mmio_ops, d, "virtio-blk"))
			goto refuse;
		if (cd->image)
			log_printf("hyp: %s: disk vd%c: image '%s', %lu KiB in RAM%s\n",
				   who, 'a' + i, cd->label, d->rd.sectors >> 1,
				   ro ? ", read-only" : "");
		else
			log_printf("hyp: %s: disk vd%c: '%s', %lu MiB%s\n", who, 'a' + i,
				   cd->label, d->extent.sectors >> 11,
				   ro ? ", read-only" : "");
	}
	return 0;
refuse:
	vblk_vm_release(vm);
	return -1;
}

void vblk_vm_reset(struct vm *vm)
{
	for (unsigned i = 0; i < vm->disk_count; i++) {
		struct vblk *d = &vm->disks[i];

		spin_lock(&d->lock);
		device_reset(d);
		spin_unlock(&d->lock);
	}
}

void vblk_vm_release(struct vm *vm)
{
	datastore_release(vm->id);
	ramdisk_vm_release(vm->id);
	vm->disk_count = 0;
}
