#!/usr/bin/env bash
# `make run`: the whole platform with a Debian Linux guest. Builds the guest
# from Debian's packages (scripts/guest-linux.sh, cached), a boot image with
# one VM of 2 vCPUs and 512 MiB that starts a busybox shell on its console,
# and boots it (scripts/run-virt.sh, or scripts/run-sbsa.sh with
# PLATFORM=sbsa-ref). In the guest, `poweroff` ends QEMU; vmware-checkvm and
# `vmware-rpctool 'info-get guestinfo.color'` talk to the hypervisor. Extra
# arguments go to QEMU.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
platform=${PLATFORM:-virt}
case $platform in
virt) runner=$top/scripts/run-virt.sh ;;
sbsa-ref) runner=$top/scripts/run-sbsa.sh ;;
*)
	echo "run-linux.sh: unknown PLATFORM '$platform' (virt or sbsa-ref)" >&2
	exit 2
	;;
esac
build=${BUILD:-$top/build/$platform}
img=$build/linux.img

"$top/scripts/guest-linux.sh" >/dev/null
"$top/build/host/mkbootimg" -o "$img" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
	--name linux --vm --name linux --kernel "$top/cache/guest/Image" \
	--initrd "$top/cache/guest/initrd.cpio.gz" --cmdline "console=ttyAMA0 hvtest=shell" \
	--mem 512M --cpus 2 --guestinfo color=blue >/dev/null
# 2 GiB of machine RAM: with 1 GiB, the boot image's seeded load address
# can leave no 512 MiB in one piece for the VM.
MEM=${MEM:-2G} BOOTIMG=$img exec "$runner" "$@"
