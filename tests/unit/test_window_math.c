/* Unit tests for services/care/window_math.c: every time-window rule
 * deadline with an injected clock and calendar (instants are arguments,
 * the calendar is libc's in the zone set per test; the test links care +
 * proto only), windows across midnight, and the two DST changes of 2026 in
 * America/New_York (2026-03-08 02:00 -> 03:00, 2026-11-01 02:00 -> 01:00).
 * Expected instants are written in UTC, so they do not depend on the code
 * under test for their local meaning. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "rules.h"
#include "window_math.h"

#define MIN_MS  60000LL
#define HOUR_MS 3600000LL

/* The calendar under the arithmetic: libc's local time in the zone TZ
 * names, as the daemon's clock.h does it (mktime with tm_isdst = -1: a
 * wall time in a spring-forward gap comes out normalised forwards). */
static void set_zone(const char *zone)
{
	setenv("TZ", zone, 1);
	tzset();
}

static struct tm local_tm(int64_t ms)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	return tm;
}

static int64_t local_make(const struct tm *day, int minute)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = day->tm_year;
	tm.tm_mon = day->tm_mon;
	tm.tm_mday = day->tm_mday;
	tm.tm_hour = minute / 60;
	tm.tm_min = minute % 60;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

static int64_t local_midnight(int64_t ms)
{
	struct tm tm = local_tm(ms);
	return local_make(&tm, 0);
}

static int64_t local_at(int64_t day_ms, int minute)
{
	struct tm tm = local_tm(day_ms);
	return local_make(&tm, minute);
}

static int local_minute(int64_t ms)
{
	struct tm tm = local_tm(ms);
	return tm.tm_hour * 60 + tm.tm_min;
}

static const struct wm_calendar cal = {local_midnight, local_at};

/* Epoch ms of a UTC wall time. */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (int64_t)timegm(&tm) * 1000;
}

static struct day_window win(int fh, int fm, int th, int tm)
{
	struct day_window w = {fh * 60 + fm, th * 60 + tm};
	return w;
}

static int zone_shanghai(void **state)
{
	(void)state;
	set_zone("Asia/Shanghai"); /* UTC+8, no DST */
	return 0;
}

static int zone_new_york(void **state)
{
	(void)state;
	set_zone("America/New_York");
	return 0;
}

/* ---- inactivity ---- */

/* The example: window 07:00-22:00, 240 min, last activity 20:30:
 * 1.5 h that evening, the remaining 2.5 h from 07:00 -> 09:30 next day. */
static void test_inactivity_example_carries_over_the_night(void **state)
{
	(void)state;
	int64_t last = utc(2026, 11, 27, 12, 30); /* 20:30 in Shanghai */
	assert_int_equal(wm_inactivity_due(&cal, last, win(7, 0, 22, 0), 240),
	                 utc(2026, 11, 28, 1, 30)); /* 09:30 next day */
}

static void test_inactivity_inside_before_and_after_the_window(void **state)
{
	(void)state;
	struct day_window w = win(7, 0, 22, 0);
	/* Inside: plain addition. 10:00 + 4 h = 14:00. */
	assert_int_equal(wm_inactivity_due(&cal, utc(2026, 11, 27, 2, 0), w, 240),
	                 utc(2026, 11, 27, 6, 0));
	/* Before the window opens (03:00): counting starts at 07:00 -> 11:00. */
	assert_int_equal(wm_inactivity_due(&cal, utc(2026, 11, 26, 19, 0), w, 240),
	                 utc(2026, 11, 27, 3, 0));
	/* After it closes (23:00): 07:00 next morning + 4 h. */
	assert_int_equal(wm_inactivity_due(&cal, utc(2026, 11, 27, 15, 0), w, 240),
	                 utc(2026, 11, 28, 3, 0));
	/* Exactly at the opening and at the closing minute. */
	assert_int_equal(wm_inactivity_due(&cal, utc(2026, 11, 26, 23, 0), w, 60),
	                 utc(2026, 11, 27, 0, 0));
	assert_int_equal(wm_inactivity_due(&cal, utc(2026, 11, 27, 14, 0), w, 60),
	                 utc(2026, 11, 28, 0, 0)); /* 22:00 is outside: 08:00 next day */
}

