#!/usr/bin/env bash
# Boots the platform on QEMU sbsa-ref: the monitor from flash0, the boot
# image from flash1 behind its header (docs/BOOT_IMAGE.md). Extra
# arguments go to QEMU.
#
#   BOOTIMG=f   another boot image, put into a flash1 image of its own
#               ("none": flash1 left blank); default build/sbsa-ref/flash1.img
#   FLASH1=f    a ready-made flash1 image (256 MiB), used as it is
#   SEED=N      load-address seed, written into the flash1 header; random
#               (RNDR) when unset
#   BUILD=dir   where flash0.img and flash1.img are (default build/sbsa-ref)
#   SMP=n, MEM=size
#
# The console is this terminal; Ctrl-A X quits QEMU.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build/sbsa-ref}
args=(
	-M sbsa-ref
	-cpu max,x-rme=on
	-smp "${SMP:-2}" -m "${MEM:-1G}"
	-nographic -net none
	# sbsa-ref always puts a bochs-display on its PCIe bus; without a
	# ROM file QEMU looks for its VGA BIOS, which nothing here needs.
	-global bochs-display.romfile=
	-drive "if=pflash,format=raw,readonly=on,file=$build/flash0.img"
)
if [ -n "${FLASH1:-}" ]; then
	if [ -n "${SEED:-}" ] || [ -n "${BOOTIMG:-}" ]; then
		echo "run-sbsa.sh: FLASH1 is used as it is: SEED and BOOTIMG do not apply" >&2
		exit 2
	fi
	args+=(-drive "if=pflash,format=raw,readonly=on,file=$FLASH1")
elif [ "${BOOTIMG:-}" = none ]; then
	: # no drive: QEMU's flash1 reads as zeros
elif [ -z "${BOOTIMG:-}" ] && [ -z "${SEED:-}" ]; then
	args+=(-drive "if=pflash,format=raw,readonly=on,file=$build/flash1.img")
else
	# A flash image of its own, sparse, in a temporary file that is
	# deleted once open: QEMU gets it as an inherited descriptor (an fd
	# set), so nothing is left behind however QEMU ends.
	seed=()
	if [ -n "${SEED:-}" ]; then seed=(--seed "$SEED"); fi
	flash=$(mktemp "${TMPDIR:-/tmp}/flash1.XXXXXX")
	if ! "$top/build/host/mkflash" -o "$flash" "${seed[@]}" "${BOOTIMG:-$build/boot.img}"; then
		rm -f "$flash"
		exit 1
	fi
	exec 3<"$flash"
	rm -f "$flash"
	args+=(-add-fd fd=3,set=3 -drive "if=pflash,format=raw,readonly=on,file=/dev/fdset/3")
fi
exec qemu-system-aarch64 "${args[@]}" "$@"
