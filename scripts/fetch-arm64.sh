#!/usr/bin/env bash
# Downloads Debian arm64 packages by name into cache/ and unpacks them into
# cache/arm64, leaving the host's own apt configuration and state untouched.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache="$top/cache"
lists="$cache/apt-lists"
debs="$cache/debs"
root="$cache/arm64"
mkdir -p "$lists/partial" "$debs" "$root"

opts=(-o APT::Architecture=arm64 -o APT::Architectures=arm64
	-o Dir::State::Lists="$lists" -o Dir::Cache="$cache/apt-cache"
	-o Debug::NoLocking=1)
mkdir -p "$cache/apt-cache/archives/partial"

if [ ! -f "$lists/.updated" ]; then
	apt-get "${opts[@]}" update -q
	touch "$lists/.updated"
fi

cd "$debs"
for pkg in "$@"; do
	if ! ls "$debs/${pkg}_"*_arm64.deb >/dev/null 2>&1; then
		apt-get "${opts[@]}" download -q "$pkg"
	fi
	dpkg -x "$(ls "$debs/${pkg}_"*_arm64.deb | head -n1)" "$root"
done
