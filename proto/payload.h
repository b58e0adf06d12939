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
#define CN_Z2M_EVENTS_MAX 8    /* one z2m state message maps to at most this */
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

/* The result of one Zigbee2MQTT state message: every mapped field becomes
 * one event (occupancy -> motion, contact -> door with false = open,
 * water_leak, smoke, gas, action of an SOS button -> button press,
 * fall_down_status/fall -> fall, presence...). `battery` is -1 when absent.
 * A message with only battery maps to one CN_EV_BATTERY event; one with
 * nothing mapped has n_events == 0 and is still a sign of life.
 *
 * The mapping, in the order the events come out (alarms first):
 *   action (string)        -> button. "emergency", "sos", "panic",
 *                             "single", "double", "triple", "quadruple",
 *                             "press", "on", "toggle" -> "press";
 *                             "hold", "long", "long_press" -> "long_press";
 *                             an "<digits>_" prefix ("1_single") is
 *                             skipped; "" (Zigbee2MQTT clears action right
 *                             after publishing it), "off" (Heiman HS1EB
 *                             idle), "release" and anything else: no event.
 *   fall_down_status "fall" or fall true -> fall (one event for both);
 *                             "none", "maybe_fall", false: no event.
 *   smoke, gas, water_leak (bool) -> the same type, true | false.
 *   contact (bool)         -> door; false = "open", true = "closed".
 *   occupancy, presence (bool) -> one motion event, true if either is.
 *   temperature (number -50..100) -> temperature, only when none of the
 *                             keys above is present, even as null:
 *                             contact and leak sensors report their chip
 *                             temperature in every message, which is not
 *                             room climate.
 *   battery (number, rounded, 0..100) -> out->battery and each event's
 *                             battery; a battery event only when nothing
 *                             else mapped.
 *   battery_low (bool), linkquality (integer 0..255) -> the fields below.
 *   last_seen (RFC 3339 string or epoch ms, if Zigbee2MQTT is configured
 *                             to add it) -> each event's ts.
 * Every other key is ignored (Zigbee2MQTT sends many). JSON null means
 * "unknown" in Zigbee2MQTT and counts as absent. An auxiliary field
 * (battery, battery_low, linkquality, temperature, last_seen) of the
 * wrong type or out of range is ignored. An event field of the wrong type
 * is ignored too, so that one odd field never costs the alarm next to it;
 * but if nothing else mapped to an event, the message is refused with
 * CN_REJECT_BAD_TYPE so that it is quarantined and seen. A payload that is
 * not a JSON object: BAD_TYPE. */
struct cn_z2m_state {
	struct cn_event events[CN_Z2M_EVENTS_MAX];
	size_t n_events;
	int battery;
	bool battery_low; /* the device's own battery_low flag */
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
