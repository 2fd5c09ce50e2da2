/*
 * The virtual address layouts of the bootloader's and the hypervisor's
 * address spaces (EL2, one range through TTBR0_EL2, 48-bit VAs).
 *
 * Both programs are linked at the same VA, on purpose: the bootloader cannot
 * switch straight from its tables to the hypervisor's, because the code doing
 * the switch would be replaced under its feet by the hypervisor's. It goes
 * through intermediate tables that map its trampoline page twice, at its own
 * VA and TRAMPOLINE_DELTA above it, where the hypervisor's tables map the
 * bootloader too (docs/ARCHITECTURE.md).
 */
#ifndef LIB_VA_LAYOUT_H
#define LIB_VA_LAYOUT_H

#ifdef __ASSEMBLY__
#define VA_UL(x) x
#else
#define VA_UL(x) x##ull
#endif

#define BOOT_LINK_VA VA_UL(0x0000400000000000)
#define HYP_LINK_VA VA_UL(0x0000400000000000)
/* Where the bootloader image appears in the hypervisor's address space. */
#define HYP_BOOT_WINDOW_VA VA_UL(0x0000500000000000)
#define TRAMPOLINE_DELTA (HYP_BOOT_WINDOW_VA - BOOT_LINK_VA)
/* The bootloader's view of the DT, before it has mapped RAM. */
#define BOOT_DT_WINDOW_VA VA_UL(0x0000600000000000)
/* RAM and the console UART in both spaces: VA = PHYS_MAP_VA + PA. */
#define PHYS_MAP_VA VA_UL(0x0000800000000000)

#endif
