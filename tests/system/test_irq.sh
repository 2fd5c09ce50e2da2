#!/usr/bin/env bash
# Interrupts and timers as guests expect them (guests/timers.c): delivery
# with GICR_WAKER never touched, timer interrupts that follow their line,
# and the emulated EL1 physical timer (PPI 30, CNTPCT in the VM's count).
source "$(dirname "$0")/lib.sh"

guest_image "$work/timers.img" timers
boot guest_timers BOOTIMG="$work/timers.img" --
expect guest_timers '^timers: SGI, SPI and virtual timer PPI with GICR_WAKER asleep$' \
	"^timers: the virtual timer's interrupt follows its line$" \
	'^timers: the EL1 physical timer works and follows its line$' \
	'^guest timers: 0 failures$' \
	"^hyp: vm0 'timers' ended: test exit requested, exit code 0$" \
	'^hyp: no VM left: powering off$'

# MDCR_EL2.HPMD: a guest counter asking for EL2 (PMEVTYPER.NSH) does not
# advance across the EL2 part of a backdoor call on hyp.bin; on the test
# build, which leaves HPMD clear for the benchmarks, it does (so the check
# can tell the two apart). icount: QEMU counts instructions only then.
# pmu_share NAME: the guest's "el2 share" figure.
pmu_share() { sed -nE 's/^pmu: el2 share (-?[0-9]+)$/\1/p' "$work/$1.clean"; }
guest_image "$work/pmu.img" pmu
boot guest_pmu BOOTIMG="$work/pmu.img" -- -icount shift=0,sleep=off
if expect guest_pmu '^guest pmu: 0 failures$'; then
	share=$(pmu_share guest_pmu)
	if [ "$share" = 0 ]; then pass pmu_no_el2_counting; else
		fail pmu_no_el2_counting "the guest counted ${share:-?} EL2 instructions"; fi
fi
"$top/build/host/mkbootimg" -o "$work/pmu-test.img" --boot "$build/boot.bin" \
	--hyp "$build/hyp-test.bin" --name pmu --vm --name pmu \
	--kernel "$build/guests/pmu.bin" --mem 64M >/dev/null
boot guest_pmu_test_build BOOTIMG="$work/pmu-test.img" -- -icount shift=0,sleep=off
if expect guest_pmu_test_build '^guest pmu: 0 failures$'; then
	share=$(pmu_share guest_pmu_test_build)
	if [ "${share:-0}" -gt 100 ]; then pass pmu_test_build_counts_el2; else
		fail pmu_test_build_counts_el2 "EL2 share ${share:-?}: expected the calls' EL2 part"; fi
fi

# An AArch32 EL0 (guests/compat.c): a 16-bit T32 MMIO load steps by 2, an
# injected abort enters at the AArch32 lower-EL vector, BKPT is reflected.
guest_image "$work/compat.img" compat
boot guest_compat BOOTIMG="$work/compat.img" --
expect guest_compat '^compat: 16-bit T32 load from the UART stepped by 2$' \
	'^compat: external abort at the AArch32 lower-EL vector$' \
	'^compat: BKPT reflected as a BKPT$' '^guest compat: 0 failures$'
