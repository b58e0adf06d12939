/* /v1/alerts: the list, one alert with its timeline, manual alerts, the
 * staff steps (ack, dispatch, arrive, resolve, notes) and the live SSE
 * stream. The decisions are in alerts.c; this file is the REST side. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "api_crud.h"
#include "api_handlers.h"
#include "app.h"
#include "config.h"
#include "db.h"
#include "db_alerts.h"
#include "db_alerts_list.h"
#include "db_crud.h"
#include "db_records.h"
#include "db_residents.h"
#include "outbox.h"
#include "policy.h"
#include "rules.h"
#include "stream.h"
#include "validate.h"
#include "windows.h"
#include "xalloc.h"

static bool parse_alert_id(struct api_req *r, int64_t *id)
{
	const char *s = api_param(r, 0);
	char *end = NULL;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v <= 0) {
		api_not_found(r);
		return false;
	}
	*id = v;
	return true;
}

static bool family_of(struct api_req *r, const char *resident_id)
{
	bool yes = false;
	if (r->who->role == ROLE_FAMILY && resident_id)
		db_family_has_resident(r->db, r->who->id, resident_id, &yes);
	return yes;
}

/* Loads the alert and applies the policy for `act`; NULL with the
 * response set when it is missing or not the caller's to see. */
static bool health_kind(const char *kind)
{
	return kind && (strcmp(kind, "vital_sign") == 0 || strcmp(kind, "wellbeing") == 0);
}

static json_t *visible_alert(struct api_req *r, int64_t id, bool timeline, enum pol_action act)
{
	json_t *alert = NULL;
	enum cn_err rc = db_alert_json(r->db, id, timeline, &alert);
	if (rc != CN_OK) {
		if (rc == CN_ERR_NOT_FOUND &&
		    policy_decide(r->who, PR_ALERT, act, NULL) == POL_FORBIDDEN)
			policy_require(r, PR_ALERT, act, NULL);
		else if (rc == CN_ERR_NOT_FOUND)
			api_not_found(r);
		else
			api_error(r, rc, "cannot read alert %lld", (long long)id);
		return NULL;
	}
	struct pol_target t = {
		.site_id = json_string_value(json_object_get(alert, "site_id")),
		.family_member =
			family_of(r, json_string_value(json_object_get(alert, "resident_id"))),
	};
	if (!policy_require(r, PR_ALERT, act, &t)) {
		json_decref(alert);
		return NULL;
	}
	/* The clinic sees health alerts only: any other is not there. */
	if (r->who->role == ROLE_CLINICIAN &&
	    !health_kind(json_string_value(json_object_get(alert, "kind")))) {
		json_decref(alert);
		api_not_found(r);
		return NULL;
	}
	return alert;
}

void api_alerts_list(struct api_req *r)
{
	if (!policy_require(r, PR_ALERT, PA_LIST, NULL))
		return;
	static const char *const statuses[] = {
		"active", "open", "acknowledged", "dispatched", "on_site", "resolved", NULL};
	static const char *const priorities[] = {"1", "2", "3", "4", NULL};
	struct db_alert_query q;
	memset(&q, 0, sizeof(q));
	bool has_since = false;
	if (!validate_page(r, &q.limit, &q.after) ||
	    !validate_query_enum(r, "status", statuses, &q.status) ||
	    !validate_query_enum(r, "priority", priorities, &q.priority) ||
	    !validate_query_id(r, "resident_id", &q.resident_id) ||
	    !validate_query_id(r, "site_id", &q.site_id) ||
	    !validate_query_time(r, "since", &q.since, &has_since))
		return;
	q.has_since = has_since;
	q.kind = api_query(r, "kind");
	enum alert_kind k;
	if (q.kind && !alert_kind_from_name(q.kind, &k)) {
		api_error(r, CN_ERR_INVALID, "kind: not an alert kind");
		return;
	}
	/* A clinician lists health alerts: vital_sign unless wellbeing is
	 * asked for; another kind is an empty list, not an error. */
	if (r->who->role == ROLE_CLINICIAN && !health_kind(q.kind))
		q.kind = q.kind ? "__none__" : "vital_sign";
	struct pol_scope scope;
	policy_scope(r->who, PR_ALERT, &scope);
	q.scope_site = scope.site_id;
	q.scope_family = scope.family;
	json_t *items = NULL;
	int64_t last = 0;
	enum cn_err rc = db_alerts_list(r->db, &q, &items, &last);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot list alerts");
		return;
	}
	api_reply(r, 200, page_body(items, q.limit, last));
}

void api_alerts_get(struct api_req *r)
{
	int64_t id;
	if (!parse_alert_id(r, &id))
		return;
	json_t *alert = visible_alert(r, id, true, PA_READ);
	/* Deliveries name staff phones and e-mail addresses: not for family. */
	if (alert && r->who->role == ROLE_FAMILY)
		json_object_del(alert, "deliveries");
	if (alert)
		api_reply(r, 200, alert);
}

/* The audit row of an alert change, inside the open transaction: who did
 * what, with the alert before (NULL for a new one) and after. */
