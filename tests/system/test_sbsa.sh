#!/usr/bin/env bash
# The platform on QEMU sbsa-ref (scripts/run-sbsa.sh): RAM at 1 TiB, the
# boot image in flash1 behind its header, the DT the monitor writes from
# QEMU's minimal one, power through the secure EC, and a Debian Linux VM
# under the hypervisor. Needs `make PLATFORM=sbsa-ref` (make test does it).
platform=sbsa-ref
source "$(dirname "$0")/lib.sh"

if [ ! -f "$build/flash0.img" ] || [ ! -f "$build/flash1.img" ]; then
	echo "not ok - sbsa_built: no $build/flash0.img or flash1.img (make PLATFORM=sbsa-ref)"
	exit 0
fi

# The chain to the hypervisor, which finds its CPUs, GIC and UART in the
# monitor's DT, and powers off through the EC.
boot sbsa_boot_chain --
expect sbsa_boot_chain '^monitor: EL3 firmware on QEMU sbsa-ref$' \
	"^monitor: device tree for the OS written from QEMU's minimal one" \
	'^monitor: granule protection: root-only flash 0x00000000-0x0fffffff, secure RAM 0x20000000-0x3fffffff' \
	'^monitor: psci 1.1 over smc, 2 cpus$' \
	'^monitor: boot image: [0-9]+ bytes at 0x1[0-9a-f]{10} \(seed [0-9]+ from RNDR\)$' \
	'^boot: load_pa=0x1[0-9a-f]{10} ' '^hyp: entered at va=' \
	'^hyp: handed: dt at pa 0x10000000000 .* console at pa 0x60000000$' \
	'^hyp: 2 physical cpus$' '^hyp: powering off$' '^monitor: psci: system off$'

# A seed in the flash header fixes the load address; the same seed twice
# gives the same one.
addr_of() { sed -nE 's/^monitor: boot image: [0-9]+ bytes at (0x[0-9a-f]+) .*/\1/p' "$work/$1.clean"; }
boot sbsa_seed_7 SEED=7 --
expect sbsa_seed_7 '^monitor: boot image: [0-9]+ bytes at 0x1[0-9a-f]+ \(seed 7 from the flash1 header\)$' \
	'^monitor: psci: system off$'
boot sbsa_seed_7_again SEED=7 --
boot sbsa_seed_8 SEED=8 --
a7=$(addr_of sbsa_seed_7) a7b=$(addr_of sbsa_seed_7_again) a8=$(addr_of sbsa_seed_8)
if [ -n "$a7" ] && [ "$a7" = "$a7b" ] && [ -n "$a8" ] && [ "$a8" != "$a7" ]; then
	pass sbsa_seed_fixes_load_address
else
	echo "not ok - sbsa_seed_fixes_load_address: seed 7 at '$a7' then '$a7b', seed 8 at '$a8'"
fi

# Bad boot flashes: one line naming the problem, then power off.
boot sbsa_empty_flash BOOTIMG=none --
refuse sbsa_empty_flash '^monitor: no boot image in flash1 at 0x10000000: the flash is empty \(all 0x00\)$'

head -c 65536 /dev/urandom >"$work/garbage.flash"
truncate -s 256M "$work/garbage.flash"
boot sbsa_garbage_flash FLASH1="$work/garbage.flash" --
refuse sbsa_garbage_flash '^monitor: no boot image in flash1 at 0x10000000: no boot flash header \(magic 0x[0-9a-f]{8}, expected 0x31465648 "HVF1"\)$'

# One byte of the image changed after the header was written.
cp --sparse=always "$build/flash1.img" "$work/corrupt.flash"
printf '\xff' | dd of="$work/corrupt.flash" bs=1 seek=$((4096 + 200)) conv=notrunc status=none
boot sbsa_corrupt_image FLASH1="$work/corrupt.flash" --
refuse sbsa_corrupt_image '^monitor: boot image in flash1 rejected: boot image checksum mismatch \(header 0x[0-9a-f]{8}, image 0x[0-9a-f]{8}\)$'

# A boot image that is no image at all, with a good header around it.
head -c 100000 /dev/urandom >"$work/garbage.bin"
"$top/build/host/mkflash" -o "$work/not-an-image.flash" "$work/garbage.bin" >/dev/null
boot sbsa_not_an_image FLASH1="$work/not-an-image.flash" --
refuse sbsa_not_an_image '^monitor: boot image is not an arm64 image'

# The monitor's secure RAM is Root-only in the GPT: an NS-EL2 read of it
# is a granule protection fault, an external abort for the hypervisor.
HYP=hyp-test image_with_config "$work/probe.img" "name = probe
test = read-monitor-memory"
boot sbsa_monitor_memory_protected BOOTIMG="$work/probe.img" --
expect sbsa_monitor_memory_protected \
	'^monitor: granule protection fault: EL2 read of PA 0x20000000 .*external abort injected$' \
	'^hyp: read of monitor memory at pa 0x20000000 faulted \(esr 0x96000010\): protected$' \
	'^hyp: still running after the probe$' '^monitor: psci: system off$'

# PSCI brings the parked secondaries up (twice each, through CPU_OFF).
HYP=hyp-test image_with_config "$work/psci.img" "name = psci
test = psci"
boot sbsa_psci_cpu_on_off SMP=4 BOOTIMG="$work/psci.img" --
expect sbsa_psci_cpu_on_off '^monitor: psci 1.1 over smc, 4 cpus$' \
	'^hyp: psci self-test passed \(6 cpu cycles\)$' \
	'^hyp: psci: cpu 0x3 came up, signed and turned off \(round 2\)$' '^monitor: psci: system off$'

HYP=hyp-test image_with_config "$work/reset.img" "name = reset
test = reset"
boot sbsa_psci_system_reset BOOTIMG="$work/reset.img" --
expect sbsa_psci_system_reset '^monitor: psci: system reset$'

# Debian's kernel as a VM with 2 vCPUs under the hypervisor, to the end of
# its smoke run and power off. The guest's machine is the same as on virt.
BOOT_TIMEOUT=${LINUX_TIMEOUT:-240}
linux_guest_ready || exit 0
linux_image "$work/smoke.img" "console=ttyAMA0 hvtest=smoke" --mem 512M --cpus 2 \
	--guestinfo color=blue
boot sbsa_linux_smoke BOOTIMG="$work/smoke.img" MEM=2G --
expect sbsa_linux_smoke "${linux_smoke_lines[@]}"
linux_smoke_checks sbsa_linux_smoke sbsa_linux

# make run's guest on sbsa-ref: keyboard input reaches the VM through the
# physical PL011's interrupt (SPI 1 in the monitor's DT), and `poweroff`
# ends the platform.
linux_image "$work/shell.img" "console=ttyAMA0 hvtest=shell" --mem 512M --cpus 2
start_session sbsa_linux_shell BOOTIMG="$work/shell.img" MEM=2G --
if wait_for sbsa_linux_shell '^guest: init reached' 200; then
	sleep 3
	send_keys 'echo hv-input-$((6*7))\r'
	wait_for sbsa_linux_shell '^hv-input-42' 60
	send_keys 'poweroff\r'
fi
end_session sbsa_linux_shell
expect sbsa_linux_shell '^hv-input-42' "^hyp: vm0 'linux' ended: system off$" \
	'^monitor: psci: system off$'
