#!/usr/bin/env bash
# RAM disks (docs/DATASTORE.md, "RAM disks"; hyp/disk/ramdisk.h): a VM disk
# whose sectors are a BUNDLE_DISK payload of the boot image (mkbootimg
# --disk-image, vmN.disk = image:NAME[:ro]), on QEMU virt and on sbsa-ref,
# which has no disk the hypervisor drives. The guest is guests/ramdisk.c; the
# image is random bytes whose FNV-1a 64 hash the test computes.
#   ramdisk_P_rw             vm0 'writer' sees the image as made (its hash),
#                            writes 17 sectors, reads them back, resets
#                            alone (SYSTEM_RESET, other VMs running) and
#                            finds them still there; vm1, vm2 have another
#                            payload of the same file read-only: both see
#                            the original and their writes get IOERR; the
#                            payloads lie in no VM's RAM
#   ramdisk_P_refuse         one boot: vm0 names an image the bundle lacks,
#                            vm1 one of 1000 bytes (the bundle edited past
#                            mkbootimg's check), vm3 and vm4 the image vm2
#                            writes: each refused in one line; vm2 runs
#                            (alone, so its console lines have no prefix)
#   ramdisk_mkbootimg_*      mkbootimg refuses a file that is not a non-zero
#                            multiple of 512 bytes, and an image:NAME with
#                            no --disk-image, in one line each
# P is virt or sbsa; the script runs itself once per platform.
if [ -z "${RAMDISK_PLATFORM:-}" ]; then
	for p in virt sbsa-ref; do
		RAMDISK_PLATFORM=$p bash "$0"
	done
	exit 0
fi
platform=$RAMDISK_PLATFORM
source "$(dirname "$0")/lib.sh"
P=${platform%-ref}

if [ ! -f "$build/hyp.bin" ] || [ ! -f "$build/guests/ramdisk.bin" ]; then
	echo "not ok - ramdisk_${P}_built: no $build/hyp.bin or guests/ramdisk.bin (make PLATFORM=$platform)"
	exit 0
fi
need_tools ramdisk_tools python3 || exit 0

# fnv FILE: the FNV-1a 64 hash of the file's bytes, as the guest prints it.
fnv() {
	python3 -c '
import sys
h = 0xcbf29ce484222325
for b in open(sys.argv[1], "rb").read():
    h = ((h ^ b) * 0x100000001b3) & (2**64 - 1)
print("%016x" % h)' "$1"
}
# written FILE OUT: FILE as the guest's write mode leaves it: the pattern
# (word at byte offset o = "RAMDISK" ^ o) over sectors 0-15 and the last.
written() {
	python3 -c '
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
last = len(d) // 512 - 1
for s in list(range(16)) + [last]:
    for i in range(64):
        o = s * 512 + 8 * i
        d[o:o + 8] = struct.pack("<Q", 0x4b5349444d4152 ^ o)
open(sys.argv[2], "wb").write(d)' "$1" "$2"
}
# edit_payload IMAGE NAME NEWNAME NEWSIZE: rewrites the BUNDLE_DISK entry
# NAME of the boot image (its bundle after boot.bin) with another name or
# a smaller size, and seals it again (payload and header CRCs), so that
# only the hypervisor's own checks stand in the way.
edit_payload() {
	python3 - "$1" "$(stat -c %s "$build/boot.bin")" "$2" "$3" "$4" <<'EOF'
import struct, sys, zlib
path, base, name, new_name, new_size = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode(), sys.argv[4].encode(), int(sys.argv[5])
img = bytearray(open(path, "rb").read())
hsize, count = struct.unpack_from("<II", img, base + 8)
for i in range(count):
    e = base + hsize + 64 * i
    typ = struct.unpack_from("<I", img, e)[0]
    if typ == 6 and img[e + 32:e + 64].rstrip(b"\0") == name:
        off, size = struct.unpack_from("<QQ", img, e + 8)
        assert new_size <= size
        struct.pack_into("<Q", img, e + 16, new_size)
        struct.pack_into("<I", img, e + 24, zlib.crc32(img[base + off:base + off + new_size]))
        img[e + 32:e + 64] = new_name.ljust(32, b"\0")
        break
else:
    sys.exit("no disk payload " + sys.argv[3])
struct.pack_into("<I", img, base + 24, 0)
struct.pack_into("<I", img, base + 24, zlib.crc32(img[base:base + hsize + 64 * count]))
open(path, "wb").write(img)
EOF
}

mk() { "$top/build/host/mkbootimg" --boot "$build/boot.bin" --hyp "$build/hyp.bin" "$@"; }
guest=$build/guests/ramdisk.bin
head -c 65536 /dev/urandom >"$work/disk.bin"
orig=$(fnv "$work/disk.bin")
written "$work/disk.bin" "$work/written.bin"
after=$(fnv "$work/written.bin")

# ---- read, write, reset; two readers of the same file ------------------------
name=ramdisk_${P}_rw
mk -o "$work/rw.img" --name rw --disk-image scratch="$work/disk.bin" \
	--disk-image shared="$work/disk.bin" \
	--vm --name writer --kernel "$guest" --mem 64M --disk image:scratch \
	--guestinfo mode=write --guestinfo reset=1 \
	--vm --name reader1 --kernel "$guest" --mem 64M --disk image:shared:ro --guestinfo ro=1 \
	--vm --name reader2 --kernel "$guest" --mem 64M --disk image:shared:ro --guestinfo ro=1 \
	>/dev/null
