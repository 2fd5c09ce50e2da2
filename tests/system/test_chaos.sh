#!/usr/bin/env bash
# A randomized hostile guest (guests/chaos.c) beside a victim VM
# (guests/victim.c), one vCPU each on the two CPUs, for a few seeds: the
# hostile guest makes CHAOS_OPS random operations at EL1 and EL0 (loads and
# stores of every form to the emulated devices and across the IPA space,
# trapped system registers, HVC/SMC, BRK, backdoor calls) and reports its
# count; the hypervisor and monitor never fall over, and the victim keeps
# printing heartbeats with its canary intact, during the run and after the
# hostile VM ended. The victim never ends by itself: the test stops QEMU
# once it has seen two heartbeats after the hostile VM's end.
#
#   CHAOS_SEEDS="1 2 3" CHAOS_OPS=40000 bash tests/system/test_chaos.sh
source "$(dirname "$0")/lib.sh"

seeds=(${CHAOS_SEEDS:-1 2 3})
ops=${CHAOS_OPS:-40000}
# Seeds whose hostile VM also owns the monitor's emulated ECAM window
# (virt's, at 0xb000000) and aims a share of its accesses at it, from EL1
# and EL0: those trap to EL3.
ecam_seeds=" ${CHAOS_ECAM_SEEDS-3} "

# heartbeats NAME: how many the victim has printed so far.
heartbeats() { tr -d '\r\000' <"$work/$1.log" | grep -c '^\[victim\] victim: heartbeat'; }

for seed in "${seeds[@]}"; do
	name=chaos_seed_$seed
	ecam=()
	case $ecam_seeds in *" $seed "*)
		ecam=(--ecam-passthrough --guestinfo ecam=0xb000000)
		name=${name}_ecam
		;;
	esac
	if ! "$top/build/host/mkbootimg" -o "$work/$name.img" --boot "$build/boot.bin" \
		--hyp "$build/hyp.bin" --name chaos \
		--vm --name chaos --kernel "$build/guests/chaos.bin" --mem 32M \
		--guestinfo "seed=$seed" --guestinfo "ops=$ops" "${ecam[@]}" \
		--vm --name victim --kernel "$build/guests/victim.bin" --mem 32M \
		--guestinfo period_ms=250 >/dev/null 2>"$work/$name.err"; then
		echo "not ok - $name: cannot build its boot image: $(cat "$work/$name.err")"
		continue
	fi
	: >"$work/$name.log"
	BOOTIMG="$work/$name.img" timeout -k 5 "$BOOT_TIMEOUT" "$runner" -no-reboot \
		</dev/null >"$work/$name.log" 2>&1 &
	qemu=$!
	# Until the hostile VM ends (or QEMU does), then two more heartbeats.
	end=$((SECONDS + BOOT_TIMEOUT))
	while kill -0 "$qemu" 2>/dev/null && [ $SECONDS -lt $end ] &&
		! grep -q "^hyp: vm0 'chaos' ended" "$work/$name.log"; do
		sleep 0.2
	done
	want=$(($(heartbeats "$name") + 2))
	while kill -0 "$qemu" 2>/dev/null && [ $SECONDS -lt $end ] &&
		[ "$(heartbeats "$name")" -lt "$want" ]; do
		sleep 0.2
	done
	alive=false
	kill -0 "$qemu" 2>/dev/null && alive=true
	kill "$qemu" 2>/dev/null
	wait "$qemu" 2>/dev/null
	# The hostile guest's UART writes may leave odd bytes on its lines.
	tr -d '\r\000' <"$work/$name.log" >"$work/$name.clean"
	log=$work/$name.clean

	during=$(sed -n "/^\[chaos\] chaos: seed/,/^hyp: vm0 'chaos' ended/p" "$log" |
		grep -c '^\[victim\] victim: heartbeat')
	if grep -qE 'panic|Synchronous Abort|hyp: .*(fatal|unexpected exception)' "$log"; then
		fail "$name" "the hypervisor or monitor fell over: $(grep -m1 -E 'panic|fatal|unexpected exception' "$log")"
	elif grep -qE '^hyp: (no VM left: )?powering off|monitor: psci: system (off|reset)' "$log"; then
		fail "$name" "the platform powered off under the victim"
	elif grep -qE "victim: canary changed|^hyp: vm1 'victim' ended" "$log"; then
		fail "$name" "the victim was hurt: $(grep -m1 -E "canary changed|vm1 'victim' ended" "$log")"
	elif ! grep -qE "^\[chaos\] .*chaos: done: $ops operations" "$log"; then
		fail "$name" "the hostile guest did not report $ops operations"
	elif ! grep -qE '^\[chaos\] .*guest chaos: 0 failures$' "$log" ||
		! grep -q "^hyp: vm0 'chaos' ended: test exit requested, exit code 0$" "$log"; then
		fail "$name" "the hostile guest did not end cleanly"
	elif ! $alive || [ "$(heartbeats "$name")" -lt "$want" ]; then
		fail "$name" "the victim stopped beating after the hostile VM ended (QEMU alive: $alive)"
	elif [ "$during" -lt 1 ]; then
		fail "$name" "no heartbeat from the victim while the hostile guest ran"
	else
		pass "$name ($(sed -n 's/^\[chaos\] .*chaos: done: //p' "$log"); $during heartbeats meanwhile)"
	fi
done
