/*
 * Each VM's virtio console (vconsole.h). The device's lock is taken for
 * every access to its registers and for input: output is written to the
 * VM's console stream within the trapped QueueNotify write, so the bytes
 * of one transmit chain go out together and in the guest's order.
 */
#include <lib/console.h>
#include <lib/fmt.h>
#include <lib/gicv3.h>

#include <hyp/hyp.h>
#include <hyp/vdev/guest_dt.h>
#include <hyp/vdev/vblk.h>
#include <hyp/vdev/vconsole.h>
#include <hyp/vm.h>

#define VCONSOLE_INTID (GIC_SPI_BASE + GUEST_VIRTIO_SPI + VCONSOLE_SLOT)
#define VCONSOLE_BASE (GUEST_VIRTIO_BASE + VCONSOLE_SLOT * (uint64_t)GUEST_DT_VIRTIO_SIZE)

/* The PL011's held input and the console's are the same size, so a user
 * loses the same either way. */
_Static_assert(VCONS_INPUT_SIZE == PL011_EMU_INPUT_SIZE, "input sizes differ");

static void out(void *ctx, const uint8_t *p, size_t n)
{
	struct vconsole *d = ctx;

	vm_console_out(d->vm, (const char *)p, n);
}

/* The PL011's line (vuart.c), word for word: a user sees one kind of
 * loss. Called without the device's lock (the console may wait). */
static void report_dropped(struct vm *vm, uint32_t dropped)
{
	if (dropped)
		log_printf(
			"\nhyp: vm%u '%s': console input buffer full, %u bytes dropped\n",
			vm->id, vm->name, dropped);
}

static void say(struct vconsole *d, const char *what)
{
	log_printf("hyp: vm%u '%s': virtio console: %s: device needs a reset\n",
		   d->vm->id, d->vm->name, what);
}

/* After each access and input, with the lock held: held input into any
 * buffers the driver posted, a fault's one line, the interrupt line told
 * to the vGIC when it changed. Returns the refused input to report. */
static uint32_t after(struct vconsole *d)
{
	const struct virtio_mmio_fault *f;
	bool level;

	if (vcons_held(&d->dev))
		vcons_deliver(&d->dev);
	f = virtio_mmio_new_fault(&d->dev.mmio);
	if (f && f->why == VIRTIO_MMIO_FAULT_QUEUE_START) {
		char what[96];

		fmt_snprintf(what, sizeof(what), "queue %u: %s", f->queue,
			     virtq_strerror(f->qerr));
		say(d, what);
	} else if (f && f->why == VIRTIO_MMIO_FAULT_DEVICE) {
		say(d, vcons_strerror(&d->dev));
	} else if (f) {
		say(d, virtio_mmio_strfault(f->why));
	}
	level = virtio_mmio_irq_level(&d->dev.mmio);
	if (level != d->line) {
		d->line = level;
		vgic_line(d->vm, VCONSOLE_INTID, level);
	}
	return vcons_input_dropped(&d->dev);
}

static bool vconsole_read(struct vcpu *v, void *priv, uint64_t off, unsigned size,
			  uint64_t *val)
{
	struct vconsole *d = priv;
	uint32_t dropped;
	bool ok;

	(void)v;
	spin_lock(&d->lock);
	ok = virtio_mmio_read(&d->dev.mmio, off, size, val);
	dropped = after(d);
	spin_unlock(&d->lock);
	report_dropped(d->vm, dropped);
	return ok;
}

static bool vconsole_write(struct vcpu *v, void *priv, uint64_t off, unsigned size,
			   uint64_t val)
{
	struct vconsole *d = priv;
	uint32_t dropped;
	bool ok;

	spin_lock(&d->lock);
	ok = virtio_mmio_write(&d->dev.mmio, off, size, val);
	dropped = after(d);
	/* The transmitq's budget ran out: the same write again, later. */
	if (vcons_take_again(&d->dev))
		v->mmio_repeat = ok;
	spin_unlock(&d->lock);
	report_dropped(d->vm, dropped);
	return ok;
}

static const struct mmio_ops vconsole_mmio_ops = {vconsole_read, vconsole_write};

/* With the lock held, or before the device is reachable. */
static void device_reset(struct vconsole *d)
{
	d->line = false;
	vgic_line(d->vm, VCONSOLE_INTID, false);
	vcons_init(&d->dev, &d->ram, out, d);
}

int vconsole_vm_init(struct vm *vm, const struct vm_config *c)
{
	struct vconsole *d = &vm->vconsole;

	d->vm = vm;
	d->gets_input = c->console_virtio;
	d->ram = (struct guest_ram){vm->ram_ipa, vm->ram_size, vm->ram_pa,
				    hyp_phys_to_virt(vm->ram_pa)};
	device_reset(d);
	return vm_add_mmio(vm, VCONSOLE_BASE, GUEST_DT_VIRTIO_SIZE, &vconsole_mmio_ops, d,
			   "virtio-console");
}

void vconsole_vm_reset(struct vm *vm)
{
	struct vconsole *d = &vm->vconsole;

	spin_lock(&d->lock);
	device_reset(d);
	spin_unlock(&d->lock);
}

bool vconsole_takes_input(const struct vm *vm)
{
	return vm->vconsole.gets_input;
}

void vconsole_input(struct vm *vm, const uint8_t *p, size_t n)
{
	struct vconsole *d = &vm->vconsole;
	uint32_t dropped;

	spin_lock(&d->lock);
	vcons_input(&d->dev, p, n);
	dropped = after(d);
	spin_unlock(&d->lock);
	report_dropped(vm, dropped);
}
