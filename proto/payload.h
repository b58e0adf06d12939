/* Payload codec: native CareNet and Zigbee2MQTT JSON into cn_event.
 * Pure: no I/O; strict and bounded (size cap, depth cap, types, UTF-8).
 *
 * Every decoder first checks, in this order and before any JSON parsing:
 * the size (over lim->max_bytes: CN_REJECT_TOO_LARGE), the raw bytes
 * (not UTF-8, or a NUL byte: CN_REJECT_BAD_UTF8) and the nesting depth of
 * objects and arrays (over CN_PAYLOAD_DEPTH_MAX: CN_REJECT_TOO_DEEP). Then
 * jansson parses with duplicate keys refused, no trailing bytes, no
 * "\u0000" in strings: any failure is CN_REJECT_BAD_JSON. All decoders
 * are thread-safe, keep no state and leave `out` fully initialised on
 * every return (reset to "nothing" on a reject). `lim` may be NULL. */
#ifndef CN_PAYLOAD_H
#define CN_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "reject.h"

#define CN_PAYLOAD_DEPTH_MAX 8 /* objects/arrays nested deeper are refused */
#define CN_Z2M_EVENTS_MAX 16   /* one z2m state message maps to at most this */
#define CN_Z2M_ATTRS_MAX 16    /* state-kept attributes of one message */
#define CN_PAYLOAD_MAX_DEFAULT 16384 /* max_bytes when lim is NULL or 0 */

/* Device times accepted in an event: 2000-01-01T00:00:00Z (inclusive) to
 * 10000-01-01T00:00:00Z (exclusive), in epoch milliseconds. */
#define CN_TS_MIN_MS INT64_C(946684800000)
#define CN_TS_END_MS INT64_C(253402300800000)

struct cn_payload_limits {
	size_t max_bytes; /* mqtt_max_payload; 0 means CN_PAYLOAD_MAX_DEFAULT */
};

/* Decodes the payload of carenet/dev/{id}/event:
 *   {"type": T, "value": V, "ts": ..., "seq": N, "battery": B}
 * Not an object: CN_REJECT_BAD_TYPE. `type` or `value` absent:
 * CN_REJECT_MISSING_FIELD. `type` not a string: BAD_TYPE; a type name
 * that is not 1-31 bytes of [a-z0-9_]: BAD_VALUE. Values by type (wrong
 * JSON type: BAD_TYPE; right type, not allowed: BAD_VALUE):
 *   button "press" | "long_press" | "cancel"; fall true; motion, bed,
 *   water_leak, smoke, gas true | false; door "open" | "closed";
 *   checkin "ok"; temperature number -50..100; battery number 0..100.
 * Any other type name is CN_EV_OTHER with the value's compact JSON in
 * other_json (over CN_EVENT_OTHER_MAX - 1 bytes: BAD_VALUE).
 * Optional fields; JSON null counts as absent, so that a device whose
 * serializer writes nulls does not lose an alarm over a missing battery:
 *   ts: RFC 3339 string or integer epoch ms within CN_TS_MIN_MS ..
 *       CN_TS_END_MS, else CN_REJECT_BAD_TIMESTAMP; any other JSON type
 *       (a real number too): BAD_TYPE.
 *   seq: integer >= 0 (negative: BAD_VALUE; other types: BAD_TYPE).
 *   battery: number 0..100, rounded to an int (BAD_VALUE / BAD_TYPE).
 * A battery-type event without a `battery` field also sets out->battery
 * from its value. Unknown top-level keys are ignored: devices add fields. */
enum cn_reject cn_payload_decode_native_event(const void *payload, size_t len,
                                              const struct cn_payload_limits *lim,
                                              struct cn_event *out);

/* Decodes a status or availability payload: `online` / `offline` as plain
 * text (surrounding ASCII whitespace allowed), as a JSON string, or as
 * {"state": "online" | "offline"} (other keys ignored). Sets *online
 * (false on a reject). Lower case only. Other plain text, including an
 * empty payload: CN_REJECT_BAD_VALUE (note: a zero-length message is how
 * MQTT clears a retained status; ingest may want to skip it). Text that
 * starts like JSON but does not parse: BAD_JSON; a JSON value that is not
 * a string or object: BAD_TYPE; no "state": MISSING_FIELD; "state" not a
 * string: BAD_TYPE; another string: BAD_VALUE. */
enum cn_reject cn_payload_decode_status(const void *payload, size_t len,
                                        const struct cn_payload_limits *lim,
                                        bool *online);

/* Decodes a heartbeat: {} or {"battery": B}. *battery is -1 when absent
 * (or null). An empty or whitespace-only payload is accepted as {}: the
 * contract counts any heartbeat as a sign of life and the smallest
 * devices send nothing. Not an object: BAD_TYPE; battery not a number:
 * BAD_TYPE; outside 0..100: BAD_VALUE. Other keys are ignored. */
enum cn_reject cn_payload_decode_heartbeat(const void *payload, size_t len,
                                           const struct cn_payload_limits *lim,
                                           int *battery);

