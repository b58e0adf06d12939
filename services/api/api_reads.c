/* GET /v1/events, GET /v1/oncall, GET /v1/audit: read-only views. */
#include <stdlib.h>
#include <string.h>

#include "api_handlers.h"
#include "db_alerts_list.h"
#include "db_queries.h"
#include "db_records.h"
#include "db_rotas.h"
#include "oncall.h"
#include "payload.h"
#include "policy.h"
#include "validate.h"
#include "xalloc.h"

void api_events_list(struct api_req *r)
{
	if (!policy_require(r, PR_EVENT, PA_LIST, NULL))
		return;
	struct db_event_query q;
	memset(&q, 0, sizeof(q));
	if (!validate_page(r, &q.limit, &q.after) ||
	    !validate_query_id(r, "device_id", &q.device_id) ||
	    !validate_query_id(r, "resident_id", &q.resident_id) ||
	    !validate_query_time(r, "since", &q.since, &q.has_since) ||
	    !validate_query_time(r, "until", &q.until, &q.has_until))
		return;
	q.type = api_query(r, "type");
	if (q.type && (strlen(q.type) == 0 || strlen(q.type) > 31)) {
		api_error(r, CN_ERR_INVALID, "type: must be an event type");
		return;
	}
	struct pol_scope scope;
	policy_scope(r->who, PR_EVENT, &scope);
	q.scope_site = scope.site_id;
	json_t *items = NULL;
	int64_t last = 0;
	enum cn_err rc = db_events_list(r->db, &q, &items, &last);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot list events");
		return;
	}
	api_reply(r, 200, page_body(items, q.limit, last));
}

/* The on-call list from rotas and shifts (alerting/oncall.h), grouped by
 * tier, each entry the staff member with the shift or rota occurrence
 * that puts them there. NULL with the response set on a database error. */
static json_t *oncall_json(struct api_req *r, const char *site, int64_t at)
{
	struct oncall_entry *on = xcalloc(ONCALL_MAX, sizeof(*on));
	size_t n = 0;
	json_t *res = NULL;
	enum cn_err rc = oncall_at(r->db, site, at, on, ONCALL_MAX, &n);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot read the on-call list");
		goto out;
	}
	res = json_pack("{s:[],s:[],s:[]}", "primary", "backup", "supervisor");
	for (size_t i = 0; i < n; i++) {
		json_t *st = NULL;
		if (db_oncall_staff_json(r->db, on[i].staff_id, &st) != CN_OK)
			continue;
		char ts[32];
		cn_time_format_rfc3339(on[i].starts_at, ts);
		json_object_set_new(st, "starts_at", json_string(ts));
		cn_time_format_rfc3339(on[i].ends_at, ts);
		json_object_set_new(st, "ends_at", json_string(ts));
		json_object_set_new(st, "source", json_string(on[i].from_rota ? "rota" : "shift"));
		json_array_append_new(json_object_get(res, rota_tier_name(on[i].tier)), st);
	}
out:
	free(on);
	return res;
}

void api_oncall(struct api_req *r)
{
	/* Who may see a roster at all (volunteers and family may not), then
	 * whose: the roster of a site is read like the site itself. */
	if (!policy_require(r, PR_SHIFT, PA_LIST, NULL))
		return;
	const char *site = NULL;
	int64_t at = r->now;
	bool has_at = false;
	if (!validate_query_id(r, "site_id", &site) || !validate_query_time(r, "at", &at, &has_at))
		return;
	if (!has_at)
		at = r->now;
	if (!site && r->who->site_id[0])
		site = r->who->site_id;
	if (!site) {
		api_error(r, CN_ERR_INVALID, "site_id: required");
		return;
	}
	struct pol_target t = {.site_id = site};
	if (!policy_require(r, PR_SITE, PA_READ, &t))
		return;
	json_t *s = NULL;
	if (db_res_get(r->db, &db_sites, site, &s) != CN_OK) {
		api_not_found(r);
		return;
	}
	json_decref(s);
	json_t *out = oncall_json(r, site, at);
	if (!out)
		return;
	char ts[32];
	cn_time_format_rfc3339(at, ts);
	json_object_set_new(out, "site_id", json_string(site));
	json_object_set_new(out, "at", json_string(ts));
	api_reply(r, 200, out);
}

void api_audit_list(struct api_req *r)
{
	if (!policy_require(r, PR_AUDIT, PA_LIST, NULL))
		return;
	struct db_audit_query q;
	memset(&q, 0, sizeof(q));
	if (!validate_page(r, &q.limit, &q.after) || !validate_query_id(r, "site_id", &q.site) ||
	    !validate_query_time(r, "since", &q.since, &q.has_since))
		return;
	q.resource = api_query(r, "resource");
	if (q.resource && strlen(q.resource) > 32) {
		api_error(r, CN_ERR_INVALID, "resource: too long");
		return;
	}
	struct pol_scope scope;
	policy_scope(r->who, PR_AUDIT, &scope);
	if (scope.site_id) {
		/* List filters never answer 403 or 404: another site's rows are
		 * simply none of the caller's. */
		if (q.site && strcmp(q.site, scope.site_id) != 0) {
			api_reply(r, 200, page_body(json_array(), q.limit, 0));
			return;
		}
		q.site = scope.site_id;
	}
	json_t *items = NULL;
	int64_t last = 0;
	enum cn_err rc = db_audit_list(r->db, &q, &items, &last);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot list the audit log");
		return;
	}
	api_reply(r, 200, page_body(items, q.limit, last));
}
