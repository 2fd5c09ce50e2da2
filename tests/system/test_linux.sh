#!/usr/bin/env bash
# Debian's own arm64 kernel, unmodified, under the hypervisor: 2 vCPUs,
# the emulated GICv3 and PL011, the virtual timer, and open-vm-tools'
# unmodified vmware-checkvm and vmware-rpctool at EL0 in the guest
# (guests/linux/init, docs/GUEST_LINUX.md). The guest is built from Debian's
# packages by scripts/guest-linux.sh (downloaded once into cache/).
source "$(dirname "$0")/lib.sh"
BOOT_TIMEOUT=${LINUX_TIMEOUT:-240}

linux_guest_ready || exit 0

linux_image "$work/smoke.img" "console=ttyAMA0 hvtest=smoke" --mem 512M --cpus 2 \
	--guestinfo color=blue
boot linux_smoke BOOTIMG="$work/smoke.img" -- -m 2G
expect linux_smoke "${linux_smoke_lines[@]}"

linux_smoke_checks linux_smoke linux

# The check itself is per CPU. It must fail on the smoke run's log edited
# so that CPU 1 got timer interrupts but no IPI, whatever CPU 0 got; and on
# one where the timer's line has one CPU's column, as a 1-vCPU VM shows it
# ("11: 746 GICv3 27 Level arch_timer": the old check read "GICv3" as a
# count above 0).
check_fails_on() { # NAME AWK-EDIT: the check on the smoke log so edited
	awk "$2 { print }" "$work/linux_smoke.clean" >"$work/$1.clean"
	if linux_smoke_checks "$1" "$1" | grep -q "^not ok - $1_timer_and_ipis_on_both_cpus"; then
		pass "linux_ipi_check_fails_$1"
	else
		echo "not ok - linux_ipi_check_fails_$1: the edited log passed the check"
	fi
}
check_fails_on cpu1_no_ipi '/Rescheduling interrupts|Function call interrupts/ { $3 = 0 }'
check_fails_on one_cpu_timer '/arch_timer$/ { $3 = ""; $0 = $0 }'

# The smoke run's el0fake printed nothing: the hypervisor refused it once.
if grep -q '^hyp: FAKE' "$work/linux_smoke.clean"; then
	echo "not ok - linux_el0_own_commands_refused: a user process wrote to the console"
elif ! grep -q '^hyp: vm0: backdoor command 0x8600 from EL0 refused' "$work/linux_smoke.clean"; then
	echo "not ok - linux_el0_own_commands_refused: no refusal logged"
else
	pass linux_el0_own_commands_refused
fi

# Bad input: a missing initrd. (A kernel that is not an Image is refused
# by mkbootimg, and at boot without it: test_bad_input.sh.)
printf 'name = no-initrd\nvm0.kernel = k\nvm0.initrd = missing\nvm0.mem = 64M\n' >"$work/noinitrd.cfg"
"$top/build/host/mkbundle" -o "$work/noinitrd.bundle" --hyp "$build/hyp.bin" \
	--config "$work/noinitrd.cfg" --kernel "k=$build/guests/faults.bin" >/dev/null
cat "$build/boot.bin" "$work/noinitrd.bundle" >"$work/noinitrd.img"
boot linux_missing_initrd BOOTIMG="$work/noinitrd.img" --
expect linux_missing_initrd "^hyp: vm0: no initrd payload 'missing' in the bundle$" '^hyp: powering off$'

# make run's guest: an interactive shell on the console; keyboard input
# reaches it; `poweroff` ends the platform cleanly.
linux_image "$work/shell.img" "console=ttyAMA0 hvtest=shell" --mem 512M --cpus 2
start_session linux_shell BOOTIMG="$work/shell.img" -- -m 2G
if wait_for linux_shell '^guest: init reached' 200; then
	sleep 3
	send_keys 'echo hv-input-$((6*7))\r'
	wait_for linux_shell '^hv-input-42' 60
	send_keys 'poweroff\r'
fi
end_session linux_shell
expect linux_shell '^hv-input-42' "^hyp: vm0 'linux' ended: system off$" \
	'^monitor: psci: system off$'

# Two VMs side by side, one vCPU each on its own CPU, each on its own
# console stream ([name] prefixes): the first powers off by itself, the
# other keeps running and takes the keyboard after Ctrl-], then powers off.
# The second has its RAM identity-mapped (IPA = PA), as a VM that devices
# DMA into needs: the same kernel runs from wherever that puts it.
"$top/build/host/mkbootimg" -o "$work/two-linux.img" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
	--name two --vm --name first --kernel "$kernel" --initrd "$initrd" \
	--cmdline "console=ttyAMA0 hvtest=smoke" --mem 256M \
	--vm --name second --kernel "$kernel" --initrd "$initrd" \
	--cmdline "console=ttyAMA0 hvtest=shell" --mem 256M --identity >/dev/null
start_session linux_two_vms BOOTIMG="$work/two-linux.img" --
if wait_for linux_two_vms "^hyp: vm0 'first' ended: system off" 240 &&
	wait_for linux_two_vms '^\[second\] guest: init reached' 120; then
	sleep 3
	# The keyboard went to the VM still running when the first ended;
	# Ctrl-] moves it to the next live VM, which is still that one.
	send_keys '\035'
	wait_for linux_two_vms "console input goes to vm1 'second'" 10
	send_keys 'echo still-$((40+2))\r'
	wait_for linux_two_vms '^\[second\] still-42' 60
	send_keys 'poweroff\r'
fi
end_session linux_two_vms
expect linux_two_vms '^\[first\] guest: init reached$' '^\[second\] guest: init reached$' \
	'^\[first\] guest: smoke done$' "^hyp: vm0 'first' ended: system off$" \
	'^\[second\] still-42' "^hyp: vm1 'second' ended: system off$" '^hyp: no VM left: powering off$'
# Identity: the DT sits in the last 2 MiB of RAM, at its physical address.
line=$(grep -E "^hyp: vm1 'second': 256 MiB at pa " "$work/linux_two_vms.clean")
pa=$(sed -nE 's/.* at pa (0x[0-9a-f]+),.*/\1/p' <<<"$line")
dt=$(sed -nE 's/.* dt at ipa (0x[0-9a-f]+)$/\1/p' <<<"$line")
if [ -n "$pa" ] && [ "$dt" = "$(printf '0x%x' $((pa + (254 << 20))))" ]; then
	pass linux_identity_ram
else
	echo "not ok - linux_identity_ram: vm1's RAM is not at its physical address: $line"
fi
