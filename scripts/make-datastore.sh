#!/usr/bin/env bash
# Writes a datastore: one raw disk image with a GPT partition table and one
# partition per VM disk, each found by its GPT partition name (docs/DATASTORE.md,
# "Making a datastore"). By default:
#   1 debian-root  256 MiB  ext4 holding the Linux guest's tree, the same
#                           files as its initramfs (scripts/guest-linux.sh),
#                           for root=/dev/vda1 (guests/linux/init)
#   2 data          64 MiB  an empty ext4
# each starting on a 1 MiB boundary.
#
#   scripts/make-datastore.sh [-o OUT] [--root-size SIZE] [--data-size SIZE]
#                             [--part LABEL:SIZE[:ext4|raw]]... [--tree DIR] [--force]
#
# SIZE is a number with K, M, G or T (powers of 1024; a plain number is
# MiB), rounded up to whole MiB, at least 1 MiB and at most 1 TiB; a
# --data-size of 0 leaves the data partition out. --part adds a partition
# after those (ext4 unless :raw, a raw one reads as zeros). OUT is
# build/virt/datastore.img unless -o says otherwise. An existing OUT is kept
# as it is (users' data lives there) unless --force. No root privileges and
# no mounting: sfdisk writes the table into the file, each filesystem is
# made in a file of its own by mke2fs (-d DIR copies the tree in) and copied
# into place with dd.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${BUILD:-$top/build/virt}/datastore.img
tree=
root_mib=256
data_mib=64
force=0
extra=()

say() { echo "datastore: $*"; }
die() {
	echo "datastore: error: $*" >&2
	exit 1
}
usage() {
	echo "usage: scripts/make-datastore.sh [-o OUT] [--root-size SIZE] [--data-size SIZE]" >&2
	echo "         [--part LABEL:SIZE[:ext4|raw]]... [--tree DIR] [--force]" >&2
	exit 2
}

# mib SIZE: SIZE in MiB, rounded up; refuses what is not a size or is out of
# range (at most 1 TiB; the digits are bounded first so that the arithmetic
# below cannot overflow 64 bits).
MAX_MIB=$((1024 * 1024))
mib() {
	local s=$1 n unit kib
	[[ $s =~ ^([0-9]{1,13})([KMGTkmgt]?)$ ]] || die "'$s' is not a size (a number and K, M, G or T)"
	n=$((10#${BASH_REMATCH[1]}))
	unit=${BASH_REMATCH[2]^^}
	case $unit in
	K) kib=$n ;;
	M | "") kib=$((n * 1024)) ;;
	G) kib=$((n * 1024 * 1024)) ;;
	T) kib=$((n * 1024 * 1024 * 1024)) ;;
	esac
	[ $(((kib + 1023) / 1024)) -le $MAX_MIB ] || die "'$s' is more than 1 TiB"
	echo $(((kib + 1023) / 1024))
}

while [ $# -gt 0 ]; do
	case $1 in
	-o) [ $# -ge 2 ] || usage; out=$2; shift ;;
	--root-size) [ $# -ge 2 ] || usage; root_mib=$(mib "$2"); shift ;;
	--data-size) [ $# -ge 2 ] || usage; data_mib=$(mib "$2"); shift ;;
	--part) [ $# -ge 2 ] || usage; extra+=("$2"); shift ;;
	--tree) [ $# -ge 2 ] || usage; tree=$2; shift ;;
	--force) force=1 ;;
	-h | --help) usage ;;
	*) echo "datastore: unknown argument '$1'" >&2; usage ;;
	esac
	shift
done
[ "$root_mib" -ge 1 ] || die "--root-size must be at least 1M"

