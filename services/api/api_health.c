/* Health over REST (contract section 7): a resident's measurements, the
 * vital-sign thresholds of a site and of a resident, and the daily
 * activity summaries. Authorization is policy.c's (PR_MEASUREMENT,
 * PR_THRESHOLD, PR_ACTIVITY); the reading's way in is vitals.c's; SQL is
 * in db_health.c. */
#include "api_health.h"

#include "api_crud.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "clock.h"
#include "db.h"
#include "db_crud.h"
#include "db_health.h"
#include "db_records.h"
#include "db_service_net.h"
#include "db_windows.h"
#include "health.h"
#include "measurement.h"
#include "outbox.h"
#include "payload.h"
#include "policy.h"
#include "validate.h"
#include "vitals.h"
#include "wellbeing.h"

#define DAY_MS                  INT64_C(86400000)
#define ACTIVITY_RANGE_MAX_DAYS 400

/* The resident in the path, with the caller's right to `act` on `res`
 * checked: 404 for an unknown resident or one outside the caller's scope
 * (existence is not told), 403 when the role may not. */
static bool path_resident(struct api_req *r, enum pol_resource res, enum pol_action act,
                          struct db_win_resident *out)
{
	const char *id = api_param(r, 0);
	if (policy_decide(r->who, res, act, NULL) == POL_FORBIDDEN &&
	    policy_decide(r->who, PR_RESIDENT, PA_READ, NULL) == POL_FORBIDDEN)
		return policy_require(r, res, act, NULL);
	if (db_win_resident_get(r->db, id, out) != CN_OK) {
		api_not_found(r);
		return false;
	}
	bool fam = false;
	if (r->who->role == ROLE_FAMILY)
		db_family_has_resident(r->db, r->who->id, id, &fam);
	struct pol_target t = {.site_id = out->site_id, .family_member = fam};
	return policy_require(r, res, act, &t);
}

/* ---- measurements ---- */

static const char *const meas_keys[] = {"type", "value", "taken_at", "source", "device_id"};

static bool measurement_body(struct api_req *r, struct cn_measurement *m, int64_t *taken_at,
                             const char **source, const char **device_id)
{
	const json_t *b = r->body;
	const char *k;
	json_t *v;
	if (!json_is_object(b)) {
		api_error(r, CN_ERR_INVALID, "body: must be a JSON object");
		return false;
	}
	json_object_foreach ((json_t *)b, k, v) {
		bool known = false;
		for (size_t i = 0; i < sizeof(meas_keys) / sizeof(meas_keys[0]) && !known; i++)
			known = strcmp(k, meas_keys[i]) == 0;
		if (!known) {
			api_error(r, CN_ERR_INVALID, "%.64s: unknown field", k);
			return false;
		}
	}
	const char *type = json_string_value(json_object_get(b, "type"));
	if (!type || !cn_meas_type_from_name(type, &m->type)) {
		api_error(r, CN_ERR_INVALID,
		          "type: must be blood_pressure, glucose, spo2, heart_rate, "
		          "body_temperature or weight");
		return false;
	}
	char field[64];
	const json_t *value = json_object_get(b, "value");
	if (!value) {
		api_error(r, CN_ERR_INVALID, "value: required");
		return false;
	}
	enum cn_reject rj = cn_measurement_decode(value, m->type, m, field, sizeof(field));
	if (rj != CN_REJECT_NONE) {
		api_error(r, CN_ERR_INVALID, "%s: %s", field,
		          rj == CN_REJECT_BAD_VALUE
		                  ? "outside the physiological bounds of a reading"
		          : rj == CN_REJECT_MISSING_FIELD ? "required"
		                                          : "wrong type or unknown field");
		return false;
	}
	const json_t *t = json_object_get(b, "taken_at");
	*taken_at = r->now;
	if (t && !json_is_null(t)) {
		const char *s = json_string_value(t);
		if (!s || !cn_time_parse_rfc3339(s, strlen(s), taken_at) ||
		    *taken_at > r->now + 5 * 60 * 1000 || *taken_at < CN_TS_MIN_MS) {
			api_error(r, CN_ERR_INVALID,
			          "taken_at: must be an RFC 3339 time, not in the future");
			return false;
		}
	}
	const json_t *src = json_object_get(b, "source");
	*source = "staff";
	if (src && !json_is_null(src)) {
		const char *s = json_string_value(src);
		if (!s || (strcmp(s, "staff") != 0 && strcmp(s, "device") != 0)) {
			api_error(r, CN_ERR_INVALID, "source: must be device or staff");
			return false;
		}
		*source = s;
	}
	const json_t *dev = json_object_get(b, "device_id");
	*device_id = NULL;
	if (dev && !json_is_null(dev)) {
		const char *s = json_string_value(dev);
		if (!s || !validate_id(s)) {
			api_error(r, CN_ERR_INVALID, "device_id: must be a device id");
			return false;
		}
		*device_id = s;
	}
	return true;
}

