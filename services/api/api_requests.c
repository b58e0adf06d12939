/* Service requests over REST, from order to visit: list, create, get, the
 * steps (assign, start, complete, cancel) and who could take a request.
 * Attendance is api_attendance.c, the response report api_reports.c.
 * Authorization is policy.c's; the time rules these changes move are
 * windows.c's; SQL is in db_service_net.c. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include "api_service_net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_crud.h"
#include "api_evidence.h"
#include "api_refs.h"
#include "api_regions.h"
#include "app.h"
#include "clock.h"
#include "db.h"
#include "db_records.h"
#include "db_service_net.h"
#include "db_settlement.h"
#include "db_windows.h"
#include "outbox.h"
#include "payload.h"
#include "policy.h"
#include "validate.h"
#include "windows.h"
#include "xalloc.h"

#define N(a)                (sizeof(a) / sizeof((a)[0]))
#define DAY_MS              (86400LL * 1000)
#define VISIT_WINDOW_MAX_MS (7 * DAY_MS)
#define CANDIDATES_SCANNED  500
#define CANDIDATES_MAX      50

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static const char *const request_statuses[] = {"requested", "scheduled", "in_progress",
                                               "done",      "cancelled", NULL};

/* The policy facts of a request: `own` is the caller's assignment,
 * `requester` the caller's own order (they may cancel it). */
static void request_target(struct api_req *r, const struct db_request_facts *f,
                           struct pol_target *t)
{
	memset(t, 0, sizeof(*t));
	t->site_id = f->site_id;
	t->family_member = api_ref_family_of(r, f->resident_id);
	t->open_to_volunteers = strcmp(f->status, "requested") == 0 &&
	                        strcmp(f->provider, "volunteer") == 0 && r->who->site_id[0] &&
	                        strcmp(f->site_id, r->who->site_id) == 0;
	t->own = strcmp(f->assignee_id, r->who->id) == 0;
	t->requester = strcmp(f->requested_by, r->who->id) == 0;
	t->in_region = api_region_holds_site(r, f->site_id);
}

/* Scheduling someone else's work (assigning another person, ranking
 * candidates) takes two answers of the policy: the caller may assign this
 * request, and may work it without it being theirs (a coordinator, an
 * admin). Taking a request on oneself needs only the first. */
static bool may_schedule_others(struct api_req *r, const struct pol_target *seen)
{
	struct pol_target t = *seen;
	t.own = false;
	if (!policy_require(r, PR_REQUEST, PA_ASSIGN, &t))
		return false;
	if (policy_decide(r->who, PR_REQUEST, PA_ACT, &t) != POL_ALLOW) {
		api_error(r, CN_ERR_FORBIDDEN, "your role (%s) may take requests on only yourself",
		          role_name(r->who->role));
		return false;
	}
	return true;
}

/* Loads a request the caller may see; NULL-like false with 404/403 set. */
static bool request_visible(struct api_req *r, const char *id, struct db_request_facts *f)
{
	enum cn_err rc = db_request_facts(r->db, id, f);
	if (rc == CN_ERR_NOT_FOUND &&
	    policy_decide(r->who, PR_REQUEST, PA_READ, NULL) == POL_FORBIDDEN)
		return policy_require(r, PR_REQUEST, PA_READ, NULL);
	if (rc == CN_ERR_NOT_FOUND) {
		api_not_found(r);
		return false;
	}
	if (rc != CN_OK) {
		api_error(r, rc, "cannot read request %s", id);
		return false;
	}
	struct pol_target t;
	request_target(r, f, &t);
	return policy_require(r, PR_REQUEST, PA_READ, &t);
}

bool service_net_request_seen(struct api_req *r, const char *id, struct db_request_facts *f,
                              struct pol_target *t)
{
	if (!request_visible(r, id, f))
		return false;
	request_target(r, f, t);
	return true;
}

/* What the caller sees of a request: whoever may not see alerts (a
 * volunteer) does not see the missed-visit alert either. */
static void request_present(struct api_req *r, json_t *obj)
{
	if (policy_decide(r->who, PR_ALERT, PA_LIST, NULL) == POL_FORBIDDEN)
		json_object_del(obj, "missed_alert_id");
	/* An officer sees the service received and whose it was, by name. */
	if (r->who->role == ROLE_OFFICER)
		json_object_del(json_object_get(obj, "resident"), "address");
}

static void reply_request(struct api_req *r, int status, const char *id)
{
	json_t *obj = NULL;
	enum cn_err rc = db_res_get(r->db, &db_requests, id, &obj);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot read request %s", id);
		return;
	}
	request_present(r, obj);
	api_evidence_present(r, obj);
	api_reply(r, status, obj);
}

