/* Unit tests for proto/payload.c, proto/timefmt.c, proto/event.c and
 * proto/reject.c. The Zigbee2MQTT rows are our own payloads written in
 * the shapes real devices publish (field sets and types as seen in
 * Zigbee2MQTT logs and device pages); the hostile rows assert the exact
 * reason of every rejection. */
#define _POSIX_C_SOURCE 200809L /* gmtime_r, to cross-check the calendar */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "event.h"
#include "payload.h"
#include "reject.h"

static const struct cn_payload_limits test_payload_lim = {.max_bytes = 16384};

/* ------------------------------------------------------------------ */
/* reject names and event helpers                                     */

static void test_payload_reject_names(void **state)
{
	static const char *const names[CN_REJECT_COUNT] = {
		"none", "bad_topic", "too_large", "bad_utf8", "bad_json", "too_deep",
		"bad_type", "bad_value", "missing_field", "bad_timestamp", "unknown_device",
	};
	(void)state;
	for (int i = 0; i < CN_REJECT_COUNT; i++)
		assert_string_equal(cn_reject_name((enum cn_reject)i), names[i]);
	assert_string_equal(cn_reject_name(CN_REJECT_COUNT), "unknown");
	assert_string_equal(cn_reject_name((enum cn_reject)-1), "unknown");
	assert_string_equal(cn_reject_name((enum cn_reject)1000), "unknown");
}

static void test_payload_event_names(void **state)
{
	static const char *const names[] = {
		"button", "fall", "motion", "door", "bed", "water_leak", "smoke", "gas",
		"checkin", "temperature", "battery", "carbon_monoxide", "vibration", "other",
	};
	(void)state;
	for (int i = 0; i <= CN_EV_OTHER; i++) {
		enum cn_event_type t = (enum cn_event_type)i;
		bool alarm = t == CN_EV_BUTTON || t == CN_EV_FALL || t == CN_EV_SMOKE ||
		             t == CN_EV_GAS || t == CN_EV_WATER_LEAK || t == CN_EV_CARBON_MONOXIDE;
		assert_string_equal(cn_event_type_name(t), names[i]);
		assert_int_equal(cn_event_is_alarm_class(t), alarm);
		assert_true(strlen(names[i]) < CN_EVENT_TYPE_MAX);
	}
	assert_string_equal(cn_event_type_name((enum cn_event_type)99), "other");
	assert_string_equal(cn_event_type_name((enum cn_event_type)-1), "other");
	assert_false(cn_event_is_alarm_class((enum cn_event_type)99));
}

static void test_payload_value_json(void **state)
{
	static const struct {
		enum cn_value value;
		double number;
		const char *json;
	} rows[] = {
		{CN_VAL_NONE, 0, "null"},
		{CN_VAL_TRUE, 0, "true"},
		{CN_VAL_FALSE, 0, "false"},
		{CN_VAL_OPEN, 0, "\"open\""},
		{CN_VAL_CLOSED, 0, "\"closed\""},
		{CN_VAL_PRESS, 0, "\"press\""},
		{CN_VAL_LONG_PRESS, 0, "\"long_press\""},
		{CN_VAL_CANCEL, 0, "\"cancel\""},
		{CN_VAL_OK, 0, "\"ok\""},
		{CN_VAL_NUMBER, 21.5, "21.5"},
		{CN_VAL_NUMBER, 0.1, "0.1"},
		{CN_VAL_NUMBER, 100, "100"},
		{CN_VAL_NUMBER, -50, "-50"},
		{CN_VAL_NUMBER, 21.74, "21.74"},
		{CN_VAL_NUMBER, 1.0 / 3.0, "0.3333333333333333"},
		{CN_VAL_NUMBER, 0.1 + 0.2, "0.30000000000000004"},
	};
	struct cn_event ev;
	char buf[CN_EVENT_OTHER_MAX];
	(void)state;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&ev, 0, sizeof(ev));
		ev.value = rows[i].value;
		ev.number = rows[i].number;
		assert_ptr_equal(cn_event_value_json(&ev, buf, sizeof(buf)), buf);
		assert_string_equal(buf, rows[i].json);
		if (ev.value == CN_VAL_NUMBER)
			assert_true(strtod(buf, NULL) == rows[i].number);
	}

	memset(&ev, 0, sizeof(ev));
	ev.value = CN_VAL_NUMBER;
	ev.number = strtod("nan", NULL);
	assert_string_equal(cn_event_value_json(&ev, buf, sizeof(buf)), "null");
	ev.number = strtod("inf", NULL);
	assert_string_equal(cn_event_value_json(&ev, buf, sizeof(buf)), "null");

	ev.value = CN_VAL_OTHER;
	snprintf(ev.other_json, sizeof(ev.other_json), "{\"bpm\":72}");
	assert_string_equal(cn_event_value_json(&ev, buf, sizeof(buf)), "{\"bpm\":72}");
	ev.other_json[0] = '\0';
	assert_string_equal(cn_event_value_json(&ev, buf, sizeof(buf)), "null");
	/* a struct that lost its NUL is not read past its end */
	memset(ev.other_json, 'x', sizeof(ev.other_json));
	assert_string_equal(cn_event_value_json(&ev, buf, sizeof(buf)), "null");

	/* truncation, size 0, NULL event */
	ev.value = CN_VAL_LONG_PRESS;
	assert_string_equal(cn_event_value_json(&ev, buf, 5), "\"lon");
	buf[0] = '#';
	cn_event_value_json(&ev, buf, 0);
	assert_int_equal(buf[0], '#');
	assert_string_equal(cn_event_value_json(NULL, buf, sizeof(buf)), "null");
	assert_null(cn_event_value_json(&ev, NULL, 10));
}

/* ------------------------------------------------------------------ */
/* RFC 3339                                                            */

static void test_payload_time_parse_valid(void **state)
{
	static const struct {
		const char *s;
		int64_t ms;
	} rows[] = {
		{"1970-01-01T00:00:00Z", 0},
		{"1970-01-01T01:00:00+01:00", 0},
		{"2000-01-01T00:00:00Z", INT64_C(946684800000)},
		{"1999-12-31T23:59:59.999Z", INT64_C(946684799999)},
		{"2026-11-27T09:22:53.123+08:00", INT64_C(1795742573123)},
		{"2026-11-27T01:22:53.123Z", INT64_C(1795742573123)},
		{"2026-11-26T21:22:53.123-04:00", INT64_C(1795742573123)},
		{"2026-11-27t01:22:53.123z", INT64_C(1795742573123)},
		{"2026-11-27T01:22:53.1234Z", INT64_C(1795742573123)},
		{"2026-11-27T01:22:53.123999999Z", INT64_C(1795742573123)},
		{"2026-11-27T01:22:53.1Z", INT64_C(1795742573100)},
		{"2026-11-27T01:22:53.12Z", INT64_C(1795742573120)},
		{"2026-11-27T01:22:53.000Z", INT64_C(1795742573000)},
		{"2024-02-29T12:00:00Z", INT64_C(1709208000000)},
		{"2000-02-29T00:00:00Z", INT64_C(951782400000)},
		{"2026-01-01T00:00:00Z", INT64_C(1767225600000)},
		{"2026-01-01T00:00:00-00:00", INT64_C(1767225600000)},
		{"2026-01-01T05:30:00+05:30", INT64_C(1767225600000)},
		{"2025-12-31T20:00:00-04:00", INT64_C(1767225600000)},
		{"2025-12-31T23:59:60Z", INT64_C(1767225600000)}, /* leap second */
		{"2026-06-30T23:59:60Z", INT64_C(1782864000000)},
		{"2024-03-02T08:15:31+01:00", INT64_C(1709363731000)},
		{"9999-12-31T23:59:59.999Z", INT64_C(253402300799999)},
		{"9999-12-31T23:59:59+23:59", INT64_C(253402214400000) + 59000}, /* 00:00:59Z */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t ms = -42;
		if (!cn_time_parse_rfc3339(rows[i].s, strlen(rows[i].s), &ms) || ms != rows[i].ms)
			print_error("'%s' -> %lld\n", rows[i].s, (long long)ms);
		assert_true(cn_time_parse_rfc3339(rows[i].s, strlen(rows[i].s), &ms));
		assert_true(ms == rows[i].ms);
		assert_true(cn_time_parse_rfc3339(rows[i].s, strlen(rows[i].s), NULL));
	}
	/* only `len` bytes are read */
	int64_t ms;
	assert_true(cn_time_parse_rfc3339("2026-01-01T00:00:00Zjunk", 20, &ms));
	assert_true(ms == INT64_C(1767225600000));
}

