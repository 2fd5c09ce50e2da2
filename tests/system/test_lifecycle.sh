#!/usr/bin/env bash
# The lifecycle of vCPUs and VMs (docs/ARCHITECTURE.md, "VM lifecycle"),
# through the test guest guests/lifecycle.c: a VM ends once however many
# of its vCPUs ask, and the VMs beside it keep running; CPU_OFF/CPU_ON
# loses no interrupt and CPU_ON succeeds as soon as AFFINITY_INFO says OFF.
source "$(dirname "$0")/lib.sh"

# once NAME PATTERN [CHECK]: exactly one line matches (check CHECK,
# NAME_once by default).
once() {
	local n check=${3:-${1}_once}
	n=$(grep -cE -- "$2" "$work/$1.clean")
	if [ "$n" = 1 ]; then
		pass "$check"
	else
		echo "not ok - $check: $n lines match /$2/, expected 1"
	fi
}

# never NAME PATTERN: no line matches.
never() {
	if grep -qE -- "$2" "$work/$1.clean"; then
		echo "not ok - ${1}_never: a line matches /$2/: $(grep -m1 -E -- "$2" "$work/$1.clean")"
	else
		pass "${1}_never"
	fi
}

# A victim VM printing a heartbeat (vm0, cpu 0) beside a hostile 2-vCPU VM
# (vm1, cpus 1 and 2) that ends itself twice in the given way.
hostile_image() {
	local out=$1 mode=$2
	"$top/build/host/mkbootimg" -o "$out" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
		--name lifecycle \
		--vm --name victim --kernel "$build/guests/lifecycle.bin" --mem 32M \
		--guestinfo lifecycle=heartbeat \
		--vm --name hostile --kernel "$build/guests/lifecycle.bin" --mem 32M --cpus 2 \
		--guestinfo "lifecycle=$mode" >/dev/null
}

victim_lives() {
	local name=$1 ended=$2
	expect "$name" "$ended" '^\[victim\] guest lifecycle: heartbeat 25$' \
		"^hyp: vm0 'victim' ended: test exit requested, exit code 0$" \
		'^hyp: no VM left: powering off$' '^monitor: psci: system off$' &&
		in_order "$name" "$ended" '^\[victim\] guest lifecycle: heartbeat 25$' \
			"^hyp: vm0 'victim' ended" '^hyp: no VM left: powering off$'
	once "$name" "^hyp: vm1 'hostile' ended"
	once "$name" "^hyp: vm1 'hostile': 2 cpus and 32 MiB of RAM released$" "${name}_released"
	never "$name" 'still running|^\[hostile\] FAIL'
}

# vCPU 1 exits, vCPU 0 would call SYSTEM_OFF a second later: it is
# stopped before, and the platform stays on for the victim.
hostile_image "$work/apart.img" end-apart
boot vm_ends_once_apart SMP=3 BOOTIMG="$work/apart.img" --
victim_lives vm_ends_once_apart "^hyp: vm1 'hostile' ended: test exit requested, exit code 3$"

# Both vCPUs at the same moment, one with SYSTEM_RESET, one with
# SYSTEM_OFF: one end, through whichever call came first (a reset
# restarts the VM, which then exits at once).
hostile_image "$work/together.img" end-together
boot vm_ends_once_together SMP=3 BOOTIMG="$work/together.img" --
victim_lives vm_ends_once_together \
	"^hyp: vm1 'hostile' ended: (system off|test exit requested, exit code 0)$"

# SYSTEM_RESET restarts that VM alone, vCPU 1 stopped wherever it was:
# zeroed RAM, vCPU 1 off, its guestinfo kept; the victim beats on.
hostile_image "$work/reset.img" reset-once
boot vm_reset_alone SMP=3 BOOTIMG="$work/reset.img" --
expect vm_reset_alone "^hyp: vm1 'hostile' reset: restarting it$" \
	'^\[hostile\] guest lifecycle: booted again, RAM zeroed, vcpu 1 off$'
victim_lives vm_reset_alone "^hyp: vm1 'hostile' ended: test exit requested, exit code 0$"

# CPU_OFF, AFFINITY_INFO until OFF, CPU_ON, 200 times: no CPU_ON fails.
run_guest lifecycle_cpu_cycle lifecycle --cpus 2 --guestinfo lifecycle=cpu-cycle
never lifecycle_cpu_cycle 'cannot start cpu|CPU_ON: '

# Interrupts in the list registers at CPU_OFF are not lost.
run_guest lifecycle_lr_off lifecycle --cpus 2 --guestinfo lifecycle=lr-off

# Debian's kernel takes CPU 1 offline and online again 8 times
# (/sys/devices/system/cpu/cpu1/online: PSCI CPU_OFF, AFFINITY_INFO until
# OFF, CPU_ON, and IPIs to bring it up each time), then both CPUs are
# online and the shell still answers. Linux polls AFFINITY_INFO with
# sleeps in between and rarely has an interrupt in a list register at
# CPU_OFF, so this is a check that a real kernel's hotplug works, not the
# reproducer: the bare-metal cases above are.
BOOT_TIMEOUT=${LINUX_TIMEOUT:-240}
linux_guest_ready || exit 0
# Typed a key at a time, as a person would.
slow_type() {
	local s=$1 i
	for ((i = 0; i < ${#s}; i++)); do
		printf '%s' "${s:i:1}" >&7
		sleep 0.02
	done
	printf '\r' >&7
}
linux_image "$work/hotplug.img" "console=ttyAMA0 hvtest=shell" --mem 512M --cpus 2
start_session linux_hotplug BOOTIMG="$work/hotplug.img" -- -m 2G
if wait_for linux_hotplug '^guest: init reached' 200; then
	sleep 3
	slow_type 'cd /sys/devices/system/cpu'
	slow_type 'for i in 1 2 3 4 5 6 7 8; do echo 0 >cpu1/online; echo 1 >cpu1/online || echo hp-fail; done'
	slow_type 'echo hp-done $(cat online) $((6*7))'
	wait_for linux_hotplug '^hp-done' 120
	send_keys 'poweroff\r'
fi
end_session linux_hotplug
expect linux_hotplug '^hp-done 0-1 42$' "^hyp: vm0 'linux' ended: system off$" \
	'^monitor: psci: system off$'
never linux_hotplug '^hp-fail|failed to (boot|come online)|did not (die|come)|cannot start cpu|rcu.*stall|WARNING:|Oops|BUG:'
