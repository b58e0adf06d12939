/* The time-window rules (inactivity, missed_checkin, missed_visit) on
 * exact deadlines kept in the rule_timers table, in the configured zone.
 * Called inside the caller's transaction; decisions are in rules.c. */
#ifndef CN_WINDOWS_H
#define CN_WINDOWS_H

#include <stdint.h>

#include "cn_error.h"

struct app;
struct db;
struct outbox;

/* Activity of a resident at `at`: restarts the inactivity clock and notes
 * the activity on an open inactivity alert. */
enum cn_err windows_on_activity(struct app *app, struct db *db, const char *resident_id,
                                int64_t at, const char *actor, struct outbox *ob);

/* The day's check-in happened at `at`. */
enum cn_err windows_on_checkin(struct app *app, struct db *db, const char *resident_id,
                               int64_t at, struct outbox *ob);

/* Fires every rule deadline due at `now`. */
enum cn_err windows_fire_due(struct app *app, struct db *db, int64_t now, struct outbox *ob);

/* The earliest rule deadline, 0 when none. */
enum cn_err windows_next_due(struct db *db, int64_t *at);

#endif
