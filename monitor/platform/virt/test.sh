# What the system tests (tests/system/lib.sh) need of this platform, sourced
# with $top set to the tree: the script that boots it in QEMU.
runner=$top/scripts/run-virt.sh