static void test_inactivity_one_minute_thresholds(void **state)
{
	(void)state;
	struct day_window w = win(7, 0, 22, 0);
	int64_t t = utc(2026, 11, 27, 4, 0) + 12345; /* 12:00:12.345 */
	assert_int_equal(wm_inactivity_due(&cal, t, w, 1), t + MIN_MS);
	/* 30 s before closing: 30 s tonight, 30 s from 07:00 tomorrow. */
	int64_t late = utc(2026, 11, 27, 13, 59) + 30000;
	assert_int_equal(wm_inactivity_due(&cal, late, w, 1), utc(2026, 11, 27, 23, 0) + 30000);
}

static void test_inactivity_window_across_midnight(void **state)
{
	(void)state;
	struct day_window night = win(22, 0, 6, 0);
	/* 05:00, 120 min: 1 h until 06:00, the other hour from 22:00. */
	assert_int_equal(wm_inactivity_due(&cal, utc(2026, 11, 26, 21, 0), night, 120),
	                 utc(2026, 11, 27, 15, 0)); /* 23:00 */
	/* 23:30, 120 min: straight through midnight -> 01:30. */
	assert_int_equal(wm_inactivity_due(&cal, utc(2026, 11, 27, 15, 30), night, 120),
	                 utc(2026, 11, 27, 17, 30));
	/* 12:00, 600 min: the whole 8-hour night, then 2 h of the next. */
	assert_int_equal(wm_inactivity_due(&cal, utc(2026, 11, 27, 4, 0), night, 600),
	                 utc(2026, 11, 28, 16, 0)); /* 00:00 two nights on */
}

static void test_inactivity_all_day_and_off(void **state)
{
	(void)state;
	int64_t t = utc(2026, 11, 27, 15, 59);
	assert_int_equal(wm_inactivity_due(&cal, t, win(0, 0, 0, 0), 240), t + 240 * MIN_MS);
	assert_int_equal(wm_inactivity_due(&cal, t, win(8, 0, 8, 0), 1440), t + 1440 * MIN_MS);
	assert_int_equal(wm_inactivity_due(&cal, t, win(7, 0, 22, 0), 0), 0);
	/* A one-minute window and a full day of minutes: far, but found. */
	int64_t far = wm_inactivity_due(&cal, t, win(12, 0, 12, 1), 1440);
	assert_true(far > t + 1400LL * 24 * HOUR_MS);
	assert_int_equal(local_minute(far), 12 * 60 + 1);
}

static void test_window_time_counts_only_inside(void **state)
{
	(void)state;
	struct day_window w = win(7, 0, 22, 0);
	/* 20:30 to 09:30 next day: 1.5 h + 2.5 h. */
	assert_int_equal(
		wm_window_time(&cal, utc(2026, 11, 27, 12, 30), utc(2026, 11, 28, 1, 30), w),
		4 * HOUR_MS);
	assert_int_equal(wm_window_time(&cal, utc(2026, 11, 27, 2, 0), utc(2026, 11, 27, 2, 0), w),
	                 0);
	/* The night 22:00-06:00 between noon and noon: 8 h. */
	assert_int_equal(wm_window_time(&cal, utc(2026, 11, 27, 4, 0), utc(2026, 11, 28, 4, 0),
	                                win(22, 0, 6, 0)),
	                 8 * HOUR_MS);
}

/* ---- DST (America/New_York) ---- */

static void test_dst_days_are_23_and_25_hours(void **state)
{
	(void)state;
	int64_t mar8 = utc(2026, 3, 8, 5, 0); /* 00:00 EST */
	assert_int_equal(local_midnight(mar8 + 12 * HOUR_MS), mar8);
	assert_int_equal(wm_next_midnight(&cal, mar8),
	                 utc(2026, 3, 9, 4, 0)); /* 00:00 EDT, 23 h on */
	int64_t nov1 = utc(2026, 11, 1, 4, 0);   /* 00:00 EDT */
	assert_int_equal(wm_next_midnight(&cal, nov1 + 3 * HOUR_MS),
	                 utc(2026, 11, 2, 5, 0)); /* 25 h */
}

