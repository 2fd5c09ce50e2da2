#!/usr/bin/env bash
# Writes a raw disk image for the guest's disk mode (hvtest=disk,
# docs/GUEST_LINUX.md): the whole disk is one ustar archive holding a file
# of random data, so the guest reads it back with busybox tar straight from
# the block device, with no partition table and no filesystem module.
#
#   scripts/make-disk.sh OUT [SIZE_KIB]      (default 1024 KiB of data)
#
# Prints one line, also written to OUT.sha256 for tests to read:
#   disk: OUT file=hvdisk/payload.bin bytes=N sha256=HEX
set -euo pipefail

usage() {
	echo "usage: $0 OUT [SIZE_KIB]" >&2
	exit 2
}
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
out=$1
kib=${2:-1024}
case $kib in '' | *[!0-9]*) usage ;; esac
[ "$kib" -gt 0 ] || usage

# The member's name inside the archive; the guest's /init asks for it.
member=hvdisk/payload.bin

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/hvdisk"
head -c $((kib * 1024)) /dev/urandom >"$tmp/$member"
sum=$(sha256sum "$tmp/$member" | cut -d' ' -f1)

# ustar, fixed owner and time: nothing of this machine goes into the disk.
# GNU tar pads the archive to whole 10 KiB records, a multiple of the
# 512-byte sector, so the file is a valid raw disk as it is.
tar --format=ustar --owner=0 --group=0 --numeric-owner --mtime=@0 \
	-C "$tmp" -cf "$out" "$member"

line="disk: $out file=$member bytes=$((kib * 1024)) sha256=$sum"
echo "$line" >"$out.sha256"
echo "$line"
