#!/usr/bin/env bash
# Builds the Linux guest from Debian's own arm64 packages (docs/GUEST_LINUX.md):
#   cache/guest/Image             the raw arm64 Image of the newest
#                                 linux-image-6.1.0-N-arm64-unsigned,
#   cache/guest/initrd.cpio.gz    busybox-static, the kernel modules the disk
#                                 and USB tests need and those of virtio-mmio
#                                 (block, console, net) and ext4 (a root on a
#                                 virtio disk), vmware-checkvm and
#                                 vmware-rpctool with their shared libraries,
#                                 a BRK test program and guests/linux/init.
# Packages are resolved and downloaded by name with the machine's own apt
# sources (arm64 lists kept in cache/apt-lists, as scripts/fetch-arm64.sh
# does), so the host's apt state is untouched and no package host is named.
# Idempotent: does nothing when both outputs are newer than their inputs
# (guests/linux/init and mkcpio.py, this script). --force rebuilds anyway.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache="$top/cache"
out="$cache/guest"
src="$top/guests/linux"
self="$top/scripts/guest-linux.sh"
image="$out/Image"
initrd="$out/initrd.cpio.gz"
cross=${CROSS:-aarch64-linux-gnu-}

say() { echo "guest-linux: $*"; }
die() { echo "guest-linux: error: $*" >&2; exit 1; }

uptodate() {
	local f
	[ -s "$image" ] && [ -s "$initrd" ] || return 1
	# The files the initramfs is made from; not guests/linux/randread.c,
	# a benchmark program that goes on the datastore (scripts/bench-disk.sh).
	for f in "$src/init" "$src/mkcpio.py" "$self"; do
		[ "$image" -nt "$f" ] && [ "$initrd" -nt "$f" ] || return 1
	done
}

if [ "${1:-}" != "--force" ] && uptodate; then
	say "up to date: $image, $initrd"
	exit 0
fi

for t in apt-get apt-cache dpkg-deb python3 gzip "${cross}readelf" "${cross}objcopy"; do
	command -v "$t" >/dev/null 2>&1 || die "$t is missing (run scripts/setup.sh)"
done

# --- apt, arm64 only, state under cache/ (the options fetch-arm64.sh uses) ---
lists="$cache/apt-lists"
debs="$out/debs"
pkgs="$out/pkgs"
mkdir -p "$lists/partial" "$cache/apt-cache/archives/partial" "$debs" "$pkgs"
# Own binary caches of the lists (apt rebuilds them when the lists change):
# with them each apt-cache look-up takes milliseconds instead of a second.
apt_opts=(-o APT::Architecture=arm64 -o APT::Architectures=arm64
	-o Dir::State::Lists="$lists" -o Dir::Cache="$cache/apt-cache"
	-o Debug::NoLocking=1 -o APT::Sandbox::User=root
	-o Dir::Cache::pkgcache="$out/apt-pkgcache.bin"
	-o Dir::Cache::srcpkgcache="$out/apt-srcpkgcache.bin")
refreshed=0

apt_update() {
	say "updating the arm64 package lists" >&2
	apt-get "${apt_opts[@]}" update -q >/dev/null
	touch "$lists/.updated"
	refreshed=1
}
[ -f "$lists/.updated" ] || apt_update

candidate() {
	apt-cache "${apt_opts[@]}" policy "$1" 2>/dev/null |
		awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'
}

# The .deb of package $1 at its candidate version, downloaded once into
# cache/guest/debs; prints its path. A version gone from the archive since
# the lists were fetched makes one refresh of the lists and a retry.
fetch() {
	local name=$1 ver f
	ver=$(candidate "$name")
	[ -n "$ver" ] || die "no arm64 package named $name"
	f="$debs/${name}_${ver//:/%3a}_arm64.deb"
	if [ ! -f "$f" ]; then
		if ! (cd "$debs" && apt-get "${apt_opts[@]}" download -q "$name=$ver" >&2); then
			[ "$refreshed" = 0 ] || die "cannot download $name=$ver"
			apt_update
			fetch "$name"
			return
		fi
	fi
	[ -f "$f" ] || die "apt-get download left no $f"
	echo "$f"
}

