/*
 * What the stock hypervisor (hyp.bin) has in place of hyp/test/, which only
 * the test build (hyp-test.bin) links: no self-tests, a debug hypercall
 * that is refused like any unknown command, and no extra devices.
 */
#include <stdbool.h>
#include <stdint.h>

#include <lib/console.h>

#include <hyp/hyp.h>
#include <hyp/vm.h>

const bool debug_pmu_counts_el2 = false;

void selftest_run(const char *test, const void *fdt)
{
	log_printf("hyp: self-test '%s' is in the test build (hyp-test.bin) only\n",
		   test);
}

bool debug_pnmi_entry(void)
{
	return false;
}

void debug_regular_irq(void)
{
}

int debug_vm_devices(struct vm *vm, unsigned n)
{
	return 0;
}

bool debug_call(struct vcpu *v, uint32_t op, uint32_t arg, uint64_t *result)
{
	return false;
}
