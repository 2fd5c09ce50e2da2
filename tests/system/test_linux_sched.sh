#!/usr/bin/env bash
# Debian Linux on vCPUs that share physical CPUs (issue 13, hyp/sched/):
#   linux_four_vms_two_vcpus  4 VMs of 2 vCPUs each on a 2-CPU machine all
#                             reach their shells; in each, nproc says 2 and a
#                             CPU-bound pipeline (dd | md5sum, both vCPUs)
#                             runs while the others run theirs;
#   linux_idle_cpu            a VM idle at its shell costs the host's QEMU
#                             little more CPU time than bare QEMU takes for
#                             the same kernel idle at the same shell (the
#                             ratio is printed; the test limit is below).
# The guest is cache/guest (scripts/guest-linux.sh, docs/GUEST_LINUX.md).
source "$(dirname "$0")/lib.sh"
BOOT_TIMEOUT=${LINUX_TIMEOUT:-300}

linux_guest_ready || exit 0

# The least RAM the guest reaches its shell in is 80 MiB (64 MiB: the
# kernel's OOM killer stops the boot); 96 MiB leaves the shell's commands
# room.
vm_mem=96M

# wait_up NAME REGEX SECONDS: wait_for, but gives up at once when the
# session's QEMU has ended (a refused configuration powers off at boot).
wait_up() {
	local name=$1 re=$2 secs=$3
	for _ in $(seq $((secs * 10))); do
		if tr -d '\r' <"$work/$name.log" 2>/dev/null | grep -Eq -- "$re"; then
			return 0
		fi
		[ -e "$work/$name.rawstatus" ] && return 1
		sleep 0.1
	done
	return 1
}

# stop_qemu NAME: stops the session's QEMU (its -pidfile) by its PID, when a
# check already failed and there is nothing more to wait for.
stop_qemu() {
	local pid
	pid=$(cat "$work/$1.pid" 2>/dev/null) && kill "$pid" 2>/dev/null
}

# ---- four VMs, two vCPUs each, on -smp 2 -------------------------------
# The keyboard starts on vm0; each VM gets its command typed at its shell,
# then Ctrl-] moves the keyboard to the next, so the four pipelines run at
# once. The command prints res-<1000+N>, computed in the guest so that its
# own echo does not match, and powers the VM off; the platform powers off
# after the last.
nvms=4
work_mib=32
want_md5=$(head -c $((work_mib << 20)) /dev/zero | md5sum | cut -d' ' -f1)
args=()
for i in $(seq 0 $((nvms - 1))); do
	args+=(--vm --name "linux$i" --kernel "$kernel" --initrd "$initrd"
		--cmdline "console=ttyAMA0 hvtest=shell" --mem "$vm_mem" --cpus 2)
done
if ! "$top/build/host/mkbootimg" -o "$work/four.img" --boot "$build/boot.bin" \
	--hyp "$build/hyp.bin" --name four "${args[@]}" >"$work/four.err" 2>&1; then
	echo "not ok - linux_four_vms_two_vcpus: mkbootimg refused the image: $(cat "$work/four.err")"
else
	# 4 x 96 MiB of VM RAM, each contiguous, around the 38 MB boot image
	# wherever the monitor put it: 768 MiB leaves room for that split.
	start_session linux_four BOOTIMG="$work/four.img" SMP=2 MEM=768M -- \
		-pidfile "$work/linux_four.pid"
	shells=0
	for i in $(seq 0 $((nvms - 1))); do
		wait_up linux_four "^\[linux$i\] guest: shell$" 240 || break
		shells=$((i + 1))
	done
	if [ "$shells" = "$nvms" ]; then
		sleep 2
		for i in $(seq 0 $((nvms - 1))); do
			send_keys "echo res-\$((1000+$i)) nproc=\$(nproc) md5=\$(dd if=/dev/zero bs=1M count=$work_mib 2>/dev/null | md5sum); poweroff\r"
			if [ "$i" -lt $((nvms - 1)) ]; then
				send_keys '\035'
				wait_up linux_four "console input goes to vm$((i + 1)) 'linux$((i + 1))'" 30 || break
			fi
		done
		end_session linux_four
		patterns=()
		for i in $(seq 0 $((nvms - 1))); do
			patterns+=("^\[linux$i\] res-$((1000 + i)) nproc=2 md5=$want_md5 "
				"^hyp: vm$i 'linux$i' ended: system off$")
		done
		ended_cleanly linux_four &&
			log_matches linux_four "${patterns[@]}" '^hyp: no VM left: powering off$' &&
			pass linux_four_vms_two_vcpus
		# The hypervisor's per-vCPU statistics, for the record.
		grep -E "^hyp: vm[0-9]+ 'linux[0-9]+' vcpu[0-9]+: run " "$work/linux_four.clean" | sed 's/^/# /'
	else
		stop_qemu linux_four
		end_session linux_four
		echo "not ok - linux_four_vms_two_vcpus: $shells of $nvms VMs reached their shells;" \
			"$(grep -E '^hyp: vm[0-9]+ ' "$work/linux_four.clean" | grep -vE "'linux[0-9]+': [0-9]+ MiB at" | head -n 4 | tr '\n' ' ')"
	fi
fi

# ---- idle ------------------------------------------------------------------
# The QEMU process's user + system time over IDLE_SECS (20) once the guest
# sits at its shell: the platform (one VM of 2 vCPUs, -smp 2) and bare QEMU
# (the same kernel and initrd at EL1, -smp 2, no firmware), one after the
# other. QEMU writes its PID to a file (-pidfile).
idle_secs=${IDLE_SECS:-20}
hz=$(getconf CLK_TCK)

