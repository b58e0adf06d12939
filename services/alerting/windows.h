/* The time-window rules (inactivity, missed_checkin, missed_visit, and
 * presence_until running out) on exact deadlines kept in rule_timers, one
 * row per resident and rule ("missed_visit:<request id>" per visit), in
 * the configured zone. No periodic scan: each change that can move a
 * deadline sets it again, and the scheduler sleeps until the earliest.
 * The arithmetic is in window_math.c; this file is the database side.
 *
 * Every function runs inside the caller's transaction on the caller's
 * connection. Those taking an outbox collect what must be published and
 * set ob->wake_scheduler when a deadline may have moved earlier; with
 * ob == NULL the caller wakes the scheduler after its commit instead
 * (scheduler_wake). */
#ifndef CN_WINDOWS_H
#define CN_WINDOWS_H

#include <stdbool.h>
#include <stdint.h>

#include "cn_error.h"

struct app;
struct db;
struct outbox;
struct rule_resident;

/* Activity of a resident at `at` (motion, door, bed, button, check-in):
 * restarts the inactivity clock, and the first activity after an
 * inactivity alert goes on its timeline. An inactivity deadline that is
 * already set stays as a lower bound: when it falls due the rule looks at
 * the latest activity and moves it on, so busy homes cost no write here. */
/* Presence and monitoring settings of a resident as the rules see them,
 * and whether the resident is enrolled (paused or discharged: no rules).
 * Returns CN_OK, CN_ERR_NOT_FOUND for an unknown resident, CN_ERR_DB. */
enum cn_err windows_resident_rules(struct db *db, const char *resident_id,
                                   struct rule_resident *out, bool *enrolled);

enum cn_err windows_on_activity(struct app *app, struct db *db, const char *resident_id, int64_t at,
                                const char *actor, struct outbox *ob);

/* The day's `checkin` event happened at `at`: the missed_checkin deadline
 * moves to the next day, and a missed_checkin alert already open notes the
 * late check-in. */
enum cn_err windows_on_checkin(struct app *app, struct db *db, const char *resident_id, int64_t at,
                               struct outbox *ob);

/* A resident was created or changed (monitoring settings, status,
 * presence, presence_until): sets every deadline of the resident again.
 * Presence other than `home` suspends inactivity (missed_checkin is
 * checked against presence when it falls due); coming home restarts the
 * inactivity clock from then. An unknown resident is not an error. */
enum cn_err windows_on_settings(struct app *app, struct db *db, const char *resident_id,
                                int64_t now, struct outbox *ob);
/* The same, named for presence changes (attendance, PATCH presence). */
enum cn_err windows_on_presence(struct app *app, struct db *db, const char *resident_id,
                                int64_t now, struct outbox *ob);

/* A service request was scheduled, rescheduled, started or cancelled: its
 * missed_visit deadline (window_end while `scheduled`) is set or dropped.
 * An unknown request is not an error. */
enum cn_err windows_on_request(struct app *app, struct db *db, const char *request_id, int64_t now,
                               struct outbox *ob);

/* Fires every rule deadline due at `now` (at most 64 a call; the next
 * deadline is then at or before `now`, so the scheduler comes straight
 * back). Each fired deadline is removed or moved past `now`. */
enum cn_err windows_fire_due(struct app *app, struct db *db, int64_t now, struct outbox *ob);

/* The earliest rule deadline, 0 when none. */
enum cn_err windows_next_due(struct db *db, int64_t *at);

#endif
