#include "alerts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "clock.h"
#include "config.h"
#include "db_alerts.h"
#include "db_deliveries.h"
#include "db_health.h"
#include "encode.h"
#include "escalation.h"
#include "log.h"
#include "metrics.h"
#include "notify_plan.h"
#include "outbox.h"
#include "xalloc.h"

#define LEVEL_MAX ESCALATION_LEVEL_MAX

/* The schedule speaks in the page groups of the storage layer. */
_Static_assert(ESC_PRIMARY == DB_PAGE_PRIMARY && ESC_BACKUP == DB_PAGE_BACKUP &&
                       ESC_SUPERVISOR == DB_PAGE_SUPERVISOR &&
                       ESC_COORDINATORS == DB_PAGE_COORDINATORS && ESC_ON_DUTY == DB_PAGE_ON_DUTY,
               "escalation groups and page groups must agree");

static void step_times(const struct app *app, long steps[3])
{
	steps[0] = app->cfg->escalate_p1_s;
	steps[1] = app->cfg->escalate_p2_s;
	steps[2] = app->cfg->escalate_p3_s;
}

long alerts_step_seconds(const struct app *app, int priority)
{
	long steps[3];
	step_times(app, steps);
	return (priority >= 1 && priority <= 3) ? steps[priority - 1] : 0;
}

static void dedup_key(const struct alert_raise *rq, char *out, size_t size)
{
	if (alert_kind_is_technical(rq->kind))
		snprintf(out, size, "%s|%s|%s", rq->resident_id ? rq->resident_id : "",
		         alert_kind_name(rq->kind), rq->device_id ? rq->device_id : "");
	else if (rq->subject)
		snprintf(out, size, "%s|%s|%s", rq->resident_id ? rq->resident_id : "",
		         alert_kind_name(rq->kind), rq->subject);
	else
		snprintf(out, size, "%s|%s", rq->resident_id ? rq->resident_id : "",
		         alert_kind_name(rq->kind));
}

/* Records an alert change: the feed row (SSE) and the site topic. */
static enum cn_err announce(struct app *app, struct db *db, int64_t alert_id, const char *event,
                            int64_t now, struct outbox *ob)
{
	json_t *alert = NULL;
	enum cn_err rc = db_alert_json(db, alert_id, false, &alert);
	if (rc != CN_OK)
		return rc;
	const char *site = json_string_value(json_object_get(alert, "site_id"));
	const char *resident = json_string_value(json_object_get(alert, "resident_id"));
	int64_t change_id = 0;
	rc = db_alert_change_add(db, alert_id, site, resident, event, now, &change_id);
	if (rc == CN_OK) {
		char topic[256];
		char *body = cn_encode_site_alert(event, alert);
		if (cn_encode_topic_site_alerts(topic, sizeof(topic), app->cfg->topic_root, site) &&
		    body)
			outbox_add(ob, topic, body, 0);
		else
			free(body);
		if (change_id > ob->max_change_id)
			ob->max_change_id = change_id;
	}
	json_decref(alert);
	return rc;
}

/* Pages everyone `level` reaches. With nobody on shift at all, the site's
 * coordinators are paged at once (and admins when there is no
 * coordinator either), and each page says so. */
/* The clinic's staff on duty at the site are paged with the first level
 * of a P1 vital_sign alert (contract section 7); they are never in the
 * ladder of other alerts, which they could not even see. */
static enum cn_err add_clinicians(struct db *db, int64_t alert_id, const char *site_id, int64_t now,
                                  char (*ids)[65], size_t *n)
{
	struct db_alert_row row;
	enum cn_err rc = db_alert_get_row(db, alert_id, &row);
	if (rc != CN_OK || row.priority != 1 || strcmp(row.kind, "vital_sign") != 0)
		return rc;
	char clin[8][65];
	size_t k = 0;
	rc = db_clinicians_on_duty(db, site_id, now, clin, 8, &k);
	for (size_t i = 0; rc == CN_OK && i < k && *n < DB_PAGE_MAX; i++) {
		bool dup = false;
		for (size_t j = 0; j < *n && !dup; j++)
			dup = strcmp(ids[j], clin[i]) == 0;
		if (!dup) {
			memcpy(ids[*n], clin[i], sizeof(clin[i]));
			ids[(*n)++][64] = '\0';
		}
	}
	return rc;
}

