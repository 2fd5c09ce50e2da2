#!/usr/bin/env bash
# Boots the platform on QEMU virt: the monitor from flash (-bios), the boot
# image through fw_cfg (-kernel). Extra arguments go to QEMU.
#
#   SEED=N      load-address seed (fw_cfg opt/hv/seed); random when unset
#   BUILD=dir   where firmware.bin and boot.img are (default build/virt)
#   BOOTIMG=f   another boot image ("none": no -kernel);  SMP=n, MEM=size
#
# The console is this terminal; Ctrl-A X quits QEMU.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build/virt}
args=(
	-M virt,secure=on,virtualization=on,gic-version=3
	-cpu max,x-rme=on
	-smp "${SMP:-2}" -m "${MEM:-1G}"
	-nographic -net none
	-bios "$build/firmware.bin"
)
if [ "${BOOTIMG:-}" != none ]; then
	args+=(-kernel "${BOOTIMG:-$build/boot.img}")
fi
if [ -n "${SEED:-}" ]; then
	args+=(-fw_cfg "name=opt/hv/seed,string=$SEED")
fi
exec qemu-system-aarch64 "${args[@]}" "$@"
