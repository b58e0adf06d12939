/* Rotas, overrides and escalation policies with an injected clock: the
 * instant and the zone's offset at it come in as numbers, so midnight,
 * the first and last day of a rota's dates and DST nights are tables,
 * not waits. No sleeping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "esc_policy.h"
#include "page_plan.h"
#include "rota.h"
#include "tzif.h"

#define MIN_MS 60000LL
#define DAY_MS 86400000LL

static int32_t date(const char *s)
{
	int32_t d = 0;
	assert_int_equal(rota_parse_date(s, &d), CN_OK);
	return d;
}

/* UTC ms of local "date HH:MM" in a zone `offset_s` east of UTC. */
static int64_t at_local(const char *day, int hh, int mm, long offset_s)
{
	return (int64_t)date(day) * DAY_MS + (hh * 60 + mm) * MIN_MS - (int64_t)offset_s * 1000;
}

static bool covers(const struct rota_rule *r, int64_t utc_ms, long offset_s)
{
	return rota_covers(r, rota_local_time(utc_ms, offset_s));
}

static void test_rota_weekday_and_parsers(void **state)
{
	(void)state;
	assert_int_equal(rota_weekday(0), 3);                  /* 1970-01-01 thursday */
	assert_int_equal(rota_weekday(date("2026-12-04")), 4); /* friday */
	assert_int_equal(rota_weekday(date("2026-12-07")), 0); /* monday */
	int32_t d = 0;
	assert_int_equal(rota_parse_date("2026-02-29", &d), CN_ERR_INVALID);
	assert_int_equal(rota_parse_date("2028-02-29", &d), CN_OK);
	assert_int_equal(rota_parse_date("2026-13-01", &d), CN_ERR_INVALID);
	assert_int_equal(rota_parse_date("26-12-01", &d), CN_ERR_INVALID);
	int m = 0;
	assert_int_equal(rota_parse_hhmm("20:00", &m), CN_OK);
	assert_int_equal(m, 1200);
	assert_int_equal(rota_parse_hhmm("24:00", &m), CN_ERR_INVALID);
	assert_int_equal(rota_parse_hhmm("7:00", &m), CN_ERR_INVALID);
	assert_int_equal(rota_parse_hhmm("07:60", &m), CN_ERR_INVALID);
	assert_int_equal(rota_day_bit("sun"), 1u << 6);
	assert_int_equal(rota_day_bit("Sunday"), 0);
	enum rota_tier t;
	assert_int_equal(rota_parse_tier("off", false, &t), CN_ERR_INVALID);
	assert_int_equal(rota_parse_tier("off", true, &t), CN_OK);
	assert_int_equal(t, TIER_OFF);
}

static void test_rota_day_shift_in_the_site_zone(void **state)
{
	(void)state;
	/* Mon-Fri 08:00-16:00 in Shanghai (+8, no DST). */
	struct rota_rule r = {0x1f, 480, 960, ROTA_NO_DATE, ROTA_NO_DATE};
	long sh = 8 * 3600;
	assert_true(covers(&r, at_local("2026-12-04", 8, 0, sh), sh));
	assert_true(covers(&r, at_local("2026-12-04", 15, 59, sh), sh));
	assert_false(covers(&r, at_local("2026-12-04", 16, 0, sh), sh)); /* to is exclusive */
	assert_false(covers(&r, at_local("2026-12-04", 7, 59, sh), sh));
	assert_false(covers(&r, at_local("2026-12-05", 10, 0, sh), sh)); /* saturday */
	/* 01:00 UTC friday is 09:00 friday in Shanghai: the zone decides. */
	assert_true(covers(&r, date("2026-12-04") * DAY_MS + 60 * MIN_MS, sh));
	assert_false(covers(&r, date("2026-12-04") * DAY_MS + 60 * MIN_MS, 0));
}

