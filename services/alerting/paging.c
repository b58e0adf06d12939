#include "paging.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app.h"
#include "config.h"
#include "db_alerts.h"
#include "db_records.h"
#include "encode.h"
#include "log.h"
#include "notify_plan.h"
#include "oncall.h"
#include "outbox.h"
#include "xalloc.h"

/* The storage a page_people borrows from, freed with people_free. */
struct people_buf {
	struct oncall_entry *on;
	struct oncall_claim *claims;
	char (*coord)[65], (*admins)[65];
	const char **coord_p, **admins_p;
	const char *pageable[ESC_POLICY_STEPS_MAX * ESC_POLICY_TARGETS_MAX];
};

static void people_free(struct people_buf *b)
{
	free(b->on);
	free(b->claims);
	free(b->coord);
	free(b->admins);
	free(b->coord_p);
	free(b->admins_p);
}

/* Whether a staff:<id> target may be paged: active and of a role that
 * takes pages. */
static enum cn_err named_pageable(struct db *db, const char *id, bool *ok)
{
	char site[65], role[16];
	bool active = false;
	*ok = false;
	enum cn_err rc = db_staff_site_role(db, id, site, role, &active);
	if (rc == CN_ERR_NOT_FOUND)
		return CN_OK;
	if (rc != CN_OK)
		return rc;
	*ok = active && strcmp(role, "volunteer") != 0 && strcmp(role, "family") != 0 &&
	      strcmp(role, "clinician") != 0 && strcmp(role, "officer") != 0;
	return CN_OK;
}

/* The site's coordinators, and its admins when it has none, into `in`.
 * Read only when a step names them or nobody else is reached, so the
 * common page costs no query for them. */
static enum cn_err read_coordinators(struct db *db, const char *site_id, int64_t now,
                                     struct people_buf *b, struct page_people *in)
{
	size_t nc = 0, na = 0;
	enum cn_err rc = db_staff_to_page(db, site_id, DB_PAGE_COORDINATORS, now, b->coord,
	                                  DB_PAGE_MAX, &nc);
	/* The admins are the last resort of a site without a coordinator. */
	if (rc == CN_OK && nc == 0)
		rc = db_staff_to_page(db, site_id, DB_PAGE_ADMINS, now, b->admins, DB_PAGE_MAX,
		                      &na);
	if (rc != CN_OK)
		return rc;
	for (size_t i = 0; i < nc; i++)
		b->coord_p[i] = b->coord[i];
	for (size_t i = 0; i < na; i++)
		b->admins_p[i] = b->admins[i];
	in->coordinators = b->coord_p;
	in->n_coordinators = nc;
	in->admins = b->admins_p;
	in->n_admins = na;
	return CN_OK;
}

/* Whether steps `step`.. of `pol` name the coordinators. */
static bool names_coordinators(const struct esc_policy *pol, int step)
{
	for (int s = step < 0 ? 0 : step; s < (int)pol->n; s++)
		for (size_t k = 0; k < pol->steps[s].n; k++)
			if (pol->steps[s].targets[k].kind == TGT_COORDINATORS)
				return true;
	return false;
}

/* Reads who is on call at `now` and which named staff of steps `step`..
 * of `pol` may be paged. */
static enum cn_err read_people(struct db *db, const char *site_id, const struct esc_policy *pol,
                               int step, int64_t now, struct people_buf *b, struct page_people *in)
{
	memset(in, 0, sizeof(*in));
	in->channels_deliver = PAGING_CHANNELS_DELIVER;
	b->on = xcalloc(ONCALL_MAX, sizeof(*b->on));
	b->claims = xcalloc(ONCALL_MAX, sizeof(*b->claims));
	b->coord = xcalloc(DB_PAGE_MAX, sizeof(*b->coord));
	b->admins = xcalloc(DB_PAGE_MAX, sizeof(*b->admins));
	b->coord_p = xcalloc(DB_PAGE_MAX, sizeof(*b->coord_p));
	b->admins_p = xcalloc(DB_PAGE_MAX, sizeof(*b->admins_p));
	size_t n_on = 0;
	enum cn_err rc = oncall_at(db, site_id, now, b->on, ONCALL_MAX, &n_on);
	if (rc != CN_OK)
		return rc;
	for (size_t i = 0; i < n_on; i++)
		b->claims[i] = (struct oncall_claim){b->on[i].staff_id, b->on[i].tier};
	in->on = b->claims;
	in->n_on = n_on;
	in->pageable = b->pageable;
	for (int s = step < 0 ? 0 : step; s < (int)pol->n; s++) {
		for (size_t k = 0; k < pol->steps[s].n; k++) {
			const struct esc_target *t = &pol->steps[s].targets[k];
			bool ok = false;
			if (t->kind != TGT_STAFF)
				continue;
			rc = named_pageable(db, t->id, &ok);
			if (rc != CN_OK)
				return rc;
			if (ok && in->n_pageable < sizeof(b->pageable) / sizeof(b->pageable[0]))
				b->pageable[in->n_pageable++] = t->id;
		}
	}
	return CN_OK;
}