cpu_ticks() { # PID: utime + stime, in clock ticks (/proc/PID/stat fields 14, 15)
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	# The fields after the command name, which is in parentheses.
	awk '{ print $12 + $13 }' <<<"${stat##*) }"
}

# idle_cost NAME: sets idle_ms to the CPU time the session's QEMU used in
# idle_secs seconds after its guest reached the shell (empty on failure),
# then powers the guest off.
idle_cost() {
	local name=$1 pid t0 t1
	idle_ms=
	if wait_up "$name" '^guest: shell$' 240 && sleep 2 &&
		pid=$(cat "$work/$name.pid" 2>/dev/null) && t0=$(cpu_ticks "$pid"); then
		sleep "$idle_secs"
		if t1=$(cpu_ticks "$pid"); then
			idle_ms=$(((t1 - t0) * 1000 / hz))
		fi
	fi
	if [ -n "$idle_ms" ]; then
		send_keys 'poweroff\r'
	else
		stop_qemu "$name"
	fi
	end_session "$name"
}

linux_image "$work/idle.img" "console=ttyAMA0 hvtest=shell" --mem "$vm_mem" --cpus 2
start_session linux_idle_platform BOOTIMG="$work/idle.img" SMP=2 -- -pidfile "$work/linux_idle_platform.pid"
idle_cost linux_idle_platform
platform_ms=$idle_ms

saved_runner=$runner
runner=qemu-system-aarch64
start_session linux_idle_bare -- -M virt,gic-version=3 -cpu max -smp 2 -m "$vm_mem" \
	-nographic -net none -kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyAMA0 hvtest=shell" -pidfile "$work/linux_idle_bare.pid"
idle_cost linux_idle_bare
bare_ms=$idle_ms
runner=$saved_runner

echo "# idle at the shell, QEMU's CPU time in ${idle_secs} s: platform ${platform_ms:-?} ms, bare QEMU ${bare_ms:-?} ms"
if [ -z "$platform_ms" ]; then
	fail linux_idle_platform "no idle figure (the guest did not reach its shell, or QEMU ended)"
elif [ -z "$bare_ms" ]; then
	fail linux_idle_bare "no idle figure (the guest did not reach its shell, or QEMU ended)"
else
	# One clock tick at least on the bare side: a ratio to nothing says nothing.
	floor=$((1000 / hz))
	ratio=$(awk -v p="$platform_ms" -v b="$bare_ms" -v f="$floor" \
		'BEGIN { printf "%.2f", p / (b > f ? b : f) }')
	# Issue 13's target is 1.5; measured here 1.42 to 1.64 (docs/PERFORMANCE.md,
	# "Idle"). The test fails at 3: what a CPU that polled instead of
	# sleeping in WFI, or a timer that woke the guest for nothing, costs
	# (a spinning idle loop alone is a whole host CPU: ratio ~100).
	echo "# idle ratio platform / bare: $ratio (target 1.5, test limit 3)"
	if awk -v r="$ratio" 'BEGIN { exit !(r <= 3) }'; then
		pass linux_idle_cpu
	else
		echo "not ok - linux_idle_cpu: idle at its shell the platform's QEMU used ${platform_ms} ms of CPU in ${idle_secs} s, bare QEMU ${bare_ms} ms: ratio $ratio > 3"
	fi
fi
expect linux_idle_platform "^hyp: vm0 'linux' ended: system off$" '^monitor: psci: system off$'
ended_cleanly linux_idle_bare && pass linux_idle_bare

# ---- keyboard: a line typed just before Ctrl-] -------------------------------
# Two shells sharing CPU 0; one burst of input ends a line for the first
# (its Enter), then Ctrl-], a line for the second. The first VM's Enter
# must not wait in its receive FIFO unannounced (its receive timeout comes
# at the switch).
args=()
for n in a b; do
	args+=(--vm --name "$n" --kernel "$kernel" --initrd "$initrd"
		--cmdline "console=ttyAMA0 hvtest=shell" --mem "$vm_mem" --cpus 1 --affinity 0)
done
"$top/build/host/mkbootimg" -o "$work/keys.img" --boot "$build/boot.bin" \
	--hyp "$build/hyp.bin" --name keys "${args[@]}" >/dev/null
start_session linux_keys_before_switch BOOTIMG="$work/keys.img" SMP=2 MEM=768M -- \
	-pidfile "$work/linux_keys_before_switch.pid"
if wait_up linux_keys_before_switch '^\[a\] guest: shell$' 240 &&
	wait_up linux_keys_before_switch '^\[b\] guest: shell$' 240; then
	sleep 2
	# The command first; then one burst: its lone Enter (one byte, below
	# any receive FIFO trigger level), Ctrl-], the second VM's line.
	send_keys 'echo a-$((20+22))'
	sleep 1
	send_keys '\r\035echo b-$((40+2)); poweroff\r'
	# b's end gives the keyboard back to a.
	wait_up linux_keys_before_switch "^hyp: vm1 'b' ended: system off$" 60
	send_keys 'poweroff\r'
	end_session linux_keys_before_switch
	expect linux_keys_before_switch '^\[a\] a-42$' '^\[b\] b-42$' \
		"^hyp: vm0 'a' ended: system off$"
else
	stop_qemu linux_keys_before_switch
	end_session linux_keys_before_switch
	fail linux_keys_before_switch "the two shells did not both come up"
fi