static void test_rota_crossing_midnight_belongs_to_the_day_it_starts(void **state)
{
	(void)state;
	/* Friday 20:00-08:00 covers Saturday 03:00, not Friday 03:00. */
	struct rota_rule r = {1u << 4, 1200, 480, ROTA_NO_DATE, ROTA_NO_DATE};
	assert_true(covers(&r, at_local("2026-12-05", 3, 0, 0), 0));
	assert_true(covers(&r, at_local("2026-12-04", 20, 0, 0), 0));
	assert_true(covers(&r, at_local("2026-12-04", 23, 59, 0), 0));
	assert_false(covers(&r, at_local("2026-12-04", 3, 0, 0), 0));
	assert_false(covers(&r, at_local("2026-12-05", 8, 0, 0), 0));
	assert_false(covers(&r, at_local("2026-12-05", 20, 0, 0), 0)); /* saturday evening */
	/* 00:00-00:00 is a whole day, from its start to the next. */
	struct rota_rule all = {1u << 4, 0, 0, ROTA_NO_DATE, ROTA_NO_DATE};
	assert_true(covers(&all, at_local("2026-12-04", 0, 0, 0), 0));
	assert_true(covers(&all, at_local("2026-12-04", 23, 59, 0), 0));
	assert_false(covers(&all, at_local("2026-12-05", 0, 0, 0), 0));
}

static void test_rota_midnight_crossing_on_first_and_last_date(void **state)
{
	(void)state;
	/* Every night 22:00-06:00, from Tue 2026-12-01 to Thu 2026-12-03. */
	struct rota_rule r = {0x7f, 1320, 360, date("2026-12-01"), date("2026-12-03")};
	/* The morning of the first date belongs to the night before it: not covered. */
	assert_false(covers(&r, at_local("2026-12-01", 5, 0, 0), 0));
	assert_true(covers(&r, at_local("2026-12-01", 22, 0, 0), 0));
	assert_true(covers(&r, at_local("2026-12-02", 5, 59, 0), 0));
	/* The last date's shift runs into the next morning. */
	assert_true(covers(&r, at_local("2026-12-03", 23, 0, 0), 0));
	assert_true(covers(&r, at_local("2026-12-04", 5, 59, 0), 0));
	assert_false(covers(&r, at_local("2026-12-04", 6, 0, 0), 0));
	assert_false(covers(&r, at_local("2026-12-04", 22, 0, 0), 0));
	/* A one-day rota (starts_on == ends_on). */
	struct rota_rule one = {0x7f, 1320, 360, date("2026-12-02"), date("2026-12-02")};
	assert_false(covers(&one, at_local("2026-12-02", 3, 0, 0), 0));
	assert_true(covers(&one, at_local("2026-12-03", 3, 0, 0), 0));
	assert_false(covers(&one, at_local("2026-12-03", 23, 0, 0), 0));
}

static void test_rota_dst_nights_use_the_offset_of_the_instant(void **state)
{
	(void)state;
	/* Europe/Berlin: 2026-03-29 at 01:00 UTC the clocks go from 02:00
	 * CET (+1) to 03:00 CEST (+2); 2026-10-25 at 01:00 UTC from 03:00
	 * CEST back to 02:00 CET. The caller passes the offset in force. */
	struct rota_rule r = {1u << 5, 1320, 150, ROTA_NO_DATE, ROTA_NO_DATE}; /* sat 22:00-02:30 */
	int64_t spring = (int64_t)date("2026-03-29") * DAY_MS + 60 * MIN_MS;   /* 01:00 UTC */
	/* 00:59 UTC = 01:59 CET: on. 01:00 UTC = 03:00 CEST: already off,
	 * although +1 would have said 02:00. */
	assert_true(covers(&r, spring - MIN_MS, 3600));
	assert_false(covers(&r, spring, 7200));
	assert_true(covers(&r, spring, 3600)); /* the wrong offset would keep them on */
	/* Autumn: rotas are wall time, so in the repeated hour the clock
	 * shows 02:00-02:30 twice and the rota covers it both times (the
	 * night lasts one real hour longer, as the staff's clock says). */
	int64_t autumn = (int64_t)date("2026-10-25") * DAY_MS + 60 * MIN_MS; /* 01:00 UTC */
	assert_true(covers(&r, autumn - 40 * MIN_MS, 7200));                 /* 02:20 CEST */
	assert_false(covers(&r, autumn - 30 * MIN_MS, 7200)); /* 02:30 CEST: the end */
	assert_true(covers(&r, autumn, 3600));                /* 02:00 CET, the second 02:00 */
	assert_false(covers(&r, autumn + 30 * MIN_MS, 3600)); /* 02:30 CET */
}

