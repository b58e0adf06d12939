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
#include "db_policies.h"
#include "db_reminders.h"
#include "encode.h"
#include "esc_policy_json.h"
#include "escalation.h"
#include "log.h"
#include "metrics.h"
#include "notify_plan.h"
#include "outbox.h"
#include "paging.h"
#include "wellbeing.h"
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

/* The clinic's staff on duty at the site are paged with the first level
 * of a P1 vital_sign alert (contract section 7); they are never in the
 * ladder of other alerts, which they could not even see. */
static enum cn_err clinicians(struct db *db, int64_t alert_id, const char *site_id, int64_t now,
                              char (*ids)[65], size_t *n)
{
	struct db_alert_row row;
	*n = 0;
	enum cn_err rc = db_alert_get_row(db, alert_id, &row);
	if (rc != CN_OK || row.priority != 1 || strcmp(row.kind, "vital_sign") != 0)
		return rc;
	return db_clinicians_on_duty(db, site_id, now, ids, 8, n);
}

/* Pages everyone step `step` of `pol` reaches (NULL: the default ladder,
 * whose step is the level) at `level` (paging.h decides who: the rotas
 * and shifts on call, and with nobody on shift at all the site's
 * coordinators, or the admins when there is no coordinator either; each
 * page says so). The default ladder's first page also goes to the
 * resident's contacts with notify (issue 14); a policy names them as a
 * target instead. *paged_step (may be NULL): the step whose people were
 * paged, later than `step` when it reached nobody. */
static enum cn_err page_level(struct app *app, struct db *db, int64_t alert_id, const char *site_id,
                              const char *resident_id, int level, const struct esc_policy *pol,
                              int step, int64_t now, struct outbox *ob, bool *nobody_on_shift,
                              int *paged_step)
{
	/* The default ladder's people per level; its times are the
	 * scheduler's (escalation.h). */
	static const long any_times[3] = {1, 1, 1};
	struct esc_policy ladder;
	struct paging_extra ex = {.contacts = !pol && level == 0};
	if (!pol) {
		esc_policy_default(1, any_times, &ladder);
		pol = &ladder;
		step = level;
	}
	char clin[8][65];
	const char *extra[8];
	size_t n_clin = 0;
	if (level == 0) {
		enum cn_err rc = clinicians(db, alert_id, site_id, now, clin, &n_clin);
		if (rc != CN_OK)
			return rc;
		for (size_t i = 0; i < n_clin; i++)
			extra[i] = clin[i];
	}
	ex.staff = extra;
	ex.n_staff = n_clin;
	int paged = step;
	enum cn_err rc = paging_page(app, db, alert_id, site_id, resident_id, pol, step, level, &ex,
	                             now, ob, nobody_on_shift, &paged);
	if (paged_step)
		*paged_step = paged;
	return rc;
}

/* When a policy's alert that paged step `step` next falls due: the step
 * after it (or its repeat), never before `now`. */
static int64_t next_after_step(const struct esc_policy *pol, int64_t created_at, int step,
                               int64_t now)
{
	int64_t at = created_at + (int64_t)pol->steps[step].after_s * 1000;
	return esc_policy_position(pol, created_at, at > now ? at : now).next_at;
}

/* A stored policy (validated when it was stored); false if it no longer
 * parses, and the default ladder applies. */
static bool load_policy(const char *text, struct esc_policy *pol)
{
	char err[200];
	json_t *j = json_loads(text, 0, NULL);
	bool ok = j && esc_policy_from_json(j, "policy", pol, err, sizeof(err)) == CN_OK;
	json_decref(j);
	if (!ok)
		log_error("alerts",
		          "a stored escalation policy does not parse; the default ladder applies");
	return ok;
}

/* Fires the step of the recorded policy whose time has come: after a
 * restart that is the step due now, not the one after the last fired.
 * failed_level >= 0: every delivery of the step the alert is at failed,
 * so the next step is paged now rather than at its time (at the last
 * step the repeat time applies, as on the default ladder). */
