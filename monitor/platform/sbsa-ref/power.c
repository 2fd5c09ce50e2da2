/*
 * System power off and reset on QEMU sbsa-ref: commands to the secure
 * embedded controller (QEMU hw/misc/sbsa_ec.c), reachable only from the
 * Secure/Root physical address space. One 32-bit write of a command to
 * its power command register does it; there is nothing to read back.
 */
#include <stdint.h>

#include <arch/sysreg.h>

#include <monitor/plat.h>
#include <platform.h>

#define SBSA_EC_POWER_CMD 0x00 /* write-only, 32-bit */
#define SBSA_EC_CMD_POWEROFF 0x01
#define SBSA_EC_CMD_REBOOT 0x02

static void __noreturn ec_command(uint32_t cmd)
{
	*(volatile uint32_t *)(PLAT_SECURE_EC_BASE + SBSA_EC_POWER_CMD) = cmd;
	dsb(sy);
	/* QEMU acts on the request after this instruction; wait for it. */
	for (;;)
		wfe();
}

void power_off(void)
{
	ec_command(SBSA_EC_CMD_POWEROFF);
}

void power_reset(void)
{
	ec_command(SBSA_EC_CMD_REBOOT);
}
