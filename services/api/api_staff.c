/* Staff members (/v1/staff): fields, policy facts, username and password
 * checks, the residents they look after, token revocation on a role or
 * password change, and the last admin kept. */
#include <stdio.h>
#include <string.h>

#include "api_records.h"
#include "api_refs.h"
#include "app.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "db_auth.h"
#include "db_records.h"
#include "db_regions.h"

static const char *const roles[] = {"admin",  "coordinator", "caregiver", "volunteer",
                                    "family", "clinician",   "officer",   NULL};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static const struct field_spec staff_fields[] = {
	{"id", FIELD_ID},
	{"site_id", FIELD_ID, false, 0, 0, NULL, true},
	{"name", FIELD_STRING, true, 1, 200},
	{"role", FIELD_ENUM, true, 0, 0, roles},
	{"phone", FIELD_STRING, false, 0, 40, NULL, true},
	{"username", FIELD_STRING, true, 1, 64},
	{"password", FIELD_STRING, false, 8, 256}, /* none: no password login */
	{"active", FIELD_BOOL},
	{"skills", FIELD_ARRAY, false, 0, 8},
	{"resident_ids", FIELD_ARRAY, false, 0, 50},
	{"region_id", FIELD_ID, false, 0, 0, NULL, true}, /* officers only */
	{"email", FIELD_STRING, false, 3, 254, NULL, true},
	{"contacts", FIELD_ARRAY, false, 0, 10},
};

/* A staff member's contact points (contract.md section 4): a page at a
 * priority in `priorities` (none: every priority) goes to the channel,
 * `delay_s` after the page if still unacknowledged then. */
static const struct field_spec staff_contact_fields[] = {
	{"channel_id", FIELD_ID, true},
	{"address", FIELD_STRING, false, 0, 254},
	{"priorities", FIELD_ARRAY, false, 0, 4},
	{"delay_s", FIELD_INT, false, 0, 3600},
};

static bool check_contacts(struct api_req *r, const json_t *arr)
{
	size_t i;
	json_t *c;
	json_array_foreach (arr, i, c) {
		char prefix[48], field[80];
		snprintf(prefix, sizeof(prefix), "contacts[%zu].", i);
		if (!validate_fields(r, c, prefix, staff_contact_fields, N(staff_contact_fields),
		                     false))
			return false;
		snprintf(field, sizeof(field), "%schannel_id", prefix);
		if (!api_ref_channel(r, field, str(c, "channel_id")))
			return false;
		size_t k;
		json_t *p;
		json_array_foreach (json_object_get(c, "priorities"), k, p) {
			if (!json_is_integer(p) || json_integer_value(p) < 1 ||
			    json_integer_value(p) > 4) {
				api_error(r, CN_ERR_INVALID, "%spriorities[%zu]: must be 1-4",
				          prefix, k);
				return false;
			}
		}
	}
	return true;
}

static void staff_target(struct api_req *r, const json_t *obj, struct pol_target *t)
{
	const char *id = str(obj, "id");
	t->site_id = str(obj, "site_id");
	t->own = id && strcmp(id, r->who->id) == 0;
	const char *role = str(obj, "role");
	t->privileged = role && (strcmp(role, "admin") == 0 || strcmp(role, "coordinator") == 0);
	/* A family member without a site belongs to the sites of their
	 * residents: to the caller's, when one of them lives there. One linked
	 * to residents of two sites is the admin's to change (privileged), so
	 * a coordinator cannot take over an account that reaches elsewhere. */
	if (!t->site_id && role && strcmp(role, "family") == 0 && r->who->site_id[0]) {
		size_t i;
		json_t *v;
		bool mine = false, elsewhere = false;
		json_array_foreach (json_object_get(obj, "resident_ids"), i, v) {
			const char *rid = json_string_value(v);
			char rsite[ID_MAX + 1];
			if (!rid || db_resident_site(r->db, rid, rsite) != CN_OK)
				continue;
			if (strcmp(rsite, r->who->site_id) == 0)
				mine = true;
			else
				elsewhere = true;
		}
		if (mine) {
			snprintf(t->site_buf, sizeof(t->site_buf), "%s", r->who->site_id);
			t->site_id = t->site_buf;
		}
		if (elsewhere)
			t->privileged = true;
	}
}