static void test_dst_inactivity_spring_forward(void **state)
{
	(void)state;
	/* 07:00-22:00, 240 min, last activity Saturday 20:30 EST: 1.5 h that
	 * evening, 2.5 h from 07:00 EDT on Sunday -> 09:30 EDT = 13:30 UTC. */
	assert_int_equal(wm_inactivity_due(&cal, utc(2026, 3, 8, 1, 30), win(7, 0, 22, 0), 240),
	                 utc(2026, 3, 8, 13, 30));
	/* A window holding the change: 01:00-05:00 is 3 real hours that night.
	 * 01:30 EST + 120 min of real time = 04:30 EDT. */
	int64_t due = wm_inactivity_due(&cal, utc(2026, 3, 8, 6, 30), win(1, 0, 5, 0), 120);
	assert_int_equal(due, utc(2026, 3, 8, 8, 30));
	assert_int_equal(local_minute(due), 4 * 60 + 30);
	/* The night 22:00-06:00 across the change is 7 h, not 8: 480 min
	 * need one more hour of the next night -> Sunday 23:00 EDT. */
	struct day_window night = win(22, 0, 6, 0);
	assert_int_equal(wm_window_time(&cal, utc(2026, 3, 8, 2, 0), utc(2026, 3, 8, 16, 0), night),
	                 7 * HOUR_MS);
	assert_int_equal(wm_inactivity_due(&cal, utc(2026, 3, 8, 3, 0), night, 480),
	                 utc(2026, 3, 9, 3, 0));
}

static void test_dst_inactivity_fall_back(void **state)
{
	(void)state;
	/* The night of 31 Oct to 1 Nov is 9 h: 480 min from 22:00 EDT end at
	 * 05:00 EST = 10:00 UTC, still inside the same night. */
	struct day_window night = win(22, 0, 6, 0);
	assert_int_equal(
		wm_window_time(&cal, utc(2026, 11, 1, 1, 0), utc(2026, 11, 1, 16, 0), night),
		9 * HOUR_MS);
	int64_t due = wm_inactivity_due(&cal, utc(2026, 11, 1, 2, 0), night, 480);
	assert_int_equal(due, utc(2026, 11, 1, 10, 0));
	assert_int_equal(local_minute(due), 5 * 60);
	/* Daytime rule over the change: Saturday 20:30 EDT, 240 min -> 1.5 h
	 * + 2.5 h from 07:00 EST on Sunday = 09:30 EST = 14:30 UTC. */
	assert_int_equal(wm_inactivity_due(&cal, utc(2026, 11, 1, 0, 30), win(7, 0, 22, 0), 240),
	                 utc(2026, 11, 1, 14, 30));
}

/* ---- missed check-in ---- */

static void test_checkin_today_tomorrow_and_after_a_checkin(void **state)
{
	(void)state;
	int by = 10 * 60;
	int64_t at8 = utc(2026, 11, 27, 0, 0);   /* 08:00 Shanghai */
	int64_t today = utc(2026, 11, 27, 2, 0); /* 10:00 */
	int64_t tomorrow = utc(2026, 11, 28, 2, 0);
	/* Never checked in, or only yesterday: today's 10:00. */
	assert_int_equal(wm_checkin_due(&cal, at8, 0, by), today);
	assert_int_equal(wm_checkin_due(&cal, at8, utc(2026, 11, 26, 15, 59), by), today);
	/* Checked in this morning (07:30): tomorrow's. */
	assert_int_equal(wm_checkin_due(&cal, at8, utc(2026, 11, 26, 23, 30), by), tomorrow);
	/* Firing at the deadline, or armed after it: tomorrow's. */
	assert_int_equal(wm_checkin_due(&cal, today, 0, by), tomorrow);
	assert_int_equal(wm_checkin_due(&cal, today + HOUR_MS, 0, by), tomorrow);
	/* Just before midnight with checkin_by 00:01: tomorrow's 00:01. */
	assert_int_equal(wm_checkin_due(&cal, utc(2026, 11, 27, 15, 59), 0, 1),
	                 utc(2026, 11, 27, 16, 1));
	/* No check-in expected. */
	assert_int_equal(wm_checkin_due(&cal, at8, 0, -1), 0);
}

