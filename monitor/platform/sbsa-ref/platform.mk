# QEMU sbsa-ref boots from two pflash banks, and QEMU wants each drive
# exactly the bank's size: flash0.img is the firmware padded to it (sparse),
# flash1.img the boot image behind its header (build/host/mkflash,
# docs/BOOT_IMAGE.md). scripts/run-sbsa.sh makes its own flash1 for other
# boot images or a fixed seed.
FLASH_BANK_SIZE := 256M
PLAT_IMAGES := $(B)/flash0.img $(B)/flash1.img

$(B)/flash0.img: $(FIRMWARE)
	@echo "  flash    $@"
	$(Q)cp $< $@ && truncate -s $(FLASH_BANK_SIZE) $@

$(B)/flash1.img: $(BOOTIMG) $(H)/mkflash
	@echo "  flash    $@"
	$(Q)$(H)/mkflash -o $@ --size $(FLASH_BANK_SIZE) $(BOOTIMG)
