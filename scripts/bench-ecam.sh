#!/usr/bin/env bash
# ECAM benchmark (docs/PERFORMANCE.md, "ECAM config reads"): one config-space
# read round trip through the monitor's emulated window, from EL2 (the
# hypervisor's `test = ecam` self-test) and from EL1 (guests/ecam.c with the
# window passed through), under -icount shift=0,sleep=off, where the counter
# counts instructions. Each prints "bench: ecam_read_elN insns=N": the median
# of 101 reads less the median of 101 empty measurements.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build/virt}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() { # IMAGE: boots it under icount and keeps its bench lines
	BOOTIMG=$1 timeout 120 "$top/scripts/run-virt.sh" -no-reboot \
		-icount shift=0,sleep=off -cpu max,x-rme=on,pauth=off,sve=off,sme=off \
		</dev/null 2>&1 | tr -d '\r' | grep -E '^bench: ecam_'
}

printf 'name = ecam-bench\ntest = ecam\n' >"$tmp/el2.cfg"
# The self-tests are in the test build only.
"$top/build/host/mkbundle" -o "$tmp/el2.bundle" --hyp "$build/hyp-test.bin" \
	--config "$tmp/el2.cfg" >/dev/null
cat "$build/boot.bin" "$tmp/el2.bundle" >"$tmp/el2.img"
run "$tmp/el2.img"

"$top/build/host/mkbootimg" -o "$tmp/el1.img" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
	--name ecam-bench --vm --kernel "$build/guests/ecam.bin" --mem 64M \
	--ecam-passthrough >/dev/null
run "$tmp/el1.img"
