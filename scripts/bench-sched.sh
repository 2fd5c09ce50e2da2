#!/usr/bin/env bash
# Scheduler benchmark, Linux level (docs/PERFORMANCE.md, "Two VMs on one
# CPU"): scripts/bench-linux.sh's workload (hvtest=bench in
# guests/linux/init: dd to /dev/null, then 2000 fork+execs) in
#   S  one VM alone,
#   P  two such VMs sharing one CPU (both with affinity AFFINITY, default 0),
# on the platform with -smp 2, one vCPU and the same RAM per VM,
# -cpu max,x-rme=on,pauth=off,sve=off,sme=off. Each VM's init waits at
# "guest: bench ready" (hvgo=key) until the script has seen every VM there,
# then gets a line of input (Ctrl-] moves the keyboard from one VM to the
# next), so the workloads start together, not after boots that overlap.
#
# Wall-clock, median of RUNS runs each, S and P interleaved: S from its
# "guest: bench start" to its "guest: bench done"; P from the first VM's
# start to the last VM's done. With one CPU for both, the scheduler is fair
# and costs nothing when P takes twice S: the target is P/S <= 2.1 (the
# scheduler's overhead at most 5%).
#
# Prints "bench: NAME VALUE" lines, then a table with the target.
# Usage: scripts/bench-sched.sh   (RUNS=n, default 3; GUEST_MEM, default 256M;
#                                 AFFINITY=cpu-list, empty: none, each VM
#                                 then on any CPU)
set -euo pipefail
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build/virt}
runs=${RUNS:-3}
mem=${GUEST_MEM:-256M}
affinity=${AFFINITY-0}
kernel=$top/cache/guest/Image
initrd=$top/cache/guest/initrd.cpio.gz
cpu=max,x-rme=on,pauth=off,sve=off,sme=off
limit=${LIMIT:-600} # seconds, per QEMU run

say() { echo "bench-sched: $*" >&2; }
die() {
	echo "bench-sched: error: $*" >&2
	exit 1
}

for f in "$build/boot.bin" "$build/hyp.bin" "$build/firmware.bin" "$top/build/host/mkbootimg"; do
	[ -f "$f" ] || die "$f is missing (run make first)"
done
# Affinity is the scheduler's configuration (mkbootimg --affinity): a tree
# without it has no scheduler to measure.
if [ -n "$affinity" ] && ! "$top/build/host/mkbootimg" --help 2>&1 | grep -q -- '--affinity'; then
	say "skipped: mkbootimg has no --affinity (no scheduler in this tree)"
	exit 0
fi

source "$top/scripts/bench-common.sh"

# ---- instructions, under -icount shift=0,sleep=off -------------------------
# The test guest guests/sched.c (its work and wake modes) times itself on
# its virtual counter, which under icount counts instructions at every EL.
#   vcpu_switch       two VMs on CPU 0 in the work mode, switched at each
#                     slice's end: the hypervisor's mean time from
#                     the EL2 timer's exit to the return into the other
#                     VM (its "hyp: cpu0: N vCPU switches" line);
#   wake_sgi/_timer   a vCPU blocked in WFI, to its handler, from another
#                     vCPU's SGI or from its own timer's deadline: on a CPU
#                     of its own (-smp 2) and sharing the sender's (-smp 1).
sched_guest() { # OUT SMP NAME:MODE...
	local out=$1 smp=$2 spec args=()
	shift 2
	for spec in "$@"; do
		args+=(--vm --name "${spec%%:*}" --kernel "$build/guests/sched.bin" --mem 32M
			--cpus "$([ "${spec#*:}" = wake ] && echo 2 || echo 1)"
			--guestinfo "sched=${spec#*:}" --guestinfo ms=3000)
		[ "${spec#*:}" = wake ] || args+=(--affinity 0)
	done
	"$top/build/host/mkbootimg" -o "$work/micro.img" --boot "$build/boot.bin" \
		--hyp "$build/hyp.bin" --name micro "${args[@]}" >/dev/null
	SMP=$smp BOOTIMG=$work/micro.img timeout -k 5 120 "$top/scripts/run-virt.sh" -no-reboot \
		-icount shift=0,sleep=off -cpu "$cpu" </dev/null 2>&1 | tr -d '\r' >"$out" || true
}
insns() { # LOG NAME [VM]: the guest's "bench: NAME insns=N"
	sed -nE "s/^(\\[${3:-[a-z0-9]+}\\] )?bench: $2 insns=([0-9]+)\$/\\2/p" "$1" | head -n 1
}
[ -f "$build/guests/sched.bin" ] || die "$build/guests/sched.bin is missing (run make first)"
sched_guest "$work/pair.log" 2 a:work b:work
sched_guest "$work/wake2.log" 2 w:wake
sched_guest "$work/wake1.log" 1 w:wake
# The hypervisor's own measure of the pair's switches (slice ends: the EL2
# timer's interrupt, schedule, save, restore, back to the guest).
switch=$(sed -nE 's/^hyp: cpu0: [0-9]+ vCPU switches, ([0-9]+) ns each from the exit to the return to the guest$/\1/p' "$work/pair.log")
[ -n "$switch" ] || die "the work pair gave no switch figure: $(tail -n 3 "$work/pair.log")"
echo "bench: sched_vcpu_switch insns=$switch"
for smp in 2 1; do
	for k in sgi timer; do
		v=$(insns "$work/wake$smp.log" "wake_$k")
		[ -n "$v" ] || die "wake_$k (-smp $smp) gave no figure"
		echo "bench: sched_wake_${k}_smp$smp insns=$v"
	done
done
echo "bench: target sched_vcpu_switch <= 1500 $([ "$switch" -le 1500 ] && echo ok || echo MISSED)"
[ -z "${MICRO_ONLY:-}" ] || exit 0

"$top/scripts/guest-linux.sh" >"$work/guest-build.log" 2>&1 ||
	die "scripts/guest-linux.sh failed: $(tail -n 3 "$work/guest-build.log")"

# image OUT NAME...: one VM per NAME, each the bench workload on one vCPU.
image() {
	local out=$1 name args=()
	shift
	for name in "$@"; do
		args+=(--vm --name "$name" --kernel "$kernel" --initrd "$initrd"
			--cmdline "console=ttyAMA0 hvtest=bench hvgo=key" --mem "$mem" --cpus 1)
		[ -z "$affinity" ] || args+=(--affinity "$affinity")
	done
	"$top/build/host/mkbootimg" -o "$out" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
		--name bench "${args[@]}" >/dev/null
}
image "$work/solo.img" solo
image "$work/pair.img" a b

# run LOG IMAGE N: boots IMAGE (N VMs); once all N said "guest: bench
# ready", sends each a line; sets t_start to the microseconds from QEMU's
# start to the first "guest: bench start" and t_done to the last "guest:
# bench done" (empty unless all N got there).
run() {
	local log=$1 img=$2 n=$3 out=$work/out in=$work/in line now t0 ready=0 done=0 k keep status=0
	rm -f "$out" "$in"
	mkfifo "$out" "$in"
	t_start='' t_done=''
	t0=${EPOCHREALTIME/./}
	SMP=2 MEM=1G BOOTIMG=$img timeout -k 5 "$limit" "$top/scripts/run-virt.sh" -no-reboot \
		-cpu "$cpu" <"$in" >"$out" 2>&1 &
	qpid=$!
	exec 8>"$in"
	while IFS= read -r line; do
		now=${EPOCHREALTIME/./}
		line=${line//$'\r'/}
		printf '%s\n' "$line"
		case $line in
		*"guest: bench ready")
			ready=$((ready + 1))
			if [ "$ready" = "$n" ]; then
				# The keyboard is vm0's at start; Ctrl-] gives it to the next.
				for k in $(seq "$n"); do
					printf '\r' >&8
					[ "$k" = "$n" ] || printf '\035' >&8
				done
			fi
			;;
		*"guest: bench start") [ -n "$t_start" ] || t_start=$((now - t0)) ;;
		*"guest: bench done")
			done=$((done + 1))
			[ "$done" != "$n" ] || t_done=$((now - t0))
			;;
		esac
	done <"$out" >"$log"
	exec 8>&-
	wait "$qpid" || status=$?
	qpid=
	if [ "$status" != 0 ]; then
		keep=$(mktemp "${TMPDIR:-/tmp}/bench-sched.XXXXXX")
		cp "$log" "$keep"
		tail -n 5 "$log" | sed 's/^/  | /' >&2
		die "$img ended with status $status (log above; all of it in $keep)"
	fi
}

