/*
 * What the arm64 Linux boot protocol (Documentation/arch/arm64/booting.rst)
 * asks of the program that loads a kernel: an Image with a valid header,
 * placed text_offset bytes above a 2 MiB-aligned base in RAM nothing else
 * uses, an initrd within a 1 GiB-aligned window of at most 32 GiB that also
 * covers the kernel, a device tree of at most 2 MiB. Pure logic on a
 * struct memmap, shared by the bootloader's native mode and mkbootimg, and
 * tested on the host.
 */
#ifndef LIB_LINUX_BOOT_H
#define LIB_LINUX_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct memmap;

/* The Image header: 64 bytes at the start of the file, little-endian. */
#define ARM64_IMAGE_HEADER_SIZE 64
#define ARM64_IMAGE_TEXT_OFFSET 0x08 /* u64: load offset from a 2 MiB base */
#define ARM64_IMAGE_IMAGE_SIZE 0x10  /* u64: bytes of RAM the image needs */
#define ARM64_IMAGE_FLAGS 0x18	     /* u64: the flags below */
#define ARM64_IMAGE_MAGIC_OFFSET 0x38
#define ARM64_IMAGE_MAGIC 0x644d5241u /* "ARM\x64" read as a little-endian u32 */

/* Image header flags */
#define ARM64_IMAGE_FLAG_BE (1ull << 0)	      /* kernel is big-endian */
#define ARM64_IMAGE_FLAG_PAGE_SHIFT 1	      /* bits [2:1]: page size */
#define ARM64_IMAGE_FLAG_PAGE_MASK 3ull	      /* 0 unspecified, 1 4K, 2 16K, 3 64K */
#define ARM64_IMAGE_FLAG_ANYWHERE (1ull << 3) /* base may be anywhere in RAM */
#define ARM64_IMAGE_PAGE_UNSPECIFIED 0
#define ARM64_IMAGE_PAGE_4K 1
#define ARM64_IMAGE_PAGE_16K 2
#define ARM64_IMAGE_PAGE_64K 3

#define LINUX_KERNEL_ALIGN 0x200000ull		/* the base text_offset is added to */
#define LINUX_INITRD_WINDOW_ALIGN 0x40000000ull /* 1 GiB */
#define LINUX_INITRD_WINDOW_SIZE 0x800000000ull /* 32 GiB */
#define LINUX_DT_MAX_SIZE 0x200000ull		/* 2 MiB */
#define LINUX_PAGE_SIZE 0x1000ull		/* where the initrd starts */

#define LINUX_E_INVAL (-1)	/* NULL argument */
#define LINUX_E_NOT_IMAGE (-2)	/* too short, compressed, or no magic */
#define LINUX_E_HEADER (-3)	/* a header field this loader cannot honour */
#define LINUX_E_NOSPACE (-4)	/* no free RAM fits the request */
#define LINUX_E_RAW (-5)	/* a raw image that cannot be loaded as asked */
#define LINUX_E_COMPRESSED (-6) /* vm_kernel_read: gzip, raw or not */

struct arm64_image {
	uint64_t text_offset; /* from the header */
	uint64_t image_size;
	uint64_t flags;
	uint64_t file_size; /* bytes of the file */
	uint64_t span;	    /* RAM from the load address: max(file_size, image_size) */
};

/*
 * Checks the Image header of data[0..size). Returns 0 with the fields in
 * *out, LINUX_E_NOT_IMAGE for a file that is not an arm64 Image (shorter
 * than the header, gzip-compressed, no magic), or LINUX_E_HEADER for an
 * Image this loader cannot place as its header asks: big-endian,
 * image_size 0 (a kernel older than Linux 3.17, whose memory needs are
 * not known), a text_offset not below 2 MiB or not 4 KiB-aligned, or
 * sizes that overflow. One line naming the problem goes into err. Unknown
 * flag bits (4..63 are reserved) are ignored.
 */
int arm64_image_parse(const void *data, uint64_t size, struct arm64_image *out, char *err,
		      size_t errlen);

