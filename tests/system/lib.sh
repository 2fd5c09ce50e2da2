# Helpers for the system tests: boot the chain in QEMU with a time-out,
# keep the serial log, and judge it. Each check prints one TAP-like line,
# "ok - NAME" or "not ok - NAME: why", which tests/run.sh counts.

#
# The platform: a test file sets platform=NAME before sourcing this (virt
# when it does not); boots then go through that platform's build folder and
# what its port says in monitor/platform/NAME/test.sh (the run script,
# $runner), so a new board needs no change here.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
platform=${platform:-virt}
build=${BUILD:-$top/build/$platform}
runner=
if [ -f "$top/monitor/platform/$platform/test.sh" ]; then
	source "$top/monitor/platform/$platform/test.sh"
fi
if [ -z "$runner" ] || [ ! -x "$runner" ]; then
	echo "not ok - $platform: monitor/platform/$platform/test.sh names no run script"
	exit 0
fi
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
		"$runner" -no-reboot "${qargs[@]}" \
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

# ended_cleanly NAME: QEMU ended by itself with status 0 (a clean
# power-off); otherwise reports NAME failed.
ended_cleanly() {
	local name=$1 st
	st=$(cat "$work/$name.status")
	if [ "$st" = timeout ]; then
		fail "$name" "QEMU did not end within ${BOOT_TIMEOUT}s (hang)"
		return 1
	fi
	if [ "$st" != 0 ]; then
		fail "$name" "QEMU exited with status $st"
		return 1
	fi
}

# log_matches NAME PATTERN...: every extended regex matches a line of the
# log; otherwise reports NAME failed.
log_matches() {
	local name=$1 p
	shift
	for p in "$@"; do
		if ! grep -Eq -- "$p" "$work/$name.clean"; then
			fail "$name" "no log line matches /$p/"
			return 1
		fi
	done
}

# expect NAME PATTERN...: every extended regex must match a line of the log,
# and QEMU must have ended by itself with status 0 (a clean power-off).
expect() {
	ended_cleanly "$1" && log_matches "$@" && pass "$1"
}

# in_order NAME PATTERN...: a line matching each extended regex, each
# after the line that matched the one before.
in_order() {
	local name=$1 prev=0 n p
	shift
	for p in "$@"; do
		n=$(tail -n +$((prev + 1)) "$work/$name.clean" | grep -nE -- "$p" | head -n1 | cut -d: -f1)
		if [ -z "$n" ]; then
			fail "${name}_order" "no /$p/ after line $prev"
			return 1
		fi
		prev=$((prev + n))
	done
	pass "${name}_order"
}