void api_measurements_create(struct api_req *r)
{
	struct db_win_resident res;
	if (!path_resident(r, PR_MEASUREMENT, PA_CREATE, &res))
		return;
	struct cn_measurement m;
	int64_t taken_at = 0;
	const char *source = NULL, *device_id = NULL;
	if (!measurement_body(r, &m, &taken_at, &source, &device_id))
		return;
	char actor[80];
	snprintf(actor, sizeof(actor), "user:%s", r->who->id);
	struct vitals_reading rd = {
		.site_id = res.site_id,
		.resident_id = api_param(r, 0),
		.m = &m,
		.taken_at = taken_at,
		.source = source,
		.device_id = device_id,
		.taken_by = r->who->id,
		.actor = actor,
	};
	struct outbox ob;
	outbox_init(&ob);
	int64_t id = 0, alert_id = 0;
	json_t *out = NULL;
	enum cn_err rc = db_begin(r->db);
	if (rc == CN_OK)
		rc = vitals_record(r->app, r->db, &rd, r->now, &ob, &id, &alert_id);
	if (rc == CN_OK)
		rc = db_measurement_get(r->db, id, &out);
	if (api_commit(r, rc, &ob, NULL)) {
		if (alert_id > 0) {
			char a[24];
			snprintf(a, sizeof(a), "%lld", (long long)alert_id);
			json_object_set_new(out, "alert_id", json_string(a));
		} else {
			json_object_set_new(out, "alert_id", json_null());
		}
		api_reply(r, 201, out);
		out = NULL;
	}
	json_decref(out);
	outbox_free(&ob);
}

void api_measurements_list(struct api_req *r)
{
	struct db_win_resident res;
	if (!path_resident(r, PR_MEASUREMENT, PA_READ, &res))
		return;
	struct db_measurement_query q;
	memset(&q, 0, sizeof(q));
	q.resident_id = api_param(r, 0);
	if (!validate_page(r, &q.limit, &q.after) ||
	    !validate_query_time(r, "since", &q.since, &q.has_since) ||
	    !validate_query_time(r, "until", &q.until, &q.has_until))
		return;
	q.type = api_query(r, "type");
	enum cn_meas_type t;
	if (q.type && !cn_meas_type_from_name(q.type, &t)) {
		api_error(r, CN_ERR_INVALID, "type: must be a measurement type");
		return;
	}
	json_t *items = NULL;
	int64_t last = 0;
	enum cn_err rc = db_measurements_list(r->db, &q, &items, &last);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot list measurements");
		return;
	}
	api_reply(r, 200, page_body(items, q.limit, last));
}

/* ---- thresholds ---- */

/* {"site_id" or "resident_id", "overrides": stored doc or {}, "effective":
 * every bound after the merge}. */
static json_t *thresholds_reply(struct api_req *r, const char *scope, const char *owner,
                                const char *site_id, enum cn_err *rc)
{
	json_t *doc = NULL;
	struct health_thresholds t;
	*rc = db_thresholds_get(r->db, scope, owner, &doc);
	if (*rc == CN_OK)
		*rc = vitals_thresholds(r->db, site_id,
		                        strcmp(scope, "resident") == 0 ? owner : NULL, &t);
	if (*rc != CN_OK) {
		json_decref(doc);
		return NULL;
	}
	json_t *out = json_object();
	json_object_set_new(out, strcmp(scope, "site") == 0 ? "site_id" : "resident_id",
	                    json_string(owner));
	json_object_set_new(out, "overrides", doc ? doc : json_object());
	json_object_set_new(out, "effective", health_thresholds_json(&t));
	return out;
}