static enum cn_err escalate_by_policy(struct app *app, struct db *db,
                                      const struct db_alert_row *row, const struct esc_policy *pol,
                                      int failed_level, int64_t now, struct outbox *ob)
{
	struct esc_position pos = esc_policy_position(pol, row->created_at, now);
	char detail[120];
	if (failed_level >= 0) {
		if (row->level + 1 >= (int)pol->n)
			return CN_OK;
		pos.step = row->level + 1;
		snprintf(detail, sizeof(detail),
		         "every channel delivery of policy step %d failed: step %d at once",
		         failed_level, pos.step);
	} else {
		if (pos.step < 0)
			return db_alert_set_level(db, row->id, row->level, pos.next_at, now, false);
		if (pos.step < row->level ||
		    (pos.step == row->level && pos.step + 1 < (int)pol->n)) {
			/* Paged early (its step before reached nobody, or failed):
			 * the step's own time is no reason to page it again. */
			return db_alert_set_level(
				db, row->id, row->level,
				next_after_step(pol, row->created_at, row->level, now), now, false);
		}
		snprintf(detail, sizeof(detail),
		         "no acknowledgement after %lld s: policy step %d%s",
		         (long long)((now - row->created_at) / 1000), pos.step,
		         pos.step == row->level && row->level > 0 ? " (repeat)" : "");
	}
	enum cn_err rc = db_timeline_add(db, row->id, now, "system", "escalated", detail);
	bool nobody = false;
	int paged = pos.step;
	if (rc == CN_OK)
		rc = page_level(app, db, row->id, row->site_id, row->resident_id, pos.step, pol,
		                pos.step, now, ob, &nobody, &paged);
	if (rc == CN_OK)
		rc = db_alert_set_level(db, row->id, paged,
		                        next_after_step(pol, row->created_at, paged, now), now,
		                        nobody);
	if (rc == CN_OK)
		rc = announce(app, db, row->id, "escalated", now, ob);
	ob->wake_scheduler = true;
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
	                row->resident_id[0] ? row->resident_id : NULL, 0, NULL, 0, now, ob, &nobody,
	                NULL);
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

	/* The site's policy for this priority, if it has one, is recorded
	 * with the alert: a later change does not rewrite this escalation. */
	char *ptext = NULL;
	struct esc_policy pol;
	bool custom = false;
	rc = db_policy_get(db, rq->site_id, rq->priority, &ptext);
	if (rc != CN_OK)
		return rc;
	if (ptext)
		custom = load_policy(ptext, &pol);
	long steps[3];
	step_times(app, steps);
	struct escalation esc = escalation_next(-1, rq->priority, steps, now);
	struct esc_position pos = {-1, 0};
	if (custom) {
		pos = esc_policy_position(&pol, now, now);
		esc.next_at = pos.next_at;
		esc.mask = pos.step >= 0 ? 1u : 0u;
	}
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
	if (rc == CN_OK && custom)
		rc = db_alert_policy_set(db, *alert_id, ptext);
	free(ptext);
	if (rc != CN_OK)
		return rc;
	*created = true;
	rc = db_timeline_add(db, *alert_id, now, rq->actor, "raised", rq->detail);
	if (rc == CN_OK && esc.mask) {
		bool nobody = false;
		int paged = pos.step;
		rc = page_level(app, db, *alert_id, rq->site_id, rq->resident_id, 0,
		                custom ? &pol : NULL, pos.step, now, ob, &nobody, &paged);
		if (rc == CN_OK && custom && paged != pos.step)
			rc = db_alert_set_level(db, *alert_id, paged,
			                        next_after_step(&pol, now, paged, now), now,
			                        nobody);
		else if (rc == CN_OK && nobody)
			rc = db_alert_set_level(db, *alert_id, 0, a.next_escalation_at, now, true);
	}
	if (esc.next_at || esc.mask)
		ob->wake_scheduler = true;
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
 * level is paged now rather than at the step time. A `wellbeing` alert
 * (P3, for the coordinator) is never a night page to anyone, contacts
 * included: at night its next step waits for the morning. */
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
	if (strcmp(row.kind, alert_kind_name(AK_WELLBEING)) == 0) {
		int64_t day = esc_day_time_from(now, clock_local_minute(now),
		                                WELLBEING_DAY_FROM_MIN, WELLBEING_DAY_TO_MIN);
		if (day > now)
			return db_alert_set_level(db, alert_id, row.level, day, now, false);
	}
	char *ptext = NULL;
	rc = db_alert_policy_get(db, alert_id, &ptext);
	if (rc != CN_OK)
		return rc;
	struct esc_policy pol;
	bool custom = ptext && load_policy(ptext, &pol);
	free(ptext);
	if (custom)
		return escalate_by_policy(app, db, &row, &pol, failed_level, now, ob);
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
		rc = page_level(app, db, alert_id, row.site_id, row.resident_id, level, NULL, 0,
		                now, ob, &nobody, NULL);
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

