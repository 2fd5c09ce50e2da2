#!/usr/bin/env bash
# The GUID partition table reader (hyp/disk/gpt.c) on tables written by a
# real partitioning tool, sfdisk (Debian's fdisk package), rather than by
# the tests' own writer: each check partitions a disk image file and reads
# it with `build/host/tests/test_gpt_disk --dump IMAGE` (make unit-bins).
# Without sfdisk it prints one "skip" line, which tests/run.sh does not
# count. Not a QEMU boot; it lives here because it runs an outside tool.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
dump=$top/build/host/tests/test_gpt_disk
sfdisk=$(command -v sfdisk || command -v /usr/sbin/sfdisk || command -v /sbin/sfdisk)
if [ -z "$sfdisk" ]; then
	echo "skip - gpt_sfdisk: no sfdisk (Debian's fdisk package)"
	exit 0
fi
if [ ! -x "$dump" ]; then
	echo "not ok - gpt_sfdisk: no $dump (make unit-bins)"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# image NAME SCRIPT: an 8 MiB image partitioned by the sfdisk script.
image() {
	truncate -s 8M "$work/$1"
	printf '%b' "$2" | "$sfdisk" -q "$work/$1" >"$work/$1.sfdisk" 2>&1
}

# expected NAME: sfdisk's own view of the partitions, as the dump prints
# them ("NUMBER FIRST LAST LABEL").
expected() {
	"$sfdisk" -d "$work/$1" | sed -nE \
		's/^.*[^0-9]([0-9]+) : start= *([0-9]+), size= *([0-9]+),.*name="([^"]*)".*$/\1 \2 \3 \4/p' |
		while read -r n start size name; do
			echo "$n $start $((start + size - 1)) $name"
		done
}

# check NAME WHAT HEAD [PARTITIONS]: the dump's first line is HEAD and,
# when given, the rest is PARTITIONS.
check() {
	local name=$1 what=$2 head=$3 out
	out=$("$dump" --dump "$work/$name" 2>&1)
	if [ "$(head -n1 <<<"$out")" != "$head" ]; then
		echo "not ok - gpt_sfdisk: $what: got \"$(head -n1 <<<"$out")\", want \"$head\""
		return
	fi
	if [ $# -ge 4 ] && [ "$(tail -n +2 <<<"$out")" != "$4" ]; then
		echo "not ok - gpt_sfdisk: $what: partitions differ from sfdisk's:"
		diff <(echo "$4") <(tail -n +2 <<<"$out") | sed 's/^/  /'
		return
	fi
	echo "ok - gpt_sfdisk: $what"
}

if ! image three 'label: gpt\nsize=1MiB, name=boot\nsize=2MiB, name="vm0-root"\nname=data\n'; then
	echo "not ok - gpt_sfdisk: sfdisk failed: $(head -n1 "$work/three.sfdisk")"
	exit 0
fi
want=$(expected three)
check three "three named partitions" "ok primary=ok backup=ok used=primary" "$want"

# The primary header zeroed: the backup at the last LBA.
cp "$work/three" "$work/no-primary"
dd if=/dev/zero of="$work/no-primary" bs=512 seek=1 count=1 conv=notrunc status=none
check no-primary "primary header gone, backup used" \
	"ok primary=bad GPT header backup=ok used=backup" "$want"

# A byte of the primary's array changed: its CRC fails, the backup is used.
cp "$work/three" "$work/array"
printf '\x01' | dd of="$work/array" bs=1 seek=$((2 * 512 + 100)) conv=notrunc status=none
check array "primary array corrupted, backup used" \
	"ok primary=partition entry array CRC mismatch backup=ok used=backup" "$want"

# Both headers gone.
cp "$work/no-primary" "$work/none"
dd if=/dev/zero of="$work/none" bs=512 seek=$((8 * 2048 - 1)) count=1 conv=notrunc status=none
check none "both headers gone" \
	"bad GPT header primary=bad GPT header backup=bad GPT header used=primary"

# A small entry array (4 entries: one sector) and a name that is not ASCII.
image small 'label: gpt\ntable-length: 4\nsize=1MiB, name=a\nname="d\xc3\xa6sk"\n'
check small "4-entry array, non-ASCII name" "ok primary=ok backup=ok used=primary" \
	"$(expected small | sed 's/ d.*sk$/ d?sk (lossy)/')"

# sfdisk allows two partitions of one name; the reader does not.
image dup 'label: gpt\nsize=1MiB, name=a\nname=a\n'
check dup "duplicate label refused" \
	"two partitions have the same label primary=two partitions have the same label backup=not read used=primary"

# An MBR-partitioned disk: no GPT.
image mbr 'label: dos\nsize=1MiB\n\n'
check mbr "MBR disk" "no protective MBR (not a GPT disk) primary=no protective MBR (not a GPT disk) backup=not read used=primary"