static void test_payload_time_parse_invalid(void **state)
{
	static const char *const rows[] = {
		"",
		"2026",
		"2026-11-27",
		"2026-11-27T09:22:53",      /* no offset */
		"2026-11-27T09:22",
		"2026-13-01T00:00:00Z",     /* month 13 */
		"2026-00-01T00:00:00Z",
		"2026-01-00T00:00:00Z",
		"2026-01-32T00:00:00Z",
		"2026-02-30T00:00:00Z",     /* Feb 30 */
		"2023-02-29T00:00:00Z",     /* not a leap year */
		"1900-02-29T00:00:00Z",     /* century, not leap */
		"2026-04-31T00:00:00Z",
		"2026-11-27T24:00:00Z",     /* hour 24 */
		"2026-11-27T23:60:00Z",
		"2026-11-27T23:59:61Z",
		"2026-11-27 09:22:53Z",     /* space instead of T */
		"2026-11-27T09:22:53.Z",    /* empty fraction */
		"2026-11-27T09:22:53.1234567890Z", /* 10 digits */
		"2026-11-27T09:22:53,123Z",
		"2026-11-27T09:22:53+0800",
		"2026-11-27T09:22:53+08",
		"2026-11-27T09:22:53+8:00",
		"2026-11-27T09:22:53+24:00",
		"2026-11-27T09:22:53+08:60",
		"2026-11-27T09:22:53ZZ",
		"2026-11-27T09:22:53Z ",
		" 2026-11-27T09:22:53Z",
		"+2026-11-27T09:22:53Z",
		"-2026-11-27T09:22:53Z",
		"2026-1-27T09:22:53Z",
		"2026-11-27T9:22:53Z",
		"20261127T092253Z",
		"2026/11/27T09:22:53Z",
		"1969-12-31T23:59:59Z",     /* before 1970 */
		"1970-01-01T00:30:00+01:00", /* before 1970 in UTC */
		"0000-01-01T00:00:00Z",
		"10000-01-01T00:00:00Z",
		"9999-12-31T23:59:59-00:01", /* year 10000 in UTC */
		"\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x96-11-27T09:22:53Z", /* full-width */
		"2026-11-27T09:22:53.12a3Z",
		"yesterday",
		"1795742573123",
	};
	int64_t ms = 7;
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (cn_time_parse_rfc3339(rows[i], strlen(rows[i]), &ms))
			print_error("accepted '%s'\n", rows[i]);
		assert_false(cn_time_parse_rfc3339(rows[i], strlen(rows[i]), &ms));
	}
	assert_true(ms == 7); /* untouched on failure */
	/* embedded NUL, truncated length, NULL */
	assert_false(cn_time_parse_rfc3339("2026-11-27T09:22:53Z\0", 21, &ms));
	assert_false(cn_time_parse_rfc3339("2026-11-27T09:22:5\0Z", 20, &ms));
	assert_false(cn_time_parse_rfc3339("2026-11-27T09:22:53Z", 19, &ms));
	assert_false(cn_time_parse_rfc3339(NULL, 20, &ms));
}

static void test_payload_time_format(void **state)
{
	static const struct {
		int64_t ms;
		const char *s;
	} rows[] = {
		{0, "1970-01-01T00:00:00.000Z"},
		{1, "1970-01-01T00:00:00.001Z"},
		{-1, "1969-12-31T23:59:59.999Z"},
		{INT64_C(1795742573123), "2026-11-27T01:22:53.123Z"},
		{INT64_C(951782400000), "2000-02-29T00:00:00.000Z"},
		{INT64_C(253402300799999), "9999-12-31T23:59:59.999Z"},
		{INT64_C(-62135596800000), "0001-01-01T00:00:00.000Z"},
	};
	char buf[32];
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		cn_time_format_rfc3339(rows[i].ms, buf);
		assert_string_equal(buf, rows[i].s);
	}
	/* extremes: no overflow, always terminated, fits */
	cn_time_format_rfc3339(INT64_MAX, buf);
	assert_true(strlen(buf) < sizeof(buf));
	assert_string_equal(buf + strlen(buf) - 1, "Z");
	cn_time_format_rfc3339(INT64_MIN, buf);
	assert_true(strlen(buf) < sizeof(buf));
	assert_int_equal(buf[0], '-');
}

/* Our calendar against the C library's, every ~3.7 days from 1970 to
 * 9999, and every formatted time parses back to itself. */
static void test_payload_time_cross_check(void **state)
{
	char ours[32], libc[64];
	(void)state;
	for (int64_t ms = 0; ms < CN_TS_END_MS; ms += INT64_C(321987654321)) {
		time_t t = (time_t)(ms / 1000);
		struct tm tm;
		int64_t back = -1;
		assert_non_null(gmtime_r(&t, &tm));
		snprintf(libc, sizeof(libc), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
		cn_time_format_rfc3339(ms, ours);
		assert_string_equal(ours, libc);
		assert_true(cn_time_parse_rfc3339(ours, strlen(ours), &back));
		assert_true(back == ms);
	}
}

/* ------------------------------------------------------------------ */
/* native events                                                       */

struct test_payload_native_ok {
	const char *json;
	enum cn_event_type type;
	const char *type_name;
	enum cn_value value;
	double number;
	int64_t ts; /* -1: has_ts false */
	int64_t seq; /* -1: has_seq false */
	int battery;
	const char *other_json; /* with CN_VAL_OTHER */
};

static const struct test_payload_native_ok test_payload_native_ok_rows[] = {
	{"{\"type\":\"button\",\"value\":\"press\",\"ts\":\"2026-11-27T09:22:53.123+08:00\",\"seq\":17,\"battery\":88}",
	 CN_EV_BUTTON, "button", CN_VAL_PRESS, 0, INT64_C(1795742573123), 17, 88, NULL},
	{"{\"type\":\"button\",\"value\":\"long_press\",\"seq\":0}",
	 CN_EV_BUTTON, "button", CN_VAL_LONG_PRESS, 0, -1, 0, -1, NULL},
	{"{\"type\":\"button\",\"value\":\"cancel\",\"ts\":1795742573123}",
	 CN_EV_BUTTON, "button", CN_VAL_CANCEL, 0, INT64_C(1795742573123), -1, -1, NULL},
	{"{\"type\":\"fall\",\"value\":true,\"seq\":9007199254740993}",
	 CN_EV_FALL, "fall", CN_VAL_TRUE, 0, -1, INT64_C(9007199254740993), -1, NULL},
	{"{\"type\":\"motion\",\"value\":true}", CN_EV_MOTION, "motion", CN_VAL_TRUE, 0, -1, -1, -1, NULL},
	{"{\"type\":\"motion\",\"value\":false}", CN_EV_MOTION, "motion", CN_VAL_FALSE, 0, -1, -1, -1, NULL},
	{"{\"type\":\"bed\",\"value\":true}", CN_EV_BED, "bed", CN_VAL_TRUE, 0, -1, -1, -1, NULL},
	{"{\"type\":\"bed\",\"value\":false}", CN_EV_BED, "bed", CN_VAL_FALSE, 0, -1, -1, -1, NULL},
	{"{\"type\":\"water_leak\",\"value\":true}", CN_EV_WATER_LEAK, "water_leak", CN_VAL_TRUE, 0, -1, -1, -1, NULL},
	{"{\"type\":\"smoke\",\"value\":false}", CN_EV_SMOKE, "smoke", CN_VAL_FALSE, 0, -1, -1, -1, NULL},
	{"{\"type\":\"gas\",\"value\":true}", CN_EV_GAS, "gas", CN_VAL_TRUE, 0, -1, -1, -1, NULL},
	{"{\"type\":\"door\",\"value\":\"open\"}", CN_EV_DOOR, "door", CN_VAL_OPEN, 0, -1, -1, -1, NULL},
	{"{\"type\":\"door\",\"value\":\"closed\"}", CN_EV_DOOR, "door", CN_VAL_CLOSED, 0, -1, -1, -1, NULL},
	{"{\"type\":\"checkin\",\"value\":\"ok\"}", CN_EV_CHECKIN, "checkin", CN_VAL_OK, 0, -1, -1, -1, NULL},
	{"{\"type\":\"temperature\",\"value\":21.5}", CN_EV_TEMPERATURE, "temperature", CN_VAL_NUMBER, 21.5, -1, -1, -1, NULL},
	{"{\"type\":\"temperature\",\"value\":22}", CN_EV_TEMPERATURE, "temperature", CN_VAL_NUMBER, 22, -1, -1, -1, NULL},
	{"{\"type\":\"temperature\",\"value\":-50}", CN_EV_TEMPERATURE, "temperature", CN_VAL_NUMBER, -50, -1, -1, -1, NULL},
	{"{\"type\":\"temperature\",\"value\":100.0}", CN_EV_TEMPERATURE, "temperature", CN_VAL_NUMBER, 100, -1, -1, -1, NULL},
	{"{\"type\":\"temperature\",\"value\":2.15e1}", CN_EV_TEMPERATURE, "temperature", CN_VAL_NUMBER, 21.5, -1, -1, -1, NULL},
	/* a battery event also fills the battery field */
	{"{\"type\":\"battery\",\"value\":57}", CN_EV_BATTERY, "battery", CN_VAL_NUMBER, 57, -1, -1, 57, NULL},
	{"{\"type\":\"battery\",\"value\":57.6}", CN_EV_BATTERY, "battery", CN_VAL_NUMBER, 57.6, -1, -1, 58, NULL},
	{"{\"type\":\"battery\",\"value\":0}", CN_EV_BATTERY, "battery", CN_VAL_NUMBER, 0, -1, -1, 0, NULL},
	{"{\"type\":\"battery\",\"value\":40,\"battery\":41}", CN_EV_BATTERY, "battery", CN_VAL_NUMBER, 40, -1, -1, 41, NULL},
	{"{\"type\":\"motion\",\"value\":true,\"battery\":99.5}", CN_EV_MOTION, "motion", CN_VAL_TRUE, 0, -1, -1, 100, NULL},
	{"{\"type\":\"motion\",\"value\":true,\"battery\":0.4}", CN_EV_MOTION, "motion", CN_VAL_TRUE, 0, -1, -1, 0, NULL},
	{"{\"type\":\"motion\",\"value\":true,\"battery\":100}", CN_EV_MOTION, "motion", CN_VAL_TRUE, 0, -1, -1, 100, NULL},
	/* unknown types keep the value's compact JSON */
	{"{\"type\":\"heart_rate\",\"value\":72}", CN_EV_OTHER, "heart_rate", CN_VAL_OTHER, 0, -1, -1, -1, "72"},
	{"{\"type\":\"door_lock\",\"value\": { \"locked\" : true, \"by\" : [\"keypad\", 3] } }",
	 CN_EV_OTHER, "door_lock", CN_VAL_OTHER, 0, -1, -1, -1, "{\"locked\":true,\"by\":[\"keypad\",3]}"},
	{"{\"type\":\"note\",\"value\":null}", CN_EV_OTHER, "note", CN_VAL_OTHER, 0, -1, -1, -1, "null"},
	{"{\"type\":\"note\",\"value\":\"caf\xc3\xa9\"}", CN_EV_OTHER, "note", CN_VAL_OTHER, 0, -1, -1, -1, "\"caf\xc3\xa9\""},
	{"{\"type\":\"other\",\"value\":1}", CN_EV_OTHER, "other", CN_VAL_OTHER, 0, -1, -1, -1, "1"},
	{"{\"type\":\"abcdefghijklmnopqrstuvwxyz_0123\",\"value\":false}",
	 CN_EV_OTHER, "abcdefghijklmnopqrstuvwxyz_0123", CN_VAL_OTHER, 0, -1, -1, -1, "false"},
	/* unknown extra keys, any order, null optionals, whitespace */
	{"{\"fw\":\"1.2.3\",\"rssi\":-70,\"value\":true,\"extra\":{\"a\":[1,2]},\"type\":\"motion\"}",
	 CN_EV_MOTION, "motion", CN_VAL_TRUE, 0, -1, -1, -1, NULL},
	{"{\"type\":\"button\",\"value\":\"press\",\"ts\":null,\"seq\":null,\"battery\":null}",
	 CN_EV_BUTTON, "button", CN_VAL_PRESS, 0, -1, -1, -1, NULL},
	{" \r\n\t{\"type\":\"checkin\",\"value\":\"ok\"}\n ", CN_EV_CHECKIN, "checkin", CN_VAL_OK, 0, -1, -1, -1, NULL},
	/* ts bounds: 2000-01-01 inclusive, year 10000 exclusive */
	{"{\"type\":\"gas\",\"value\":true,\"ts\":946684800000}", CN_EV_GAS, "gas", CN_VAL_TRUE, 0, INT64_C(946684800000), -1, -1, NULL},
	{"{\"type\":\"gas\",\"value\":true,\"ts\":253402300799999}", CN_EV_GAS, "gas", CN_VAL_TRUE, 0, INT64_C(253402300799999), -1, -1, NULL},
	{"{\"type\":\"gas\",\"value\":true,\"ts\":\"2000-01-01T00:00:00Z\"}", CN_EV_GAS, "gas", CN_VAL_TRUE, 0, INT64_C(946684800000), -1, -1, NULL},
};

static void test_payload_native_valid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(test_payload_native_ok_rows) / sizeof(test_payload_native_ok_rows[0]); i++) {
		const struct test_payload_native_ok *r = &test_payload_native_ok_rows[i];
		struct cn_event ev;
		memset(&ev, 0x5a, sizeof(ev));
		enum cn_reject rc = cn_payload_decode_native_event(r->json, strlen(r->json), &test_payload_lim, &ev);
		if (rc != CN_REJECT_NONE)
			print_error("row %zu: %s -> %s\n", i, r->json, cn_reject_name(rc));
		assert_int_equal(rc, CN_REJECT_NONE);
		assert_int_equal(ev.type, r->type);
		assert_string_equal(ev.type_name, r->type_name);
		assert_int_equal(ev.value, r->value);
		if (r->value == CN_VAL_NUMBER)
			assert_true(ev.number == r->number);
		assert_int_equal(ev.has_ts, r->ts >= 0);
		if (r->ts >= 0)
			assert_true(ev.ts_ms == r->ts);
		assert_int_equal(ev.has_seq, r->seq >= 0);
		if (r->seq >= 0)
			assert_true(ev.seq == r->seq);
		assert_int_equal(ev.battery, r->battery);
		if (r->other_json)
			assert_string_equal(ev.other_json, r->other_json);
	}
}

