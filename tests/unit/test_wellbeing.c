/* Daily activity arithmetic (local days across DST, a day with no
 * events) and the wellbeing rule with its 14-day baseline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wellbeing.h"

#define HOUR_MS INT64_C(3600000)

static const struct day_window night = {23 * 60, 6 * 60};

static void test_dates_round_trip(void **state)
{
	(void)state;
	char s[16];
	int32_t d;
	assert_true(activity_parse_date("2026-03-29", &d));
	activity_date_string(d, s, sizeof(s));
	assert_string_equal(s, "2026-03-29");
	assert_true(activity_parse_date("1970-01-01", &d));
	assert_int_equal(d, 0);
	assert_true(activity_parse_date("2024-02-29", &d));
	assert_false(activity_parse_date("2026-02-29", &d));
	assert_false(activity_parse_date("2026-13-01", &d));
	assert_false(activity_parse_date("2026-1-01", &d));
	assert_int_equal(activity_day_of(-1), -1);
	assert_int_equal(activity_day_of(86400000 - 1), 0);
}

/* Europe/Berlin, 2026-03-29: clocks go 02:00 CET (+1) -> 03:00 CEST (+2).
 * Events at 00:30 and 01:30 local (offset +1) and 03:30, 23:30 local
 * (offset +2): one local day of 23 hours, four events, four hours. */
static void test_local_day_across_dst(void **state)
{
	(void)state;
	int32_t day;
	assert_true(activity_parse_date("2026-03-29", &day));
	int64_t midnight_local = (int64_t)day * 24 * HOUR_MS;
	struct {
		int64_t local, offset;
	} evs[] = {
		{midnight_local + HOUR_MS / 2, HOUR_MS},
		{midnight_local + 3 * HOUR_MS / 2, HOUR_MS},
		{midnight_local + 7 * HOUR_MS / 2, 2 * HOUR_MS},
		{midnight_local + 47 * HOUR_MS / 2, 2 * HOUR_MS},
	};
	struct activity_day d;
	activity_day_init(&d, day);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(activity_day_of(evs[i].local), day);
		activity_day_add(&d, evs[i].local - evs[i].offset, evs[i].local, night);
	}
	assert_int_equal(d.events, 4);
	assert_int_equal(activity_active_hours(&d), 4);
	/* 00:30, 01:30 and 23:30 are inside 23:00-06:00, 03:30 too */
	assert_int_equal(d.night_events, 4);
	/* first and last are instants: 23:00 UTC the day before, 21:30 UTC */
	assert_true(d.first_ms == midnight_local + HOUR_MS / 2 - HOUR_MS);
	assert_true(d.last_ms == midnight_local + 47 * HOUR_MS / 2 - 2 * HOUR_MS);
	/* The autumn change: 01:30 local happens twice (+2 then +1); still
	 * one day, one active hour, two events. */
	int32_t autumn;
	assert_true(activity_parse_date("2026-10-25", &autumn));
	int64_t l = (int64_t)autumn * 24 * HOUR_MS + 2 * HOUR_MS + HOUR_MS / 2;
	struct activity_day a;
	activity_day_init(&a, autumn);
	activity_day_add(&a, l - 2 * HOUR_MS, l, night);
	activity_day_add(&a, l - HOUR_MS, l, night);
	assert_int_equal(a.events, 2);
	assert_int_equal(activity_active_hours(&a), 1);
	assert_true(a.last_ms - a.first_ms == HOUR_MS);
}

static void test_day_without_events_and_merge(void **state)
{
	(void)state;
	struct activity_day d, b;
	activity_day_init(&d, 100);
	assert_int_equal(d.events, 0);
	assert_int_equal(activity_active_hours(&d), 0);
	assert_true(d.first_ms == 0 && d.last_ms == 0);
	activity_day_init(&b, 100);
	activity_day_merge(&d, &b); /* an empty batch changes nothing */
	assert_int_equal(d.events, 0);
	assert_true(d.first_ms == 0);
	int64_t base = INT64_C(100) * 24 * HOUR_MS;
	activity_day_add(&b, base + 10 * HOUR_MS, base + 10 * HOUR_MS, night);
	activity_day_add(&b, base + 12 * HOUR_MS, base + 12 * HOUR_MS, night);
	activity_day_merge(&d, &b);
	struct activity_day c;
	activity_day_init(&c, 100);
	activity_day_add(&c, base + 8 * HOUR_MS, base + 8 * HOUR_MS, night);
	activity_day_merge(&d, &c);
	assert_int_equal(d.events, 3);
	assert_int_equal(d.night_events, 0);
	assert_true(d.first_ms == base + 8 * HOUR_MS);
	assert_true(d.last_ms == base + 12 * HOUR_MS);
	assert_int_equal(activity_active_hours(&d), 3);
}

