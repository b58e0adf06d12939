/* Storage of the time-window rules: their deadlines (rule_timers, one row
 * per resident and rule, so a restart picks them up again) and the few
 * facts about residents and visits the rules read and write. The rules
 * themselves are in services/windows.c. */
#ifndef CN_DB_WINDOWS_H
#define CN_DB_WINDOWS_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

#define DB_RULE_MAX 80 /* "missed_visit:" + a request id, with the NUL */

/* One deadline. */
struct db_rule_timer {
	char resident_id[65];
	char rule[DB_RULE_MAX];
	int64_t due_at;
};

/* The earliest deadline, 0 when none. */
enum cn_err db_rule_timers_next_due(struct db *db, int64_t *at);
/* Up to `max` deadlines at or before `now`, earliest first. */
enum cn_err db_rule_timers_due(struct db *db, int64_t now, struct db_rule_timer *out, size_t max,
                               size_t *n);
/* Sets (creates or moves) a deadline. */
enum cn_err db_rule_timer_set(struct db *db, const char *resident_id, const char *rule,
                              int64_t due_at);
/* Removes a deadline; none is fine. */
enum cn_err db_rule_timer_delete(struct db *db, const char *resident_id, const char *rule);

/* What the window rules know of a resident. Times are 0 when unset;
 * HH:MM strings are "" when NULL. */
struct db_win_resident {
	char site_id[65];
	char presence[12]; /* home, daycare, away */
	char status[16];   /* enrolled, paused, discharged */
	char active_from[8], active_to[8], checkin_by[8];
	char night_from[8], night_to[8];
	int inactivity_minutes;
	int64_t last_activity_at, home_since, last_checkin_at, presence_until;
	bool inactivity_armed; /* an inactivity deadline exists */
};
/* NOT_FOUND for an unknown resident. */
enum cn_err db_win_resident_get(struct db *db, const char *id, struct db_win_resident *out);

/* Notes a `checkin` event (the latest time is kept). */
enum cn_err db_resident_note_checkin(struct db *db, const char *id, int64_t at);

/* Sends an `away` (or day-care) resident whose presence_until has passed
 * back `home` and clears presence_until; *changed says whether it did. */
enum cn_err db_resident_presence_expire(struct db *db, const char *id, int64_t now, bool *changed);

/* Whether an inactivity alert of the resident was raised or folded at or
 * after `since`: that quiet period has had its alert. */
enum cn_err db_inactivity_alerted_since(struct db *db, const char *id, int64_t since, bool *yes);

/* A service request as the missed_visit rule sees it. */
struct db_visit {
	char resident_id[65];
	char site_id[65];
	char status[16];
	char service[201];
	char assignee_id[65];
	int64_t window_start, window_end, missed_alert_id; /* 0: none */
};
enum cn_err db_visit_get(struct db *db, const char *request_id, struct db_visit *out);
/* Records the missed_visit alert of a request still scheduled. */
enum cn_err db_visit_set_missed(struct db *db, const char *request_id, int64_t alert_id,
                                int64_t now);

#endif