static enum cn_err page_level(struct app *app, struct db *db, int64_t alert_id, const char *site_id,
                              const char *resident_id, int level, int64_t now, struct outbox *ob,
                              bool *nobody_on_shift)
{
	char(*ids)[65] = xcalloc(DB_PAGE_MAX, sizeof(*ids));
	size_t n = 0;
	bool anyone = false;
	json_t *alert = NULL, *card = NULL;
	enum cn_err rc = db_anyone_on_shift(db, site_id, now, &anyone);
	if (rc != CN_OK)
		goto out;
	*nobody_on_shift = !anyone;
	if (anyone) {
		/* A level that reaches nobody (say, no primary on this shift)
		 * goes on up rather than wait silently for the step time. */
		for (int l = level; l <= LEVEL_MAX && n == 0; l++) {
			rc = db_staff_to_page(db, site_id, escalation_mask(l), now, ids,
			                      DB_PAGE_MAX, &n);
			if (rc != CN_OK)
				goto out;
		}
	}
	if (n == 0) {
		rc = db_staff_to_page(db, site_id, DB_PAGE_COORDINATORS, now, ids, DB_PAGE_MAX, &n);
		if (rc == CN_OK && n == 0)
			rc = db_staff_to_page(db, site_id, DB_PAGE_ADMINS, now, ids, DB_PAGE_MAX,
			                      &n);
		if (rc != CN_OK)
			goto out;
	}
	if (n == 0) {
		log_error("alerts",
		          "alert %lld: nobody to page at site %s: no shift, coordinator or admin",
		          (long long)alert_id, site_id);
		rc = db_timeline_add(
			db, alert_id, now, "system", "notified",
			"nobody could be paged: no staff on shift, no coordinator, no admin");
		goto out;
	}
	if (level == 0) {
		rc = add_clinicians(db, alert_id, site_id, now, ids, &n);
		if (rc != CN_OK)
			goto out;
	}
	int64_t notif_ids[DB_PAGE_MAX];
	for (size_t i = 0; i < n; i++) {
		rc = db_notification_add(db, alert_id, ids[i], level, !anyone, now, &notif_ids[i]);
		if (rc != CN_OK)
			goto out;
		char detail[160];
		snprintf(detail, sizeof(detail), "paged %s at level %d%s", ids[i], level,
		         anyone ? "" : " (nobody on shift)");
		rc = db_timeline_add(db, alert_id, now, "system", "notified", detail);
		if (rc != CN_OK)
			goto out;
	}
	rc = db_alert_json(db, alert_id, false, &alert);
	if (rc != CN_OK)
		goto out;
	/* The same people on the channels they carry, and on the first page
	 * the resident's own contacts: rows in this transaction, sent by the
	 * notifier thread after the commit. */
	int priority = (int)json_integer_value(json_object_get(alert, "priority"));
	for (size_t i = 0; rc == CN_OK && i < n; i++)
		rc = notify_plan_staff(app, db, alert_id, site_id, priority, level, ids[i], now,
		                       ob);
	if (rc == CN_OK && level == 0)
		rc = notify_plan_contacts(app, db, alert_id, site_id, resident_id, level, now, ob);
	if (rc == CN_OK)
		rc = db_resident_card(db, resident_id, &card);
	if (rc != CN_OK)
		goto out;
	char *payload = cn_encode_staff_page(alert, card, level, !anyone);
	for (size_t i = 0; payload && i < n; i++) {
		char topic[256];
		if (cn_encode_topic_staff_page(topic, sizeof(topic), app->cfg->topic_root, ids[i]))
			outbox_add(ob, topic, xstrdup(payload), notif_ids[i]);
	}
	free(payload);
out:
	json_decref(alert);
	json_decref(card);
	free(ids);
	return rc;
}

/* A repeat more urgent than the alert it folds into: the alert takes the
 * new priority and its escalation starts again from level 0 at that
 * priority's pace, so a critical reading is never held at a P2's. */
static enum cn_err upgrade(struct app *app, struct db *db, const struct db_alert_row *row,
                           const struct alert_raise *rq, int64_t now, struct outbox *ob)
{
	char detail[64];
	snprintf(detail, sizeof(detail), "priority %d -> %d", row->priority, rq->priority);
	enum cn_err rc = db_alert_set_priority(db, row->id, rq->priority, now);
	if (rc == CN_OK)
		rc = db_timeline_add(db, row->id, now, rq->actor, "escalated", detail);
	if (rc != CN_OK || row->acked_at)
		return rc;
	long steps[3];
	step_times(app, steps);
	struct escalation esc = escalation_next(-1, rq->priority, steps, now);
	bool nobody = false;
	rc = page_level(app, db, row->id, row->site_id,
	                row->resident_id[0] ? row->resident_id : NULL, 0, now, ob, &nobody);
	if (rc == CN_OK)
		rc = db_alert_set_level(db, row->id, 0, esc.next_at, now, nobody);
	ob->wake_scheduler = true;
	return rc;
}