void api_requests_list(struct api_req *r)
{
	if (!policy_require(r, PR_REQUEST, PA_LIST, NULL))
		return;
	struct res_list_query q;
	memset(&q, 0, sizeof(q));
	if (!validate_page(r, &q.limit, &q.after) ||
	    !validate_query_enum(r, "status", request_statuses, &q.filter_values[0]) ||
	    !validate_query_id(r, "resident_id", &q.filter_values[1]) ||
	    !validate_query_id(r, "assignee_id", &q.filter_values[2]) ||
	    !validate_query_id(r, "site_id", &q.filter_values[3]))
		return;
	struct pol_scope scope;
	policy_scope(r->who, PR_REQUEST, &scope);
	q.site = scope.site_id;
	q.family = scope.family;
	q.volunteer = scope.volunteer;
	q.self = scope.self;
	q.region = scope.region_id;
	json_t *items = NULL;
	int64_t last = 0;
	enum cn_err rc = db_res_list(r->db, &db_requests, &q, &items, &last);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot list requests");
		return;
	}
	size_t i;
	json_t *obj;
	json_array_foreach (items, i, obj)
		request_present(r, obj);
	api_reply(r, 200, page_body(items, q.limit, last));
}

void api_requests_create(struct api_req *r)
{
	static const struct field_spec fields[] = {
		{"id", FIELD_ID},
		{"resident_id", FIELD_ID, true},
		{"service_id", FIELD_ID, true},
		{"note", FIELD_STRING, false, 0, 2000, NULL, true},
	};
	if (!validate_body(r, fields, N(fields)))
		return;
	const char *resident = str(r->body, "resident_id"), *service = str(r->body, "service_id");
	struct db_win_resident res;
	if (!api_ref_resident_may(r, PR_REQUEST, PA_CREATE, resident, &res))
		return;
	bool active = false;
	enum cn_err rc = db_service_active(r->db, service, &active);
	if (rc != CN_OK) {
		api_error(r, rc == CN_ERR_NOT_FOUND ? CN_ERR_INVALID : rc,
		          "service_id: no such service");
		return;
	}
	if (!active) {
		api_error(r, CN_ERR_CONFLICT, "service_id: %s is withdrawn", service);
		return;
	}
	if (strcmp(res.status, "discharged") == 0) {
		api_error(r, CN_ERR_CONFLICT, "resident_id: %s is discharged", resident);
		return;
	}
	char id[ID_MAX + 1];
	const char *given = str(r->body, "id");
	if (given)
		snprintf(id, sizeof(id), "%s", given);
	else
		new_id("req_", id);
	json_t *note = json_object_get(r->body, "note");
	json_t *body =
		json_pack("{s:s,s:s,s:O,s:s}", "resident_id", resident, "service_id", service,
	                  "note", note ? note : json_null(), "requested_by", r->who->id);
	json_t *after = NULL;
	struct outbox ob;
	outbox_init(&ob);
	rc = db_begin(r->db);
	if (rc == CN_OK)
		rc = db_res_insert(r->db, &db_requests, id, body, r->now);
	if (rc == CN_OK)
		rc = db_res_get(r->db, &db_requests, id, &after);
	if (rc == CN_OK)
		rc = db_audit_add(r->db, r->now, r->who->id, res.site_id, "create", "requests", id,
		                  NULL, after);
	if (api_commit(r, rc, &ob, "id: a request with this id exists already"))
		reply_request(r, 201, id);
	outbox_free(&ob);
	json_decref(after);
	json_decref(body);
}

void api_requests_get(struct api_req *r)
{
	struct db_request_facts f;
	if (request_visible(r, api_param(r, 0), &f))
		reply_request(r, 200, api_param(r, 0));
}

/* The steps: checks, the guarded change, its deadline, an audit row. */
enum step { STEP_ASSIGN, STEP_START, STEP_COMPLETE, STEP_CANCEL };

struct step_args {
	const char *staff_id;
	int64_t window_start, window_end;
	const char *note;
	int rating;
	bool has_location; /* start, complete: where the carer was */
	struct api_location location;
};

static enum cn_err apply_step(struct api_req *r, const char *id, enum step s,
                              const struct step_args *a, bool taking_on)
{
	switch (s) {
	case STEP_ASSIGN:
		return db_request_assign(r->db, id, a->staff_id, a->window_start, a->window_end,
		                         taking_on, r->now);
	case STEP_START:
		return db_request_start(r->db, id, r->now);
	case STEP_COMPLETE:
		return db_request_complete(r->db, id, a->note, a->rating, r->now);
	case STEP_CANCEL:
		return db_request_cancel(r->db, id, r->now);
	}
	return CN_ERR_INVALID;
}