# The partitions: parallel arrays, in table order.
labels=() sizes=() kinds=()
add_part() { # LABEL MIB KIND
	local l
	# A GPT partition name is 36 UTF-16 code units (UEFI 2.10, 5.3.3,
	# "GPT Partition Entry", PartitionName); these are plain ASCII.
	[[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,35}$ ]] ||
		die "partition name '$1': 1 to 36 of A-Z a-z 0-9 . _ -, not starting with . _ -"
	for l in "${labels[@]}"; do
		[ "$l" != "$1" ] || die "two partitions named '$1'"
	done
	[ "$2" -ge 1 ] || die "partition '$1': size 0"
	case $3 in root | ext4 | raw) ;; *) die "partition '$1': kind '$3' is not ext4 or raw" ;; esac
	# sfdisk's table has 128 entries: the 16 KiB of entries of 128 bytes
	# that UEFI 2.10, 5.3.2 asks to reserve at least.
	[ "${#labels[@]}" -lt 128 ] || die "more than 128 partitions"
	labels+=("$1")
	sizes+=("$2")
	kinds+=("$3")
}
add_part debian-root "$root_mib" root
[ "$data_mib" = 0 ] || add_part data "$data_mib" ext4
for p in "${extra[@]}"; do
	IFS=: read -r l s k rest <<<"$p"
	if [ -z "$l" ] || [ -z "${s:-}" ] || [ -n "${rest:-}" ]; then
		die "--part '$p' is not LABEL:SIZE[:ext4|raw]"
	fi
	m=$(mib "$s")
	add_part "$l" "$m" "${k:-ext4}"
done

# --- tools ---------------------------------------------------------------
need() { # TOOL PACKAGE
	command -v "$1" >/dev/null 2>&1 || PATH=$PATH:/sbin:/usr/sbin command -v "$1" >/dev/null 2>&1 ||
		die "$1 is missing: it is in Debian's $2 package (apt-get install $2, or scripts/setup.sh)"
}
need sfdisk fdisk # util-linux's sfdisk; Debian ships it in the fdisk package
need mke2fs e2fsprogs
need debugfs e2fsprogs
need e2fsck e2fsprogs
need dd coreutils
need truncate coreutils
export PATH=$PATH:/sbin:/usr/sbin

if [ -e "$out" ] && [ "$force" = 0 ]; then
	say "$out exists and is kept: users' data lives there (--force writes it anew, losing it)"
	if [ -z "$tree" ] && [ "$top/cache/guest/initrd.cpio.gz" -nt "$out" ]; then
		say "note: the guest (cache/guest) is newer than its debian-root"
	fi
	exit 0
fi

# The guest tree: the folder scripts/guest-linux.sh makes the initramfs from
# (it leaves it in cache/guest/root). Taken rather than unpacking
# initrd.cpio.gz: mke2fs -d reads it as it is, with no cpio extractor and no
# second copy; guest-linux.sh runs first, so it is the tree of the current
# initramfs. The two device nodes the archive adds (mkcpio.py --node) are
# made here too.
if [ -z "$tree" ]; then
	"$top/scripts/guest-linux.sh" >/dev/null || die "scripts/guest-linux.sh failed"
	tree=$top/cache/guest/root
	[ -x "$tree/init" ] ||
		die "$tree/init is missing: run scripts/guest-linux.sh --force"
fi
[ -d "$tree" ] || die "no folder $tree"

# --- layout: 1 MiB aligned, LBA 2048 first ------------------------------
# Sectors of 512 bytes; the primary GPT (LBA 1 and 32 sectors of entries)
# fits in the first MiB, the backup GPT (UEFI 2.10, 5.3.2: its header in the
# last LBA, its entries just before) in the MiB after the last partition.
starts=()
at=1
for i in "${!labels[@]}"; do
	starts+=("$at")
	at=$((at + sizes[i]))
done
total=$((at + 1))
[ "$total" -le $((4 * MAX_MIB)) ] || die "the datastore would be $total MiB, more than 4 TiB"

mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d "$(dirname "$out")/.datastore.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
img=$tmp/datastore.img
truncate -s "${total}M" "$img"

# Partition types (UEFI 2.10, 5.3.3, PartitionTypeGUID): the root one is the
# Discoverable Partitions Specification's "Root Partition (64-bit ARM/AArch64)",
# the others "Linux filesystem data". What the platform and the guest go by
# is the name.
TYPE_ROOT_ARM64=B921B045-1DF0-41C3-AF44-4C6F280D3FAE
TYPE_LINUX_DATA=0FC63DAF-8483-4772-8E79-3D69D8477DE4
{
	echo "label: gpt"
	echo "unit: sectors"
	echo "first-lba: 2048"
	echo
	for i in "${!labels[@]}"; do
		t=$TYPE_LINUX_DATA
		[ "${kinds[i]}" != root ] || t=$TYPE_ROOT_ARM64
		echo "start=$((starts[i] * 2048)), size=$((sizes[i] * 2048)), type=$t, name=\"${labels[i]}\""
	done
} >"$tmp/table"
sfdisk -q --no-reread --no-tell-kernel "$img" <"$tmp/table" >"$tmp/sfdisk.log" 2>&1 ||
	die "sfdisk failed: $(tail -n 3 "$tmp/sfdisk.log")"

