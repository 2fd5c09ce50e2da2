#!/usr/bin/env bash
# Native mode: the bootloader starts Debian's kernel, unmodified, at EL2 as
# the system software in place of the hypervisor (docs/BOOT_IMAGE.md,
# "Native mode"). On QEMU virt with 2 CPUs and QEMU's own PCIe AHCI and xHCI
# controllers (the machine's PCIe host is in the DT the monitor passes on),
# the guest's disk mode (docs/GUEST_LINUX.md) lists the PCI functions and
# reads a file back from the disk. Then the bad inputs: each ends with one
# "boot: error:" line and a power-off, before any kernel runs.
source "$(dirname "$0")/lib.sh"

if ! "$top/scripts/guest-linux.sh" >"$work/guest-build.log" 2>&1; then
	echo "not ok - native_guest_built: scripts/guest-linux.sh failed: $(tail -n 3 "$work/guest-build.log")"
	exit 0
fi
kernel=$top/cache/guest/Image
initrd=$top/cache/guest/initrd.cpio.gz
mkbootimg=$top/build/host/mkbootimg

native_image() { # OUT KERNEL CMDLINE [MKBOOTIMG OPTIONS AFTER --native...]
	local out=$1 k=$2 cmdline=$3
	shift 3
	"$mkbootimg" -o "$out" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
		--name native --native --kernel "$k" --cmdline "$cmdline" "$@" >/dev/null
}

# --- Debian's kernel at EL2, both CPUs, PCI disk and USB ---------------------
"$top/scripts/make-disk.sh" "$work/disk.img" 1024 >/dev/null
sum=$(sed -n 's/.* sha256=\([0-9a-f]*\)$/\1/p' "$work/disk.img.sha256")
native_image "$work/native.img" "$kernel" "console=ttyAMA0 hvtest=disk" --initrd "$initrd"

BOOT_TIMEOUT=${NATIVE_TIMEOUT:-180} boot native_linux BOOTIMG="$work/native.img" SMP=2 -- \
	-device ich9-ahci,id=ahci -drive if=none,id=d,file="$work/disk.img",format=raw \
	-device ide-hd,drive=d,bus=ahci.0 -device qemu-xhci
log=$work/native_linux.clean
# Several checks judge this one boot: each gets its own name for the report.
for c in native_bootloader_handover native_linux_at_el2_on_both_cpus \
	native_pci_ahci_and_xhci native_disk_checksum native_poweroff_through_psci; do
	cp "$work/native_linux.status" "$work/$c.status"
	cp "$log" "$work/$c.clean"
done

# The bootloader's part: the kernel placed, the MMU off through the
# identity-mapped page; the hypervisor never runs.
if grep -q '^hyp: entered' "$log"; then
	echo "not ok - native_bootloader_handover: the hypervisor was entered in native mode"
else
	expect native_bootloader_handover '^boot: native mode: Linux at EL2 in place of the hypervisor$' \
		"^boot: native: kernel 'native-kernel' \([0-9]+ bytes, image_size 0x[0-9a-f]+, text_offset 0x0, 4K pages\) at pa 0x[0-9a-f]*[02468ace]00000$" \
		"^boot: native: initrd 'native-initrd' \([0-9]+ bytes\) at pa 0x" \
		'^boot: native: dt \([0-9]+ bytes\) at pa 0x[0-9a-f]+, bootargs "console=ttyAMA0 hvtest=disk"$' \
		'^boot: native: MMU off through the page at va 0x4000000[0-9a-f]+ and pa 0x[0-9a-f]+, entering the kernel at EL2'
fi
# The kernel's view: entered at EL2 on every CPU (it runs KVM in VHE there),
# the second CPU started through the monitor's PSCI CPU_ON, init reached.
expect native_linux_at_el2_on_both_cpus '^\[ *[0-9.]+\] CPU: All CPU\(s\) started at EL2$' \
	'CPU1: Booted secondary processor' 'smp: Brought up 1 node, 2 CPUs' \
	'kvm \[1\]: VHE mode initialized successfully' \
	'psci: PSCIv1.1 detected in firmware' '^guest: init reached$'
expect native_pci_ahci_and_xhci '^guest: modules loaded=26 failed=0$' \
	'^guest: pci [0-9a-f:.]+ class=0x010601 id=8086:2922 driver=ahci$' \
	'^guest: pci [0-9a-f:.]+ class=0x0c0330 id=1b36:000d driver=xhci_hcd$' \
	'^guest: usb roots=2$'
expect native_disk_checksum '^guest: disk dev=sd[a-z] after=' \
	"^guest: disk file=hvdisk/payload.bin bytes=1048576 sha256=$sum\$" '^guest: disk done$'
expect native_poweroff_through_psci '^guest: poweroff$' '^monitor: psci: system off$'
if grep -qiE 'WARNING:|Oops|BUG:|Call trace|Unable to handle' "$log"; then
	echo "not ok - native_no_warnings: $(grep -iE 'WARNING:|Oops|BUG:|Call trace|Unable to handle' "$log" | head -n 3)"