# refuse NAME PATTERN... LAST: like expect, the hypervisor was never
# entered, and the log's last line matches LAST: the caller names how the
# refusal ends (the monitor's own refusal line, after which it powers off,
# or the PSCI power-off a bootloader error asks for), so nothing ran after.
refuse() {
	local name=$1 last=${!#} end
	if grep -q 'hyp: entered' "$work/$name.clean"; then
		fail "$name" "the hypervisor was entered despite the bad input"
		return 1
	fi
	ended_cleanly "$name" && log_matches "$@" || return 1
	end=$(grep -v '^[[:space:]]*$' "$work/$name.clean" | tail -n 1)
	if ! grep -Eq -- "$last" <<<"$end"; then
		fail "$name" "the log ends with '$end', not a line matching /$last/"
		return 1
	fi
	pass "$name"
}

# A boot image with the given configuration text and the stock hypervisor,
# or $HYP.bin (HYP=hyp-test: the self-tests a `test = ...` asks for are in
# the test build only).
image_with_config() {
	local out=$1 cfg=$2
	printf '%s\n' "$cfg" >"$work/cfg.$$"
	"$top/build/host/mkbundle" -o "$work/bundle.$$" --hyp "$build/${HYP:-hyp}.bin" \
		--config "$work/cfg.$$" >/dev/null
	cat "$build/boot.bin" "$work/bundle.$$" >"$out"
}

# guest_image OUT GUEST [MKBOOTIMG VM OPTIONS...]: a boot image running the
# test guest $build/guests/GUEST.bin as vm0 (64 MiB), built with mkbootimg.
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

# The Debian Linux guest (scripts/guest-linux.sh, built once into cache/):
# linux_guest_ready reports linux_guest_built and sets $kernel and $initrd;
# linux_image OUT CMDLINE [MKBOOTIMG VM OPTIONS...] makes a boot image with
# it as vm0 'linux'.
linux_guest_ready() {
	if ! "$top/scripts/guest-linux.sh" >"$work/guest-build.log" 2>&1; then
		echo "not ok - linux_guest_built: scripts/guest-linux.sh failed: $(tail -n 3 "$work/guest-build.log")"
		return 1
	fi
	pass linux_guest_built
	kernel=$top/cache/guest/Image
	initrd=$top/cache/guest/initrd.cpio.gz
}

# need_tools CHECK TOOL...: 0 when every TOOL is on the PATH (with /sbin and
# /usr/sbin, where Debian puts sfdisk and mke2fs, added to it); else prints
# "not ok - CHECK: TOOL is missing" for the first missing one and returns 1.
need_tools() {
	local check=$1 t
	shift
	export PATH=$PATH:/sbin:/usr/sbin
	for t in "$@"; do
		if ! command -v "$t" >/dev/null; then
			echo "not ok - $check: $t is missing (scripts/setup.sh installs it)"
			return 1
		fi
	done
}

linux_image() {
	local out=$1 cmdline=$2
	shift 2
	"$top/build/host/mkbootimg" -o "$out" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
		--name linux --vm --name linux --kernel "$kernel" --initrd "$initrd" \
		--cmdline "$cmdline" "$@" >/dev/null
}

# What the smoke run (hvtest=smoke, 2 vCPUs, --guestinfo color=blue) shows
# when everything in the guest went well and the platform powered off.
linux_smoke_lines=(
	'^guest: init reached$' '^guest: smoke cpus=2$'
	'smp: Brought up 1 node, 2 CPUs' 'ttyAMA0 at MMIO 0x9000000 .* is a PL011'
	'^guest: smoke checkvm rc=0 out=VMware software version 6 \(good\)$'
	'^guest: smoke color rc=0 out=blue$' '^guest: smoke shape-get rc=0 out=round$'
	'^guest: smoke brk rc=133 signal=5' '^guest: smoke brk86 rc=0 out=$'
	'^guest: smoke el0fake rc=255 out=$' '^guest: smoke el0exit rc=255 out=$'
	'^guest: smoke done$'
	"^hyp: vm0 'linux' ended: system off$" '^monitor: psci: system off$'
	'^hyp: lockup detector: every [0-9]+ ms on each CPU'
)

# linux_smoke_checks NAME PREFIX: after the smoke run NAME, the timer and
# IPIs counted on both CPUs (/proc/interrupts: the timer's line, and the
# rescheduling and function-call IPIs, each CPU's column: every CPU got
# timer interrupts and at least one IPI; "+ 0" makes a column that is not a
# count, as with one CPU, count 0), and no warnings from the kernel's
# drivers; checks named PREFIX_timer_and_ipis_on_both_cpus,
# PREFIX_no_warnings.
linux_smoke_checks() {
	local log=$work/$1.clean p=$2
	if awk '/arch_timer$/ { ok = $2 + 0 > 0 && $3 + 0 > 0 } END { exit !ok }' "$log" &&
		awk '/Rescheduling interrupts|Function call interrupts/ { n++; cpu0 += $2; cpu1 += $3 }
			END { exit !(n >= 1 && cpu0 > 0 && cpu1 > 0) }' "$log"; then
		pass "${p}_timer_and_ipis_on_both_cpus"
	else
		echo "not ok - ${p}_timer_and_ipis_on_both_cpus: $(grep -E 'arch_timer|IPI[01]' "$log" | tr -s ' ')"
	fi
	if grep -qiE 'WARNING:|Oops|BUG:|Call trace' "$log"; then
		echo "not ok - ${p}_no_warnings: $(grep -iE 'WARNING:|Oops|BUG:|Call trace' "$log" | head -n 3)"
	else
		pass "${p}_no_warnings"
	fi
}

# Interactive sessions: start_session NAME [ENV=VALUE...] -- [QEMU ARGS...]
# boots in the background with its console input from a FIFO on fd 7;
# send_keys TEXT sends keys (printf %b escapes); wait_for NAME REGEX [SECONDS] waits for a log line;
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
		env "${envs[@]}" timeout -k 5 "$BOOT_TIMEOUT" "$runner" \
			-no-reboot "${qargs[@]}" <"$work/$name.in" >"$work/$name.log" 2>&1 || st=$?
		echo "$st" >"$work/$name.rawstatus"
	) &
	session_pid=$!
	exec 7>"$work/$name.in"
}

send_keys() { printf '%b' "$1" >&7; }

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

# paste_text FILE: 2 000 characters to paste into a guest's shell, 25 lines
# of 79, printable ASCII without the characters a terminal or the shell
# would act on (no backslash, for printf's %b), so the paste is exactly
# what the guest's cat gets.
paste_text() {
	awk 'BEGIN { a = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;-_=+/()[]{}<>!?@#%&*~"
		n = length(a)
		for (l = 0; l < 25; l++) { s = ""
			for (j = 0; j < 79; j++) s = s substr(a, (l * 79 + j) * 7 % n + 1, 1)
			print s } }' >"$1"
}
