#!/usr/bin/env bash
# Bare-metal test guests (guests/*.c) at EL1 and EL0 under the hypervisor:
# each checks one area from inside and exits with its verdict.
source "$(dirname "$0")/lib.sh"

run_guest guest_backdoor backdoor --guestinfo color=blue
run_guest guest_faults faults
run_guest guest_debug debug
run_guest guest_psci psci --cpus 2
run_guest guest_hostile hostile --guestinfo color=blue

# Two VMs side by side: both run to their end, the first to finish does
# not stop the other, the last one powers off.
"$top/build/host/mkbootimg" -o "$work/two.img" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
	--name two --vm --name faults --kernel "$build/guests/faults.bin" --mem 32M \
	--vm --name backdoor --kernel "$build/guests/backdoor.bin" --mem 32M \
	--guestinfo color=blue >/dev/null
boot two_vms BOOTIMG="$work/two.img" --
expect two_vms "^hyp: vm0 'faults': 32 MiB .*, 1 vcpu, kernel" "^hyp: vm1 'backdoor': 32 MiB .*, 1 vcpu, kernel" \
	'^\[faults\] guest faults: 0 failures$' '^\[backdoor\] guest backdoor: 0 failures$' \
	"^hyp: vm0 'faults' ended: test exit requested, exit code 0$" \
	"^hyp: vm1 'backdoor' ended: test exit requested, exit code 0$" \
	'^hyp: no VM left: powering off$'

# More pinned vCPUs than CPUs: the pinned VM that does not fit is refused
# with a reason, the other runs.
"$top/build/host/mkbootimg" -o "$work/three.img" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
	--name three --vm --kernel "$build/guests/faults.bin" --mem 32M --cpus 2 --pinned \
	--vm --name extra --kernel "$build/guests/faults.bin" --mem 32M --pinned >/dev/null
boot too_many_vcpus BOOTIMG="$work/three.img" --
expect too_many_vcpus \
	'^hyp: vm1: not started: pinned, it needs 1 cpu\(s\) of its own but only 0 of its affinity are free$' \
	'^guest faults: 0 failures$' '^hyp: no VM left: powering off$'

# boot_roomy NAME IMAGE: boots IMAGE on 1 GiB with the first seed (of 8)
# whose boot image address leaves a free block of 640 MiB + 64 MiB in one
# piece, beside or below it: the seeded address decides whether a 640 MiB
# VM can fit at all, which the two tests below must not depend on. The
# address a seed gives moves with the image's size, so it is looked up
# here rather than written down.
boot_roomy() {
	local name=$1 image=$2 seed at size
	for seed in 1 2 3 4 5 6 7 8; do
		boot "$name" BOOTIMG="$image" MEM=1G SEED=$seed --
		read -r size at < <(sed -nE 's/^monitor: boot image: ([0-9]+) bytes at (0x[0-9a-f]+).*/\1 \2/p' \
			"$work/$name.clean")
		[ -n "$at" ] || return 0 # expect says what went wrong
		# Free RAM runs from 0x40100000 (after the DT) to below the
		# hypervisor's 2 MiB at the top; the image splits it in two.
		if [ $((at - 0x40100000)) -ge $((704 << 20)) ] ||
			[ $((0x7fe00000 - at - size)) -ge $((704 << 20)) ]; then
			return 0
		fi
	done
	echo "not ok - $name: no seed of 8 left 704 MiB in one piece" >&2
}

# A pinned VM refused for want of CPUs takes no RAM: on 1 GiB, the
# 640 MiB VM after it still fits.
"$top/build/host/mkbootimg" -o "$work/refused.img" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
	--name refused --vm --kernel "$build/guests/faults.bin" --mem 32M --pinned \
	--vm --name greedy --kernel "$build/guests/faults.bin" --mem 640M --cpus 2 --pinned \
	--vm --name after --kernel "$build/guests/faults.bin" --mem 640M >/dev/null
boot_roomy refused_vm_gives_back "$work/refused.img"
expect refused_vm_gives_back \
	'^hyp: vm1: not started: pinned, it needs 2 cpu\(s\) of its own but only 1 of its affinity are free$' \
	"^hyp: vm1 'after': 640 MiB .*, 1 vcpu, kernel" '^\[after\] guest faults: 0 failures$' \
	'^hyp: no VM left: powering off$'

# A VM refused after its RAM was taken (a device its table cannot hold,
# the placeholders of `test.devices.vmN` in hyp-test.bin) gives the RAM
# back: the 640 MiB VM after it still fits.
"$top/build/host/mkbootimg" -o "$work/released.img" --boot "$build/boot.bin" \
	--hyp "$build/hyp-test.bin" --name released --set test.devices.vm1=14 \
	--vm --name first --kernel "$build/guests/faults.bin" --mem 32M \
	--vm --name refused --kernel "$build/guests/faults.bin" --mem 640M \
	--vm --name after --kernel "$build/guests/faults.bin" --mem 640M >/dev/null
boot_roomy refused_vm_releases_ram "$work/released.img"
expect refused_vm_releases_ram "^hyp: vm1 'refused': device .* refused: table full$" \
	"^hyp: vm1 'after': 640 MiB .*, 1 vcpu, kernel" '^\[after\] guest faults: 0 failures$' \
	'^hyp: no VM left: powering off$'

# A VM's device table (hyp/vdev/mmio_table.h) holds 16: the UART, the
# GIC's two ranges, 12 more and the virtio console (added last) fit; a
# device beyond them (with 13 placeholders of `test.devices.vmN`, in
# hyp-test.bin, the console) is refused with a line naming the VM, the
# device and its range, the VM is not started, and the others run.
"$top/build/host/mkbootimg" -o "$work/devices.img" --boot "$build/boot.bin" \
	--hyp "$build/hyp-test.bin" --name devices \
	--set test.devices.vm0=12 --set test.devices.vm1=13 \
	--vm --name full --kernel "$build/guests/faults.bin" --mem 32M \
	--vm --name overfull --kernel "$build/guests/faults.bin" --mem 32M \
	--vm --name after --kernel "$build/guests/faults.bin" --mem 32M >/dev/null
boot device_table_full BOOTIMG="$work/devices.img" --
expect device_table_full "^hyp: vm0 'full': 32 MiB .*, 1 vcpu, kernel" \
	"^hyp: vm1 'overfull': device 'virtio-console' at 0xa000800 size 0x200 refused: table full$" \
	"^hyp: vm1 'after': 32 MiB .*, 1 vcpu, kernel" '^\[full\] guest faults: 0 failures$' \
	'^\[after\] guest faults: 0 failures$' '^hyp: no VM left: powering off$' &&
	if grep -q "'overfull': 32 MiB" "$work/device_table_full.clean"; then
		fail device_table_full_not_started "the VM refused a device was started"
	else
		pass device_table_full_not_started
	fi

# A VM asking for more memory than there is.
"$top/build/host/mkbootimg" -o "$work/big.img" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
	--name big --vm --kernel "$build/guests/faults.bin" --mem 4G >/dev/null
boot vm_too_big BOOTIMG="$work/big.img" --
expect vm_too_big '^hyp: vm0: not enough free memory for 4096 MiB$' '^hyp: powering off$'
