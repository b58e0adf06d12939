/* GET, PUT /v1/sites/{id}/escalation: the site's escalation policy per
 * priority (contract section 5). What is stored is the validated JSON of
 * each priority; a priority without one follows the default ladder of
 * the configured step times. An alert records the policy in force when
 * it was raised (alerts.c), so a PUT never rewrites running escalations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "api_crud.h"
#include "api_handlers.h"
#include "db.h"
#include "db_policies.h"
#include "db_records.h"
#include "esc_policy_json.h"
#include "policy.h"

static const char *const prio_names[4] = {"p1", "p2", "p3", "p4"};

/* The site's policies as the API shows them; NULL with the response set. */
static json_t *policies_json(struct api_req *r, const char *site)
{
	json_t *out = json_pack("{s:s}", "site_id", site);
	for (int p = 1; p <= 4; p++) {
		char *text = NULL;
		enum cn_err rc = db_policy_get(r->db, site, p, &text);
		if (rc != CN_OK) {
			json_decref(out);
			api_error(r, rc, "cannot read the escalation policy");
			return NULL;
		}
		json_t *j = text ? json_loads(text, 0, NULL) : NULL;
		free(text);
		if (!j) {
			long steps[3] = {alerts_step_seconds(r->app, 1),
			                 alerts_step_seconds(r->app, 2),
			                 alerts_step_seconds(r->app, 3)};
			struct esc_policy def;
			esc_policy_default(p, steps, &def);
			j = esc_policy_to_json(&def);
			json_object_set_new(j, "default", json_true());
		} else {
			json_object_set_new(j, "default", json_false());
		}
		json_object_set_new(out, prio_names[p - 1], j);
	}
	return out;
}

/* The site of the path, checked to exist and be visible for `act`. */
static const char *site_of_path(struct api_req *r, enum pol_action act)
{
	const char *site = api_param(r, 0);
	json_t *s = NULL;
	if (db_res_get(r->db, &db_sites, site, &s) != CN_OK) {
		api_not_found(r);
		return NULL;
	}
	json_decref(s);
	struct pol_target t = {.site_id = site};
	if (!policy_require(r, PR_SITE, act, &t))
		return NULL;
	return site;
}

void api_escalation_get(struct api_req *r)
{
	const char *site = site_of_path(r, PA_READ);
	if (!site)
		return;
	json_t *out = policies_json(r, site);
	if (out)
		api_reply(r, 200, out);
}

void api_escalation_put(struct api_req *r)
{
	const char *site = site_of_path(r, PA_UPDATE);
	if (!site)
		return;
	if (!json_is_object(r->body)) {
		api_error(r, CN_ERR_INVALID, "body: an object with p1..p4");
		return;
	}
	const char *key;
	json_t *v;
	json_object_foreach (r->body, key, v) {
		bool known = false;
		for (int p = 0; p < 4 && !known; p++)
			known = strcmp(key, prio_names[p]) == 0;
		if (!known) {
			api_error(r, CN_ERR_INVALID, "%.40s: unknown field (p1..p4)", key);
			return;
		}
	}
	/* Everything is checked before anything is stored. */
	char *texts[4] = {NULL, NULL, NULL, NULL};
	json_t *before = NULL, *after = NULL;
	for (int p = 0; p < 4; p++) {
		json_t *j = json_object_get(r->body, prio_names[p]);
		if (!j)
			continue;
		struct esc_policy pol;
		char err[200];
		if (esc_policy_from_json(j, prio_names[p], &pol, err, sizeof(err)) != CN_OK) {
			api_error(r, CN_ERR_INVALID, "%s", err);
			goto out;
		}
		json_t *norm = esc_policy_to_json(&pol);
		texts[p] = json_dumps(norm, JSON_COMPACT);
		json_decref(norm);
	}
	before = policies_json(r, site);
	if (!before)
		goto out;
	enum cn_err rc = db_begin(r->db);
	for (int p = 0; rc == CN_OK && p < 4; p++)
		if (texts[p])
			rc = db_policy_put(r->db, site, p + 1, texts[p], r->now);
	if (rc == CN_OK) {
		after = policies_json(r, site);
		rc = after ? db_audit_add(r->db, r->now, r->who->id, site, "update", "escalation",
		                          site, before, after)
		           : CN_ERR_DB;
	}
	if (rc != CN_OK) {
		db_rollback(r->db);
		if (after)
			api_error(r, rc, "the change could not be stored");
		goto out;
	}
	if (!res_commit(r))
		goto out;
	api_reply(r, 200, after);
	after = NULL;
out:
	for (int p = 0; p < 4; p++)
		free(texts[p]);
	json_decref(before);
	json_decref(after);
}
