#!/usr/bin/env bash
# Bare-metal test guests (guests/*.c) at EL1 and EL0 under the hypervisor:
# each checks one area from inside and exits with its verdict.
source "$(dirname "$0")/lib.sh"

run_guest guest_backdoor backdoor --guestinfo color=blue
run_guest guest_faults faults
run_guest guest_debug debug
run_guest guest_psci psci --cpus 2
run_guest guest_hostile hostile --guestinfo color=blue