struct test_payload_reject_row {
	const char *bytes;
	size_t len; /* 0: strlen(bytes) */
	enum cn_reject rc;
};

#define REJ(s, r) {s, 0, r}
#define REJN(s, r) {s, sizeof(s) - 1, r} /* literals with a NUL inside */

static const struct test_payload_reject_row test_payload_native_bad_rows[] = {
	/* not JSON, or not whole */
	REJ("", CN_REJECT_BAD_JSON),
	REJ("   \n\t ", CN_REJECT_BAD_JSON),
	REJ("{", CN_REJECT_BAD_JSON),
	REJ("{\"type\":\"button\",\"value\":\"press\"", CN_REJECT_BAD_JSON),
	REJ("{\"type\":\"button\",\"value\":\"pre", CN_REJECT_BAD_JSON),
	REJ("{\"type\":\"button\",\"value\":\"press\",}", CN_REJECT_BAD_JSON),
	REJ("{\"type\":\"button\",\"value\":\"press\"} x", CN_REJECT_BAD_JSON),
	REJ("{\"type\":\"button\",\"value\":\"press\"}{}", CN_REJECT_BAD_JSON),
	REJ("{'type':'button','value':'press'}", CN_REJECT_BAD_JSON),
	REJ("{type:\"button\",value:\"press\"}", CN_REJECT_BAD_JSON),
	REJ("{\"type\":\"button\",/* c */\"value\":\"press\"}", CN_REJECT_BAD_JSON),
	REJ("\xef\xbb\xbf{\"type\":\"button\",\"value\":\"press\"}", CN_REJECT_BAD_JSON), /* BOM */
	REJ("online", CN_REJECT_BAD_JSON),
	/* duplicate keys */
	REJ("{\"type\":\"button\",\"type\":\"fall\",\"value\":true}", CN_REJECT_BAD_JSON),
	REJ("{\"type\":\"fall\",\"value\":true,\"value\":true}", CN_REJECT_BAD_JSON),
	REJ("{\"type\":\"x\",\"value\":{\"a\":1,\"a\":2}}", CN_REJECT_BAD_JSON),
	/* NaN-like and overflowing numbers */
	REJ("{\"type\":\"temperature\",\"value\":NaN}", CN_REJECT_BAD_JSON),
	REJ("{\"type\":\"temperature\",\"value\":nan}", CN_REJECT_BAD_JSON),
	REJ("{\"type\":\"temperature\",\"value\":Infinity}", CN_REJECT_BAD_JSON),
	REJ("{\"type\":\"temperature\",\"value\":-Infinity}", CN_REJECT_BAD_JSON),
	REJ("{\"type\":\"temperature\",\"value\":1e999}", CN_REJECT_BAD_JSON),
	REJ("{\"type\":\"temperature\",\"value\":+21}", CN_REJECT_BAD_JSON),
	REJ("{\"type\":\"temperature\",\"value\":021}", CN_REJECT_BAD_JSON),
	REJ("{\"type\":\"temperature\",\"value\":.5}", CN_REJECT_BAD_JSON),
	REJ("{\"type\":\"temperature\",\"value\":0x10}", CN_REJECT_BAD_JSON),
	REJ("{\"type\":\"fall\",\"value\":true,\"seq\":99999999999999999999}", CN_REJECT_BAD_JSON),
	/* NUL: raw byte, and the \u0000 escape */
	REJN("{\"type\":\"fall\",\"value\":true}\0", CN_REJECT_BAD_UTF8),
	REJN("{\"type\":\"fa\0ll\",\"value\":true}", CN_REJECT_BAD_UTF8),
	REJ("{\"type\":\"fa\\u0000ll\",\"value\":true}", CN_REJECT_BAD_JSON),
	/* bad UTF-8 anywhere in the bytes */
	REJ("{\"type\":\"fall\",\"value\":true,\"note\":\"\xff\"}", CN_REJECT_BAD_UTF8),
	REJ("{\"type\":\"fall\",\"value\":true,\"note\":\"\xc0\xaf\"}", CN_REJECT_BAD_UTF8),
	REJ("{\"type\":\"fall\",\"value\":true,\"note\":\"\xed\xa0\x80\"}", CN_REJECT_BAD_UTF8),
	REJ("{\"type\":\"fall\",\"value\":true,\"note\":\"\xf4\x90\x80\x80\"}", CN_REJECT_BAD_UTF8),
	REJ("{\"type\":\"fall\",\"value\":true,\"note\":\"\xe2\x82\"}", CN_REJECT_BAD_UTF8),
	REJ("{\"type\":\"fall\",\"value\":true}\x80", CN_REJECT_BAD_UTF8),
	REJ("{\"type\":\"fall\",\"value\":true,\"note\":\"\\ud800\"}", CN_REJECT_BAD_JSON), /* lone surrogate escape */
	/* not an object */
	REJ("null", CN_REJECT_BAD_TYPE),
	REJ("[]", CN_REJECT_BAD_TYPE),
	REJ("[{\"type\":\"fall\",\"value\":true}]", CN_REJECT_BAD_TYPE),
	REJ("\"button\"", CN_REJECT_BAD_TYPE),
	REJ("42", CN_REJECT_BAD_TYPE),
	REJ("true", CN_REJECT_BAD_TYPE),
	/* required fields */
	REJ("{}", CN_REJECT_MISSING_FIELD),
	REJ("{\"type\":\"button\"}", CN_REJECT_MISSING_FIELD),
	REJ("{\"value\":\"press\"}", CN_REJECT_MISSING_FIELD),
	REJ("{\"Type\":\"button\",\"Value\":\"press\"}", CN_REJECT_MISSING_FIELD),
	/* the type */
	REJ("{\"type\":null,\"value\":\"press\"}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":1,\"value\":\"press\"}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":[\"button\"],\"value\":\"press\"}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"\",\"value\":1}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"Button\",\"value\":\"press\"}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"heart-rate\",\"value\":1}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"heart rate\",\"value\":1}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"caf\xc3\xa9\",\"value\":1}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"abcdefghijklmnopqrstuvwxyz_01234\",\"value\":1}", CN_REJECT_BAD_VALUE),
	/* values of the wrong JSON type, or not allowed */
	REJ("{\"type\":\"button\",\"value\":\"PRESS\"}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"button\",\"value\":\"double\"}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"button\",\"value\":\"\"}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"button\",\"value\":true}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"button\",\"value\":null}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"button\",\"value\":[\"press\"]}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"fall\",\"value\":false}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"fall\",\"value\":\"true\"}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"fall\",\"value\":1}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"motion\",\"value\":\"yes\"}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"motion\",\"value\":0}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"bed\",\"value\":null}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"water_leak\",\"value\":\"true\"}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"smoke\",\"value\":{}}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"gas\",\"value\":1.0}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"door\",\"value\":\"ajar\"}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"door\",\"value\":\"Open\"}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"door\",\"value\":true}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"checkin\",\"value\":\"OK\"}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"checkin\",\"value\":true}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"temperature\",\"value\":100.1}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"temperature\",\"value\":-50.5}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"temperature\",\"value\":1e308}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"temperature\",\"value\":-9223372036854775808}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"temperature\",\"value\":\"21.5\"}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"battery\",\"value\":101}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"battery\",\"value\":-1}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"battery\",\"value\":\"50%\"}", CN_REJECT_BAD_TYPE),
	/* unknown type whose value is too long to keep (128 bytes of JSON) */
	REJ("{\"type\":\"blob\",\"value\":\"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"}",
	    CN_REJECT_BAD_VALUE),
	/* ts */
	REJ("{\"type\":\"motion\",\"value\":true,\"ts\":\"yesterday\"}", CN_REJECT_BAD_TIMESTAMP),
	REJ("{\"type\":\"motion\",\"value\":true,\"ts\":\"\"}", CN_REJECT_BAD_TIMESTAMP),
	REJ("{\"type\":\"motion\",\"value\":true,\"ts\":\"2026-13-01T00:00:00Z\"}", CN_REJECT_BAD_TIMESTAMP),
	REJ("{\"type\":\"motion\",\"value\":true,\"ts\":\"2026-02-30T00:00:00Z\"}", CN_REJECT_BAD_TIMESTAMP),
	REJ("{\"type\":\"motion\",\"value\":true,\"ts\":\"2026-11-27T24:00:00Z\"}", CN_REJECT_BAD_TIMESTAMP),
	REJ("{\"type\":\"motion\",\"value\":true,\"ts\":\"2026-11-27T09:22:53\"}", CN_REJECT_BAD_TIMESTAMP),
	REJ("{\"type\":\"motion\",\"value\":true,\"ts\":\"1999-12-31T23:59:59Z\"}", CN_REJECT_BAD_TIMESTAMP),
	REJ("{\"type\":\"motion\",\"value\":true,\"ts\":\"1970-01-01T00:00:00Z\"}", CN_REJECT_BAD_TIMESTAMP),
	REJ("{\"type\":\"motion\",\"value\":true,\"ts\":946684799999}", CN_REJECT_BAD_TIMESTAMP),
	REJ("{\"type\":\"motion\",\"value\":true,\"ts\":253402300800000}", CN_REJECT_BAD_TIMESTAMP),
	REJ("{\"type\":\"motion\",\"value\":true,\"ts\":0}", CN_REJECT_BAD_TIMESTAMP),
	REJ("{\"type\":\"motion\",\"value\":true,\"ts\":-1}", CN_REJECT_BAD_TIMESTAMP),
	REJ("{\"type\":\"motion\",\"value\":true,\"ts\":1795742573}", CN_REJECT_BAD_TIMESTAMP), /* seconds */
	REJ("{\"type\":\"motion\",\"value\":true,\"ts\":-9223372036854775808}", CN_REJECT_BAD_TIMESTAMP),
	REJ("{\"type\":\"fall\",\"value\":true,\"ts\":1795742573123.0}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"fall\",\"value\":true,\"ts\":1.795742573123e12}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"fall\",\"value\":true,\"ts\":true}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"fall\",\"value\":true,\"ts\":{}}", CN_REJECT_BAD_TYPE),
	/* seq */
	REJ("{\"type\":\"fall\",\"value\":true,\"seq\":-1}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"fall\",\"value\":true,\"seq\":1.5}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"fall\",\"value\":true,\"seq\":1e3}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"fall\",\"value\":true,\"seq\":\"1\"}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"fall\",\"value\":true,\"seq\":[1]}", CN_REJECT_BAD_TYPE),
	/* battery */
	REJ("{\"type\":\"fall\",\"value\":true,\"battery\":101}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"fall\",\"value\":true,\"battery\":100.01}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"fall\",\"value\":true,\"battery\":-0.5}", CN_REJECT_BAD_VALUE),
	REJ("{\"type\":\"fall\",\"value\":true,\"battery\":\"88\"}", CN_REJECT_BAD_TYPE),
	REJ("{\"type\":\"fall\",\"value\":true,\"battery\":true}", CN_REJECT_BAD_TYPE),
};

