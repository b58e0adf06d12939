/* Settlement arithmetic (contract section 8): the hourly rounding, the
 * allowance cap, short visits, months, adjustments after a close, and the
 * off-site distance. Pure: every time is an argument. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "settlement.h"

#define MIN 60000LL

static int month_of(const char *s)
{
	int m = -1;
	assert_int_equal(settle_month_parse(s, &m), 0);
	return m;
}

static void test_settlement_per_visit_bills_the_price(void **state)
{
	(void)state;
	assert_int_equal(settle_visit_amount(SETTLE_UNIT_VISIT, 3500, 45), 3500);
	assert_int_equal(settle_visit_amount(SETTLE_UNIT_VISIT, 3500, 0), 3500);
	assert_int_equal(settle_visit_amount(SETTLE_UNIT_VISIT, 0, 45), 0);
}

static void test_settlement_hourly_rounds_half_cent_up(void **state)
{
	(void)state;
	/* 4000 an hour for 45 min: exactly 3000 */
	assert_int_equal(settle_visit_amount(SETTLE_UNIT_HOUR, 4000, 45), 3000);
	/* 1000 an hour for 20 min = 333.33: 333 */
	assert_int_equal(settle_visit_amount(SETTLE_UNIT_HOUR, 1000, 20), 333);
	/* 1000 an hour for 40 min = 666.67: 667 */
	assert_int_equal(settle_visit_amount(SETTLE_UNIT_HOUR, 1000, 40), 667);
	/* 1 an hour for 30 min = 0.5: a half cent goes up */
	assert_int_equal(settle_visit_amount(SETTLE_UNIT_HOUR, 1, 30), 1);
	/* 1 an hour for 29 min = 0.483: 0 */
	assert_int_equal(settle_visit_amount(SETTLE_UNIT_HOUR, 1, 29), 0);
	/* no nominal duration, nothing to bill by the hour */
	assert_int_equal(settle_visit_amount(SETTLE_UNIT_HOUR, 4000, 0), 0);
}

static void test_settlement_actual_minutes_and_short(void **state)
{
	(void)state;
	int64_t t = 1790000000000LL;
	assert_int_equal(settle_actual_minutes(t, t + 44 * MIN + 29999), 44);
	assert_int_equal(settle_actual_minutes(t, t + 44 * MIN + 30000), 45);
	assert_int_equal(settle_actual_minutes(0, t), -1);
	assert_int_equal(settle_actual_minutes(t, t - 1), -1);

	struct settle_line l = {SETTLE_UNIT_HOUR, 4000, 60, t, t + 29 * MIN, false, 0};
	struct settle_priced p = settle_line_price(&l);
	assert_int_equal(p.actual_min, 29);
	assert_true(p.is_short);
	assert_int_equal(p.amount_cents, 4000); /* billed on the nominal hour, flagged */
	l.completed_at = t + 30 * MIN;          /* exactly half is not short */
	assert_false(settle_line_price(&l).is_short);
	l.started_at = 0; /* never started: unknown, not short */
	p = settle_line_price(&l);
	assert_int_equal(p.actual_min, -1);
	assert_false(p.is_short);
}

static void test_settlement_allowance_caps_the_subsidy(void **state)
{
	(void)state;
	int64_t t = 1790000000000LL;
	struct settle_line lines[3] = {
		{SETTLE_UNIT_VISIT, 5000, 30, t, t + 30 * MIN, false, 0},
		{SETTLE_UNIT_HOUR, 6000, 90, t, t + 20 * MIN, false, 0},
		{SETTLE_UNIT_VISIT, 2000, 15, 0, t, false, 0},
	};
	/* 5000 + 9000 + 2000 = 16000 against 12000 allowed */
	struct settle_month_total m = settle_resident_month(lines, 3, 12000);
	assert_int_equal(m.count, 3);
	assert_int_equal(m.nominal_min, 135);
	assert_int_equal(m.actual_min, 50);
	assert_int_equal(m.short_count, 1);
	assert_int_equal(m.amount_cents, 16000);
	assert_int_equal(m.subsidy_cents, 12000);
	assert_int_equal(m.family_cents, 4000);
	/* under the allowance the subsidy pays all */
	m = settle_resident_month(lines, 1, 12000);
	assert_int_equal(m.subsidy_cents, 5000);
	assert_int_equal(m.family_cents, 0);
	/* no scheme: the family pays all */
	m = settle_resident_month(lines, 3, 0);
	assert_int_equal(m.subsidy_cents, 0);
	assert_int_equal(m.family_cents, 16000);
}

static void test_settlement_adjustments_count_in_amount_not_visits(void **state)
{
	(void)state;
	int64_t t = 1790000000000LL;
	struct settle_line lines[2] = {
		{SETTLE_UNIT_VISIT, 5000, 30, t, t + 30 * MIN, false, 0},
		{SETTLE_UNIT_VISIT, 0, 0, 0, 0, true, -1500}, /* last month's overbilling */
	};
	struct settle_month_total m = settle_resident_month(lines, 2, 3000);
	assert_int_equal(m.count, 1);
	assert_int_equal(m.adjustments, 1);
	assert_int_equal(m.amount_cents, 3500);
	assert_int_equal(m.subsidy_cents, 3000);
	assert_int_equal(m.family_cents, 500);
	/* a refund larger than the month never makes a negative bill */
	lines[1].adjust_cents = -9000;
	m = settle_resident_month(lines, 2, 3000);
	assert_int_equal(m.amount_cents, 0);
	assert_int_equal(m.subsidy_cents, 0);
	assert_int_equal(m.family_cents, 0);
}

