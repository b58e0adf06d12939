/* The escalation schedule with an injected clock: who each level pages
 * and when the next step falls due. No sleeping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "escalation.h"

static const long steps[3] = {60, 300, 1800}; /* the care model's defaults */
static const int64_t t0 = 1795000000000;      /* an arbitrary "now" in ms */

static void test_escalation_raise_pages_primary_and_sets_step_by_priority(void **state)
{
	(void)state;
	for (int p = 1; p <= 3; p++) {
		struct escalation e = escalation_next(-1, p, steps, t0);
		assert_int_equal(e.level, 0);
		assert_int_equal(e.mask, ESC_PRIMARY);
		assert_int_equal(e.next_at, t0 + steps[p - 1] * 1000);
	}
}

static void test_escalation_p4_is_never_paged(void **state)
{
	(void)state;
	for (int level = -1; level <= 3; level++) {
		struct escalation e = escalation_next(level, 4, steps, t0);
		assert_int_equal(e.mask, 0);
		assert_int_equal(e.next_at, 0);
	}
}

static void test_escalation_levels_widen_then_repeat(void **state)
{
	(void)state;
	int64_t now = t0;
	struct escalation e = escalation_next(-1, 1, steps, now);
	now = e.next_at;
	e = escalation_next(e.level, 1, steps, now);
	assert_int_equal(e.level, 1);
	assert_int_equal(e.mask, ESC_PRIMARY | ESC_BACKUP);
	assert_int_equal(e.next_at, now + 60000);
	now = e.next_at;
	e = escalation_next(e.level, 1, steps, now);
	assert_int_equal(e.level, 2);
	assert_int_equal(e.mask, ESC_PRIMARY | ESC_BACKUP | ESC_SUPERVISOR | ESC_COORDINATORS);
	now = e.next_at;
	e = escalation_next(e.level, 1, steps, now);
	assert_int_equal(e.level, 3);
	assert_int_equal(e.mask, ESC_ON_DUTY | ESC_COORDINATORS);
	/* Level 3 again every step until someone acknowledges. */
	for (int i = 0; i < 5; i++) {
		now = e.next_at;
		e = escalation_next(e.level, 1, steps, now);
		assert_int_equal(e.level, 3);
		assert_int_equal(e.next_at, now + 60000);
	}
}

static void test_escalation_overdue_after_restart_fires_once(void **state)
{
	(void)state;
	/* Down for an hour: the overdue step fires now and the next one
	 * counts from now, not from the deadline missed long ago. */
	int64_t late = t0 + 3600 * 1000;
	struct escalation e = escalation_next(0, 2, steps, late);
	assert_int_equal(e.level, 1);
	assert_int_equal(e.next_at, late + 300000);
}

static void test_escalation_volunteers_and_family_are_no_group(void **state)
{
	(void)state;
	/* No level names a group beyond staff tiers and coordinators. */
	for (int level = 0; level <= 3; level++)
		assert_int_equal(escalation_mask(level) &
		                         ~(ESC_PRIMARY | ESC_BACKUP | ESC_SUPERVISOR |
		                           ESC_COORDINATORS | ESC_ON_DUTY),
		                 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escalation_raise_pages_primary_and_sets_step_by_priority),
		cmocka_unit_test(test_escalation_p4_is_never_paged),
		cmocka_unit_test(test_escalation_levels_widen_then_repeat),
		cmocka_unit_test(test_escalation_overdue_after_restart_fires_once),
		cmocka_unit_test(test_escalation_volunteers_and_family_are_no_group),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