enum cn_err alerts_raise(struct app *app, struct db *db, const struct alert_raise *rq, int64_t now,
                         struct outbox *ob, int64_t *alert_id, bool *created)
{
	char key[200];
	dedup_key(rq, key, sizeof(key));
	*created = false;
	struct db_alert_row row;
	enum cn_err rc = db_alert_find_active(db, key, &row);
	if (rc == CN_OK) {
		/* A repeat: one alert, counted, on the record, nobody re-paged. */
		*alert_id = row.id;
		rc = db_alert_fold(db, row.id, rq->event_at, now);
		if (rc == CN_OK) {
			char detail[160];
			snprintf(detail, sizeof(detail), "repeat #%d%s%s", row.count + 1,
			         rq->detail ? ": " : "", rq->detail ? rq->detail : "");
			rc = db_timeline_add(db, row.id, now, rq->actor, "folded", detail);
		}
		if (rc == CN_OK && rq->priority >= 1 && rq->priority < row.priority)
			rc = upgrade(app, db, &row, rq, now, ob);
		if (rc == CN_OK)
			rc = announce(app, db, row.id, "updated", now, ob);
		return rc;
	}
	if (rc != CN_ERR_NOT_FOUND)
		return rc;

	long steps[3];
	step_times(app, steps);
	struct escalation esc = escalation_next(-1, rq->priority, steps, now);
	struct db_alert_new a = {
		.site_id = rq->site_id,
		.resident_id = rq->resident_id,
		.device_id = rq->device_id,
		.kind = alert_kind_name(rq->kind),
		.dedup_key = key,
		.detail = rq->detail,
		.priority = rq->priority,
		.now = now,
		.event_at = rq->event_at,
		.next_escalation_at = esc.next_at,
	};
	rc = db_alert_insert(db, &a, alert_id);
	if (rc != CN_OK)
		return rc;
	*created = true;
	rc = db_timeline_add(db, *alert_id, now, rq->actor, "raised", rq->detail);
	if (rc == CN_OK && esc.mask) {
		bool nobody = false;
		rc = page_level(app, db, *alert_id, rq->site_id, rq->resident_id, 0, now, ob,
		                &nobody);
		if (rc == CN_OK && nobody)
			rc = db_alert_set_level(db, *alert_id, 0, a.next_escalation_at, now, true);
		ob->wake_scheduler = true;
	}
	if (rc == CN_OK)
		rc = announce(app, db, *alert_id, "raised", now, ob);
	if (rc == CN_OK) {
		ob->alerts_raised++;
		atomic_fetch_add(&app->metrics->alerts_raised[rq->kind], 1);
	}
	return rc;
}

enum cn_err alerts_clear(struct app *app, struct db *db, enum alert_kind kind,
                         const char *resident_id, const char *device_id, const char *why,
                         int64_t now, struct outbox *ob)
{
	struct alert_raise rq = {.kind = kind, .resident_id = resident_id, .device_id = device_id};
	char key[200];
	dedup_key(&rq, key, sizeof(key));
	struct db_alert_row row;
	enum cn_err rc = db_alert_find_active(db, key, &row);
	if (rc == CN_ERR_NOT_FOUND)
		return CN_OK;
	if (rc != CN_OK)
		return rc;
	rc = db_alert_resolve(db, row.id, NULL, NULL, why, now);
	if (rc == CN_OK)
		rc = db_timeline_add(db, row.id, now, "system", "resolved", why);
	if (rc == CN_OK)
		rc = announce(app, db, row.id, "resolved", now, ob);
	return rc;
}

enum cn_err alerts_note_active(struct app *app, struct db *db, enum alert_kind kind,
                               const char *resident_id, const char *device_id, const char *action,
                               const char *detail, const char *actor, int64_t now,
                               struct outbox *ob, int64_t *alert_id)
{
	struct alert_raise rq = {.kind = kind, .resident_id = resident_id, .device_id = device_id};
	char key[200];
	dedup_key(&rq, key, sizeof(key));
	struct db_alert_row row;
	*alert_id = 0;
	enum cn_err rc = db_alert_find_active(db, key, &row);
	if (rc == CN_ERR_NOT_FOUND)
		return CN_OK;
	if (rc != CN_OK)
		return rc;
	*alert_id = row.id;
	rc = db_timeline_add(db, row.id, now, actor, action, detail);
	if (rc == CN_OK)
		rc = announce(app, db, row.id, "updated", now, ob);
	return rc;
}

