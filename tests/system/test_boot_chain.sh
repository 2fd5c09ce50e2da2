#!/usr/bin/env bash
# The boot chain monitor -> bootloader -> hypervisor on QEMU virt, loaded at
# addresses drawn from different seeds: the four contract lines, a clean
# power-off, and the addresses they report being consistent.
source "$(dirname "$0")/lib.sh"

seeds=(1 2 3 12345 4242424242)
boot_size=$(stat -c %s "$build/boot.bin")
declare -A load_of

hexval() { sed -nE "s/.*$2=(0x[0-9a-f]+).*/\1/p" "$work/$1.clean" | head -n1; }

for seed in "${seeds[@]}"; do
	name=boot_seed_$seed
	boot "$name" SEED="$seed" --
	expect "$name" \
		'^boot: load_pa=0x[0-9a-f]+ link_va=0x[0-9a-f]+ delta=0x[0-9a-f]+$' \
		'^boot: mmu on, fault esr=0x[0-9a-f]+ far=0x[0-9a-f]+, resumed at va=0x[0-9a-f]+$' \
		'^boot: switch via intermediate tables, trampoline at va=0x[0-9a-f]+ and va=0x[0-9a-f]+$' \
		'^hyp: entered at va=0x[0-9a-f]+$' \
		"monitor: boot image: .* \(seed $seed from fw_cfg opt/hv/seed\)" \
		'^hyp: powering off$' '^monitor: psci: system off$' || continue

	load=$(hexval "$name" load_pa)
	link=$(hexval "$name" link_va)
	delta=$(hexval "$name" delta)
	resumed=$(hexval "$name" 'resumed at va')
	far=$(hexval "$name" far)
	load_of[$seed]=$load
	why=""
	((link - load == delta)) || why="delta is not link_va - load_pa"
	((load % 4096 == 0)) || why="load_pa $load is not 4 KiB aligned"
	grep -q "monitor: boot image: [0-9]* bytes at $load " "$work/$name.clean" ||
		why="the bootloader runs at $load, not where the monitor put it"
	# The fault is the fetch at the physical address; it resumes at the
	# same instruction's VA, inside the linked image.
	((resumed - far == delta)) || why="resumed va is not the faulting pa + delta"
	((resumed >= link && resumed < link + boot_size)) ||
		why="resumed va $resumed lies outside the linked image"
	if [ -n "$why" ]; then fail "${name}_addresses" "$why"; else pass "${name}_addresses"; fi
done

# Different seeds give different addresses; at least one is not 2 MiB aligned.
distinct=$(printf '%s\n' "${load_of[@]}" | sort -u | wc -l)
if [ "$distinct" = "${#seeds[@]}" ]; then
	pass seeds_give_distinct_load_addresses
else
	echo "not ok - seeds_give_distinct_load_addresses: ${load_of[*]}"
fi
unaligned=0
for a in "${load_of[@]}"; do ((a % 0x200000)) && unaligned=1; done
if [ "$unaligned" = 1 ]; then
	pass load_address_not_2mib_aligned
else
	echo "not ok - load_address_not_2mib_aligned: every address is 2 MiB aligned: ${load_of[*]}"
fi

# The same seed gives the same address again.
boot same_seed_again SEED=12345 --
if expect same_seed_again '^hyp: entered'; then
	again=$(hexval same_seed_again load_pa)
	if [ "$again" = "${load_of[12345]:-}" ]; then
		pass same_seed_same_address
	else
		echo "not ok - same_seed_same_address: $again vs ${load_of[12345]:-}"
	fi
fi

# Without a seed file the monitor draws one from the CPU's RNG.
boot no_seed --
expect no_seed 'monitor: boot image: .* \(seed [0-9]+ from RNDR\)' '^hyp: entered at va='