static void test_oncall_shift_wins_and_off_takes_out(void **state)
{
	(void)state;
	struct oncall_claim rotas[] = {
		{"ann", TIER_PRIMARY}, {"bob", TIER_BACKUP}, {"ann", TIER_PRIMARY}};
	struct oncall_claim out[8];
	/* No shifts: the rotas, each person and tier once. */
	size_t n = oncall_merge(rotas, 3, NULL, 0, out, 8);
	assert_int_equal(n, 2);
	assert_string_equal(out[0].staff_id, "ann");
	assert_int_equal(out[0].tier, TIER_PRIMARY);
	assert_string_equal(out[1].staff_id, "bob");
	/* Ann on leave (off), Cy stands in as primary: Bob's rota untouched. */
	struct oncall_claim swap[] = {{"ann", TIER_OFF}, {"cy", TIER_PRIMARY}};
	n = oncall_merge(rotas, 3, swap, 2, out, 8);
	assert_int_equal(n, 2);
	assert_string_equal(out[0].staff_id, "bob");
	assert_string_equal(out[1].staff_id, "cy");
	assert_int_equal(out[1].tier, TIER_PRIMARY);
	/* A shift of Bob as supervisor replaces his backup rota for its time. */
	struct oncall_claim sup[] = {{"bob", TIER_SUPERVISOR}};
	n = oncall_merge(rotas, 3, sup, 1, out, 8);
	assert_int_equal(n, 2);
	assert_string_equal(out[1].staff_id, "bob");
	assert_int_equal(out[1].tier, TIER_SUPERVISOR);
	/* Bounded by cap. */
	assert_int_equal(oncall_merge(rotas, 3, swap, 2, out, 1), 1);
}

static void test_policy_targets_parse_and_format(void **state)
{
	(void)state;
	const char *ok[] = {"tier:primary", "tier:backup", "tier:supervisor", "role:coordinator",
	                    "staff:st-1",   "contacts",    "channel:ch-team", "site"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct esc_target t;
		char back[100];
		assert_int_equal(esc_target_parse(ok[i], &t), CN_OK);
		esc_target_format(&t, back, sizeof(back));
		assert_string_equal(back, ok[i]);
	}
	const char *bad[] = {
		"tier:off",
		"role:caregiver",
		"staff:",
		"channel:a b",
		"everyone",
		"",
		"staff:0123456789012345678901234567890123456789012345678901234567890123456789"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct esc_target t;
		assert_int_equal(esc_target_parse(bad[i], &t), CN_ERR_INVALID);
	}
}

static void test_policy_validation_refuses_paging_nobody(void **state)
{
	(void)state;
	char err[128];
	struct esc_policy p;
	memset(&p, 0, sizeof(p));
	assert_int_equal(esc_policy_validate(&p, err, sizeof(err)), CN_OK); /* P4: listed only */
	p.n = 2;
	p.steps[0].after_s = 0;
	p.steps[1].after_s = 60;
	assert_int_equal(esc_policy_validate(&p, err, sizeof(err)), CN_ERR_INVALID);
	assert_non_null(strstr(err, "nobody"));
	assert_int_equal(esc_target_parse("contacts", &p.steps[1].targets[0]), CN_OK);
	p.steps[1].n = 1;
	assert_int_equal(esc_policy_validate(&p, err, sizeof(err)), CN_OK);
	p.steps[1].after_s = 0; /* not later than the step before */
	assert_int_equal(esc_policy_validate(&p, err, sizeof(err)), CN_ERR_INVALID);
	assert_non_null(strstr(err, "steps[1].after_s"));
	p.steps[1].after_s = 60;
	p.repeat_s = 5;
	assert_int_equal(esc_policy_validate(&p, err, sizeof(err)), CN_ERR_INVALID);
	assert_non_null(strstr(err, "repeat_s"));
	p.repeat_s = 300;
	p.steps[0].after_s = -1;
	assert_int_equal(esc_policy_validate(&p, err, sizeof(err)), CN_ERR_INVALID);
}