/* failed_level >= 0: every delivery of that level failed, so the next
 * level is paged now rather than at the step time. */
static enum cn_err escalate(struct app *app, struct db *db, int64_t alert_id, int64_t now,
                            int failed_level, struct outbox *ob)
{
	struct db_alert_row row;
	enum cn_err rc = db_alert_get_row(db, alert_id, &row);
	if (rc != CN_OK)
		return rc;
	if (strcmp(row.status, "open") != 0 || row.next_escalation_at == 0)
		return CN_OK; /* acknowledged meanwhile */
	if (failed_level >= 0 && row.level != failed_level)
		return CN_OK; /* that level is behind us already */
	long steps[3];
	step_times(app, steps);
	struct escalation esc = escalation_next(row.level, row.priority, steps, now);
	if (!esc.mask)
		return db_alert_set_level(db, alert_id, row.level, 0, now, false);
	/* At the top of the ladder a failed channel is no reason to page the
	 * same people again at once: the step time applies. */
	if (failed_level >= 0 && esc.level <= row.level)
		return CN_OK;
	int level = esc.level;
	int64_t next = esc.next_at;
	char detail[96];
	if (failed_level >= 0)
		snprintf(detail, sizeof(detail),
		         "every channel delivery of level %d failed: level %d at once",
		         failed_level, level);
	else
		snprintf(detail, sizeof(detail), "no acknowledgement after %ld s: level %d",
		         steps[row.priority - 1], level);
	rc = db_timeline_add(db, alert_id, now, "system", "escalated", detail);
	bool nobody = false;
	if (rc == CN_OK)
		rc = page_level(app, db, alert_id, row.site_id, row.resident_id, level, now, ob,
		                &nobody);
	if (rc == CN_OK)
		rc = db_alert_set_level(db, alert_id, level, next, now, nobody);
	if (rc == CN_OK)
		rc = announce(app, db, alert_id, "escalated", now, ob);
	ob->wake_scheduler = true;
	return rc;
}

enum cn_err alerts_escalate(struct app *app, struct db *db, int64_t alert_id, int64_t now,
                            struct outbox *ob)
{
	return escalate(app, db, alert_id, now, -1, ob);
}

enum cn_err alerts_escalate_failed(struct app *app, struct db *db, int64_t alert_id, int level,
                                   int64_t now, struct outbox *ob)
{
	return escalate(app, db, alert_id, now, level, ob);
}