static enum cn_err audit_alert(struct api_req *r, int64_t id, const char *action,
                               const json_t *before)
{
	json_t *after = NULL;
	enum cn_err rc = db_alert_json(r->db, id, false, &after);
	if (rc == CN_OK) {
		char rid[24];
		snprintf(rid, sizeof(rid), "%lld", (long long)id);
		rc = db_audit_add(r->db, r->now, r->who->id,
		                  json_string_value(json_object_get(after, "site_id")), action,
		                  "alerts", rid, before, after);
	}
	json_decref(after);
	return rc;
}

/* Commits, publishes what the change owes, and answers the alert. */
static void finish(struct api_req *r, int64_t id, enum cn_err rc, struct outbox *ob, int status)
{
	bool ok = api_commit(r, rc, ob, "the alert's status does not allow this step");
	outbox_free(ob);
	if (!ok)
		return;
	json_t *alert = NULL;
	rc = db_alert_json(r->db, id, true, &alert);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot read alert %lld", (long long)id);
		return;
	}
	api_reply(r, status, alert);
}

void api_alerts_create(struct api_req *r)
{
	static const struct field_spec fields[] = {
		{"resident_id", FIELD_ID, true},
		{"kind", FIELD_STRING, false, 1, 32},
		{"priority", FIELD_INT, false, 1, 4},
		{"note", FIELD_STRING, false, 0, 2000, NULL, true},
	};
	if (!validate_body(r, fields, sizeof(fields) / sizeof(fields[0])))
		return;
	const char *resident = json_string_value(json_object_get(r->body, "resident_id"));
	/* An alarm reported by telephone (a fall) takes its kind and that
	 * kind's priority; `manual` when no kind is given. */
	enum alert_kind kind = AK_MANUAL;
	const char *kind_name = json_string_value(json_object_get(r->body, "kind"));
	if (kind_name && !alert_kind_from_name(kind_name, &kind)) {
		api_error(r, CN_ERR_INVALID, "kind: no such alert kind: %.32s", kind_name);
		return;
	}
	char site[65];
	if (db_resident_site(r->db, resident, site) != CN_OK) {
		api_error(r, CN_ERR_INVALID, "resident_id: no such resident");
		return;
	}
	struct pol_target t = {.site_id = site, .family_member = family_of(r, resident)};
	if (policy_decide(r->who, PR_ALERT, PA_CREATE, &t) == POL_HIDDEN) {
		api_error(r, CN_ERR_INVALID, "resident_id: no such resident");
		return;
	}
	if (!policy_require(r, PR_ALERT, PA_CREATE, &t))
		return;
	struct rule_resident state;
	bool enrolled = true;
	if (windows_resident_rules(r->db, resident, &state, &enrolled) == CN_OK && !enrolled) {
		json_t *res = NULL;
		/* Paused residents can still call for help; discharged ones are
		 * no longer the centre's to watch. */
		if (db_res_get(r->db, &db_residents, resident, &res) == CN_OK &&
		    strcmp(json_string_value(json_object_get(res, "status")), "discharged") == 0) {
			json_decref(res);
			api_error(r, CN_ERR_CONFLICT, "resident_id: the resident is discharged");
			return;
		}
		json_decref(res);
	}
	json_t *p = json_object_get(r->body, "priority");
	char actor[80];
	snprintf(actor, sizeof(actor), "user:%s", r->who->id);
	struct alert_raise rq = {
		.kind = kind,
		.priority = p ? (int)json_integer_value(p) : alert_kind_priority(kind),
		.site_id = site,
		.resident_id = resident,
		.detail = json_string_value(json_object_get(r->body, "note")),
		.actor = actor,
		.event_at = r->now,
	};
	struct outbox ob;
	outbox_init(&ob);
	int64_t id = 0;
	bool created = false;
	enum cn_err rc = db_begin(r->db);
	if (rc == CN_OK)
		rc = alerts_raise(r->app, r->db, &rq, r->now, &ob, &id, &created);
	if (rc == CN_OK)
		rc = audit_alert(r, id, created ? "create" : "fold", NULL);
	finish(r, id, rc, &ob, created ? 201 : 200);
}