static void test_policy_default_is_todays_ladder(void **state)
{
	(void)state;
	const long steps[3] = {60, 300, 1800};
	struct esc_policy p;
	char err[128];
	esc_policy_default(1, steps, &p);
	assert_int_equal(esc_policy_validate(&p, err, sizeof(err)), CN_OK);
	assert_int_equal(p.n, 4);
	assert_int_equal(p.repeat_s, 60);
	assert_int_equal(p.steps[0].after_s, 0);
	assert_int_equal(p.steps[0].n, 1);
	assert_int_equal(p.steps[0].targets[0].kind, TGT_TIER_PRIMARY);
	assert_int_equal(p.steps[1].after_s, 60);
	assert_int_equal(p.steps[1].targets[1].kind, TGT_TIER_BACKUP);
	assert_int_equal(p.steps[2].after_s, 120);
	assert_int_equal(p.steps[2].targets[3].kind, TGT_COORDINATORS);
	assert_int_equal(p.steps[3].after_s, 180);
	assert_int_equal(p.steps[3].targets[0].kind, TGT_SITE);
	esc_policy_default(2, steps, &p);
	assert_int_equal(p.steps[1].after_s, 300);
	esc_policy_default(3, steps, &p);
	assert_int_equal(p.repeat_s, 1800);
	esc_policy_default(4, steps, &p);
	assert_int_equal(p.n, 0);
}

static void test_policy_position_walks_steps_and_repeats(void **state)
{
	(void)state;
	const int64_t c = 1795000000000LL;
	struct esc_policy p;
	memset(&p, 0, sizeof(p));
	p.n = 3;
	p.steps[0].after_s = 0;
	p.steps[1].after_s = 60;
	p.steps[2].after_s = 120;
	p.repeat_s = 300;
	struct esc_position pos = esc_policy_position(&p, c, c);
	assert_int_equal(pos.step, 0);
	assert_int_equal(pos.next_at, c + 60000);
	pos = esc_policy_position(&p, c, c + 59999);
	assert_int_equal(pos.step, 0);
	pos = esc_policy_position(&p, c, c + 60000);
	assert_int_equal(pos.step, 1);
	assert_int_equal(pos.next_at, c + 120000);
	pos = esc_policy_position(&p, c, c + 120000);
	assert_int_equal(pos.step, 2);
	assert_int_equal(pos.next_at, c + 420000);
	/* Down for an hour: the alert is at the last step and the next repeat
	 * is the first one after now, not a burst of the missed ones. */
	pos = esc_policy_position(&p, c, c + 3600000);
	assert_int_equal(pos.step, 2);
	assert_int_equal(pos.next_at, c + 120000 + 12 * 300000);
	/* A restart between steps 1 and 2 continues at step 1's successor. */
	pos = esc_policy_position(&p, c, c + 90000);
	assert_int_equal(pos.step, 1);
	assert_int_equal(pos.next_at, c + 120000);
	/* A policy whose first step waits. */
	p.steps[0].after_s = 30;
	pos = esc_policy_position(&p, c, c);
	assert_int_equal(pos.step, -1);
	assert_int_equal(pos.next_at, c + 30000);
	/* No repeat: after the last step nothing is due. */
	p.repeat_s = 0;
	pos = esc_policy_position(&p, c, c + 500000);
	assert_int_equal(pos.step, 2);
	assert_int_equal(pos.next_at, 0);
}

static void test_onsite_reminder_times(void **state)
{
	(void)state;
	const int64_t ack = 1795000000000LL;
	assert_int_equal(esc_onsite_reminder_at(1, ack, 2700, 0), ack + 2700000);
	assert_int_equal(esc_onsite_reminder_at(2, ack, 2700, ack + 2700000), ack + 5400000);
	assert_int_equal(esc_onsite_reminder_at(2, ack, 2700, ack + 2800000), ack + 5400000);
	assert_int_equal(esc_onsite_reminder_at(3, ack, 2700, 0), 0);
	assert_int_equal(esc_onsite_reminder_at(4, ack, 2700, 0), 0);
	assert_int_equal(esc_onsite_reminder_at(1, ack, 0, 0), 0);
}

/* A site's own zone: the system's compiled Europe/London (Debian's
 * tzdata, a dependency in deploy/deps.sh) decoded by proto/tzif.c gives
 * the offsets a rota is read with, across both DST nights of 2026. */
