#!/usr/bin/env bash
# The hypervisor's own disk driver (hyp/drivers/virtio_disk.c,
# docs/VIRTIO.md "The machine's disk"): QEMU's virtio-blk on a virtio-mmio
# transport, through the legacy interface (QEMU's default) and through
# virtio 1.x, with the `test = disk` self-test (hyp/test/selftest_disk.c)
# on a raw 8 MiB file whose sector 0 holds a known pattern. After each run
# the file itself is checked on the host: the pattern in the last 8
# sectors, sector 0 as it was, every other byte still zero. Then: no disk
# at all (the platform runs a VM as before), a read-only drive (the write
# refused, the file untouched), an I/O error the device reports (QEMU's
# blkdebug), and a DT without "dma-coherent" (the cache-maintenance path).
source "$(dirname "$0")/lib.sh"

HYP=hyp-test image_with_config "$work/disk.img" "name = disk
test = disk"

# Sector 0's pattern, and CRC-32s as the self-test prints them.
python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 7 + 3) & 0xff for i in range(512)))' \
	>"$work/sector0"
crc() { python3 -c 'import sys, zlib; print("0x%08x" % zlib.crc32(open(sys.argv[1], "rb").read()))' "$1"; }
crc0=$(crc "$work/sector0")
head -c 512 /dev/zero >"$work/zero"
crc_zero=$(crc "$work/zero")

# new_disk FILE: 8 MiB of zeroes, the pattern in sector 0.
new_disk() {
	rm -f "$1"
	truncate -s 8M "$1"
	dd if="$work/sector0" of="$1" conv=notrunc status=none
}

drive() { echo "if=none,file=$1,format=raw,id=d0${2:+,$2}"; }

# disk_holds NAME FILE: sector 0 as written before boot, the self-test's
# pattern in the last 8 sectors (the rule in hyp/test/selftest_disk.c),
# zeroes everywhere else.
disk_holds() {
	local why
	why=$(python3 - "$2" "$work/sector0" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
s0 = open(sys.argv[2], "rb").read()
tag = b"hypdisk sector "
def pat(i):
    b = i % 512
    if b < len(tag):
        return tag[b]
    if b == len(tag):
        return ord("0") + i // 512
    return (i * 37 + 11) & 0xff
want = bytes(pat(i) for i in range(4096))
if len(d) != 8 << 20:
    print("the file is %d bytes" % len(d))
elif d[:512] != s0:
    print("sector 0 changed")
elif d[-4096:] != want:
    i = next(i for i in range(4096) if d[-4096 + i] != want[i])
    print("byte %d of the last 8 sectors is 0x%02x, not 0x%02x" % (i, d[-4096 + i], want[i]))
elif d[512:-4096].count(0) != len(d) - 4096 - 512:
    print("a byte between sector 1 and the last 8 sectors is not zero")
PY
)
	if [ -z "$why" ]; then
		pass "$1_on_disk"
	else
		echo "not ok - $1_on_disk: $why"
	fi
}

# Both transport versions. The first run finds zeroes in the last sector,
# so its CRC is known; the file is fresh for each.
for mode in legacy:true:1 modern:false:2; do
	IFS=: read -r name legacy version <<<"$mode"
	new_disk "$work/$name.raw"
	boot "disk_$name" BOOTIMG="$work/disk.img" -- -global virtio-mmio.force-legacy="$legacy" \
		-drive "$(drive "$work/$name.raw")" -device virtio-blk-device,drive=d0
	expect "disk_$name" \
		"^hyp: disk: virtio-blk at 0x0a003e00 \\(virtio-mmio v$version\\), 16384 sectors \\(8 MiB\\)$" \
		"^hyp: disk test: sector 0 crc32 $crc0, sector 16383 crc32 $crc_zero$" \
		'^hyp: disk test: ok$' '^hyp: powering off$' '^monitor: psci: system off$'
	disk_holds "disk_$name" "$work/$name.raw"
done

# No disk: the probe says so in one line, the self-test fails cleanly, and
# a VM runs as it always did.
boot disk_none BOOTIMG="$work/disk.img" --
expect disk_none '^hyp: disk: none$' '^hyp: disk test: FAILED: no disk: no disk \(-19\)$' \
	'^hyp: powering off$' '^monitor: psci: system off$'
guest_image "$work/uart.img" uart
boot disk_none_vm BOOTIMG="$work/uart.img" --
expect disk_none_vm '^hyp: disk: none$' '^guest uart: 0 failures$' \
	"^hyp: vm0 'uart' ended: test exit requested, exit code 0$" '^monitor: psci: system off$'
