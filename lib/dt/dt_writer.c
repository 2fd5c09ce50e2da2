/*
 * The sticky-error device tree writer (lib/dt/dt_writer.h).
 */
#include <libfdt.h>

#include <lib/dt/dt_writer.h>
#include <lib/dt/gic_specifier.h>
#include <lib/fmt.h>

void dtw_step(struct dtw *w, int ret)
{
	if (!w->err && ret < 0)
		w->err = ret;
}

void dtw_begin(struct dtw *w, const char *name)
{
	if (!w->err)
		dtw_step(w, fdt_begin_node(w->fdt, name));
}

void dtw_end(struct dtw *w)
{
	if (!w->err)
		dtw_step(w, fdt_end_node(w->fdt));
}

void dtw_raw(struct dtw *w, const char *name, const void *v, int len)
{
	if (!w->err)
		dtw_step(w, fdt_property(w->fdt, name, v, len));
}

void dtw_empty(struct dtw *w, const char *name)
{
	dtw_raw(w, name, NULL, 0);
}

void dtw_str(struct dtw *w, const char *name, const char *v)
{
	if (!w->err)
		dtw_step(w, fdt_property_string(w->fdt, name, v));
}

void dtw_u32(struct dtw *w, const char *name, uint32_t v)
{
	if (!w->err)
		dtw_step(w, fdt_property_u32(w->fdt, name, v));
}

void dtw_u64(struct dtw *w, const char *name, uint64_t v)
{
	if (!w->err)
		dtw_step(w, fdt_property_u64(w->fdt, name, v));
}

void dtw_cells(struct dtw *w, const char *name, const uint32_t *v, int n)
{
	fdt32_t c[DTW_MAX_CELLS];

	if (n < 0 || n > DTW_MAX_CELLS) {
		dtw_step(w, -FDT_ERR_BADVALUE);
		return;
	}
	for (int i = 0; i < n; i++)
		c[i] = cpu_to_fdt32(v[i]);
	dtw_raw(w, name, c, n * (int)sizeof(c[0]));
}

void dtw_reg64(struct dtw *w, const uint64_t *pairs, int n)
{
	fdt64_t c[2 * DTW_MAX_REGS];

	if (n < 0 || n > DTW_MAX_REGS) {
		dtw_step(w, -FDT_ERR_BADVALUE);
		return;
	}
	for (int i = 0; i < 2 * n; i++)
		c[i] = cpu_to_fdt64(pairs[i]);
	dtw_raw(w, "reg", c, 2 * n * (int)sizeof(c[0]));
}

void dtw_node_name(char *buf, size_t size, const char *name, uint64_t addr)
{
	fmt_snprintf(buf, size, "%s@%llx", name, (unsigned long long)addr);
}

void dtw_psci(struct dtw *w, const char *method)
{
	dtw_begin(w, "psci");
	/* PSCI 1.1 is served; listing 0.2 as well keeps the node usable by
	 * kernels that predate the 1.0 compatible. Both use the standard
	 * function IDs, so no per-function properties. */
	DTW_STRLIST(w, "compatible", "arm,psci-1.0\0arm,psci-0.2");
	dtw_str(w, "method", method);
	dtw_end(w);
}

void dtw_pl011(struct dtw *w, const char *node, uint64_t base, uint64_t size,
	       uint32_t spi, uint32_t clk_hz, uint32_t clk_phandle, const char *clk_name)
{
	const uint64_t reg[2] = {base, size};
	const uint32_t irq[3] = {DT_GIC_SPI, spi, DT_IRQ_TYPE_LEVEL_HIGH};
	const uint32_t clocks[2] = {clk_phandle, clk_phandle};

	/* Linux's AMBA bus needs apb_pclk to probe a PrimeCell, and the PL011
	 * driver uartclk for its baud divisors: one fixed clock serves both,
	 * as on QEMU virt. */
	dtw_begin(w, "apb-pclk");
	dtw_str(w, "compatible", "fixed-clock");
	dtw_u32(w, "#clock-cells", 0);
	dtw_u32(w, "clock-frequency", clk_hz);
	if (clk_name)
		dtw_str(w, "clock-output-names", clk_name);
	dtw_u32(w, "phandle", clk_phandle);
	dtw_end(w);

	dtw_begin(w, node);
	/* arm,primecell makes Linux create it on the AMBA bus, where the
	 * amba-pl011 driver matches it by its peripheral ID. */
	DTW_STRLIST(w, "compatible", "arm,pl011\0arm,primecell");
	dtw_reg64(w, reg, 1);
	dtw_cells(w, "interrupts", irq, 3);
	dtw_cells(w, "clocks", clocks, 2);
	DTW_STRLIST(w, "clock-names", "uartclk\0apb_pclk");
	dtw_end(w);
}
