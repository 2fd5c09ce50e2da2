#!/usr/bin/env bash
# What the monitor provides to the normal world: memory it keeps to itself
# (granule protection), PSCI for CPUs and the system.
source "$(dirname "$0")/lib.sh"

# An NS-EL2 read of the monitor's secure RAM is refused by the GPT, taken to
# EL3, turned into an external abort for the hypervisor, which carries on.
HYP=hyp-test image_with_config "$work/probe.img" "name = probe
test = read-monitor-memory"
boot monitor_memory_protected BOOTIMG="$work/probe.img" --
expect monitor_memory_protected \
	'^monitor: granule protection fault: EL2 read of PA 0xe000000 .*external abort injected$' \
	'^hyp: read of monitor memory at pa 0xe000000 faulted \(esr 0x96000010\): protected$' \
	'^hyp: still running after the probe$' '^hyp: powering off$' '^monitor: psci: system off$'

# PSCI: version, features, error codes, and every secondary CPU started
# twice (from reset, then again after CPU_OFF) at a hypervisor entry point.
HYP=hyp-test image_with_config "$work/psci.img" "name = psci
test = psci"
boot psci_cpu_on_off SMP=4 BOOTIMG="$work/psci.img" --
expect psci_cpu_on_off '^hyp: psci self-test passed \(6 cpu cycles\)$' \
	'^hyp: psci: cpu 0x3 came up, signed and turned off \(round 2\)$' '^monitor: psci: system off$'

HYP=hyp-test image_with_config "$work/reset.img" "name = reset
test = reset"
boot psci_system_reset BOOTIMG="$work/reset.img" --
expect psci_system_reset '^monitor: psci: system reset$'
if grep -q 'monitor: psci: system off' "$work/psci_system_reset.clean"; then
	echo "not ok - psci_system_reset_is_not_off: the reset powered off instead"
else
	pass psci_system_reset_is_not_off
fi

# The stock hypervisor has no self-tests (they are in hyp-test.bin only):
# it says so and powers off.
image_with_config "$work/stock.img" "name = stock
test = psci"
boot stock_has_no_selftests BOOTIMG="$work/stock.img" --
expect stock_has_no_selftests \
	"^hyp: self-test 'psci' is in the test build \\(hyp-test.bin\\) only$" \
	'^hyp: powering off$' '^monitor: psci: system off$'
if grep -q 'hyp: psci self-test passed' "$work/stock_has_no_selftests.clean"; then
	fail stock_has_no_selftests_ran_none "the stock image ran the psci self-test"
else
	pass stock_has_no_selftests_ran_none
fi
