/* Every event rule of care-model.md "From events to alerts", as pure
 * functions: event, device, resident and clock in, decisions out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rules.h"

static const struct rule_settings set = {15, 25};

static struct rule_resident at(enum presence p)
{
	struct rule_resident r = {
		.presence = p,
		.active = {7 * 60, 22 * 60},
		.inactivity_minutes = 240,
		.night = {23 * 60, 6 * 60},
		.checkin_by_min = -1,
	};
	return r;
}

static struct cn_event ev(enum cn_event_type t, enum cn_value v)
{
	struct cn_event e;
	memset(&e, 0, sizeof(e));
	e.type = t;
	e.value = v;
	e.battery = -1;
	return e;
}

/* The decision of `action` for `kind` among out[0..n), or NULL. */
static const struct rule_decision *find(const struct rule_decision *out, size_t n,
                                        enum rule_action action, enum alert_kind kind)
{
	for (size_t i = 0; i < n; i++)
		if (out[i].action == action && out[i].kind == kind)
			return &out[i];
	return NULL;
}

static size_t run(struct cn_event e, const char *kind, bool exit_door, enum presence p, int minute,
                  struct rule_decision out[RULES_MAX_DECISIONS])
{
	struct rule_device dev = {kind, exit_door};
	struct rule_resident res = at(p);
	return rules_for_event(&e, &dev, &res, &set, minute, out);
}

static void test_rules_alarms_raise_with_their_priority(void **state)
{
	(void)state;
	struct {
		enum cn_event_type type;
		enum cn_value value;
		enum alert_kind kind;
		int priority;
	} rows[] = {
		{CN_EV_BUTTON, CN_VAL_PRESS, AK_SOS, 1},
		{CN_EV_BUTTON, CN_VAL_LONG_PRESS, AK_SOS, 1},
		{CN_EV_FALL, CN_VAL_TRUE, AK_FALL, 1},
		{CN_EV_SMOKE, CN_VAL_TRUE, AK_SMOKE, 1},
		{CN_EV_GAS, CN_VAL_TRUE, AK_GAS, 1},
		{CN_EV_WATER_LEAK, CN_VAL_TRUE, AK_WATER_LEAK, 2},
	};
	struct rule_decision out[RULES_MAX_DECISIONS];
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		/* At home, at day care or away: alarms are never suppressed. */
		for (int p = PRESENCE_HOME; p <= PRESENCE_AWAY; p++) {
			size_t n = run(ev(rows[i].type, rows[i].value), "x", false, (enum presence)p, 600, out);
			const struct rule_decision *d = find(out, n, RULE_RAISE, rows[i].kind);
			assert_non_null(d);
			assert_int_equal(d->priority, rows[i].priority);
		}
	}
}

static void test_rules_restores_raise_nothing(void **state)
{
	(void)state;
	struct rule_decision out[RULES_MAX_DECISIONS];
	enum cn_event_type types[] = {CN_EV_FALL, CN_EV_SMOKE, CN_EV_GAS, CN_EV_WATER_LEAK};
	for (size_t i = 0; i < 4; i++) {
		size_t n = run(ev(types[i], CN_VAL_FALSE), "x", false, PRESENCE_HOME, 600, out);
		for (size_t j = 0; j < n; j++)
			assert_int_not_equal(out[j].action, RULE_RAISE);
	}
	size_t n = run(ev(CN_EV_TEMPERATURE, CN_VAL_NUMBER), "x", false, PRESENCE_HOME, 600, out);
	assert_int_equal(n, 0);
}

static void test_rules_cancel_goes_on_the_timeline_and_leaves_the_alert(void **state)
{
	(void)state;
	struct rule_decision out[RULES_MAX_DECISIONS];
	size_t n = run(ev(CN_EV_BUTTON, CN_VAL_CANCEL), "sos_button", false, PRESENCE_HOME, 600, out);
	const struct rule_decision *d = find(out, n, RULE_TIMELINE, AK_SOS);
	assert_non_null(d);
	assert_string_equal(d->timeline_action, "cancel");
	assert_null(find(out, n, RULE_RAISE, AK_SOS));
	assert_null(find(out, n, RULE_CLEAR, AK_SOS));
}

