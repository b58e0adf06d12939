/* The alert engine: raising and folding, paging and escalation, and the
 * lifecycle steps staff take. Every function here runs inside the
 * caller's transaction on the caller's connection and collects what must
 * be published into the caller's outbox, so an alert, its timeline, its
 * pages and the event that raised it commit together or not at all. */
#ifndef CN_ALERTS_H
#define CN_ALERTS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "alert_kind.h"
#include "cn_error.h"

struct app;
struct db;
struct outbox;
struct principal;

struct alert_raise {
	enum alert_kind kind;
	int priority;            /* 1-4 */
	const char *site_id;     /* required */
	const char *resident_id; /* may be NULL (a device not assigned yet) */
	const char *device_id;   /* may be NULL (manual, window rules) */
	const char *detail;      /* may be NULL */
	const char *actor;       /* "device:ID", "user:ID" or "system" */
	int64_t event_at;        /* when it happened (device time or now) */
	const char *subject;     /* may be NULL; folds per subject too (vital_sign: the measure) */
};

/* Raises an alert, or folds into the active one of the same resident and
 * kind (same device for technical kinds; same subject when one is given):
 * a fold counts and notes the repeat; a more urgent repeat (a critical
 * reading on an open P2 vital_sign) raises the priority and pages level 0
 * at the new priority. Otherwise a fold
 * repeat and pages nobody. A new alert pages level 0 at once (P1-P3) and
 * gets its escalation deadline. *created says which happened. */
enum cn_err alerts_raise(struct app *app, struct db *db, const struct alert_raise *rq, int64_t now,
                         struct outbox *ob, int64_t *alert_id, bool *created);

/* Resolves the active technical alert (device_offline, low_battery) of a
 * device that is fine again; nothing when there is none. */
enum cn_err alerts_clear(struct app *app, struct db *db, enum alert_kind kind,
                         const char *resident_id, const char *device_id, const char *why,
                         int64_t now, struct outbox *ob);

/* Adds a timeline line to the active alert of this kind, if one exists
 * (a `cancel` press, activity after an inactivity alert). */
enum cn_err alerts_note_active(struct app *app, struct db *db, enum alert_kind kind,
                               const char *resident_id, const char *device_id, const char *action,
                               const char *detail, const char *actor, int64_t now,
                               struct outbox *ob, int64_t *alert_id);

/* Fires the escalation of one alert that fell due: next level, pages,
 * next deadline. Nothing when it was acknowledged meanwhile. */
enum cn_err alerts_escalate(struct app *app, struct db *db, int64_t alert_id, int64_t now,
                            struct outbox *ob);

/* The on-site reminder of one alert that fell due (contract section 5):
 * an acknowledged P1/P2 alert not on site within the site's
 * onsite_timeout_s pages its responder and the coordinators again, with a
 * `reminded` timeline line, and arms the next one. Nothing (the reminder
 * cleared) when it is on site or resolved meanwhile. */
enum cn_err alerts_remind(struct app *app, struct db *db, int64_t alert_id, int64_t now,
                          struct outbox *ob);

/* Every channel delivery of `level` failed: pages the next level now,
 * with the reason on the timeline. Nothing when the alert was taken or
 * is past that level already. */
enum cn_err alerts_escalate_failed(struct app *app, struct db *db, int64_t alert_id, int level,
                                   int64_t now, struct outbox *ob);

/* Acknowledges an open alert as a resident's contact (`contact_json`:
 * {"name","relation","phone"}): acked_by_contact, a timeline line naming
 * them, escalation stops, the device gets help_coming, and a P1/P2 alert
 * arms the on-site reminder as a staff acknowledgement does. CN_ERR_CONFLICT
 * when it is no longer open. */
enum cn_err alerts_ack_by_contact(struct app *app, struct db *db, int64_t alert_id,
                                  const char *contact_json, int64_t now, struct outbox *ob);

/* Staff steps over REST. */
enum alert_step { STEP_ACK, STEP_DISPATCH, STEP_ARRIVE, STEP_RESOLVE, STEP_NOTE };

/* Validated resolve outcomes of care-model.md. */
bool alerts_outcome_valid(const char *outcome);

/* Applies a step by `who`. `arg` is the responder's staff id (dispatch),
 * the outcome (resolve) or the text (note); `note` goes with resolve and
 * with ack (a timeline note line).
 * CN_ERR_CONFLICT when the status does not allow the step. */
enum cn_err alerts_step(struct app *app, struct db *db, int64_t alert_id, enum alert_step step,
                        const struct principal *who, const char *arg, const char *note, int64_t now,
                        struct outbox *ob);

/* Re-publishes pages of open alerts that never reached the broker: in a
 * transaction of its own on `db`, marks them sent (as a new page is, when
 * decided) and queues them in `ob` for txn_dispatch, which marks any that
 * fail again unsent. */
enum cn_err alerts_resend_unsent(struct app *app, struct db *db, struct outbox *ob);

/* Escalation step time for a priority, seconds (0 for P4: never paged). */
long alerts_step_seconds(const struct app *app, int priority);

#endif