static struct tzif *load_london(void)
{
	FILE *f = fopen("/usr/share/zoneinfo/Europe/London", "rb");
	assert_non_null(f);
	static unsigned char buf[TZIF_MAX_BYTES + 1];
	size_t len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	struct tzif *z = calloc(1, sizeof(*z));
	assert_non_null(z);
	assert_int_equal(tzif_decode(buf, len, z), CN_OK);
	return z;
}

static void test_site_zone_offsets_and_a_day_rota_over_dst(void **state)
{
	(void)state;
	struct tzif *z = load_london();
	/* 2026-03-29 01:00 UTC: GMT -> BST; 2026-10-25 01:00 UTC: BST -> GMT. */
	int64_t spring = (int64_t)date("2026-03-29") * DAY_MS + 60 * MIN_MS;
	int64_t autumn = (int64_t)date("2026-10-25") * DAY_MS + 60 * MIN_MS;
	assert_int_equal(tzif_offset(z, spring - 1), 0);
	assert_int_equal(tzif_offset(z, spring), 3600);
	assert_int_equal(tzif_offset(z, autumn - 1), 3600);
	assert_int_equal(tzif_offset(z, autumn), 0);
	assert_int_equal(tzif_offset(z, (int64_t)date("2026-07-01") * DAY_MS), 3600);
	/* A day rota 07:00-19:00 every day: 07:30 local is 07:30 UTC on the
	 * Saturday before and 06:30 UTC on the Sunday of the change. */
	struct rota_rule r = {0x7f, 7 * 60, 19 * 60, ROTA_NO_DATE, ROTA_NO_DATE};
	int64_t sat = (int64_t)date("2026-03-28") * DAY_MS + 7 * 3600000LL + 30 * MIN_MS;
	int64_t sun = (int64_t)date("2026-03-29") * DAY_MS + 6 * 3600000LL + 30 * MIN_MS;
	assert_true(covers(&r, sat, tzif_offset(z, sat)));
	assert_true(covers(&r, sun, tzif_offset(z, sun)));
	assert_false(
		covers(&r, sun - 60 * MIN_MS, tzif_offset(z, sun - 60 * MIN_MS))); /* 06:30 BST */
	/* 18:30 UTC is 19:30 BST: off, though it would be on in GMT. */
	int64_t eve = (int64_t)date("2026-03-29") * DAY_MS + 18 * 3600000LL + 30 * MIN_MS;
	assert_false(covers(&r, eve, tzif_offset(z, eve)));
	assert_true(covers(&r, eve, 0));
	/* Wall time back to an instant: an ordinary time, the skipped hour
	 * (01:30 on the spring night maps forwards to 02:30 BST = 01:30
	 * UTC) and the repeated one (01:30 on the autumn night: its first
	 * pass, 00:30 UTC). */
	int64_t local_0730 = (int64_t)date("2026-03-29") * DAY_MS + 7 * 3600000LL + 30 * MIN_MS;
	assert_int_equal(tzif_to_utc(z, local_0730), sun);
	int64_t skipped = (int64_t)date("2026-03-29") * DAY_MS + 90 * MIN_MS;
	assert_int_equal(tzif_to_utc(z, skipped), spring + 30 * MIN_MS);
	int64_t repeated = (int64_t)date("2026-10-25") * DAY_MS + 90 * MIN_MS;
	assert_int_equal(tzif_to_utc(z, repeated), autumn - 30 * MIN_MS);
	free(z);
}