static void fill(struct wellbeing_day *h, int n, int32_t today, int events, int nights)
{
	for (int i = 0; i < n; i++) {
		h[i].day = today - 1 - i;
		h[i].events = events + (i % 3) * 10; /* 200, 210, 220, ...: median 210 */
		h[i].night_events = nights;
		h[i].at_home = true;
	}
}

static void test_wellbeing_low_and_night(void **state)
{
	(void)state;
	struct wellbeing_settings set;
	wellbeing_settings_default(&set);
	struct wellbeing_day h[14];
	fill(h, 14, 1000, 200, 2);
	struct wellbeing_result r;
	struct wellbeing_day today = {1000, 150, 2, true};
	wellbeing_evaluate(h, 14, &today, &set, &r);
	assert_int_equal(r.verdict, WB_FINE);
	assert_int_equal(r.baseline_n, 14);
	assert_true(r.median_events == 210);
	today.events = 104; /* under 105 */
	wellbeing_evaluate(h, 14, &today, &set, &r);
	assert_int_equal(r.verdict, WB_LOW_ACTIVITY);
	assert_non_null(strstr(r.detail, "median 210"));
	today.events = 105;
	wellbeing_evaluate(h, 14, &today, &set, &r);
	assert_int_equal(r.verdict, WB_FINE);
	today.night_events = 5; /* over 2 x 2 */
	wellbeing_evaluate(h, 14, &today, &set, &r);
	assert_int_equal(r.verdict, WB_NIGHT_ACTIVITY);
	today.night_events = 4;
	wellbeing_evaluate(h, 14, &today, &set, &r);
	assert_int_equal(r.verdict, WB_FINE);
	/* A night median of 0 does not turn one night visit into an alert. */
	fill(h, 14, 1000, 200, 0);
	today.night_events = 2;
	wellbeing_evaluate(h, 14, &today, &set, &r);
	assert_int_equal(r.verdict, WB_FINE);
	today.night_events = 3;
	wellbeing_evaluate(h, 14, &today, &set, &r);
	assert_int_equal(r.verdict, WB_NIGHT_ACTIVITY);
}

static void test_wellbeing_baseline_excludes_away_and_gaps(void **state)
{
	(void)state;
	struct wellbeing_settings set;
	wellbeing_settings_default(&set);
	struct wellbeing_day h[20];
	fill(h, 20, 1000, 200, 1);
	/* Days at day care are quiet at home: they must not pull the median
	 * down, or a real quiet day would pass unseen. */
	for (int i = 0; i < 14; i += 2) {
		h[i].events = 5;
		h[i].at_home = false;
	}
	struct wellbeing_result r;
	struct wellbeing_day today = {1000, 90, 1, true};
	wellbeing_evaluate(h, 20, &today, &set, &r);
	assert_int_equal(r.baseline_n, 7); /* 14 days back, 7 at home; older ignored */
	assert_int_equal(r.verdict, WB_LOW_ACTIVITY);
	/* Today at day care: never raises. */
	today.at_home = false;
	today.events = 0;
	wellbeing_evaluate(h, 20, &today, &set, &r);
	assert_int_equal(r.verdict, WB_EXCLUDED);
	/* Gaps: only 6 days with a summary in the 14: no judgement. */
	struct wellbeing_day g[6];
	fill(g, 6, 1000, 200, 1);
	for (int i = 0; i < 6; i++)
		g[i].day = 1000 - 1 - 2 * i; /* every other day missing */
	today.at_home = true;
	wellbeing_evaluate(g, 6, &today, &set, &r);
	assert_int_equal(r.verdict, WB_NO_BASELINE);
	assert_int_equal(r.baseline_n, 6);
	/* A day in the future or today itself is not baseline. */
	struct wellbeing_day odd[8];
	fill(odd, 8, 1000, 200, 1);
	odd[0].day = 1000;
	odd[1].day = 1001;
	wellbeing_evaluate(odd, 8, &today, &set, &r);
	assert_int_equal(r.baseline_n, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates_round_trip),
		cmocka_unit_test(test_local_day_across_dst),
		cmocka_unit_test(test_day_without_events_and_merge),
		cmocka_unit_test(test_wellbeing_low_and_night),
		cmocka_unit_test(test_wellbeing_baseline_excludes_away_and_gaps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
