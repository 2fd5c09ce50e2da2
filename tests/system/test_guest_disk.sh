#!/usr/bin/env bash
# The Linux guest with its root filesystem on a virtio disk, on bare QEMU
# (no platform): QEMU's virtio-blk-device on the virtio-mmio transport
# (version 2, as the platform's), the disk a datastore from
# scripts/make-datastore.sh. What is written in one boot is read back in the
# next; the datastore's GPT and filesystems are checked from the host; a
# missing root device and one that does not mount fall back to the
# initramfs's shell (docs/GUEST_LINUX.md, "Root on a disk";
# docs/DATASTORE.md).
source "$(dirname "$0")/lib.sh"
BOOT_TIMEOUT=${DISK_BOOT_TIMEOUT:-60}

linux_guest_ready || exit 0
need_tools guest_disk_tools sfdisk debugfs dumpe2fs python3 sha256sum || exit 0
mkds=$top/scripts/make-datastore.sh

# --- bare QEMU, one boot at a time: lib.sh's sessions (console input from a
# FIFO on fd 7, QEMU stopped by its time-out) with QEMU itself as the runner.
runner=qemu-system-aarch64
qemu_opts=(-M virt,gic-version=3 -cpu max,pauth=off,sve=off,sme=off -smp 2 -m 512M
	-nographic -net none -kernel "$kernel" -initrd "$initrd"
	-global virtio-mmio.force-legacy=false)
qemu_start() { # NAME DISK CMDLINE
	start_session "$1" -- "${qemu_opts[@]}" -append "console=ttyAMA0 $3" \
		-drive if=none,file="$2",format=raw,id=d0 -device virtio-blk-device,drive=d0
	date +%s.%N >"$work/$1.t0"
}
# qemu_end NAME: waits for QEMU to power off by itself (stopped at
# BOOT_TIMEOUT); leaves NAME.status and NAME.clean as lib.sh's boot does.
qemu_end() { end_session "$1"; }

# shell NAME CMD MARKER-REGEX: types CMD into the guest's shell and waits
# (20 s at most) for a line matching MARKER-REGEX; 1 when none came.
shell() {
	send_keys "$2\r"
	wait_for "$1" "$3" 20
}

# seconds NAME REGEX: from QEMU's start to the log line matching REGEX,
# measured here (guest time under TCG is not wall time).
seconds_to() {
	local t0 t1
	t0=$(cat "$work/$1.t0")
	wait_for "$1" "$2" "$BOOT_TIMEOUT" || return 1
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }'
}

sha() { sha256sum | cut -d' ' -f1; }

# --- the datastore, checked from the host --------------------------------
ds=$work/ds.img
if "$mkds" -o "$ds" --root-size 64M --data-size 8M --part scratch:4M:raw >"$work/mkds.log" 2>&1; then
	pass datastore_made
else
	echo "not ok - datastore_made: $(tail -n 3 "$work/mkds.log")"
	exit 0
fi

# gpt IMAGE: its table as sfdisk --json reads it, one line:
#   LABEL SECTOR-SIZE NAME:START:SIZE:TYPE... (in sectors)
gpt() {
	sfdisk --json "$1" | python3 -c '
import json, sys
t = json.load(sys.stdin)["partitiontable"]
print(t["label"], t["sectorsize"], *("%s:%d:%d:%s" % (p.get("name", ""), p["start"], p["size"], p["type"])
	for p in t["partitions"]))'
}

# part_of IMAGE N OUT: partition N of the GPT in IMAGE, copied into OUT.
part_of() {
	local p
	p=$(gpt "$1" | cut -d' ' -f$(($2 + 2)))
	IFS=: read -r _ start size _ <<<"$p"
	dd if="$1" of="$3" bs=512 skip="$start" count="$size" status=none
}

