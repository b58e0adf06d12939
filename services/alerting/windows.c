#include "windows.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "alerts.h"
#include "clock.h"
#include "db_residents.h"
#include "db_records.h"
#include "db_service_net.h"
#include "db_windows.h"
#include "log.h"
#include "outbox.h"
#include "payload.h"
#include "rules.h"
#include "window_math.h"

#define RULE_INACTIVITY "inactivity"
#define RULE_CHECKIN    "missed_checkin"
#define RULE_PRESENCE   "presence_until"
#define RULE_VISIT      "missed_visit:" /* + the request id */
#define DUE_BATCH       64
#define CLOCK_SKEW_MS   60000 /* device time this far ahead is believed */

/* A resident as the rules see it. */
struct resident {
	struct db_win_resident row;
	struct rule_resident rules;
	bool enrolled;
};

static int hhmm(const char *s, int fallback)
{
	int m;
	return rules_parse_hhmm(s, &m) ? m : fallback;
}

static enum cn_err load(struct db *db, const char *id, struct resident *r)
{
	enum cn_err rc = db_win_resident_get(db, id, &r->row);
	if (rc != CN_OK)
		return rc;
	memset(&r->rules, 0, sizeof(r->rules));
	const char *p = r->row.presence;
	r->rules.presence = strcmp(p, "daycare") == 0 ? PRESENCE_DAYCARE
	                    : strcmp(p, "away") == 0  ? PRESENCE_AWAY
	                                              : PRESENCE_HOME;
	r->rules.active.from_min = hhmm(r->row.active_from, 7 * 60);
	r->rules.active.to_min = hhmm(r->row.active_to, 22 * 60);
	r->rules.inactivity_minutes = r->row.inactivity_minutes;
	r->rules.night.from_min = hhmm(r->row.night_from, 23 * 60);
	r->rules.night.to_min = hhmm(r->row.night_to, 6 * 60);
	r->rules.checkin_by_min = hhmm(r->row.checkin_by, -1);
	r->enrolled = strcmp(r->row.status, "enrolled") == 0;
	return CN_OK;
}

enum cn_err windows_resident_rules(struct db *db, const char *resident_id,
                                   struct rule_resident *out, bool *enrolled)
{
	struct resident r;
	enum cn_err rc = load(db, resident_id, &r);
	if (rc == CN_OK) {
		*out = r.rules;
		*enrolled = r.enrolled;
	}
	return rc;
}

static void wake(struct outbox *ob)
{
	if (ob)
		ob->wake_scheduler = true;
}

static enum cn_err set_timer(struct db *db, const char *resident_id, const char *rule, int64_t due,
                             struct outbox *ob)
{
	wake(ob);
	return db_rule_timer_set(db, resident_id, rule, due);
}

#define HHMM_SIZE 16

static void local_hhmm(int64_t ms, char out[HHMM_SIZE])
{
	unsigned m = (unsigned)clock_local_minute(ms) % 1440u;
	snprintf(out, HHMM_SIZE, "%02u:%02u", m / 60u, m % 60u);
}

static enum cn_err raise_alert(struct app *app, struct db *db, enum alert_kind kind,
                               const char *site_id, const char *resident_id, const char *detail,
                               int64_t now, struct outbox *ob, int64_t *alert_id)
{
	struct alert_raise rq = {
		.kind = kind,
		.priority = alert_kind_priority(kind),
		.site_id = site_id,
		.resident_id = resident_id,
		.detail = detail,
		.actor = "system",
		.event_at = now,
	};
	bool created = false;
	int64_t id = 0;
	enum cn_err rc = alerts_raise(app, db, &rq, now, ob, &id, &created);
	if (alert_id)
		*alert_id = id;
	if (rc == CN_OK)
		log_info("windows", "resident %s: %s %s (alert %lld)", resident_id,
		         alert_kind_name(kind), created ? "raised" : "folded", (long long)id);
	return rc;
}

/* ---- inactivity ---- */

static bool inactivity_watched(const struct resident *r)
{
	return r->enrolled && r->rules.presence == PRESENCE_HOME &&
	       r->rules.inactivity_minutes > 0 &&
	       r->row.last_activity_at > 0; /* the rule starts with the first sign of activity */
}

/* The clock counts from the last activity or the return home. */
static int64_t inactivity_since(const struct resident *r)
{
	return r->row.last_activity_at > r->row.home_since ? r->row.last_activity_at
	                                                   : r->row.home_since;
}

