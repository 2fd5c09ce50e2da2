#!/usr/bin/env bash
# Pseudo-NMIs in the hypervisor (docs/ARCHITECTURE.md, "Interrupts and
# pseudo-NMIs"), through the test guest guests/pnmi.c and the debug
# hypercall of the test build (hyp-test.bin): the lockup detector reports a
# CPU spinning in a masked section, with a backtrace naming the spinning
# function, while a neighbour VM runs on undisturbed; a PNMI gets into a
# long regular handler; a panic shows every CPU, the stuck one included.
source "$(dirname "$0")/lib.sh"

# pnmi_image OUT HYP MODE [MKBOOTIMG VM OPTIONS...]
pnmi_image() {
	local out=$1 hyp=$2 mode=$3
	shift 3
	"$top/build/host/mkbootimg" -o "$out" --boot "$build/boot.bin" --hyp "$build/$hyp.bin" \
		--name pnmi --vm --name pnmi --kernel "$build/guests/pnmi.bin" --mem 64M \
		--guestinfo "pnmi=$mode" "$@" >/dev/null
}

# The stock hypervisor has no debug calls: the command fails.
pnmi_image "$work/refused.img" hyp refused
boot pnmi_refused_in_stock_build BOOTIMG="$work/refused.img" --
expect pnmi_refused_in_stock_build "^guest pnmi: mode 'refused'$" '^guest pnmi: 0 failures$' \
	'^hyp: lockup detector: every [0-9]+ ms on each CPU' '^monitor: psci: system off$'

# A CPU spinning 1 s with regular interrupts masked, next to a VM that
# ticks every 100 ms on the other CPU (each VM's affinity keeps it on its
# CPU, so the lines name cpu0).
"$top/build/host/mkbootimg" -o "$work/lockup.img" --boot "$build/boot.bin" \
	--hyp "$build/hyp-test.bin" --name lockup \
	--vm --name spinner --kernel "$build/guests/pnmi.bin" --mem 32M --guestinfo pnmi=spin-masked --affinity 0 \
	--vm --name ticker --kernel "$build/guests/pnmi.bin" --mem 32M --guestinfo pnmi=ticker --affinity 1 \
	>/dev/null
boot pnmi_lockup_masked BOOTIMG="$work/lockup.img" --
spin='^hyp: cpu0: debug: spinning 1000 ms with regular interrupts masked$'
report='^hyp: cpu0: lockup: no progress with regular interrupts masked for [0-9]+ ms: in the hypervisor, PMR 0x[0-9a-f]+ \(regular masked\)$'
done_='^hyp: cpu0: debug: masked spin done$'
expect pnmi_lockup_masked "$spin" "$report" \
	'^hyp: cpu0:   #0 0x[0-9a-f]+ debug_spin_masked\+0x[0-9a-f]+$' \
	'^hyp: cpu0:   #[0-9]+ 0x[0-9a-f]+ guest_sync\+0x' \
	'^hyp: cpu0:   x0  [0-9a-f]{16} x1  ' '^hyp: cpu0:   sp  [0-9a-f]{16} pc  ' \
	'^hyp: cpu0: lockup over after [0-9]+ ms$' \
	'^\[spinner\] guest pnmi: 0 failures$' '^\[ticker\] guest pnmi: tick 20$' \
	'^\[ticker\] guest pnmi: 0 failures$' '^hyp: no VM left: powering off$' &&
	in_order pnmi_lockup_masked "$spin" "$report" "$done_"
# Reported within the bound (hyp/pnmi/lockup.h: under threshold + 2 periods
# after the spin began), and the neighbour kept ticking during the spin.
if awk -v s="$spin" -v r="$report" -v d="$done_" '
	$0 ~ s { in_spin = 1 } $0 ~ d { in_spin = 0 }
	in_spin && /^\[ticker\] guest pnmi: tick/ { ticks++ }
	$0 ~ r { ms = $0; sub(/.* for /, "", ms); sub(/ ms.*/, "", ms); got = ms + 0 }
	END { exit !(got >= 200 && got < 240 + 200 && ticks >= 5) }' "$work/pnmi_lockup_masked.clean"; then
	pass pnmi_lockup_bounded_and_neighbour_undisturbed
else
	fail pnmi_lockup_bounded_and_neighbour_undisturbed \
		"report outside 200..440 ms, or fewer than 5 ticks of the other VM during the spin"
fi

# A long regular handler: the watchdog's PNMI gets in before it ends.
pnmi_image "$work/irq.img" hyp-test spin-irq --affinity 0
boot pnmi_in_regular_handler BOOTIMG="$work/irq.img" --
expect pnmi_in_regular_handler '^hyp: cpu0:   #0 0x[0-9a-f]+ debug_spin_in_irq\+0x' \
	'^hyp: cpu0:   #[0-9]+ 0x[0-9a-f]+ hyp_irq\+0x' '^guest pnmi: 0 failures$' &&
	in_order pnmi_in_regular_handler '^hyp: cpu0: debug: regular handler spinning 600 ms$' \
		'^hyp: cpu0: lockup: no progress with regular interrupts masked' \
		'^hyp: cpu0: debug: regular handler done$' '^hyp: cpu0: lockup over after'

# A panic on cpu0 while cpu1 is stuck in a masked section: both shown
# (pinned: vCPU 0 on cpu0, vCPU 1 on cpu1).
pnmi_image "$work/panic.img" hyp-test panic --cpus 2 --pinned
boot pnmi_panic BOOTIMG="$work/panic.img" --
expect pnmi_panic '^hyp: cpu1: debug: spinning 5000 ms' \
	'^hyp: PANIC on cpu0: debug hypercall: panic requested by the guest$' \
	'^hyp: cpu0: panicking: in the hypervisor' \
	'^hyp: cpu1: state on panic: in the hypervisor, PMR 0x[0-9a-f]+ \(regular masked\)$' \
	"^hyp: panic: every CPU's state shown$" '^monitor: psci: system off$' &&
	in_order pnmi_panic '^hyp: PANIC on cpu0' '^hyp: cpu1: state on panic' \
		'^hyp: cpu1:   #0 0x[0-9a-f]+ debug_spin_masked\+0x' "^hyp: panic: every CPU's state shown"
if grep -q 'no answer to the dump PNMI' "$work/pnmi_panic.clean"; then
	fail pnmi_panic_every_cpu_answered "a CPU did not answer the dump"
else
	pass pnmi_panic_every_cpu_answered
fi

# The benchmark's measurement runs (its numbers: scripts/bench-pnmi.sh);
# QEMU's PMU counts instructions under -icount only.
pnmi_image "$work/bench.img" hyp-test bench
boot pnmi_bench_runs BOOTIMG="$work/bench.img" -- -icount shift=0,sleep=off
expect pnmi_bench_runs '^bench: pnmi_latency_masked insns=[1-9][0-9]*$' \
	'^bench: pnmi_latency_in_irq insns=[1-9][0-9]*$' '^guest pnmi: 0 failures$'