static void step(struct api_req *r, enum step s, const struct step_args *a)
{
	static const char *const names[] = {"assign", "start", "complete", "cancel"};
	static const enum pol_action acts[] = {PA_ASSIGN, PA_ACT, PA_ACT, PA_DELETE};
	const char *id = api_param(r, 0);
	struct db_request_facts f;
	if (!request_visible(r, id, &f))
		return;
	struct pol_target t;
	request_target(r, &f, &t);
	/* Assigning oneself is taking a request on: only an open one. */
	bool taking_on = s == STEP_ASSIGN && strcmp(a->staff_id, r->who->id) == 0;
	if (s == STEP_ASSIGN) {
		t.own = taking_on;
		if (taking_on ? !policy_require(r, PR_REQUEST, PA_ASSIGN, &t)
		              : !may_schedule_others(r, &t))
			return;
	} else if (!policy_require(r, PR_REQUEST, acts[s], &t)) {
		return;
	}
	if (s == STEP_ASSIGN) {
		/* Someone the site can send: an active caregiver or volunteer. */
		char site[65], role[16];
		bool active = false;
		if (db_staff_site_role(r->db, a->staff_id, site, role, &active) != CN_OK ||
		    !active || strcmp(site, f.site_id) != 0 ||
		    (strcmp(role, "caregiver") != 0 && strcmp(role, "volunteer") != 0)) {
			api_error(
				r, CN_ERR_INVALID,
				"staff_id: no active caregiver or volunteer of the resident's site");
			return;
		}
	}
	char conflict[128];
	snprintf(conflict, sizeof(conflict), "the request is %s: it cannot be %s", f.status,
	         s == STEP_ASSIGN     ? "assigned"
	         : s == STEP_START    ? "started"
	         : s == STEP_COMPLETE ? "completed"
	                              : "cancelled");
	struct outbox ob;
	outbox_init(&ob);
	json_t *before = NULL, *after = NULL;
	enum cn_err rc = db_begin(r->db);
	if (rc == CN_OK)
		rc = db_res_get(r->db, &db_requests, id, &before);
	if (rc == CN_OK)
		rc = apply_step(r, id, s, a, taking_on);
	if (rc == CN_OK && s == STEP_COMPLETE)
		rc = db_settlement_bill(r->db, id);
	if (rc == CN_OK && a->has_location)
		rc = api_evidence_record(r, id, s == STEP_START ? "start" : "complete",
		                         &a->location);
	if (rc == CN_OK)
		rc = windows_on_request(r->app, r->db, id, r->now, &ob);
	if (rc == CN_OK)
		rc = db_res_get(r->db, &db_requests, id, &after);
	if (rc == CN_OK)
		rc = db_audit_add(r->db, r->now, r->who->id, f.site_id, names[s], "requests", id,
		                  before, after);
	if (api_commit(r, rc, &ob, conflict))
		reply_request(r, 200, id);
	outbox_free(&ob);
	json_decref(before);
	json_decref(after);
}

static bool body_time(struct api_req *r, const char *name, int64_t *ms)
{
	const char *s = str(r->body, name);
	return cn_time_parse_rfc3339(s, strlen(s), ms); /* validated already */
}

void api_requests_assign(struct api_req *r)
{
	static const struct field_spec fields[] = {
		{"staff_id", FIELD_ID, true},
		{"window_start", FIELD_TIME, true},
		{"window_end", FIELD_TIME, true},
	};
	if (!validate_body(r, fields, N(fields)))
		return;
	struct step_args a = {.staff_id = str(r->body, "staff_id")};
	body_time(r, "window_start", &a.window_start);
	body_time(r, "window_end", &a.window_end);
	if (a.window_end <= a.window_start) {
		api_error(r, CN_ERR_INVALID, "window_end: must be after window_start");
		return;
	}
	if (a.window_end - a.window_start > VISIT_WINDOW_MAX_MS) {
		api_error(r, CN_ERR_INVALID, "window_end: a visit window is at most 7 days");
		return;
	}
	step(r, STEP_ASSIGN, &a);
}

/* The optional {"location": {...}} of /start and /complete. */
static bool body_location(struct api_req *r, struct step_args *a)
{
	json_t *loc = r->body ? json_object_get(r->body, "location") : NULL;
	if (!loc || json_is_null(loc))
		return true;
	a->has_location = true;
	return api_location_parse(r, "location", loc, &a->location);
}

