/*
 * libFuzzer target for a VM's RAM layout (lib/image/linux_boot.c: vm_kernel_read
 * and vm_layout_plan), the one computation mkbootimg and the hypervisor
 * both make from a configuration's vmN.mem and vmN.kernel_offset and the
 * payloads' bytes and sizes, all untrusted. What must hold:
 * - a refusal says why in a terminated line and leaves the layout as it
 *   was;
 * - an accepted kernel spans at least the bytes that are copied, and a raw
 *   one sits at its (aligned) offset;
 * - an accepted layout keeps kernel, initrd and device tree apart and in
 *   that order inside mem bytes, with the DT in the last VM_DT_SLOT bytes
 *   and the initrd page-aligned, with no sum that wrapped.
 * The sizes come from the input in several scales, so the values near
 * 2^64, near the 2 MiB slot and near the kernel's end all come up.
 *
 * fuzz-libs: lib/image/linux_boot.c lib/mm/memmap.c lib/fmt.c
 */
#include <stdbool.h>

#include <lib/image/linux_boot.h>

#include "fuzz.h"

/* A size from the input: small, in pages, in MiB, or any 64-bit value. */
static uint64_t take_size(struct fz *f)
{
	unsigned scale = (unsigned)fz_take(f, 1) % 4;
	uint64_t v = fz_take(f, scale == 3 ? 8 : 4);

	if (scale == 1)
		v <<= 12;
	else if (scale == 2)
		v <<= 20;
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	uint64_t mem = take_size(&f), initrd_size = take_size(&f);
	unsigned mode = (unsigned)fz_take(&f, 1);
	bool raw = mode & 1;
	uint64_t raw_offset = take_size(&f);
	struct vm_kernel k;
	struct vm_layout l, untouched;
	char err[160];
	size_t len;
	uint8_t *file = fz_copy(&f, f.n, &len);
	int r;

	memset(err, 0x5a, sizeof(err));
	/* Often near where the room ends (the initrd or the DT), where an
	 * off-by-one in the bound would show. */
	if (mode & 2)
		raw_offset += (mem - VM_DT_SLOT - (mode & 4 ? initrd_size : 0)) &
			      ~(VM_RAW_OFFSET_ALIGN - 1);
	r = vm_kernel_read(file, len, raw, raw_offset, &k, err, sizeof(err));
	free(file);
	if (r) {
		FUZZ_CHECK(fz_terminated(err, sizeof(err)), "refusal %d unterminated", r);
		return 0;
	}
	FUZZ_CHECK(k.file_size == len && k.span >= k.file_size, "kernel sizes");
	if (raw)
		FUZZ_CHECK(k.offset == raw_offset && k.offset % VM_RAW_OFFSET_ALIGN == 0,
			   "raw offset 0x%llx", (unsigned long long)k.offset);

	memset(&l, 0xa5, sizeof(l));
	untouched = l;
	memset(err, 0x5a, sizeof(err));
	r = vm_layout_plan(mem, &k, initrd_size, &l, err, sizeof(err));
	if (r) {
		FUZZ_CHECK(r == LINUX_E_NOSPACE && fz_terminated(err, sizeof(err)) &&
				   !memcmp(&l, &untouched, sizeof(l)),
			   "refusal %d", r);
		return 0;
	}
	FUZZ_CHECK(mem > VM_DT_SLOT && l.dt_offset == mem - VM_DT_SLOT, "dt at 0x%llx",
		   (unsigned long long)l.dt_offset);
	FUZZ_CHECK(l.kernel_offset == k.offset && l.kernel_end >= l.kernel_offset &&
			   l.kernel_end - l.kernel_offset == k.span,
		   "kernel 0x%llx-0x%llx", (unsigned long long)l.kernel_offset,
		   (unsigned long long)l.kernel_end);
	if (initrd_size) {
		FUZZ_CHECK(l.initrd_size == initrd_size && l.initrd_offset % 0x1000 == 0,
			   "initrd size or alignment");
		FUZZ_CHECK(l.kernel_end <= l.initrd_offset &&
				   l.initrd_offset <= l.dt_offset &&
				   initrd_size <= l.dt_offset - l.initrd_offset,
			   "initrd 0x%llx+0x%llx beside kernel end 0x%llx, dt 0x%llx",
			   (unsigned long long)l.initrd_offset,
			   (unsigned long long)initrd_size,
			   (unsigned long long)l.kernel_end,
			   (unsigned long long)l.dt_offset);
	} else {
		FUZZ_CHECK(l.initrd_size == 0 && l.kernel_end <= l.dt_offset,
			   "kernel end 0x%llx over the dt at 0x%llx",
			   (unsigned long long)l.kernel_end,
			   (unsigned long long)l.dt_offset);
	}
	return 0;
}