static void test_tzif_refuses_what_is_not_a_zone_file(void **state)
{
	(void)state;
	struct tzif *z = calloc(1, sizeof(*z));
	assert_non_null(z);
	/* A minimal version-1 file: one transition at 1000 s to type 1. */
	unsigned char f[44 + 5 + 12 + 4] = {'T', 'Z', 'i', 'f', 0};
	f[35] = 1; /* timecnt */
	f[39] = 2; /* typecnt */
	f[43] = 4; /* charcnt */
	unsigned char *p = f + 44;
	p[2] = 0x03, p[3] = 0xe8;                      /* at 1000 */
	p[4] = 1;                                      /* -> type 1 */
	p[5 + 2] = 0x0e, p[5 + 3] = 0x10;              /* type 0: +3600, std */
	p[11 + 2] = 0x1c, p[11 + 3] = 0x20, p[15] = 1; /* type 1: +7200, dst */
	assert_int_equal(tzif_decode(f, sizeof(f), z), CN_OK);
	assert_int_equal(tzif_offset(z, 999999), 3600);
	assert_int_equal(tzif_offset(z, 1000000), 7200);
	/* Truncated, a bad magic, a type index out of range, nothing. */
	assert_int_equal(tzif_decode(f, sizeof(f) - 1, z), CN_ERR_INVALID);
	f[0] = 'X';
	assert_int_equal(tzif_decode(f, sizeof(f), z), CN_ERR_INVALID);
	f[0] = 'T';
	p[4] = 2;
	assert_int_equal(tzif_decode(f, sizeof(f), z), CN_ERR_INVALID);
	assert_int_equal(tzif_decode(NULL, 0, z), CN_ERR_INVALID);
	free(z);
}

/* Who one step pages (care/page_plan.h). */
static struct esc_policy policy_of(const char *const *steps[], const long *after, size_t n)
{
	struct esc_policy p;
	memset(&p, 0, sizeof(p));
	p.n = n;
	for (size_t i = 0; i < n; i++) {
		p.steps[i].after_s = after[i];
		for (size_t k = 0; steps[i][k]; k++)
			assert_int_equal(
				esc_target_parse(steps[i][k], &p.steps[i].targets[p.steps[i].n++]),
				CN_OK);
	}
	return p;
}

static bool plan_has(const struct page_plan *pl, const char *id)
{
	for (size_t i = 0; i < pl->n_staff; i++)
		if (strcmp(pl->staff[i], id) == 0)
			return true;
	return false;
}

static void test_page_plan_resolves_targets(void **state)
{
	(void)state;
	struct oncall_claim on[] = {
		{"ann", TIER_PRIMARY}, {"bob", TIER_BACKUP}, {"sue", TIER_SUPERVISOR}};
	const char *coord[] = {"cora"}, *admins[] = {"root"}, *ok[] = {"dan"};
	struct page_people in = {on, 3, coord, 1, admins, 1, ok, 1, false};
	const char *s0[] = {"tier:primary", NULL};
	const char *s1[] = {"tier:backup", "staff:dan", "staff:ghost", NULL};
	const char *s2[] = {"site", "role:coordinator", "channel:ch-team", NULL};
	const char *const *steps[] = {s0, s1, s2};
	long after[] = {0, 60, 120};
	struct esc_policy p = policy_of(steps, after, 3);
	struct page_plan pl;
	page_plan_make(&p, 0, &in, &pl);
	assert_int_equal(pl.n_staff, 1);
	assert_true(plan_has(&pl, "ann"));
	assert_false(pl.nobody_on_shift || pl.fallback);
	/* A named person who may not be paged (unknown, inactive) is left out. */
	page_plan_make(&p, 1, &in, &pl);
	assert_int_equal(pl.n_staff, 2);
	assert_true(plan_has(&pl, "bob") && plan_has(&pl, "dan") && !plan_has(&pl, "ghost"));
	/* Everyone on call and the coordinators, each once; the channel named. */
	page_plan_make(&p, 2, &in, &pl);
	assert_int_equal(pl.n_staff, 4);
	assert_true(plan_has(&pl, "sue") && plan_has(&pl, "cora"));
	assert_int_equal(pl.n_channels, 1);
	assert_string_equal(pl.channels[0], "ch-team");
	assert_int_equal(pl.step, 2);
}