/* Sets the inactivity deadline of a watched resident, drops it otherwise.
 * `keep`: a deadline already set stays (it is a lower bound; see
 * windows_on_activity). A quiet period that has had its alert is not
 * armed again: only new activity (or coming home) starts another. */
static enum cn_err arm_inactivity(struct db *db, const char *id, const struct resident *r,
                                  int64_t now, bool keep, struct outbox *ob)
{
	if (!inactivity_watched(r))
		return r->row.inactivity_armed ? db_rule_timer_delete(db, id, RULE_INACTIVITY)
		                               : CN_OK;
	if (keep && r->row.inactivity_armed)
		return CN_OK;
	int64_t since = inactivity_since(r);
	int64_t due = wm_inactivity_due(since, r->rules.active, r->rules.inactivity_minutes);
	if (due > 0 && due <= now) {
		bool alerted = false;
		enum cn_err rc = db_inactivity_alerted_since(db, id, since, &alerted);
		if (rc != CN_OK)
			return rc;
		if (alerted)
			due = 0;
	}
	if (due == 0)
		return r->row.inactivity_armed ? db_rule_timer_delete(db, id, RULE_INACTIVITY)
		                               : CN_OK;
	return set_timer(db, id, RULE_INACTIVITY, due, ob);
}

static enum cn_err fire_inactivity(struct app *app, struct db *db, const char *id, int64_t now,
                                   struct outbox *ob)
{
	struct resident r;
	enum cn_err rc = load(db, id, &r);
	if (rc != CN_OK)
		return rc;
	if (!inactivity_watched(&r))
		return db_rule_timer_delete(db, id, RULE_INACTIVITY);
	int64_t since = inactivity_since(&r);
	int64_t due = wm_inactivity_due(since, r.rules.active, r.rules.inactivity_minutes);
	if (due > now)
		return set_timer(db, id, RULE_INACTIVITY, due, ob); /* activity since: move on */
	bool alerted = false;
	rc = db_inactivity_alerted_since(db, id, since, &alerted);
	if (rc == CN_OK && !alerted) {
		char detail[160], last[HHMM_SIZE];
		local_hhmm(since, last);
		snprintf(detail, sizeof(detail),
		         "no activity for %d min inside %s-%s; last activity or return home at %s",
		         r.rules.inactivity_minutes, r.row.active_from, r.row.active_to, last);
		rc = raise_alert(app, db, AK_INACTIVITY, r.row.site_id, id, detail, now, ob, NULL);
	}
	/* One alert per quiet period: armed again by the next activity. */
	if (rc == CN_OK)
		rc = db_rule_timer_delete(db, id, RULE_INACTIVITY);
	return rc;
}

/* ---- missed check-in ---- */

static enum cn_err arm_checkin(struct db *db, const char *id, const struct resident *r, int64_t now,
                               struct outbox *ob)
{
	if (!r->enrolled || r->rules.checkin_by_min < 0)
		return db_rule_timer_delete(db, id, RULE_CHECKIN);
	int64_t due = wm_checkin_due(now, r->row.last_checkin_at, r->rules.checkin_by_min);
	return set_timer(db, id, RULE_CHECKIN, due, ob);
}

static enum cn_err fire_checkin(struct app *app, struct db *db, const struct db_rule_timer *t,
                                int64_t now, struct outbox *ob)
{
	struct resident r;
	enum cn_err rc = load(db, t->resident_id, &r);
	if (rc != CN_OK)
		return rc;
	if (!r.enrolled || r.rules.checkin_by_min < 0)
		return db_rule_timer_delete(db, t->resident_id, RULE_CHECKIN);
	/* The deadline is that of the local day it falls on; at day care or
	 * away nobody expects a check-in from home. */
	int64_t day = clock_local_midnight(t->due_at);
	if (r.row.last_checkin_at < day && r.rules.presence == PRESENCE_HOME) {
		char detail[96], date[11], by[HHMM_SIZE];
		clock_local_date(t->due_at, date);
		local_hhmm(t->due_at, by);
		snprintf(detail, sizeof(detail), "no check-in by %s on %s", by, date);
		rc = raise_alert(app, db, AK_MISSED_CHECKIN, r.row.site_id, t->resident_id, detail,
		                 now, ob, NULL);
	}
	if (rc == CN_OK)
		rc = arm_checkin(db, t->resident_id, &r, now, ob); /* the next day's */
	return rc;
}

