/* Payload codec (payload.h): native CareNet and Zigbee2MQTT JSON into
 * struct cn_event. RFC 3339 handling is in timefmt.c. */
#include "payload.h"
#include "payload_internal.h"

#include <assert.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* Duplicate keys are refused because two "value"s make the event mean
 * whatever the parser picked. JSON_DECODE_ANY lets "online" as a JSON
 * string through so we can say BAD_TYPE instead of BAD_JSON for `[]` and
 * `1`. Not set, on purpose: JSON_DISABLE_EOF_CHECK (trailing bytes are an
 * error) and JSON_ALLOW_NUL ("\u0000" would cut C strings short). */
#define PAYLOAD_JSON_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)

#define TYPE_NAME_MAX (CN_EVENT_TYPE_MAX - 1) /* 31 bytes */

/* ---- checks on the raw bytes, before jansson sees them ---- */

/* Length (1-4) of the well-formed UTF-8 sequence at s[0..n), or 0 for an
 * ill-formed one: overlong forms, surrogates, above U+10FFFF, truncated.
 * topic.c has its own copy; see the note there. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t v, min;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, v = c & 0x1Fu, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, v = c & 0x0Fu, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, v = c & 0x07u, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	return len;
}

/* Well-formed UTF-8 without NUL bytes. jansson checks UTF-8 too, but only
 * inside strings and with a "parse error" we could not tell apart from
 * bad syntax; and a NUL would truncate the text wherever it is logged. */
static bool bytes_valid(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		if (s[i] == 0)
			return false;
		size_t n = utf8_sequence(s + i, len - i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

/* True when objects and arrays nest deeper than CN_PAYLOAD_DEPTH_MAX.
 * Brackets inside strings do not count; a backslash escapes the next
 * byte. Runs on validated UTF-8, where bytes of multi-byte sequences are
 * never ASCII. Unbalanced input is left to jansson to refuse. This keeps
 * jansson's recursive parser (2048 levels deep by default) away from
 * hostile nesting and bounds the work on every message. */
static bool too_deep(const unsigned char *s, size_t len)
{
	size_t depth = 0;
	bool in_string = false, escaped = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];
		if (in_string) {
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > CN_PAYLOAD_DEPTH_MAX)
				return true;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return false;
}

static enum cn_reject check_bytes(const void *payload, size_t len,
                                  const struct cn_payload_limits *lim)
{
	size_t max = lim && lim->max_bytes ? lim->max_bytes : CN_PAYLOAD_MAX_DEFAULT;

	if (len > max)
		return CN_REJECT_TOO_LARGE;
	if (!bytes_valid(payload, len))
		return CN_REJECT_BAD_UTF8;
	if (too_deep(payload, len))
		return CN_REJECT_TOO_DEEP;
	return CN_REJECT_NONE;
}

/* Parses bytes that passed check_bytes(). On CN_REJECT_NONE the caller
 * owns *out and drops it with json_decref(). */
static enum cn_reject parse_json(const void *payload, size_t len, json_t **out)
{
	json_error_t err;

	*out = json_loadb(payload, len, PAYLOAD_JSON_FLAGS, &err);
	return *out ? CN_REJECT_NONE : CN_REJECT_BAD_JSON;
}

/* check_bytes() then parse_json(). */
enum cn_reject payload__load_json(const void *payload, size_t len,
                                const struct cn_payload_limits *lim, json_t **out)
{
	enum cn_reject rc;

	*out = NULL;
	rc = check_bytes(payload, len, lim);
	if (rc != CN_REJECT_NONE)
		return rc;
	return parse_json(payload, len, out);
}

/* ---- small helpers shared by the decoders ---- */

void payload__event_reset(struct cn_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = CN_EV_OTHER;
	ev->value = CN_VAL_NONE;
	ev->battery = -1;
}

void payload__event_set_type(struct cn_event *ev, enum cn_event_type type)
{
	ev->type = type;
	/* Every name in event.c is shorter than CN_EVENT_TYPE_MAX. */
	snprintf(ev->type_name, sizeof(ev->type_name), "%s", cn_event_type_name(type));
}

bool payload__json_string_is(const json_t *j, const char *word)
{
	return json_is_string(j) && strcmp(json_string_value(j), word) == 0;
}

/* Absent and JSON null are the same for optional fields. */
const json_t *payload__get_optional(const json_t *obj, const char *key)
{
	const json_t *j = json_object_get(obj, key);
	return json_is_null(j) ? NULL : j;
}

bool payload__ts_in_range(int64_t ms)
{
	return ms >= CN_TS_MIN_MS && ms < CN_TS_END_MS;
}

/* Rounds x in 0..100 to the nearest int, halves up. Exact, unlike
 * (int)(x + 0.5), which turns 0.49999999999999994 into 1; and it keeps
 * the codec free of libm. */
static int round_percent(double x)
{
	int i = (int)x;
	return x - i >= 0.5 ? i + 1 : i;
}

/* A battery percentage: any JSON number in 0..100, rounded. */
enum cn_reject payload__read_battery(const json_t *j, int *out)
{
	double x;

	if (!json_is_number(j))
		return CN_REJECT_BAD_TYPE;
	x = json_number_value(j);
	if (!(x >= 0.0 && x <= 100.0))
		return CN_REJECT_BAD_VALUE;
	*out = round_percent(x);
	return CN_REJECT_NONE;
}

/* ---- native events ---- */

/* Sets the type from a type name: a known name, or CN_EV_OTHER for any
 * other 1-31 bytes of [a-z0-9_] (the restriction keeps names safe as
 * metric labels, log words and column values). */
static enum cn_reject native_type(const json_t *j, struct cn_event *ev)
{
	const char *name;
	size_t len;

	if (!json_is_string(j))
		return CN_REJECT_BAD_TYPE;
	name = json_string_value(j);
	len = json_string_length(j);
	if (len == 0 || len > TYPE_NAME_MAX)
		return CN_REJECT_BAD_VALUE;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return CN_REJECT_BAD_VALUE;
	}
	for (int t = 0; t < CN_EV_OTHER; t++) {
		if (strcmp(name, cn_event_type_name((enum cn_event_type)t)) == 0) {
			payload__event_set_type(ev, (enum cn_event_type)t);
			return CN_REJECT_NONE;
		}
	}
	ev->type = CN_EV_OTHER;
	memcpy(ev->type_name, name, len + 1);
	return CN_REJECT_NONE;
}

