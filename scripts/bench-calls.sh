#!/usr/bin/env bash
# Hypercall benchmark (docs/PERFORMANCE.md): the bench guest counts
# instructions per round trip with the PMU's INST_RETIRED event (EL1, EL0 and
# EL2) under -icount shift=0,sleep=off, and prints "bench: NAME insns=N".
# It runs the test build (hyp-test.bin): hyp.bin sets MDCR_EL2.HPMD, which
# keeps a guest's counters from counting at EL2.
# Pointer authentication, SVE and SME are off, as for every comparison.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build/virt}
img=$(mktemp)
trap 'rm -f "$img"' EXIT

"$top/build/host/mkbootimg" -o "$img" --boot "$build/boot.bin" --hyp "$build/hyp-test.bin" \
	--name bench --vm --kernel "$build/guests/bench.bin" --mem 64M >/dev/null
BOOTIMG=$img timeout 120 "$top/scripts/run-virt.sh" -no-reboot \
	-icount shift=0,sleep=off -cpu max,x-rme=on,pauth=off,sve=off,sme=off \
	</dev/null 2>&1 | tr -d '\r' | grep -E '^bench: ' | grep -v measurement_overhead