static void test_rules_night_exit_only_exit_door_at_night_at_home(void **state)
{
	(void)state;
	struct rule_decision out[RULES_MAX_DECISIONS];
	struct cn_event open = ev(CN_EV_DOOR, CN_VAL_OPEN);
	/* 02:00 is inside 23:00-06:00, across midnight; 23:00 is the edge. */
	size_t n = run(open, "door", true, PRESENCE_HOME, 2 * 60, out);
	assert_non_null(find(out, n, RULE_RAISE, AK_NIGHT_EXIT));
	assert_int_equal(find(out, n, RULE_RAISE, AK_NIGHT_EXIT)->priority, 2);
	n = run(open, "door", true, PRESENCE_HOME, 23 * 60, out);
	assert_non_null(find(out, n, RULE_RAISE, AK_NIGHT_EXIT));
	n = run(open, "door", true, PRESENCE_HOME, 6 * 60, out); /* window ends at 06:00 */
	assert_null(find(out, n, RULE_RAISE, AK_NIGHT_EXIT));
	n = run(open, "door", true, PRESENCE_HOME, 12 * 60, out);
	assert_null(find(out, n, RULE_RAISE, AK_NIGHT_EXIT));
	n = run(open, "door", false, PRESENCE_HOME, 2 * 60, out); /* inner door */
	assert_null(find(out, n, RULE_RAISE, AK_NIGHT_EXIT));
	n = run(open, "door", true, PRESENCE_DAYCARE, 2 * 60, out);
	assert_null(find(out, n, RULE_RAISE, AK_NIGHT_EXIT));
	n = run(open, "door", true, PRESENCE_AWAY, 2 * 60, out);
	assert_null(find(out, n, RULE_RAISE, AK_NIGHT_EXIT));
	n = run(ev(CN_EV_DOOR, CN_VAL_CLOSED), "door", true, PRESENCE_HOME, 2 * 60, out);
	assert_null(find(out, n, RULE_RAISE, AK_NIGHT_EXIT));
}

static void test_rules_activity_is_motion_door_bed_button_checkin(void **state)
{
	(void)state;
	struct rule_decision out[RULES_MAX_DECISIONS];
	struct cn_event active[] = {ev(CN_EV_MOTION, CN_VAL_TRUE), ev(CN_EV_DOOR, CN_VAL_CLOSED),
	                            ev(CN_EV_BED, CN_VAL_FALSE), ev(CN_EV_BUTTON, CN_VAL_PRESS),
	                            ev(CN_EV_CHECKIN, CN_VAL_OK)};
	for (size_t i = 0; i < 5; i++) {
		size_t n = run(active[i], "x", false, PRESENCE_HOME, 600, out);
		assert_non_null(find(out, n, RULE_ACTIVITY, AK_INACTIVITY));
	}
	struct cn_event quiet[] = {ev(CN_EV_MOTION, CN_VAL_FALSE), ev(CN_EV_TEMPERATURE, CN_VAL_NUMBER),
	                           ev(CN_EV_WATER_LEAK, CN_VAL_FALSE), ev(CN_EV_BATTERY, CN_VAL_NUMBER)};
	for (size_t i = 0; i < 4; i++) {
		size_t n = run(quiet[i], "x", false, PRESENCE_HOME, 600, out);
		assert_null(find(out, n, RULE_ACTIVITY, AK_INACTIVITY));
	}
	size_t n = run(ev(CN_EV_CHECKIN, CN_VAL_OK), "checkin", false, PRESENCE_HOME, 600, out);
	assert_non_null(find(out, n, RULE_CHECKIN, AK_MISSED_CHECKIN));
}

