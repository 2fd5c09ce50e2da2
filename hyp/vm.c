/*
 * Creating VMs from the boot configuration: RAM, stage-2 tables, the
 * kernel placed as the Linux arm64 boot protocol asks, an initrd, a
 * generated device tree, and vCPUs the scheduler runs (hyp/sched/); and a
 * VM's end.
 *
 * Guest physical layout (modelled on QEMU virt): RAM at 0x4000_0000, or
 * with `vmN.identity = on` at the physical address backing it; the kernel
 * at the start of RAM plus its text_offset (a raw image: plus
 * vmN.kernel_offset); the DT in the last 2 MiB; the initrd just below it
 * (vm_layout_plan in lib/image/linux_boot.c). With `vmN.ecam = passthrough`
 * the monitor's ECAM window and its devices appear at their physical
 * addresses (hyp/vdev/ecam_passthrough.c).
 */
#include <string.h>

#include <arch/cache.h>
#include <arch/rng.h>
#include <arch/smccc.h>
#include <arch/sysreg.h>
#include <lib/image/bundle.h>
#include <lib/console.h>
#include <hyp/vdev/guest_dt.h>
#include <lib/handoff.h>
#include <lib/image/linux_boot.h>
#include <lib/mm/memmap.h>
#include <lib/psci.h>
#include <lib/image/vmconfig.h>

#include <hyp/drivers/gic.h>
#include <hyp/hyp.h>
#include <hyp/sched/sched.h>
#include <hyp/vm.h>

#define SZ_2M 0x200000ull
#define DT_MAX_SIZE 0x10000ull

struct vm vms[MAX_VMS];
unsigned vm_count;
static unsigned live_vms;
static struct vm_config configs[MAX_VMS];

static const struct handoff_payload *find_payload(uint32_t type, const char *name)
{
	for (uint32_t i = 0; i < handoff->payload_count; i++) {
		const struct handoff_payload *p = &handoff->payloads[i];

		if (p->type == type && strcmp(p->name, name) == 0)
			return p;
	}
	return NULL;
}

/*
 * Works out where the kernel, the initrd and the DT go in the VM's RAM
 * (vm_layout_plan, the same computation mkbootimg makes when it builds the
 * image): the kernel is an arm64 Image placed at its text_offset, or with
 * vmN.kernel_offset a raw image at that offset. Nothing is copied unless
 * all of it fits; false with one line naming what does not.
 */
static bool plan_vm(unsigned n, struct vm *vm, const struct vm_config *c,
		    const struct handoff_payload *k, const struct handoff_payload *initrd,
		    struct vm_layout *l)
{
	struct vm_kernel kernel;
	char err[160];
	int ret = vm_kernel_read(hyp_phys_to_virt(k->pa), k->size, c->kernel_raw,
				 c->kernel_offset, &kernel, err, sizeof(err));

	if (ret) {
		if (ret == LINUX_E_NOT_IMAGE)
			log_printf("hyp: vm%u: not started: kernel '%s': %s (for a raw "
				   "image, set vm%u.kernel_offset)\n",
				   n, k->name, err, n);
		else
			log_printf("hyp: vm%u: not started: kernel '%s': %s\n", n,
				   k->name, err);
		return false;
	}
	if (vm_layout_plan(vm->ram_size, &kernel, initrd ? initrd->size : 0, l, err,
			   sizeof(err))) {
		log_printf("hyp: vm%u: not started: kernel '%s%s%s' in %lu MiB: %s\n", n,
			   k->name, initrd ? "' and initrd '" : "",
			   initrd ? initrd->name : "", vm->ram_size >> 20, err);
		return false;
	}
	return true;
}

/* Copies a payload to offset off of the VM's RAM, which the plan checked. */
static void copy_in(struct vm *vm, uint64_t off, const struct handoff_payload *p)
{
	uint8_t *dst = (uint8_t *)hyp_phys_to_virt(vm->ram_pa) + off;

	memcpy(dst, hyp_phys_to_virt(p->pa), p->size);
	dcache_clean(dst, p->size);
}

