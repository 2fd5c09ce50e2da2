#!/usr/bin/env bash
# Linux guest benchmark (docs/PERFORMANCE.md, "Linux guest"). The same Debian
# kernel and initramfs (cache/guest, scripts/guest-linux.sh) booted
#   A  by QEMU itself, the kernel at EL1 on a bare `virt`,
#   B  under the platform (monitor, bootloader, hypervisor), as vm0,
# with one CPU, the same guest RAM and command line on both sides and
# -cpu max,pauth=off,sve=off,sme=off (B adds x-rme=on, which the monitor needs).
#
#   1. instructions from the kernel's entry to the guest's /init (what each
#      side includes exactly: docs/PERFORMANCE.md), counted
#      under -icount shift=0,sleep=off: the guest's virtual counter then
#      counts one tick per instruction (hvtest=count prints it);
#   2. wall-clock, median of RUNS runs each, A and B interleaved, without
#      icount: QEMU start to "guest: init reached", and the hvtest=bench
#      workload ("guest: bench start" to "guest: bench done");
#   3. instructions per character written to the PL011 (hvtest=count), and
#      to the virtio console, hvc0 (A: QEMU's virtio-serial-device with a
#      virtconsole on a null chardev).
#
# Prints "bench: NAME VALUE" lines, then a table with the targets.
# Usage: scripts/bench-linux.sh      (RUNS=n, default 5; GUEST_MEM, default 512M)
set -euo pipefail
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build/virt}
runs=${RUNS:-5}
mem=${GUEST_MEM:-512M}
kernel=$top/cache/guest/Image
initrd=$top/cache/guest/initrd.cpio.gz
cpu=max,pauth=off,sve=off,sme=off
limit=600 # seconds, per QEMU run

say() { echo "bench-linux: $*" >&2; }
die() {
	echo "bench-linux: error: $*" >&2
	exit 1
}

source "$top/scripts/bench-common.sh"

for f in "$build/boot.bin" "$build/hyp.bin" "$build/firmware.bin" "$top/build/host/mkbootimg"; do
	[ -f "$f" ] || die "$f is missing (run make first)"
done
"$top/scripts/guest-linux.sh" >"$work/guest-build.log" 2>&1 ||
	die "scripts/guest-linux.sh failed: $(tail -n 3 "$work/guest-build.log")"

# run-virt.sh puts -cpu max,x-rme=on first; B's own -cpu comes later. QEMU
# keeps only the last -cpu: a property it does not know is an error when it
# is in the later option, and ignored in the earlier one.
probe() { timeout 20 qemu-system-aarch64 -M virt -display none -serial none -monitor none \
	-net none "$@" </dev/null 2>&1 || true; }
case $(probe -cpu max,x-rme=on -cpu max,hv-bench-probe=on -S) in
*hv-bench-probe*) ;;
*) die "QEMU did not parse the later -cpu option" ;;
esac
case $(probe -cpu max,hv-bench-probe=on -cpu "$cpu" -kernel "$work/no-such-kernel") in
*hv-bench-probe*) die "QEMU applied an earlier -cpu option" ;;
esac

# run LOG CMD...: runs CMD (a QEMU) under timeout with its output, carriage
# returns removed, in LOG, and sets the microseconds from the start to the
# first "hyp: vm0 " (t_vm), "guest: init reached" (t_init), "guest: bench
# start" (t_start) and "guest: bench done" (t_done) lines; empty if absent.
run() {
	local log=$1 fifo=$work/fifo line now t0 status=0
	shift
	rm -f "$fifo"
	mkfifo "$fifo"
	t_vm='' t_init='' t_start='' t_done=''
	t0=${EPOCHREALTIME/./}
	timeout -k 5 "$limit" "$@" </dev/null >"$fifo" 2>&1 &
	qpid=$!
	while IFS= read -r line; do
		now=${EPOCHREALTIME/./}
		line=${line//$'\r'/}
		printf '%s\n' "$line"
		case $line in
		"hyp: vm0 "*) [ -n "$t_vm" ] || t_vm=$((now - t0)) ;;
		"guest: init reached") [ -n "$t_init" ] || t_init=$((now - t0)) ;;
		"guest: bench start") t_start=$((now - t0)) ;;
		"guest: bench done") t_done=$((now - t0)) ;;
		esac
	done <"$fifo" >"$log"
	wait "$qpid" || status=$?
	qpid=
	if [ "$status" != 0 ]; then
		tail -n 5 "$log" | sed 's/^/  | /' >&2
		die "$* ended with status $status (log above)"
	fi
}

