#!/usr/bin/env bash
# The monitor's emulated PCI ECAM window on QEMU virt (docs/ARCHITECTURE.md,
# "ECAM emulation"): its shim function describes virt's PL031 RTC, and
# config accesses from EL2 (the hypervisor's self-test) and from EL1 (a test
# guest with the window passed through) trap to EL3 and get their defined
# answers; the ones the monitor refuses get an external abort and a log
# line, and the platform runs on.
source "$(dirname "$0")/lib.sh"

image_with_config "$work/ecam.img" "name = ecam
test = ecam"
boot ecam_el2 BOOTIMG="$work/ecam.img" --
expect ecam_el2 '^monitor: ecam: emulated window 0xb000000-0xb0fffff, 1 shim function\(s\)$' \
	'^monitor: ecam: pl031@9010000 is PCI function 00:00.0 now$' \
	'^hyp: ecam: window 0xb000000, 00:00.0 is 13b5:0031 class 080300, BAR0 0x9010000 size 0x1000, pin 1$' \
	'^monitor: ecam: EL2 access to PA 0xb000000 refused \(exclusive-ordered, insn 0x[0-9a-f]{8} at pc 0x[0-9a-f]+\): external abort injected$' \
	'^monitor: ecam: EL2 access to PA 0xb000000 refused \(atomic, ' \
	'^monitor: ecam: EL2 access to PA 0xb000ff8 refused \(bus-error, ' \
	'^hyp: ecam: the BAR at 0x9010000 is a PrimeCell, part 0x031$' \
	'^hyp: ecam self-test passed$' '^hyp: powering off$' '^monitor: psci: system off$'