# The table: names, 1 MiB aligned starts (2048 sectors of 512 bytes), the
# sizes asked for, the root's type (DPS "Root Partition (64-bit ARM)").
got=$(gpt "$ds")
# In MiB, with the misalignment (0 when aligned) in sectors.
got_mib=$(awk '{ printf "%s %s", $1, $2
	for (i = 3; i <= NF; i++) { split($i, f, ":"); printf " %s:%d:%d", f[1], f[2] % 2048, f[3] / 2048 }
	print "" }' <<<"$got")
want="gpt 512 debian-root:0:64 data:0:8 scratch:0:4"
roottype=$(cut -d' ' -f3 <<<"$got" | cut -d: -f4)
if [ "$got_mib" = "$want" ] && [ "$roottype" = B921B045-1DF0-41C3-AF44-4C6F280D3FAE ]; then
	pass datastore_gpt_labels
else
	echo "not ok - datastore_gpt_labels: table '$got_mib' root type $roottype, want '$want'"
fi

# debian-root holds the initramfs's tree: this tree's /init, every file
# root's, the console node; data is an empty ext4; scratch is zeros.
part_of "$ds" 1 "$work/p1.img"
part_of "$ds" 2 "$work/p2.img"
part_of "$ds" 3 "$work/p3.img"
if debugfs -R "cat /init" "$work/p1.img" 2>/dev/null | cmp -s - "$top/guests/linux/init" &&
	debugfs -R "stat /dev/console" "$work/p1.img" 2>/dev/null | grep -q 'Device major/minor number: 05:01' &&
	debugfs -R "stat /bin/busybox" "$work/p1.img" 2>/dev/null | grep -q 'User: *0 *Group: *0'; then
	pass datastore_root_tree
else
	echo "not ok - datastore_root_tree: /init, /dev/console or /bin/busybox is not as in the initramfs"
fi
if dumpe2fs -h "$work/p2.img" 2>/dev/null | grep -q '^Filesystem volume name: *data$' &&
	[ "$(debugfs -R "ls -p /" "$work/p2.img" 2>/dev/null | grep -cv '^$')" = 3 ] &&
	cmp -s "$work/p3.img" <(head -c $((4 << 20)) /dev/zero); then
	pass datastore_data_and_raw
else
	echo "not ok - datastore_data_and_raw: data is not an empty ext4 named data, or scratch is not zeros"
fi

# The default layout, and an existing datastore kept without --force.
if "$mkds" -o "$work/default.img" >/dev/null 2>&1 &&
	[ "$(gpt "$work/default.img" | cut -d' ' -f3- | sed -E 's/:[0-9A-F-]+( |$)/\1/g')" = \
		"debian-root:2048:524288 data:526336:131072" ]; then
	pass datastore_default_layout
else
	echo "not ok - datastore_default_layout: not debian-root 256 MiB and data 64 MiB at 1 MiB"
fi
before=$(sha <"$ds")
"$mkds" -o "$ds" --root-size 32M >"$work/keep.log" 2>&1
if [ "$(sha <"$ds")" = "$before" ] && grep -q 'exists and is kept' "$work/keep.log"; then
	pass datastore_kept_without_force
else
	echo "not ok - datastore_kept_without_force: $(cat "$work/keep.log")"
fi

# Bad requests: each refused with its reason, nothing written.
refused() { # NAME REASON-REGEX ARGS...
	local name=$1 re=$2
	shift 2
	if "$mkds" -o "$work/bad.img" "$@" >"$work/bad.log" 2>&1; then
		echo "not ok - datastore_refuses_$name: accepted $*"
	elif [ -e "$work/bad.img" ]; then
		echo "not ok - datastore_refuses_$name: wrote $work/bad.img"
	elif ! grep -Eq -- "$re" "$work/bad.log"; then
		echo "not ok - datastore_refuses_$name: $(cat "$work/bad.log")"
	else
		pass "datastore_refuses_$name"
	fi
}
refused bad_size "'12Q' is not a size" --root-size 12Q
refused huge_size "'2T' is more than 1 TiB" --part big:2T
refused overflowing_size "is not a size" --part big:99999999999999999999M
refused long_name "1 to 36 of" --part "$(printf 'n%.0s' {1..37}):1M"
refused same_name "two partitions named 'data'" --part data:1M
refused kind "kind 'xfs' is not ext4 or raw" --part x:1M:xfs
refused small_root "mke2fs for 'debian-root' \(1 MiB\) failed" --root-size 1M

