/* The emulated EL1 physical timer and the timer output line (hyp/vdev/timer_model.c). */
#include <stdint.h>

#include <hyp/vdev/timer_model.h>

#include "unit.h"

static void line_follows_ctl(void)
{
	CHECK(timer_ctl_line(CNT_CTL_ENABLE | CNT_CTL_ISTATUS));
	CHECK(!timer_ctl_line(CNT_CTL_ENABLE));
	CHECK(!timer_ctl_line(CNT_CTL_ISTATUS));
	CHECK(!timer_ctl_line(CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS));
}

static void tval_deadline_fires_and_stops(void)
{
	struct ptimer t = {0};

	CHECK_EQ(ptimer_ctl(&t, 1000), 0);
	CHECK(!ptimer_line(&t, 1000));
	ptimer_set_tval(&t, 1000, 500);
	CHECK_EQ(t.cval, 1500);
	ptimer_set_ctl(&t, CNT_CTL_ENABLE | CNT_CTL_ISTATUS /* read-only */);
	CHECK_EQ(ptimer_ctl(&t, 1499), CNT_CTL_ENABLE);
	CHECK(!ptimer_line(&t, 1499));
	CHECK_EQ(ptimer_tval(&t, 1499), 1);
	CHECK_EQ(ptimer_ctl(&t, 1500), CNT_CTL_ENABLE | CNT_CTL_ISTATUS);
	CHECK(ptimer_line(&t, 1500));
	/* Past the deadline TVAL counts down through zero (32-bit). */
	CHECK_EQ(ptimer_tval(&t, 1502), 0xfffffffeu);

	/* Masked: ISTATUS still reads, the line falls. */
	ptimer_set_ctl(&t, CNT_CTL_ENABLE | CNT_CTL_IMASK);
	CHECK_EQ(ptimer_ctl(&t, 2000), CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS);
	CHECK(!ptimer_line(&t, 2000));
	/* Disabled: the line falls. */
	ptimer_set_ctl(&t, 0);
	CHECK(!ptimer_line(&t, 2000));
	/* Enabled with the deadline moved ahead: the line falls too. */
	ptimer_set_ctl(&t, CNT_CTL_ENABLE);
	CHECK(ptimer_line(&t, 2000));
	ptimer_set_cval(&t, 3000);
	CHECK(!ptimer_line(&t, 2000));
}

static void tval_is_signed(void)
{
	struct ptimer t = {0};

	ptimer_set_tval(&t, 1000, 0xffffff9cu); /* -100 */
	CHECK_EQ(t.cval, 900);
	ptimer_set_tval(&t, 1000, 0xffffffff00000010ull); /* only bits 31:0 */
	CHECK_EQ(t.cval, 1016);
}

static void hw_deadline_adds_offset(void)
{
	struct ptimer t = {0};
	uint64_t hw = 0;

	ptimer_set_cval(&t, 5000);
	CHECK(!ptimer_hw_deadline(&t, 100, &hw)); /* disabled */
	ptimer_set_ctl(&t, CNT_CTL_ENABLE | CNT_CTL_IMASK);
	CHECK(!ptimer_hw_deadline(&t, 100, &hw)); /* masked */
	ptimer_set_ctl(&t, CNT_CTL_ENABLE);
	CHECK(ptimer_hw_deadline(&t, 100, &hw));
	CHECK_EQ(hw, 5100);
	/* "Never" (CVAL all ones, as some guests disarm): must not wrap
	 * into a deadline in the past. */
	ptimer_set_cval(&t, UINT64_MAX);
	CHECK(!ptimer_hw_deadline(&t, 100, &hw));
	CHECK(!ptimer_line(&t, UINT64_MAX - 1));
	ptimer_set_cval(&t, UINT64_MAX - 100);
	CHECK(ptimer_hw_deadline(&t, 100, &hw));
	CHECK_EQ(hw, UINT64_MAX);
}

int main(void)
{
	RUN(line_follows_ctl);
	RUN(tval_deadline_fires_and_stops);
	RUN(tval_is_signed);
	RUN(hw_deadline_adds_offset);
	UNIT_DONE();
}