# A: QEMU boots the kernel itself (its 6-instruction boot stub, then the
# kernel at EL1). B: the platform, through scripts/run-virt.sh, one CPU.
run_a() { # LOG MODE [QEMU ARGS...]
	local log=$1 mode=$2
	shift 2
	run "$log" qemu-system-aarch64 -M virt,gic-version=3 -cpu "$cpu" -m "$mem" -smp 1 \
		-nographic -net none -kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyAMA0 hvtest=$mode" -no-reboot "$@"
}
image() { # OUT MODE: the boot image of vm0 with the same kernel, initrd, command line
	"$top/build/host/mkbootimg" -o "$1" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
		--name linux --vm --name linux --kernel "$kernel" --initrd "$initrd" \
		--cmdline "console=ttyAMA0 hvtest=$2" --mem "$mem" --cpus 1 >/dev/null
}
run_b() { # LOG IMAGE [QEMU ARGS...]
	local log=$1 img=$2
	shift 2
	SMP=1 MEM=1G BOOTIMG=$img run "$log" "$top/scripts/run-virt.sh" -no-reboot \
		-cpu "max,x-rme=on,${cpu#max,}" "$@"
}
image "$work/count.img" count
image "$work/bench.img" bench

# ---- 1 and 3: instructions, under icount --------------------------------
icount=(-icount "shift=0,sleep=off")
field() { # LOG PATTERN: the first match of sed -E 's/PATTERN/\1/p'
	sed -nE "s/$2/\\1/p" "$1" | head -n 1
}
counts() { # LOG SIDE: checks a count run and sets init, again, chars, pticks, empty
	local log=$1 side=$2 idle tx
	grep -q 'arch_timer: cp15 timer(s) running at 1000.00MHz (virt)' "$log" ||
		die "$side: the guest's counter does not run at 1 GHz: ticks are not instructions"
	init=$(field "$log" '^guest: count init=([0-9]+) again=[0-9]+$')
	again=$(field "$log" '^guest: count init=[0-9]+ again=([0-9]+)$')
	chars=$(field "$log" '^guest: count pl011 chars=([0-9]+) .*')
	pticks=$(field "$log" '^guest: count pl011 .* ticks=([0-9]+) .*')
	empty=$(field "$log" '^guest: count pl011 .* empty=([0-9]+) .*')
	tx=$(field "$log" '^guest: count pl011 .* tx=([0-9]+)$')
	idle=$(field "$log" '^guest: count idle (.*)$')
	hchars=$(field "$log" '^guest: count hvc chars=([0-9]+) .*')
	hticks=$(field "$log" '^guest: count hvc .* ticks=([0-9]+) .*')
	hempty=$(field "$log" '^guest: count hvc .* empty=([0-9]+) .*')
	hirqs=$(field "$log" '^guest: count hvc .* irqs=([0-9]+)$')
	if [ -z "$init" ] || [ -z "$pticks" ] || [ -z "$idle" ]; then
		die "$side: no counts in its log"
	fi
	[ "$tx" = "$chars" ] || say "warning: $side: the driver sent $tx characters, not $chars"
	# Idle time passes on the counter without instructions.
	[ "$idle" = "init=0/0 end=0/0" ] ||
		say "warning: $side: the kernel idled ($idle calls/ns): those ns are ticks without instructions"
}

