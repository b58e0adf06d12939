#include "api_crud.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "txn.h"

static const struct api_resource *resource(const struct api_req *r) { return r->route_arg; }

static void target_of(struct api_req *r, const struct api_resource *res, const json_t *obj,
                      struct pol_target *t)
{
	memset(t, 0, sizeof(*t));
	if (res->target && obj)
		res->target(r, obj, t);
}

json_t *res_fetch_visible(struct api_req *r, const struct api_resource *res, const char *id,
                          enum pol_action act)
{
	json_t *obj = NULL;
	enum cn_err rc = db_res_get(r->db, res->desc, id, &obj);
	if (rc == CN_ERR_NOT_FOUND) {
		/* Refused before looked up would tell the caller nothing either;
		 * a role with no access at all still gets 403. */
		if (policy_decide(r->who, res->pol, act, NULL) == POL_FORBIDDEN &&
		    r->who->role != ROLE_ADMIN) {
			struct pol_target none = {0};
			policy_require(r, res->pol, act, &none);
		} else {
			api_not_found(r);
		}
		return NULL;
	}
	if (rc != CN_OK) {
		api_error(r, rc, "cannot read %s %s", res->desc->name, id);
		return NULL;
	}
	struct pol_target t;
	target_of(r, res, obj, &t);
	if (!policy_require(r, res->pol, act, &t)) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

bool api_commit(struct api_req *r, enum cn_err rc, struct outbox *ob, const char *conflict)
{
	struct txn_end t = {.app = r->app, .db = r->db, .ob = ob, .note = true};
	rc = txn_commit(&t, rc);
	if (rc == CN_OK)
		return true;
	if (r->status == 0)
		api_error(r, rc, "%s",
		          rc == CN_ERR_CONFLICT && conflict ? conflict
		                                            : "the change could not be stored");
	return false;
}

bool res_commit(struct api_req *r)
{
	struct txn_end t = {.app = r->app, .db = r->db, .note = true};
	enum cn_err rc = txn_commit(&t, CN_OK);
	if (rc != CN_OK)
		api_error(r, rc, "the change could not be stored");
	return rc == CN_OK;
}

/* The site an audit row belongs to, so coordinators see their site's rows:
 * the object's site as the policy sees it (for a site, its own id).
 * Borrowed from `obj`. */
static const char *audit_site(const struct api_resource *res, const json_t *obj)
{
	if (res->pol == PR_SITE)
		return json_string_value(json_object_get(obj, "id"));
	return json_string_value(json_object_get(obj, "site_id"));
}

/* The field a uniqueness conflict is about, other than the id. */
static const char *unique_field(const json_t *body)
{
	if (json_object_get(body, "username"))
		return "username";
	if (json_object_get(body, "z2m_name"))
		return "z2m_name";
	return "id";
}

static void present(struct api_req *r, const struct api_resource *res, json_t *obj)
{
	if (res->present)
		res->present(r, obj);
}

void res_list(struct api_req *r)
{
	const struct api_resource *res = resource(r);
	if (!policy_require(r, res->pol, PA_LIST, NULL))
		return;
	struct res_list_query q;
	memset(&q, 0, sizeof(q));
	if (!validate_page(r, &q.limit, &q.after))
		return;
	struct pol_scope scope;
	policy_scope(r->who, res->pol, &scope);
	q.site = scope.site_id;
	q.family = scope.family;
	q.self = scope.self;
	q.volunteer = scope.volunteer;
	q.region = scope.region_id;
	for (size_t i = 0; res->desc->filters && res->desc->filters[i] && i < 8; i++) {
		const char *v = api_query(r, res->desc->filters[i]);
		if (v && strlen(v) > 128) {
			api_error(r, CN_ERR_INVALID, "%s: too long", res->desc->filters[i]);
			return;
		}
		q.filter_values[i] = v;
	}
	json_t *items = NULL;
	int64_t last = 0;
	enum cn_err rc = db_res_list(r->db, res->desc, &q, &items, &last);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot list %s", res->desc->name);
		return;
	}
	size_t i;
	json_t *obj;
	json_array_foreach (items, i, obj)
		present(r, res, obj);
	api_reply(r, 200, page_body(items, q.limit, last));
}

void res_get(struct api_req *r)
{
	const struct api_resource *res = resource(r);
	json_t *obj = res_fetch_visible(r, res, api_param(r, 0), PA_READ);
	if (!obj)
		return;
	present(r, res, obj);
	api_reply(r, 200, obj);
}

/* The rest of a create or a patch, inside the open transaction: the
 * resource's own writes, the object as it now is, and the audit row. */
static enum cn_err write_rest(struct api_req *r, const struct api_resource *res, const char *id,
                              const json_t *body, const json_t *before, const char *action,
                              json_t **after)
{
	enum cn_err rc = res->after_write ? res->after_write(r, id, body) : CN_OK;
	if (rc == CN_OK)
		rc = db_res_get(r->db, res->desc, id, after);
	if (rc == CN_OK)
		rc = db_audit_add(r->db, r->now, r->who->id, audit_site(res, *after), action,
		                  res->desc->name, id, before, *after);
	return rc;
}

/* Commits and answers `after` (taking it): the resource's after-commit
 * work and its view for this caller. */
static void commit_and_answer(struct api_req *r, const struct api_resource *res, const char *id,
                              json_t *after, int status)
{
	if (!res_commit(r)) {
		json_decref(after);
		return;
	}
	if (res->committed)
		res->committed(r, id);
	present(r, res, after);
	api_reply(r, status, after);
}