else
	pass native_no_warnings
fi

# --- bad input ----------------------------------------------------------------
# refuse_native NAME PATTERN: one "boot: error:" line, matching, and a clean
# power-off; neither the hypervisor nor a kernel ran.
refuse_native() {
	local name=$1 pattern=$2
	if grep -q 'Booting Linux' "$work/$name.clean"; then
		fail "$name" "a kernel was entered despite the bad input"
		return 1
	fi
	if [ "$(grep -c '^boot: error:' "$work/$name.clean")" != 1 ]; then
		fail "$name" "expected exactly one 'boot: error:' line"
		return 1
	fi
	refuse "$name" "$pattern" '^monitor: psci: system off$'
}

# A native configuration by hand (mkbootimg would refuse the kernel).
native_bundle_image() { # OUT CONFIG-TEXT MKBUNDLE-PAYLOAD-OPTIONS...
	local out=$1 cfg=$2
	shift 2
	printf '%s\n' "$cfg" >"$work/native.cfg"
	"$top/build/host/mkbundle" -o "$work/native.bundle" --hyp "$build/hyp.bin" \
		--config "$work/native.cfg" "$@" >/dev/null
	cat "$build/boot.bin" "$work/native.bundle" >"$out"
}

head -c 4096 /dev/urandom >"$work/not-an-image"
native_bundle_image "$work/bad-kernel.img" "mode = native
native.kernel = k" --kernel "k=$work/not-an-image"
boot native_kernel_not_an_image BOOTIMG="$work/bad-kernel.img" --
refuse_native native_kernel_not_an_image \
	"^boot: error: kernel 'k' is not an arm64 Image we can boot: no \"ARM\\\\x64\" magic at offset 0x38$"

native_bundle_image "$work/no-initrd.img" "mode = native
native.kernel = k
native.initrd = missing" --kernel "k=$kernel"
boot native_missing_initrd BOOTIMG="$work/no-initrd.img" --
refuse_native native_missing_initrd "^boot: error: no initrd payload 'missing' in the bundle \(native.initrd\)$"

# A valid Image header that asks for 2 GiB of RAM; the machine has 1 GiB.
python3 - "$work/huge-kernel" <<'PY'
import struct, sys
hdr = bytearray(4096)
struct.pack_into('<QQQ', hdr, 8, 0, 2 << 30, 0xa)   # text_offset, image_size, flags
hdr[0x38:0x3c] = b'ARM\x64'
open(sys.argv[1], 'wb').write(hdr)
PY
native_image "$work/huge-kernel.img" "$work/huge-kernel" "console=ttyAMA0"
boot native_kernel_too_big BOOTIMG="$work/huge-kernel.img" --
refuse_native native_kernel_too_big \
	"^boot: error: kernel 'native-kernel' does not fit in RAM: it needs 0x80000000 bytes \(text_offset 0x0 \+ image_size 0x80000000\) of free RAM at a 2 MiB-aligned base$"

# 128 MiB of RAM: a 72 MiB initrd is loaded inside the boot image, but the
# copy the kernel gets does not fit beside it.
python3 - "$work/small-kernel" <<'PY'
import struct, sys
hdr = bytearray(4096)
struct.pack_into('<QQQ', hdr, 8, 0, 16 << 20, 0xa)
hdr[0x38:0x3c] = b'ARM\x64'
open(sys.argv[1], 'wb').write(hdr)
PY
head -c $((72 << 20)) /dev/zero >"$work/huge-initrd"
native_image "$work/huge-initrd.img" "$work/small-kernel" "console=ttyAMA0" --initrd "$work/huge-initrd"
rm -f "$work/huge-initrd"
boot native_initrd_too_big BOOTIMG="$work/huge-initrd.img" MEM=128M --
rm -f "$work/huge-initrd.img"
refuse_native native_initrd_too_big "^boot: error: initrd 'native-initrd' does not fit in RAM: "

# mkbootimg refuses what the bootloader would, before anything is written.
if "$mkbootimg" -o "$work/x.img" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
	--native --kernel "$work/not-an-image" 2>"$work/mk.err" ||
	[ -e "$work/x.img" ] ||
	! grep -q "^mkbootimg: --native --kernel: '.*not-an-image' is not an arm64 Image the bootloader can boot: no \"ARM\\\\x64\" magic at offset 0x38$" "$work/mk.err"; then
	echo "not ok - native_mkbootimg_refuses_non_image: $(cat "$work/mk.err")"
else
	pass native_mkbootimg_refuses_non_image
fi
if "$mkbootimg" --print-config --native --kernel "$kernel" --vm --kernel "$kernel" \
	>/dev/null 2>"$work/mk.err" ||
	! grep -q '^mkbootimg: --native and --vm cannot be combined' "$work/mk.err"; then
	echo "not ok - native_mkbootimg_no_vms: $(head -n 1 "$work/mk.err")"
else
	pass native_mkbootimg_no_vms
fi
