/* Storage of alerts, their timeline, notifications and the change feed. */
#ifndef CN_DB_ALERTS_H
#define CN_DB_ALERTS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "db.h"

/* The active (not resolved) alert with this dedup key, if any. */
struct db_alert_row {
	int64_t id;
	char site_id[65];
	char resident_id[65];
	char device_id[65];
	char kind[32];
	char status[16];
	int priority;
	int level;
	int count;
	int64_t created_at;
	int64_t acked_at;           /* 0 when not */
	int64_t next_escalation_at; /* 0 when none */
};

enum cn_err db_alert_find_active(struct db *db, const char *dedup_key, struct db_alert_row *out);
enum cn_err db_alert_get_row(struct db *db, int64_t id, struct db_alert_row *out);

struct db_alert_new {
	const char *site_id, *resident_id, *device_id, *kind, *dedup_key, *detail;
	int priority;
	int64_t now, event_at, next_escalation_at; /* next: 0 = none */
	bool nobody_on_shift;
};
enum cn_err db_alert_insert(struct db *db, const struct db_alert_new *a, int64_t *id);

/* A repeat: count + 1, last_event_at, updated_at. */
enum cn_err db_alert_fold(struct db *db, int64_t id, int64_t event_at, int64_t now);

/* Escalation bookkeeping. next = 0 clears the deadline. */
enum cn_err db_alert_set_level(struct db *db, int64_t id, int level, int64_t next, int64_t now,
                               bool nobody_on_shift);

/* Lifecycle updates; each returns CN_ERR_CONFLICT when the alert is not
 * in a status the step may leave (checked in the same statement, so two
 * caregivers acking at once cannot both succeed). */
enum cn_err db_alert_ack(struct db *db, int64_t id, const char *staff_id, int64_t now);
enum cn_err db_alert_dispatch(struct db *db, int64_t id, const char *by, const char *responder,
                              int64_t now);
enum cn_err db_alert_arrive(struct db *db, int64_t id, const char *by, int64_t now);
enum cn_err db_alert_resolve(struct db *db, int64_t id, const char *by, const char *outcome,
                             const char *note, int64_t now);

enum cn_err db_timeline_add(struct db *db, int64_t alert_id, int64_t ts, const char *actor,
                            const char *action, const char *detail);
/* Appends the change and returns its id. */
enum cn_err db_alert_change_add(struct db *db, int64_t alert_id, const char *site_id,
                                const char *resident_id, const char *event, int64_t ts,
                                int64_t *change_id);
enum cn_err db_alert_changes_latest(struct db *db, int64_t *id);

struct db_alert_change {
	int64_t id;
	char event[16];
	char site_id[65];
	char resident_id[65];
	json_t *payload; /* {"event","alert"}: new reference, caller decrefs */
};
/* Up to `max` changes after `after_id`, oldest first. */
enum cn_err db_alert_changes_after(struct db *db, int64_t after_id, size_t max,
                                   struct db_alert_change *out, size_t *n);

/* A page decided: its row is written as sent at `now`, in the transaction
 * that decides it, before anything is published. So a node that takes
 * over after a crash never publishes it again (no person paged twice for
 * one level); a crash between the commit and the publish loses that one
 * page, and escalation goes on to the next level. A publish that fails
 * marks the row unsent again (db_notification_mark_unsent), and the next
 * leader's start re-sends it (db_notifications_unsent). */
enum cn_err db_notification_add(struct db *db, int64_t alert_id, const char *staff_id, int level,
                                bool nobody_on_shift, int64_t now, int64_t *id);
enum cn_err db_notification_mark_sent(struct db *db, int64_t id, int64_t now);
/* The page never reached the broker: sent_at NULL again. CN_OK or the
 * engine's error. */
enum cn_err db_notification_mark_unsent(struct db *db, int64_t id);

/* The alert as the API shows it (one encoder for REST, MQTT and SSE);
 * with `timeline` the append-only timeline too. NOT_FOUND when unknown. */
enum cn_err db_alert_json(struct db *db, int64_t id, bool timeline, json_t **out);

/* Due escalations: ids of active alerts whose deadline is <= now. */
enum cn_err db_alerts_due(struct db *db, int64_t now, int64_t *ids, size_t max, size_t *n);
/* The earliest escalation deadline, 0 when none. */
enum cn_err db_alerts_next_due(struct db *db, int64_t *at);

/* Staff to page: active, not volunteers or family, of `site_id`.
 * tier mask: 1 primary, 2 backup, 4 supervisor shifts covering `now`;
 * 8 the site's coordinators; 16 anyone with a shift covering now;
 * 32 every admin. */
#define DB_PAGE_PRIMARY      1u
#define DB_PAGE_BACKUP       2u
#define DB_PAGE_SUPERVISOR   4u
#define DB_PAGE_COORDINATORS 8u
#define DB_PAGE_ON_DUTY      16u
#define DB_PAGE_ADMINS       32u /* last resort: nobody on shift, no coordinator */
#define DB_PAGE_MAX          64
enum cn_err db_staff_to_page(struct db *db, const char *site_id, unsigned mask, int64_t now,
                             char ids[][65], size_t max, size_t *n);
/* Whether anyone (of the pageable roles) has a shift covering now. */
enum cn_err db_anyone_on_shift(struct db *db, const char *site_id, int64_t now, bool *any);

/* The resident card a page carries: {"name","address","phone"}. */
enum cn_err db_resident_card(struct db *db, const char *resident_id, json_t **out);

/* Pages never handed to the broker (crash between commit and publish). */
struct db_unsent_page {
	int64_t id, alert_id;
	char staff_id[65];
	int level;
	bool nobody_on_shift;
};
enum cn_err db_notifications_unsent(struct db *db, struct db_unsent_page *out, size_t max,
                                    size_t *n);

/* The alert a stored event raised or folded into, and its id. */
enum cn_err db_event_set_alert(struct db *db, int64_t event_id, int64_t alert_id);

#endif
