#!/usr/bin/env bash
# Installs what building and testing the platform needs, idempotently:
#   - the AArch64 cross compiler (gcc-aarch64-linux-gnu),
#   - QEMU 10 from bookworm-backports (it has FEAT_RME, which the monitor's
#     granule protection needs),
#   - Debian's arm64 libfdt (libfdt.a), unpacked into the ignored cache folder,
#   - clang with libFuzzer and the sanitizer runtimes (libclang-rt-14-dev,
#     only recommended by clang, so named here) for the fuzz targets,
#   - sfdisk (util-linux, in Debian's fdisk package) and e2fsprogs for
#     scripts/make-datastore.sh.
# bookworm-backports is enabled by reusing the URI the machine's apt
# configuration already holds; no package host is named here.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache="$top/cache"
stamp="$cache/.setup-done"
want_qemu_major=10

have_tools() {
	command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || return 1
	command -v qemu-system-aarch64 >/dev/null 2>&1 || return 1
	local v
	v=$(qemu-system-aarch64 --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
	[ "${v:-0}" -ge "$want_qemu_major" ] || return 1
	[ -f "$cache/arm64/usr/lib/aarch64-linux-gnu/libfdt.a" ] || return 1
	[ -f /usr/include/libfdt.h ] || return 1
	command -v clang-format >/dev/null 2>&1 || return 1
	command -v clang >/dev/null 2>&1 || return 1
	PATH=$PATH:/sbin:/usr/sbin command -v sfdisk >/dev/null 2>&1 || return 1
	PATH=$PATH:/sbin:/usr/sbin command -v mke2fs >/dev/null 2>&1 || return 1
	compgen -G '/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a' >/dev/null ||
		return 1
	return 0
}

if have_tools && [ -f "$stamp" ]; then
	exit 0
fi

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The debian archive URI from the machine's own deb822 or one-line sources.
debian_uri() {
	local f uri=""
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		uri=$(awk '
			/^URIs:/ { u = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") s = 1 }
			/^$/ { if (u != "" && s) { print u; exit } u = ""; s = 0 }
			END { if (u != "" && s) print u }' "$f" | head -n1)
		[ -n "$uri" ] && break
	done
	if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list)
	fi
	[ -n "$uri" ] || { echo "setup: no bookworm entry in the apt configuration" >&2; exit 1; }
	echo "$uri"
}

backports=/etc/apt/sources.list.d/bookworm-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	uri=$(debian_uri)
	echo "setup: enabling bookworm-backports from the configured Debian archive"
	as_root tee "$backports" >/dev/null <<SRC
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

echo "setup: installing the cross compiler and QEMU from bookworm-backports"
as_root apt-get update -q
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu make gcc libc6-dev \
	device-tree-compiler python3 ca-certificates libfdt-dev clang-format git \
	clang libclang-rt-14-dev fdisk e2fsprogs
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	-t bookworm-backports qemu-system-arm

# Debian's arm64 packages, fetched without touching the host's apt state.
"$top/scripts/fetch-arm64.sh" libfdt-dev libfdt1

touch "$stamp"
have_tools || { echo "setup: tools still missing after install" >&2; exit 1; }
echo "setup: done"
