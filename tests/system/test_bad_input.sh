#!/usr/bin/env bash
# Malformed input ends with one log line naming the problem and a clean
# power-off: never a hang, never the hypervisor running on garbage. Each
# refusal names its own last line: the monitor's refusal (it powers off
# after it), or the PSCI power-off the bootloader asks for after its own.
source "$(dirname "$0")/lib.sh"

boot_size=$(stat -c %s "$build/boot.bin")
img=$build/boot.img

# Bundle layout (docs/BOOT_IMAGE.md): 32-byte header, 64-byte entries.
patch_bundle() { # IMAGE PYTHON-STATEMENTS: edits the bundle in place, fixes the header CRC
	python3 - "$1" "$boot_size" "$2" <<'PY'
import struct, sys, zlib
path, off, stmts = sys.argv[1], int(sys.argv[2]), sys.argv[3]
data = bytearray(open(path, 'rb').read())
b = memoryview(data)[off:]
exec(stmts)
hsize, count = struct.unpack_from('<II', b, 8)
struct.pack_into('<I', b, 0x18, 0)
struct.pack_into('<I', b, 0x18, zlib.crc32(bytes(b[:hsize + 64 * count])))
open(path, 'wb').write(data)
PY
}

head -c $((boot_size + 3000)) "$img" >"$work/truncated_bundle.img"
boot truncated_bundle BOOTIMG="$work/truncated_bundle.img" --
refuse truncated_bundle '^boot: error: bad bundle: truncated: bundle is [0-9]+ bytes but only 3000 were loaded$' \
	'^monitor: psci: system off$'

# refuse itself: the log must end with the line its caller names. The same
# log without its power-off line, or with a line after it, must fail it
# (the catch-all pattern it had matched "DRAM non-secure", which every
# boot prints).
refuse_must_fail() { # NAME: refuse on $work/NAME.clean reports not ok
	echo 0 >"$work/$1.status"
	if refuse "$1" '^boot: error: bad bundle: truncated' '^monitor: psci: system off$' |
		grep -q "^not ok - $1:"; then
		pass "refuse_fails_$1"
	else
		echo "not ok - refuse_fails_$1: refuse accepted it"
	fi
}
grep -v '^monitor: psci: system off$' "$work/truncated_bundle.clean" >"$work/no_power_off.clean"
refuse_must_fail no_power_off
{ cat "$work/truncated_bundle.clean"; echo 'boot: something ran after the refusal'; } >"$work/line_after.clean"
refuse_must_fail line_after

head -c 5000 "$img" >"$work/truncated_bootloader.img"
boot truncated_bootloader BOOTIMG="$work/truncated_bootloader.img" --
refuse truncated_bootloader '^monitor: boot image truncated: .* 5000 were loaded$'

cp "$img" "$work/corrupted.img"
printf '\xff' | dd of="$work/corrupted.img" bs=1 seek=$((boot_size + 4096 + 100)) conv=notrunc status=none
boot corrupted_hyp BOOTIMG="$work/corrupted.img" --
refuse corrupted_hyp "^boot: error: bad bundle: payload 0 'hyp' checksum mismatch" \
	'^monitor: psci: system off$'

# The hypervisor entry retyped as a plain blob: the bundle is well formed
# but the payload the bootloader needs is missing.
cp "$img" "$work/no_hyp.img"
patch_bundle "$work/no_hyp.img" "struct.pack_into('<I', b, 32 + 0, 5)"
boot missing_hyp_payload BOOTIMG="$work/no_hyp.img" --
refuse missing_hyp_payload '^boot: error: bad bundle: no hypervisor payload' \
	'^monitor: psci: system off$'

head -c 65536 /dev/urandom >"$work/garbage.bin"
"$top/build/host/mkbundle" -o "$work/bad_hyp.bundle" --hyp "$work/garbage.bin" \
	--config "$top/configs/default.cfg" >/dev/null
cat "$build/boot.bin" "$work/bad_hyp.bundle" >"$work/bad_hyp.img"
boot hyp_without_header BOOTIMG="$work/bad_hyp.img" --
refuse hyp_without_header "^boot: error: hypervisor payload 'hyp' has no hypervisor header$" \
	'^monitor: psci: system off$'

boot not_an_image BOOTIMG="$work/garbage.bin" --
refuse not_an_image '^monitor: boot image is not an arm64 image'

boot no_boot_image BOOTIMG=none --
refuse no_boot_image '^monitor: no boot image: give QEMU -kernel boot.img$'

