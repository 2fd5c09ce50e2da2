# Sourced by the benchmark scripts: $work, a directory removed at exit, and
# $qpid, the QEMU of a run still going, stopped by its PID if the script
# ends (or is interrupted) before it does.
work=$(mktemp -d)
qpid=
bench_cleanup() {
	if [ -n "$qpid" ]; then
		kill "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