static void test_payload_native_invalid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(test_payload_native_bad_rows) / sizeof(test_payload_native_bad_rows[0]); i++) {
		const struct test_payload_reject_row *r = &test_payload_native_bad_rows[i];
		size_t len = r->len ? r->len : strlen(r->bytes);
		struct cn_event ev;
		memset(&ev, 0x5a, sizeof(ev));
		enum cn_reject rc = cn_payload_decode_native_event(r->bytes, len, &test_payload_lim, &ev);
		if (rc != r->rc)
			print_error("row %zu: %s -> %s, want %s\n", i, r->bytes, cn_reject_name(rc),
			            cn_reject_name(r->rc));
		assert_int_equal(rc, r->rc);
		/* a rejected event is reset, never half-filled */
		assert_int_equal(ev.type, CN_EV_OTHER);
		assert_int_equal(ev.value, CN_VAL_NONE);
		assert_string_equal(ev.type_name, "");
		assert_false(ev.has_ts);
		assert_false(ev.has_seq);
		assert_int_equal(ev.battery, -1);
	}
}

/* An alarm with an unusable device time is kept with the receive time:
 * refusing it would make the device repeat an alarm that never lands. */
static void test_payload_alarm_with_bad_time_is_kept(void **state)
{
	(void)state;
	static const char *const rows[] = {
		"{\"type\":\"button\",\"value\":\"press\",\"seq\":3,\"ts\":0}",
		"{\"type\":\"fall\",\"value\":true,\"ts\":\"yesterday\"}",
		"{\"type\":\"smoke\",\"value\":true,\"ts\":1764234173}",
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct cn_event ev;
		assert_int_equal(cn_payload_decode_native_event(rows[i], strlen(rows[i]), NULL, &ev),
		                 CN_REJECT_NONE);
		assert_false(ev.has_ts);
		assert_true(ev.ts_ignored);
		assert_true(cn_event_is_alarm_class(ev.type));
	}
}

static void test_payload_native_other_json_limit(void **state)
{
	/* a string of n characters is n + 2 bytes of JSON; 127 fit */
	char buf[512], value[200];
	struct cn_event ev;
	(void)state;
	memset(value, 'v', sizeof(value));
	value[125] = '\0';
	snprintf(buf, sizeof(buf), "{\"type\":\"blob\",\"value\":\"%s\"}", value);
	assert_int_equal(cn_payload_decode_native_event(buf, strlen(buf), &test_payload_lim, &ev), CN_REJECT_NONE);
	assert_int_equal(strlen(ev.other_json), CN_EVENT_OTHER_MAX - 1);
	value[125] = 'v';
	value[126] = '\0';
	snprintf(buf, sizeof(buf), "{\"type\":\"blob\",\"value\":\"%s\"}", value);
	assert_int_equal(cn_payload_decode_native_event(buf, strlen(buf), &test_payload_lim, &ev), CN_REJECT_BAD_VALUE);
}