static void thresholds_put(struct api_req *r, const char *scope, const char *owner,
                           const char *site_id)
{
	char field[64];
	if (!health_thresholds_check(r->body, field, sizeof(field))) {
		api_error(
			r, CN_ERR_INVALID,
			"%s: thresholds are {measure: {low, high, critical_low, critical}}, numbers or "
			"null, critical_low < low < high <= critical",
			field);
		return;
	}
	/* Consistent with what it is merged over, too. */
	struct health_thresholds merged;
	enum cn_err rc = vitals_thresholds(r->db, strcmp(scope, "site") == 0 ? NULL : site_id, NULL,
	                                   &merged);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot read thresholds");
		return;
	}
	health_thresholds_merge(&merged, r->body);
	if (!health_thresholds_consistent(&merged, field, sizeof(field))) {
		api_error(r, CN_ERR_INVALID,
		          "%s: contradicts the thresholds it is merged over (critical_low < low < "
		          "high <= critical)",
		          field);
		return;
	}
	char *text = json_dumps(r->body, JSON_COMPACT | JSON_SORT_KEYS);
	json_t *before = NULL, *out = NULL;
	struct outbox ob;
	outbox_init(&ob);
	rc = db_begin(r->db);
	if (rc == CN_OK)
		rc = db_thresholds_get(r->db, scope, owner, &before);
	if (rc == CN_OK)
		rc = db_thresholds_put(r->db, scope, owner, text, r->now, r->who->id);
	if (rc == CN_OK)
		rc = db_audit_add(r->db, r->now, r->who->id, site_id, "update", "thresholds", owner,
		                  before, r->body);
	if (rc == CN_OK)
		out = thresholds_reply(r, scope, owner, site_id, &rc);
	if (api_commit(r, rc, &ob, NULL)) {
		api_reply(r, 200, out);
		out = NULL;
	}
	free(text);
	json_decref(before);
	json_decref(out);
	outbox_free(&ob);
}

static bool path_site(struct api_req *r, enum pol_action act)
{
	const char *id = api_param(r, 0);
	if (policy_decide(r->who, PR_THRESHOLD, act, NULL) == POL_FORBIDDEN)
		return policy_require(r, PR_THRESHOLD, act, NULL);
	bool known = false;
	if (db_site_exists(r->db, id, &known) != CN_OK || !known) {
		api_not_found(r);
		return false;
	}
	struct pol_target t = {.site_id = id};
	return policy_require(r, PR_THRESHOLD, act, &t);
}

void api_site_thresholds_get(struct api_req *r)
{
	if (!path_site(r, PA_READ))
		return;
	enum cn_err rc;
	json_t *out = thresholds_reply(r, "site", api_param(r, 0), api_param(r, 0), &rc);
	if (!out) {
		api_error(r, rc, "cannot read thresholds");
		return;
	}
	api_reply(r, 200, out);
}

void api_site_thresholds_put(struct api_req *r)
{
	if (!path_site(r, PA_UPDATE))
		return;
	thresholds_put(r, "site", api_param(r, 0), api_param(r, 0));
}

void api_resident_thresholds_get(struct api_req *r)
{
	struct db_win_resident res;
	if (!path_resident(r, PR_THRESHOLD, PA_READ, &res))
		return;
	enum cn_err rc;
	json_t *out = thresholds_reply(r, "resident", api_param(r, 0), res.site_id, &rc);
	if (!out) {
		api_error(r, rc, "cannot read thresholds");
		return;
	}
	api_reply(r, 200, out);
}

void api_resident_thresholds_put(struct api_req *r)
{
	struct db_win_resident res;
	if (!path_resident(r, PR_THRESHOLD, PA_UPDATE, &res))
		return;
	thresholds_put(r, "resident", api_param(r, 0), res.site_id);
}

