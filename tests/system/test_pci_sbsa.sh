#!/usr/bin/env bash
# The ECAM emulation's purpose on QEMU sbsa-ref: the sysbus AHCI and xHCI
# controllers, which have no PCI function, appear as PCI functions through
# the monitor's emulated window, and Debian's unmodified ahci and xhci_hcd
# drivers (modules from the initramfs) bind to them. A file written on the
# host into a raw disk on the AHCI controller reads back with its checksum
# (the guest's disk mode, docs/GUEST_LINUX.md). Twice: Linux as the system
# software at EL2 (native mode), and Linux as a VM under the hypervisor
# with the window and the devices passed through and its RAM identity-
# mapped so the controllers' DMA lands in it.
platform=sbsa-ref
source "$(dirname "$0")/lib.sh"
BOOT_TIMEOUT=${PCI_TIMEOUT:-300}

if [ ! -f "$build/flash0.img" ]; then
	echo "not ok - sbsa_built: no $build/flash0.img (make PLATFORM=sbsa-ref)"
	exit 0
fi
if ! "$top/scripts/guest-linux.sh" >"$work/guest-build.log" 2>&1; then
	echo "not ok - linux_guest_built: scripts/guest-linux.sh failed: $(tail -n 3 "$work/guest-build.log")"
	exit 0
fi
kernel=$top/cache/guest/Image
initrd=$top/cache/guest/initrd.cpio.gz
"$top/scripts/make-disk.sh" "$work/disk.img" 1024 >/dev/null
sum=$(sed -n 's/.* sha256=\([0-9a-f]*\)$/\1/p' "$work/disk.img.sha256")
disk=(-drive "if=ide,file=$work/disk.img,format=raw")

# What the guest must see in both cases.
pci_lines=('^monitor: ecam: emulated window 0x60120000-0x6021ffff, 2 shim function\(s\)$'
	'pci-host-generic 60120000.pcie: ECAM at \[mem 0x60120000-0x6021ffff\] for \[bus 00\]'
	'^guest: modules loaded=26 failed=0$'
	'^guest: pci 0000:00:01.0 class=0x010601 id=8086:2922 driver=ahci$'
	'^guest: pci 0000:00:02.0 class=0x0c0330 id=1b36:000d driver=xhci_hcd$'
	'^guest: pci devices=2$' '^guest: usb roots=2$'
	'ata1: SATA link up'
	"^guest: disk file=hvdisk/payload.bin bytes=1048576 sha256=$sum\$"
	'^guest: disk done$' '^monitor: psci: system off$')

no_warnings() { # NAME: no kernel warning, and the monitor refused nothing
	if grep -qiE 'WARNING:|Oops|BUG:|Call trace|Unable to handle|monitor: ecam: .*refused' \
		"$work/$1.clean"; then
		echo "not ok - $1_clean: $(grep -iE 'WARNING:|Oops|BUG:|Call trace|Unable to handle|refused' "$work/$1.clean" | head -n 3)"
	else
		pass "$1_clean"
	fi
}

"$top/build/host/mkbootimg" -o "$work/native.img" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
	--name pci-native --native --kernel "$kernel" --initrd "$initrd" \
	--cmdline "console=ttyAMA0 hvtest=disk" >/dev/null
boot sbsa_pci_native BOOTIMG="$work/native.img" -- "${disk[@]}"
if grep -q '^hyp: entered' "$work/sbsa_pci_native.clean"; then
	echo "not ok - sbsa_pci_native: the hypervisor ran in native mode"
else
	expect sbsa_pci_native '^boot: native mode: Linux at EL2 in place of the hypervisor$' \
		'CPU: All CPU\(s\) started at EL2' "${pci_lines[@]}"
fi
no_warnings sbsa_pci_native

"$top/build/host/mkbootimg" -o "$work/vm.img" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
	--name pci-vm --vm --name linux --kernel "$kernel" --initrd "$initrd" \
	--cmdline "console=ttyAMA0 hvtest=disk" --mem 512M --cpus 2 \
	--ecam-passthrough --identity >/dev/null
# 2 GiB, as the Linux tests on virt: with 1 GiB, 512 MiB in one piece is
# not always left once the boot image lands at its seeded address.
boot sbsa_pci_vm BOOTIMG="$work/vm.img" -- "${disk[@]}" -m 2G
expect sbsa_pci_vm '^hyp: ecam: 00:01.0 8086:2922 class 010601, BAR5 0x60100000 size 0x10000, SPI 10$' \
	'^hyp: ecam: 00:02.0 1b36:000d class 0c0330, BAR0 0x60110000 size 0x10000, SPI 11$' \
	'^hyp: vm0: ECAM window 0x60120000 and 2 device\(s\) passed through$' \
	"^hyp: vm0 'linux': 512 MiB at pa (0x[0-9a-f]+), 2 vcpus, kernel 'vm0-kernel' at ipa " \
	"${pci_lines[@]}" "^hyp: vm0 'linux' ended: system off$"
no_warnings sbsa_pci_vm