bool alerts_outcome_valid(const char *outcome)
{
	static const char *const outcomes[] = {"genuine", "false_alarm",     "accidental",
	                                       "test",    "technical_fault", "no_access",
	                                       "hospital"};
	for (size_t i = 0; outcome && i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		if (strcmp(outcome, outcomes[i]) == 0)
			return true;
	return false;
}

/* Tells the device that raised the alert that help is coming. */
static void help_coming(struct app *app, const struct db_alert_row *row, struct outbox *ob)
{
	if (!row->device_id[0])
		return;
	char topic[256];
	char *payload = cn_encode_help_coming(row->id);
	if (cn_encode_topic_dev_cmd(topic, sizeof(topic), app->cfg->topic_root, row->device_id) &&
	    payload)
		outbox_add(ob, topic, payload, 0);
	else
		free(payload);
}

enum cn_err alerts_step(struct app *app, struct db *db, int64_t alert_id, enum alert_step step,
                        const struct principal *who, const char *arg, const char *note, int64_t now,
                        struct outbox *ob)
{
	struct db_alert_row row;
	enum cn_err rc = db_alert_get_row(db, alert_id, &row);
	if (rc != CN_OK)
		return rc;
	char actor[80];
	snprintf(actor, sizeof(actor), "user:%s", who->id);
	bool was_open = strcmp(row.status, "open") == 0;
	char detail[600];
	const char *event = "updated";
	switch (step) {
	case STEP_ACK:
		rc = db_alert_ack(db, alert_id, who->id, now);
		snprintf(detail, sizeof(detail), "acknowledged by %s", who->id);
		rc = rc == CN_OK ? db_timeline_add(db, alert_id, now, actor, "acknowledged", detail)
		                 : rc;
		if (rc == CN_OK && note && *note)
			rc = db_timeline_add(db, alert_id, now, actor, "note", note);
		event = "acknowledged";
		break;
	case STEP_DISPATCH:
		rc = db_alert_dispatch(db, alert_id, who->id, arg, now);
		if (rc == CN_OK && was_open)
			rc = db_timeline_add(db, alert_id, now, actor, "acknowledged",
			                     "acknowledged by dispatch");
		snprintf(detail, sizeof(detail), "responder %s dispatched", arg);
		rc = rc == CN_OK ? db_timeline_add(db, alert_id, now, actor, "dispatched", detail)
		                 : rc;
		event = was_open ? "acknowledged" : "updated";
		break;
	case STEP_ARRIVE:
		rc = db_alert_arrive(db, alert_id, who->id, now);
		rc = rc == CN_OK ? db_timeline_add(db, alert_id, now, actor, "on_site",
		                                   "responder on site")
		                 : rc;
		break;
	case STEP_RESOLVE:
		rc = db_alert_resolve(db, alert_id, who->id, arg, note, now);
		snprintf(detail, sizeof(detail), "outcome %s%s%.400s", arg, note ? ": " : "",
		         note ? note : "");
		rc = rc == CN_OK ? db_timeline_add(db, alert_id, now, actor, "resolved", detail)
		                 : rc;
		event = "resolved";
		break;
	case STEP_NOTE:
		rc = db_timeline_add(db, alert_id, now, actor, "note", arg);
		break;
	}
	if (rc != CN_OK)
		return rc;
	if (was_open && (step == STEP_ACK || step == STEP_DISPATCH)) {
		metrics_observe_ack(app->metrics, now - row.created_at);
		help_coming(app, &row, ob);
	}
	return announce(app, db, alert_id, event, now, ob);
}

enum cn_err alerts_ack_by_contact(struct app *app, struct db *db, int64_t alert_id,
                                  const char *contact_json, int64_t now, struct outbox *ob)
{
	struct db_alert_row row;
	enum cn_err rc = db_alert_get_row(db, alert_id, &row);
	if (rc != CN_OK)
		return rc;
	if (strcmp(row.status, "open") != 0)
		return CN_ERR_CONFLICT;
	json_t *c = json_loads(contact_json, 0, NULL);
	const char *name = json_string_value(json_object_get(c, "name"));
	const char *rel = json_string_value(json_object_get(c, "relation"));
	const char *phone = json_string_value(json_object_get(c, "phone"));
	char actor[120], detail[400];
	snprintf(actor, sizeof(actor), "contact:%.100s", name ? name : "?");
	snprintf(detail, sizeof(detail),
	         "acknowledged by %.100s%s%.60s%s%s%.40s%s (resident's contact)", name ? name : "?",
	         rel ? " (" : "", rel ? rel : "", rel ? ")" : "", phone ? ", " : "",
	         phone ? phone : "", "");
	json_decref(c);
	rc = db_alert_ack_contact(db, alert_id, contact_json, now);
	if (rc == CN_OK)
		rc = db_timeline_add(db, alert_id, now, actor, "acknowledged", detail);
	if (rc != CN_OK)
		return rc;
	metrics_observe_ack(app->metrics, now - row.created_at);
	help_coming(app, &row, ob);
	return announce(app, db, alert_id, "acknowledged", now, ob);
}

enum cn_err alerts_resend_unsent(struct app *app, struct db *db, struct outbox *ob)
{
	struct db_unsent_page pages[256];
	size_t n = 0;
	int64_t now = clock_now_ms();
	enum cn_err rc = db_begin(db);
	if (rc == CN_OK)
		rc = db_notifications_unsent(db, pages, 256, &n);
	for (size_t i = 0; rc == CN_OK && i < n; i++)
		rc = db_notification_mark_sent(db, pages[i].id, now);
	if (rc == CN_OK)
		rc = db_commit(db);
	else
		db_rollback(db);
	if (rc != CN_OK)
		n = 0;
	for (size_t i = 0; rc == CN_OK && i < n; i++) {
		json_t *alert = NULL, *card = NULL;
		rc = db_alert_json(db, pages[i].alert_id, false, &alert);
		const char *resident = json_string_value(json_object_get(alert, "resident_id"));
		if (rc == CN_OK)
			rc = db_resident_card(db, resident, &card);
		if (rc == CN_OK) {
			char topic[256];
			char *body = cn_encode_staff_page(alert, card, pages[i].level,
			                                  pages[i].nobody_on_shift);
			if (cn_encode_topic_staff_page(topic, sizeof(topic), app->cfg->topic_root,
			                               pages[i].staff_id) &&
			    body)
				outbox_add(ob, topic, body, pages[i].id);
			else
				free(body);
		}
		json_decref(alert);
		json_decref(card);
	}
	if (n)
		log_info("alerts", "re-sending %zu page(s) that never reached the broker", n);
	return rc;
}