/* ------------------------------------------------------------------ */
/* limits shared by all four decoders: size, depth, bytes              */

/* Runs all four decoders on the same bytes and checks each reason. */
static void test_payload_all_decoders(const void *p, size_t len, const struct cn_payload_limits *lim,
                                      enum cn_reject want)
{
	struct cn_event ev;
	struct cn_z2m_state st;
	bool online = true;
	int battery = 5;

	assert_int_equal(cn_payload_decode_native_event(p, len, lim, &ev), want);
	assert_int_equal(cn_payload_decode_status(p, len, lim, &online), want);
	assert_int_equal(cn_payload_decode_heartbeat(p, len, lim, &battery), want);
	assert_int_equal(cn_payload_decode_z2m_state(p, len, lim, &st), want);
	if (want != CN_REJECT_NONE) {
		assert_false(online);
		assert_int_equal(battery, -1);
		assert_int_equal(st.n_events, 0);
		assert_int_equal(st.battery, -1);
		assert_int_equal(st.linkquality, -1);
	}
}

static void test_payload_size_cap(void **state)
{
	static const char body[] = "{\"type\":\"fall\",\"value\":true}";
	size_t n = 16384;
	char *buf = malloc(n + 2);
	struct cn_event ev;
	struct cn_payload_limits small = {.max_bytes = 64}, zero = {.max_bytes = 0};
	(void)state;
	assert_non_null(buf);

	/* exactly the cap (padded with JSON whitespace) is fine */
	memset(buf, ' ', n + 2);
	memcpy(buf, body, sizeof(body) - 1);
	assert_int_equal(cn_payload_decode_native_event(buf, n, &test_payload_lim, &ev), CN_REJECT_NONE);
	assert_int_equal(cn_payload_decode_native_event(buf, n, NULL, &ev), CN_REJECT_NONE);
	assert_int_equal(cn_payload_decode_native_event(buf, n, &zero, &ev), CN_REJECT_NONE);
	/* one byte more is too large, whatever the bytes are */
	test_payload_all_decoders(buf, n + 1, &test_payload_lim, CN_REJECT_TOO_LARGE);
	test_payload_all_decoders(buf, n + 1, NULL, CN_REJECT_TOO_LARGE);
	memset(buf, 0xff, n + 2);
	test_payload_all_decoders(buf, n + 1, &test_payload_lim, CN_REJECT_TOO_LARGE);
	/* a smaller configured cap */
	assert_int_equal(cn_payload_decode_native_event(body, sizeof(body) - 1, &small, &ev), CN_REJECT_NONE);
	memset(buf, ' ', 65);
	memcpy(buf, body, sizeof(body) - 1);
	assert_int_equal(cn_payload_decode_native_event(buf, 64, &small, &ev), CN_REJECT_NONE);
	test_payload_all_decoders(buf, 65, &small, CN_REJECT_TOO_LARGE);
	free(buf);
}

static void test_payload_depth(void **state)
{
	char buf[4096];
	struct cn_event ev;
	(void)state;

	/* 1000 '[' and 1000 '{': refused before jansson recurses */
	memset(buf, '[', 1000);
	test_payload_all_decoders(buf, 1000, &test_payload_lim, CN_REJECT_TOO_DEEP);
	memset(buf, '{', 1000);
	test_payload_all_decoders(buf, 1000, &test_payload_lim, CN_REJECT_TOO_DEEP);
	for (int i = 0; i < 1000; i++)
		memcpy(buf + 4 * i, "{\"\":", 4); /* {"": repeated, no closing */
	test_payload_all_decoders(buf, 4000, &test_payload_lim, CN_REJECT_TOO_DEEP);
	/* balanced deep nesting too */
	memset(buf, '[', 500);
	memset(buf + 500, ']', 500);
	test_payload_all_decoders(buf, 1000, &test_payload_lim, CN_REJECT_TOO_DEEP);

	/* exactly CN_PAYLOAD_DEPTH_MAX (8) levels pass: object + 7 arrays */
	const char *d8 = "{\"type\":\"x\",\"value\":[[[[[[[1]]]]]]]}";
	const char *d9 = "{\"type\":\"x\",\"value\":[[[[[[[[1]]]]]]]]}";
	assert_int_equal(cn_payload_decode_native_event(d8, strlen(d8), &test_payload_lim, &ev), CN_REJECT_NONE);
	assert_string_equal(ev.other_json, "[[[[[[[1]]]]]]]");
	assert_int_equal(cn_payload_decode_native_event(d9, strlen(d9), &test_payload_lim, &ev), CN_REJECT_TOO_DEEP);
	/* depth is the maximum, not the count: siblings do not add up */
	const char *wide = "{\"type\":\"x\",\"value\":[[1],[2],[3],[4],[5],[6],[7],[8],[9],[10]]}";
	assert_int_equal(cn_payload_decode_native_event(wide, strlen(wide), &test_payload_lim, &ev), CN_REJECT_NONE);

	/* brackets inside strings do not count, escapes are honoured */
	const char *in_str = "{\"type\":\"x\",\"value\":\"[[[[[[[[[[{{{{{{{{{{\"}";
	assert_int_equal(cn_payload_decode_native_event(in_str, strlen(in_str), &test_payload_lim, &ev), CN_REJECT_NONE);
	const char *esc_quote = "{\"type\":\"x\",\"value\":\"\\\"[[[[[[[[[[\\\"\"}";
	assert_int_equal(cn_payload_decode_native_event(esc_quote, strlen(esc_quote), &test_payload_lim, &ev), CN_REJECT_NONE);
	/* a string ending in an escaped backslash: the brackets after it
	 * are outside the string and must count */
	const char *esc_bs = "{\"type\":\"x\",\"value\":[\"a\\\\\",[[[[[[[[1]]]]]]]]]}";
	assert_int_equal(cn_payload_decode_native_event(esc_bs, strlen(esc_bs), &test_payload_lim, &ev), CN_REJECT_TOO_DEEP);
	const char *key_br = "{\"[[[[[[[[[[\":1,\"type\":\"x\",\"value\":1}";
	assert_int_equal(cn_payload_decode_native_event(key_br, strlen(key_br), &test_payload_lim, &ev), CN_REJECT_NONE);

	/* unbalanced closers are jansson's to refuse, not a crash (status
	 * text that does not start like JSON is an unknown word) */
	memset(buf, ']', 100);
	struct cn_z2m_state st;
	bool online;
	int battery;
	assert_int_equal(cn_payload_decode_native_event(buf, 100, &test_payload_lim, &ev), CN_REJECT_BAD_JSON);
	assert_int_equal(cn_payload_decode_z2m_state(buf, 100, &test_payload_lim, &st), CN_REJECT_BAD_JSON);
	assert_int_equal(cn_payload_decode_heartbeat(buf, 100, &test_payload_lim, &battery), CN_REJECT_BAD_JSON);
	assert_int_equal(cn_payload_decode_status(buf, 100, &test_payload_lim, &online), CN_REJECT_BAD_VALUE);
	memcpy(buf, "{}}}}}", 6);
	test_payload_all_decoders(buf, 6, &test_payload_lim, CN_REJECT_BAD_JSON);
	/* the checks run in order: size, bytes, depth */
	memset(buf, '[', 100);
	buf[50] = '\xff';
	test_payload_all_decoders(buf, 100, &test_payload_lim, CN_REJECT_BAD_UTF8);
}

static void test_payload_bytes(void **state)
{
	(void)state;
	test_payload_all_decoders("{}\0", 3, &test_payload_lim, CN_REJECT_BAD_UTF8);
	test_payload_all_decoders("\0", 1, &test_payload_lim, CN_REJECT_BAD_UTF8);
	test_payload_all_decoders("online\0", 7, &test_payload_lim, CN_REJECT_BAD_UTF8);
	test_payload_all_decoders("\xfe\xff", 2, &test_payload_lim, CN_REJECT_BAD_UTF8);
	test_payload_all_decoders("{\"a\":\"\xc3\"}", 8, &test_payload_lim, CN_REJECT_BAD_UTF8);
	test_payload_all_decoders("\xc3", 1, &test_payload_lim, CN_REJECT_BAD_UTF8);
	test_payload_all_decoders("{\"a\":\"\xf8\x88\x80\x80\x80\"}", 13, &test_payload_lim, CN_REJECT_BAD_UTF8);
	/* valid multi-byte UTF-8 of every length passes the byte check */
	const char *utf = "{\"battery\":50,\"n\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}";
	int battery;
	assert_int_equal(cn_payload_decode_heartbeat(utf, strlen(utf), &test_payload_lim, &battery), CN_REJECT_NONE);
	assert_int_equal(battery, 50);
	/* a NULL payload of length 0 is an empty payload */
	struct cn_event ev;
	assert_int_equal(cn_payload_decode_native_event(NULL, 0, &test_payload_lim, &ev), CN_REJECT_BAD_JSON);
	assert_int_equal(cn_payload_decode_heartbeat(NULL, 0, NULL, &battery), CN_REJECT_NONE);
}