/* The one line a refused device or mapping gets; -1, or 0 if none. */
static int refused(const struct vm *vm, const char *what, const char *name, uint64_t base,
		   uint64_t size, enum mmio_table_err err, const char *clash)
{
	if (!err)
		return 0;
	log_printf("hyp: vm%u '%s': %s '%s' at 0x%lx size 0x%lx refused: %s%s%s\n",
		   vm->id, vm->name, what, name, base, size, mmio_table_strerror(err),
		   err == MMIO_E_OVERLAP ? " " : "", err == MMIO_E_OVERLAP ? clash : "");
	return -1;
}

int vm_add_mmio(struct vm *vm, uint64_t base, uint64_t size, const struct mmio_ops *ops,
		void *priv, const char *name)
{
	const char *clash = "";
	enum mmio_table_err err =
		mmio_table_add(&vm->mmio, base, size, ops, priv, name, &clash);

	return refused(vm, "device", name, base, size, err, clash);
}

int vm_add_mapped(struct vm *vm, uint64_t base, uint64_t size, const char *name)
{
	const char *clash = "";
	enum mmio_table_err err =
		mmio_table_add_mapped(&vm->mmio, base, size, name, &clash);

	return refused(vm, "mapping", name, base, size, err, clash);
}

static int map_guest_ram(struct vm *vm)
{
	int err = pt_init_stage2(&vm->s2, hyp_table_alloc());

	if (!err)
		err = pt_map(&vm->s2, vm->ram_ipa, vm->ram_pa, vm->ram_size, PT_NORMAL);
	if (err)
		return err;
	vm->vtcr = pt_vtcr_value(read_sysreg(id_aa64mmfr0_el1) & 0xf);
	vm->vttbr = ((uint64_t)(vm->id + 1) << VTTBR_VMID_SHIFT) | vm->s2.root_pa;
	return 0;
}

/* Non-zero: 0 would mean "no seed" to the guest's DT. */
static uint64_t rng_seed(void)
{
	uint64_t v;

	if (!rndr_read(&v))
		v = read_sysreg(cntpct_el0);
	return v ? v : 1;
}

static int build_dt(struct vm *vm, const struct vm_config *c, uint64_t initrd_ipa,
		    uint64_t initrd_size)
{
	struct guest_dt_params p = {
		.ram_base = vm->ram_ipa,
		.ram_size = vm->ram_size,
		.cpus = vm->vcpu_count,
		.bootargs = c->cmdline[0] ? c->cmdline : NULL,
		.initrd_start = initrd_size ? initrd_ipa : 0,
		.initrd_end = initrd_size ? initrd_ipa + initrd_size : 0,
		.uart_base = GUEST_UART_BASE,
		.uart_spi = GUEST_UART_SPI,
		.virtio_count = c->disk_count,
		.virtio_slots = 1u << VCONSOLE_SLOT,
		.virtio_base = GUEST_VIRTIO_BASE,
		.virtio_spi = GUEST_VIRTIO_SPI,
		.gicd_base = GUEST_GICD_BASE,
		.gicd_size = GUEST_GICD_SIZE,
		.gicr_base = GUEST_GICR_BASE,
		.gicr_size = GUEST_GICR_SIZE_PER_CPU,
		.rng_seed = rng_seed(),
	};
	void *dt = hyp_phys_to_virt(vm->ram_pa + (vm->dt_ipa - vm->ram_ipa));
	int err = guest_dt_build(dt, DT_MAX_SIZE, &p);

	if (err) {
		log_printf("hyp: vm%u: cannot build its device tree\n", vm->id);
		return err;
	}
	if (c->ecam_passthrough && ecam_vm_attach(vm, dt, DT_MAX_SIZE))
		return -1;
	dcache_clean(dt, DT_MAX_SIZE);
	return 0;
}

/* The initrd payload the VM names, if any; false (with a message) if the
 * bundle has none of that name. */
static bool find_initrd(unsigned n, const struct vm_config *c,
			const struct handoff_payload **initrd)
{
	*initrd = NULL;
	if (!c->initrd[0])
		return true;
	*initrd = find_payload(BUNDLE_INITRD, c->initrd);
	if (!*initrd) {
		log_printf("hyp: vm%u: no initrd payload '%s' in the bundle\n", n,
			   c->initrd);
		return false;
	}
	/* An empty initrd is no initrd: the DT will not announce one. */
	if (!(*initrd)->size)
		*initrd = NULL;
	return true;
}

