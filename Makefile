# The platform's build. `make` builds the firmware and boot image for the
# platform PLATFORM (virt by default; PLAT is an alias), into
# build/PLATFORM; `make run` boots them in QEMU; `make test` builds every
# platform and runs every test. Both run scripts/setup.sh first, which
# installs what is missing and does nothing when all is there.
#
#   make                       QEMU virt: build/virt/firmware.bin, boot.img
#   make PLATFORM=sbsa-ref     QEMU sbsa-ref: build/sbsa-ref/flash0.img, flash1.img

PLATFORM ?= $(if $(PLAT),$(PLAT),virt)
PLATFORMS := $(notdir $(wildcard monitor/platform/*))
ifeq ($(filter $(PLATFORM),$(PLATFORMS)),)
$(error unknown PLATFORM '$(PLATFORM)': monitor/platform/ has $(PLATFORMS))
endif
CROSS   ?= aarch64-linux-gnu-
CC      := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
OBJDUMP := $(CROSS)objdump
NM      := $(CROSS)nm
HOSTCC  ?= gcc
# V=1 shows the full commands.
Q := $(if $(V),,@)

B := build/$(PLATFORM)
H := build/host

FDT_ROOT := cache/arm64/usr
LIBFDT   := $(FDT_ROOT)/lib/aarch64-linux-gnu/libfdt.a

WARN := -Wall -Wextra -Werror -Wno-unused-parameter
# Every header sits beside its source and is included by its path from the
# top of the tree (<hyp/vdev/vgic_model.h>, <lib/image/bundle.h>); arch/
# (headers only) and lib/freestanding (the C library's) keep include/ trees.
INCS := -Iarch/include -I.

# Freestanding AArch64: no libc, no SIMD in our own code (libfdt has SIMD, so
# each exception level that calls it enables FP/SIMD), aligned accesses only
# so code is correct while the MMU is off and memory is Device memory, and
# absolute addresses only where a linked VA is meant (small code model uses
# PC-relative ADRP/ADD, which is what position-independent entry code needs).
TARGET_CFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -nostdlib \
	-mgeneral-regs-only -mstrict-align -fno-stack-protector -fno-pie \
	-fno-common -fno-omit-frame-pointer -mcmodel=small -fno-tree-loop-distribute-patterns -mno-outline-atomics \
	$(INCS) -Ilib/freestanding/include -I$(FDT_ROOT)/include
TARGET_ASFLAGS := -g $(INCS) -D__ASSEMBLY__
TARGET_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments

HOST_CFLAGS := -std=gnu11 -O1 -g $(WARN) -DHOST_BUILD $(INCS) \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

# Linker scripts are preprocessed too (name.ld.S) but are not sources.
srcs = $(filter-out %.ld.S,$(wildcard $(1)/*.c $(1)/*.S))
# rsrcs: the same, in the folder and every folder below it.
rsrcs = $(filter-out %.ld.S,$(shell find $(1) -name '*.c' -o -name '*.S' | sort))

# Each program is its folder: the monitor with its board's port only, the
# hypervisor without hyp/test/ (the self-tests and the debug hypercall,
# only in hyp-test.bin). lib/ is what two or more of them share.
LIB_SRCS  := $(filter-out lib/freestanding/%,$(call rsrcs,lib))
FREE_SRCS := $(wildcard lib/freestanding/*.c)
MON_SRCS  := $(filter-out monitor/platform/%,$(call rsrcs,monitor)) \
	$(wildcard monitor/platform/$(PLATFORM)/*.c)
BOOT_SRCS := $(call rsrcs,boot)
HYP_SRCS  := $(filter-out hyp/test/%,$(call rsrcs,hyp))
HYP_TEST_SRCS := $(call rsrcs,hyp/test)

obj = $(patsubst %.c,$(B)/%.o,$(patsubst %.S,$(B)/%.o,$(1)))

MON_OBJS  := $(call obj,$(MON_SRCS))
BOOT_OBJS := $(call obj,$(BOOT_SRCS))
HYP_OBJS  := $(call obj,$(HYP_SRCS))
LIB_OBJS  := $(call obj,$(LIB_SRCS) $(FREE_SRCS))

# Bare-metal test guests: guests/NAME.c each, on the runtime in guests/rt.
GUEST_NAMES := $(basename $(notdir $(wildcard guests/*.c)))
GUEST_RT_OBJS := $(call obj,$(call srcs,guests/rt)) $(B)/lib/fmt.o \
	$(B)/lib/freestanding/string.o
GUEST_BINS := $(patsubst %,$(B)/guests/%.bin,$(GUEST_NAMES))
# One of them also as a raw image: no Image header, linked for RAM base +
# 0x80000, where a raw image is loaded (mkbootimg --raw, as QEMU -kernel).
GUEST_RAW_RT_OBJS := $(filter-out $(B)/guests/rt/start.o,$(GUEST_RT_OBJS)) \
	$(B)/guests/rt/start-raw.o
GUEST_RAW_BINS := $(B)/guests/faults-raw.bin
# A program for the Linux guest, not a bare-metal guest (guests/linux/*.c is
# outside GUEST_NAMES): the 4 KiB random-read benchmark scripts/bench-disk.sh
# puts on the datastore.
LINUX_GUEST_BINS := $(B)/guests/linux/randread

# Host-testable sources, built with -DHOST_BUILD into one host archive per
# program (as Hafnium's src_testable): all of lib/, and what each program's
# testable.mk lists (its logic with no hardware access). The unit tests
# mirror the tree (tests/unit/hyp/vdev/test_vgic_model.c tests
# hyp/vdev/vgic_model.c); each links the archives, which give it only the
# members it calls (a test of lib/pci/host_bridge_dt.c checks the node in
# a guest's tree from hyp/vdev/guest_dt.c too). The binaries are
# build/host/tests/test_NAME, so NAME is unique.
include monitor/testable.mk boot/testable.mk hyp/testable.mk
TESTABLE_lib := $(LIB_SRCS)
# The host double of the arch layer (arch/fake/sysreg.h): the system
# registers the trap handlers read and write, as fields the tests set.
TESTABLE_arch := $(wildcard arch/fake/*.c)
host_ar = $(H)/$(1)-host.a
# An archive is remade when its list changes: a source added to a
# testable.mk whose object is missing must not leave the archive as it was.
$(foreach p,hyp monitor boot lib arch,$(eval $(call host_ar,$(p)): \
	$(patsubst %.c,$(H)/%.o,$(TESTABLE_$(p))) $(wildcard $(p)/testable.mk)))
HOST_LIB := $(call host_ar,lib)
# lib, then arch, last: the programs' code calls into them.
HOST_ARS := $(foreach p,hyp monitor boot lib arch,$(call host_ar,$(p)))
UNIT_SRCS := $(shell find tests/unit -name 'test_*.c' | sort)
UNIT_BINS := $(foreach t,$(UNIT_SRCS),$(H)/tests/$(basename $(notdir $(t))))
$(foreach t,$(UNIT_SRCS),$(eval $(H)/tests/$(basename $(notdir $(t))): $(t) $(HOST_ARS)))
# Host tools: tools/NAME.c each, sharing TOOL_SHARED.
TOOL_SHARED := tools/bundle_write.c tools/common.c
TOOLS     := $(patsubst tools/%.c,$(H)/%,$(filter-out $(TOOL_SHARED),$(wildcard tools/*.c)))

FIRMWARE := $(B)/firmware.bin
BOOTIMG  := $(B)/boot.img
# What a platform adds (flash images, say): its platform.mk sets PLAT_IMAGES
# and gives their rules.
PLAT_IMAGES :=
.DEFAULT_GOAL := all
include monitor/platform/$(PLATFORM)/platform.mk

# Keep the ELF files (for debuggers and addr2line) though they are intermediate.
.SECONDARY:

.PHONY: all setup run test unit unit-bins bench fuzz clean format
all: $(FIRMWARE) $(BOOTIMG) $(PLAT_IMAGES) $(TOOLS) $(GUEST_BINS) $(GUEST_RAW_BINS) \
	$(LINUX_GUEST_BINS) $(B)/hyp-test.bin

setup:
	@scripts/setup.sh

run: setup
	@$(MAKE) --no-print-directory all
	PLATFORM=$(PLATFORM) scripts/run-linux.sh

# Every platform is built: the system tests boot each of them.
test: setup
	@$(MAKE) -s --no-print-directory PLATFORM=virt all unit-bins
	@$(MAKE) -s --no-print-directory PLATFORM=sbsa-ref all
	tests/run.sh

bench: setup
	@$(MAKE) --no-print-directory all
	scripts/bench-boot.sh
	scripts/bench-calls.sh
	scripts/bench-ecam.sh
	scripts/bench-pnmi.sh
	scripts/bench-linux.sh
	scripts/bench-sched.sh
	scripts/bench-disk.sh

# libFuzzer targets (tests/fuzz), with clang, FUZZ_SECONDS (default 60) each;
# make test runs each for 20 s (tests/system/test_fuzz.sh).
fuzz:
	tests/fuzz/run.sh $(FUZZ_SECONDS)

unit-bins: $(UNIT_BINS)

unit: unit-bins
	@for t in $(UNIT_BINS); do $$t || exit 1; done

$(LIBFDT):
	@scripts/setup.sh

# --- AArch64 objects -------------------------------------------------------

# The monitor's shared code and its platform port see each other's headers
# (monitor.h, plat.h; the port's platform.h); nothing else sees them.
MON_INCS := -Imonitor -Imonitor/platform/$(PLATFORM)
$(MON_OBJS) $(B)/monitor/monitor.ld: EXTRA_INCS := $(MON_INCS)

$(B)/%.o: %.c | $(LIBFDT)
	@mkdir -p $(dir $@)
	@echo "  cc       $@"
	$(Q)$(CC) $(TARGET_CFLAGS) -MMD -MP -I$(dir $<) $(EXTRA_INCS) -c $< -o $@

$(B)/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  cc       $@"
	$(Q)$(CC) $(TARGET_ASFLAGS) -MMD -MP -I$(dir $<) $(EXTRA_INCS) -c $< -o $@

$(B)/%.ld: %.ld.S
	@mkdir -p $(dir $@)
	@echo "  cc       $@"
	$(Q)$(CC) -E -P -x c $(INCS) $(EXTRA_INCS) -D__ASSEMBLY__ $< -o $@

# lib/ is an archive: each image takes from it only the members it calls,
# so the monitor carries none of the hypervisor's code and the bootloader
# none of the monitor's (tests/system/test_image_contents.sh checks).
# libfdt calls back into lib/freestanding, hence the group.
LIB_AR := $(B)/lib.a
LINK_LIBS := -Wl,--start-group $(LIB_AR) $(LIBFDT) -Wl,--end-group -lgcc

$(LIB_AR): $(LIB_OBJS)
	@echo "  ar       $@"
	$(Q)rm -f $@ && $(CROSS)ar rcs $@ $^

$(B)/monitor.elf: $(MON_OBJS) $(LIB_AR) $(B)/monitor/monitor.ld
	@echo "  cc       $@"
	$(Q)$(CC) $(TARGET_LDFLAGS) -T $(B)/monitor/monitor.ld -o $@ $(MON_OBJS) $(LINK_LIBS)

# What the bootloader runs before its MMU is on must be position-independent:
# an absolute address there would point at the linked VA, not yet mapped.
PRE_MMU_OBJS := $(B)/boot/early.o $(B)/lib/mm/pgtable.o $(B)/lib/freestanding/string.o
$(B)/boot/pre-mmu.checked: $(PRE_MMU_OBJS)
	@for o in $^; do for s in .text .data; do \
		if $(OBJDUMP) -r -j $$s $$o 2>/dev/null | grep -q ABS64; then \
			echo "$$o: absolute relocation in $$s: not position-independent" >&2; \
			exit 1; fi; done; done
	@if $(OBJDUMP) -r -j .rodata $(B)/boot/early.o 2>/dev/null | grep -q ABS64; then \
		echo "$(B)/boot/early.o: absolute relocation in .rodata" >&2; exit 1; fi
	@touch $@

$(B)/boot.elf: $(BOOT_OBJS) $(LIB_AR) $(B)/boot/boot.ld $(B)/boot/pre-mmu.checked
	@echo "  cc       $@"
	$(Q)$(CC) $(TARGET_LDFLAGS) -T $(B)/boot/boot.ld -o $@ $(BOOT_OBJS) $(LINK_LIBS)

# Two hypervisors: hyp.bin, and hyp-test.bin for the tests, which has
# hyp/test/ in place of hyp/stock.c: the self-tests a boot configuration's
# `test = ...` asks for, and the debug hypercall that can make a CPU
# misbehave on purpose. The stock image has neither
# (tests/system/test_image_contents.sh checks).
HYP_TEST_OBJS := $(filter-out $(B)/hyp/stock.o,$(HYP_OBJS)) $(call obj,$(HYP_TEST_SRCS))

# Each carries a symbol table of its own code (hyp/pnmi/symtab.h), so it links
# twice: pass 1 with an empty table, whose text symbols scripts/mksymtab.sh
# writes out, pass 2 with that table. The linker script puts the table
# after everything else read-only, so its size cannot move code; the text
# symbols of the two passes are compared to be sure.
HYP_LINK = $(CC) $(TARGET_LDFLAGS) -T $(B)/hyp/hyp.ld -o $@ $(1) $(2) $(LINK_LIBS)
hyp_text_syms = $(NM) -n --defined-only $(1) | awk '$$2 == "T" || $$2 == "t"'

$(B)/hyp/symtab_empty.S: scripts/mksymtab.sh
	@mkdir -p $(dir $@)
	@echo "  symtab   $@"
	$(Q)CROSS=$(CROSS) scripts/mksymtab.sh --empty $@

$(B)/hyp/symtab_empty.o: %.o: %.S
	@echo "  as       $@"
	$(Q)$(CC) $(TARGET_ASFLAGS) -c $< -o $@

# $(call hyp_image,NAME,OBJECTS): the rules for $(B)/NAME.elf.
define hyp_image
$(B)/hyp/symtab-$(1).S: $(B)/$(1).pass1.elf scripts/mksymtab.sh
	@echo "  symtab   $$@"
	$$(Q)CROSS=$(CROSS) scripts/mksymtab.sh $$< $$@

$(B)/hyp/symtab-$(1).o: $(B)/hyp/symtab-$(1).S
	@echo "  as       $$@"
	$$(Q)$$(CC) $$(TARGET_ASFLAGS) -c $$< -o $$@

$(B)/$(1).pass1.elf: $(2) $$(LIB_AR) $(B)/hyp/symtab_empty.o $(B)/hyp/hyp.ld
	@echo "  ld       $$@"
	$$(Q)$$(call HYP_LINK,$(2),$(B)/hyp/symtab_empty.o)

$(B)/$(1).elf: $(B)/$(1).pass1.elf $(B)/hyp/symtab-$(1).o
	@echo "  ld       $$@"
	$$(Q)$$(call HYP_LINK,$(2),$(B)/hyp/symtab-$(1).o)
	$$(Q)if [ "$$$$($$(call hyp_text_syms,$$<))" != "$$$$($$(call hyp_text_syms,$$@))" ]; then \
		echo "$$@: text symbols moved between link passes ($$< and $$@ differ):" \
			"the symbol table must come after all code in hyp/hyp.ld.S" >&2; \
		rm -f $$@; exit 1; fi
endef
$(eval $(call hyp_image,hyp,$(HYP_OBJS)))
$(eval $(call hyp_image,hyp-test,$(HYP_TEST_OBJS)))

$(B)/guests/%.elf: $(B)/guests/%.o $(GUEST_RT_OBJS) $(B)/guests/rt/guest.ld
	@echo "  ld       $@"
	$(Q)$(CC) $(TARGET_LDFLAGS) -T $(B)/guests/rt/guest.ld -o $@ $< $(GUEST_RT_OBJS) -lgcc

# The linker scripts have no dependency files: the header they include.
$(B)/guests/rt/guest.ld $(B)/guests/rt/guest-raw.ld: guests/rt/stacks.h

$(B)/guests/rt/start-raw.o: guests/rt/start.S
	@mkdir -p $(dir $@)
	@echo "  cc       $@"
	$(Q)$(CC) $(TARGET_ASFLAGS) -DGUEST_RAW -MMD -MP -c $< -o $@

$(B)/guests/rt/guest-raw.ld: guests/rt/guest.ld.S
	@mkdir -p $(dir $@)
	@echo "  cc       $@"
	$(Q)$(CC) -E -P -x c $(INCS) -D__ASSEMBLY__ -DGUEST_RAW $< -o $@

$(B)/guests/%-raw.elf: $(B)/guests/%.o $(GUEST_RAW_RT_OBJS) $(B)/guests/rt/guest-raw.ld
	@echo "  ld       $@"
	$(Q)$(CC) $(TARGET_LDFLAGS) -T $(B)/guests/rt/guest-raw.ld -o $@ $< $(GUEST_RAW_RT_OBJS) -lgcc

# A static Linux program with no C library (its own _start and system
# calls): the cross compiler is all it needs, so the same on any platform.
LINUX_GUEST_CFLAGS := -std=gnu11 -O2 $(WARN) -static -nostdlib -ffreestanding \
	-fno-builtin -fno-stack-protector -fno-pie -no-pie \
	-fno-tree-loop-distribute-patterns -mno-outline-atomics -Wl,--build-id=none \
	-Wl,-z,noexecstack

$(B)/guests/linux/%: guests/linux/%.c
	@mkdir -p $(dir $@)
	@echo "  cc       $@"
	$(Q)$(CC) $(LINUX_GUEST_CFLAGS) -o $@ $<

$(B)/%.bin: $(B)/%.elf
	@echo "  objcopy  $@"
	$(Q)$(OBJCOPY) -O binary $< $@

$(FIRMWARE): $(B)/monitor.bin
	@echo "  cp       $@"
	$(Q)cp $< $@

# The bundle carries the hypervisor and the boot configuration; the boot
# image is the bootloader followed by the bundle (docs/BOOT_IMAGE.md).
$(B)/bundle.bin: $(B)/hyp.bin configs/default.cfg $(H)/mkbundle
	@echo "  bundle   $@"
	$(Q)$(H)/mkbundle -o $@ --hyp $(B)/hyp.bin --config configs/default.cfg

$(BOOTIMG): $(B)/boot.bin $(B)/bundle.bin
	@echo "  cat      $@"
	$(Q)cat $^ > $@

# --- host programs and unit tests -----------------------------------------

$(H)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  hostcc   $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(H)/%-host.a:
	@mkdir -p $(dir $@)
	@echo "  ar       $@"
	$(Q)rm -f $@ && ar rcs $@ $(filter %.o,$^)

$(UNIT_BINS):
	@mkdir -p $(dir $@)
	@echo "  hostcc   $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -Itests/unit $< $(HOST_ARS) -lfdt -o $@

$(TOOLS): $(H)/%: tools/%.c $(TOOL_SHARED) $(wildcard tools/*.h) $(HOST_LIB)
	@mkdir -p $(dir $@)
	@echo "  hostcc   $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -Itools $< $(TOOL_SHARED) $(HOST_LIB) -lfdt -o $@

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
