#!/usr/bin/env bash
# Boot benchmark (docs/PERFORMANCE.md): instructions from reset to the
# hypervisor's entry, exact under QEMU -icount shift=0,sleep=off (the 1 GHz
# counter then counts one tick per instruction), and the wall-clock time of
# a whole boot to power-off, median of RUNS runs. Usage: scripts/bench-boot.sh
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-5}
seeds=(1 2 3 12345 4242424242)

insns() {
	SEED=$1 timeout 60 "$top/scripts/run-virt.sh" -no-reboot \
		-icount shift=0,sleep=off </dev/null 2>&1 |
		sed -nE 's/^hyp: counter at entry: ([0-9]+) ticks at ([0-9]+) Hz.*/\1 \2/p'
}

echo "instructions from reset to 'hyp: entered' (-icount shift=0,sleep=off):"
for s in "${seeds[@]}"; do
	read -r ticks hz < <(insns "$s")
	if [ "$hz" != 1000000000 ]; then
		echo "counter runs at $hz Hz, not 1 GHz: ticks are not instructions" >&2
		exit 1
	fi
	echo "  seed $s: $ticks"
done

echo "wall-clock, reset to power-off (median of $runs):"
times=()
for _ in $(seq "$runs"); do
	start=$(date +%s%N)
	SEED=1 timeout 60 "$top/scripts/run-virt.sh" -no-reboot </dev/null >/dev/null 2>&1
	end=$(date +%s%N)
	times+=($(((end - start) / 1000000)))
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
echo "  ${median} ms (runs: ${times[*]} ms)"