/* ---- presence_until ---- */

static enum cn_err arm_presence(struct db *db, const char *id, const struct resident *r,
                                struct outbox *ob)
{
	if (r->rules.presence != PRESENCE_HOME && r->row.presence_until > 0)
		return set_timer(db, id, RULE_PRESENCE, r->row.presence_until, ob);
	return db_rule_timer_delete(db, id, RULE_PRESENCE);
}

static enum cn_err arm_all(struct db *db, const char *id, int64_t now, struct outbox *ob)
{
	struct resident r;
	enum cn_err rc = load(db, id, &r);
	if (rc == CN_ERR_NOT_FOUND)
		return CN_OK;
	if (rc == CN_OK)
		rc = arm_inactivity(db, id, &r, now, false, ob);
	if (rc == CN_OK)
		rc = arm_checkin(db, id, &r, now, ob);
	if (rc == CN_OK)
		rc = arm_presence(db, id, &r, ob);
	return rc;
}

static enum cn_err fire_presence(struct db *db, const char *id, int64_t now, struct outbox *ob)
{
	json_t *before = NULL, *after = NULL;
	bool changed = false;
	enum cn_err rc = db_res_get(db, &db_residents, id, &before);
	if (rc == CN_OK)
		rc = db_resident_presence_expire(db, id, now, &changed);
	if (rc == CN_OK && changed)
		rc = db_res_get(db, &db_residents, id, &after);
	if (rc == CN_OK && changed)
		rc = db_audit_add(db, now, NULL,
		                  json_string_value(json_object_get(after, "site_id")), "update",
		                  "residents", id, before, after);
	if (rc == CN_OK && changed)
		log_info("windows", "resident %s: presence_until passed, back home", id);
	json_decref(before);
	json_decref(after);
	/* Home again (the inactivity clock restarts), or a later presence_until. */
	return rc == CN_OK ? arm_all(db, id, now, ob) : rc;
}

/* ---- missed visits ---- */

static void visit_rule(const char *request_id, char out[DB_RULE_MAX])
{
	snprintf(out, DB_RULE_MAX, "%s%s", RULE_VISIT, request_id);
}

static bool visit_pending(const struct db_visit *v)
{
	return strcmp(v->status, "scheduled") == 0 && v->window_end > 0 && v->missed_alert_id == 0;
}

static enum cn_err fire_visit(struct app *app, struct db *db, const struct db_rule_timer *t,
                              int64_t now, struct outbox *ob)
{
	const char *request_id = t->rule + strlen(RULE_VISIT);
	struct db_visit v;
	enum cn_err rc = db_visit_get(db, request_id, &v);
	if (rc == CN_ERR_NOT_FOUND || (rc == CN_OK && !visit_pending(&v)))
		return db_rule_timer_delete(db, t->resident_id, t->rule);
	if (rc != CN_OK)
		return rc;
	if (v.window_end > now)
		return set_timer(db, t->resident_id, t->rule, v.window_end, ob);
	char detail[400], end[32];
	cn_time_format_rfc3339(v.window_end, end);
	snprintf(detail, sizeof(detail),
	         "visit %s (%.100s) by %s not started by the end of its window %s", request_id,
	         v.service, v.assignee_id[0] ? v.assignee_id : "nobody", end);
	int64_t alert_id = 0;
	json_t *before = NULL, *after = NULL;
	rc = db_res_get(db, &db_requests, request_id, &before);
	if (rc == CN_OK)
		rc = raise_alert(app, db, AK_MISSED_VISIT, v.site_id, v.resident_id, detail, now,
		                 ob, &alert_id);
	if (rc == CN_OK)
		rc = db_visit_set_missed(db, request_id, alert_id, now);
	if (rc == CN_OK)
		rc = db_res_get(db, &db_requests, request_id, &after);
	if (rc == CN_OK)
		rc = db_audit_add(db, now, NULL, v.site_id, "missed_visit", "requests", request_id,
		                  before, after);
	json_decref(before);
	json_decref(after);
	if (rc == CN_OK)
		rc = db_rule_timer_delete(db, t->resident_id, t->rule);
	return rc;
}

/* ---- the hooks ---- */