/* Usernames as openapi.yaml allows them: 1-64 of A-Z a-z 0-9 . _ @ - */
static bool valid_username(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '@' || c == '-'))
			return false;
	}
	return true;
}

/* An officer (issue 19) has a region and no site; nobody else has a
 * region. 400 naming the field otherwise. */
static bool officer_region_ok(struct api_req *r, const json_t *body, const json_t *before,
                              const char *role, const char *site)
{
	const char *region = json_object_get(body, "region_id")
	                             ? str(body, "region_id")
	                             : (before ? str(before, "region_id") : NULL);
	bool officer = strcmp(role, "officer") == 0;
	if (officer && site) {
		api_error(r, CN_ERR_INVALID, "site_id: an officer has a region_id, not a site");
		return false;
	}
	if (officer && !region) {
		api_error(r, CN_ERR_INVALID, "region_id: required for role officer");
		return false;
	}
	if (!officer && region) {
		api_error(r, CN_ERR_INVALID, "region_id: only for role officer");
		return false;
	}
	json_t *reg = NULL;
	if (region && json_object_get(body, "region_id") &&
	    db_res_get(r->db, &db_regions, region, &reg) != CN_OK) {
		api_error(r, CN_ERR_INVALID, "region_id: no such region");
		return false;
	}
	json_decref(reg);
	return true;
}

static bool staff_prepare(struct api_req *r, json_t *body, const json_t *before)
{
	const json_t *merged_role = json_object_get(body, "role");
	const char *role = merged_role ? json_string_value(merged_role) : str(before, "role");
	bool own = before && strcmp(str(before, "id"), r->who->id) == 0;
	/* Your own record: name, phone, password and how to reach you; the
	 * rest is for those who manage staff (a coordinator does not promote
	 * or move herself). */
	if (own && r->who->role != ROLE_ADMIN) {
		const char *key;
		json_t *v;
		json_object_foreach (body, key, v) {
			if (strcmp(key, "name") && strcmp(key, "phone") &&
			    strcmp(key, "password") && strcmp(key, "email") &&
			    strcmp(key, "contacts")) {
				api_error(
					r, CN_ERR_FORBIDDEN,
					"%s: you may change only your name, phone, password, email"
					" and contacts",
					key);
				return false;
			}
		}
	}
	if (own && (json_is_false(json_object_get(body, "active")) ||
	            (json_object_get(body, "role") && strcmp(role, str(before, "role")) != 0))) {
		api_error(r, CN_ERR_CONFLICT,
		          "you cannot deactivate yourself or change your own role");
		return false;
	}
	if (json_object_get(body, "username") && !valid_username(str(body, "username"))) {
		api_error(r, CN_ERR_INVALID, "username: 1-64 characters of A-Z a-z 0-9 . _ @ -");
		return false;
	}
	const char *site = json_object_get(body, "site_id")
	                           ? str(body, "site_id")
	                           : (before ? str(before, "site_id") : NULL);
	if (!officer_region_ok(r, body, before, role, site))
		return false;
	/* Admins and family members may have no site; staff of a site must. */
	if (strcmp(role, "admin") != 0 && strcmp(role, "family") != 0 &&
	    strcmp(role, "officer") != 0 && !site) {
		api_error(r, CN_ERR_INVALID, "site_id: required for role %s", role);
		return false;
	}
	if (json_object_get(body, "site_id") && site && !api_ref_site(r, "site_id", site))
		return false;
	if (!check_contacts(r, json_object_get(body, "contacts")))
		return false;
	json_t *skills = json_object_get(body, "skills");
	size_t i;
	json_t *v;
	json_array_foreach (skills, i, v) {
		bool ok = false;
		for (const char *const *c = api_categories; *c && json_is_string(v); c++)
			ok = ok || strcmp(*c, json_string_value(v)) == 0;
		if (!ok) {
			api_error(r, CN_ERR_INVALID, "skills[%zu]: must be a service category", i);
			return false;
		}
	}
	json_t *ids = json_object_get(body, "resident_ids");
	if (ids && strcmp(role, "family") != 0) {
		api_error(r, CN_ERR_INVALID, "resident_ids: only for role family");
		return false;
	}
	json_array_foreach (ids, i, v) {
		char rsite[65];
		char field[48];
		snprintf(field, sizeof(field), "resident_ids[%zu]", i);
		if (!json_is_string(v) || !validate_id(json_string_value(v))) {
			api_error(r, CN_ERR_INVALID, "%s: must be a resident id", field);
			return false;
		}
		if (!api_ref_resident(r, field, json_string_value(v), rsite))
			return false;
	}
	json_t *pw = json_object_get(body, "password");
	if (pw) {
		char hash[160];
		if (auth_password_hash(json_string_value(pw), hash, sizeof(hash)) != CN_OK) {
			api_error(r, CN_ERR_IO, "cannot hash the password");
			return false;
		}
		json_object_set_new(body, "password_hash", json_string(hash));
		json_object_del(body, "password");
	}
	return true;
}

