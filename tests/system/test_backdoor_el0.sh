#!/usr/bin/env bash
# Who may call the project's own backdoor commands (docs/ABI.md, "Who may
# call what"): a user process (EL0, under a kernel that sets MDSCR_EL1.TDCC
# as Linux does) gets VMware's commands but not the hypervisor's console,
# statistics or test exit, unless the VM's configuration allows them
# (vmN.backdoor_el0 = all). The backdoor guest checks the replies from
# inside; here the log shows what reached the operator.
source "$(dirname "$0")/lib.sh"

# Default: refused. The guest's EL0 tries to print "hyp: FAKE" and to end
# the VM with code 77; neither happens, and the refusal is logged once.
run_guest backdoor_el0_refused backdoor --guestinfo color=blue
name=backdoor_el0_refused
refusals=$(grep -c 'from EL0 refused' "$work/$name.clean")
if grep -q '^hyp: FAKE' "$work/$name.clean"; then
	echo "not ok - ${name}_nothing_printed: EL0's console write reached the console"
elif ! grep -Eq "^hyp: vm0: backdoor command 0x8600 from EL0 refused \(vm0.backdoor_el0 = vmware\)" \
	"$work/$name.clean" || [ "$refusals" != 1 ]; then
	echo "not ok - ${name}_nothing_printed: want one refusal line for CONSOLE_WRITE, got $refusals"
else
	pass "${name}_nothing_printed"
fi

# vmN.backdoor_el0 = all (mkbootimg --backdoor-el0 all): EL0 prints, and
# the guest's verdict comes with its test exit from EL0.
run_guest backdoor_el0_all backdoor --guestinfo color=blue --guestinfo el0=all \
	--backdoor-el0 all
name=backdoor_el0_all
if grep -q '^el0: hello$' "$work/$name.clean" &&
	! grep -q 'from EL0 refused' "$work/$name.clean"; then
	pass "${name}_printed"
else
	echo "not ok - ${name}_printed: no 'el0: hello' line from EL0, or a refusal logged"
fi
