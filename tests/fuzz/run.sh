#!/usr/bin/env bash
# Builds and runs the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang,
# ASan and UBSan. Each target names the library sources it links after
# "fuzz-libs:" at the end of its header comment (paths from the top of the
# tree: lib/..., or the program's own, hyp/vdev/vgic_model.c). The corpus of each target is
# kept in build/host/fuzz/NAME.corpus (ignored by git) and grows run by run.
#
#   tests/fuzz/run.sh [SECONDS] [NAME...]
#       `make fuzz`: SECONDS (default 60) per target, one after the other,
#       stopping at the first failure.
#   tests/fuzz/run.sh --test [SECONDS]
#       the step of `make test` (tests/system/test_fuzz.sh): SECONDS
#       (default 20) per target, two at a time, one line per target,
#       "ok - fuzz_NAME" or "not ok - fuzz_NAME: why", which tests/run.sh
#       counts.
#
# On a failure libFuzzer leaves the input in build/host/fuzz/crash-* (or
# leak-*, timeout-*, oom-*): rerun it with build/host/fuzz/NAME FILE.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/host/fuzz
cc=${FUZZ_CC:-clang}
test_mode=false
if [ "${1:-}" = --test ]; then
	test_mode=true
	shift
fi
secs=${1:-$($test_mode && echo 20 || echo 60)}
[ $# -gt 0 ] && shift
names=("$@")
if [ ${#names[@]} = 0 ]; then
	for src in "$top"/tests/fuzz/fuzz_*.c; do
		names+=("$(basename "$src" .c)")
	done
fi

if ! command -v "$cc" >/dev/null 2>&1; then
	if $test_mode; then
		echo "not ok - fuzz: no $cc (scripts/setup.sh installs Debian's clang)"
		exit 0
	fi
	echo "fuzz: no $cc: install Debian's clang (scripts/setup.sh does)" >&2
	exit 2
fi
mkdir -p "$out"

# build NAME: compiles the target; its errors in $out/NAME.build.
build() {
	local name=$1 src=$top/tests/fuzz/$1.c libs ldflags
	libs=$(sed -n '/^ \* fuzz-libs:/,/\*\//p' "$src" | grep -oE '(lib|hyp|monitor|boot)/[a-z0-9_/-]+\.c')
	# A system library the target links (the host's libfdt): "fuzz-ldflags:".
	ldflags=$(sed -n 's/^ \* fuzz-ldflags: //p' "$src")
	# shellcheck disable=SC2086 # the lists are words
	"$cc" -std=gnu11 -g -O1 -DHOST_BUILD -I"$top/arch/include" -I"$top" \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		"$src" $(for l in $libs; do echo "$top/$l"; done) $ldflags -o "$out/$name" \
		>"$out/$name.build" 2>&1
}

# seed NAME: a valid input or two where random bytes would take long to
# find one (a bundle with its 4 KiB-aligned payloads).
seed() {
	local name=$1 dir=$out/$1.corpus tmp
	mkdir -p "$dir"
	case $name in
	fuzz_bundle)
		[ -x "$top/build/host/mkbundle" ] || return 0
		tmp=$(mktemp -d)
		printf 'hyp' >"$tmp/hyp"
		printf 'name = seed\nvm0.kernel = k\n' >"$tmp/cfg"
		printf 'kernel' >"$tmp/k"
		if "$top/build/host/mkbundle" -o "$tmp/b" --hyp "$tmp/hyp" --config "$tmp/cfg" \
			>/dev/null 2>&1; then
			{ printf '\0'; cat "$tmp/b"; } >"$dir/seed-mkbundle"
		fi
		rm -rf "$tmp"
		;;
	fuzz_dt)
		# QEMU's own tree for the platform's machine, behind the target's
		# flags byte (2: disable the nodes a BAR overlaps) and that BAR,
		# the PL011's page.
		tmp=$(mktemp -d)
		if timeout 20 qemu-system-aarch64 -M virt,secure=on,virtualization=on,gic-version=3,dumpdtb="$tmp/virt.dtb" \
			-cpu max -nographic -net none >/dev/null 2>&1 && [ -s "$tmp/virt.dtb" ]; then
			{ printf '\002\000\000\000\011'; cat "$tmp/virt.dtb"; } >"$dir/seed-virt"
		fi
		rm -rf "$tmp"
		;;
	fuzz_config)
		cp "$top"/configs/*.cfg "$dir/" 2>/dev/null
		printf '%s\n' 'name = seed' 'mode = hypervisor' 'vm0.name = a' 'vm0.kernel = k' \
			'vm0.initrd = i' 'vm0.mem = 64M' 'vm0.cpus = 2' 'vm0.cmdline = console=ttyAMA0' \
			'vm0.guestinfo.color = blue' 'vm1.kernel = k2 # comment' 'vm1.ecam = passthrough' \
			'vm1.identity = on' 'vm1.shares = 2000' 'vm1.affinity = 0-1,3' \
			'vm1.pinned = on' >"$dir/seed-vms"
		printf '%s\n' 'mode = native' 'native.kernel = k' 'native.initrd = i' \
			'native.cmdline = root=/dev/vda' >"$dir/seed-native"
		;;
	fuzz_flash_image | fuzz_linux_boot)
		python3 - "$name" "$dir" <<'PY'
import struct, sys
name, d = sys.argv[1], sys.argv[2]
if name == 'fuzz_flash_image':
    # fix both CRCs; "HVF1" v1, 64-byte header, image of 16 bytes at 4 KiB
    hdr = struct.pack('<IIIIQQQII', 0x31465648, 1, 64, 0, 4096, 16, 0, 0, 0)
    data = b'\x03' + hdr.ljust(4096, b'\0') + b'boot image bytes'
else:
    # one 256 MiB region at 1 GiB, 1 MiB initrd, a 4 KiB Image
    lay = bytes([0]) + struct.pack('<IHB', 0x4000, 0x0fff, 0) + struct.pack('<I', 0x1000)
    img = struct.pack('<IIQQQQQQI', 0x14000000, 0, 0, 0x100000, 0xa, 0, 0, 0, 0x644d5241)
    data = lay + img.ljust(4096, b'\0')
open(d + '/seed-valid', 'wb').write(data)
PY
		;;
	fuzz_virtq)
		python3 - "$dir" <<'PY'
import struct, sys
d = sys.argv[1]
def desc(op, where, addr, ln, flags, nxt):  # write_desc(): relative addr
    return bytes([op]) + struct.pack('<HHH', where, addr, ln) + bytes([flags, nxt])
# RAM 1 KiB at 0x40000000, num 4, rings at 0, 0x100, 0x200, cap 10;
# setup 0x4c + 1 (EVENT_IDX) + 2 (INDIRECT)
cfg = bytes([0x4f, 0, 3]) + struct.pack('<HHH', 0, 0x100, 0x200) + bytes([10])
head = bytes([0]) + struct.pack('<H', 1024) + cfg.ljust(31, b'\0') + bytes(1024)
# a readable header and a writable status, then an indirect table of 3
ops = desc(0x0c, 0, 0x300, 16, 1, 1) + desc(0x0c, 1, 0x310, 1, 2, 0)
ops += desc(0x0c, 2, 0x380, 48, 4, 0)
ops += desc(0x04, 0x380, 0x320, 8, 1, 1) + desc(0x04, 0x390, 0x330, 64, 3, 2)
ops += desc(0x04, 0x3a0, 0x370, 2, 2, 0)
ops += bytes([5, 0, 5, 2, 0, 0, 2, 0, 2, 0, 0x0e, 0, 128, 6])
open(d + '/seed-chains', 'wb').write(head + ops)
PY
		;;
	esac
}

# run NAME SECONDS: fuzzes, with tests/fuzz/NAME.dict if there is one;
# libFuzzer's output in $out/NAME.log.
run() {
	local name=$1 dict=()
	[ -f "$top/tests/fuzz/$name.dict" ] && dict=(-dict="$top/tests/fuzz/$name.dict")
	"$out/$name" -max_total_time="$2" -max_len=16384 -timeout=10 -rss_limit_mb=1024 \
		"${dict[@]}" -artifact_prefix="$out/$name-" -print_final_stats=1 \
		"$out/$name.corpus" >"$out/$name.log" 2>&1
}

# one NAME SECONDS: build, seed and run, with one "ok"/"not ok" line.
one() {
	local name=$1 execs
	if ! build "$name"; then
		echo "not ok - $name: does not build: $(grep -m1 error: "$out/$name.build")"
		return 1
	fi
	seed "$name"
	if ! run "$name" "$2"; then
		local why
		why=$(grep -m1 -E 'fuzz: .*broken|ERROR: (AddressSanitizer|libFuzzer)|runtime error' \
			"$out/$name.log")
		echo "not ok - $name: ${why:-libFuzzer failed}; input in $(ls -t "$out/$name"-* 2>/dev/null | head -n1)"
		grep -A12 -E 'fuzz: .*broken|ERROR: AddressSanitizer|runtime error' "$out/$name.log" |
			head -n 20 | sed 's/^/  | /'
		return 1
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log")
	echo "ok - $name (${execs:-?} runs in ${2}s)"
}

if $test_mode; then
	# Two at a time: the machine the suite runs on has two cores.
	pids=()
	for name in "${names[@]}"; do
		one "$name" "$secs" >"$out/$name.result" &
		pids+=($!)
		if [ ${#pids[@]} = 2 ]; then
			wait "${pids[0]}"
			pids=("${pids[1]}")
		fi
	done
	wait
	for name in "${names[@]}"; do
		cat "$out/$name.result"
	done
	exit 0
fi

for name in "${names[@]}"; do
	echo "fuzz: $name for ${secs}s"
	if ! one "$name" "$secs"; then
		echo "fuzz: $name failed; the input is in $out/" >&2
		exit 1
	fi
done