static void test_rules_low_battery_with_hysteresis(void **state)
{
	(void)state;
	struct rule_decision out[RULES_MAX_DECISIONS];
	size_t n = rules_for_battery(9, false, &set, out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].action, RULE_RAISE);
	assert_int_equal(out[0].kind, AK_LOW_BATTERY);
	assert_int_equal(out[0].priority, 4);
	assert_int_equal(rules_for_battery(15, false, &set, out), 0); /* "below 15%" */
	assert_int_equal(rules_for_battery(20, true, &set, out), 0);  /* between: no flapping */
	assert_int_equal(rules_for_battery(25, true, &set, out), 0);  /* "above 25%" */
	n = rules_for_battery(26, true, &set, out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].action, RULE_CLEAR);
	assert_int_equal(rules_for_battery(90, false, &set, out), 0);
	assert_int_equal(rules_for_battery(-1, true, &set, out), 0);
}

static void test_rules_device_offline_raises_p3_and_clears(void **state)
{
	(void)state;
	struct rule_decision out[RULES_MAX_DECISIONS];
	size_t n = rules_for_device_status(false, out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].action, RULE_RAISE);
	assert_int_equal(out[0].kind, AK_DEVICE_OFFLINE);
	assert_int_equal(out[0].priority, 3);
	n = rules_for_device_status(true, out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].action, RULE_CLEAR);
	assert_int_equal(out[0].kind, AK_DEVICE_OFFLINE);
}

static void test_rules_day_windows_and_times(void **state)
{
	(void)state;
	struct day_window day = {7 * 60, 22 * 60}, night = {23 * 60, 6 * 60}, all = {0, 0};
	assert_true(day_window_contains(day, 7 * 60));
	assert_false(day_window_contains(day, 22 * 60));
	assert_false(day_window_contains(day, 3 * 60));
	assert_true(day_window_contains(night, 0));
	assert_true(day_window_contains(night, 5 * 60 + 59));
	assert_false(day_window_contains(night, 12 * 60));
	assert_true(day_window_contains(all, 12 * 60));
	int m = -1;
	assert_true(rules_parse_hhmm("00:00", &m));
	assert_int_equal(m, 0);
	assert_true(rules_parse_hhmm("23:59", &m));
	assert_int_equal(m, 1439);
	const char *bad[] = {"24:00", "7:00", "07:60", "07-00", "", "07:00:00", "ab:cd", NULL};
	for (size_t i = 0; bad[i]; i++)
		assert_false(rules_parse_hhmm(bad[i], &m));
	assert_false(rules_parse_hhmm(NULL, &m));
}

static void test_rules_priorities_of_every_kind(void **state)
{
	(void)state;
	const int want[AK_COUNT] = {
		[AK_SOS] = 1, [AK_FALL] = 1, [AK_SMOKE] = 1, [AK_GAS] = 1, [AK_WATER_LEAK] = 2,
		[AK_INACTIVITY] = 2, [AK_NIGHT_EXIT] = 2, [AK_MISSED_CHECKIN] = 2, [AK_MISSED_VISIT] = 2,
		[AK_DEVICE_OFFLINE] = 3, [AK_LOW_BATTERY] = 4, [AK_MANUAL] = 2,
		[AK_CARBON_MONOXIDE] = 1,
	};
	for (int k = 0; k < AK_COUNT; k++) {
		assert_int_equal(alert_kind_priority((enum alert_kind)k), want[k]);
		enum alert_kind back;
		assert_true(alert_kind_from_name(alert_kind_name((enum alert_kind)k), &back));
		assert_int_equal(back, k);
	}
	assert_true(alert_kind_is_technical(AK_DEVICE_OFFLINE));
	assert_true(alert_kind_is_technical(AK_LOW_BATTERY));
	assert_false(alert_kind_is_technical(AK_SOS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_alarms_raise_with_their_priority),
		cmocka_unit_test(test_rules_restores_raise_nothing),
		cmocka_unit_test(test_rules_cancel_goes_on_the_timeline_and_leaves_the_alert),
		cmocka_unit_test(test_rules_night_exit_only_exit_door_at_night_at_home),
		cmocka_unit_test(test_rules_activity_is_motion_door_bed_button_checkin),
		cmocka_unit_test(test_rules_low_battery_with_hysteresis),
		cmocka_unit_test(test_rules_device_offline_raises_p3_and_clears),
		cmocka_unit_test(test_rules_day_windows_and_times),
		cmocka_unit_test(test_rules_priorities_of_every_kind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
