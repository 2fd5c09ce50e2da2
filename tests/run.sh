#!/usr/bin/env bash
# Runs every test: the host unit tests (built with ASan and UBSan) and the
# system tests that boot the platform in QEMU. Ends with "N passed, N failed".
# Expects `make all unit-bins` to have run (make test does both).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
passed=0
failed=0

count_unit() { # BINARY: adds its "N passed, N failed" line; a crash is a failure
	local out rc p f
	out=$("$1" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -E '^(not ok|  FAIL)|ERROR|runtime error' | sed "s|^|  $(basename "$1"): |"
	read -r p f < <(printf '%s\n' "$out" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' | tail -n1)
	if [ -z "${p:-}" ]; then
		echo "not ok - $(basename "$1"): ended without a summary (exit $rc)"
		failed=$((failed + 1))
		return
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "not ok - $(basename "$1"): exit status $rc"
		failed=$((failed + 1))
	fi
	echo "unit $(basename "$1"): $p passed, $f failed"
}

for t in build/host/tests/test_*; do
	[ -x "$t" ] && count_unit "$t"
done

# One formatting style (.clang-format): checked like a test, fixed by `make format`.
unformatted=$(git ls-files '*.c' '*.h' 2>/dev/null | xargs -r clang-format --dry-run 2>&1 | grep -c 'warning:')
if [ "$unformatted" = 0 ]; then
	echo "ok - clang-format"
	passed=$((passed + 1))
else
	echo "not ok - clang-format: $unformatted places differ from .clang-format (run make format)"
	failed=$((failed + 1))
fi

for t in tests/system/test_*.sh; do
	echo "system $(basename "$t" .sh):"
	while IFS= read -r line; do
		echo "  $line"
		case "$line" in
		"ok - "*) passed=$((passed + 1)) ;;
		"not ok - "*) failed=$((failed + 1)) ;;
		esac
	done < <(bash "$t" 2>&1)
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
