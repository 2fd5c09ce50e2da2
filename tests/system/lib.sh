# Helpers for the system tests: boot the chain in QEMU with a time-out,
# keep the serial log, and judge it. Each check prints one TAP-like line,
# "ok - NAME" or "not ok - NAME: why", which tests/run.sh counts.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${BUILD:-$top/build/virt}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

BOOT_TIMEOUT=${BOOT_TIMEOUT:-60}

# split_args [ENV=VALUE...] -- [QEMU ARGS...]: into envs[] and qargs[].
split_args() {
	envs=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		envs+=("$1")
		shift
	done
	[ "${1:-}" = "--" ] && shift
	qargs=("$@")
}

# boot NAME [ENV=VALUE...] -- [QEMU ARGS...]: boots and leaves the log in
# $work/NAME.log and QEMU's exit status in $work/NAME.status ("timeout" if
# it had to be stopped).
boot() {
	local name=$1
	shift
	split_args "$@"
	local status=0
	env "${envs[@]}" timeout --foreground -k 5 "$BOOT_TIMEOUT" \
		"$top/scripts/run-virt.sh" -no-reboot "${qargs[@]}" \
		</dev/null >"$work/$name.log" 2>&1 || status=$?
	if [ "$status" = 124 ] || [ "$status" = 137 ]; then
		echo timeout >"$work/$name.status"
	else
		echo "$status" >"$work/$name.status"
	fi
	tr -d '\r' <"$work/$name.log" >"$work/$name.clean"
}

log_of() { cat "$work/$1.clean"; }

pass() { echo "ok - $1"; }
fail() {
	echo "not ok - $1: $2"
	echo "  --- log of $1 (last 15 lines) ---"
	tail -n 15 "$work/$1.clean" 2>/dev/null | sed 's/^/  | /'
}

# expect NAME PATTERN...: every extended regex must match a line of the log,
# and QEMU must have ended by itself with status 0 (a clean power-off).
expect() {
	local name=$1
	shift
	local st
	st=$(cat "$work/$name.status")
	if [ "$st" = timeout ]; then
		fail "$name" "QEMU did not end within ${BOOT_TIMEOUT}s (hang)"
		return 1
	fi
	if [ "$st" != 0 ]; then
		fail "$name" "QEMU exited with status $st"
		return 1
	fi
	for p in "$@"; do
		if ! grep -Eq -- "$p" "$work/$name.clean"; then
			fail "$name" "no log line matches /$p/"
			return 1
		fi
	done
	pass "$name"
}

# refuse NAME PATTERN...: like expect, and the hypervisor was never entered.
refuse() {
	local name=$1
	shift
	if grep -q 'hyp: entered' "$work/$name.clean"; then
		fail "$name" "the hypervisor was entered despite the bad input"
		return 1
	fi
	expect "$name" "$@" 'monitor: psci: system off|monitor: .*(no|not|truncated|too)'
}

# A boot image with the given configuration text (and the stock hypervisor).
image_with_config() {
	local out=$1 cfg=$2
	printf '%s\n' "$cfg" >"$work/cfg.$$"
	"$top/build/host/mkbundle" -o "$work/bundle.$$" --hyp "$build/hyp.bin" \
		--config "$work/cfg.$$" >/dev/null
	cat "$build/boot.bin" "$work/bundle.$$" >"$out"
}

# guest_image OUT GUEST [MKBOOTIMG VM OPTIONS...]: a boot image running the
# test guest build/virt/guests/GUEST.bin as vm0 (64 MiB), built with mkbootimg.
guest_image() {
	local out=$1 guest=$2
	shift 2
	rm -f "$out"
	"$top/build/host/mkbootimg" -o "$out" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
		--name "$guest" --vm --name "$guest" --kernel "$build/guests/$guest.bin" \
		--mem 64M "$@" >/dev/null
}

# run_guest NAME GUEST [MKBOOTIMG VM OPTIONS...]: boots it; the guest reports
# through the backdoor console and exits through the test-exit service.
run_guest() {
	local name=$1 guest=$2
	shift 2
	if ! guest_image "$work/$name.img" "$guest" "$@" 2>"$work/$name.err"; then
		echo "not ok - $name: cannot build its boot image: $(cat "$work/$name.err")"
		return 1
	fi
	boot "$name" BOOTIMG="$work/$name.img" --
	expect "$name" "^guest $guest: 0 failures$" \
		"^hyp: vm0 '$guest' ended: test exit requested, exit code 0$" \
		'^hyp: no VM left: powering off$' '^monitor: psci: system off$'
}

# Interactive sessions: start_session NAME [ENV=VALUE...] -- [QEMU ARGS...]
# boots in the background with its console input from a FIFO on fd 7;
# type TEXT sends keys; wait_for NAME REGEX [SECONDS] waits for a log line;
# end_session NAME waits for QEMU to end (stopping it by its PID on
# time-out) and leaves the status like boot does.
start_session() {
	local name=$1
	shift
	split_args "$@"
	rm -f "$work/$name.in"
	mkfifo "$work/$name.in"
	(
		st=0
		env "${envs[@]}" timeout -k 5 "$BOOT_TIMEOUT" "$top/scripts/run-virt.sh" \
			-no-reboot "${qargs[@]}" <"$work/$name.in" >"$work/$name.log" 2>&1 || st=$?
		echo "$st" >"$work/$name.rawstatus"
	) &
	session_pid=$!
	exec 7>"$work/$name.in"
}

type() { printf '%b' "$1" >&7; }

wait_for() {
	local name=$1 re=$2 secs=${3:-120}
	for _ in $(seq $((secs * 10))); do
		if tr -d '\r' <"$work/$name.log" 2>/dev/null | grep -Eq -- "$re"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

end_session() {
	local name=$1
	exec 7>&-
	wait "$session_pid" 2>/dev/null
	local st
	st=$(cat "$work/$name.rawstatus" 2>/dev/null || echo 124)
	if [ "$st" = 124 ] || [ "$st" = 137 ]; then st=timeout; fi
	echo "$st" >"$work/$name.status"
	tr -d '\r' <"$work/$name.log" >"$work/$name.clean"
}