/* Takes out of `next` the contacts and channels `done` already tried. */
static void drop_tried(const struct page_plan *done, struct page_plan *next)
{
	if (done->contacts)
		next->contacts = false;
	size_t k = 0;
	for (size_t i = 0; i < next->n_channels; i++) {
		bool seen = false;
		for (size_t j = 0; j < done->n_channels && !seen; j++)
			seen = strcmp(next->channels[i], done->channels[j]) == 0;
		if (!seen)
			next->channels[k++] = next->channels[i];
	}
	next->n_channels = k;
}

enum cn_err paging_page(struct app *app, struct db *db, int64_t alert_id, const char *site_id,
                        const char *resident_id, const struct esc_policy *pol, int step, int level,
                        const struct paging_extra *ex, int64_t now, struct outbox *ob,
                        bool *nobody_on_shift, int *paged_step)
{
	struct people_buf b;
	struct page_people in;
	struct page_plan *plan = xcalloc(1, sizeof(*plan));
	struct page_plan *next = xcalloc(1, sizeof(*next));
	memset(&b, 0, sizeof(b));
	bool coordinators = names_coordinators(pol, step);
	enum cn_err rc = read_people(db, site_id, pol, step, now, &b, &in);
	if (rc == CN_OK && coordinators)
		rc = read_coordinators(db, site_id, now, &b, &in);
	if (rc != CN_OK)
		goto out;
	page_plan_make(pol, step, &in, plan);
	if (plan->fallback && !coordinators) {
		/* Nobody the steps name: the coordinators after all. */
		rc = read_coordinators(db, site_id, now, &b, &in);
		if (rc != CN_OK)
			goto out;
		coordinators = true;
		page_plan_make(pol, step, &in, plan);
	}
	*nobody_on_shift = plan->nobody_on_shift;
	*paged_step = plan->step;
	for (size_t i = 0; ex && i < ex->n_staff && plan->n_staff < PAGE_PLAN_MAX; i++) {
		bool seen = false;
		for (size_t j = 0; j < plan->n_staff && !seen; j++)
			seen = strcmp(plan->staff[j], ex->staff[i]) == 0;
		if (!seen)
			plan->staff[plan->n_staff++] = ex->staff[i];
	}
	if (ex && ex->contacts)
		plan->contacts = true;
	size_t reached = 0;
	rc = paging_deliver(app, db, alert_id, resident_id, level, plan, NULL, now, ob, &reached);
	if (rc != CN_OK || reached > 0 || plan->fallback)
		goto out;
	/* The step named only contacts and channels and not one delivery
	 * could be queued (no contact to notify, no usable channel): never
	 * silent, the next step's people (or the coordinators) at once. */
	char detail[200];
	snprintf(detail, sizeof(detail),
	         "step %d: no contact or channel could be sent to (none to notify, or no usable"
	         " channel): the next people at once",
	         plan->step);
	rc = db_timeline_add(db, alert_id, now, "system", "escalated", detail);
	if (rc == CN_OK && !coordinators)
		rc = read_coordinators(db, site_id, now, &b, &in);
	if (rc != CN_OK)
		goto out;
	in.channels_deliver = false;
	page_plan_make(pol, plan->step, &in, next);
	drop_tried(plan, next);
	*paged_step = next->step;
	rc = paging_deliver(app, db, alert_id, resident_id, level + (next->step - plan->step), next,
	                    NULL, now, ob, &reached);
out:
	free(next);
	free(plan);
	people_free(&b);
	return rc;
}