/* The page size the header asks for: ARM64_IMAGE_PAGE_*. */
unsigned arm64_image_page_size(const struct arm64_image *img);

/*
 * Places the kernel: the lowest 2 MiB-aligned base B such that
 * [B, B + text_offset + span) is free RAM in one region of m (the protocol
 * asks for the lowest base when the "anywhere" flag is clear, and allows
 * it otherwise). Marks that range as type and returns 0 with the load
 * address B + text_offset in *load_pa, or LINUX_E_NOSPACE leaving m as it
 * was.
 */
int linux_place_kernel(struct memmap *m, const struct arm64_image *img, uint32_t type,
		       uint64_t *load_pa);

/*
 * Places an initrd of size bytes (size > 0) at a page-aligned address in
 * free RAM as close to the kernel [kernel_pa, kernel_end) as it can: the
 * lowest place above the kernel, else the highest below, such that one
 * 1 GiB-aligned window of at most 32 GiB covers both. Marks it as type
 * and returns 0 with the address in *pa, or LINUX_E_NOSPACE leaving m as
 * it was.
 */
int linux_place_initrd(struct memmap *m, uint64_t size, uint64_t kernel_pa,
		       uint64_t kernel_end, uint32_t type, uint64_t *pa);

/* Whether one 1 GiB-aligned window of at most 32 GiB covers both ranges. */
int linux_initrd_window_ok(uint64_t kernel_pa, uint64_t kernel_end, uint64_t initrd_pa,
			   uint64_t initrd_end);

/*
 * A VM's RAM as the hypervisor fills it (hyp/vm.c), one computation for the
 * hypervisor at boot and mkbootimg at build time: the kernel at its load
 * offset from the RAM base, the device tree in the last VM_DT_SLOT bytes,
 * the initrd just below the DT, page-aligned. The sizes come from the
 * configuration and the payloads, untrusted both, so nothing here wraps.
 */
#define VM_DT_SLOT 0x200000ull		 /* the last 2 MiB of a VM's RAM */
#define VM_RAW_OFFSET_DEFAULT 0x80000ull /* as QEMU's -kernel loads a raw image */
#define VM_RAW_OFFSET_ALIGN 0x1000ull

/* A VM's kernel: where it goes and how much RAM it needs there. */
struct vm_kernel {
	uint64_t offset;    /* load address and entry point, from the RAM base */
	uint64_t file_size; /* bytes copied */
	uint64_t span;	    /* bytes of RAM from offset: max(file, image_size) */
};

/* Offsets from the RAM base. */
struct vm_layout {
	uint64_t kernel_offset;
	uint64_t kernel_end; /* kernel_offset + span */
	uint64_t initrd_offset;
	uint64_t initrd_size; /* 0: no initrd */
	uint64_t dt_offset;
};

/*
 * Reads a VM's kernel from data[0..size): an arm64 Image (checked with
 * arm64_image_parse, placed at its text_offset) unless raw, in which case
 * the file is taken as it is, loaded and entered at raw_offset (a multiple
 * of VM_RAW_OFFSET_ALIGN), as QEMU's -kernel does with a file that has no
 * Image header. Returns 0, or a LINUX_E_* code with one line in err:
 * LINUX_E_COMPRESSED for a gzip-compressed file either way, and
 * LINUX_E_NOT_IMAGE only for a file that is not an Image and was not
 * declared raw (the caller can say how to declare it).
 */
int vm_kernel_read(const void *data, uint64_t size, bool raw, uint64_t raw_offset,
		   struct vm_kernel *k, char *err, size_t errlen);

/*
 * Lays out mem bytes of RAM for the kernel k and an initrd of initrd_size
 * bytes (0: none). Returns 0 with *out filled, or LINUX_E_NOSPACE with one
 * line in err naming what does not fit and the sizes involved.
 */
int vm_layout_plan(uint64_t mem, const struct vm_kernel *k, uint64_t initrd_size,
		   struct vm_layout *out, char *err, size_t errlen);

#endif