static enum cn_err staff_after_write(struct api_req *r, const char *id, const json_t *body)
{
	enum cn_err rc = CN_OK;
	json_t *ids = json_object_get(body, "resident_ids");
	if (ids)
		rc = db_staff_set_residents(r->db, id, ids);
	/* A deactivated account's tokens stop working at once. */
	if (rc == CN_OK && json_is_false(json_object_get(body, "active")))
		rc = db_auth_tokens_revoke_staff(r->db, id, r->now);
	if (rc == CN_OK && json_object_get(body, "password_hash")) {
		if (strcmp(id, r->who->id) != 0) {
			rc = db_auth_tokens_revoke_staff(r->db, id,
			                                 r->now); /* reset by someone else */
		} else {
			/* Your own change ends your other sessions, not this one. */
			const char *authz = api_header(r, "Authorization");
			const char *token = authz && strlen(authz) > 7 ? authz + 7 : "";
			unsigned char keep[32];
			auth_token_hash(token, strlen(token), keep);
			rc = db_auth_tokens_revoke_others(r->db, id, keep, r->now);
		}
		if (rc == CN_OK) /* an admin with a password ends the bootstrap token */
			rc = db_auth_bootstrap_retire(r->db, r->app->cfg->bootstrap_token != NULL,
			                              r->now);
	}
	return rc;
}

static int staff_remove(struct api_req *r, const char *id, const json_t *before)
{
	if (strcmp(id, r->who->id) == 0) {
		api_error(r, CN_ERR_CONFLICT, "you cannot deactivate yourself");
		return 0;
	}
	int admins = 0;
	if (strcmp(str(before, "role"), "admin") == 0 &&
	    db_active_admins(r->db, &admins) == CN_OK && admins <= 1) {
		api_error(r, CN_ERR_CONFLICT, "the last admin cannot be deactivated");
		return 0;
	}
	enum cn_err rc = db_res_delete(r->db, &db_staff, id, r->now);
	if (rc == CN_ERR_NOT_FOUND)
		rc = CN_OK; /* already inactive */
	if (rc == CN_OK)
		rc = db_auth_tokens_revoke_staff(r->db, id, r->now);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot deactivate");
		return 0;
	}
	return 204; /* the record stays, inactive; openapi.yaml answers 204 */
}

const struct api_resource api_staff = {
	.desc = &db_staff,
	.pol = PR_STAFF,
	.id_prefix = "staff_",
	.fields = staff_fields,
	.n_fields = N(staff_fields),
	.target = staff_target,
	.prepare = staff_prepare,
	.after_write = staff_after_write,
	.remove = staff_remove,
};