enum cn_err paging_deliver(struct app *app, struct db *db, int64_t alert_id,
                           const char *resident_id, int level, const struct page_plan *plan,
                           const char *why, int64_t now, struct outbox *ob, size_t *reached)
{
	json_t *alert = NULL, *card = NULL;
	int64_t notif_ids[PAGE_PLAN_MAX];
	size_t n = plan->n_staff, queued = 0;
	bool nobody = plan->nobody_on_shift;
	enum cn_err rc = db_alert_json(db, alert_id, false, &alert);
	if (rc != CN_OK)
		goto out;
	const char *site_id = json_string_value(json_object_get(alert, "site_id"));
	int priority = (int)json_integer_value(json_object_get(alert, "priority"));
	/* The resident's contacts and the site channels the plan names:
	 * rows in this transaction, sent by the notifier after the commit;
	 * reached only when a delivery was actually queued. */
	if (plan->contacts) {
		size_t before = queued;
		rc = notify_plan_contacts(app, db, alert_id, site_id, resident_id, level, now, ob,
		                          &queued);
		if (rc == CN_OK && queued == before)
			rc = db_timeline_add(
				db, alert_id, now, "system", "notified",
				"contacts: nobody to notify (no contact with notify and a"
				" usable channel)");
		else if (rc == CN_OK) {
			char detail[120];
			snprintf(detail, sizeof(detail), "contacts: %zu message%s queued%s%.40s",
			         queued - before, queued - before == 1 ? "" : "s", why ? ": " : "",
			         why ? why : "");
			rc = db_timeline_add(db, alert_id, now, "system", "notified", detail);
		}
	}
	for (size_t i = 0; rc == CN_OK && i < plan->n_channels; i++) {
		size_t before = queued;
		rc = notify_plan_channel(app, db, alert_id, site_id, level, plan->channels[i], now,
		                         ob, &queued);
		char detail[160];
		snprintf(detail, sizeof(detail), "channel:%.64s: %s", plan->channels[i],
		         queued > before ? "message queued" : "not usable, nothing sent");
		if (rc == CN_OK)
			rc = db_timeline_add(db, alert_id, now, "system", "notified", detail);
	}
	if (rc != CN_OK)
		goto out;
	if (reached)
		*reached = n + queued;
	if (n == 0) {
		if (queued > 0)
			goto out;
		log_error("alerts",
		          "alert %lld: nobody to page: no one on call, no coordinator, no admin",
		          (long long)alert_id);
		rc = db_timeline_add(
			db, alert_id, now, "system", "notified",
			"nobody could be paged: no staff on shift, no coordinator, no admin");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		rc = db_notification_add(db, alert_id, plan->staff[i], level, nobody, now,
		                         &notif_ids[i]);
		if (rc != CN_OK)
			goto out;
		char detail[200];
		snprintf(detail, sizeof(detail), "paged %.64s at level %d%s%s%.40s", plan->staff[i],
		         level, nobody ? " (nobody on shift)" : "", why ? ": " : "",
		         why ? why : "");
		rc = db_timeline_add(db, alert_id, now, "system", "notified", detail);
		/* The same person on the channels they carry. */
		if (rc == CN_OK)
			rc = notify_plan_staff(app, db, alert_id, site_id, priority, level,
			                       plan->staff[i], now, ob, NULL);
		if (rc != CN_OK)
			goto out;
	}
	rc = db_resident_card(db, resident_id, &card);
	if (rc != CN_OK)
		goto out;
	char *payload = cn_encode_staff_page(alert, card, level, nobody);
	for (size_t i = 0; payload && i < n; i++) {
		char topic[256];
		if (cn_encode_topic_staff_page(topic, sizeof(topic), app->cfg->topic_root,
		                               plan->staff[i]))
			outbox_add(ob, topic, xstrdup(payload), notif_ids[i]);
	}
	free(payload);
out:
	json_decref(alert);
	json_decref(card);
	return rc;
}

enum cn_err paging_remind(struct app *app, struct db *db, int64_t alert_id, const char *site_id,
                          const char *resident_id, const char *responder, int level,
                          const char *why, int64_t now, struct outbox *ob)
{
	char(*coord)[65] = xcalloc(DB_PAGE_MAX, sizeof(*coord));
	const char **ptr = xcalloc(DB_PAGE_MAX, sizeof(*ptr));
	struct page_plan *plan = xcalloc(1, sizeof(*plan));
	struct page_people in;
	memset(&in, 0, sizeof(in));
	size_t n = 0;
	enum cn_err rc =
		db_staff_to_page(db, site_id, DB_PAGE_COORDINATORS, now, coord, DB_PAGE_MAX, &n);
	bool admins = false;
	if (rc == CN_OK && n == 0) {
		admins = true;
		rc = db_staff_to_page(db, site_id, DB_PAGE_ADMINS, now, coord, DB_PAGE_MAX, &n);
	}
	if (rc != CN_OK)
		goto out;
	for (size_t i = 0; i < n; i++)
		ptr[i] = coord[i];
	in.coordinators = admins ? NULL : ptr;
	in.n_coordinators = admins ? 0 : n;
	in.admins = admins ? ptr : NULL;
	in.n_admins = admins ? n : 0;
	page_plan_reminder(responder, &in, plan);
	rc = paging_deliver(app, db, alert_id, resident_id, level, plan, why, now, ob, NULL);
out:
	free(plan);
	free(ptr);
	free(coord);
	return rc;
}