static enum cn_reject native_bool(const json_t *j, struct cn_event *ev)
{
	if (!json_is_boolean(j))
		return CN_REJECT_BAD_TYPE;
	ev->value = json_is_true(j) ? CN_VAL_TRUE : CN_VAL_FALSE;
	return CN_REJECT_NONE;
}

static enum cn_reject native_number(const json_t *j, double lo, double hi, struct cn_event *ev)
{
	double x;

	if (!json_is_number(j))
		return CN_REJECT_BAD_TYPE;
	x = json_number_value(j);
	if (!(x >= lo && x <= hi))
		return CN_REJECT_BAD_VALUE;
	ev->value = CN_VAL_NUMBER;
	ev->number = x;
	return CN_REJECT_NONE;
}

/* A string that must be one of `words`, mapped to `values`. */
static enum cn_reject native_word(const json_t *j, const char *const *words,
                                  const enum cn_value *values, size_t n, struct cn_event *ev)
{
	if (!json_is_string(j))
		return CN_REJECT_BAD_TYPE;
	for (size_t i = 0; i < n; i++) {
		if (payload__json_string_is(j, words[i])) {
			ev->value = values[i];
			return CN_REJECT_NONE;
		}
	}
	return CN_REJECT_BAD_VALUE;
}

static enum cn_reject native_value(const json_t *j, struct cn_event *ev)
{
	static const char *const button_words[] = {"press", "long_press", "cancel"};
	static const enum cn_value button_values[] = {CN_VAL_PRESS, CN_VAL_LONG_PRESS, CN_VAL_CANCEL};
	static const char *const door_words[] = {"open", "closed"};
	static const enum cn_value door_values[] = {CN_VAL_OPEN, CN_VAL_CLOSED};
	static const char *const checkin_words[] = {"ok"};
	static const enum cn_value checkin_values[] = {CN_VAL_OK};
	size_t n;

