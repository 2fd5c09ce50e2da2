#!/usr/bin/env bash
# Builds and runs the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang,
# ASan and UBSan, for SECONDS each (default 60). Not part of `make test`:
# it needs clang with libFuzzer (Debian's clang), which the platform's build
# does not. `make fuzz` runs it. The corpus is kept in build/host/fuzz/.
#
#   tests/fuzz/run.sh [SECONDS]
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
out=$top/build/host/fuzz
cc=${FUZZ_CC:-clang}
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "fuzz: no $cc: install Debian's clang to run the fuzzers" >&2
	exit 2
fi
mkdir -p "$out"
libs=(lib/a64_ldst.c lib/ecam_trap.c lib/pci_ecam.c)
for src in "$top"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	"$cc" -std=gnu11 -g -O1 -DHOST_BUILD -I"$top/arch/include" -I"$top/lib/include" \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		"$src" "${libs[@]/#/$top/}" -o "$out/$name"
	mkdir -p "$out/$name.corpus"
	echo "fuzz: $name for ${secs}s"
	# On a failure libFuzzer exits non-zero and leaves the input in
	# $out/crash-* (or leak-*, timeout-*): rerun it with "$out/$name FILE".
	if ! "$out/$name" -max_total_time="$secs" -artifact_prefix="$out/" \
		"$out/$name.corpus" >"$out/$name.log" 2>&1; then
		tail -n 30 "$out/$name.log" >&2
		echo "fuzz: $name failed; the input is in $out/" >&2
		exit 1
	fi
	grep -E '^#[0-9]+.*DONE' "$out/$name.log" || tail -n 2 "$out/$name.log"
done
