#!/usr/bin/env bash
# The libFuzzer targets of tests/fuzz (make fuzz), a short run of each as
# part of the suite: FUZZ_TEST_SECONDS (default 20) per target, two at a
# time, one "ok - fuzz_NAME" or "not ok - fuzz_NAME: why" line each. Not a
# QEMU boot, but it lives with the system tests so tests/run.sh counts it.
top=$(cd "$(dirname "$0")/../.." && pwd)
exec "$top/tests/fuzz/run.sh" --test "${FUZZ_TEST_SECONDS:-20}"