/* What a VM finds in its RAM at power-on: zeroes, its kernel and initrd
 * where the plan l puts them, and its DT. */
static int load_image(struct vm *vm, const struct vm_config *c,
		      const struct handoff_payload *kernel,
		      const struct handoff_payload *initrd, const struct vm_layout *l)
{
	/* Zeroes, a cache block per instruction: nothing of what the memory
	 * held before (other VMs, the boot image) reaches a VM. */
	dcache_zero(hyp_phys_to_virt(vm->ram_pa), vm->ram_size);
	vm->dt_ipa = vm->ram_ipa + l->dt_offset;
	vm->entry_ipa = vm->ram_ipa + l->kernel_offset;
	copy_in(vm, l->kernel_offset, kernel);
	if (initrd)
		copy_in(vm, l->initrd_offset, initrd);
	return build_dt(vm, c, vm->ram_ipa + l->initrd_offset, l->initrd_size);
}

static bool create_vm(struct vm *vm, const struct vm_config *c)
{
	const struct handoff_payload *kernel = find_payload(BUNDLE_KERNEL, c->kernel);
	const struct handoff_payload *initrd;
	struct vm_layout l;
	/* Refusals name the VM as the configuration does: vm->id is its
	 * number among the VMs that start. */
	unsigned n = (unsigned)(c - configs);

	memcpy(vm->name, c->name, sizeof(vm->name));
	/* Empty: a VM refused before may have left its devices in this slot. */
	memset(&vm->mmio, 0, sizeof(vm->mmio));
	vm->exit_code = -1;
	vm->vcpu_count = c->cpus;
	if (!kernel) {
		log_printf("hyp: vm%u: no kernel payload '%s' in the bundle\n", n,
			   c->kernel);
		return false;
	}
	vm->ram_size = c->mem;
	/* Planned before any memory is taken: a VM that cannot start costs
	 * nothing. */
	if (!find_initrd(n, c, &initrd) || !plan_vm(n, vm, c, kernel, initrd, &l))
		return false;
	if (sched_vm_setup(vm, c, n))
		goto unschedule;
	vm->ram_pa = memmap_alloc(&handoff->memmap, vm->ram_size, SZ_2M, MEM_GUEST);
	if (!vm->ram_pa) {
		log_printf("hyp: vm%u: not enough free memory for %lu MiB\n", n,
			   vm->ram_size >> 20);
		goto unschedule;
	}
	/* Identity: where the RAM really is, which for DMA is what matters.
	 * The emulated devices all sit below GUEST_RAM_BASE. */
	vm->ram_ipa = c->identity ? vm->ram_pa : GUEST_RAM_BASE;
	if (vm->ram_ipa < GUEST_RAM_BASE) {
		log_printf("hyp: vm%u: identity-mapped RAM at 0x%lx would overlap its "
			   "devices\n",
			   n, vm->ram_pa);
		goto release;
	}
	if (map_guest_ram(vm)) {
		log_printf("hyp: vm%u: cannot build its stage-2 tables\n", n);
		goto release;
	}
	/* The devices before the DT, which may map ECAM passthrough's window
	 * and BARs: each range is checked against those already there. The
	 * UART first: hyp/vdev/mmio.c searches the devices in order, and a
	 * console polling it is the most frequent device access. */
	if (vm_add_mapped(vm, vm->ram_ipa, vm->ram_size, "RAM") || vuart_vm_init(vm) ||
	    vgic_vm_init(vm) || debug_vm_devices(vm, n) || vblk_vm_init(vm, c, n) ||
	    vconsole_vm_init(vm, c))
		goto release;
	if (load_image(vm, c, kernel, initrd, &l))
		goto release;
	backdoor_vm_init(vm, c);
	vm->vcpus[0].state = VCPU_ON_PENDING; /* sched_start() starts it */
	vm->live = true;
	log_printf("hyp: vm%u '%s': %lu MiB at pa 0x%lx, %u vcpu%s%s, kernel "
		   "'%s' at ipa 0x%lx, dt at ipa 0x%lx\n",
		   vm->id, vm->name, vm->ram_size >> 20, vm->ram_pa, vm->vcpu_count,
		   vm->vcpu_count > 1 ? "s" : "", c->pinned ? " pinned" : "",
		   kernel->name, vm->entry_ipa, vm->dt_ipa);
	return true;

	/* A VM that cannot start gives back what it took, for the next one
	 * (its stage-2 table pages excepted: they are not tracked). */
release:
	vblk_vm_release(vm);
	memmap_release(&handoff->memmap, vm->ram_pa, vm->ram_size, MEM_GUEST);
unschedule:
	sched_vm_release(vm);
	return false;
}