# ... and with a disk, the VM runs the same (the transport is not its).
new_disk "$work/vm.raw"
boot disk_with_vm BOOTIMG="$work/uart.img" -- -drive "$(drive "$work/vm.raw")" \
	-device virtio-blk-device,drive=d0
expect disk_with_vm '^hyp: disk: virtio-blk at 0x0a003e00 \(virtio-mmio v1\), 16384 sectors' \
	'^guest uart: 0 failures$' "^hyp: vm0 'uart' ended: test exit requested, exit code 0$" \
	'^monitor: psci: system off$'

# Read-only: reads work, the write is refused by the driver with one line,
# and the file is not touched.
new_disk "$work/ro.raw"
sum_before=$(sha256sum <"$work/ro.raw")
boot disk_read_only BOOTIMG="$work/disk.img" -- -drive "$(drive "$work/ro.raw" readonly=on)" \
	-device virtio-blk-device,drive=d0
expect disk_read_only '^hyp: disk: virtio-blk at 0x0a003e00 \(virtio-mmio v1\), 16384 sectors \(8 MiB\), read-only$' \
	"^hyp: disk test: sector 0 crc32 $crc0, sector 16383 crc32 $crc_zero$" \
	'^hyp: disk test: ok \(read-only: the write was refused\)$' '^monitor: psci: system off$'
refusals=$(grep -c 'refused: the disk is read-only' "$work/disk_read_only.clean")
if [ "$refusals" = 1 ] && grep -q '^hyp: disk: write of 1 sector(s) at sector 16383 refused: the disk is read-only$' \
	"$work/disk_read_only.clean"; then
	pass disk_read_only_one_line
else
	echo "not ok - disk_read_only_one_line: $refusals refusal lines"
fi
if [ "$(sha256sum <"$work/ro.raw")" = "$sum_before" ]; then
	pass disk_read_only_untouched
else
	echo "not ok - disk_read_only_untouched: the read-only file changed"
fi

# The device reports an error (QEMU's blkdebug fails every read of sector
# 0 with EIO, which virtio-blk turns into VIRTIO_BLK_S_IOERR): the driver
# logs the request and returns DISK_EIO; the platform carries on.
new_disk "$work/ioerr.raw"
printf '[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "0"\n' >"$work/blkdebug.conf"
boot disk_io_error BOOTIMG="$work/disk.img" -- -global virtio-mmio.force-legacy=false \
	-drive "if=none,file=blkdebug:$work/blkdebug.conf:$work/ioerr.raw,format=raw,id=d0" \
	-device virtio-blk-device,drive=d0
expect disk_io_error '^hyp: disk: read of 1 sector\(s\) at sector 0 failed: I/O error \(status 1\)$' \
	'^hyp: disk test: FAILED: reading sector 0: I/O error \(-5\)$' '^hyp: powering off$' \
	'^monitor: psci: system off$'

# A transport that is not DMA-coherent: QEMU's own DT, dumped, with every
# "dma-coherent" taken out, given back with -dtb. QEMU's DMA is coherent
# anyway, so this shows the cache maintenance runs on the right addresses
# and changes nothing, not that it would be enough on real hardware.
nc_args=(-global virtio-mmio.force-legacy=false -drive "$(drive "$work/nc.raw")"
	-device virtio-blk-device,drive=d0)
new_disk "$work/nc.raw"
if BOOTIMG="$work/disk.img" "$runner" -machine dumpdtb="$work/virt.dtb" "${nc_args[@]}" \
	</dev/null >"$work/dumpdtb.log" 2>&1 &&
	dtc -q -I dtb -O dts "$work/virt.dtb" | sed '/dma-coherent;/d' >"$work/nc.dts" &&
	dtc -q -I dts -O dtb -o "$work/nc.dtb" "$work/nc.dts"; then
	boot disk_not_coherent BOOTIMG="$work/disk.img" -- -dtb "$work/nc.dtb" "${nc_args[@]}"
	expect disk_not_coherent \
		'^hyp: disk: virtio-blk at 0x0a003e00 \(virtio-mmio v2\), 16384 sectors \(8 MiB\), DMA not coherent$' \
		'^hyp: disk test: ok$' '^monitor: psci: system off$'
	disk_holds disk_not_coherent "$work/nc.raw"
else
	echo "not ok - disk_not_coherent: cannot make a DT without dma-coherent: $(tail -n 2 "$work/dumpdtb.log")"
fi
