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

/* Reads an optional Zigbee2MQTT boolean. The converters write one as a
 * JSON bool, as 1/0 (some Tuya datapoints) or as "ON"/"OFF" (binary
 * exposes with string values). Returns true and sets *v for one of those;
 * sets *bad when the key holds anything else but null. */
static bool z2m_bool(const json_t *root, const char *key, bool *v, bool *bad)
{
	const json_t *j = payload__get_optional(root, key);

	if (!j)
		return false;
	if (json_is_boolean(j)) {
		*v = json_is_true(j);
		return true;
	}
	if (json_is_integer(j) && (json_integer_value(j) == 0 || json_integer_value(j) == 1)) {
		*v = json_integer_value(j) == 1;
		return true;
	}
	if (json_is_string(j)) {
		const char *s = json_string_value(j);
		if (strcmp(s, "ON") == 0 || strcmp(s, "on") == 0 || strcmp(s, "true") == 0) {
			*v = true;
			return true;
		}
		if (strcmp(s, "OFF") == 0 || strcmp(s, "off") == 0 || strcmp(s, "false") == 0) {
			*v = false;
			return true;
		}
	}
	*bad = true;
	return false;
}

static bool z2m_ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

static bool z2m_word_in(const char *s, size_t len, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(words[i]) == len && memcmp(s, words[i], len) == 0)
			return true;
	return false;
}

/* What an `action` string is (proto/zigbee2mqtt-mapping.md). The button
 * number prefix ("1_single", "2_double_press") and the side suffix
 * ("single_left", "double_both") are taken off first; then the word or
 * its phase suffix says press, long press, release or idle. A word we do
 * not know is a press of unknown meaning (*known = false): it counts only
 * on a device enrolled as a call button. */
static enum cn_z2m_action z2m_action_kind(const char *s, bool *known)
{
	static const char *const idle[] = {"", "off", "stop", "clear", "idle", "none"};
	static const char *const press[] = {
		"emergency", "sos", "panic", "single", "double", "triple", "quadruple", "many",
		"press", "on", "toggle", "click", "short_press", "initial_press", "alarm",
	};
	static const char *const long_press[] = {"hold", "long", "long_press"};
	static const char *const sides[] = {"_left", "_right", "_both", "_center", "_middle",
	                                    "_top", "_bottom"};
	static const char *const press_phase[] = {"_press", "_single", "_double", "_triple",
	                                          "_click", "_initial_press", "_short_press",
	                                          "_double_press", "_triple_press"};
	static const char *const long_phase[] = {"_hold", "_long", "_long_press"};
	const char *p = s;
	size_t len;

	*known = true;
	while (*p >= '0' && *p <= '9')
		p++;
	if (p != s && *p == '_')
		s = p + 1;
	len = strlen(s);
	for (size_t i = 0; i < sizeof(sides) / sizeof(sides[0]); i++) {
		if (z2m_ends_with(s, len, sides[i]) && len > strlen(sides[i])) {
			len -= strlen(sides[i]);
			break;
		}
	}
	if (z2m_word_in(s, len, idle, sizeof(idle) / sizeof(idle[0])))
		return CN_Z2M_ACTION_NONE;
	if (z2m_word_in(s, len, long_press, sizeof(long_press) / sizeof(long_press[0])))
		return CN_Z2M_ACTION_LONG_PRESS;
	if (z2m_word_in(s, len, press, sizeof(press) / sizeof(press[0])))
		return CN_Z2M_ACTION_PRESS;
	/* "release", "short_release", "on_press_release", "hold_release":
	 * the end of a press whose start may or may not have been sent. */
	if ((len == 7 && memcmp(s, "release", 7) == 0) || z2m_ends_with(s, len, "_release"))
		return CN_Z2M_ACTION_RELEASE;
	for (size_t i = 0; i < sizeof(long_phase) / sizeof(long_phase[0]); i++)
		if (z2m_ends_with(s, len, long_phase[i]))
			return CN_Z2M_ACTION_LONG_PRESS;
	for (size_t i = 0; i < sizeof(press_phase) / sizeof(press_phase[0]); i++)
		if (z2m_ends_with(s, len, press_phase[i]))
			return CN_Z2M_ACTION_PRESS;
	*known = false;
	return CN_Z2M_ACTION_PRESS;
}

/* Adds an event; returns its index, or -1 when the array is full. */
static int z2m_add(struct cn_z2m_state *st, enum cn_event_type type, enum cn_value value,
                   double number)
{
	struct cn_event *ev;

	assert(st->n_events < CN_Z2M_EVENTS_MAX);
	if (st->n_events >= CN_Z2M_EVENTS_MAX)
		return -1;
	ev = &st->events[st->n_events];
	payload__event_reset(ev);
	payload__event_set_type(ev, type);
	ev->value = value;
	ev->number = number;
	return (int)st->n_events++;
}