int vms_create(void)
{
	const char *text = hyp_phys_to_virt(handoff->config_pa);
	unsigned count = 0;
	bool refused[MAX_VMS] = {false};
	char err[128];

	if (vmconfig_parse(text, handoff->config_size, configs, MAX_VMS, &count, err,
			   sizeof(err))) {
		log_printf("hyp: boot configuration: %s\n", err);
		return -1;
	}
	/* Pinned VMs take their CPUs first: the others share what is left. */
	for (unsigned i = 0; i < count; i++)
		if (configs[i].pinned && sched_reserve_pinned(&configs[i], i))
			refused[i] = true;
	for (unsigned i = 0; i < count; i++) {
		struct vm *vm = &vms[vm_count];

		vm->id = vm_count;
		if (!refused[i] && create_vm(vm, &configs[i])) {
			vm_count++;
			live_vms++;
		}
	}
	if (vm_count)
		__asm__ volatile("tlbi vmalls12e1is\n dsb ish" ::: "memory");
	return (int)vm_count;
}

void vms_start(void)
{
	sched_start();
}

static void power(uint32_t fid)
{
	smc_call(fid, 0, 0, 0);
	for (;;) /* it does not return; if it did, stay out of the way */
		wfe();
}

/*
 * A VM ends once (docs/ARCHITECTURE.md, "VM lifecycle"). Any of its vCPUs
 * may ask, several at once or one after another: PSCI SYSTEM_OFF or
 * SYSTEM_RESET, the test-exit service. The atomic exchange of vm->live
 * elects one, which carries the end out; every other caller only leaves
 * its CPU on its way back to the guest (hyp/sched/sched.c), touching the
 * VM no more.
 */
static bool claim_end(struct vm *vm)
{
	if (__atomic_exchange_n(&vm->live, false, __ATOMIC_ACQ_REL))
		return true;
	this_pcpu()->resched = true; /* another CPU is ending it */
	return false;
}

/* VMs ending on several CPUs at once give their RAM back one at a time
 * (nothing else changes the memory map once the VMs run). */
static spinlock_t memmap_lock;

/* The VM's RAM, once none of its vCPUs can reach it, back to the memory
 * map as free RAM. Whoever takes it next zeroes it first, as create_vm
 * and the table allocator do. Its stage-2 table pages are not tracked one
 * by one and stay allocated. */
static void release_ram(struct vm *vm)
{
	int err;

	spin_lock(&memmap_lock);
	err = memmap_release(&handoff->memmap, vm->ram_pa, vm->ram_size, MEM_GUEST);
	spin_unlock(&memmap_lock);
	if (err)
		log_printf("hyp: vm%u: its RAM stays allocated: %s\n", vm->id,
			   memmap_strerror(err));
	else
		log_printf("hyp: vm%u '%s': %u cpu%s and %lu MiB of RAM released\n",
			   vm->id, vm->name, vm->vcpu_count,
			   vm->vcpu_count > 1 ? "s" : "", vm->ram_size >> 20);
}

/* The elected CPU's part: the VM's vCPUs stopped, its translations out
 * of the TLBs and its RAM freed, its console input to another VM, one VM
 * fewer. */
