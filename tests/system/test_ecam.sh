#!/usr/bin/env bash
# The monitor's emulated PCI ECAM window on QEMU virt (docs/ARCHITECTURE.md,
# "ECAM emulation"): its shim function describes virt's PL031 RTC, and
# config accesses from EL2 (the hypervisor's self-test) and from EL1 (a test
# guest with the window passed through) trap to EL3 and get their defined
# answers; the ones the monitor refuses get an external abort and a log
# line, and the platform runs on.
source "$(dirname "$0")/lib.sh"

HYP=hyp-test image_with_config "$work/ecam.img" "name = ecam
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

# From EL1: the test guest with the window and the PL031 passed through.
guest_image "$work/ecam1.img" ecam --ecam-passthrough
boot ecam_el1 BOOTIMG="$work/ecam1.img" --
expect ecam_el1 "^hyp: ecam: 00:00.0 13b5:0031 class 080300, BAR0 0x9010000 size 0x1000, SPI 2$" \
	"^hyp: vm0: ECAM window 0xb000000 and 1 device\(s\) passed through$" \
	'^ecam: 00:00.0 003113b5 class 080300 BAR0 0x09010000, PL031 part 0x31 behind it$' \
	'^monitor: ecam: EL1 access to PA 0xb000000 refused \(exclusive-ordered, ' \
	'^monitor: ecam: EL1 access to PA 0xb000004 refused \(atomic, ' \
	'^monitor: ecam: EL1 access to PA 0xb000000 refused \(simd-fp, ' \
	'^monitor: ecam: EL1 access to PA 0xb000ff8 refused \(bus-error, ' \
	'^guest ecam: 0 failures$' "^hyp: vm0 'ecam' ended: test exit requested, exit code 0$"

# The window has one owner: a second VM asking for it is refused, the
# first runs. A VM without passthrough has no window: its accesses there
# are unmapped IPAs (faults.c shows what those get).
"$top/build/host/mkbootimg" -o "$work/two-owners.img" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
	--name two --vm --name ecam --kernel "$build/guests/ecam.bin" --mem 32M --ecam-passthrough \
	--vm --name second --kernel "$build/guests/faults.bin" --mem 32M --ecam-passthrough >/dev/null
boot ecam_one_owner BOOTIMG="$work/two-owners.img" --
expect ecam_one_owner '^hyp: vm1: the ECAM window already belongs to vm0$' \
	'^guest ecam: 0 failures$' '^hyp: no VM left: powering off$'

# Without FEAT_RME there is no GPT: the monitor says so, and the window's
# accesses would come to EL3 as external aborts (SCR_EL3.EA). QEMU takes
# those at EL2 instead (BRIEF section 2), so the hypervisor finds a window
# that does not answer, says so, and carries on.
boot ecam_without_rme -- -cpu max
expect ecam_without_rme '^monitor: no FEAT_RME: no granule protection table; ECAM accesses trap as external aborts \(SCR_EL3.EA\)$' \
	'^hyp: ecam: the window at 0xb000000 does not answer \(esr 0x96000010\): nothing to pass through$' \
	'^hyp: powering off$' '^monitor: psci: system off$'