/* ------------------------------------------------------------------ */
/* status / availability and heartbeat                                 */

static void test_payload_status(void **state)
{
	static const struct {
		const char *s;
		enum cn_reject rc;
		bool online;
	} rows[] = {
		{"online", CN_REJECT_NONE, true},
		{"offline", CN_REJECT_NONE, false},
		{" online\n", CN_REJECT_NONE, true},
		{"\r\n\toffline  ", CN_REJECT_NONE, false},
		{"{\"state\":\"online\"}", CN_REJECT_NONE, true},   /* Zigbee2MQTT availability */
		{"{\"state\":\"offline\"}", CN_REJECT_NONE, false},
		{" { \"state\" : \"online\" } ", CN_REJECT_NONE, true},
		{"{\"state\":\"offline\",\"reason\":\"lwt\"}", CN_REJECT_NONE, false},
		{"\"online\"", CN_REJECT_NONE, true},
		{"\"offline\"", CN_REJECT_NONE, false},
		{"", CN_REJECT_BAD_VALUE, false},
		{"   ", CN_REJECT_BAD_VALUE, false},
		{"Online", CN_REJECT_BAD_VALUE, false},
		{"OFFLINE", CN_REJECT_BAD_VALUE, false},
		{"on line", CN_REJECT_BAD_VALUE, false},
		{"onlinex", CN_REJECT_BAD_VALUE, false},
		{"online offline", CN_REJECT_BAD_VALUE, false},
		{"1", CN_REJECT_BAD_VALUE, false},
		{"true", CN_REJECT_BAD_VALUE, false},
		{"null", CN_REJECT_BAD_VALUE, false},
		{"\"ONLINE\"", CN_REJECT_BAD_VALUE, false},
		{"{\"state\":\"ONLINE\"}", CN_REJECT_BAD_VALUE, false},
		{"{\"state\":\"\"}", CN_REJECT_BAD_VALUE, false},
		{"{\"state\":true}", CN_REJECT_BAD_TYPE, false},
		{"{\"state\":null}", CN_REJECT_BAD_TYPE, false},
		{"{\"state\":{\"v\":\"online\"}}", CN_REJECT_BAD_TYPE, false},
		{"[\"online\"]", CN_REJECT_BAD_TYPE, false},
		{"{}", CN_REJECT_MISSING_FIELD, false},
		{"{\"status\":\"online\"}", CN_REJECT_MISSING_FIELD, false},
		{"{\"state\":", CN_REJECT_BAD_JSON, false},
		{"\"onl", CN_REJECT_BAD_JSON, false},
		{"{\"state\":\"online\",\"state\":\"offline\"}", CN_REJECT_BAD_JSON, false},
		{"{\"state\":\"online\"} trailing", CN_REJECT_BAD_JSON, false},
		{"{\"state\":\"on\\u0000line\"}", CN_REJECT_BAD_JSON, false},
		{"online\xff", CN_REJECT_BAD_UTF8, false},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bool online = !rows[i].online;
		enum cn_reject rc = cn_payload_decode_status(rows[i].s, strlen(rows[i].s), &test_payload_lim, &online);
		if (rc != rows[i].rc)
			print_error("row %zu: '%s' -> %s\n", i, rows[i].s, cn_reject_name(rc));
		assert_int_equal(rc, rows[i].rc);
		assert_int_equal(online, rows[i].online);
	}
}

static void test_payload_heartbeat(void **state)
{
	static const struct {
		const char *s;
		enum cn_reject rc;
		int battery;
	} rows[] = {
		{"{}", CN_REJECT_NONE, -1},
		{"{\"battery\":73}", CN_REJECT_NONE, 73},
		{"{\"battery\":73.6}", CN_REJECT_NONE, 74},
		{"{\"battery\":72.5}", CN_REJECT_NONE, 73},
		{"{\"battery\":0.49999999999999994}", CN_REJECT_NONE, 0},
		{"{\"battery\":99.49999999999999}", CN_REJECT_NONE, 99},
		{"{\"battery\":0}", CN_REJECT_NONE, 0},
		{"{\"battery\":100}", CN_REJECT_NONE, 100},
		{"{\"battery\":null}", CN_REJECT_NONE, -1},
		{"{\"uptime\":12345,\"rssi\":-61}", CN_REJECT_NONE, -1},
		{"", CN_REJECT_NONE, -1},
		{" \r\n", CN_REJECT_NONE, -1},
		{"{\"battery\":101}", CN_REJECT_BAD_VALUE, -1},
		{"{\"battery\":-3}", CN_REJECT_BAD_VALUE, -1},
		{"{\"battery\":\"73\"}", CN_REJECT_BAD_TYPE, -1},
		{"{\"battery\":[73]}", CN_REJECT_BAD_TYPE, -1},
		{"[]", CN_REJECT_BAD_TYPE, -1},
		{"null", CN_REJECT_BAD_TYPE, -1},
		{"73", CN_REJECT_BAD_TYPE, -1},
		{"ping", CN_REJECT_BAD_JSON, -1},
		{"{", CN_REJECT_BAD_JSON, -1},
		{"{\"battery\":1,\"battery\":2}", CN_REJECT_BAD_JSON, -1},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int battery = 55;
		enum cn_reject rc = cn_payload_decode_heartbeat(rows[i].s, strlen(rows[i].s), &test_payload_lim, &battery);
		if (rc != rows[i].rc)
			print_error("row %zu: '%s' -> %s\n", i, rows[i].s, cn_reject_name(rc));
		assert_int_equal(rc, rows[i].rc);
		assert_int_equal(battery, rows[i].battery);
	}
}

/* ------------------------------------------------------------------ */
/* Zigbee2MQTT state                                                   */

struct test_payload_ev {
	enum cn_event_type type;
	enum cn_value value;
	double number;
};

struct test_payload_z2m_row {
	const char *what;
	const char *json;
	enum cn_reject rc;
	size_t n;
	struct test_payload_ev ev[CN_Z2M_EVENTS_MAX];
	int battery;
	bool battery_low;
	int linkquality;
	int64_t ts; /* -1: no ts */
};

