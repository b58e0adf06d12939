/* Device events as CareNet understands them, whatever format they came in.
 *
 * The codecs in topic.h and payload.h turn MQTT topics and payloads from
 * native CareNet devices and from Zigbee2MQTT into these structs. They do
 * no I/O and keep no state, so they can be unit-tested and fuzzed alone. */
#ifndef CN_EVENT_H
#define CN_EVENT_H

#include <stdbool.h>
#include <stddef.h> /* size_t, used below */
#include <stdint.h>

/* Event types of contract section 2. CN_EV_OTHER is a well-formed event of
 * a type we do not know: stored, never alerted on. */
enum cn_event_type {
	CN_EV_BUTTON,
	CN_EV_FALL,
	CN_EV_MOTION,
	CN_EV_DOOR,
	CN_EV_BED,
	CN_EV_WATER_LEAK,
	CN_EV_SMOKE,
	CN_EV_GAS,
	CN_EV_CHECKIN,
	CN_EV_TEMPERATURE,
	CN_EV_BATTERY,
	CN_EV_CARBON_MONOXIDE,
	CN_EV_VIBRATION,
	CN_EV_OTHER,
};

/* Canonical values. Booleans use CN_VAL_TRUE/FALSE; door uses OPEN/CLOSED;
 * button uses PRESS/LONG_PRESS/CANCEL; checkin OK; temperature and battery
 * carry `number`; CN_EV_OTHER keeps the value's JSON text in `other_json`. */
enum cn_value {
	CN_VAL_NONE,
	CN_VAL_TRUE,
	CN_VAL_FALSE,
	CN_VAL_OPEN,
	CN_VAL_CLOSED,
	CN_VAL_PRESS,
	CN_VAL_LONG_PRESS,
	CN_VAL_CANCEL,
	CN_VAL_OK,
	CN_VAL_NUMBER,
	CN_VAL_OTHER,
};

#define CN_EVENT_TYPE_MAX 32  /* longest type name, including the NUL */
#define CN_EVENT_OTHER_MAX 128 /* longest stored JSON of an unknown value */

struct cn_event {
	enum cn_event_type type;
	char type_name[CN_EVENT_TYPE_MAX]; /* "button", ... or the unknown name */
	enum cn_value value;
	double number;                       /* with CN_VAL_NUMBER */
	char other_json[CN_EVENT_OTHER_MAX]; /* with CN_VAL_OTHER */
	bool has_ts;
	int64_t ts_ms; /* device time, epoch milliseconds UTC */
	bool ts_ignored; /* an alarm whose bad device time was dropped, not refused */
	bool has_seq;
	int64_t seq; /* device sequence number, >= 0 */
	int battery; /* 0-100, or -1 when the message did not say */
};

/* True for the events that must be acknowledged end to end on
 * carenet/dev/{id}/ack: button, fall, smoke, gas, carbon_monoxide,
 * water_leak. */
bool cn_event_is_alarm_class(enum cn_event_type type);

/* "button", "fall", ...; for CN_EV_OTHER, "other". Never NULL. */
const char *cn_event_type_name(enum cn_event_type type);
/* The value as a JSON text: "true", "\"open\"", "21.5", ... Writes at most
 * `size` bytes including the NUL into `out`; returns `out`. 32 bytes hold
 * every value except CN_VAL_OTHER, which needs CN_EVENT_OTHER_MAX; a text
 * that does not fit is truncated (and so is no longer valid JSON).
 * CN_VAL_NONE, and a number that is not finite, give "null". */
const char *cn_event_value_json(const struct cn_event *ev, char *out, size_t size);

#endif
