/* Names and JSON texts of device events (event.h). */
#include "event.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Indexed by enum cn_event_type; the names are the `type` strings of the
 * wire contract and of the events table, so they never change. */
static const char *const event_type_names[] = {
	[CN_EV_BUTTON] = "button",
	[CN_EV_FALL] = "fall",
	[CN_EV_MOTION] = "motion",
	[CN_EV_DOOR] = "door",
	[CN_EV_BED] = "bed",
	[CN_EV_WATER_LEAK] = "water_leak",
	[CN_EV_SMOKE] = "smoke",
	[CN_EV_GAS] = "gas",
	[CN_EV_CHECKIN] = "checkin",
	[CN_EV_TEMPERATURE] = "temperature",
	[CN_EV_BATTERY] = "battery",
	[CN_EV_CARBON_MONOXIDE] = "carbon_monoxide",
	[CN_EV_VIBRATION] = "vibration",
	[CN_EV_OTHER] = "other",
};

bool cn_event_is_alarm_class(enum cn_event_type type)
{
	switch (type) {
	case CN_EV_BUTTON:
	case CN_EV_FALL:
	case CN_EV_SMOKE:
	case CN_EV_GAS:
	case CN_EV_CARBON_MONOXIDE:
	case CN_EV_WATER_LEAK:
		return true;
	default:
		return false;
	}
}

const char *cn_event_type_name(enum cn_event_type type)
{
	/* An enum can hold any int: a corrupt value must not index past the
	 * table, and "other" is what we store for types we do not know. */
	if ((unsigned)type >= sizeof(event_type_names) / sizeof(event_type_names[0]))
		return "other";
	return event_type_names[type];
}

/* Shortest "%.*g" text that reads back as the same double, so 21.5 is
 * "21.5" and not "21.500000000000000". */
static void format_number(double x, char *out, size_t size)
{
	if (!isfinite(x)) {
		snprintf(out, size, "null");
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		char buf[40];
		snprintf(buf, sizeof(buf), "%.*g", prec, x);
		if (prec == 17 || strtod(buf, NULL) == x) {
			snprintf(out, size, "%s", buf);
			return;
		}
	}
}

const char *cn_event_value_json(const struct cn_event *ev, char *out, size_t size)
{
	const char *text = "null";

	if (!out || size == 0)
		return out;
	if (!ev) {
		snprintf(out, size, "%s", text);
		return out;
	}
	switch (ev->value) {
	case CN_VAL_TRUE:
		text = "true";
		break;
	case CN_VAL_FALSE:
		text = "false";
		break;
	case CN_VAL_OPEN:
		text = "\"open\"";
		break;
	case CN_VAL_CLOSED:
		text = "\"closed\"";
		break;
	case CN_VAL_PRESS:
		text = "\"press\"";
		break;
	case CN_VAL_LONG_PRESS:
		text = "\"long_press\"";
		break;
	case CN_VAL_CANCEL:
		text = "\"cancel\"";
		break;
	case CN_VAL_OK:
		text = "\"ok\"";
		break;
	case CN_VAL_NUMBER:
		format_number(ev->number, out, size);
		return out;
	case CN_VAL_OTHER:
		/* other_json is written by the codec, but the struct is plain
		 * data: never read past its end even if it lost its NUL. */
		if (memchr(ev->other_json, '\0', sizeof(ev->other_json)) && ev->other_json[0])
			text = ev->other_json;
		break;
	case CN_VAL_NONE:
	default:
		break;
	}
	snprintf(out, size, "%s", text);
	return out;
}