# mkfs_ext4 FILE MIB LABEL [TREE]: an ext4 of MIB MiB in FILE, with TREE's
# files. Everything in it belongs to root, whoever runs this.
mkfs_ext4() {
	local f=$1 size=$2 label=${3:0:16} src=${4:-}
	local args=(-q -F -t ext4 -L "$label" -E root_owner=0:0)
	[ -z "$src" ] || args+=(-d "$src")
	truncate -s "${size}M" "$f"
	mke2fs "${args[@]}" "$f" >"$tmp/mke2fs.log" 2>&1 ||
		die "mke2fs for '$3' ($size MiB) failed: $(tail -n 3 "$tmp/mke2fs.log")$([ -z "$src" ] || echo "; $(du -sh "$src" | cut -f1) to copy in")"
	[ -n "$src" ] || return 0
	# mke2fs -d copies owners as they are on the host; the initramfs has
	# every file as root's (mkcpio.py), and so does this.
	(cd "$src" && find . \( ! -uid 0 -o ! -gid 0 \) -printf '%P\n') |
		while IFS= read -r p; do
			printf 'sif "/%s" uid 0\nsif "/%s" gid 0\n' "$p" "$p"
		done >"$tmp/debugfs.cmds"
	# The nodes the kernel opens before anything is mounted, as in the
	# archive (debugfs makes them with no permissions: sif sets the mode).
	# (debugfs's mknod takes a name in its current folder, not a path.)
	if [ -d "$src/dev" ] && [ ! -e "$src/dev/console" ]; then
		printf 'cd /dev\nmknod console c 5 1\nsif /dev/console mode 020600\n' >>"$tmp/debugfs.cmds"
	fi
	if [ -d "$src/dev" ] && [ ! -e "$src/dev/null" ]; then
		printf 'cd /dev\nmknod null c 1 3\nsif /dev/null mode 020666\n' >>"$tmp/debugfs.cmds"
	fi
	if [ -s "$tmp/debugfs.cmds" ]; then
		debugfs -w -f "$tmp/debugfs.cmds" "$f" >"$tmp/debugfs.log" 2>&1 ||
			die "debugfs on '$3' failed: $(tail -n 3 "$tmp/debugfs.log")"
	fi
	e2fsck -fn "$f" >"$tmp/e2fsck.log" 2>&1 ||
		die "'$3' does not check clean: $(tail -n 3 "$tmp/e2fsck.log")"
}

for i in "${!labels[@]}"; do
	f=$tmp/part$((i + 1)).img
	case ${kinds[i]} in
	root) mkfs_ext4 "$f" "${sizes[i]}" "${labels[i]}" "$tree" ;;
	ext4) mkfs_ext4 "$f" "${sizes[i]}" "${labels[i]}" ;;
	raw) continue ;;
	esac
	# sparse: the blocks mke2fs left empty stay holes in the image.
	dd if="$f" of="$img" bs=1M seek="${starts[i]}" conv=notrunc,sparse status=none
	rm -f "$f"
done

# The table as sfdisk reads it back must be the one asked for.
sfdisk -d "$img" >"$tmp/dump" 2>/dev/null || die "sfdisk cannot read back the table"
for i in "${!labels[@]}"; do
	grep -q "start= *$((starts[i] * 2048)), size= *$((sizes[i] * 2048)),.*name=\"${labels[i]}\"" "$tmp/dump" ||
		die "partition $((i + 1)) '${labels[i]}' is not in the table as written"
done

mv -f "$img" "$out"
say "wrote $out: $total MiB, GPT"
for i in "${!labels[@]}"; do
	k=${kinds[i]}
	[ "$k" != root ] || k="ext4, the guest tree from $tree"
	say "  $((i + 1)) ${labels[i]}: ${sizes[i]} MiB at ${starts[i]} MiB, $k"
done