say "instructions (-icount shift=0,sleep=off): B, the platform"
run_b "$work/count-b.log" "$work/count.img" "${icount[@]}"
counts "$work/count-b.log" B
b_init=$init b_again=$again b_chars=$chars b_pticks=$pticks b_empty=$empty
b_hchars=$hchars b_hticks=$hticks b_hempty=$hempty b_hirqs=$hirqs
# The device tree the kernel got from the hypervisor, for A': bare QEMU
# booting the same devices (QEMU's own tree has PCIe, virtio-mmio, fw_cfg,
# RTC, GPIO... which the kernel probes too).
field "$work/count-b.log" '^guest: count fdt ([0-9a-f]+)$' |
	python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read()))' >"$work/vm.dtb"

say "instructions: A, QEMU alone"
run_a "$work/count-a.log" count "${icount[@]}" -device virtio-serial-device \
	-chardev null,id=hvc -device virtconsole,chardev=hvc
counts "$work/count-a.log" A
a_init=$init a_again=$again a_chars=$chars a_pticks=$pticks a_empty=$empty
a_hchars=$hchars a_hticks=$hticks a_hempty=$hempty

ad_init=''
if [ -s "$work/vm.dtb" ]; then
	say "instructions: A', QEMU alone with the VM's device tree"
	run_a "$work/count-ad.log" count "${icount[@]}" -dtb "$work/vm.dtb"
	counts "$work/count-ad.log" "A'"
	ad_init=$init
fi

# ---- 2: wall-clock, without icount, interleaved ------------------------
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
# wall SIDE: one hvtest=bench run of A or B that has all its marker lines
# (a kernel message printed in the middle of one can break it); tried twice.
wall() {
	local side=$1 log=$work/bench-$1.log try keep
	for try in 1 2; do
		if [ "$side" = A ]; then
			run_a "$log" bench
		else
			run_b "$log" "$work/bench.img"
		fi
		if [ -n "$t_init" ] && [ -n "$t_start" ] && [ -n "$t_done" ] &&
			{ [ "$side" = A ] || [ -n "$t_vm" ]; }; then
			return 0
		fi
		keep=$(mktemp "${TMPDIR:-/tmp}/bench-linux-$side.XXXXXX")
		cp "$log" "$keep"
		say "warning: $side: a marker line is missing (try $try; its log is in $keep)"
	done
	die "$side: no complete hvtest=bench run"
}
a_boot=() b_boot=() a_work=() b_work=() b_vm=()
for i in $(seq "$runs"); do
	say "wall-clock run $i of $runs: A"
	wall A
	a_boot+=($((t_init / 1000)))
	a_work+=($(((t_done - t_start) / 1000)))
	say "wall-clock run $i of $runs: B"
	wall B
	b_boot+=($((t_init / 1000)))
	b_work+=($(((t_done - t_start) / 1000)))
	b_vm+=($((t_vm / 1000)))
done

# ---- report -------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b / a }'; }
per() { awk -v t="$1" -v e="$2" -v n="$3" 'BEGIN { printf "%.1f", (t - e) / n }'; }
ok() { # VALUE TARGET: "ok" when VALUE <= TARGET
	awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t) ? "ok" : "MISSED" }'
}
a_pc=$(per "$a_pticks" "$a_empty" "$a_chars")
b_pc=$(per "$b_pticks" "$b_empty" "$b_chars")
added_pc=$(awk -v a="$a_pc" -v b="$b_pc" 'BEGIN { printf "%.1f", b - a }')
a_hc='' b_hc='' have_hc=''
if [ -n "$a_hchars" ] && [ -n "$b_hchars" ]; then
	a_hc=$(per "$a_hticks" "$a_hempty" "$a_hchars")
	b_hc=$(per "$b_hticks" "$b_hempty" "$b_hchars")
	have_hc=1
else
	say "warning: no hvc0 counts (A: '${a_hchars:-}', B: '${b_hchars:-}')"
fi
r_insns=$(ratio "$a_init" "$b_init")
a_bm=$(median "${a_boot[@]}") b_bm=$(median "${b_boot[@]}")
a_wm=$(median "${a_work[@]}") b_wm=$(median "${b_work[@]}")
b_vmm=$(median "${b_vm[@]}")
r_boot=$(ratio "$a_bm" "$b_bm")
r_work=$(ratio "$a_wm" "$b_wm")

