#!/usr/bin/env bash
# A hostile VM against its virtio disk, beside a VM reading its own
# (docs/VIRTIO.md, "A hostile guest"). The machine's disk is a small
# datastore (scripts/make-datastore.sh) with two raw partitions, attacker
# then victim, so that a write past the attacker's end would land in the
# victim. The victim is filled from the host with a pattern: the 64-bit
# little-endian word at byte offset o of the partition is
# 0x76696374696d0000 ^ o.
#
#   vm0 guests/virtio_hostile.c, 2 vCPUs, vda = attacker: each
#       malformed-virtqueue case in turn (loops, chains longer than the
#       queue, indirect tables outside RAM or of a bad size or nested,
#       buffers outside RAM or wrapping, chains over 2^32 bytes, the
#       available index jumping or moving back, notifications for a queue
#       that does not exist or is not set up, rings outside RAM at
#       QueueReady, the used index moved back), reads and writes past the
#       partition's end, and the ring refilled by its second vCPU while the
#       device serves it. One line per case; between cases the device is
#       reset and still reads and writes.
#   vm1 guests/virtio_reader.c, vda = victim: reads the whole partition
#       again and again, checking the pattern, for READER_SECONDS (10).
#
# Checked: every case line; exactly one hypervisor line "hyp: vm0 ...: disk
# vda: REASON: device needs a reset" for each case that must put the device
# in DEVICE_NEEDS_RESET, with its reason, and none for the others or for
# vm1; both VMs end with exit code 0 and the platform powers off (the
# hypervisor survived); the reader read the victim during the attack and
# after it; and from the host afterwards, the victim, the GPT (the first 34
# and the last 33 sectors) and every byte outside the attacker's partition
# are as before (sha256), and the attacker's first and last sectors hold
# what the guest's good writes put there.
source "$(dirname "$0")/lib.sh"
# not_ok CHECK WHY: a check that has no log of its own to show.
not_ok() { echo "not ok - $1: $2"; }

need_tools vm_disk_hostile_tools sfdisk mke2fs python3 sha256sum || exit 0
reader_s=${READER_SECONDS:-10}

# --- the datastore -----------------------------------------------------
ds=$work/ds.img
mkdir -p "$work/tree" # debian-root's files: none are needed here
if ! "$top/scripts/make-datastore.sh" -o "$ds" --root-size 8M --data-size 0 \
	--part attacker:4M:raw --part victim:4M:raw --tree "$work/tree" >"$work/mkds.log" 2>&1; then
	echo "not ok - vm_disk_hostile_datastore: $(tail -n 3 "$work/mkds.log")"
	exit 0
fi
# part NAME: "START SIZE" in sectors, from the GPT as sfdisk reads it.
part() {
	sfdisk --json "$ds" | python3 -c '
import json, sys
for p in json.load(sys.stdin)["partitiontable"]["partitions"]:
    if p.get("name") == sys.argv[1]:
        print(p["start"], p["size"])' "$1"
}
read -r a_start a_size < <(part attacker)
read -r v_start v_size < <(part victim)
total=$(($(stat -c %s "$ds") / 512))
if [ -z "${a_start:-}" ] || [ -z "${v_start:-}" ] || [ "$v_start" -lt $((a_start + a_size)) ]; then
	echo "not ok - vm_disk_hostile_datastore: attacker '${a_start:-} ${a_size:-}', victim '${v_start:-} ${v_size:-}'"
	exit 0
fi
python3 - "$ds" "$v_start" "$v_size" <<'PY'
import struct, sys
path, start, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
n = size * 512
words = [0x76696374696d0000 ^ o for o in range(0, n, 8)]
with open(path, "r+b") as f:
    f.seek(start * 512)
    f.write(struct.pack("<%dQ" % len(words), *words))
PY
pass vm_disk_hostile_datastore

# sectors FIRST COUNT: their sha256.
sectors() { dd if="$ds" bs=512 skip="$1" count="$2" status=none | sha256sum | cut -d' ' -f1; }
# The parts of the disk the attacker must not change.
outside() {
	echo "gpt-primary $(sectors 0 34)"
	echo "gpt-backup $(sectors $((total - 33)) 33)"
	echo "victim $(sectors "$v_start" "$v_size")"
	echo "before-attacker $(sectors 0 "$a_start")"
	echo "after-attacker $(sectors $((a_start + a_size)) $((total - a_start - a_size)))"
}
outside >"$work/before"

