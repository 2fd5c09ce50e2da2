# The platform's build. `make` builds the firmware and boot image for the
# platform PLAT (virt by default); `make run` boots them in QEMU; `make test`
# runs every test. Both run scripts/setup.sh first, which installs what is
# missing and does nothing when all is there.

PLAT    ?= virt
CROSS   ?= aarch64-linux-gnu-
CC      := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
HOSTCC  ?= gcc

B := build/$(PLAT)
H := build/host

FDT_ROOT := cache/arm64/usr
LIBFDT   := $(FDT_ROOT)/lib/aarch64-linux-gnu/libfdt.a

WARN := -Wall -Wextra -Werror -Wno-unused-parameter
INCS := -Iarch/include -Ilib/include

# Freestanding AArch64: no libc, no SIMD in our own code (libfdt has SIMD, so
# each exception level that calls it enables FP/SIMD), aligned accesses only
# so code is correct while the MMU is off and memory is Device memory, and
# absolute addresses only where a linked VA is meant (small code model uses
# PC-relative ADRP/ADD, which is what position-independent entry code needs).
TARGET_CFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -nostdlib \
	-mgeneral-regs-only -mstrict-align -fno-stack-protector -fno-pie \
	-fno-common -mcmodel=small -fno-builtin-printf \
	$(INCS) -Ilib/freestanding/include -I$(FDT_ROOT)/include
TARGET_ASFLAGS := -g $(INCS) -D__ASSEMBLY__
TARGET_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments

HOST_CFLAGS := -std=gnu11 -O1 -g $(WARN) -DHOST_BUILD $(INCS) \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

LIB_SRCS  := $(wildcard lib/*.c)
FREE_SRCS := $(wildcard lib/freestanding/*.c)

MON_SRCS  := $(wildcard monitor/*.c monitor/*.S) \
	$(wildcard monitor/platform/$(PLAT)/*.c)
BOOT_SRCS := $(wildcard boot/*.c boot/*.S)
HYP_SRCS  := $(wildcard hyp/*.c hyp/*.S)

obj = $(patsubst %.c,$(B)/%.o,$(patsubst %.S,$(B)/%.o,$(1)))

MON_OBJS  := $(call obj,$(MON_SRCS))
BOOT_OBJS := $(call obj,$(BOOT_SRCS))
HYP_OBJS  := $(call obj,$(HYP_SRCS))
LIB_OBJS  := $(call obj,$(LIB_SRCS) $(FREE_SRCS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(H)/tests/%,$(UNIT_SRCS))
HOST_LIB  := $(H)/libhv.a
HOST_LIB_OBJS := $(patsubst %.c,$(H)/%.o,$(LIB_SRCS))
TOOLS     := $(H)/mkbundle

FIRMWARE := $(B)/firmware.bin
BOOTIMG  := $(B)/boot.img

.PHONY: all setup run test unit clean format
all: $(FIRMWARE) $(BOOTIMG) $(TOOLS)

setup:
	@scripts/setup.sh

run: setup
	@$(MAKE) --no-print-directory all
	scripts/run-virt.sh

test: setup
	@$(MAKE) --no-print-directory all unit-bins
	tests/run.sh

unit-bins: $(UNIT_BINS)

unit: unit-bins
	@for t in $(UNIT_BINS); do $$t || exit 1; done

$(LIBFDT):
	@scripts/setup.sh

# --- AArch64 objects -------------------------------------------------------

$(B)/%.o: %.c | $(LIBFDT)
	@mkdir -p $(dir $@)
	$(CC) $(TARGET_CFLAGS) -MMD -MP -I$(dir $<) -Imonitor/platform/$(PLAT) -c $< -o $@

$(B)/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(TARGET_ASFLAGS) -MMD -MP -I$(dir $<) -Imonitor/platform/$(PLAT) -c $< -o $@

$(B)/%.ld: %.ld.S
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c $(INCS) -Imonitor/platform/$(PLAT) -D__ASSEMBLY__ $< -o $@

$(B)/monitor.elf: $(MON_OBJS) $(LIB_OBJS) $(B)/monitor/monitor.ld
	$(CC) $(TARGET_LDFLAGS) -T $(B)/monitor/monitor.ld -o $@ $(MON_OBJS) $(LIB_OBJS) $(LIBFDT) -lgcc

$(B)/boot.elf: $(BOOT_OBJS) $(LIB_OBJS) $(B)/boot/boot.ld
	$(CC) $(TARGET_LDFLAGS) -T $(B)/boot/boot.ld -o $@ $(BOOT_OBJS) $(LIB_OBJS) $(LIBFDT) -lgcc

$(B)/hyp.elf: $(HYP_OBJS) $(LIB_OBJS) $(B)/hyp/hyp.ld
	$(CC) $(TARGET_LDFLAGS) -T $(B)/hyp/hyp.ld -o $@ $(HYP_OBJS) $(LIB_OBJS) $(LIBFDT) -lgcc

$(B)/%.bin: $(B)/%.elf
	$(OBJCOPY) -O binary $< $@

$(FIRMWARE): $(B)/monitor.bin
	cp $< $@

# The bundle carries the hypervisor and the boot configuration; the boot
# image is the bootloader followed by the bundle (docs/BOOT_IMAGE.md).
$(B)/bundle.bin: $(B)/hyp.bin configs/default.cfg $(H)/mkbundle
	$(H)/mkbundle -o $@ --hyp $(B)/hyp.bin --config configs/default.cfg

$(BOOTIMG): $(B)/boot.bin $(B)/bundle.bin
	cat $^ > $@

# --- host programs and unit tests -----------------------------------------

$(H)/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(HOST_LIB): $(HOST_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(H)/tests/%: tests/unit/%.c $(HOST_LIB)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -Itests/unit $< $(HOST_LIB) -o $@

$(H)/mkbundle: tools/mkbundle.c $(HOST_LIB)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $< $(HOST_LIB) -o $@

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
