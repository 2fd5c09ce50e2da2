/*
 * The guest device tree, written front to back with libfdt's sequential-write
 * API: the tree is small and fully known up front, so there is nothing to
 * search or move, and the finished tree is packed with no slack.
 *
 * Node and property choices follow the Linux DT bindings and QEMU virt,
 * which the kernel's generic arm64 code is known to boot on.
 */
#include <stdint.h>
#include <string.h>

#include <libfdt.h>

#include <lib/dt/dt_writer.h>
#include <lib/fmt.h>
#include <hyp/vdev/guest_dt.h>

/* Fixed phandles: sequential write cannot look up a node it has not
 * written yet, and the root refers to the GIC before the GIC exists. Only
 * their uniqueness matters. */
#define PHANDLE_GIC 1u
#define PHANDLE_PCLK 2u

static int add_overflows(uint64_t a, uint64_t b)
{
	return a + b < a;
}

/* Whether transport i is described: one of the first virtio_count, or
 * named in virtio_slots. */
static bool virtio_slot(const struct guest_dt_params *p, unsigned i)
{
	return i < p->virtio_count || (i < 32 && (p->virtio_slots >> i & 1));
}

/* How many slots the described transports span, from slot 0. */
static unsigned virtio_span(const struct guest_dt_params *p)
{
	unsigned n = p->virtio_count;

	for (unsigned i = n; i < GUEST_DT_MAX_VIRTIO; i++)
		if (virtio_slot(p, i))
			n = i + 1;
	return n;
}

static int params_ok(const struct guest_dt_params *p)
{
	uint64_t ram_end = p->ram_base + p->ram_size;
	unsigned slots;

	if (p->cpus < 1 || p->cpus > GUEST_DT_MAX_CPUS)
		return 0;
	if (!p->ram_size || add_overflows(p->ram_base, p->ram_size))
		return 0;
	if ((p->ram_base | p->ram_size) & (GUEST_DT_RAM_ALIGN - 1))
		return 0;
	/* An initrd is either absent (both 0) or a non-empty range inside RAM:
	 * Linux drops one that does not lie in memory it knows, and then fails
	 * much later, far from the cause. */
	if (p->initrd_start || p->initrd_end) {
		if (p->initrd_start >= p->initrd_end)
			return 0;
		if (p->initrd_start < p->ram_base || p->initrd_end > ram_end)
			return 0;
	}
	if (p->uart_spi > DT_GIC_MAX_SPI)
		return 0;
	if (!p->gicd_size || add_overflows(p->gicd_base, p->gicd_size))
		return 0;
	if (!p->gicr_size || p->gicr_size > UINT64_MAX / p->cpus ||
	    add_overflows(p->gicr_base, p->gicr_size * p->cpus))
		return 0;
	if (add_overflows(p->uart_base, GUEST_DT_UART_SIZE))
		return 0;
	if (p->virtio_count > GUEST_DT_MAX_VIRTIO)
		return 0;
	slots = virtio_span(p);
	if (slots &&
	    (add_overflows(p->virtio_base, (uint64_t)slots * GUEST_DT_VIRTIO_SIZE) ||
	     p->virtio_spi > DT_GIC_MAX_SPI + 1 - slots))
		return 0;
	return 1;
}

static void add_chosen(struct dtw *s, const struct guest_dt_params *p,
		       const char *uart_path)
{
	dtw_begin(s, "chosen");
	if (p->bootargs)
		dtw_str(s, "bootargs", p->bootargs);
	/* A plain path: the emulated UART has no line settings to pass. */
	dtw_str(s, "stdout-path", uart_path);
	/* Always two cells each, so an initrd above 4 GiB needs nothing new;
	 * Linux reads these with the property's own length. */
	if (p->initrd_start || p->initrd_end) {
		dtw_u64(s, "linux,initrd-start", p->initrd_start);
		dtw_u64(s, "linux,initrd-end", p->initrd_end);
	}
	if (p->rng_seed) {
		fdt64_t seed = cpu_to_fdt64(p->rng_seed);

		/* rng-seed is a byte string the kernel mixes into its entropy
		 * pool; kaslr-seed must be exactly one u64. Linux wipes both
		 * from the tree after reading them, so neither stays visible
		 * in /sys/firmware/fdt. */
		dtw_raw(s, "rng-seed", &seed, sizeof(seed));
		dtw_u64(s, "kaslr-seed", p->rng_seed);
	}
	dtw_end(s);
}