static void test_dst_checkin(void **state)
{
	(void)state;
	/* 10:00 is 15:00 UTC in winter and 14:00 UTC in summer. */
	int by = 10 * 60;
	assert_int_equal(wm_checkin_due(&cal, utc(2026, 3, 7, 17, 0), utc(2026, 3, 7, 14, 0), by),
	                 utc(2026, 3, 8, 14, 0));
	assert_int_equal(
		wm_checkin_due(&cal, utc(2026, 10, 31, 17, 0), utc(2026, 10, 31, 13, 0), by),
		utc(2026, 11, 1, 15, 0));
	/* 02:30 does not exist on 8 March: the first valid minute after the
	 * gap keeps its distance, 03:30 EDT. */
	assert_int_equal(wm_checkin_due(&cal, utc(2026, 3, 8, 5, 0), 0, 2 * 60 + 30),
	                 utc(2026, 3, 8, 7, 30));
	/* 01:30 happens twice on 1 November: one deadline that day, the first
	 * (clock.h), 01:30 EDT = 05:30 UTC. */
	int64_t twice = wm_checkin_due(&cal, utc(2026, 11, 1, 4, 0), 0, 90);
	assert_int_equal(twice, utc(2026, 11, 1, 5, 30));
	assert_int_equal(local_minute(twice), 90);
	/* and the next day's is a normal 01:30 EST. */
	assert_int_equal(wm_checkin_due(&cal, twice, 0, 90), utc(2026, 11, 2, 6, 30));
}

/* ---- night_exit's window (decided per event in rules.c) ---- */

/* The night window is matched against the event's local minute: across
 * midnight, and on both DST nights, by the wall clock. */
static void test_dst_night_window_by_local_minute(void **state)
{
	(void)state;
	struct day_window night = win(23, 0, 6, 0);
	struct {
		int64_t at;
		bool inside;
	} cases[] = {
		{utc(2026, 11, 1, 3, 0), true},   /* 23:00 EDT */
		{utc(2026, 11, 1, 2, 59), false}, /* 22:59 EDT */
		{utc(2026, 11, 1, 5, 30), true},  /* 01:30 EDT */
		{utc(2026, 11, 1, 6, 30), true},  /* 01:30 EST, the second time */
		{utc(2026, 11, 1, 10, 59), true}, /* 05:59 EST */
		{utc(2026, 11, 1, 11, 0), false}, /* 06:00 EST */
		{utc(2026, 3, 8, 6, 59), true},   /* 01:59 EST */
		{utc(2026, 3, 8, 7, 0), true},    /* 03:00 EDT, straight after */
		{utc(2026, 3, 8, 9, 59), true},   /* 05:59 EDT */
		{utc(2026, 3, 8, 10, 0), false},  /* 06:00 EDT */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(day_window_contains(night, local_minute(cases[i].at)),
		                 cases[i].inside);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_inactivity_example_carries_over_the_night,
	                               zone_shanghai),
		cmocka_unit_test_setup(test_inactivity_inside_before_and_after_the_window,
	                               zone_shanghai),
		cmocka_unit_test_setup(test_inactivity_one_minute_thresholds, zone_shanghai),
		cmocka_unit_test_setup(test_inactivity_window_across_midnight, zone_shanghai),
		cmocka_unit_test_setup(test_inactivity_all_day_and_off, zone_shanghai),
		cmocka_unit_test_setup(test_window_time_counts_only_inside, zone_shanghai),
		cmocka_unit_test_setup(test_dst_days_are_23_and_25_hours, zone_new_york),
		cmocka_unit_test_setup(test_dst_inactivity_spring_forward, zone_new_york),
		cmocka_unit_test_setup(test_dst_inactivity_fall_back, zone_new_york),
		cmocka_unit_test_setup(test_checkin_today_tomorrow_and_after_a_checkin,
	                               zone_shanghai),
		cmocka_unit_test_setup(test_dst_checkin, zone_new_york),
		cmocka_unit_test_setup(test_dst_night_window_by_local_minute, zone_new_york),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
