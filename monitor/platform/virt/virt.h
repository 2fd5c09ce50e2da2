/* What the parts of the QEMU virt port offer each other. */
#ifndef PLATFORM_VIRT_H
#define PLATFORM_VIRT_H

#include <stdbool.h>
#include <stdint.h>

#include <monitor/plat.h>

/* power.c: system power through the secure GPIO lines in the DT. */
int virt_power_init(const void *fdt);

/* fwcfg.c: QEMU's firmware configuration device. */
int fwcfg_init(const void *fdt);
int fwcfg_find(const char *name, uint16_t *select, uint32_t *size);
uint32_t fwcfg_read_le32(uint16_t select);
int fwcfg_read_bytes(uint16_t select, void *dst, uint32_t len);
int fwcfg_dma_read(uint16_t select, uint64_t dst_pa, uint32_t len, uint64_t scratch_pa);

#endif