	switch (ev->type) {
	case CN_EV_BUTTON:
		return native_word(j, button_words, button_values, 3, ev);
	case CN_EV_DOOR:
		return native_word(j, door_words, door_values, 2, ev);
	case CN_EV_CHECKIN:
		return native_word(j, checkin_words, checkin_values, 1, ev);
	case CN_EV_FALL:
		/* A fall detector reports falls; "no fall" is not an event. */
		if (!json_is_boolean(j))
			return CN_REJECT_BAD_TYPE;
		if (!json_is_true(j))
			return CN_REJECT_BAD_VALUE;
		ev->value = CN_VAL_TRUE;
		return CN_REJECT_NONE;
	case CN_EV_MOTION:
	case CN_EV_BED:
	case CN_EV_WATER_LEAK:
	case CN_EV_SMOKE:
	case CN_EV_GAS:
	case CN_EV_CARBON_MONOXIDE:
	case CN_EV_VIBRATION:
		return native_bool(j, ev);
	case CN_EV_TEMPERATURE:
		return native_number(j, -50.0, 100.0, ev);
	case CN_EV_BATTERY:
		return native_number(j, 0.0, 100.0, ev);
	case CN_EV_OTHER:
	default:
		/* Kept as compact JSON text; json_dumpb writes nothing past the
		 * buffer and returns the size it needed. */
		n = json_dumpb(j, ev->other_json, sizeof(ev->other_json) - 1,
		               JSON_COMPACT | JSON_ENCODE_ANY);
		if (n == 0 || n > sizeof(ev->other_json) - 1) {
			memset(ev->other_json, 0, sizeof(ev->other_json));
			return CN_REJECT_BAD_VALUE;
		}
		ev->other_json[n] = '\0';
		ev->value = CN_VAL_OTHER;
		return CN_REJECT_NONE;
	}
}

static enum cn_reject native_ts(const json_t *j, struct cn_event *ev)
{
	int64_t ms;

	if (!j)
		return CN_REJECT_NONE;
	if (json_is_string(j)) {
		if (!cn_time_parse_rfc3339(json_string_value(j), json_string_length(j), &ms))
			return CN_REJECT_BAD_TIMESTAMP;
	} else if (json_is_integer(j)) {
		ms = (int64_t)json_integer_value(j);
	} else {
		return CN_REJECT_BAD_TYPE;
	}
	if (!payload__ts_in_range(ms))
		return CN_REJECT_BAD_TIMESTAMP;
	ev->has_ts = true;
	ev->ts_ms = ms;
	return CN_REJECT_NONE;
}

static enum cn_reject native_seq(const json_t *j, struct cn_event *ev)
{
	if (!j)
		return CN_REJECT_NONE;
	if (!json_is_integer(j))
		return CN_REJECT_BAD_TYPE;
	if (json_integer_value(j) < 0)
		return CN_REJECT_BAD_VALUE;
	ev->has_seq = true;
	ev->seq = (int64_t)json_integer_value(j);
	return CN_REJECT_NONE;
}

enum cn_reject cn_payload_decode_native_event(const void *payload, size_t len,
                                              const struct cn_payload_limits *lim,
                                              struct cn_event *out)
{
	json_t *root = NULL;
	const json_t *type, *value, *battery;
	enum cn_reject rc;

