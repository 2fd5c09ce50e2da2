#!/usr/bin/env bash
# The console loses nothing and lets no VM pass for another: a guest that
# writes 4 000 bytes to the emulated PL011's UARTDR without ever reading
# UARTFR has every one of them on the console, in order (guests/uart.c);
# with two VMs on the console each VM's ESC sequences, bare \r and
# backspaces into its prefix come out escaped; a 2 000-character paste at
# full speed reaches a Linux shell whole (checked by md5sum in the guest).
source "$(dirname "$0")/lib.sh"

# The 50 lines of 80 bytes guests/uart.c writes.
awk 'BEGIN { for (l = 0; l < 50; l++) {
	s = sprintf("uart-flood %02d ", l)
	for (j = 14; j < 79; j++) s = s sprintf("%c", 97 + (l + j) % 26)
	print s } }' >"$work/flood.want"

# flood_check NAME LOG PREFIX: the lines after PREFIX in LOG are exactly the
# flood, in order.
flood_check() {
	local name=$1 log=$2 prefix=$3
	grep -aF -- "${prefix}uart-flood " "$log" | sed "s/^.*${prefix//[/\\[}uart-flood /uart-flood /" \
		>"$work/$name.flood"
	if cmp -s "$work/flood.want" "$work/$name.flood"; then
		pass "$name"
	else
		echo "not ok - $name: $(wc -l <"$work/$name.flood") of 50 flood lines, first difference:"
		diff "$work/flood.want" "$work/$name.flood" | head -n 4 | sed 's/^/  | /'
	fi
}

# One VM: it has the terminal, its bytes go out as they are.
run_guest console_one_vm uart
flood_check console_flood_4000_bytes "$work/console_one_vm.clean" ""
if grep -aqF $'uart-ctl esc: \x1b[31mred\x1b[0m' "$work/console_one_vm.clean"; then
	pass console_one_vm_raw
else
	echo "not ok - console_one_vm_raw: the only VM's ESC sequence did not go out as it is"
fi

# Two VMs: lines carry their names, control characters come out escaped.
"$top/build/host/mkbootimg" -o "$work/two.img" --boot "$build/boot.bin" --hyp "$build/hyp.bin" \
	--name two --vm --name uart-a --kernel "$build/guests/uart.bin" --mem 32M \
	--vm --name uart-b --kernel "$build/guests/uart.bin" --mem 32M >/dev/null
boot console_shared BOOTIMG="$work/two.img" --
expect console_shared '^\[uart-a\] guest uart: 0 failures$' '^\[uart-b\] guest uart: 0 failures$' \
	'^hyp: no VM left: powering off$'
flood_check console_shared_flood_a "$work/console_shared.clean" "[uart-a] "
flood_check console_shared_flood_b "$work/console_shared.clean" "[uart-b] "
bad=
for vm in uart-a uart-b; do
	for want in "[$vm] uart-ctl esc: ^[[31mred^[[0m" "[$vm] uart-ctl cr: ^Mhyp: FAKE" \
		$'['"$vm"$'] uart-ctl bs:\b\b\b\b\b\b\b\b\b\b\b\b^H\bhyp: FAKE' "[$vm] uart-ctl bel: ^G^?" \
		"[$vm] uart-ctl end: ^M"; do
		grep -aqxF -- "$want" "$work/console_shared.clean" || bad+=" '$want'"
	done
	# \r\n is a line end: it stays.
	grep -aqF $'['"$vm"$'] uart-ctl esc: ^[[31mred^[[0m\r\n' "$work/console_shared.log" ||
		bad+=" (no \\r\\n after [$vm]'s esc line)"
done
if grep -aq $'\x1b' "$work/console_shared.log"; then bad+=" (a raw ESC)"; fi
if grep -aq '^hyp: FAKE' "$work/console_shared.clean"; then bad+=" (a line passed for the hypervisor's)"; fi
if [ -z "$bad" ]; then
	pass console_shared_escaped
else
	echo "not ok - console_shared_escaped: missing or wrong:$bad"
fi

# More input than the hypervisor holds for a guest that does not read it:
# the receive FIFO's 32 bytes and the 4 KiB buffer's reach it, in order;
# the rest is dropped and counted in one log line.
# input_burst NAME [MKBOOTIMG VM OPTIONS...]: uart_input fed 6 000 bytes
# at once; the caller checks what it got.
input_burst() {
	local name=$1
	shift
	guest_image "$work/$name.img" uart_input "$@"
	start_session "$name" BOOTIMG="$work/$name.img" --
	if wait_for "$name" '^uart-input: ready$' 60; then
		awk 'BEGIN { for (i = 0; i < 6000; i++) printf "%c", 97 + i % 26 }' >&7
		wait_for "$name" '^hyp: no VM left' 60
	fi
	end_session "$name"
}

input_burst console_input_full
expect console_input_full '^uart-input: 4128 bytes, 0 out of order$' \
	"^hyp: vm0 'uart_input': console input buffer full, 1872 bytes dropped$" \
	'^guest uart_input: 0 failures$'
if [ "$(grep -c 'bytes dropped' "$work/console_input_full.clean")" = 1 ]; then
	pass console_input_full_one_line
else
	echo "not ok - console_input_full_one_line: $(grep -c 'bytes dropped' "$work/console_input_full.clean") drop lines"
fi

# The same guest on CPU 1 alone (vm0.affinity = 1): the UART's interrupt
# goes to CPU 0, which never runs a vCPU and waits idle all along, and
# must take it there (its exception routing set up at its start, not at
# its first vCPU's load).
input_burst console_input_idle_cpu --affinity 1
expect console_input_idle_cpu '^uart-input: 4128 bytes, 0 out of order$' \
	'^guest uart_input: 0 failures$'

# A 2 000-character paste at full speed into the Linux shell: 25 lines of
# 79 characters, into cat; md5sum in the guest against the host's.
linux_guest_ready || exit 0
paste_text "$work/paste.txt"
want=$(md5sum <"$work/paste.txt" | cut -d' ' -f1)
linux_image "$work/shell.img" "console=ttyAMA0 hvtest=shell" --mem 512M --cpus 2
BOOT_TIMEOUT=${LINUX_TIMEOUT:-240}
start_session console_paste BOOTIMG="$work/shell.img" -- -m 2G
if wait_for console_paste '^guest: init reached' 200; then
	sleep 3
	send_keys 'cat >/tmp/paste\r'
	wait_for console_paste 'cat >/tmp/paste$' 30
	sleep 2
	tr '\n' '\r' <"$work/paste.txt" >&7
	send_keys '\004'
	send_keys 'md5sum </tmp/paste; wc -c </tmp/paste\r'
	wait_for console_paste "^[0-9a-f]{32}  -$" 60
	send_keys 'poweroff\r'
fi
end_session console_paste
expect console_paste "^$want  -\$" '^ *2000$' "^hyp: vm0 'linux' ended: system off$"
if grep -q 'input overrun' "$work/console_paste.clean"; then
	echo "not ok - console_paste_no_overrun: $(grep 'input overrun' "$work/console_paste.clean" | head -n 1)"
else
	pass console_paste_no_overrun
fi
