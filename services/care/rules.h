/* The guardian net's decisions, as pure functions: an event (or a device
 * status change), the device, the resident's state and the clock go in;
 * decisions come out. No I/O, no globals: the same code runs in carenetd
 * and in `carenet-sim evaluate`, and tests need no sleeping. */
#ifndef CN_RULES_H
#define CN_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert_kind.h"
#include "event.h"

enum presence { PRESENCE_HOME, PRESENCE_DAYCARE, PRESENCE_AWAY };

/* A daily window in local minutes since midnight; from > to wraps past
 * midnight (23:00-06:00). from == to means "all day". */
struct day_window {
	int from_min, to_min;
};

struct rule_resident {
	enum presence presence;
	struct day_window active;  /* inactivity counts only inside */
	int inactivity_minutes;    /* 0: the rule is off */
	struct day_window night;   /* night_exit window */
	int checkin_by_min;        /* -1: no check-in expected */
};

struct rule_device {
	const char *kind; /* "door", "motion", ... */
	bool exit_door;
};

struct rule_settings {
	int low_battery_pct; /* raise below */
	int battery_ok_pct;  /* clear above */
};

enum rule_action {
	RULE_RAISE,    /* raise (or fold into) an alert of `kind` */
	RULE_CLEAR,    /* resolve the active technical alert of `kind` */
	RULE_TIMELINE, /* a line on the active alert of `kind`, if one is open */
	RULE_ACTIVITY, /* a sign of the resident being active: restart the
	                  inactivity clock, note it on an open inactivity alert */
	RULE_CHECKIN,  /* the day's check-in happened */
};

struct rule_decision {
	enum rule_action action;
	enum alert_kind kind;
	int priority;
	char detail[96];
	const char *timeline_action; /* with RULE_TIMELINE: "cancel", ... */
};

#define RULES_MAX_DECISIONS 4

/* Decisions for one stored event. `local_min` is the event's local minute
 * of the day in the configured zone. Returns how many were written. */
size_t rules_for_event(const struct cn_event *ev, const struct rule_device *dev,
                       const struct rule_resident *res, const struct rule_settings *set,
                       int local_min, struct rule_decision out[RULES_MAX_DECISIONS]);

/* Decisions for a battery reading (0-100) given whether a low_battery
 * alert is active now. */
size_t rules_for_battery(int battery, bool low_active, const struct rule_settings *set,
                         struct rule_decision out[RULES_MAX_DECISIONS]);

/* Decisions for a device going offline (online == false) or coming back. */
size_t rules_for_device_status(bool online, struct rule_decision out[RULES_MAX_DECISIONS]);

/* True when minute `m` of the day lies inside window `w`. */
bool day_window_contains(struct day_window w, int m);

/* Parses "HH:MM" (00:00-23:59) into minutes; false when malformed. */
bool rules_parse_hhmm(const char *s, int *minutes);

/* Whether this event type counts as activity for the inactivity rule:
 * motion (true), door, bed, button, checkin. */
bool rules_is_activity(const struct cn_event *ev);

#endif