static enum cn_err reminder_arm(struct app *app, struct db *db, const struct db_alert_row *row,
                                int64_t now, struct outbox *ob);

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
	/* issue 15: acknowledged is not arrived */
	if (was_open && (step == STEP_ACK || step == STEP_DISPATCH))
		rc = reminder_arm(app, db, &row, now, ob);
	else if (step == STEP_ARRIVE || step == STEP_RESOLVE)
		rc = db_reminder_set(db, alert_id, 0);
	if (rc != CN_OK)
		return rc;
	return announce(app, db, alert_id, event, now, ob);
}

/* ---- issue 15: the on-site reminder ---- */

/* The first reminder of a P1/P2 alert just acknowledged (esc_policy.h). */
static enum cn_err reminder_arm(struct app *app, struct db *db, const struct db_alert_row *row,
                                int64_t now, struct outbox *ob)
{
	(void)app;
	long timeout_s = 0;
	enum cn_err rc = db_site_onsite_timeout(db, row->site_id, &timeout_s);
	int64_t at = rc == CN_OK ? esc_onsite_reminder_at(row->priority, now, timeout_s, 0) : 0;
	if (at == 0)
		return rc;
	ob->wake_scheduler = true;
	return db_reminder_set(db, row->id, at);
}

enum cn_err alerts_remind(struct app *app, struct db *db, int64_t alert_id, int64_t now,
                          struct outbox *ob)
{
	struct db_reminder_row r;
	enum cn_err rc = db_reminder_row(db, alert_id, &r);
	if (rc != CN_OK)
		return rc;
	if (strcmp(r.status, "acknowledged") != 0 && strcmp(r.status, "dispatched") != 0)
		return db_reminder_set(db, alert_id, 0); /* on site or resolved meanwhile */
	long timeout_s = 0;
	rc = db_site_onsite_timeout(db, r.site_id, &timeout_s);
	if (rc != CN_OK)
		return rc;
	int64_t next = esc_onsite_reminder_at(r.priority, r.acked_at, timeout_s, now);
	char detail[240];
	snprintf(
		detail, sizeof(detail),
		"not on site %lld min after the acknowledgement: %s%.64s and the coordinators paged"
		" again",
		(long long)((now - r.acked_at) / 60000), r.responder[0] ? "responder " : "",
		r.responder);
	rc = db_timeline_add(db, alert_id, now, "system", "reminded", detail);
	if (rc == CN_OK)
		rc = paging_remind(app, db, alert_id, r.site_id,
		                   r.resident_id[0] ? r.resident_id : NULL, r.responder, 0,
		                   "reminder, not on site", now, ob);
	if (rc == CN_OK)
		rc = db_reminder_fired(db, alert_id, next, now);
	if (rc == CN_OK)
		rc = announce(app, db, alert_id, "updated", now, ob);
	ob->wake_scheduler = true;
	return rc;
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
	/* A contact's "I am going" is not arrival either (issue 15): the
	 * coordinators are reminded as after a staff acknowledgement. */
	rc = reminder_arm(app, db, &row, now, ob);
	if (rc != CN_OK)
		return rc;
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
