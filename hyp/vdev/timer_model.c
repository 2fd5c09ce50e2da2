/*
 * The emulated EL1 physical timer (hyp/vdev/timer_model.h). The timer condition
 * is met when the count minus CVAL, as unsigned 64-bit values, is not
 * negative: count >= CVAL (Arm ARM D11.2.4); TVAL reads the low 32 bits of
 * CVAL minus the count and a write sets CVAL to the count plus the value
 * sign-extended from 32 bits.
 */
#include <hyp/vdev/timer_model.h>

static bool condition_met(const struct ptimer *t, uint64_t now)
{
	return now >= t->cval;
}

uint64_t ptimer_ctl(const struct ptimer *t, uint64_t now)
{
	uint64_t ctl = t->ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK);

	/* ISTATUS is UNKNOWN while disabled; it reads 0 here. */
	if ((ctl & CNT_CTL_ENABLE) && condition_met(t, now))
		ctl |= CNT_CTL_ISTATUS;
	return ctl;
}

uint64_t ptimer_tval(const struct ptimer *t, uint64_t now)
{
	return (uint32_t)(t->cval - now);
}

void ptimer_set_ctl(struct ptimer *t, uint64_t val)
{
	t->ctl = val & (CNT_CTL_ENABLE | CNT_CTL_IMASK);
}

void ptimer_set_cval(struct ptimer *t, uint64_t val)
{
	t->cval = val;
}

void ptimer_set_tval(struct ptimer *t, uint64_t now, uint64_t val)
{
	t->cval = now + (uint64_t)(int64_t)(int32_t)(uint32_t)val;
}

bool ptimer_line(const struct ptimer *t, uint64_t now)
{
	return timer_ctl_line(ptimer_ctl(t, now));
}

bool ptimer_hw_deadline(const struct ptimer *t, uint64_t offset, uint64_t *hw_cval)
{
	if ((t->ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) != CNT_CTL_ENABLE)
		return false;
	/* The VM's count is the physical count minus offset, so the VM
	 * reaches cval when the physical count reaches cval + offset; past
	 * 2^64 the physical count would wrap first. */
	if (t->cval > UINT64_MAX - offset)
		return false;
	*hw_cval = t->cval + offset;
	return true;
}