# A DT without memory: the machine's DT with its memory node taken out,
# given to the monitor through fw_cfg (QEMU's own -dtb gets memory re-added).
qemu-system-aarch64 -M virt,secure=on,virtualization=on,gic-version=3,dumpdtb="$work/virt.dtb" \
	-cpu max,x-rme=on -m 1G -nographic -net none >/dev/null 2>&1
dtc -q -I dtb -O dts "$work/virt.dtb" |
	python3 -c 'import re,sys; sys.stdout.write(re.sub(r"\n\tmemory@[0-9a-f]+ \{.*?\n\t\};\n", "\n", sys.stdin.read(), flags=re.S))' |
	dtc -q -I dts -O dtb -o "$work/nomem.dtb" -
boot dt_without_memory -- -fw_cfg name=opt/hv/dtb,file="$work/nomem.dtb"
refuse dt_without_memory '^monitor: the DT describes no memory$'

boot dt_override_garbage -- -fw_cfg name=opt/hv/dtb,file="$work/garbage.bin"
refuse dt_override_garbage '^monitor: fw_cfg opt/hv/dtb is not a valid device tree$'

# ---- A VM's RAM: kernel, initrd and DT must fit (docs/BOOT_IMAGE.md) -----

mkbootimg=$top/build/host/mkbootimg
guest=$build/guests/faults.bin
raw_guest=$build/guests/faults-raw.bin
MIB=$((1 << 20))

# with_image_size IN OUT SIZE: a copy of the Image IN whose header asks for
# SIZE bytes of RAM (image_size), as a kernel with a large .bss does.
with_image_size() {
	python3 - "$1" "$2" "$3" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], 'rb').read())
struct.pack_into('<Q', data, 16, int(sys.argv[3]))
open(sys.argv[2], 'wb').write(data)
PY
}
with_image_size "$guest" "$work/too-big.bin" $((2 * MIB + 4096))
with_image_size "$guest" "$work/just-fits.bin" $((2 * MIB))
head -c $((2 * MIB + 1)) /dev/zero >"$work/initrd-2m+1"
head -c $MIB /dev/zero >"$work/initrd-1m"

# mk_refuses NAME REGEX MKBOOTIMG-ARGS...: mkbootimg exits with status 1,
# one line on stderr matching REGEX, and no image written.
mk_refuses() {
	local name=$1 re=$2 st=0
	shift 2
	rm -f "$work/mk.img"
	"$mkbootimg" -o "$work/mk.img" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
		"$@" >/dev/null 2>"$work/$name.err" || st=$?
	if [ "$st" = 1 ] && [ ! -e "$work/mk.img" ] && [ "$(wc -l <"$work/$name.err")" = 1 ] &&
		grep -Eq -- "$re" "$work/$name.err"; then
		pass "$name"
	else
		echo "not ok - $name: status $st, stderr: $(cat "$work/$name.err")"
	fi
}

mk_refuses mkbootimg_refuses_2m_with_initrd \
	'^mkbootimg: vm0.mem: 2M is less than 4 MiB \(the last 2 MiB hold the device tree\)$' \
	--vm --kernel "$guest" --initrd "$work/initrd-1m" --mem 2M
mk_refuses mkbootimg_refuses_kernel_just_too_big \
	"^mkbootimg: vm1: --kernel '.*too-big.bin' does not fit in --mem 4M: the kernel's 2101248 bytes at offset 0x0 do not fit below the device tree at offset 0x200000 \(RAM 4194304 bytes\)$" \
	--vm --kernel "$work/just-fits.bin" --mem 4M --vm --kernel "$work/too-big.bin" --mem 4M
mk_refuses mkbootimg_refuses_initrd_over_dt \
	"^mkbootimg: vm0: --kernel '.*faults.bin' and --initrd '.*initrd-2m\+1' do not fit in --mem 4M: the initrd's 2097153 bytes do not fit below the device tree \(2097152 bytes of RAM there\)$" \
	--vm --kernel "$guest" --initrd "$work/initrd-2m+1" --mem 4M
mk_refuses mkbootimg_refuses_kernel_over_initrd \
	"^mkbootimg: vm0: --kernel '.*just-fits.bin' and --initrd '.*initrd-1m' do not fit in --mem 4M: the kernel's 2097152 bytes at offset 0x0 do not fit below the initrd at offset 0x100000" \
	--vm --kernel "$work/just-fits.bin" --initrd "$work/initrd-1m" --mem 4M