/* Records the state of one attribute (and the event it maps to, or -1). */
static void z2m_attr(struct cn_z2m_state *st, const char *name, enum cn_value value, int event)
{
	assert(st->n_attrs < CN_Z2M_ATTRS_MAX);
	if (st->n_attrs >= CN_Z2M_ATTRS_MAX)
		return;
	st->attrs[st->n_attrs].name = name;
	st->attrs[st->n_attrs].value = value;
	st->attrs[st->n_attrs].event = event;
	st->n_attrs++;
}

/* A state-kept boolean alarm or activity attribute: an event both ways. */
static void z2m_state_bool(const json_t *root, struct cn_z2m_state *out, const char *key,
                           enum cn_event_type type, enum cn_value on, enum cn_value off, bool *bad)
{
	bool v;

	if (z2m_bool(root, key, &v, bad)) {
		enum cn_value value = v ? on : off;
		z2m_attr(out, key, value, z2m_add(out, type, value, 0));
	}
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
	j = payload__get_optional(root, "battery_state");
	if (json_is_string(j) && payload__json_string_is(j, "low"))
		out->battery_low = true;
	/* voltage in mV, when no percentage is given: the 3 V cells of
	 * Zigbee sensors (CR2032, CR2450, 2 x AAA) are spent below 2.5 V. */
	j = payload__get_optional(root, "voltage");
	if (out->battery < 0 && json_is_number(j) && json_number_value(j) >= 1000.0 &&
	    json_number_value(j) < 2500.0)
		out->battery_low = true;
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
	"action", "sos", "emergency", "fall_down_status", "fall_status", "fall", "smoke", "gas",
	"carbon_monoxide", "water_leak", "contact", "occupancy", "presence", "presence_state",
	"vibration",
};

/* True when the message has any event key, even as null: then the device
 * is a sensor of that kind and its `temperature` is the chip's own (Aqara
 * contact and leak sensors send it with every report). A radar's
 * `status` counts only with a fall value. */
static bool z2m_has_event_key(const json_t *root, const struct cn_z2m_state *out)
{
	for (size_t i = 0; i < sizeof(z2m_event_keys) / sizeof(z2m_event_keys[0]); i++)
		if (json_object_get(root, z2m_event_keys[i]))
			return true;
	for (size_t i = 0; i < out->n_attrs; i++)
		if (strcmp(out->attrs[i].name, "status") == 0)
			return true;
	return false;
}

/* A fall status string: the words that mean a fall now. */
static bool z2m_is_fall_word(const json_t *j)
{
	static const char *const words[] = {"fall", "fall_alarm", "falling", "fallen", "fall_down"};
	const char *s = json_string_value(j);

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(s, words[i]) == 0)
			return true;
	return false;
}

/* The fall keys: fall_down_status, fall_status, status (radars) and the
 * boolean fall. One fall event for all of them; each key's own state. */
static void z2m_fall(const json_t *root, struct cn_z2m_state *out, bool *bad)
{
	static const char *const status_keys[] = {"fall_down_status", "fall_status"};
	const json_t *j;
	bool v, fall = false;
	size_t first = out->n_attrs;

	for (size_t i = 0; i < sizeof(status_keys) / sizeof(status_keys[0]); i++) {
		j = payload__get_optional(root, status_keys[i]);
		if (json_is_string(j)) {
			bool f = z2m_is_fall_word(j);
			z2m_attr(out, status_keys[i], f ? CN_VAL_TRUE : CN_VAL_FALSE, -1);
			fall = fall || f;
		} else if (j) {
			*bad = true;
		}
	}
	/* `status` is a word many converters use; only a fall word, or the
	 * restore that follows it, is read. */
	j = payload__get_optional(root, "status");
	if (json_is_string(j)) {
		bool f = z2m_is_fall_word(j);
		static const char *const restore[] = {"normal", "none", "no_fall", "standing",
		                                      "sitting", "lying", "still", "unoccupied"};
		bool r = false;
		for (size_t i = 0; i < sizeof(restore) / sizeof(restore[0]); i++)
			r = r || strcmp(json_string_value(j), restore[i]) == 0;
		if (f || r)
			z2m_attr(out, "status", f ? CN_VAL_TRUE : CN_VAL_FALSE, -1);
		fall = fall || f;
	}
	if (z2m_bool(root, "fall", &v, bad)) {
		z2m_attr(out, "fall", v ? CN_VAL_TRUE : CN_VAL_FALSE, -1);
		fall = fall || v;
	}
	if (fall) {
		int ev = z2m_add(out, CN_EV_FALL, CN_VAL_TRUE, 0);
		for (size_t i = first; i < out->n_attrs; i++)
			if (out->attrs[i].value == CN_VAL_TRUE)
				out->attrs[i].event = ev;
	}
}