boot "$name" BOOTIMG="$work/rw.img" --
expect "$name" \
	"^hyp: vm0 'writer': disk vda: image 'scratch', 64 KiB in RAM$" \
	"^hyp: vm1 'reader1': disk vda: image 'shared', 64 KiB in RAM, read-only$" \
	"^hyp: vm2 'reader2': disk vda: image 'shared', 64 KiB in RAM, read-only$" \
	"^\[writer\] ramdisk: as found: fnv1a64 $orig$" \
	'^\[writer\] ramdisk: wrote 17 sectors and read them back$' \
	"^\[writer\] ramdisk: after writing: fnv1a64 $after$" \
	"^hyp: vm0 'writer' reset: restarting it$" \
	'^\[writer\] ramdisk: after the reset: the 17 written sectors are still there$' \
	"^\[writer\] ramdisk: after the reset: fnv1a64 $after$" \
	"^\[reader1\] ramdisk: as found: fnv1a64 $orig$" '^\[reader1\] ramdisk: the write was refused$' \
	"^\[reader2\] ramdisk: as found: fnv1a64 $orig$" '^\[reader2\] ramdisk: the write was refused$' \
	'^\[writer\] guest ramdisk: 0 failures$' '^\[reader1\] guest ramdisk: 0 failures$' \
	'^\[reader2\] guest ramdisk: 0 failures$' '^hyp: no VM left: powering off$'
# The payloads in the boot image are in no VM's RAM: from the log, each
# payload's [pa, pa + size) against each VM's [pa, pa + MiB).
if python3 - "$work/$name.clean" <<'EOF'
import re, sys
log = open(sys.argv[1]).read()
disks = [(int(pa, 16), int(size)) for size, pa in
         re.findall(r"^hyp: payload disk '[^']*' (\d+) bytes at pa (0x[0-9a-f]+)$", log, re.M)]
rams = [(int(pa, 16), int(mib) << 20) for mib, pa in
        re.findall(r"^hyp: vm\d '[^']*': (\d+) MiB at pa (0x[0-9a-f]+),", log, re.M)]
ok = len(disks) == 2 and len(rams) == 3 and not any(
    p < r + z and r < p + s for p, s in disks for r, z in rams)
sys.exit(0 if ok else 1)
EOF
then
	pass "${name}_payloads_outside_vm_ram"
else
	fail "${name}_payloads_outside_vm_ram" "a disk payload lies in a VM's RAM (or the lines are missing)"
fi

# ---- refusals: one line each, the others run ----------------------------------
name=ramdisk_${P}_refuse
mk -o "$work/refuse.img" --name refuse --disk-image gone="$work/disk.bin" \
	--disk-image odd="$work/disk.bin" --disk-image scratch="$work/disk.bin" \
	--vm --name missing --kernel "$guest" --mem 64M --disk image:gone \
	--vm --name odd --kernel "$guest" --mem 64M --disk image:odd:ro \
	--vm --name writer --kernel "$guest" --mem 64M --disk image:scratch \
	--vm --name second --kernel "$guest" --mem 64M --disk image:scratch \
	--vm --name reader --kernel "$guest" --mem 64M --disk image:scratch:ro >/dev/null
edit_payload "$work/refuse.img" gone lost 65536
edit_payload "$work/refuse.img" odd odd 1000
boot "$name" BOOTIMG="$work/refuse.img" --
expect "$name" \
	"^hyp: vm0 'missing': no disk image 'gone' in the boot image$" \
	"^hyp: vm1 'odd': disk image 'odd' is 1000 bytes, not a non-zero multiple of 512$" \
	"^hyp: vm3 'second': disk image 'scratch' is written by another VM$" \
	"^hyp: vm4 'reader': disk image 'scratch' is written by another VM$" \
	"^ramdisk: as found: fnv1a64 $orig$" '^guest ramdisk: 0 failures$' \
	"^hyp: vm0 'writer' ended: test exit requested, exit code 0$" \
	'^hyp: no VM left: powering off$'
# One line each: nothing else names the refused VMs, and none of them ran.
others=$(grep -cE "^hyp: vm[0-9] '(missing|odd|second|reader)'|^\[(missing|odd|second|reader)\]" \
	"$work/$name.clean")
if [ "$others" = 4 ]; then
	pass "${name}_one_line_each"
else
	fail "${name}_one_line_each" "$others lines name the refused VMs, not 4"
fi

# ---- mkbootimg ---------------------------------------------------------------
[ "$P" = virt ] || exit 0
head -c 1000 /dev/urandom >"$work/odd.bin"
: >"$work/empty.bin"
# mk_refuses NAME WANT ARGS...: mkbootimg fails, saying exactly WANT.
mk_refuses() {
	local name=$1 want=$2 out
	shift 2
	if out=$(mk -o "$work/$name.img" "$@" 2>&1); then
		echo "not ok - $name: mkbootimg accepted it"
	elif [ "$out" != "$want" ] || [ -e "$work/$name.img" ]; then
		echo "not ok - $name: said '$out', not '$want' (or left its output)"
	else
		pass "$name"
	fi
}
vm=(--vm --kernel "$guest" --mem 64M)
mk_refuses ramdisk_mkbootimg_size \
	"mkbootimg: --disk-image d: '$work/odd.bin' is 1000 bytes, not a non-zero multiple of 512" \
	--disk-image d="$work/odd.bin" "${vm[@]}" --disk image:d
mk_refuses ramdisk_mkbootimg_empty \
	"mkbootimg: --disk-image d: '$work/empty.bin' is 0 bytes, not a non-zero multiple of 512" \
	--disk-image d="$work/empty.bin" "${vm[@]}" --disk image:d
mk_refuses ramdisk_mkbootimg_no_image "mkbootimg: vm0 --disk: image:e: no --disk-image e=FILE" \
	--disk-image d="$work/disk.bin" "${vm[@]}" --disk image:d:ro,image:e