mk_refuses mkbootimg_refuses_raw_without_flag \
	"^mkbootimg: vm0 --kernel: '.*faults-raw.bin' is not an arm64 Image: no \"ARM\\\\x64\" magic at offset 0x38 \(give --raw for a raw image\)$" \
	--vm --kernel "$raw_guest"

# Scheduling options (docs/BOOT_IMAGE.md): the values the configuration
# parser refuses, refused before an image is written.
mk_refuses mkbootimg_refuses_shares_0 \
	'^mkbootimg: vm0.shares: 0 is out of range \(1 to 100000\)$' \
	--vm --kernel "$guest" --shares 0
mk_refuses mkbootimg_refuses_shares_100001 \
	'^mkbootimg: vm0.shares: 100001 is out of range \(1 to 100000\)$' \
	--vm --kernel "$guest" --shares 100001
mk_refuses mkbootimg_refuses_affinity_backwards \
	"^mkbootimg: vm1.affinity: '2-1' has a range that runs backwards: 2-1$" \
	--vm --kernel "$guest" --vm --kernel "$guest" --affinity 2-1
mk_refuses mkbootimg_refuses_affinity_cpu_64 \
	"^mkbootimg: vm0.affinity: '64' names a CPU out of range \(0 to 63\)$" \
	--vm --kernel "$guest" --affinity 64
mk_refuses mkbootimg_refuses_affinity_empty '^mkbootimg: --affinity: empty argument for vm0$' \
	--vm --kernel "$guest" --affinity ''
mk_refuses mkbootimg_refuses_cpus_17 '^mkbootimg: vm0.cpus: 17 is out of range \(1 to 16\)$' \
	--vm --kernel "$guest" --cpus 17
mk_refuses mkbootimg_refuses_set_vm_shares \
	"^mkbootimg: --set: 'vm0.shares' is a VM key; use --vm and its options$" \
	--set vm0.shares=2000 --vm --kernel "$guest"

# And the values it accepts go into the configuration as given.
rm -f "$work/mk.img"
if "$mkbootimg" -o "$work/mk.img" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
	--vm --kernel "$guest" --shares 2000 --affinity 0-1,3 --pinned --cpus 16 \
	--print-config >"$work/sched_opts.cfg" 2>&1 && [ -s "$work/mk.img" ] &&
	grep -qx 'vm0.shares = 2000' "$work/sched_opts.cfg" &&
	grep -qx 'vm0.affinity = 0-1,3' "$work/sched_opts.cfg" &&
	grep -qx 'vm0.pinned = on' "$work/sched_opts.cfg" &&
	grep -qx 'vm0.cpus = 16' "$work/sched_opts.cfg"; then
	pass mkbootimg_takes_sched_options
else
	echo "not ok - mkbootimg_takes_sched_options: $(cat "$work/sched_opts.cfg")"
fi

# The same at boot, for images built without mkbootimg's checks (mkbundle
# and a hand-written configuration). 2 MiB of RAM with an initrd once put
# the initrd below the VM's RAM and the kernel past it, over the
# hypervisor's own memory: now the configuration is refused.
printf 'name = layout-2m\nvm0.kernel = k\nvm0.initrd = i\nvm0.mem = 2M\n' >"$work/2m.cfg"
"$top/build/host/mkbundle" -o "$work/2m.bundle" --hyp "$build/hyp.bin" --config "$work/2m.cfg" \
	--kernel "k=$guest" --initrd "i=$work/initrd-1m" >/dev/null
cat "$build/boot.bin" "$work/2m.bundle" >"$work/2m.img"
boot layout_2m_with_initrd BOOTIMG="$work/2m.img" --
expect layout_2m_with_initrd \
	'^hyp: boot configuration: vm0.mem: 2M is less than 4 MiB \(the last 2 MiB hold the device tree\)$' \
	'^hyp: powering off$'

# Its neighbours, each refused with one line while the VMs that fit run:
# a kernel one page too big for 4 MiB, an initrd reaching into the DT's
# slot, a raw image without vmN.kernel_offset; then the kernel that just
# fits, and the raw image with its offset.
cat >"$work/layout.cfg" <<'CFG'
name = layout
vm0.kernel = too-big
vm0.mem = 4M
vm1.kernel = guest
vm1.initrd = initrd-2m+1
vm1.mem = 4M
vm2.kernel = raw
vm2.mem = 64M
vm3.name = fits
vm3.kernel = just-fits
vm3.mem = 4M
vm4.name = raw
vm4.kernel = raw
vm4.kernel_offset = 0x80000
vm4.mem = 64M
CFG
"$top/build/host/mkbundle" -o "$work/layout.bundle" --hyp "$build/hyp.bin" \
	--config "$work/layout.cfg" --kernel "too-big=$work/too-big.bin" --kernel "guest=$guest" \
	--kernel "just-fits=$work/just-fits.bin" --kernel "raw=$raw_guest" \
	--initrd "initrd-2m+1=$work/initrd-2m+1" >/dev/null