# --- the boot ----------------------------------------------------------
name=vm_disk_hostile
if ! "$top/build/host/mkbootimg" -o "$work/$name.img" --boot "$build/boot.bin" \
	--hyp "$build/hyp.bin" --name "$name" \
	--vm --name virtio_hostile --kernel "$build/guests/virtio_hostile.bin" --mem 32M \
	--cpus 2 --disk attacker \
	--vm --name virtio_reader --kernel "$build/guests/virtio_reader.bin" --mem 32M \
	--disk victim --guestinfo "seconds=$reader_s" >/dev/null 2>"$work/$name.err"; then
	echo "not ok - $name: cannot build its boot image: $(cat "$work/$name.err")"
	exit 0
fi
boot "$name" BOOTIMG="$work/$name.img" -- \
	-drive "if=none,file=$ds,format=raw,id=d0" -global virtio-mmio.force-legacy=false \
	-device virtio-blk-device,drive=d0
log=$work/$name.clean
expect "$name" "^hyp: vm0 'virtio_hostile': disk vda: 'attacker', 4 MiB$" \
	"^hyp: vm1 'virtio_reader': disk vda: 'victim', 4 MiB$" \
	'^\[virtio_hostile\] guest virtio_hostile: 0 failures$' \
	"^hyp: vm0 'virtio_hostile' ended: test exit requested, exit code 0$" \
	'^\[virtio_reader\] guest virtio_reader: 0 failures$' \
	"^hyp: vm1 'virtio_reader' ended: test exit requested, exit code 0$" \
	'^hyp: no VM left: powering off$' '^monitor: psci: system off$'

hurt='panic|fatal|unexpected exception|lockup: no progress|lockup over|hyp: disk: .*no longer used'
if grep -qE "$hurt" "$log"; then
	not_ok "${name}_hypervisor_unhurt" "$(grep -m1 -E "$hurt" "$log")"
else
	pass "${name}_hypervisor_unhurt"
fi

# --- each case, with the one reason the hypervisor logs for it ----------
# CASE|REASON: REASON is the line's text between "disk vda: " and ": device
# needs a reset"; none for a case the device must answer (IOERR or OK).
loop='descriptor chain longer than its table (a loop)'
ind='bad indirect descriptor'
buf='buffer outside RAM or empty'
idx='available index moved back or by more than the queue size'
ring='queue 0: ring outside RAM or misaligned'
size='queue 0: queue size 0 or above the maximum'
cat >"$work/want" <<EOF
descriptor_loop|$loop
descriptor_self_loop|$loop
chain_of_queue_size|
chain_longer_than_queue|$loop
indirect|
indirect_chain_too_long|chain has more buffers than the device takes
indirect_beyond_ram|$ind
indirect_across_ram_end|$ind
indirect_len_not_16|$ind
indirect_len_0|$ind
indirect_nested|$ind
indirect_with_next|$ind
indirect_not_negotiated|$ind
buffer_wraps_2_64|$buf
buffer_len_2_32|$buf
chain_over_2_32_bytes|chain's total length above 2^32 - 1
buffer_in_device|$buf
buffer_beyond_ram|$buf
buffer_below_ram|$buf
buffer_across_ram_end|$buf
buffer_len_0|$buf
status_in_gic|$buf
header_in_device|$buf
readable_after_writable|device-readable buffer after a device-writable one
no_status|request without a device-writable status byte
head_beyond_table|available ring entry beyond the descriptor table
next_beyond_table|next beyond the descriptor table
avail_idx_jump|$idx
avail_idx_far|$idx
avail_idx_back|$idx
notify_queue_1|QueueNotify for a queue the device does not have
notify_queue_max|QueueNotify for a queue the device does not have
notify_not_set_up|QueueNotify for a queue not ready
notify_before_driver_ok|
ring_beyond_ram|$ring
ring_misaligned|$ring
ring_across_ram_end|$ring
ring_in_device|$ring
queue_size_0|$size
queue_size_above_max|$size
queue_ready_early|QueueReady before FEATURES_OK
read_past_end|
read_across_end|
read_sector_max|
write_past_end|
write_across_end|
write_sector_max|
write_sector_2_55|
write_sector_wraps|
read_not_512|
write_not_512|
used_idx_back|
event_idx_junk|
ring_refilled_while_served|
notify_full_exit_path|
EOF
# What the log says: each case line with the reasons logged since the case
# before (the hypervisor logs in the trap, before the guest goes on), ";"
# between two; and the result word of the case line.
awk '
	/^hyp: vm0 .virtio_hostile.: disk vda: .*: device needs a reset$/ {
		r = $0
		sub(/^hyp: vm0 .virtio_hostile.: disk vda: /, "", r)
		sub(/: device needs a reset$/, "", r)
		why = why (why == "" ? "" : ";") r
		next
	}
	/^\[virtio_hostile\] guest virtio_hostile: case / {
		n = split($0, w, " ")
		if (w[n] != "ok")
			bad = bad " " w[n - 1]
		print w[n - 1] "|" why
		why = ""
	}
	END { if (bad != "") print "FAILED:" bad > "/dev/stderr" }