enum cn_err windows_on_activity(struct app *app, struct db *db, const char *resident_id, int64_t at,
                                const char *actor, struct outbox *ob)
{
	/* A device clock far ahead must not postpone the rule. */
	int64_t now = clock_now_ms();
	if (at > now + CLOCK_SKEW_MS)
		at = now;
	enum cn_err rc = db_resident_touch_activity(db, resident_id, at);
	struct resident r;
	if (rc == CN_OK)
		rc = load(db, resident_id, &r);
	if (rc == CN_ERR_NOT_FOUND)
		return CN_OK;
	if (rc != CN_OK)
		return rc;
	/* No deadline set while watched means an alert took it: this is the
	 * first activity after it, and goes on its timeline. */
	if (!r.row.inactivity_armed) {
		int64_t alert_id = 0;
		rc = alerts_note_active(app, db, AK_INACTIVITY, resident_id, NULL, "activity",
		                        "activity after the alert", actor, at, ob, &alert_id);
	}
	if (rc == CN_OK)
		rc = arm_inactivity(db, resident_id, &r, now, true, ob);
	return rc;
}

enum cn_err windows_on_checkin(struct app *app, struct db *db, const char *resident_id, int64_t at,
                               struct outbox *ob)
{
	int64_t now = clock_now_ms();
	if (at > now + CLOCK_SKEW_MS)
		at = now;
	enum cn_err rc = db_resident_note_checkin(db, resident_id, at);
	struct resident r;
	if (rc == CN_OK)
		rc = load(db, resident_id, &r);
	if (rc == CN_ERR_NOT_FOUND)
		return CN_OK;
	int64_t alert_id = 0;
	if (rc == CN_OK)
		rc = alerts_note_active(app, db, AK_MISSED_CHECKIN, resident_id, NULL, "activity",
		                        "checked in", "system", at, ob, &alert_id);
	if (rc == CN_OK)
		rc = arm_checkin(db, resident_id, &r, now, ob);
	return rc;
}

enum cn_err windows_on_settings(struct app *app, struct db *db, const char *resident_id,
                                int64_t now, struct outbox *ob)
{
	(void)app;
	return arm_all(db, resident_id, now, ob);
}

enum cn_err windows_on_presence(struct app *app, struct db *db, const char *resident_id,
                                int64_t now, struct outbox *ob)
{
	return windows_on_settings(app, db, resident_id, now, ob);
}

enum cn_err windows_on_request(struct app *app, struct db *db, const char *request_id, int64_t now,
                               struct outbox *ob)
{
	(void)app;
	(void)now;
	struct db_visit v;
	enum cn_err rc = db_visit_get(db, request_id, &v);
	if (rc == CN_ERR_NOT_FOUND)
		return CN_OK;
	if (rc != CN_OK)
		return rc;
	char rule[DB_RULE_MAX];
	visit_rule(request_id, rule);
	if (visit_pending(&v))
		return set_timer(db, v.resident_id, rule, v.window_end, ob);
	return db_rule_timer_delete(db, v.resident_id, rule);
}

enum cn_err windows_fire_due(struct app *app, struct db *db, int64_t now, struct outbox *ob)
{
	struct db_rule_timer due[DUE_BATCH];
	size_t n = 0;
	enum cn_err rc = db_rule_timers_due(db, now, due, DUE_BATCH, &n);
	for (size_t i = 0; rc == CN_OK && i < n; i++) {
		const struct db_rule_timer *t = &due[i];
		if (strcmp(t->rule, RULE_INACTIVITY) == 0) {
			rc = fire_inactivity(app, db, t->resident_id, now, ob);
		} else if (strcmp(t->rule, RULE_CHECKIN) == 0) {
			rc = fire_checkin(app, db, t, now, ob);
		} else if (strcmp(t->rule, RULE_PRESENCE) == 0) {
			rc = fire_presence(db, t->resident_id, now, ob);
		} else if (strncmp(t->rule, RULE_VISIT, strlen(RULE_VISIT)) == 0) {
			rc = fire_visit(app, db, t, now, ob);
		} else {
			log_warn("windows", "resident %s: unknown rule deadline '%s' dropped",
			         t->resident_id, t->rule);
			rc = db_rule_timer_delete(db, t->resident_id, t->rule);
		}
		if (rc == CN_ERR_NOT_FOUND) /* its resident is gone */
			rc = db_rule_timer_delete(db, t->resident_id, t->rule);
		if (rc != CN_OK)
			log_error("windows", "resident %s: rule %s failed: %s", t->resident_id,
			          t->rule, cn_strerror(rc));
	}
	return rc;
}

enum cn_err windows_next_due(struct db *db, int64_t *at) { return db_rule_timers_next_due(db, at); }
