# The monitor's sources that also build for the host (-DHOST_BUILD) and are
# unit-tested there (tests/unit/monitor/): its logic, with no hardware
# access, and its trap handler (traps.c) on the host double of the arch
# layer (arch/fake/sysreg.h). The Makefile archives them as
# build/host/monitor-host.a.
TESTABLE_monitor := monitor/gpt.c monitor/ecam/a64_ldst.c monitor/ecam/access.c \
	monitor/platform/sbsa-ref/os_dt.c monitor/traps.c
