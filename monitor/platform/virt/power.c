/*
 * System power off and reset. On QEMU virt with secure=on these are lines
 * of the secure PL061 GPIO controller, described by the DT's gpio-poweroff
 * and gpio-restart nodes (secure-status = "okay"): driving the line high
 * does it.
 */
#include <libfdt.h>

#include <arch/sysreg.h>
#include <lib/console.h>
#include <lib/dt/dt.h>

#include "virt.h"

#define PL061_GPIODATA 0x000 /* address bits [9:2] mask the written pins */
#define PL061_GPIODIR 0x400

struct gpio_line {
	uint64_t base;
	unsigned pin;
	bool present;
};

static struct gpio_line poweroff_line, restart_line;

static void find_line(const void *fdt, const char *compat, struct gpio_line *l)
{
	int node = dt_node_by_compatible(fdt, -1, compat), len, ctl;
	const fdt32_t *gpios;

	if (node < 0)
		return;
	gpios = fdt_getprop(fdt, node, "gpios", &len);
	if (!gpios || len < 8)
		return;
	ctl = dt_node_by_phandle(fdt, fdt32_to_cpu(gpios[0]));
	if (ctl < 0 || fdt_node_check_compatible(fdt, ctl, "arm,pl061") != 0)
		return;
	if (dt_reg(fdt, ctl, 0, &l->base, NULL) != 0)
		return;
	l->pin = fdt32_to_cpu(gpios[1]);
	l->present = l->pin < 8;
}

int virt_power_init(const void *fdt)
{
	find_line(fdt, "gpio-poweroff", &poweroff_line);
	find_line(fdt, "gpio-restart", &restart_line);
	return poweroff_line.present ? 0 : -1;
}

static void drive_high(const struct gpio_line *l)
{
	volatile uint32_t *dir = (volatile uint32_t *)(l->base + PL061_GPIODIR);
	volatile uint32_t *data =
		(volatile uint32_t *)(l->base + PL061_GPIODATA + (4u << l->pin));

	*dir |= 1u << l->pin;
	*data = 1u << l->pin;
	dsb(sy);
}

static void __noreturn stop(void)
{
	for (;;)
		wfe();
}

static void __noreturn pull(const struct gpio_line *l, const char *what)
{
	if (l->present)
		drive_high(l);
	else
		log_printf("monitor: no %s line in the DT; halting\n", what);
	stop();
}

void power_off(void)
{
	pull(&poweroff_line, "power-off");
}

void power_reset(void)
{
	pull(&restart_line, "restart");
}