# span SIDE LOG IMAGE N: one complete run's span in ms (tried twice: a
# kernel message in the middle of a marker line can break it).
span() {
	local side=$1 log=$2 img=$3 n=$4 try keep
	for try in 1 2; do
		run "$log" "$img" "$n"
		if [ -n "$t_start" ] && [ -n "$t_done" ]; then
			ms=$(((t_done - t_start) / 1000))
			return 0
		fi
		keep=$(mktemp "${TMPDIR:-/tmp}/bench-sched-$side.XXXXXX")
		cp "$log" "$keep"
		say "warning: $side: a marker line is missing (try $try; its log is in $keep)"
	done
	die "$side: no complete run"
}

median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
s_ms=() p_ms=()
for i in $(seq "$runs"); do
	say "run $i of $runs: S, one VM"
	span S "$work/solo.log" "$work/solo.img" 1
	s_ms+=("$ms")
	say "run $i of $runs: P, two VMs${affinity:+ with affinity $affinity}"
	span P "$work/pair.log" "$work/pair.img" 2
	p_ms+=("$ms")
	# The hypervisor's per-vCPU figures of the last pair, for the record.
	grep -E "^hyp: vm[01] '(a|b)' vcpu0: run " "$work/pair.log" | sed 's/^/bench-sched: /' >&2 || true
done

s_m=$(median "${s_ms[@]}")
p_m=$(median "${p_ms[@]}")
ratio=$(awk -v s="$s_m" -v p="$p_m" 'BEGIN { printf "%.3f", p / s }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 2.1) ? "ok" : "MISSED" }')

echo "bench: sched_linux_ms_workload_one_vm $s_m"
echo "bench: sched_linux_ms_workload_two_vms_one_cpu $p_m"
echo "bench: sched_linux_workload_pair_ratio $ratio"
echo
printf '| %-52s | %9s | %6s | %s\n' measure value target ""
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..54})" "$(printf -- '-%.0s' {1..11})" \
	"$(printf -- '-%.0s' {1..8})" "$(printf -- '-%.0s' {1..8})"
printf '| %-52s | %9s | %6s | %s\n' "ms, bench workload, one VM (median of $runs)" "$s_m" "" ""
printf '| %-52s | %9s | %6s | %s\n' "ms, bench workload, two VMs${affinity:+ on CPU $affinity} (median of $runs)" \
	"$p_m" "" ""
printf '| %-52s | %9s | %6s | %s\n' "two VMs / one VM" "$ratio" "2.1" "$verdict"
echo
echo "runs (ms): one VM ${s_ms[*]}; two VMs ${p_ms[*]}"
