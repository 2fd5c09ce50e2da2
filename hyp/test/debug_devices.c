/*
 * Extra devices for a VM, in the test build only (hyp-test.bin; hyp/stock.c
 * adds none): `test.devices.vmN = COUNT` in the boot configuration adds
 * COUNT placeholder devices to VM N through vm_add_mmio(), after its UART
 * and vGIC, 0x200 bytes each from 0x0a00_4000, just after the 32
 * virtio-mmio transport slots (hyp/vdev/vblk.h, vconsole.h), which the
 * VM's disks and console use. They
 * refuse every access (the guest gets an external abort). The system
 * tests fill a VM's device table with them: one more than fits is refused,
 * and the VM with it (tests/system/test_guests.sh).
 */
#include <lib/console.h>
#include <lib/fmt.h>
#include <lib/handoff.h>
#include <lib/image/config.h>

#include <hyp/hyp.h>
#include <hyp/vm.h>

#define DEBUG_DEVICES_BASE 0x0a004000ull
#define DEBUG_DEVICE_SIZE 0x200ull

static bool refuse_read(struct vcpu *v, void *priv, uint64_t off, unsigned size,
			uint64_t *val)
{
	return false;
}

static bool refuse_write(struct vcpu *v, void *priv, uint64_t off, unsigned size,
			 uint64_t val)
{
	return false;
}

static const struct mmio_ops placeholder_ops = {refuse_read, refuse_write};

int debug_vm_devices(struct vm *vm, unsigned n)
{
	char key[CONFIG_KEY_MAX + 1];
	uint64_t count;
	int err;

	fmt_snprintf(key, sizeof(key), "test.devices.vm%u", n);
	err = config_get_u64(hyp_phys_to_virt(handoff->config_pa), handoff->config_size,
			     key, &count);
	if (err == CONFIG_E_MISSING)
		return 0;
	if (err) {
		log_printf("hyp: vm%u: %s is not a count\n", n, key);
		return -1;
	}
	/* More than could ever fit is refused by the table itself, below. */
	for (uint64_t i = 0; i < count && i <= MAX_MMIO_REGIONS; i++)
		if (vm_add_mmio(vm, DEBUG_DEVICES_BASE + i * DEBUG_DEVICE_SIZE,
				DEBUG_DEVICE_SIZE, &placeholder_ops, NULL,
				"test placeholder"))
			return -1;
	return 0;
}