static const struct test_payload_z2m_row test_payload_z2m_rows[] = {
	/* Aqara RTCGQ11LM motion sensor */
	{"aqara motion on",
	 "{\"battery\":91,\"device_temperature\":24,\"illuminance\":22,\"illuminance_lux\":22,"
	 "\"linkquality\":102,\"occupancy\":true,\"power_outage_count\":3,\"voltage\":3005}",
	 CN_REJECT_NONE, 1, {{CN_EV_MOTION, CN_VAL_TRUE, 0}}, 91, false, 102, -1},
	{"aqara motion off",
	 "{\"battery\":91,\"illuminance\":18,\"linkquality\":99,\"occupancy\":false,\"voltage\":3005}",
	 CN_REJECT_NONE, 1, {{CN_EV_MOTION, CN_VAL_FALSE, 0}}, 91, false, 99, -1},
	/* Aqara MCCGQ11LM contact: the chip temperature is not an event */
	{"aqara contact open",
	 "{\"battery\":100,\"contact\":false,\"device_temperature\":24,\"linkquality\":87,"
	 "\"power_outage_count\":12,\"temperature\":24,\"voltage\":3115}",
	 CN_REJECT_NONE, 1, {{CN_EV_DOOR, CN_VAL_OPEN, 0}}, 100, false, 87, -1},
	{"aqara contact closed",
	 "{\"battery\":100,\"contact\":true,\"linkquality\":120,\"temperature\":23,\"voltage\":3115}",
	 CN_REJECT_NONE, 1, {{CN_EV_DOOR, CN_VAL_CLOSED, 0}}, 100, false, 120, -1},
	/* Aqara SJCGQ11LM leak */
	{"aqara leak wet",
	 "{\"battery\":98,\"battery_low\":false,\"device_temperature\":25,\"linkquality\":76,"
	 "\"power_outage_count\":1,\"tamper\":false,\"temperature\":25,\"voltage\":3015,\"water_leak\":true}",
	 CN_REJECT_NONE, 1, {{CN_EV_WATER_LEAK, CN_VAL_TRUE, 0}}, 98, false, 76, -1},
	/* after a Zigbee2MQTT restart the cached state has nulls and the
	 * legacy "device" block; last_seen in ISO_8601_local form */
	{"aqara leak unknown",
	 "{\"battery\":100,\"battery_low\":null,\"device\":{\"friendlyName\":\"bath/leak\","
	 "\"ieeeAddr\":\"0x00158d00028208ae\",\"model\":\"SJCGQ11LM\",\"type\":\"EndDevice\"},"
	 "\"last_seen\":\"2024-03-02T08:15:31+01:00\",\"linkquality\":160,\"temperature\":30,"
	 "\"voltage\":3005,\"water_leak\":null}",
	 CN_REJECT_NONE, 1, {{CN_EV_BATTERY, CN_VAL_NUMBER, 100}}, 100, false, 160, INT64_C(1709363731000)},
	/* Heiman HS1SA smoke, IAS zone flags */
	{"heiman smoke",
	 "{\"ac_status\":false,\"battery\":100,\"battery_low\":false,\"linkquality\":31,"
	 "\"restore_reports\":true,\"smoke\":true,\"supervision_reports\":false,\"tamper\":false,"
	 "\"test\":false,\"trouble\":false}",
	 CN_REJECT_NONE, 1, {{CN_EV_SMOKE, CN_VAL_TRUE, 0}}, 100, false, 31, -1},
	/* Tuya TS0601 smoke */
	{"tuya smoke clear",
	 "{\"battery\":94,\"battery_state\":\"high\",\"linkquality\":120,\"smoke\":false,"
	 "\"smoke_level\":0,\"tamper\":false,\"test\":false}",
	 CN_REJECT_NONE, 1, {{CN_EV_SMOKE, CN_VAL_FALSE, 0}}, 94, false, 120, -1},
	/* gas detector with low battery */
	{"gas",
	 "{\"battery_low\":true,\"gas\":true,\"linkquality\":48,\"tamper\":false}",
	 CN_REJECT_NONE, 1, {{CN_EV_GAS, CN_VAL_TRUE, 0}}, -1, true, 48, -1},
	/* Tuya TS0215A SOS: battery null until first report; action is
	 * published then cleared with "" */
	{"tuya sos press",
	 "{\"action\":\"emergency\",\"battery\":null,\"linkquality\":90}",
	 CN_REJECT_NONE, 1, {{CN_EV_BUTTON, CN_VAL_PRESS, 0}}, -1, false, 90, -1},
	{"tuya sos cleared",
	 "{\"action\":\"\",\"battery\":null,\"linkquality\":90}",
	 CN_REJECT_NONE, 0, {{0}}, -1, false, 90, -1},
	/* Heiman HS1EB: off, single, double, hold. A message whose only
	 * known content is the battery records it as a battery event. */
	{"heiman single", "{\"action\":\"single\",\"battery\":100,\"linkquality\":65}",
	 CN_REJECT_NONE, 1, {{CN_EV_BUTTON, CN_VAL_PRESS, 0}}, 100, false, 65, -1},
	{"heiman double", "{\"action\":\"double\",\"battery\":100,\"linkquality\":65}",
	 CN_REJECT_NONE, 1, {{CN_EV_BUTTON, CN_VAL_PRESS, 0}}, 100, false, 65, -1},
	{"heiman hold", "{\"action\":\"hold\",\"battery\":100,\"linkquality\":65}",
	 CN_REJECT_NONE, 1, {{CN_EV_BUTTON, CN_VAL_LONG_PRESS, 0}}, 100, false, 65, -1},
	{"heiman off", "{\"action\":\"off\",\"battery\":100,\"linkquality\":65}",
	 CN_REJECT_NONE, 1, {{CN_EV_BATTERY, CN_VAL_NUMBER, 100}}, 100, false, 65, -1},
	/* Sonoff SNZB-01 long press; Aqara release after hold is no event */
	{"sonoff long", "{\"action\":\"long\",\"battery\":100,\"linkquality\":120,\"voltage\":3100}",
	 CN_REJECT_NONE, 1, {{CN_EV_BUTTON, CN_VAL_LONG_PRESS, 0}}, 100, false, 120, -1},
	{"aqara release", "{\"action\":\"release\",\"battery\":100}",
	 CN_REJECT_NONE, 1, {{CN_EV_BUTTON, CN_VAL_PRESS, 0}}, 100, false, -1, -1},
	/* Tuya TS0044 multi-button */
	{"tuya 1_single", "{\"action\":\"1_single\",\"battery\":80}",
	 CN_REJECT_NONE, 1, {{CN_EV_BUTTON, CN_VAL_PRESS, 0}}, 80, false, -1, -1},
	{"tuya 4_hold", "{\"action\":\"4_hold\",\"battery\":80}",
	 CN_REJECT_NONE, 1, {{CN_EV_BUTTON, CN_VAL_LONG_PRESS, 0}}, 80, false, -1, -1},
	{"tuya 2_release", "{\"action\":\"2_release\",\"battery\":80}",
	 CN_REJECT_NONE, 1, {{CN_EV_BUTTON, CN_VAL_PRESS, 0}}, 80, false, -1, -1},
	{"not a number prefix", "{\"action\":\"x_single\"}", CN_REJECT_NONE, 1, {{CN_EV_BUTTON, CN_VAL_PRESS, 0}}, -1, false, -1, -1},
	{"ikea on", "{\"action\":\"on\",\"battery\":87,\"linkquality\":140}",
	 CN_REJECT_NONE, 1, {{CN_EV_BUTTON, CN_VAL_PRESS, 0}}, 87, false, 140, -1},
	/* words outside the table are presses of unknown meaning (only a
	 * call button's count, ingest decides) */
	{"ikea dimmer", "{\"action\":\"brightness_move_up\",\"battery\":87}",
	 CN_REJECT_NONE, 1, {{CN_EV_BUTTON, CN_VAL_PRESS, 0}}, 87, false, -1, -1},
	{"case matters", "{\"action\":\"Emergency\"}", CN_REJECT_NONE, 1, {{CN_EV_BUTTON, CN_VAL_PRESS, 0}}, -1, false, -1, -1},
	/* Tuya MIR-HE200 mmWave radar with fall detection */
	{"radar fall",
	 "{\"fall_down_status\":\"fall\",\"fall_sensitivity\":8,\"illuminance_lux\":105,"
	 "\"linkquality\":140,\"motion_direction\":\"standing_still\",\"motion_speed\":0,"
	 "\"occupancy\":true,\"presence\":true,\"radar_scene\":\"bedroom\",\"radar_sensitivity\":7,"
	 "\"static_dwell_alarm\":\"\",\"tumble_alarm_time\":1,\"tumble_switch\":\"ON\"}",
	 CN_REJECT_NONE, 2, {{CN_EV_FALL, CN_VAL_TRUE, 0}, {CN_EV_MOTION, CN_VAL_TRUE, 0}}, -1, false, 140, -1},
	{"radar maybe_fall",
	 "{\"fall_down_status\":\"maybe_fall\",\"presence\":true,\"linkquality\":140}",
	 CN_REJECT_NONE, 1, {{CN_EV_MOTION, CN_VAL_TRUE, 0}}, -1, false, 140, -1},
	{"radar empty room",
	 "{\"fall_down_status\":\"none\",\"occupancy\":false,\"presence\":false,\"linkquality\":140}",
	 CN_REJECT_NONE, 1, {{CN_EV_MOTION, CN_VAL_FALSE, 0}}, -1, false, 140, -1},
	{"radar still person", "{\"occupancy\":false,\"presence\":true}",
	 CN_REJECT_NONE, 1, {{CN_EV_MOTION, CN_VAL_TRUE, 0}}, -1, false, -1, -1},
	{"fall bool", "{\"fall\":true}", CN_REJECT_NONE, 1, {{CN_EV_FALL, CN_VAL_TRUE, 0}}, -1, false, -1, -1},
	{"fall false", "{\"fall\":false}", CN_REJECT_NONE, 0, {{0}}, -1, false, -1, -1},
	{"fall twice, one event", "{\"fall\":true,\"fall_down_status\":\"fall\"}",
	 CN_REJECT_NONE, 1, {{CN_EV_FALL, CN_VAL_TRUE, 0}}, -1, false, -1, -1},
	/* Aqara WSDCGQ11LM climate sensor: temperature maps */
	{"aqara climate",
	 "{\"battery\":87,\"humidity\":48.5,\"linkquality\":110,\"power_outage_count\":4,"
	 "\"pressure\":1009.3,\"temperature\":21.74,\"voltage\":2985}",
	 CN_REJECT_NONE, 1, {{CN_EV_TEMPERATURE, CN_VAL_NUMBER, 21.74}}, 87, false, 110, -1},
	{"temperature out of range", "{\"temperature\":150}", CN_REJECT_NONE, 0, {{0}}, -1, false, -1, -1},
	{"temperature as string", "{\"temperature\":\"21\"}", CN_REJECT_NONE, 0, {{0}}, -1, false, -1, -1},
	{"contact null hides temperature", "{\"contact\":null,\"temperature\":24,\"battery\":90}",
	 CN_REJECT_NONE, 1, {{CN_EV_BATTERY, CN_VAL_NUMBER, 90}}, 90, false, -1, -1},
	/* battery only, nothing, link quality only */
	{"battery only", "{\"battery\":55,\"linkquality\":84,\"voltage\":2900}",
	 CN_REJECT_NONE, 1, {{CN_EV_BATTERY, CN_VAL_NUMBER, 55}}, 55, false, 84, -1},
	{"battery rounded", "{\"battery\":54.5}",
	 CN_REJECT_NONE, 1, {{CN_EV_BATTERY, CN_VAL_NUMBER, 55}}, 55, false, -1, -1},
	{"linkquality only", "{\"linkquality\":84}", CN_REJECT_NONE, 0, {{0}}, -1, false, 84, -1},
	{"empty object", "{}", CN_REJECT_NONE, 0, {{0}}, -1, false, -1, -1},
	{"battery_low only", "{\"battery_low\":true}", CN_REJECT_NONE, 0, {{0}}, -1, true, -1, -1},
	/* everything at once: alarms first, one event per kind */
	{"all fields",
	 "{\"occupancy\":true,\"contact\":false,\"water_leak\":true,\"gas\":false,\"smoke\":true,"
	 "\"fall\":true,\"action\":\"sos\",\"battery\":12,\"battery_low\":true,\"temperature\":20,"
	 "\"last_seen\":1709363731000}",
	 CN_REJECT_NONE, 7,
	 {{CN_EV_BUTTON, CN_VAL_PRESS, 0}, {CN_EV_FALL, CN_VAL_TRUE, 0}, {CN_EV_SMOKE, CN_VAL_TRUE, 0},
	  {CN_EV_GAS, CN_VAL_FALSE, 0}, {CN_EV_WATER_LEAK, CN_VAL_TRUE, 0}, {CN_EV_DOOR, CN_VAL_OPEN, 0},
	  {CN_EV_MOTION, CN_VAL_TRUE, 0}},
	 12, true, -1, INT64_C(1709363731000)},
	/* odd auxiliary fields are ignored */
	{"battery 200", "{\"battery\":200,\"contact\":true}",
	 CN_REJECT_NONE, 1, {{CN_EV_DOOR, CN_VAL_CLOSED, 0}}, -1, false, -1, -1},
	{"battery string", "{\"battery\":\"100.00\",\"contact\":true,\"voltage\":3035,\"linkquality\":136}",
	 CN_REJECT_NONE, 1, {{CN_EV_DOOR, CN_VAL_CLOSED, 0}}, -1, false, 136, -1},
	{"linkquality bad", "{\"linkquality\":300,\"occupancy\":true,\"battery_low\":\"no\"}",
	 CN_REJECT_NONE, 1, {{CN_EV_MOTION, CN_VAL_TRUE, 0}}, -1, false, -1, -1},
	{"linkquality real", "{\"linkquality\":84.5,\"occupancy\":true}",
	 CN_REJECT_NONE, 1, {{CN_EV_MOTION, CN_VAL_TRUE, 0}}, -1, false, -1, -1},
	{"last_seen bad", "{\"occupancy\":true,\"last_seen\":\"yesterday\"}",
	 CN_REJECT_NONE, 1, {{CN_EV_MOTION, CN_VAL_TRUE, 0}}, -1, false, -1, -1},
	{"last_seen seconds", "{\"occupancy\":true,\"last_seen\":1709363731}",
	 CN_REJECT_NONE, 1, {{CN_EV_MOTION, CN_VAL_TRUE, 0}}, -1, false, -1, -1},
	{"last_seen iso utc", "{\"occupancy\":true,\"last_seen\":\"2024-03-02T07:15:31.000Z\"}",
	 CN_REJECT_NONE, 1, {{CN_EV_MOTION, CN_VAL_TRUE, 0}}, -1, false, -1, INT64_C(1709363731000)},
	/* an event field of the wrong type: ignored next to a good one,
	 * refused when it was all there was */
	{"bad occupancy beside contact", "{\"occupancy\":\"yes\",\"contact\":false}",
	 CN_REJECT_NONE, 1, {{CN_EV_DOOR, CN_VAL_OPEN, 0}}, -1, false, -1, -1},
	{"bad occupancy alone", "{\"occupancy\":\"yes\"}", CN_REJECT_BAD_TYPE, 0, {{0}}, -1, false, -1, -1},
	{"bad action", "{\"action\":5,\"linkquality\":3}", CN_REJECT_BAD_TYPE, 0, {{0}}, -1, false, -1, -1},
	{"smoke as 1", "{\"smoke\":1,\"battery\":50}", CN_REJECT_NONE, 1, {{CN_EV_SMOKE, CN_VAL_TRUE, 0}}, 50, false, -1, -1},
	{"bad smoke with battery", "{\"smoke\":2,\"battery\":50}", CN_REJECT_BAD_TYPE, 0, {{0}}, -1, false, -1, -1},
	{"bad fall_down_status", "{\"fall_down_status\":2}", CN_REJECT_BAD_TYPE, 0, {{0}}, -1, false, -1, -1},
	{"bad water_leak", "{\"water_leak\":\"yes\"}", CN_REJECT_BAD_TYPE, 0, {{0}}, -1, false, -1, -1},
	{"bad contact", "{\"contact\":[]}", CN_REJECT_BAD_TYPE, 0, {{0}}, -1, false, -1, -1},
	/* not a state object */
	{"array", "[]", CN_REJECT_BAD_TYPE, 0, {{0}}, -1, false, -1, -1},
	{"string", "\"online\"", CN_REJECT_BAD_TYPE, 0, {{0}}, -1, false, -1, -1},
	{"number", "1", CN_REJECT_BAD_TYPE, 0, {{0}}, -1, false, -1, -1},
	{"null", "null", CN_REJECT_BAD_TYPE, 0, {{0}}, -1, false, -1, -1},
	{"plain text", "emergency", CN_REJECT_BAD_JSON, 0, {{0}}, -1, false, -1, -1},
	{"empty", "", CN_REJECT_BAD_JSON, 0, {{0}}, -1, false, -1, -1},
	{"truncated", "{\"action\":\"emergency\",\"batt", CN_REJECT_BAD_JSON, 0, {{0}}, -1, false, -1, -1},
	{"duplicate", "{\"occupancy\":true,\"occupancy\":false}", CN_REJECT_BAD_JSON, 0, {{0}}, -1, false, -1, -1},
};