	assert(out && (payload || len == 0));
	payload__event_reset(out);
	rc = payload__load_json(payload, len, lim, &root);
	if (rc != CN_REJECT_NONE)
		goto out;
	if (!json_is_object(root)) {
		rc = CN_REJECT_BAD_TYPE;
		goto out;
	}
	type = json_object_get(root, "type");
	value = json_object_get(root, "value");
	if (!type || !value) {
		rc = CN_REJECT_MISSING_FIELD;
		goto out;
	}
	rc = native_type(type, out);
	if (rc != CN_REJECT_NONE)
		goto out;
	rc = native_value(value, out);
	if (rc != CN_REJECT_NONE)
		goto out;
	rc = native_ts(payload__get_optional(root, "ts"), out);
	if (rc == CN_REJECT_BAD_TIMESTAMP && cn_event_is_alarm_class(out->type)) {
		/* A device whose clock is unset (1970) or counts in seconds must
		 * still get its alarm through: keep the alarm, drop the device
		 * time (the receive time stands in for it). Refusing it would
		 * make the device repeat an alarm that never lands. */
		out->has_ts = false;
		out->ts_ms = 0;
		out->ts_ignored = true;
		rc = CN_REJECT_NONE;
	}
	if (rc != CN_REJECT_NONE)
		goto out;
	rc = native_seq(payload__get_optional(root, "seq"), out);
	if (rc != CN_REJECT_NONE)
		goto out;
	battery = payload__get_optional(root, "battery");
	if (battery) {
		rc = payload__read_battery(battery, &out->battery);
		if (rc != CN_REJECT_NONE)
			goto out;
	} else if (out->type == CN_EV_BATTERY) {
		out->battery = round_percent(out->number);
	}
out:
	json_decref(root);
	if (rc != CN_REJECT_NONE)
		payload__event_reset(out);
	return rc;
}

/* ---- status / availability ---- */

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* "online" / "offline" -> *online; false for anything else. */
static bool status_word(const char *s, size_t len, bool *online)
{
	if (len == 6 && memcmp(s, "online", 6) == 0) {
		*online = true;
		return true;
	}
	if (len == 7 && memcmp(s, "offline", 7) == 0) {
		*online = false;
		return true;
	}
	return false;
}

enum cn_reject cn_payload_decode_status(const void *payload, size_t len,
                                        const struct cn_payload_limits *lim,
                                        bool *online)
{
	const char *s = payload;
	const json_t *state;
	json_t *root = NULL;
	enum cn_reject rc;
	size_t a = 0, b = len;

	assert(online && (payload || len == 0));
	*online = false;
	rc = check_bytes(payload, len, lim);
	if (rc != CN_REJECT_NONE)
		return rc;
	while (a < b && is_space((unsigned char)s[a]))
		a++;
	while (b > a && is_space((unsigned char)s[b - 1]))
		b--;
	if (status_word(s + a, b - a, online))
		return CN_REJECT_NONE;
	/* Not a plain word: JSON if it looks like JSON, else a word we do
	 * not know. */
	if (a == b || (s[a] != '{' && s[a] != '"' && s[a] != '[')) {
		rc = CN_REJECT_BAD_VALUE;
		goto out;
	}
	rc = parse_json(payload, len, &root);
	if (rc != CN_REJECT_NONE)
		goto out;
	if (json_is_string(root)) {
		state = root;
	} else if (json_is_object(root)) {
		state = json_object_get(root, "state");
		if (!state) {
			rc = CN_REJECT_MISSING_FIELD;
			goto out;
		}
	} else {
		rc = CN_REJECT_BAD_TYPE;
		goto out;
	}
	if (!json_is_string(state))
		rc = CN_REJECT_BAD_TYPE;
	else if (!status_word(json_string_value(state), json_string_length(state), online))
		rc = CN_REJECT_BAD_VALUE;
out:
	json_decref(root);
	if (rc != CN_REJECT_NONE)
		*online = false;
	return rc;
}

/* ---- heartbeat ---- */

enum cn_reject cn_payload_decode_heartbeat(const void *payload, size_t len,
                                           const struct cn_payload_limits *lim,
                                           int *battery)
{
	const unsigned char *s = payload;
	const json_t *b;
	json_t *root = NULL;
	enum cn_reject rc;
	size_t i = 0;

	assert(battery && (payload || len == 0));
	*battery = -1;
	rc = check_bytes(payload, len, lim);
	if (rc != CN_REJECT_NONE)
		return rc;
	while (i < len && is_space(s[i]))
		i++;
	if (i == len)
		return CN_REJECT_NONE; /* empty heartbeat: a sign of life, no data */
	rc = parse_json(payload, len, &root);
	if (rc != CN_REJECT_NONE)
		goto out;
	if (!json_is_object(root)) {
		rc = CN_REJECT_BAD_TYPE;
		goto out;
	}
	b = payload__get_optional(root, "battery");
	if (b)
		rc = payload__read_battery(b, battery);
out:
	json_decref(root);
	if (rc != CN_REJECT_NONE)
		*battery = -1;
	return rc;
}
