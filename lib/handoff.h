/*
 * The contracts between the bootloader and the hypervisor: the header at
 * the start of the hypervisor image, and the structure the bootloader hands
 * the hypervisor in x0 (a VA in the hypervisor's address space).
 */
#ifndef LIB_HANDOFF_H
#define LIB_HANDOFF_H

#define HYP_HEADER_MAGIC 0x30505948 /* "HYP0" */

#ifndef __ASSEMBLY__
#include <stdint.h>

#include <lib/image/bundle.h>
#include <lib/mm/memmap.h>

/* At offset 0 of the hypervisor binary (hyp/head.S writes it). */
struct hyp_header {
	uint32_t branch;   /* b to the entry point */
	uint32_t magic;	   /* HYP_HEADER_MAGIC */
	uint64_t link_va;  /* the VA the image is linked at */
	uint64_t text_end; /* offsets: [0,text_end) executable, */
	uint64_t ro_end;   /* [text_end,ro_end) read-only, */
	uint64_t mem_size; /* [ro_end,mem_size) writable; zeroed past the file */
};

#define HANDOFF_MAGIC 0x46464f444e414821ull /* "!HANDOFF" */
#define HANDOFF_VERSION 2
/* Every payload a valid bundle can hold: one limit, the bundle's, which
 * the tools check when they build an image and bundle_open() when the
 * bootloader unpacks it. */
#define HANDOFF_MAX_PAYLOADS BUNDLE_MAX_ENTRIES

struct handoff_payload {
	uint32_t type; /* BUNDLE_* */
	uint32_t pad;
	char name[32];
	uint64_t pa; /* in place, inside the loaded boot image */
	uint64_t size;
};

struct handoff {
	uint64_t magic;
	uint32_t version;
	uint32_t size; /* sizeof(struct handoff) */

	uint64_t phys_map_va; /* VA = phys_map_va + PA for RAM and the UART */
	uint64_t dt_pa;
	uint64_t dt_size;
	uint64_t uart_pa; /* 0: no console */

	uint64_t hyp_pa; /* where the hypervisor image was copied */
	uint64_t hyp_size;
	uint64_t hyp_va;
	uint64_t ttbr; /* root of the hypervisor's translation tables */

	uint64_t boot_image_pa; /* what the monitor loaded: bootloader + bundle */
	uint64_t boot_image_size;
	uint64_t boot_window_va; /* the bootloader in the hypervisor's space */

	/* How the bootloader got its address space, for the record. */
	uint64_t boot_load_pa;
	uint64_t boot_link_va;

	uint64_t config_pa; /* the boot configuration text */
	uint64_t config_size;
	uint32_t payload_count;
	uint32_t pad;
	struct handoff_payload payloads[HANDOFF_MAX_PAYLOADS];

	/* All RAM, with what the bootloader used marked by type. */
	struct memmap memmap;
};
#endif

#endif