static void test_page_plan_never_silent(void **state)
{
	(void)state;
	struct oncall_claim on[] = {{"bob", TIER_BACKUP}};
	const char *coord[] = {"cora"}, *admins[] = {"root"};
	struct page_people in = {on, 1, coord, 1, admins, 1, NULL, 0, false};
	/* Contacts first: while channels do not deliver, that step reaches
	 * nobody and the next step's people are paged at once; the contacts
	 * stay named in the plan. */
	const char *s0[] = {"contacts", NULL};
	const char *s1[] = {"tier:primary", NULL};
	const char *s2[] = {"tier:backup", NULL};
	const char *const *steps[] = {s0, s1, s2};
	long after[] = {0, 30, 60};
	struct esc_policy p = policy_of(steps, after, 3);
	struct page_plan pl;
	page_plan_make(&p, 0, &in, &pl);
	assert_true(pl.contacts);
	assert_int_equal(pl.step, 2); /* no primary on call: on to the backup */
	assert_int_equal(pl.n_staff, 1);
	assert_true(plan_has(&pl, "bob"));
	/* When channels deliver, the contacts alone are a page. */
	in.channels_deliver = true;
	page_plan_make(&p, 0, &in, &pl);
	assert_int_equal(pl.n_staff, 0);
	assert_true(pl.contacts && page_plan_reaches(&pl, true));
	in.channels_deliver = false;
	/* Nobody on call at all: the coordinators, and it says so. */
	in.n_on = 0;
	page_plan_make(&p, 1, &in, &pl);
	assert_true(pl.nobody_on_shift && pl.fallback);
	assert_int_equal(pl.n_staff, 1);
	assert_true(plan_has(&pl, "cora"));
	/* No coordinator either: the admins. */
	in.n_coordinators = 0;
	page_plan_make(&p, 1, &in, &pl);
	assert_int_equal(pl.n_staff, 1);
	assert_true(plan_has(&pl, "root"));
	/* The reminder: the responder and the coordinators. */
	in.n_coordinators = 1;
	page_plan_reminder("ann", &in, &pl);
	assert_int_equal(pl.n_staff, 2);
	assert_true(plan_has(&pl, "ann") && plan_has(&pl, "cora"));
	page_plan_reminder(NULL, &in, &pl);
	assert_int_equal(pl.n_staff, 1);
}

/* Issue 18 "P3, never a night page": a wellbeing alert's next step at
 * night waits for 08:00 local; inside 08:00-20:00 it is now. */
static void test_wellbeing_waits_for_day_time(void **state)
{
	(void)state;
	const int64_t min = 60000, day_ms = 24 * 60 * min;
	int64_t midnight = 1767225600000LL; /* a local midnight (minute 0) */
	int64_t t = midnight + 9 * 60 * min + 30000;
	assert_int_equal(esc_day_time_from(t, 9 * 60, 480, 1200), t);
	assert_int_equal(esc_day_time_from(midnight + 480 * min, 480, 480, 1200),
	                 midnight + 480 * min);
	/* 20:00 is night already: the next morning. */
	assert_int_equal(esc_day_time_from(midnight + 1200 * min, 1200, 480, 1200),
	                 midnight + day_ms + 480 * min);
	/* 03:00 with seconds: 08:00 the same day, on the minute. */
	assert_int_equal(esc_day_time_from(midnight + 180 * min + 12345, 180, 480, 1200),
	                 midnight + 480 * min);
	assert_int_equal(esc_day_time_from(midnight + 1439 * min, 1439, 480, 1200),
	                 midnight + day_ms + 480 * min);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rota_weekday_and_parsers),
		cmocka_unit_test(test_rota_day_shift_in_the_site_zone),
		cmocka_unit_test(test_rota_crossing_midnight_belongs_to_the_day_it_starts),
		cmocka_unit_test(test_rota_midnight_crossing_on_first_and_last_date),
		cmocka_unit_test(test_rota_dst_nights_use_the_offset_of_the_instant),
		cmocka_unit_test(test_oncall_shift_wins_and_off_takes_out),
		cmocka_unit_test(test_policy_targets_parse_and_format),
		cmocka_unit_test(test_policy_validation_refuses_paging_nobody),
		cmocka_unit_test(test_policy_default_is_todays_ladder),
		cmocka_unit_test(test_policy_position_walks_steps_and_repeats),
		cmocka_unit_test(test_onsite_reminder_times),
		cmocka_unit_test(test_site_zone_offsets_and_a_day_rota_over_dst),
		cmocka_unit_test(test_tzif_refuses_what_is_not_a_zone_file),
		cmocka_unit_test(test_page_plan_resolves_targets),
		cmocka_unit_test(test_page_plan_never_silent),
		cmocka_unit_test(test_wellbeing_waits_for_day_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