static void add_memory(struct dtw *s, const struct guest_dt_params *p)
{
	const uint64_t reg[2] = {p->ram_base, p->ram_size};
	char name[32];

	dtw_node_name(name, sizeof(name), "memory", p->ram_base);
	dtw_begin(s, name);
	dtw_str(s, "device_type", "memory");
	dtw_reg64(s, reg, 1);
	dtw_end(s);
}

static void add_cpus(struct dtw *s, const struct guest_dt_params *p)
{
	char name[32];

	/* reg is the MPIDR affinity; one cell suffices for Aff0-only ids. */
	dtw_begin(s, "cpus");
	dtw_u32(s, "#address-cells", 1);
	dtw_u32(s, "#size-cells", 0);
	for (unsigned i = 0; i < p->cpus; i++) {
		dtw_node_name(name, sizeof(name), "cpu", i);
		dtw_begin(s, name);
		dtw_str(s, "device_type", "cpu");
		dtw_str(s, "compatible", "arm,armv8");
		dtw_u32(s, "reg", i);
		/* Secondaries are started with PSCI CPU_ON through /psci. */
		dtw_str(s, "enable-method", "psci");
		dtw_end(s);
	}
	dtw_end(s);
}

static void add_timer(struct dtw *s)
{
	/* GICv3 specifiers carry only the trigger type in the flags cell: the
	 * GICv2 CPU target mask in bits [15:8] has no meaning there. The GIC
	 * itself only tells level from edge; level-low is the polarity board
	 * trees give the timer, and Linux's GICv3 driver accepts any level
	 * type for PPIs (it restricts only SPIs). */
	const uint32_t irqs[12] = {
		DT_GIC_PPI, GUEST_DT_PPI_SEC_PHYS, DT_IRQ_TYPE_LEVEL_LOW,
		DT_GIC_PPI, GUEST_DT_PPI_PHYS,	   DT_IRQ_TYPE_LEVEL_LOW,
		DT_GIC_PPI, GUEST_DT_PPI_VIRT,	   DT_IRQ_TYPE_LEVEL_LOW,
		DT_GIC_PPI, GUEST_DT_PPI_HYP_PHYS, DT_IRQ_TYPE_LEVEL_LOW,
	};

	dtw_begin(s, "timer");
	dtw_str(s, "compatible", "arm,armv8-timer");
	dtw_cells(s, "interrupts", irqs, 12);
	/* The guest has no power state that stops the timer; without this
	 * Linux assumes it may (C3STOP) and wants a broadcast timer. */
	dtw_empty(s, "always-on");
	dtw_end(s);
}

static void add_gic(struct dtw *s, const struct guest_dt_params *p)
{
	/* One contiguous redistributor region with a frame pair per vCPU;
	 * Linux walks it until the frame whose GICR_TYPER.Last is set. */
	const uint64_t reg[4] = {p->gicd_base, p->gicd_size, p->gicr_base,
				 p->gicr_size * p->cpus};
	char name[32];

	dtw_node_name(name, sizeof(name), "intc", p->gicd_base);
	dtw_begin(s, name);
	dtw_str(s, "compatible", "arm,gic-v3");
	dtw_u32(s, "#interrupt-cells", 3);
	dtw_empty(s, "interrupt-controller");
	/* No ITS or other children; stating 0 keeps dtc's interrupt
	 * provider check quiet, as the binding allows. */
	dtw_u32(s, "#address-cells", 0);
	dtw_u32(s, "#redistributor-regions", 1);
	dtw_reg64(s, reg, 2);
	dtw_u32(s, "phandle", PHANDLE_GIC);
	dtw_end(s);
}