cat "$build/boot.bin" "$work/layout.bundle" >"$work/layout.img"
boot layout_refusals BOOTIMG="$work/layout.img" --
expect layout_refusals \
	"^hyp: vm0: not started: kernel 'too-big' in 4 MiB: the kernel's 2101248 bytes at offset 0x0 do not fit below the device tree at offset 0x200000 \(RAM 4194304 bytes\)$" \
	"^hyp: vm1: not started: kernel 'guest' and initrd 'initrd-2m\+1' in 4 MiB: the initrd's 2097153 bytes do not fit below the device tree \(2097152 bytes of RAM there\)$" \
	"^hyp: vm2: not started: kernel 'raw': no \"ARM\\\\x64\" magic at offset 0x38 \(for a raw image, set vm2.kernel_offset\)$" \
	"^hyp: vm0 'fits': 4 MiB .* kernel 'just-fits' at ipa 0x40000000, dt at ipa 0x40200000$" \
	"^hyp: vm1 'raw': 64 MiB .* kernel 'raw' at ipa 0x40080000" \
	'^\[fits\] guest faults: 0 failures$' '^\[raw\] guest faults: 0 failures$' \
	"^hyp: vm0 'fits' ended: test exit requested, exit code 0$" \
	"^hyp: vm1 'raw' ended: test exit requested, exit code 0$" '^hyp: no VM left: powering off$'

# A raw image end to end: the guest has no Image header, mkbootimg --raw
# loads it at RAM base + 0x80000, as QEMU's -kernel does.
if python3 -c 'import sys; sys.exit(open(sys.argv[1], "rb").read()[0x38:0x3c] == b"ARM\x64")' "$raw_guest"; then
	pass raw_guest_has_no_image_header
else
	echo "not ok - raw_guest_has_no_image_header: $raw_guest has the ARM\\x64 magic"
fi
"$mkbootimg" -o "$work/raw.img" --boot "$build/boot.bin" --hyp "$build/hyp.bin" --name raw \
	--vm --name raw --kernel "$raw_guest" --raw --mem 64M >/dev/null
boot raw_kernel BOOTIMG="$work/raw.img" --
expect raw_kernel "^hyp: vm0 'raw': 64 MiB .* kernel 'vm0-kernel' at ipa 0x40080000" \
	'^guest faults: 0 failures$' "^hyp: vm0 'raw' ended: test exit requested, exit code 0$" \
	'^hyp: no VM left: powering off$'

# ---- Payload limits: one limit, the bundle's -------------------------------

# Eight VMs with a kernel and an initrd each (18 payloads) once lost the
# payloads past the hand-off's 16: vm7 had "no kernel payload". Two CPUs:
# two VMs run, the others are refused for want of CPUs, not of payloads.
args=()
for i in 0 1 2 3 4 5 6 7; do
	cp "$guest" "$work/k$i.bin"
	head -c 4096 /dev/zero >"$work/i$i.bin"
	args+=(--vm --kernel "$work/k$i.bin" --initrd "$work/i$i.bin" --mem 16M)
done
"$mkbootimg" -o "$work/eight.img" --boot "$build/boot.bin" --hyp "$build/hyp.bin" --name eight \
	"${args[@]}" >/dev/null
boot eight_vms_payloads BOOTIMG="$work/eight.img" --
if grep -q 'no kernel payload\|no initrd payload' "$work/eight_vms_payloads.clean"; then
	fail eight_vms_payloads "$(grep 'no kernel payload\|no initrd payload' "$work/eight_vms_payloads.clean" | head -n 1)"
else
	expect eight_vms_payloads "^hyp: payload kernel 'vm7-kernel'" "^hyp: payload initrd 'vm7-initrd'" \
		'^hyp: vm7 needs 1 cpu\(s\) but only 0 are left: not started$' \
		'^\[vm0\] guest faults: 0 failures$' '^\[vm1\] guest faults: 0 failures$' \
		'^hyp: no VM left: powering off$'
fi
