#!/usr/bin/env bash
# Native mode: Debian's kernel as the system software at EL2, started by the
# bootloader in place of the hypervisor (docs/BOOT_IMAGE.md, "Native mode").
# Builds the guest from Debian's packages (scripts/guest-linux.sh, cached),
# a native boot image whose kernel starts a busybox shell on the console,
# and boots it on all of QEMU virt (scripts/run-virt.sh). In the shell,
# `poweroff` ends QEMU through the monitor's PSCI SYSTEM_OFF.
#
#   CMDLINE="..."  the kernel command line (default: a shell on ttyAMA0);
#                  "console=ttyAMA0 hvtest=disk" runs the disk mode
#                  (docs/GUEST_LINUX.md) with the QEMU devices given as
#                  extra arguments, which go to QEMU.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build/virt}
img=$build/native.img

"$top/scripts/guest-linux.sh" >/dev/null
"$top/build/host/mkbootimg" -o "$img" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
	--name native --native --kernel "$top/cache/guest/Image" \
	--initrd "$top/cache/guest/initrd.cpio.gz" \
	--cmdline "${CMDLINE:-console=ttyAMA0 hvtest=shell}" >/dev/null
BOOTIMG=$img exec "$top/scripts/run-virt.sh" "$@"