/* The activity keys: occupancy and presence (bool), presence_state
 * (string): one motion event, true if any says someone is there. */
static void z2m_motion(const json_t *root, struct cn_z2m_state *out, bool *bad)
{
	static const char *const absent[] = {"none", "no", "absent", "unoccupied", "no_presence",
	                                     "clear"};
	const json_t *j;
	bool occupancy = false, presence = false, has = false;

	if (z2m_bool(root, "occupancy", &occupancy, bad))
		has = true;
	if (z2m_bool(root, "presence", &presence, bad))
		has = true;
	j = payload__get_optional(root, "presence_state");
	if (json_is_string(j) && json_string_length(j) > 0) {
		bool p = true;
		for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
			if (strcmp(json_string_value(j), absent[i]) == 0)
				p = false;
		presence = presence || p;
		has = true;
	} else if (j) {
		*bad = true;
	}
	if (has) {
		enum cn_value value = occupancy || presence ? CN_VAL_TRUE : CN_VAL_FALSE;
		z2m_attr(out, "motion", value, z2m_add(out, CN_EV_MOTION, value, 0));
	}
}

/* The event fields, alarms first. Sets *bad for a field of the wrong type. */
static void z2m_events(const json_t *root, struct cn_z2m_state *out, bool *bad)
{
	static const char *const sos_keys[] = {"sos", "emergency"};
	const json_t *j;
	bool v;

	j = payload__get_optional(root, "action");
	if (json_is_string(j)) {
		bool known = true;
		enum cn_z2m_action a = z2m_action_kind(json_string_value(j), &known);
		/* Aqara DJT11LM publishes its vibration as an action. */
		static const char *const shakes[] = {"vibration", "tilt", "drop"};
		for (size_t i = 0; i < sizeof(shakes) / sizeof(shakes[0]); i++) {
			if (strcmp(json_string_value(j), shakes[i]) == 0) {
				z2m_add(out, CN_EV_VIBRATION, CN_VAL_TRUE, 0);
				a = CN_Z2M_ACTION_NONE;
			}
		}
		if (a != CN_Z2M_ACTION_NONE) {
			out->action = a;
			out->action_known = known;
			out->action_event = z2m_add(out, CN_EV_BUTTON,
			                            a == CN_Z2M_ACTION_LONG_PRESS ? CN_VAL_LONG_PRESS
			                                                          : CN_VAL_PRESS,
			                            0);
		}
	} else if (j) {
		*bad = true;
	}
	/* IAS panic buttons: `sos: true` while the alarm bit is set. */
	/* One button event per message: an alarm bit next to a press word
	 * (or both bits) is the same call. */
	int sos_event = -1;
	for (size_t i = 0; i < sizeof(sos_keys) / sizeof(sos_keys[0]); i++) {
		if (!z2m_bool(root, sos_keys[i], &v, bad))
			continue;
		if (v && sos_event < 0 && out->action_event < 0)
			sos_event = z2m_add(out, CN_EV_BUTTON, CN_VAL_PRESS, 0);
		z2m_attr(out, sos_keys[i], v ? CN_VAL_TRUE : CN_VAL_FALSE, v ? sos_event : -1);
	}
	z2m_fall(root, out, bad);
	z2m_state_bool(root, out, "smoke", CN_EV_SMOKE, CN_VAL_TRUE, CN_VAL_FALSE, bad);
	z2m_state_bool(root, out, "gas", CN_EV_GAS, CN_VAL_TRUE, CN_VAL_FALSE, bad);
	z2m_state_bool(root, out, "carbon_monoxide", CN_EV_CARBON_MONOXIDE, CN_VAL_TRUE,
	               CN_VAL_FALSE, bad);
	z2m_state_bool(root, out, "water_leak", CN_EV_WATER_LEAK, CN_VAL_TRUE, CN_VAL_FALSE, bad);
	/* Zigbee2MQTT's contact is true when the magnet is near: closed. */
	z2m_state_bool(root, out, "contact", CN_EV_DOOR, CN_VAL_CLOSED, CN_VAL_OPEN, bad);
	z2m_motion(root, out, bad);
	z2m_state_bool(root, out, "vibration", CN_EV_VIBRATION, CN_VAL_TRUE, CN_VAL_FALSE, bad);
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
	out->action_event = -1;
	rc = payload__load_json(payload, len, lim, &root);
	if (rc != CN_REJECT_NONE)
		goto out;
	if (!json_is_object(root)) {
		rc = CN_REJECT_BAD_TYPE;
		goto out;
	}
	z2m_aux(root, out, &has_ts, &ts);
	z2m_events(root, out, &bad);
	if (out->n_events == 0 && out->n_attrs == 0 && bad) {
		rc = CN_REJECT_BAD_TYPE;
		goto out;
	}
	if (!z2m_has_event_key(root, out)) {
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
		out->action_event = -1;
	}
	return rc;
}
