/* The host double's state (arch/fake/sysreg.h). */
#include <string.h>

#include <arch/fake/sysreg.h>

struct fake_sysregs fake_sysregs;
struct fake_arch fake_arch;

void fake_arch_reset(void)
{
	memset(&fake_sysregs, 0, sizeof(fake_sysregs));
	memset(&fake_arch, 0, sizeof(fake_arch));
}
