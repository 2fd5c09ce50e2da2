#!/usr/bin/env bash
# Malformed input ends with one log line naming the problem and a clean
# power-off: never a hang, never the hypervisor running on garbage.
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
refuse truncated_bundle '^boot: error: bad bundle: truncated: bundle is [0-9]+ bytes but only 3000 were loaded$'

head -c 5000 "$img" >"$work/truncated_bootloader.img"
boot truncated_bootloader BOOTIMG="$work/truncated_bootloader.img" --
refuse truncated_bootloader '^monitor: boot image truncated: .* 5000 were loaded$'

cp "$img" "$work/corrupted.img"
printf '\xff' | dd of="$work/corrupted.img" bs=1 seek=$((boot_size + 4096 + 100)) conv=notrunc status=none
boot corrupted_hyp BOOTIMG="$work/corrupted.img" --
refuse corrupted_hyp "^boot: error: bad bundle: payload 0 'hyp' checksum mismatch"

# The hypervisor entry retyped as a plain blob: the bundle is well formed
# but the payload the bootloader needs is missing.
cp "$img" "$work/no_hyp.img"
patch_bundle "$work/no_hyp.img" "struct.pack_into('<I', b, 32 + 0, 5)"
boot missing_hyp_payload BOOTIMG="$work/no_hyp.img" --
refuse missing_hyp_payload '^boot: error: bad bundle: no hypervisor payload'

head -c 65536 /dev/urandom >"$work/garbage.bin"
"$top/build/host/mkbundle" -o "$work/bad_hyp.bundle" --hyp "$work/garbage.bin" \
	--config "$top/configs/default.cfg" >/dev/null
cat "$build/boot.bin" "$work/bad_hyp.bundle" >"$work/bad_hyp.img"
boot hyp_without_header BOOTIMG="$work/bad_hyp.img" --
refuse hyp_without_header "^boot: error: hypervisor payload 'hyp' has no hypervisor header$"

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
