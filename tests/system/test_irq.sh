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