/* The result of one Zigbee2MQTT state message. The full mapping, with the
 * real device models it covers, is proto/zigbee2mqtt-mapping.md; in short,
 * in the order the events come out (alarms first):
 *   action (string)      -> button press or long press (one event). A
 *                           "<digits>_" prefix and a side suffix ("_left",
 *                           "_right", "_both", ...) are taken off; "" and
 *                           "off"/"stop"/"clear"/"idle"/"none" are no event;
 *                           a "*_release" phase is a press with
 *                           action == CN_Z2M_ACTION_RELEASE (ingest counts
 *                           it only when no press of the same device came
 *                           just before); a word not in the table is a
 *                           press with action_known false (ingest counts it
 *                           only for a device enrolled as a call button).
 *   sos, emergency (bool) -> button press when true.
 *   fall_down_status, fall_status, status (string), fall (bool) -> one
 *                           fall event when any says "fall", "fall_alarm",
 *                           "falling", "fallen" or "fall_down" (status only
 *                           with those words or a restore word).
 *   smoke, gas, carbon_monoxide, water_leak, vibration (bool) -> the same
 *                           type, true | false.
 *   contact (bool)       -> door; false = "open", true = "closed".
 *   occupancy, presence (bool), presence_state (string; "none", "no",
 *                           "absent", "unoccupied", "no_presence", "clear"
 *                           mean nobody) -> one motion event.
 *   temperature (number -50..100) -> temperature, only when none of the
 *                           keys above is present, even as null.
 *   battery (number, rounded, 0..100) -> out->battery and each event's
 *                           battery; a battery event only when nothing
 *                           else mapped.
 *   battery_low (bool), battery_state "low", voltage under 2500 mV without
 *                           a battery percentage -> out->battery_low.
 *   linkquality (integer 0..255), last_seen (RFC 3339 or epoch ms) -> the
 *                           fields below and each event's ts.
 * Booleans are JSON true/false, 1/0 or "ON"/"OFF" ("on"/"off",
 * "true"/"false"). JSON null counts as absent. Every state-kept attribute
 * (the alarm and activity keys, not action, temperature or battery) is in
 * attrs[] with its mapped value and the index of the event it produced
 * (-1 when none, as for a fall restore): ingest keeps the last value per
 * device and attribute and drops the event of an unchanged value (the
 * alarm-panel semantics of care-model.md). An auxiliary field of the
 * wrong type is ignored; an event field of the wrong type is ignored too,
 * but if nothing else mapped, the message is refused with
 * CN_REJECT_BAD_TYPE. A payload that is not a JSON object: BAD_TYPE. */
enum cn_z2m_action {
	CN_Z2M_ACTION_NONE,
	CN_Z2M_ACTION_PRESS,
	CN_Z2M_ACTION_LONG_PRESS,
	CN_Z2M_ACTION_RELEASE,
};

struct cn_z2m_attr {
	const char *name;    /* static: "water_leak", "motion", "fall_status", ... */
	enum cn_value value; /* CN_VAL_TRUE/FALSE, or OPEN/CLOSED for contact */
	int event;           /* index into events[], or -1 */
};

struct cn_z2m_state {
	struct cn_event events[CN_Z2M_EVENTS_MAX];
	size_t n_events;
	struct cn_z2m_attr attrs[CN_Z2M_ATTRS_MAX];
	size_t n_attrs;
	int action_event;          /* index of the event from `action`, or -1 */
	enum cn_z2m_action action; /* its phase */
	bool action_known;         /* the action word is in the table */
	int battery;
	bool battery_low; /* battery_low, battery_state "low" or a low voltage */
	int linkquality;  /* -1 when absent */
};

enum cn_reject cn_payload_decode_z2m_state(const void *payload, size_t len,
                                           const struct cn_payload_limits *lim,
                                           struct cn_z2m_state *out);

/* Timestamps: RFC 3339 ("2026-11-27T09:22:53.123+08:00", "Z") into epoch
 * milliseconds UTC. Returns false on anything else, including dates out of
 * 1970..9999. Details: `len` bytes of `s` (no NUL needed); "T"/"t" and
 * "Z"/"z" as RFC 3339 allows; a fraction of 1-9 digits, truncated to
 * milliseconds; offsets "Z", "+hh:mm", "-hh:mm" ("-00:00" is UTC); fields
 * checked against the calendar (month 13, Feb 29 of a common year, hour
 * 24, minute 60 are refused); second 60 (a leap second) is accepted and
 * counts as the first second of the next minute. The 1970..9999 range is
 * checked on the UTC result. `out_ms` may be NULL to only validate. */
bool cn_time_parse_rfc3339(const char *s, size_t len, int64_t *out_ms);
/* A calendar date "YYYY-MM-DD" (any year 0000-9999, real days only, Feb 29
 * in leap years) into its parts; false on anything else. */
bool cn_date_parse(const char *s, int *year, int *month, int *day);
/* Formats epoch ms as "2026-11-27T09:22:53.123Z" into out (>= 32 bytes).
 * Always UTC with milliseconds; valid RFC 3339 for years 0000..9999, and
 * for any other int64 a longer year ("-0001", "12345") that still fits. */
void cn_time_format_rfc3339(int64_t ms, char out[32]);

#endif