/* ---- daily activity ---- */

static bool query_day(struct api_req *r, const char *name, int32_t *day, bool *present)
{
	const char *s = api_query(r, name);
	*present = s != NULL;
	if (s && !activity_parse_date(s, day)) {
		api_error(r, CN_ERR_INVALID, "%s: must be a date YYYY-MM-DD", name);
		return false;
	}
	return true;
}

static void set_time(json_t *o, const char *key, json_int_t ms)
{
	char buf[32];
	if (ms <= 0) {
		json_object_set_new(o, key, json_null());
		return;
	}
	cn_time_format_rfc3339((int64_t)ms, buf);
	json_object_set_new(o, key, json_string(buf));
}

/* The instants local day `d` starts and ends (23 or 25 hours apart on a
 * DST day). */
static void local_day_bounds(int32_t d, int64_t *start, int64_t *end)
{
	int64_t noon = (int64_t)d * DAY_MS + DAY_MS / 2;
	noon -= clock_local_ms(noon) - noon; /* the instant the wall clock says 12:00 */
	*start = clock_local_midnight(noon);
	*end = clock_local_midnight(noon + DAY_MS);
}

void api_activity_list(struct api_req *r)
{
	struct db_win_resident res;
	if (!path_resident(r, PR_ACTIVITY, PA_READ, &res))
		return;
	int32_t from = 0, to = 0;
	bool has_from = false, has_to = false;
	if (!query_day(r, "from", &from, &has_from) || !query_day(r, "to", &to, &has_to))
		return;
	int32_t today = activity_day_of(clock_local_ms(r->now));
	if (!has_to)
		to = today;
	if (!has_from)
		from = to - 13;
	if (from > to || to - from + 1 > ACTIVITY_RANGE_MAX_DAYS) {
		api_error(r, CN_ERR_INVALID, "from: must be on or before to, at most %d days",
		          ACTIVITY_RANGE_MAX_DAYS);
		return;
	}
	json_t *rows = NULL;
	enum cn_err rc = db_activity_range(r->db, api_param(r, 0), from, to, &rows);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot read activity");
		return;
	}
	/* Every day of the range, a day with no row as a day with no
	 * events: the summary of a quiet day is what a clinic looks for. */
	json_t *items = json_array();
	size_t k = 0;
	for (int32_t d = from; d <= to; d++) {
		json_t *row = json_array_get(rows, k);
		bool have = row && json_integer_value(json_object_get(row, "day")) == d;
		char date[16];
		activity_date_string(d, date, sizeof(date));
		json_t *o = json_object();
		json_object_set_new(o, "date", json_string(date));
		struct activity_day ad;
		activity_day_init(&ad, d);
		if (have) {
			ad.events = (int)json_integer_value(json_object_get(row, "events"));
			ad.hours_mask =
				(uint32_t)json_integer_value(json_object_get(row, "hours_mask"));
			ad.night_events =
				(int)json_integer_value(json_object_get(row, "night_events"));
		}
		json_object_set_new(o, "events", json_integer(ad.events));
		set_time(o, "first_activity",
		         have ? json_integer_value(json_object_get(row, "first_at")) : 0);
		set_time(o, "last_activity",
		         have ? json_integer_value(json_object_get(row, "last_at")) : 0);
		json_object_set_new(o, "active_hours", json_integer(activity_active_hours(&ad)));
		json_object_set_new(o, "night_events", json_integer(ad.night_events));
		int minutes = 0;
		int64_t start = 0, end = 0;
		local_day_bounds(d, &start, &end);
		if (db_attendance_minutes(r->db, api_param(r, 0), start, end, r->now, &minutes) !=
		    CN_OK)
			minutes = 0;
		json_object_set_new(o, "out_of_home_minutes", json_integer(minutes));
		json_object_set_new(o, "by_room",
		                    have ? json_incref(json_object_get(row, "by_room"))
		                         : json_object());
		json_array_append_new(items, o);
		if (have)
			k++;
	}
	json_decref(rows);
	json_t *out = json_pack("{s:s,s:o}", "resident_id", api_param(r, 0), "items", items);
	api_reply(r, 200, out);
}