' "$log" >"$work/got" 2>"$work/failed_cases"
ncases=$(wc -l <"$work/want")
if [ -s "$work/failed_cases" ]; then
	not_ok "${name}_cases" "the guest's checks failed in:$(cut -d: -f2 "$work/failed_cases")"
elif ! diff -u "$work/want" "$work/got" >"$work/cases.diff"; then
	echo "not ok - ${name}_cases: cases and reasons differ from the expected (- want, + got):"
	sed -n '3,$p' "$work/cases.diff" | grep '^[-+]' | head -n 20 | sed 's/^/  | /'
else
	pass "${name}_cases ($ncases cases, $(grep -c '|.' "$work/want") of them DEVICE_NEEDS_RESET, one log line each)"
fi
if grep -q "^hyp: vm1 .*needs a reset" "$log"; then
	not_ok "${name}_reader_device_untouched" "$(grep -m1 '^hyp: vm1 .*needs a reset' "$log")"
else
	pass "${name}_reader_device_untouched"
fi

# The reader ran while the attack did, and after it ended.
during=$(sed -n "/^\[virtio_hostile\] guest virtio_hostile: case /,/^hyp: vm0 'virtio_hostile' ended/p" "$log" |
	grep -c '^\[virtio_reader\] virtio_reader: pass [0-9]* ok$')
after=$(sed -n "/^hyp: vm0 'virtio_hostile' ended/,\$p" "$log" |
	grep -c '^\[virtio_reader\] virtio_reader: pass [0-9]* ok$')
if [ "$during" -ge 1 ] && [ "$after" -ge 1 ]; then
	pass "${name}_reader_kept_reading ($during passes over the victim during the attack, $after after)"
else
	not_ok "${name}_reader_kept_reading" "$during passes during the attack, $after after it (READER_SECONDS=$reader_s)"
fi

# --- the disk, from the host -------------------------------------------
outside >"$work/after"
if diff "$work/before" "$work/after" >"$work/outside.diff"; then
	pass "${name}_nothing_outside_the_partition_changed (GPT, victim, every byte outside attacker)"
else
	not_ok "${name}_nothing_outside_the_partition_changed" "changed: $(grep '^>' "$work/outside.diff" | cut -d' ' -f2 | tr '\n' ' ')"
fi
# The good writes landed in the attacker's partition: sector 0 and the last
# sector as the guest wrote them (check_device_works()).
rounds=$(sed -nE 's/^\[virtio_hostile\] virtio_hostile: [0-9]+ cases, last sector written ([0-9]+) times$/\1/p' "$log")
want0=$(printf 'sector0!%.0s' {1..64} | sha256sum | cut -d' ' -f1)
wantl=$(yes "$(printf 'last%03d' $((${rounds:-0} % 1000)))" | head -n 64 | sha256sum | cut -d' ' -f1)
if [ -n "$rounds" ] && [ "$(sectors "$a_start" 1)" = "$want0" ] &&
	[ "$(sectors $((a_start + a_size - 1)) 1)" = "$wantl" ]; then
	pass "${name}_good_writes_in_place (sector 0, and the last sector's ${rounds}th write)"
else
	not_ok "${name}_good_writes_in_place" "the attacker's sector 0 or last sector is not what the guest wrote (${rounds:-no} rounds)"
fi