# Unpacks a .deb once into cache/guest/pkgs/NAME_VERSION; prints that folder.
unpack() {
	local deb=$1 name ver dir
	name=$(dpkg-deb -f "$deb" Package)
	ver=$(dpkg-deb -f "$deb" Version)
	dir="$pkgs/${name}_${ver//:/%3a}"
	if [ ! -f "$dir/.unpacked" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		dpkg-deb -x "$deb" "$dir"
		touch "$dir/.unpacked"
	fi
	echo "$dir"
}

declare -A pkgdir pkgver
manifest=()
# get NAME: downloads and unpacks NAME once per run; sets pkgdir/pkgver.
get() {
	local name=$1 deb
	[ -n "${pkgdir[$name]:-}" ] && return
	deb=$(fetch "$name")
	pkgdir[$name]=$(unpack "$deb")
	pkgver[$name]=$(dpkg-deb -f "$deb" Version)
	manifest+=("$name ${pkgver[$name]}")
	say "package $name ${pkgver[$name]}"
}

# --- the kernel ---------------------------------------------------------
kpkg=$(apt-cache "${apt_opts[@]}" pkgnames linux-image-6.1.0- |
	grep -E '^linux-image-6\.1\.0-[0-9]+-arm64-unsigned$' | sort -V | tail -n1)
[ -n "$kpkg" ] || die "no linux-image-6.1.0-N-arm64-unsigned in the arm64 lists"
kver=${kpkg#linux-image-}
kver=${kver%-unsigned}
get "$kpkg"
kdir=${pkgdir[$kpkg]}
# Only the newest kernel stays unpacked (each is some 350 MB).
for d in "$pkgs"/linux-image-*; do
	[ "$d" = "$kdir" ] || rm -rf "$d"
done
vmlinuz="$kdir/boot/vmlinuz-$kver"
kconfig="$kdir/boot/config-$kver"
if [ ! -f "$vmlinuz" ] || [ ! -f "$kconfig" ]; then
	die "$kpkg has no boot/vmlinuz-$kver or config"
fi

mkdir -p "$out"
# arm64 vmlinuz is either the raw Image (EFI stub, "MZ" first) or a gzip of it.
if [ "$(od -An -tx1 -N2 "$vmlinuz" | tr -d ' \n')" = "1f8b" ]; then
	gzip -dc "$vmlinuz" >"$image.tmp"
	kform="gzip-compressed Image, decompressed"
else
	cat "$vmlinuz" >"$image.tmp"
	kform="raw Image, copied"
fi
[ "$(od -An -tx1 -j56 -N4 "$image.tmp" | tr -d ' \n')" = "41524d64" ] ||
	die "$vmlinuz: no arm64 Image magic ARM\\x64 at offset 56"
say "kernel $kver: vmlinuz is a $kform"

# Facts about the configuration the guest relies on (each "y" is built in).
config_of() {
	sed -n "s/^CONFIG_$1=\(.*\)/\1/p; s/^# CONFIG_$1 is not set/n/p" "$kconfig" | head -n1
}
kfacts=()
for opt in SERIAL_AMBA_PL011 SERIAL_AMBA_PL011_CONSOLE ARM_GIC_V3 ARM_ARCH_TIMER \
	DEVTMPFS BLK_DEV_INITRD RD_GZIP MODULE_SIG_FORCE ATA SATA_AHCI SCSI BLK_DEV_SD \
	USB_COMMON USB USB_XHCI_HCD USB_XHCI_PCI EFI_PARTITION VIRTIO VIRTIO_MMIO VIRTIO_BLK \
	VIRTIO_CONSOLE VIRTIO_NET EXT4_FS CRYPTO_CRC32C; do
	kfacts+=("CONFIG_$opt=$(config_of "$opt")")
done
# EFI_PARTITION: the partitions of a datastore disk (GPT) are /dev/vdaN.
for need in SERIAL_AMBA_PL011 SERIAL_AMBA_PL011_CONSOLE ARM_GIC_V3 ARM_ARCH_TIMER DEVTMPFS \
	BLK_DEV_INITRD RD_GZIP EFI_PARTITION; do
	[ "$(config_of "$need")" = y ] || die "$kconfig: CONFIG_$need is not built in"
done

# --- kernel modules: the wanted ones and what their modinfo names -------
# The PCI tests' AHCI disk and xHCI drivers; the virtio-mmio transport with
# its block, console and network drivers; and ext4, for a root filesystem on
# a virtio disk (root=/dev/vdX, guests/linux/init).
want_mods=(ahci libahci libata sd_mod xhci-pci xhci-hcd usbcore
	virtio_mmio virtio_blk virtio_console virtio_net ext4)
modroot="$kdir/lib/modules/$kver"
declare -A modpath moddeps modseen
while IFS= read -r p; do
	n=${p##*/}
	n=${n%.ko}
	modpath[${n//-/_}]=$p
done < <(cd "$modroot" && find kernel -name '*.ko')

tmpd=$(mktemp -d)
trap 'rm -rf "$tmpd" "$image.tmp" "$initrd.tmp"' EXIT

modinfo_of() { # NAME: the module's .modinfo, one "key=value" a line
	"${cross}objcopy" -O binary --only-section=.modinfo "$modroot/${modpath[$1]}" "$tmpd/modinfo"
	tr '\0' '\n' <"$tmpd/modinfo"
}

# soft_pre SOFTDEP: the modules a "softdep=pre: a b post: c" asks to load
# first, as far as they are needed and in the package. Only the crypto-NAME
# aliases are followed, to crypto/NAME_generic.ko when that module says it
# is crypto-NAME (alias=): ext4 and jbd2 ask for crypto-crc32c, without
# which (CONFIG_CRYPTO_CRC32C=m) a filesystem with metadata_csum, as mke2fs
# makes it by default, does not mount. The others name optional
# accelerations (crc-t10dif's crct10dif) or what depends= has already
# (crc64-rocksoft's crc64) and are left out.
soft_pre() {
	local a g
	awk '{ for (i = 1; i <= NF; i++) {
		if ($i == "pre:") on = 1; else if ($i ~ /:$/) on = 0; else if (on) print $i } }' <<<"$1" |
		while read -r a; do
			case $a in crypto-*) ;; *) continue ;; esac
			g=${a#crypto-}_generic
			g=${g//-/_}
			if [ -n "${modpath[$g]:-}" ] && modinfo_of "$g" | grep -qx "alias=$a"; then
				echo "$g"
			fi
		done
}

# visit_mod NAME: NAME after everything it needs, into modorder; moddeps
# gets what to load before it: the softdep pre: modules, then depends=.
modorder=()
visit_mod() {
	local n=${1//-/_} d info deps
	[ -n "${modseen[$n]:-}" ] && return
	modseen[$n]=1
	[ -n "${modpath[$n]:-}" ] || die "module $1 is not in $kpkg"
	info=$(modinfo_of "$n")
	deps=$({
		soft_pre "$(sed -n 's/^softdep=//p' <<<"$info")"
		sed -n 's/^depends=//p' <<<"$info" | head -n1 | tr , '\n'
	} | sed '/^$/d' | awk '!seen[$0]++' | paste -sd,)
	moddeps[$n]=$deps
	for d in ${deps//,/ }; do
		visit_mod "$d"
	done
	modorder+=("$n")
}
for m in "${want_mods[@]}"; do
	visit_mod "$m"
done

# --- userland -----------------------------------------------------------
get busybox-static
get libc6
get open-vm-tools
bb="${pkgdir[busybox-static]}/bin/busybox"
[ -f "$bb" ] || die "busybox-static has no bin/busybox"

# Shared library resolution: every NEEDED soname of a file is looked for in
# the packages unpacked so far, then in the Depends of the package the file
# came from (the one whose name matches the soname first, e.g.
# libtirpc.so.3 -> libtirpc3, libglib-2.0.so.0 -> libglib2.0-0), recursively.
declare -A libfile libowner
libdirs=(lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu lib usr/lib)

deps_of() { # PACKAGE: its Pre-Depends and Depends, first alternatives, names only
	local deb
	deb=$(fetch "$1")
	{
		dpkg-deb -f "$deb" Pre-Depends
		dpkg-deb -f "$deb" Depends
	} | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/:any//; s/[[:space:]]//g' | sed '/^$/d'
}

realpath_in() { # ROOT PATH: follows symlinks inside an unpacked package
	local root=$1 p=$2 t i
	for i in 1 2 3 4 5 6 7 8; do
		[ -L "$p" ] || break
		t=$(readlink "$p")
		case $t in
		/*) p="$root$t" ;;
		*) p="$(dirname "$p")/$t" ;;
		esac
	done
	[ -f "$p" ] && [ ! -L "$p" ] && echo "$p"
}

find_in_pkg() { # PACKAGE SONAME: prints the real file, if the package has it
	local dir=${pkgdir[$1]} d
	for d in "${libdirs[@]}"; do
		if [ -e "$dir/$d/$2" ] || [ -L "$dir/$d/$2" ]; then
			realpath_in "$dir" "$dir/$d/$2" && return 0
		fi
	done
	return 1
}

squash() { tr -cd 'a-z0-9' <<<"${1,,}"; }

needed_of() { "${cross}readelf" -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

resolve() { # FILE OWNER-PACKAGE
	local file=$1 owner=$2 so p f key cands first c
	for so in $(needed_of "$file"); do
		[ -n "${libfile[$so]:-}" ] && continue
		f=""
		for p in "${!pkgdir[@]}"; do
			case $p in linux-image-*) continue ;; esac
			if f=$(find_in_pkg "$p" "$so"); then break; fi
			f=""
		done
		if [ -z "$f" ]; then
			key=$(squash "${so%%.so*}${so##*.so.}")
			cands=$(deps_of "$owner")
			first=""
			for c in $cands; do
				[ "$(squash "$c")" != "$key" ] || first+=" $c"
			done
			for c in $first $cands; do
				[ -n "${pkgdir[$c]:-}" ] && continue
				get "$c"
				if f=$(find_in_pkg "$c" "$so"); then p=$c; break; fi
				f=""
			done
		fi
		[ -n "$f" ] || die "no package found for $so (needed by ${file##*/})"
		libfile[$so]=$f
		libowner[$so]=$p
		resolve "$f" "$p"
	done
}

ovt=${pkgdir[open-vm-tools]}
tools=(vmware-checkvm vmware-rpctool)
interp=""
for t in "${tools[@]}"; do
	[ -f "$ovt/usr/bin/$t" ] || die "open-vm-tools has no usr/bin/$t"
	resolve "$ovt/usr/bin/$t" open-vm-tools
	i=$("${cross}readelf" -l "$ovt/usr/bin/$t" | sed -n 's/.*program interpreter: \(.*\)\]/\1/p')
	[ -z "$interp" ] || [ "$interp" = "$i" ] || die "two program interpreters: $interp, $i"
	interp=$i
done
[ -n "$interp" ] || die "no program interpreter in the tools"
ldso=${interp##*/}
[ -n "${libfile[$ldso]:-}" ] || libfile[$ldso]=$(find_in_pkg libc6 "$ldso") ||
	die "libc6 has no $ldso"
libowner[$ldso]=libc6

# --- the initramfs tree ---------------------------------------------------
root="$out/root"
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib/aarch64-linux-gnu,proc,sys,dev,tmp,root,etc,opt/hv}
chmod 1777 "$root/tmp"

install -m 0755 "$bb" "$root/bin/busybox"
# The applet names: busybox keeps them as one sorted NUL-separated table that
# starts "[", "[[" (the binary is arm64, so it cannot list them here itself).
tr '\0' '\n' <"$bb" | awk '
	!on && prev == "[" && $0 == "[[" { on = 1; print "[" }
	on == 1 { if ($0 ~ /^[a-z0-9_.[\]-]+$/) print; else on = 2 }
	{ prev = $0 }' >"$tmpd/applets"
napplets=$(wc -l <"$tmpd/applets")
if [ "$napplets" -lt 100 ] || ! grep -qx sh "$tmpd/applets" || ! grep -qx cttyhack "$tmpd/applets"; then
	die "could not read the applet table of $bb"
fi
while IFS= read -r a; do
	[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done <"$tmpd/applets"

install -m 0755 "$src/init" "$root/init"

for t in "${tools[@]}"; do
	install -m 0755 "$ovt/usr/bin/$t" "$root/usr/bin/$t"
done
for so in "${!libfile[@]}"; do
	install -m 0755 "${libfile[$so]}" "$root/lib/aarch64-linux-gnu/$so"
done
if [ "$interp" != "/lib/aarch64-linux-gnu/$ldso" ]; then
	mkdir -p "$root$(dirname "$interp")"
	ln -sf "/lib/aarch64-linux-gnu/$ldso" "$root$interp"
fi

# Modules, with two indexes: modules.dep (the depmod format, for busybox
# modprobe) and hv-modules ("name path deps", in load order, for the init).
mdst="$root/lib/modules/$kver"
mkdir -p "$mdst"
: >"$mdst/hv-modules"
: >"$mdst/modules.dep"
closure() { # NAME: all dependencies, each once, the ones to load last first
	local d
	for d in ${moddeps[$1]//,/ }; do
		d=${d//-/_}
		closure "$d"
		echo "$d"
	done
}
for n in "${modorder[@]}"; do
	p=${modpath[$n]}
	mkdir -p "$mdst/$(dirname "$p")"
	install -m 0644 "$modroot/$p" "$mdst/$p"
	echo "$n $p ${moddeps[$n]:--}" >>"$mdst/hv-modules"
	deps=$(closure "$n" | awk '!seen[$0]++' | tac | while read -r d; do printf ' %s' "${modpath[$d]}"; done)
	echo "$p:$deps" >>"$mdst/modules.dep"
done

# A user program that executes BRK #0: a hand-made static ELF64 for AArch64
# (one R+X PT_LOAD at 0x400000, entry right after the headers) whose code is
#   brk #0; mov x0, #42; mov x8, #93 (exit); svc #0
# so it dies of SIGTRAP (status 133) unless something skips the BRK, and then
# exits 42.
le() { # VALUE BYTES: writes VALUE as BYTES little-endian bytes
	local v=$1 n=$2 s=""
	while [ "$n" -gt 0 ]; do
		s+=$(printf '\\0%03o' $((v & 255)))
		v=$((v >> 8))
		n=$((n - 1))
	done
	printf '%b' "$s"
}
# tiny_elf NAME WORD...: a minimal static AArch64 ELF at /opt/hv/NAME whose
# whole program is the given instruction words (one PT_LOAD segment).
base=$((0x400000))
tiny_elf() {
	local name=$1
	shift
	local out=$root/opt/hv/$name size=$((64 + 56 + 4 * $#))
	{
		printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000'
		le 2 2; le 183 2; le 1 4                   # ET_EXEC, EM_AARCH64, EV_CURRENT
		le $((base + 120)) 8; le 64 8; le 0 8      # entry, phoff, shoff
		le 0 4; le 64 2; le 56 2; le 1 2           # flags, ehsize, phentsize, phnum
		le 64 2; le 0 2; le 0 2                    # shentsize, shnum, shstrndx
		le 1 4; le 5 4; le 0 8                     # PT_LOAD, PF_R|PF_X, offset
		le $base 8; le $base 8                     # vaddr, paddr
		le $size 8; le $size 8; le 65536 8         # filesz, memsz, align
		for w in "$@"; do le $((w)) 4; done
	} >"$out"
	chmod 0755 "$out"
	[ "$(stat -c %s "$out")" = "$size" ] || die "$name has the wrong size"
	"${cross}readelf" -h "$out" | grep -q 'AArch64' || die "$name is not an AArch64 ELF"
}

# /opt/hv/brk0: brk #0; mov x0, #42; mov x8, #93 (exit); svc #0
tiny_elf brk0 0xd4200000 0xd2800540 0xd2800ba8 0xd4000001

# /opt/hv/brk86: the hypervisor's BRK backdoor from EL0, GETVERSION:
#   w0 = 'VMXh'; x1 = 0; x2 = 10; x3 = 0x5658; x7 = (0x86 << 32) | 0xe
#   brk #0x86; exit(x0 - 6): 0 when the hypervisor answered version 6
tiny_elf brk86 0x528b0d00 0x72aac9a0 0xd2800001 0xd2800142 0xd28acb03 0xd28001c7 \
	0xf2c010c7 0xd42010c0 0xd1001800 0xd2800ba8 0xd4000001

# /opt/hv/el0fake, /opt/hv/el0exit: a user process trying the project's own
# backdoor commands through the DCC entry (as open-vm-tools calls, under the
# kernel's MDSCR_EL1.TDCC), then exit(w0): 255 when the hypervisor refused
# them (w0 = 0xffffffff, docs/ABI.md "Who may call what").
#   el0fake: CONSOLE_WRITE of "hyp: FAKE\n" (n = 10; w1, w4, w5 the bytes)
#   w0 = 'VMXh'; w1 = "hyp:"; w2 = (10 << 16) | 0x8600; w3 = 0x5658;
#   w4 = " FAK"; w5 = "E\n"; x7 = (0x86 << 32) | 0xe; mrs xzr, mdccsr_el0
tiny_elf el0fake 0x528b0d00 0x72aac9a0 0x528f2d01 0x72a74e01 0x5290c002 0x72a00142 \
	0x528acb03 0x5288c404 0x72a96824 0x528148a5 0xd28001c7 0xf2c010c7 0xd533011f \
	0xd2800ba8 0xd4000001
#   el0exit: TEST_EXIT with code 77: w0 = 'VMXh'; x1 = 77; w2 = 0x8602;
#   w3 = 0x5658; x7 as above; mrs xzr, mdccsr_el0
tiny_elf el0exit 0x528b0d00 0x72aac9a0 0xd28009a1 0x5290c042 0x528acb03 0xd28001c7 \
	0xf2c010c7 0xd533011f 0xd2800ba8 0xd4000001

# /opt/hv/cntvct, for hvtest=count (scripts/bench-linux.sh): prints the
# virtual counter CNTVCT_EL0 (readable at EL0: Linux allows it for the vDSO)
# in decimal and a newline, then exits 0. The same kind of ELF, whose code is
#   mrs x1, cntvct_el0; sub sp, sp, #32; add x2, sp, #31; mov w3, #10
#   strb w3, [x2]; mov x4, #10
#   1: udiv x5, x1, x4; msub x6, x5, x4, x1; add w6, w6, #'0'
#   strb w6, [x2, #-1]!; mov x1, x5; cbnz x1, 1b
#   mov x0, #1; mov x1, x2; add x3, sp, #32; sub x2, x3, x2
#   mov x8, #64 (write); svc #0; mov x0, #0; mov x8, #93 (exit); svc #0
tiny_elf cntvct 0xd53be041 0xd10083ff 0x91007fe2 0x52800143 0x39000043 0xd2800144 \
	0x9ac40825 0x9b0484a6 0x1100c0c6 0x381ffc46 0xaa0503e1 0xb5ffff61 \
	0xd2800020 0xaa0203e1 0x910083e3 0xcb020062 0xd2800808 0xd4000001 \
	0xd2800000 0xd2800ba8 0xd4000001

# What went in, for people and for the guest's smoke test.
{
	echo "kernel $kver ($kpkg ${pkgver[$kpkg]})"
	echo "packages:"
	printf '  %s\n' "${manifest[@]}"
	echo "kernel configuration:"
	printf '  %s\n' "${kfacts[@]}"
	echo "modules (load order): ${modorder[*]}"
	echo "libraries:"
	for so in $(printf '%s\n' "${!libfile[@]}" | sort); do
		echo "  $so from ${libowner[$so]}"
	done
	echo "busybox applets: $napplets"
} >"$out/MANIFEST"
cp "$out/MANIFEST" "$root/etc/hv-guest-manifest"

# --- archive ----------------------------------------------------------------
python3 "$src/mkcpio.py" "$root" --mtime 0 \
	--node dev/console:c:5:1:600 --node dev/null:c:1:3:666 |
	gzip -9n >"$initrd.tmp"
mv "$image.tmp" "$image"
mv "$initrd.tmp" "$initrd"
say "wrote $image ($(stat -c %s "$image") bytes), $initrd ($(stat -c %s "$initrd") bytes)"