# --- boot 1: root on /dev/vda1, write, poweroff ---------------------------
token="hv-$$-$RANDOM"
text_sum=$({ echo "$token"; seq 1 20000; } | sha)
qemu_start disk_write "$ds" "root=/dev/vda1"
t_disk=$(seconds_to disk_write '^guest: shell$')
wrote=
if [ -n "$t_disk" ]; then
	sleep 1
	shell disk_write "echo hv-root \$(awk '\$2 == \"/\"' /proc/mounts | cut -d' ' -f1-4)" '^hv-root ' &&
		shell disk_write "echo hv-v1=\$(cut -c33 /sys/block/vda/device/features)" '^hv-v1=' &&
		shell disk_write "echo $token >/root/hv-text; seq 1 20000 >>/root/hv-text; $(
		)dd if=/dev/urandom of=/root/hv-rand bs=64k count=64 2>/dev/null; sync; $(
		)echo hv-wrote \$(sha256sum /root/hv-text /root/hv-rand | cut -d' ' -f1)" \
			'^hv-wrote [0-9a-f]{64} [0-9a-f]{64}$' &&
		shell disk_write "mkdir -p /mnt/data && mount -t ext4 /dev/vda2 /mnt/data && $(
		)echo $token >/mnt/data/hello && umount /mnt/data && echo hv-data-ok" '^hv-data-ok' &&
		wrote=1
	send_keys 'poweroff\r'
fi
qemu_end disk_write
expect disk_write '^guest: root /dev/vda1 modules loaded=3 failed=0$' \
	'^guest: root /dev/vda1 after=[0-9.]+s$' '^guest: root /dev/vda1 mounted \(ext4, rw\): switch_root$' \
	'^guest: init on root /dev/vda1 \(ext4\)$' '^guest: shell$' \
	'^hv-root /dev/vda1 / ext4 rw,' '^hv-data-ok' 'reboot: Power down'
in_order disk_write '^guest: init reached$' '^guest: root /dev/vda1 mounted' \
	'^guest: init on root /dev/vda1' '^guest: shell$'
# The transport QEMU gave is version 2 (virtio 1.2, 4.2.2): a legacy one
# cannot offer VIRTIO_F_VERSION_1 (bit 32, the 33rd character of
# /sys/.../features).
if grep -q '^hv-v1=1$' "$work/disk_write.clean"; then
	pass disk_virtio_version_1
else
	echo "not ok - disk_virtio_version_1: $(grep '^hv-v1' "$work/disk_write.clean")"
fi
read -r _ w_text w_rand < <(grep -E '^hv-wrote ' "$work/disk_write.clean")
if [ -z "$wrote" ]; then
	echo "not ok - disk_written: the shell's commands did not all answer"
elif [ "${w_text:-}" != "$text_sum" ]; then
	echo "not ok - disk_written: the guest's file has sha256 ${w_text:-none}, want $text_sum"
else
	pass disk_written
fi

# From the host: the file is in debian-root, the line in data, and the
# poweroff left the filesystem clean (remounted read-only: no journal to
# replay).
part_of "$ds" 1 "$work/p1.img"
part_of "$ds" 2 "$work/p2.img"
h_text=$(debugfs -R "cat /root/hv-text" "$work/p1.img" 2>/dev/null | sha)
h_rand=$(debugfs -R "cat /root/hv-rand" "$work/p1.img" 2>/dev/null | sha)
if [ "$h_text" = "$text_sum" ] && [ "$h_rand" = "${w_rand:-none}" ] &&
	[ "$(debugfs -R "cat /hello" "$work/p2.img" 2>/dev/null)" = "$token" ]; then
	pass disk_files_on_host
