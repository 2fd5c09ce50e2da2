/* The lockup detector's state machine (hyp/pnmi/lockup.h). */
#include <hyp/pnmi/lockup.h>

enum lockup_verdict lockup_tick(struct lockup_cpu *c, uint64_t now, uint64_t progress,
				bool masked, uint64_t threshold)
{
	if (!masked || progress != c->progress_seen) {
		enum lockup_verdict v = c->reported ? LOCKUP_OVER : LOCKUP_NONE;

		/* An episode's end keeps masked_since, so its length can be
		 * told; a new masked window starts at this tick. */
		c->reported = false;
		c->progress_seen = progress;
		c->masked = masked;
		if (masked || v == LOCKUP_NONE)
			c->masked_since = now;
		return v;
	}
	if (!c->masked) {
		c->masked = true;
		c->masked_since = now;
		return LOCKUP_NONE;
	}
	if (now - c->masked_since < threshold)
		return LOCKUP_NONE;
	if (c->reported)
		return LOCKUP_ONGOING;
	c->reported = true;
	return LOCKUP_NEW;
}
