#!/usr/bin/env bash
# PNMI latency benchmark (docs/PERFORMANCE.md, "Pseudo-NMI latency"): the
# test guest guests/pnmi.c asks the test build's debug hypercall to send its
# CPU the dump SGI (a PNMI) from a masked section and from inside a regular
# handler, and count with the PMU's INST_RETIRED at EL2 the instructions
# from the SGI write to the PNMI handler's entry, under
# -icount shift=0,sleep=off. Prints "bench: pnmi_latency_masked insns=N"
# and "bench: pnmi_latency_in_irq insns=N" (the fewest of 8 runs each).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build/virt}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$top/build/host/mkbootimg" -o "$tmp/pnmi.img" --boot "$build/boot.bin" \
	--hyp "$build/hyp-test.bin" --name pnmi-bench --vm --kernel "$build/guests/pnmi.bin" \
	--mem 64M --guestinfo pnmi=bench >/dev/null
BOOTIMG=$tmp/pnmi.img timeout 120 "$top/scripts/run-virt.sh" -no-reboot \
	-icount shift=0,sleep=off -cpu max,x-rme=on,pauth=off,sve=off,sme=off \
	</dev/null 2>&1 | tr -d '\r' | grep -E '^bench: pnmi_'
