/* The hypervisor's priority layout on the GIC at hand (hyp/pnmi/prio.h). */
#include <hyp/pnmi/prio.h>

/* The distributor value that the PMR view shows as p: in the DS = 0,
 * absolute-PMR case the write is shifted on its way in, so it goes in
 * pre-shifted the other way (p >= 0x80 loses nothing). */
static uint8_t dist_value(const struct gic_prio_layout *l, uint8_t p)
{
	if (l->dist_shifted && !l->pmr_shifted)
		return (uint8_t)(p << 1);
	return p;
}

int gic_prio_layout(unsigned bits, bool ds, uint8_t probe_readback,
		    struct gic_prio_layout *out)
{
	struct gic_prio_layout l;

	if (bits < GIC_PRIO_MIN_BITS || bits > 8)
		return -1;
	l.bits = bits;
	l.dist_shifted = !ds;
	l.pmr_shifted = !ds && probe_readback == 0;
	l.dist_pnmi = dist_value(&l, GIC_PRIO_PNMI);
	l.dist_regular = dist_value(&l, GIC_PRIO_REGULAR);
	l.dist_io = dist_value(&l, GIC_PRIO_IO);
	*out = l;
	return 0;
}
