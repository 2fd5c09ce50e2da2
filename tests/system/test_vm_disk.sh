#!/usr/bin/env bash
# VMs' virtio disks on the platform (docs/VIRTIO.md, docs/DATASTORE.md): the
# machine's disk is a datastore from scripts/make-datastore.sh, QEMU's
# virtio-blk-device; the hypervisor reads its GPT and gives each VM the
# partitions its configuration names (vmN.disk).
#   vm_disk_root_*        the Debian VM boots with its root on its disk
#                         (root=/dev/vda); a file written and synced reads
#                         back, byte-identical, after the platform boots again
#   vm_disk_isolation_*   two VMs with their own partitions: one writes its
#                         whole disk; the other's partition, the GPT and
#                         everything outside the writer's partition are
#                         unchanged (checked from the host)
#   vm_disk_refuse_*      a label not on the disk, no disk at all, and a
#                         partition given to two VMs read-write: one line
#                         each, the other VM runs
source "$(dirname "$0")/lib.sh"
BOOT_TIMEOUT=${VM_DISK_BOOT_TIMEOUT:-150}

linux_guest_ready || exit 0
need_tools vm_disk_tools sfdisk mke2fs python3 sha256sum || exit 0

ds=$work/ds.img
if ! "$top/scripts/make-datastore.sh" -o "$ds" --root-size 96M --data-size 8M \
	--part scratch:4M:raw >"$work/mkds.log" 2>&1; then
	echo "not ok - vm_disk_datastore: $(tail -n 3 "$work/mkds.log")"
	exit 0
fi
disk_args=(-global virtio-mmio.force-legacy=false
	-drive if=none,file="$ds",format=raw,id=d0 -device virtio-blk-device,drive=d0)

# part_range N: partition N's first sector and sector count.
part_range() {
	sfdisk --json "$ds" | python3 -c '
import json, sys
p = json.load(sys.stdin)["partitiontable"]["partitions"][int(sys.argv[1]) - 1]
print(p["start"], p["size"])' "$1"
}
# sha_range FIRST COUNT: the sha256 of those sectors of the datastore.
sha_range() {
	dd if="$ds" bs=512 skip="$1" count="$2" status=none | sha256sum | cut -d' ' -f1
}

# ---- root on the disk, across two boots ------------------------------------
linux_image "$work/root.img" "console=ttyAMA0 root=/dev/vda hvtest=shell" --mem 256M \
	--cpus 2 --disk debian-root
# root_session NAME COMMAND MARKER: boots the VM with its root on the disk,
# types COMMAND at its shell, waits for MARKER, powers it off; sets sum to
# the sha256 of /keep.bin the session printed.
root_session() {
	start_session "$1" BOOTIMG="$work/root.img" MEM=1G -- "${disk_args[@]}"
	if wait_for "$1" '^guest: shell$' 120; then
		send_keys "$2\r"
		wait_for "$1" "$3" 30
		send_keys 'poweroff\r'
	fi
	end_session "$1"
	sum=$(grep -oE '^[0-9a-f]{64}  /keep.bin' "$work/$1.clean" | cut -d' ' -f1)
}
root_session vm_disk_root_write \
	'head -c 262144 /dev/urandom >/keep.bin; sync; sha256sum /keep.bin; echo written' '^written'
expect vm_disk_root_write "^hyp: vm0 'linux': disk vda: 'debian-root', 96 MiB$" \
	'^guest: init on root /dev/vda \(ext4\)$' "^hyp: vm0 'linux' ended: system off$"
sum1=$sum
root_session vm_disk_root_read 'sha256sum /keep.bin; echo read' '^read'
sum2=$sum
if [ -n "$sum1" ] && [ "$sum1" = "$sum2" ]; then
	pass vm_disk_root_persists
else
	echo "not ok - vm_disk_root_persists: written '${sum1:-none}', read back '${sum2:-none}'"
fi

# ---- two VMs, each on its own partition -------------------------------------
read -r root_first root_count <<<"$(part_range 1)"
read -r data_first data_count <<<"$(part_range 2)"
read -r scr_first scr_count <<<"$(part_range 3)"
disk_sectors=$(($(stat -c %s "$ds") / 512))
before_root=$(sha_range "$root_first" "$root_count")
before_data=$(sha_range "$data_first" "$data_count")
before_head=$(sha_range 0 "$root_first")
before_tail=$(sha_range $((scr_first + scr_count)) $((disk_sectors - scr_first - scr_count)))

