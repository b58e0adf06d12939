#include "rules.h"

#include <stdio.h>
#include <string.h>

bool day_window_contains(struct day_window w, int m)
{
	if (w.from_min == w.to_min)
		return true;
	if (w.from_min < w.to_min)
		return m >= w.from_min && m < w.to_min;
	return m >= w.from_min || m < w.to_min; /* wraps past midnight */
}

bool rules_parse_hhmm(const char *s, int *minutes)
{
	if (!s || strlen(s) != 5 || s[2] != ':')
		return false;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return false;
	int h = (s[0] - '0') * 10 + (s[1] - '0');
	int m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return false;
	*minutes = h * 60 + m;
	return true;
}

bool rules_is_activity(const struct cn_event *ev)
{
	switch (ev->type) {
	case CN_EV_MOTION:
	case CN_EV_VIBRATION:
		return ev->value == CN_VAL_TRUE;
	case CN_EV_DOOR:
	case CN_EV_BED:
	case CN_EV_BUTTON:
	case CN_EV_CHECKIN:
		return true;
	default:
		return false;
	}
}

static struct rule_decision *add(struct rule_decision *out, size_t *n, enum rule_action action,
                                 enum alert_kind kind, const char *detail)
{
	if (*n >= RULES_MAX_DECISIONS)
		return NULL;
	struct rule_decision *d = &out[(*n)++];
	memset(d, 0, sizeof(*d));
	d->action = action;
	d->kind = kind;
	d->priority = alert_kind_priority(kind);
	snprintf(d->detail, sizeof(d->detail), "%s", detail ? detail : "");
	return d;
}

size_t rules_for_battery(int battery, bool low_active, const struct rule_settings *set,
                         struct rule_decision out[RULES_MAX_DECISIONS])
{
	size_t n = 0;
	char detail[64];
	if (battery < 0)
		return 0;
	/* Hysteresis: raise below low_battery_pct, clear only above
	 * battery_ok_pct, so a reading that wobbles around the threshold
	 * does not raise and clear over and over. */
	if (battery < set->low_battery_pct) {
		snprintf(detail, sizeof(detail), "battery at %d%%", battery);
		add(out, &n, RULE_RAISE, AK_LOW_BATTERY, detail);
	} else if (low_active && battery > set->battery_ok_pct) {
		snprintf(detail, sizeof(detail), "battery back at %d%%", battery);
		add(out, &n, RULE_CLEAR, AK_LOW_BATTERY, detail);
	}
	return n;
}

size_t rules_for_device_status(bool online, struct rule_decision out[RULES_MAX_DECISIONS])
{
	size_t n = 0;
	if (online)
		add(out, &n, RULE_CLEAR, AK_DEVICE_OFFLINE, "device heard again");
	else
		add(out, &n, RULE_RAISE, AK_DEVICE_OFFLINE, "device silent or reported offline");
	return n;
}

size_t rules_for_event(const struct cn_event *ev, const struct rule_device *dev,
                       const struct rule_resident *res, const struct rule_settings *set,
                       int local_min, struct rule_decision out[RULES_MAX_DECISIONS])
{
	(void)set;
	size_t n = 0;
	bool at_home = res && res->presence == PRESENCE_HOME;
	switch (ev->type) {
	case CN_EV_BUTTON:
		if (ev->value == CN_VAL_CANCEL) {
			/* The alert stays open: staff still check on the resident. */
			struct rule_decision *d =
				add(out, &n, RULE_TIMELINE, AK_SOS, "cancel pressed on the device");
			if (d)
				d->timeline_action = "cancel";
		} else {
			add(out, &n, RULE_RAISE, AK_SOS,
			    ev->value == CN_VAL_LONG_PRESS ? "call button long press" : "call button pressed");
		}
		break;
	case CN_EV_FALL:
		if (ev->value == CN_VAL_TRUE)
			add(out, &n, RULE_RAISE, AK_FALL, "fall detected");
		break;
	case CN_EV_SMOKE:
		if (ev->value == CN_VAL_TRUE)
			add(out, &n, RULE_RAISE, AK_SMOKE, "smoke detected");
		break;
	case CN_EV_GAS:
		if (ev->value == CN_VAL_TRUE)
			add(out, &n, RULE_RAISE, AK_GAS, "gas detected");
		break;
	case CN_EV_CARBON_MONOXIDE:
		if (ev->value == CN_VAL_TRUE)
			add(out, &n, RULE_RAISE, AK_CARBON_MONOXIDE, "carbon monoxide detected");
		break;
	case CN_EV_WATER_LEAK:
		if (ev->value == CN_VAL_TRUE)
			add(out, &n, RULE_RAISE, AK_WATER_LEAK, "water leak detected");
		break;
	case CN_EV_DOOR:
		if (ev->value == CN_VAL_OPEN && dev && dev->exit_door && at_home && res &&
		    day_window_contains(res->night, local_min))
			add(out, &n, RULE_RAISE, AK_NIGHT_EXIT, "exit door opened at night");
		break;
	case CN_EV_CHECKIN:
		add(out, &n, RULE_CHECKIN, AK_MISSED_CHECKIN, "checked in");
		break;
	default:
		break;
	}
	if (rules_is_activity(ev))
		add(out, &n, RULE_ACTIVITY, AK_INACTIVITY, "activity");
	return n;
}