static void end_claimed(struct vm *vm, const char *why)
{
	watchdog_stop();    /* this CPU waits for the others */
	vm_console_end(vm); /* what the guest printed without a newline */
	if (vm->exit_code >= 0)
		log_printf("hyp: vm%u '%s' ended: %s, exit code %d\n", vm->id, vm->name,
			   why, vm->exit_code);
	else
		log_printf("hyp: vm%u '%s' ended: %s\n", vm->id, vm->name, why);
	console_mux_vm_ended(vm);
	if (sched_vm_stop(vm)) {
		/* This CPU's VTTBR_EL2 holds the VM's VMID. */
		__asm__ volatile("dsb ishst\n tlbi vmalls12e1is\n dsb ish" ::: "memory");
		release_ram(vm);
	}
	vblk_vm_release(vm);
	sched_print_stats(vm);
	if (__atomic_sub_fetch(&live_vms, 1, __ATOMIC_ACQ_REL) == 0) {
		sched_print_cpu_stats();
		log_printf("hyp: no VM left: powering off\n");
		power(PSCI_SYSTEM_OFF);
	}
}

void vm_end(struct vm *vm, const char *why)
{
	if (claim_end(vm))
		end_claimed(vm, why);
}

void vm_exit(struct vm *vm, int code)
{
	if (!claim_end(vm))
		return;
	vm->exit_code = code;
	end_claimed(vm, "test exit requested");
}

/*
 * A reset of one VM among several: it starts again as at power-on, in the
 * RAM and with the stage-2 tables and devices it has, its vCPU 0 at its
 * kernel's entry and the others off; what the guest set in its guestinfo
 * stays (as VMware keeps a VM's guestinfo across a guest's reboot). The
 * other VMs run on. self is the caller's vCPU, of this VM, on this CPU.
 */
static const char *restart_claimed(struct vm *vm, struct vcpu *self)
{
	const struct vm_config *c = &configs[vm->config_index];
	const struct handoff_payload *kernel = find_payload(BUNDLE_KERNEL, c->kernel);
	const struct handoff_payload *initrd;
	struct vm_layout l;

	/* Devices passed through may be in the middle of DMA, and their
	 * mappings are made once: such a VM ends instead. */
	if (c->ecam_passthrough)
		return "reset (it cannot restart: it has devices passed through)";
	/* Planned at creation with the same inputs: this cannot fail. */
	if (!kernel || !find_initrd(vm->config_index, c, &initrd) ||
	    !plan_vm(vm->config_index, vm, c, kernel, initrd, &l))
		return "reset (it cannot restart: its image no longer fits)";
	watchdog_stop(); /* zeroing the RAM takes a while, masked */
	vm_console_end(vm);
	log_printf("hyp: vm%u '%s' reset: restarting it\n", vm->id, vm->name);
	if (!sched_vm_stop(vm))
		return "reset (it cannot restart: a vCPU did not stop)";
	/* The caller's list registers go back to the model, which starts
	 * afresh below; the others' were saved as they left and are reset
	 * as they start. */
	vgic_vcpu_unload(self);
	/* No translation of the old contents survives (this CPU runs the
	 * VM's VMID). */
	__asm__ volatile("dsb ishst\n tlbi vmalls12e1is\n dsb ish" ::: "memory");
	if (load_image(vm, c, kernel, initrd, &l))
		return "reset (it cannot restart: its device tree)";
	vgic_vm_reset(vm);
	vuart_reset(vm);
	vblk_vm_reset(vm);
	vconsole_vm_reset(vm);
	backdoor_vm_restart(vm);
	vm->exit_code = -1;
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		__atomic_store_n(&vm->vcpus[i].state, VCPU_OFF, __ATOMIC_RELEASE);
	vm->vcpus[0].state = VCPU_ON_PENDING;
	__atomic_store_n(&vm->live, true, __ATOMIC_RELEASE);
	sched_vm_restart(self, &vm->vcpus[0], vm->entry_ipa, vm->dt_ipa);
	return NULL;
}

void vm_reset(struct vm *vm)
{
	struct vcpu *self = current_vcpu();
	const char *why;

	if (!claim_end(vm))
		return;
	if (vm_count == 1) {
		log_printf("hyp: vm%u '%s' reset: resetting the platform\n", vm->id,
			   vm->name);
		power(PSCI_SYSTEM_RESET);
	}
	why = restart_claimed(vm, self);
	if (why)
		end_claimed(vm, why);
}
