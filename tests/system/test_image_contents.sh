#!/usr/bin/env bash
# What each image links (docs/ARCHITECTURE.md, "Layout"), checked with nm on
# every platform built: the monitor has none of the hypervisor's code, the
# bootloader none of the monitor's or the hypervisor's, and the stock
# hypervisor (hyp.bin) none of hyp/test/ (self-tests, the debug hypercall),
# which the test build (hyp-test.bin) has. Two kinds of evidence each: the
# symbols named after the techniques (vgic, pl011, backdoor...; gpt, ecam),
# each of which must be defined in the image that owns it, so a renamed
# function cannot make the check pass by matching nothing; and every global
# symbol the owner's objects define that the other program does not define
# itself (both have a gic_init, say). Not a QEMU boot: a few seconds.
top=$(cd "$(dirname "$0")/../.." && pwd)
nm=${CROSS:-aarch64-linux-gnu-}nm

# defined ELF: the names of the symbols ELF (or objects) define, sorted.
defined() {
	"$nm" --defined-only "$@" 2>/dev/null | awk 'NF == 3 {print $3}' | sort -u
}

# globals DIR: the global functions and data the objects under DIR define.
globals() {
	find "$1" -name '*.o' ! -name 'symtab*' -print0 2>/dev/null |
		xargs -0 "$nm" --defined-only 2>/dev/null | awk 'NF == 3 && $2 ~ /^[TDBR]$/ {print $3}' |
		sort -u
}

# absent NAME IMAGE OWNER PREFIXES OWN_DIR OTHER_DIR: "ok" when IMAGE defines
# none of the symbols starting with PREFIXES (each defined in OWNER) and
# none of OWN_DIR's globals that OTHER_DIR's objects do not define too.
absent() {
	local name=$1 image=$2 owner=$3 prefixes=$4 own=$5 other=$6 p found=""
	for p in $prefixes; do
		if ! defined "$owner" | grep -q "^$p"; then
			echo "not ok - $name: no symbol starting with $p in $(basename "$owner"): the check is out of date"
			return
		fi
		found+=$(defined "$image" | grep "^$p" | head -n 3 | tr '\n' ' ')
	done
	found+=$(comm -12 <(comm -23 <(globals "$own") <(globals "$other")) <(defined "$image") |
		head -n 5 | tr '\n' ' ')
	if [ -n "$found" ]; then
		echo "not ok - $name: $(basename "$image") has ${found% }"
	else
		echo "ok - $name"
	fi
}

HYP_PREFIXES="vgic_ pl011_emu_ backdoor_ guest_dt_ lockup_ symtab_ gic_prio ptimer_"
MON_PREFIXES="gpt_ ecam_ a64_"
TEST_SYMBOLS="selftest_psci selftest_ecam selftest_read_monitor_memory debug_spin_masked debug_spin_in_irq"

ran=0
for b in "$top"/build/*/; do
	b=${b%/}
	p=$(basename "$b")
	[ -f "$b/monitor.elf" ] && [ -f "$b/boot.elf" ] && [ -f "$b/hyp.elf" ] &&
		[ -f "$b/hyp-test.elf" ] || continue
	ran=1
	absent "${p}_monitor_has_no_hypervisor_code" "$b/monitor.elf" "$b/hyp.elf" \
		"$HYP_PREFIXES" "$b/hyp" "$b/monitor"
	absent "${p}_bootloader_has_no_monitor_code" "$b/boot.elf" "$b/monitor.elf" \
		"$MON_PREFIXES" "$b/monitor" "$b/boot"
	absent "${p}_bootloader_has_no_hypervisor_code" "$b/boot.elf" "$b/hyp.elf" \
		"$HYP_PREFIXES" "$b/hyp" "$b/boot"

	missing="" shipped=""
	for s in $TEST_SYMBOLS; do
		defined "$b/hyp-test.elf" | grep -qx "$s" || missing+="$s "
		defined "$b/hyp.elf" | grep -qx "$s" && shipped+="$s "
	done
	# hyp/stock.c defines the hooks hyp/test/ fills (selftest_run...).
	shipped+=$(comm -12 <(comm -23 <(globals "$b/hyp/test") <(defined "$b/hyp/stock.o")) \
		<(defined "$b/hyp.elf") | head -n 5 | tr '\n' ' ')
	if [ -n "$missing" ]; then
		echo "not ok - ${p}_hyp_has_no_selftests: hyp-test.elf lacks ${missing% }: the check is out of date"
	elif [ -n "$shipped" ]; then
		echo "not ok - ${p}_hyp_has_no_selftests: hyp.elf has ${shipped% }"
	else
		echo "ok - ${p}_hyp_has_no_selftests"
	fi
done
[ "$ran" = 1 ] || echo "not ok - image_contents: no platform built (make all)"
