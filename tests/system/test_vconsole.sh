#!/usr/bin/env bash
# The VMs' virtio console (hyp/vdev/vconsole.c, docs/VIRTIO.md "The
# console"):
# - guests/vconsole.c beside guests/uart.c, two VMs on a shared console,
#   the first with `--console virtio`: its output through the virtio
#   console carries its "[name] " prefix and its ESC comes out escaped, as
#   the PL011's does; a line typed reaches it through the receive queue;
#   6 000 bytes typed while it posts no buffer: the first byte and the 4 096
#   the device holds arrive in order, the rest is dropped and counted in
#   the PL011's one line;
# - Linux with console=hvc0 and `--console virtio`: a shell on hvc0, a
#   command's output seen, and a 2 000-character paste reaching cat whole
#   (md5sum in the guest against the host's), as test_console.sh does for
#   the PL011.
source "$(dirname "$0")/lib.sh"

# --- the bare-metal guest, two VMs -------------------------------------------
name=vconsole_guest
if ! "$top/build/host/mkbootimg" -o "$work/$name.img" --boot "$build/boot.bin" \
	--hyp "$build/hyp.bin" --name "$name" \
	--vm --name vconsole --kernel "$build/guests/vconsole.bin" --mem 32M --console virtio \
	--vm --name uart-b --kernel "$build/guests/uart.bin" --mem 32M \
	>/dev/null 2>"$work/$name.err"; then
	echo "not ok - $name: cannot build its boot image: $(cat "$work/$name.err")"
	exit 0
fi
start_session "$name" BOOTIMG="$work/$name.img" --
if wait_for "$name" '^\[vconsole\] vconsole: ready$' 60; then
	send_keys 'hello-virtio\r'
	if wait_for "$name" '^\[vconsole\] vconsole: quiet$' 30; then
		awk 'BEGIN { for (i = 0; i < 6000; i++) printf "%c", 97 + i % 26 }' >&7
	fi
	wait_for "$name" '^hyp: no VM left' 60
fi
end_session "$name"
expect "$name" "^\[vconsole\] vconsole: got 'hello-virtio'$" \
	'^\[vconsole\] vconsole: esc: \^\[\[31mred\^\[\[0m$' \
	'^\[vconsole\] vconsole: 4097 bytes, 0 out of order$' \
	"^hyp: vm0 'vconsole': console input buffer full, 1903 bytes dropped$" \
	'^\[vconsole\] guest vconsole: 0 failures$' '^\[uart-b\] guest uart: 0 failures$' \
	'^hyp: no VM left: powering off$'
if [ "$(grep -c 'bytes dropped' "$work/$name.clean")" = 1 ] &&
	! grep -q 'virtio console: .*needs a reset' "$work/$name.clean"; then
	pass "${name}_one_drop_line"
else
	echo "not ok - ${name}_one_drop_line: $(grep -E 'bytes dropped|needs a reset' "$work/$name.clean")"
fi
if grep -aq $'\x1b' "$work/$name.log"; then
	echo "not ok - ${name}_escaped: a raw ESC on the shared console"
else
	pass "${name}_escaped"
fi

# --- Linux on hvc0 ------------------------------------------------------------
linux_guest_ready || exit 0
paste_text "$work/paste.txt"
want=$(md5sum <"$work/paste.txt" | cut -d' ' -f1)
name=vconsole_linux
linux_image "$work/$name.img" "console=hvc0 hvtest=shell" --mem 256M --console virtio
BOOT_TIMEOUT=${LINUX_TIMEOUT:-240}
start_session "$name" BOOTIMG="$work/$name.img" -- -m 1G
if wait_for "$name" '^guest: console hvc0 ' 200; then
	sleep 2
	send_keys 'echo vc-$((6 * 7)); tty\r'
	wait_for "$name" '^/dev/hvc0$' 30
	send_keys 'cat >/tmp/paste\r'
	wait_for "$name" 'cat >/tmp/paste$' 30
	sleep 1
	tr '\n' '\r' <"$work/paste.txt" >&7
	send_keys '\004'
	send_keys 'md5sum </tmp/paste; wc -c </tmp/paste\r'
	wait_for "$name" "^[0-9a-f]{32}  -$" 60
	send_keys 'poweroff\r'
fi
end_session "$name"
expect "$name" '^guest: console hvc0 after=[0-9.]+s active=hvc0$' '^vc-42$' '^/dev/hvc0$' \
	"^$want  -\$" '^ *2000$' "^hyp: vm0 'linux' ended: system off$"
if grep -qE 'virtio console: .*needs a reset|bytes dropped' "$work/$name.clean"; then
	echo "not ok - ${name}_no_loss: $(grep -E 'needs a reset|bytes dropped' "$work/$name.clean" | head -n 1)"
else
	pass "${name}_no_loss"
fi
