/* Payload codec, Zigbee2MQTT part (payload.h): a state message, with the
 * many fields Zigbee2MQTT devices expose, into the events CareNet knows.
 * The byte checks and shared helpers are payload.c's (payload_internal.h). */
#include <assert.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "payload.h"
#include "payload_internal.h"

/* ---- Zigbee2MQTT state ---- */

/* Reads an optional Zigbee2MQTT bool. Returns true and sets *v when the
 * key holds a bool; sets *bad when it holds anything but a bool or null. */
static bool z2m_bool(const json_t *root, const char *key, bool *v, bool *bad)
{
	const json_t *j = payload__get_optional(root, key);

	if (!j)
		return false;
	if (!json_is_boolean(j)) {
		*bad = true;
		return false;
	}
	*v = json_is_true(j);
	return true;
}

/* What an `action` string means for a call button. Zigbee2MQTT names
 * actions per device: the SOS buttons say "emergency" (Tuya TS0215A,
 * Heiman HM1RC) or "single"/"double"/"hold" (Heiman HS1EB), generic
 * buttons "single", "double", "hold", "long" (Sonoff SNZB-01), "on" or
 * "toggle" (IKEA). A device is registered as a call button before its
 * presses count, so any press of it is a call. */
static enum cn_value z2m_action_value(const char *s)
{
	static const char *const press[] = {
		"emergency", "sos", "panic", "single", "double", "triple", "quadruple",
		"press", "on", "toggle",
	};
	static const char *const long_press[] = {"hold", "long", "long_press"};
	const char *p = s;

	/* Multi-button remotes prefix the button number: "1_single". */
	while (*p >= '0' && *p <= '9')
		p++;
	if (p != s && *p == '_')
		s = p + 1;
	for (size_t i = 0; i < sizeof(press) / sizeof(press[0]); i++)
		if (strcmp(s, press[i]) == 0)
			return CN_VAL_PRESS;
	for (size_t i = 0; i < sizeof(long_press) / sizeof(long_press[0]); i++)
		if (strcmp(s, long_press[i]) == 0)
			return CN_VAL_LONG_PRESS;
	/* "", "off", "release", "brightness_up", ...: not a call. */
	return CN_VAL_NONE;
}

static void z2m_add(struct cn_z2m_state *st, enum cn_event_type type, enum cn_value value,
                    double number)
{
	struct cn_event *ev;

	/* At most 7 event fields map, one event each: the array holds them. */
	assert(st->n_events < CN_Z2M_EVENTS_MAX);
	if (st->n_events >= CN_Z2M_EVENTS_MAX)
		return;
	ev = &st->events[st->n_events++];
	payload__event_reset(ev);
	payload__event_set_type(ev, type);
	ev->value = value;
	ev->number = number;
}

/* The auxiliary fields: never a reason to refuse the message. */
static void z2m_aux(const json_t *root, struct cn_z2m_state *out, bool *has_ts, int64_t *ts)
{
	const json_t *j;
	bool v, ignored = false;
	int battery;

	j = payload__get_optional(root, "battery");
	if (j && payload__read_battery(j, &battery) == CN_REJECT_NONE)
		out->battery = battery;
	if (z2m_bool(root, "battery_low", &v, &ignored))
		out->battery_low = v;
	j = payload__get_optional(root, "linkquality");
	if (json_is_integer(j) && json_integer_value(j) >= 0 && json_integer_value(j) <= 255)
		out->linkquality = (int)json_integer_value(j);
	/* last_seen is when Zigbee2MQTT heard the device: the best device
	 * time we have. Format set by advanced.last_seen. */
	j = payload__get_optional(root, "last_seen");
	if (json_is_string(j)) {
		*has_ts = cn_time_parse_rfc3339(json_string_value(j), json_string_length(j), ts) &&
		          payload__ts_in_range(*ts);
	} else if (json_is_integer(j)) {
		*ts = (int64_t)json_integer_value(j);
		*has_ts = payload__ts_in_range(*ts);
	}
}

/* The keys z2m_events() maps. */
static const char *const z2m_event_keys[] = {
	"action", "fall_down_status", "fall", "smoke", "gas", "water_leak",
	"contact", "occupancy", "presence",
};

/* True when the message has any event key, even as null: then the device
 * is a sensor of that kind and its `temperature` is the chip's own (Aqara
 * contact and leak sensors send it with every report). */
