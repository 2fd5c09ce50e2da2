#!/usr/bin/env bash
# `make run`: the whole platform with a Debian Linux guest. Builds the guest
# from Debian's packages (scripts/guest-linux.sh, cached), a boot image with
# one VM of 2 vCPUs and 512 MiB that starts a busybox shell on its console,
# and boots it (scripts/run-virt.sh, or scripts/run-sbsa.sh with
# PLATFORM=sbsa-ref). In the guest, `poweroff` ends QEMU; vmware-checkvm and
# `vmware-rpctool 'info-get guestinfo.color'` talk to the hypervisor. Extra
# arguments go to QEMU.
#
# On virt the machine has a disk, the datastore build/virt/datastore.img
# (scripts/make-datastore.sh makes it once and keeps it: what the guest
# writes there stays), and the VM's root filesystem is its partition
# debian-root, the VM's /dev/vda. DATASTORE=none boots from the initramfs
# alone, as on sbsa-ref, whose disk is not virtio (docs/DATASTORE.md).
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
cmdline="console=ttyAMA0 hvtest=shell"
vm_disk=()
qemu_disk=()
datastore=${DATASTORE:-$build/datastore.img}
if [ "$platform" = virt ] && [ "$datastore" != none ]; then
	[ -e "$datastore" ] || "$top/scripts/make-datastore.sh" -o "$datastore"
	cmdline="$cmdline root=/dev/vda"
	vm_disk=(--disk debian-root)
	qemu_disk=(-global virtio-mmio.force-legacy=false
		-drive if=none,file="$datastore",format=raw,id=d0
		-device virtio-blk-device,drive=d0)
fi
"$top/build/host/mkbootimg" -o "$img" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
	--name linux --vm --name linux --kernel "$top/cache/guest/Image" \
	--initrd "$top/cache/guest/initrd.cpio.gz" --cmdline "$cmdline" \
	--mem 512M --cpus 2 --guestinfo color=blue "${vm_disk[@]}" >/dev/null
# 2 GiB of machine RAM: with 1 GiB, the boot image's seeded load address
# can leave no 512 MiB in one piece for the VM.
MEM=${MEM:-2G} BOOTIMG=$img exec "$runner" "${qemu_disk[@]}" "$@"