else
	echo "not ok - disk_files_on_host: hv-text $h_text hv-rand $h_rand, want $text_sum ${w_rand:-none}"
fi
if dumpe2fs -h "$work/p1.img" 2>/dev/null | grep -q '^Filesystem state: *clean$' &&
	! dumpe2fs -h "$work/p1.img" 2>/dev/null | grep -q 'needs_recovery' &&
	e2fsck -fn "$work/p1.img" >/dev/null 2>&1; then
	pass disk_clean_after_poweroff
else
	echo "not ok - disk_clean_after_poweroff: $(dumpe2fs -h "$work/p1.img" 2>/dev/null | grep -E 'state|features')"
fi

# --- boot 2: the same datastore, read back ------------------------------
qemu_start disk_read "$ds" "root=/dev/vda1"
if wait_for disk_read '^guest: shell$' "$BOOT_TIMEOUT"; then
	sleep 1
	shell disk_read "echo hv-read \$(sha256sum /root/hv-text /root/hv-rand | cut -d' ' -f1)" \
		'^hv-read [0-9a-f]{64} [0-9a-f]{64}$'
	send_keys 'poweroff\r'
fi
qemu_end disk_read
read -r _ r_text r_rand < <(grep -E '^hv-read ' "$work/disk_read.clean")
if ended_cleanly disk_read && [ "${r_text:-}" = "$text_sum" ] && [ -n "${w_rand:-}" ] &&
	[ "${r_rand:-}" = "$w_rand" ]; then
	pass disk_read_back
else
	echo "not ok - disk_read_back: read ${r_text:-none} ${r_rand:-none}, written $text_sum ${w_rand:-none}"
fi

# --- boot 3: the partition alone as the disk, as a VM will see it --------
part_of "$ds" 1 "$work/p1.img"
qemu_start disk_whole "$work/p1.img" "root=/dev/vda"
if wait_for disk_whole '^guest: shell$' "$BOOT_TIMEOUT"; then
	sleep 1
	shell disk_whole "echo hv-first \$(head -n 1 /root/hv-text)" '^hv-first '
	send_keys 'poweroff\r'
fi
qemu_end disk_whole
expect disk_whole '^guest: init on root /dev/vda \(ext4\)$' "^hv-first $token\$"

# --- no such device, and one that does not mount: the initramfs's shell ---
qemu_start disk_missing "$ds" "root=/dev/vdb hvrootwait=1 hvtest=smoke"
if wait_for disk_missing '^guest: shell$' "$BOOT_TIMEOUT"; then
	sleep 1
	shell disk_missing "echo hv-where \$(awk '\$2 == \"/\" { print \$3 }' /proc/mounts)" '^hv-where '
	send_keys 'poweroff\r'
fi
qemu_end disk_missing
expect disk_missing '^guest: no root device /dev/vdb$' '^guest: shell$' '^hv-where rootfs$' &&
	if grep -q '^guest: smoke' "$work/disk_missing.clean"; then
		echo "not ok - disk_missing_no_smoke: the smoke test ran without its root"
	else
		pass disk_missing_no_smoke
	fi

qemu_start disk_unmountable "$ds" "root=/dev/vda3"
if wait_for disk_unmountable '^guest: shell$' "$BOOT_TIMEOUT"; then
	sleep 1
	send_keys 'poweroff\r'
fi
qemu_end disk_unmountable
expect disk_unmountable '^guest: root /dev/vda3 after=' '^guest: root /dev/vda3: mount failed$' \
	'^guest: shell$'

echo "# boot to 'guest: shell' with root on /dev/vda1: ${t_disk:-?} s (wall time, TCG)"