# vm0 writes all of its disk (scratch, raw); vm1, read-only on debian-root,
# reads all of its disk meanwhile, then both power off.
"$top/build/host/mkbootimg" -o "$work/two.img" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
	--name two --vm --name writer --kernel "$kernel" --initrd "$initrd" --mem 192M \
	--cmdline "console=ttyAMA0 hvtest=shell hvmod=virtio_mmio,virtio_blk" --disk scratch \
	--vm --name reader --kernel "$kernel" --initrd "$initrd" --mem 192M \
	--cmdline "console=ttyAMA0 hvtest=shell hvmod=virtio_mmio,virtio_blk" \
	--disk debian-root:ro >/dev/null
start_session vm_disk_isolation BOOTIMG="$work/two.img" MEM=1G -- "${disk_args[@]}"
# The console's keyboard starts with vm0 (writer); Ctrl-] moves it on.
if wait_for vm_disk_isolation "^\[writer\] guest: shell$" 120 &&
	wait_for vm_disk_isolation "^\[reader\] guest: shell$" 60; then
	send_keys 'dd if=/dev/urandom of=/dev/vda bs=64k; sync; echo wrote-all\r'
	wait_for vm_disk_isolation '^\[writer\] wrote-all' 60
	send_keys '\035'
	wait_for vm_disk_isolation "console input goes to vm1 'reader'" 10
	send_keys 'dd if=/dev/vda of=/dev/null bs=64k && echo read-all; dd if=/dev/zero of=/dev/vda bs=512 count=1 conv=fsync; echo write-rc=$?\r'
	wait_for vm_disk_isolation '^\[reader\] write-rc=' 60
	send_keys 'poweroff\r'
	wait_for vm_disk_isolation "^hyp: vm1 'reader' ended" 30
	send_keys 'poweroff\r'
fi
end_session vm_disk_isolation
expect vm_disk_isolation "^hyp: vm0 'writer': disk vda: 'scratch', 4 MiB$" \
	"^hyp: vm1 'reader': disk vda: 'debian-root', 96 MiB, read-only$" \
	'^\[reader\] read-all' '^\[reader\] write-rc=1' \
	"^hyp: vm0 'writer' ended: system off$" "^hyp: vm1 'reader' ended: system off$"
if [ "$(sha_range "$root_first" "$root_count")" = "$before_root" ] &&
	[ "$(sha_range "$data_first" "$data_count")" = "$before_data" ] &&
	[ "$(sha_range 0 "$root_first")" = "$before_head" ] &&
	[ "$(sha_range $((scr_first + scr_count)) $((disk_sectors - scr_first - scr_count)))" = "$before_tail" ] &&
	[ "$(sha_range "$scr_first" "$scr_count")" != "$(head -c $((scr_count * 512)) /dev/zero | sha256sum | cut -d' ' -f1)" ]; then
	pass vm_disk_isolation_on_host
else
	echo "not ok - vm_disk_isolation_on_host: a partition other than scratch, or the GPT, changed (or scratch was not written)"
fi

# ---- refusals ------------------------------------------------------------
# Each: vm0 asks for what cannot be had and is refused in one line; vm1, a
# small test guest, runs to its end.
refused_vm() { # NAME REGEX DISK-OPTIONS QEMU-DISK(yes/no) [VM1 DISK OPTIONS]
	local name=$1 re=$2 d0=$3 withdisk=$4 d1=${5:-}
	local qemu=()
	[ "$withdisk" = yes ] && qemu=("${disk_args[@]}")
	"$top/build/host/mkbootimg" -o "$work/$name.img" --boot "$build/boot.bin" \
		--hyp "$build/hyp.bin" --name "$name" \
		--vm --name first --kernel "$build/guests/timers.bin" --mem 64M $d0 \
		--vm --name second --kernel "$build/guests/timers.bin" --mem 64M $d1 >/dev/null
	boot "$name" BOOTIMG="$work/$name.img" -- "${qemu[@]}"
	expect "$name" "$re" "^hyp: vm[01] '[a-z]+' ended: test exit requested, exit code 0$" \
		'^monitor: psci: system off$'
}
refused_vm vm_disk_refuse_label "^hyp: vm0 'first': no partition 'nosuch' on the datastore$" \
	"--disk nosuch" yes
refused_vm vm_disk_refuse_no_disk "^hyp: vm0 'first': no datastore for disk 'data' \(no disk\)$" \
	"--disk data" no
refused_vm vm_disk_refuse_two_writers \
	"^hyp: vm1 'second': disk 'data' is written by another VM$" "--disk data" yes "--disk data"
