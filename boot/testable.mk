# The bootloader's sources that also build for the host (-DHOST_BUILD) and
# are unit-tested there (tests/unit/boot/). The Makefile archives them as
# build/host/boot-host.a.
TESTABLE_boot := boot/trampoline_plan.c