echo "bench: linux_insns_to_init_qemu $a_init"
echo "bench: linux_insns_to_init_platform $b_init"
echo "bench: linux_insns_to_init_ratio $r_insns"
if [ -n "$ad_init" ]; then
	r_insns_dt=$(ratio "$ad_init" "$b_init")
	echo "bench: linux_insns_to_init_qemu_vmdt $ad_init"
	echo "bench: linux_insns_to_init_ratio_vmdt $r_insns_dt"
fi
echo "bench: linux_insns_counter_read_qemu $((a_again - a_init))"
echo "bench: linux_insns_counter_read_platform $((b_again - b_init))"
echo "bench: linux_pl011_insns_per_char_qemu $a_pc"
echo "bench: linux_pl011_insns_per_char_platform $b_pc"
echo "bench: linux_pl011_insns_per_char_added $added_pc"
if [ -n "$have_hc" ]; then
	echo "bench: linux_hvc_insns_per_char_qemu $a_hc"
	echo "bench: linux_hvc_insns_per_char_platform $b_hc"
	echo "bench: linux_hvc_chains_platform $b_hirqs"
fi
echo "bench: linux_ms_to_init_qemu $a_bm"
echo "bench: linux_ms_to_init_platform $b_bm"
echo "bench: linux_ms_to_init_ratio $r_boot"
echo "bench: linux_ms_to_vm_start_platform $b_vmm"
echo "bench: linux_ms_workload_qemu $a_wm"
echo "bench: linux_ms_workload_platform $b_wm"
echo "bench: linux_ms_workload_ratio $r_work"

echo
printf '| %-44s | %13s | %13s | %7s | %6s | %s\n' measure "A: QEMU" "B: platform" "B/A" target ""
printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" "$(printf -- '-%.0s' {1..15})" \
	"$(printf -- '-%.0s' {1..15})" "$(printf -- '-%.0s' {1..9})" "$(printf -- '-%.0s' {1..8})"
printf '| %-44s | %13s | %13s | %7s | %6s | %s\n' "instructions, kernel entry -> /init" \
	"$a_init" "$b_init" "$r_insns" "1.02" "$(ok "$r_insns" 1.02)"
if [ -n "$ad_init" ]; then
	printf '| %-44s | %13s | %13s | %7s | %6s | %s\n' "  same, A with the VM's device tree (A')" \
		"$ad_init" "$b_init" "$r_insns_dt" "1.02" "$(ok "$r_insns_dt" 1.02)"
fi
printf '| %-44s | %13s | %13s | %7s | %6s | %s\n' "ms, QEMU start -> init (median of $runs)" \
	"$a_bm" "$b_bm" "$r_boot" "1.3" "$(ok "$r_boot" 1.3)"
printf '| %-44s | %13s | %13s | %7s | %6s | %s\n' "ms, bench workload (median of $runs)" \
	"$a_wm" "$b_wm" "$r_work" "1.1" "$(ok "$r_work" 1.1)"
printf '| %-44s | %13s | %13s | %7s | %6s | %s\n' "instructions per PL011 character" \
	"$a_pc" "$b_pc" "+$added_pc" "300" "$(ok "$b_pc" 300)"
if [ -n "$have_hc" ]; then
	# No B/A: A's driver spins while QEMU serves its chains on another
	# thread, B's device serves them within the trap (docs/PERFORMANCE.md,
	# "The virtio console"); the hypervisor's share is bench-calls.sh's.
	printf '| %-44s | %13s | %13s | %7s | %6s | %s\n' "instructions per hvc0 (virtio) character" \
		"$a_hc" "$b_hc" "-" "-" "(${b_hirqs:-?} chains in B)"
fi
echo
echo "wall-clock runs (ms): to init A ${a_boot[*]}; B ${b_boot[*]} (of which to 'hyp: vm0' ${b_vm[*]})"
echo "                      workload A ${a_work[*]}; B ${b_work[*]}"
