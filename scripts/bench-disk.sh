#!/usr/bin/env bash
# Virtual disk benchmark (docs/PERFORMANCE.md, "Virtual disks"): sequential
# read and write of 256 MiB with busybox dd, 1 MiB blocks, O_DIRECT, timed
# by the guest's /proc/uptime, then RANDREAD_COUNT (default 2000) reads of
# 4 KiB at random 4 KiB-aligned offsets, O_DIRECT, by one process
# (guests/linux/randread.c, which times itself), side by side:
#   A  bare QEMU, the Debian kernel at EL1, the datastore as its
#      virtio-blk-device, on the raw partition "bench" (/dev/vda2),
#   B  the platform, a VM given that partition (vmN.disk = bench, /dev/vda),
# the same datastore file, QEMU's drive with cache=none,aio=threads, RUNS
# runs each (default 2), A and B interleaved. The random reads come after
# the write, so both sides read blocks the host file has allocated.
# randread reaches the guest on the datastore's root partition (ext4,
# debian-root), mounted read-only: A's /dev/vda1, B's second disk
# (debian-root:ro, /dev/vdb); the shared initramfs is left as it is.
# Prints "bench-disk: A|B read|write SECONDS", "bench-disk: A|B randread4k
# READS_PER_S" and, per run, "bench-disk: randread4k B/A RATIO" lines.
# Before them, under -icount, the instructions one 4 KiB request costs the
# hypervisor (guests/disk_bench.c), on a RAM disk and on the partition:
# "bench: NAME insns=N hyp=H hyp_min=M".
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-2}
# About 2 s of A's reads on a loaded two-core machine (600 to 1050 reads/s).
rr_count=${RANDREAD_COUNT:-2000}
# The system tests' session helpers: boot in the background, type at the
# console, wait for a line (tests/system/lib.sh).
source "$top/tests/system/lib.sh"
BOOT_TIMEOUT=300
export PATH=$PATH:/sbin:/usr/sbin
kernel=$top/cache/guest/Image
initrd=$top/cache/guest/initrd.cpio.gz
"$top/scripts/guest-linux.sh" >/dev/null

randread=$build/guests/linux/randread
[ -x "$randread" ] || {
	echo "bench-disk: $randread is missing (make all builds it)" >&2
	exit 1
}
mkdir -p "$work/tree"
cp "$randread" "$work/tree/randread"
ds=$work/ds.img
"$top/scripts/make-datastore.sh" -o "$ds" --root-size 8M --data-size 0 \
	--part bench:256M:raw --tree "$work/tree" >/dev/null
drive=(-global virtio-mmio.force-legacy=false
	-drive if=none,file="$ds",format=raw,id=d0,cache=none,aio=threads
	-device virtio-blk-device,drive=d0)
# The same guest CPU on both sides, as scripts/bench-linux.sh: pointer
# authentication, SVE and SME off (QEMU's pointer authentication alone made
# B's guest several times slower between requests); B adds x-rme=on, which
# the monitor needs. run-virt.sh's own -cpu comes first, and QEMU keeps the
# last.
cpu=max,pauth=off,sve=off,sme=off
# ext4 (and what it needs) for the root partition randread is on.
cmdline="console=ttyAMA0 hvtest=shell hvmod=virtio_mmio,virtio_blk,ext4"
# The marker is typed as bench-do""ne, so that only the output matches.
cmds='mkdir -p /tmp/r && mount -t ext4 -o ro /dev/ROOT /tmp/r; a=$(cut -d" " -f1 /proc/uptime); dd if=/dev/DEV of=/dev/null bs=1M count=256 iflag=direct 2>/dev/null; b=$(cut -d" " -f1 /proc/uptime); dd if=/dev/zero of=/dev/DEV bs=1M count=256 oflag=direct 2>/dev/null; c=$(cut -d" " -f1 /proc/uptime); echo "times $a $b $c"; /tmp/r/randread /dev/DEV COUNT; echo bench-do""ne'

measure() { # NAME DEVICE ROOT-DEVICE
	local c=${cmds//DEV/$2}
	c=${c//ROOT/$3}
	if wait_for "$1" '^(\[[a-z]+\] )?guest: shell$' 200; then
		sleep 2
		send_keys "${c//COUNT/$rr_count}\r"
		wait_for "$1" '^(\[[a-z]+\] )?bench-done' 300 || true
		send_keys 'poweroff\r'
	fi
	end_session "$1"
	grep -oE 'times [0-9.]+ [0-9.]+ [0-9.]+' "$work/$1.clean" |
		awk -v n="$1" '{ printf "bench-disk: %s read %.2f\nbench-disk: %s write %.2f\n", n, $3 - $2, n, $4 - $3 }'
	# randread's own line, or its error line, which is shown as it is.
	grep -E '^(\[[a-z]+\] )?randread: ' "$work/$1.clean" | sed -E 's/^\[[a-z]+\] //' >"$work/$1.rr" || true
	if grep -qE '^randread: [0-9]+ reads in [0-9]+ us, [0-9]+ reads/s$' "$work/$1.rr"; then
		awk -v n="$1" '{ print "bench-disk: " n " randread4k " $7 }' "$work/$1.rr" | tee "$work/$1.rate"
	else
		echo "bench-disk: $1 randread4k failed: $(head -n 1 "$work/$1.rr")"
		: >"$work/$1.rate"
	fi
}

# Instructions per 4 KiB request (guests/disk_bench.c): the test build of
# the hypervisor, -icount, a 1 MiB RAM disk as vda and the partition as
# vdb. Prints "bench: NAME insns=N hyp=H hyp_min=M".
head -c 1M /dev/zero >"$work/ram.img"
"$top/build/host/mkbootimg" -o "$work/i.img" --boot "$build/boot.bin" \
	--hyp "$build/hyp-test.bin" --name dbench --disk-image scratch="$work/ram.img" \
	--vm --kernel "$build/guests/disk_bench.bin" --mem 64M \
	--disk image:scratch,bench >/dev/null
BOOTIMG=$work/i.img timeout 300 "$top/scripts/run-virt.sh" -no-reboot \
	-icount shift=0,sleep=off -cpu "max,x-rme=on,${cpu#max,}" "${drive[@]}" \
	</dev/null 2>&1 | tr -d '\r' | grep -E '^(bench|disk_bench): ' || true

"$top/build/host/mkbootimg" -o "$work/b.img" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
	--name bench --vm --name linux --kernel "$kernel" --initrd "$initrd" \
	--cmdline "$cmdline" --mem 512M --cpus 2 --disk bench,debian-root:ro >/dev/null
for _ in $(seq "$runs"); do
	runner=qemu-system-aarch64
	start_session A -- -M virt,gic-version=3 -cpu "$cpu" -smp 2 -m 512M \
		-nographic -net none -kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
		"${drive[@]}"
	measure A vda2 vda1
	runner=$top/scripts/run-virt.sh
	start_session B BOOTIMG="$work/b.img" MEM=2G -- -cpu "max,x-rme=on,${cpu#max,}" "${drive[@]}"
	measure B vda vdb
	# The ratio of this run's two rates (B's throughput over A's).
	if [ -s "$work/A.rate" ] && [ -s "$work/B.rate" ]; then
		awk '{ r[NR] = $4 } END { if (r[1] > 0) printf "bench-disk: randread4k B/A %.3f\n", r[2] / r[1] }' \
			"$work/A.rate" "$work/B.rate"
	fi
done