static void test_payload_z2m(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(test_payload_z2m_rows) / sizeof(test_payload_z2m_rows[0]); i++) {
		const struct test_payload_z2m_row *r = &test_payload_z2m_rows[i];
		struct cn_z2m_state st;
		memset(&st, 0x5a, sizeof(st));
		enum cn_reject rc = cn_payload_decode_z2m_state(r->json, strlen(r->json), &test_payload_lim, &st);
		if (rc != r->rc || st.n_events != r->n)
			print_error("row %zu (%s): %s, %zu events\n", i, r->what, cn_reject_name(rc), st.n_events);
		assert_int_equal(rc, r->rc);
		assert_int_equal(st.n_events, r->n);
		assert_int_equal(st.battery, r->battery);
		assert_int_equal(st.battery_low, r->battery_low);
		assert_int_equal(st.linkquality, r->linkquality);
		for (size_t k = 0; k < r->n; k++) {
			const struct cn_event *ev = &st.events[k];
			assert_int_equal(ev->type, r->ev[k].type);
			assert_string_equal(ev->type_name, cn_event_type_name(r->ev[k].type));
			assert_int_equal(ev->value, r->ev[k].value);
			if (ev->value == CN_VAL_NUMBER)
				assert_true(ev->number == r->ev[k].number);
			assert_int_equal(ev->battery, r->battery);
			assert_false(ev->has_seq);
			assert_int_equal(ev->has_ts, r->ts >= 0);
			if (r->ts >= 0)
				assert_true(ev->ts_ms == r->ts);
		}
	}
}

/* The z2m mapping and the native codec agree on what a value means:
 * each z2m event's JSON text decodes as a native event of the same type. */
static void test_payload_z2m_round_trip(void **state)
{
	const char *all = "{\"occupancy\":true,\"contact\":false,\"water_leak\":true,\"gas\":false,"
	                  "\"smoke\":true,\"fall\":true,\"action\":\"hold\"}";
	struct cn_z2m_state st;
	(void)state;
	assert_int_equal(cn_payload_decode_z2m_state(all, strlen(all), NULL, &st), CN_REJECT_NONE);
	assert_int_equal(st.n_events, 7);
	for (size_t k = 0; k < st.n_events; k++) {
		char value[64], json[160];
		struct cn_event ev;
		cn_event_value_json(&st.events[k], value, sizeof(value));
		snprintf(json, sizeof(json), "{\"type\":\"%s\",\"value\":%s}", st.events[k].type_name, value);
		assert_int_equal(cn_payload_decode_native_event(json, strlen(json), NULL, &ev), CN_REJECT_NONE);
		assert_int_equal(ev.type, st.events[k].type);
		assert_int_equal(ev.value, st.events[k].value);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_payload_reject_names),
		cmocka_unit_test(test_payload_event_names),
		cmocka_unit_test(test_payload_value_json),
		cmocka_unit_test(test_payload_time_parse_valid),
		cmocka_unit_test(test_payload_time_parse_invalid),
		cmocka_unit_test(test_payload_time_format),
		cmocka_unit_test(test_payload_time_cross_check),
		cmocka_unit_test(test_payload_native_valid),
		cmocka_unit_test(test_payload_native_invalid),
		cmocka_unit_test(test_payload_alarm_with_bad_time_is_kept),
		cmocka_unit_test(test_payload_native_other_json_limit),
		cmocka_unit_test(test_payload_size_cap),
		cmocka_unit_test(test_payload_depth),
		cmocka_unit_test(test_payload_bytes),
		cmocka_unit_test(test_payload_status),
		cmocka_unit_test(test_payload_heartbeat),
		cmocka_unit_test(test_payload_z2m),
		cmocka_unit_test(test_payload_z2m_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