static void step(struct api_req *r, enum alert_step s)
{
	int64_t id;
	if (!parse_alert_id(r, &id))
		return;
	const char *arg = NULL, *note = NULL;
	if (s == STEP_DISPATCH) {
		static const struct field_spec f[] = {{"staff_id", FIELD_ID, true}};
		if (!validate_body(r, f, 1))
			return;
		arg = json_string_value(json_object_get(r->body, "staff_id"));
	} else if (s == STEP_RESOLVE) {
		static const struct field_spec f[] = {
			{"outcome", FIELD_STRING, true, 1, 32},
			{"note", FIELD_STRING, false, 0, 2000, NULL, true},
		};
		if (!validate_body(r, f, 2))
			return;
		arg = json_string_value(json_object_get(r->body, "outcome"));
		note = json_string_value(json_object_get(r->body, "note"));
		if (!alerts_outcome_valid(arg)) {
			api_error(r, CN_ERR_INVALID,
			          "outcome: must be one of genuine, false_alarm, accidental, test, "
			          "technical_fault, no_access, hospital");
			return;
		}
	} else if (s == STEP_NOTE) {
		static const struct field_spec f[] = {{"text", FIELD_STRING, true, 1, 2000}};
		if (!validate_body(r, f, 1))
			return;
		arg = json_string_value(json_object_get(r->body, "text"));
	} else if (s == STEP_ACK) {
		static const struct field_spec f[] = {
			{"note", FIELD_STRING, false, 0, 2000, NULL, true}};
		if (!validate_body(r, f, 1))
			return;
		note = json_string_value(json_object_get(r->body, "note"));
	} else if (!validate_body(r, NULL, 0)) {
		return;
	}
	json_t *alert = visible_alert(r, id, false, PA_ACT);
	if (!alert)
		return;
	if (s == STEP_DISPATCH) {
		/* The responder must be someone the site can send. */
		char site[65], role[16];
		bool active = false;
		const char *alert_site = json_string_value(json_object_get(alert, "site_id"));
		if (db_staff_site_role(r->db, arg, site, role, &active) != CN_OK || !active ||
		    !(strcmp(role, "admin") == 0 ||
		      ((strcmp(role, "caregiver") == 0 || strcmp(role, "coordinator") == 0) &&
		       alert_site && strcmp(site, alert_site) == 0))) {
			json_decref(alert);
			api_error(r, CN_ERR_INVALID,
			          "staff_id: no active caregiver or coordinator of this site");
			return;
		}
	}
	static const char *const actions[] = {[STEP_ACK] = "ack",
	                                      [STEP_DISPATCH] = "dispatch",
	                                      [STEP_ARRIVE] = "arrive",
	                                      [STEP_RESOLVE] = "resolve",
	                                      [STEP_NOTE] = "note"};
	struct outbox ob;
	outbox_init(&ob);
	enum cn_err rc = db_begin(r->db);
	if (rc == CN_OK)
		rc = alerts_step(r->app, r->db, id, s, r->who, arg, note, r->now, &ob);
	if (rc == CN_OK)
		rc = audit_alert(r, id, actions[s], alert);
	json_decref(alert);
	finish(r, id, rc, &ob, 200);
}

void api_alerts_ack(struct api_req *r) { step(r, STEP_ACK); }
void api_alerts_dispatch(struct api_req *r) { step(r, STEP_DISPATCH); }
void api_alerts_arrive(struct api_req *r) { step(r, STEP_ARRIVE); }
void api_alerts_resolve(struct api_req *r) { step(r, STEP_RESOLVE); }
void api_alerts_notes(struct api_req *r) { step(r, STEP_NOTE); }

/* ---- the stream ---- */

struct family_ctx {
	size_t n;
	char ids[50][65];
};

static bool stream_visible(const struct principal *who, void *ctx, const char *site_id,
                           const char *resident_id)
{
	switch (who->role) {
	case ROLE_ADMIN:
		return true;
	case ROLE_COORDINATOR:
	case ROLE_CAREGIVER:
		return site_id && strcmp(site_id, who->site_id) == 0;
	case ROLE_FAMILY: {
		const struct family_ctx *f = ctx;
		for (size_t i = 0; f && resident_id && i < f->n; i++)
			if (strcmp(f->ids[i], resident_id) == 0)
				return true;
		return false;
	}
	default:
		return false;
	}
}

void api_alerts_stream(struct api_req *r)
{
	if (!policy_require(r, PR_ALERT, PA_LIST, NULL))
		return;
	/* One token's owner cannot hold every connection: a cap per user. */
	if (stream_hub_count_user(r->app->hub, r->who->id) >=
	    (size_t)r->app->cfg->http_sse_per_user) {
		api_error(r, CN_ERR_THROTTLED,
		          "you have %ld event streams open already; close one first",
		          r->app->cfg->http_sse_per_user);
		r->retry_after_s = 10;
		return;
	}
	/* Resume after the last id the client saw, or start from now. */
	int64_t after = 0;
	const char *last = api_header(r, "Last-Event-ID");
	if (last && *last) {
		char *end = NULL;
		errno = 0;
		long long v = strtoll(last, &end, 10);
		if (errno || end == last || *end || v < 0) {
			api_error(r, CN_ERR_INVALID,
			          "Last-Event-ID: must be an id this stream sent");
			return;
		}
		after = v;
	} else if (db_alert_changes_latest(r->db, &after) != CN_OK) {
		api_error(r, CN_ERR_DB, "cannot open the stream");
		return;
	}
	struct family_ctx *fam = NULL;
	if (r->who->role == ROLE_FAMILY) {
		fam = xcalloc(1, sizeof(*fam));
		json_t *me = NULL;
		if (db_res_get(r->db, &db_staff, r->who->id, &me) == CN_OK) {
			size_t i;
			json_t *v;
			json_array_foreach (json_object_get(me, "resident_ids"), i, v) {
				if (fam->n < 50)
					snprintf(fam->ids[fam->n++], 65, "%s",
					         json_string_value(v));
			}
		}
		json_decref(me);
	}
	r->stream = stream_open(r->app->hub, r->who, after, stream_visible, fam, free);
}