void api_requests_start(struct api_req *r)
{
	static const struct field_spec fields[] = {
		{"location", FIELD_OBJECT, false, 0, 0, NULL, true},
	};
	struct step_args a = {0};
	if (validate_body(r, fields, N(fields)) && body_location(r, &a))
		step(r, STEP_START, &a);
}

void api_requests_complete(struct api_req *r)
{
	static const struct field_spec fields[] = {
		{"note", FIELD_STRING, false, 0, 2000, NULL, true},
		{"rating", FIELD_INT, false, 1, 5, NULL, true},
		{"location", FIELD_OBJECT, false, 0, 0, NULL, true},
	};
	if (!validate_body(r, fields, N(fields)))
		return;
	struct step_args a = {
		.note = r->body ? str(r->body, "note") : NULL,
		.rating = r->body ? (int)json_integer_value(json_object_get(r->body, "rating")) : 0,
	};
	if (body_location(r, &a))
		step(r, STEP_COMPLETE, &a);
}

void api_requests_cancel(struct api_req *r)
{
	struct step_args a = {0};
	if (validate_body(r, NULL, 0))
		step(r, STEP_CANCEL, &a);
}

/* ---- candidates ---- */

struct candidate {
	json_t *item;
	double score;
	json_int_t load;
	const char *name;
};

static int by_score(const void *pa, const void *pb)
{
	const struct candidate *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->load != b->load)
		return a->load < b->load ? -1 : 1;
	return strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

/* Turns a row (the staff object plus the facts) into a candidate. The
 * weights are not part of the contract: the right skill counts most,
 * then someone on duty or whose kind of provider the service asks for,
 * then a free window; each open assignment counts against. */
static void candidate_of(json_t *row, const char *provider, struct candidate *c)
{
	bool skill = json_is_true(json_object_get(row, "skill_match"));
	bool duty = json_is_true(json_object_get(row, "on_duty"));
	bool free_then = json_is_true(json_object_get(row, "available"));
	json_int_t load = json_integer_value(json_object_get(row, "load"));
	const char *role = str(row, "role");
	bool kind =
		role && ((strcmp(provider, "volunteer") == 0 && strcmp(role, "volunteer") == 0) ||
	                 (strcmp(provider, "staff") == 0 && strcmp(role, "caregiver") == 0));
	c->score = 4.0 * skill + 2.0 * duty + 2.0 * kind + 1.0 * free_then - 0.5 * (double)load;
	c->load = load;
	c->item = json_pack("{s:O,s:f,s:b,s:b,s:I,s:b,s:b}", "staff", row, "score", c->score,
	                    "skill_match", skill, "on_duty", duty, "load", load, "available",
	                    free_then, "provider_match", kind);
	json_t *staff = json_object_get(c->item, "staff");
	static const char *const facts[] = {"skill_match", "on_duty", "load", "available"};
	for (size_t i = 0; i < N(facts); i++)
		json_object_del(staff, facts[i]);
	c->name = str(staff, "name");
}

void api_requests_candidates(struct api_req *r)
{
	const char *id = api_param(r, 0);
	struct db_request_facts f;
	if (!request_visible(r, id, &f))
		return;
	struct pol_target t;
	request_target(r, &f, &t);
	if (!may_schedule_others(r, &t)) /* ranking is the scheduler's view */
		return;
	if (strcmp(f.status, "requested") != 0 && strcmp(f.status, "scheduled") != 0) {
		api_error(r, CN_ERR_CONFLICT, "the request is %s: nobody is needed", f.status);
		return;
	}
	int64_t from = f.window_start ? f.window_start : r->now;
	int64_t to = f.window_end ? f.window_end : r->now;
	json_t *rows = NULL;
	enum cn_err rc = db_request_candidates(r->db, f.site_id, id, f.category, from, to,
	                                       CANDIDATES_SCANNED, &rows);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot rank candidates");
		return;
	}
	size_t n = json_array_size(rows);
	struct candidate *c = xcalloc(n ? n : 1, sizeof(*c));
	for (size_t i = 0; i < n; i++)
		candidate_of(json_array_get(rows, i), f.provider, &c[i]);
	qsort(c, n, sizeof(*c), by_score);
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		if (i < CANDIDATES_MAX)
			json_array_append(items, c[i].item);
		json_decref(c[i].item);
	}
	free(c);
	json_decref(rows);
	api_reply(r, 200, json_pack("{s:o}", "items", items));
}