/* Whatever the lines, a month reconciles to the cent: subsidy and family
 * share add up to the amount, the subsidy never passes the allowance, the
 * amount is the visits plus the adjustments floored at 0. A fixed
 * pseudo-random walk over prices, units, durations and corrections. */
static void test_settlement_month_reconciles_to_the_cent(void **state)
{
	(void)state;
	uint32_t x = 12345;
	int64_t t = 1790000000000LL;
	for (int round = 0; round < 500; round++) {
		struct settle_line lines[12];
		int n = 1 + (int)(x % 12);
		int64_t visits = 0, adj = 0;
		for (int i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			struct settle_line l = {(x >> 3) & 1 ? SETTLE_UNIT_HOUR : SETTLE_UNIT_VISIT,
			                        (int64_t)(x % 100000),
			                        (int)((x >> 8) % 240),
			                        t,
			                        t + (int64_t)((x >> 4) % 200) * MIN,
			                        (x >> 5) % 5 == 0,
			                        (int64_t)((x >> 6) % 20000) - 10000};
			lines[i] = l;
			struct settle_priced p = settle_line_price(&l);
			if (l.adjustment)
				adj += l.adjust_cents;
			else
				visits += p.amount_cents;
		}
		int64_t allowance = (int64_t)((x >> 7) % 50000);
		struct settle_month_total m = settle_resident_month(lines, n, allowance);
		int64_t want = visits + adj > 0 ? visits + adj : 0;
		assert_int_equal(m.amount_cents, want);
		assert_int_equal(m.subsidy_cents + m.family_cents, m.amount_cents);
		assert_true(m.subsidy_cents <= allowance && m.subsidy_cents >= 0);
		assert_true(m.family_cents >= 0);
		assert_int_equal(m.count + m.adjustments, n);
	}
}

static void test_settlement_months_parse_format_and_bounds(void **state)
{
	(void)state;
	int m = 7;
	const char *bad[] = {"2026-13", "2026-00", "2026-1", "2026-011", "2026/01",
	                     "1999-12", "abcd-01", "",       "2026-0a"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(settle_month_parse(bad[i], &m), -1);
		assert_int_equal(m, 7);
	}
	assert_int_equal(settle_month_parse(NULL, &m), -1);
	m = month_of("2026-12");
	char out[8];
	settle_month_format(m + 1, out);
	assert_string_equal(out, "2027-01");
	/* 2026-12-01T00:00:00Z = 1796083200000 */
	assert_int_equal(settle_month_start(m), 1796083200000LL);
	assert_int_equal(settle_month_of(1796083200000LL), m);
	assert_int_equal(settle_month_of(1796083200000LL - 1), m - 1);
	/* a leap February: 2028-02-29T23:59:59.999Z is still February */
	int feb = month_of("2028-02");
	assert_int_equal(settle_month_of(settle_month_start(feb + 1) - 1), feb);
	assert_int_equal(settle_month_start(feb + 1) - settle_month_start(feb), 29LL * 86400000);
}

static void test_settlement_change_after_close_lands_next_month(void **state)
{
	(void)state;
	int nov = month_of("2026-11"), dec = nov + 1, jan = nov + 2;
	assert_int_equal(settle_month_for(dec, -1), dec);  /* nothing closed */
	assert_int_equal(settle_month_for(dec, nov), dec); /* its month is open */
	assert_int_equal(settle_month_for(nov, nov), dec); /* closed: the next month */
	assert_int_equal(settle_month_for(nov, dec), jan); /* two closed: after the last */
}

static void test_settlement_distance_and_off_site(void **state)
{
	(void)state;
	/* one degree of latitude is about 111.2 km */
	double d = settle_distance_m(22.5, 114.0, 23.5, 114.0);
	assert_true(d > 111100 && d < 111300);
	assert_true(settle_distance_m(22.5, 114.0, 22.5, 114.0) < 0.001);
	/* 0.0027 degrees of latitude ~ 300.2 m */
	double lat = 22.5 + 0.0027;
	assert_true(settle_off_site(lat, 114.0, 0, 22.5, 114.0, 0));
	assert_false(settle_off_site(lat, 114.0, 10, 22.5, 114.0, 0)); /* accuracy to the carer */
	assert_false(settle_off_site(lat, 114.0, 0, 22.5, 114.0, 500));
	assert_false(settle_off_site(22.5 + 0.002, 114.0, 0, 22.5, 114.0, 300));
	/* across the antimeridian the short way round */
	assert_true(settle_distance_m(0, 179.999, 0, -179.999) < 300);
}

static void test_settlement_volunteer_credit(void **state)
{
	(void)state;
	int64_t t = 1790000000000LL;
	assert_int_equal(settle_volunteer_minutes(t, t + 50 * MIN, 60), 50);
	assert_int_equal(settle_volunteer_minutes(0, t, 60), 60);
	assert_int_equal(settle_volunteer_minutes(0, t, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settlement_per_visit_bills_the_price),
		cmocka_unit_test(test_settlement_hourly_rounds_half_cent_up),
		cmocka_unit_test(test_settlement_actual_minutes_and_short),
		cmocka_unit_test(test_settlement_allowance_caps_the_subsidy),
		cmocka_unit_test(test_settlement_adjustments_count_in_amount_not_visits),
		cmocka_unit_test(test_settlement_month_reconciles_to_the_cent),
		cmocka_unit_test(test_settlement_months_parse_format_and_bounds),
		cmocka_unit_test(test_settlement_change_after_close_lands_next_month),
		cmocka_unit_test(test_settlement_distance_and_off_site),
		cmocka_unit_test(test_settlement_volunteer_credit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