void res_create(struct api_req *r)
{
	const struct api_resource *res = resource(r);
	if (!validate_body(r, res->fields, res->n_fields))
		return;
	json_t *body = json_deep_copy(r->body);
	json_t *after = NULL;
	char id[ID_MAX + 1];
	const char *given = json_string_value(json_object_get(body, "id"));
	if (given)
		snprintf(id, sizeof(id), "%s", given);
	else
		new_id(res->id_prefix, id);
	json_object_del(body, "id");
	if (res->defaults && !res->defaults(r, body)) {
		json_decref(body);
		return;
	}
	struct pol_target t;
	target_of(r, res, body, &t);
	/* 404 from the policy on a create means the body names a site or a
	 * resident outside the caller's scope: nothing exists to hide, so the
	 * resource's own checks answer 400 naming the field. */
	enum pol_decision d = policy_decide(r->who, res->pol, PA_CREATE, &t);
	if (d == POL_FORBIDDEN) {
		policy_require(r, res->pol, PA_CREATE, &t);
		goto out;
	}
	if (res->prepare && !res->prepare(r, body, NULL))
		goto out;
	if (d == POL_HIDDEN) {
		api_error(r, CN_ERR_INVALID, "body: names a site or resident outside your scope");
		goto out;
	}
	enum cn_err rc = db_begin(r->db);
	if (rc == CN_OK)
		rc = db_res_insert(r->db, res->desc, id, body, r->now);
	if (rc == CN_OK)
		rc = write_rest(r, res, id, body, NULL, "create", &after);
	if (rc != CN_OK) {
		db_rollback(r->db);
		app_note_store_result(r->app, rc);
		if (rc == CN_ERR_CONFLICT && r->status == 0) {
			json_t *taken = NULL;
			bool id_taken = db_res_get(r->db, res->desc, id, &taken) == CN_OK;
			json_decref(taken);
			const char *field = id_taken ? "id" : unique_field(body);
			api_error(r, rc, "%s: a %s with this %s exists already", field,
			          res->desc->name, field);
		} else if (r->status == 0) {
			api_error(r, rc, "cannot create the %s", res->desc->name);
		}
		goto out;
	}
	commit_and_answer(r, res, id, after, 201);
	after = NULL;
out:
	json_decref(after);
	json_decref(body);
}

void res_patch(struct api_req *r)
{
	const struct api_resource *res = resource(r);
	const char *id = api_param(r, 0);
	json_t *body = NULL, *before = NULL, *after = NULL;
	if (!validate_patch(r, res->fields, res->n_fields))
		return;
	if (json_object_get(r->body, "id")) {
		api_error(r, CN_ERR_INVALID, "id: cannot be changed");
		return;
	}
	before = res_fetch_visible(r, res, id, PA_UPDATE);
	if (!before)
		return;
	body = json_deep_copy(r->body);
	/* A change of site must be allowed at the new site too. The target
	 * borrows strings from `merged`: free it only after the decision. */
	json_t *merged = json_deep_copy(before);
	json_object_update(merged, body);
	struct pol_target t;
	target_of(r, res, merged, &t);
	/* The caller sees the object (checked above): moving it out of their
	 * scope is a change they may not make (403), not something to hide. */
	enum pol_decision d = policy_decide(r->who, res->pol, PA_UPDATE, &t);
	if (d == POL_HIDDEN)
		api_error(r, CN_ERR_FORBIDDEN, "you may not move this %s out of your scope",
		          res->desc->name);
	else if (d == POL_FORBIDDEN)
		policy_require(r, res->pol, PA_UPDATE, &t);
	json_decref(merged);
	if (d != POL_ALLOW)
		goto out;
	if (res->prepare && !res->prepare(r, body, before))
		goto out;
	enum cn_err rc = db_begin(r->db);
	if (rc == CN_OK)
		rc = db_res_update(r->db, res->desc, id, body, r->now);
	if (rc == CN_OK)
		rc = write_rest(r, res, id, body, before, "update", &after);
	if (rc != CN_OK) {
		db_rollback(r->db);
		app_note_store_result(r->app, rc);
		if (rc == CN_ERR_CONFLICT && r->status == 0)
			api_error(r, rc, "%s: another %s has this value", unique_field(body),
			          res->desc->name);
		else if (r->status == 0)
			api_error(r, rc, "cannot update the %s", res->desc->name);
		goto out;
	}
	commit_and_answer(r, res, id, after, 200);
	after = NULL;
out:
	json_decref(before);
	json_decref(after);
	json_decref(body);
}

void res_delete(struct api_req *r)
{
	const struct api_resource *res = resource(r);
	const char *id = api_param(r, 0);
	json_t *before = res_fetch_visible(r, res, id, PA_DELETE);
	if (!before)
		return;
	int status = 204;
	enum cn_err rc = db_begin(r->db);
	if (rc == CN_OK) {
		if (res->remove) {
			status = res->remove(r, id, before);
			if (!status)
				rc = CN_ERR_CONFLICT; /* response already set */
		} else {
			rc = db_res_delete(r->db, res->desc, id, r->now);
		}
	}
	if (rc == CN_OK)
		rc = db_audit_add(r->db, r->now, r->who->id, audit_site(res, before), "delete",
		                  res->desc->name, id, before, NULL);
	if (rc != CN_OK) {
		db_rollback(r->db);
		if (r->status == 0)
			api_error(r, rc, "cannot delete the %s", res->desc->name);
		json_decref(before);
		return;
	}
	json_decref(before);
	if (!res_commit(r))
		return;
	if (res->committed)
		res->committed(r, id);
	if (status == 200) {
		json_t *after = NULL;
		if (db_res_get(r->db, res->desc, id, &after) == CN_OK) {
			present(r, res, after);
			api_reply(r, 200, after);
			return;
		}
	}
	api_reply(r, 204, NULL);
}
