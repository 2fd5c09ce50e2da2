# QEMU virt: the firmware goes to -bios and the boot image to -kernel as
# they are (build/virt/firmware.bin, build/virt/boot.img); nothing to add.