static void add_uart(struct dtw *s, const struct guest_dt_params *p, const char *node)
{
	dtw_pl011(s, node, p->uart_base, GUEST_DT_UART_SIZE, p->uart_spi,
		  GUEST_DT_UART_CLK_HZ, PHANDLE_PCLK, "clk24mhz");
}

/*
 * The virtio-mmio transports (Linux's binding,
 * Documentation/devicetree/bindings/virtio/mmio.yaml: compatible
 * "virtio,mmio", reg, interrupts). The writer keeps the order it is given
 * and Linux creates the devices in the tree's order, so the first
 * transport (the VM's first disk) becomes vda. Slots not described
 * (virtio_slot()) are left out: a VM with one disk and its console has
 * transports 0 and 4. dma-coherent as on QEMU virt: the device, here
 * the hypervisor, reaches the guest's memory through the caches.
 */
static void add_virtio(struct dtw *s, const struct guest_dt_params *p)
{
	for (unsigned i = 0; i < GUEST_DT_MAX_VIRTIO; i++) {
		uint64_t base = p->virtio_base + (uint64_t)i * GUEST_DT_VIRTIO_SIZE;
		const uint64_t reg[2] = {base, GUEST_DT_VIRTIO_SIZE};
		const uint32_t irq[3] = {DT_GIC_SPI, p->virtio_spi + i,
					 DT_IRQ_TYPE_LEVEL_HIGH};
		char node[32];

		if (!virtio_slot(p, i))
			continue;
		dtw_node_name(node, sizeof(node), "virtio_mmio", base);
		dtw_begin(s, node);
		dtw_str(s, "compatible", "virtio,mmio");
		dtw_reg64(s, reg, 1);
		dtw_cells(s, "interrupts", irq, 3);
		dtw_empty(s, "dma-coherent");
		dtw_end(s);
	}
}

int guest_dt_build(void *buf, size_t size, const struct guest_dt_params *p)
{
	struct dtw s = {buf, 0};
	char uart[32], uart_path[34];

	if (!buf || !p || !params_ok(p))
		return GUEST_DT_E_PARAM;
	/* Linux requires an 8-byte aligned DTB and libfdt checks for it. */
	if ((uintptr_t)buf & 7)
		return -FDT_ERR_ALIGNMENT;
	/* libfdt sizes are ints; a larger buffer is simply not used fully. */
	if (size > INT32_MAX)
		size = INT32_MAX;

	dtw_node_name(uart, sizeof(uart), "pl011", p->uart_base);
	fmt_snprintf(uart_path, sizeof(uart_path), "/%s", uart);

	dtw_step(&s, fdt_create(buf, (int)size));
	/* No reservations: Linux reserves the DTB and initrd itself, and the
	 * rest of guest RAM is the guest's. */
	if (!s.err)
		dtw_step(&s, fdt_finish_reservemap(buf));

	dtw_begin(&s, "");
	dtw_str(&s, "compatible", "linux,dummy-virt");
	dtw_str(&s, "model", "hv virtual machine");
	dtw_u32(&s, "#address-cells", 2);
	dtw_u32(&s, "#size-cells", 2);
	/* Nodes without their own interrupt-parent (timer, UART) inherit it. */
	dtw_u32(&s, "interrupt-parent", PHANDLE_GIC);

	add_chosen(&s, p, uart_path);
	add_memory(&s, p);
	add_cpus(&s, p);
	/* The guest runs at EL1 under our EL2, which traps HVC. */
	dtw_psci(&s, "hvc");
	add_timer(&s);
	add_gic(&s, p);
	add_uart(&s, p, uart);
	add_virtio(&s, p);
	dtw_end(&s);

	if (!s.err)
		dtw_step(&s, fdt_finish(buf));
	/* fdt_create() starts the reservation map 16-byte aligned, leaving a
	 * gap after the header that fdt_pack() closes; then totalsize is the
	 * least a copy of the tree needs. */
	if (!s.err)
		dtw_step(&s, fdt_pack(buf));
	return s.err;
}