static bool z2m_has_event_key(const json_t *root)
{
	for (size_t i = 0; i < sizeof(z2m_event_keys) / sizeof(z2m_event_keys[0]); i++)
		if (json_object_get(root, z2m_event_keys[i]))
			return true;
	return false;
}

/* The event fields, alarms first. Sets *bad for a field of the wrong type. */
static void z2m_events(const json_t *root, struct cn_z2m_state *out, bool *bad)
{
	static const struct {
		const char *key;
		enum cn_event_type type;
	} alarm_bools[] = {
		{"smoke", CN_EV_SMOKE},
		{"gas", CN_EV_GAS},
		{"water_leak", CN_EV_WATER_LEAK},
	};
	const json_t *j;
	bool v, fall = false, occupancy = false, presence = false;
	bool has_occupancy, has_presence;

	j = payload__get_optional(root, "action");
	if (json_is_string(j)) {
		enum cn_value value = z2m_action_value(json_string_value(j));
		if (value != CN_VAL_NONE)
			z2m_add(out, CN_EV_BUTTON, value, 0);
	} else if (j) {
		*bad = true;
	}

	j = payload__get_optional(root, "fall_down_status");
	if (json_is_string(j))
		fall = payload__json_string_is(j, "fall");
	else if (j)
		*bad = true;
	if (z2m_bool(root, "fall", &v, bad) && v)
		fall = true;
	if (fall)
		z2m_add(out, CN_EV_FALL, CN_VAL_TRUE, 0);

	for (size_t i = 0; i < sizeof(alarm_bools) / sizeof(alarm_bools[0]); i++) {
		if (z2m_bool(root, alarm_bools[i].key, &v, bad))
			z2m_add(out, alarm_bools[i].type, v ? CN_VAL_TRUE : CN_VAL_FALSE, 0);
	}

	/* Zigbee2MQTT's contact is true when the magnet is near: closed. */
	if (z2m_bool(root, "contact", &v, bad))
		z2m_add(out, CN_EV_DOOR, v ? CN_VAL_CLOSED : CN_VAL_OPEN, 0);

	/* PIR sensors say occupancy, mmWave radars presence (some both):
	 * either is a sign of activity, and one event is enough. */
	has_occupancy = z2m_bool(root, "occupancy", &occupancy, bad);
	has_presence = z2m_bool(root, "presence", &presence, bad);
	if (has_occupancy || has_presence)
		z2m_add(out, CN_EV_MOTION, occupancy || presence ? CN_VAL_TRUE : CN_VAL_FALSE, 0);
}

enum cn_reject cn_payload_decode_z2m_state(const void *payload, size_t len,
                                           const struct cn_payload_limits *lim,
                                           struct cn_z2m_state *out)
{
	json_t *root = NULL;
	const json_t *j;
	enum cn_reject rc;
	bool bad = false, has_ts = false;
	int64_t ts = 0;

	assert(out && (payload || len == 0));
	memset(out, 0, sizeof(*out));
	out->battery = -1;
	out->linkquality = -1;
	rc = payload__load_json(payload, len, lim, &root);
	if (rc != CN_REJECT_NONE)
		goto out;
	if (!json_is_object(root)) {
		rc = CN_REJECT_BAD_TYPE;
		goto out;
	}
	z2m_aux(root, out, &has_ts, &ts);
	z2m_events(root, out, &bad);
	if (out->n_events == 0 && bad) {
		rc = CN_REJECT_BAD_TYPE;
		goto out;
	}
	if (!z2m_has_event_key(root)) {
		j = payload__get_optional(root, "temperature");
		if (json_is_number(j) && json_number_value(j) >= -50.0 && json_number_value(j) <= 100.0)
			z2m_add(out, CN_EV_TEMPERATURE, CN_VAL_NUMBER, json_number_value(j));
	}
	if (out->n_events == 0 && out->battery >= 0)
		z2m_add(out, CN_EV_BATTERY, CN_VAL_NUMBER, out->battery);
	for (size_t i = 0; i < out->n_events; i++) {
		out->events[i].battery = out->battery;
		out->events[i].has_ts = has_ts;
		out->events[i].ts_ms = has_ts ? ts : 0;
	}
out:
	json_decref(root);
	if (rc != CN_REJECT_NONE) {
		memset(out, 0, sizeof(*out));
		out->battery = -1;
		out->linkquality = -1;
	}
	return rc;
}
