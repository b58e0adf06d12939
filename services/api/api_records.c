/* The plain record resources: sites, staff, residents, devices, shifts and
 * the service catalogue. What each needs beyond res_* (api_crud.c):
 * its fields, its policy facts, and its particular checks and effects. */
#include <stdio.h>
#include <string.h>

#include "api_records.h"
#include "app.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "db_auth.h"
#include "db_deliveries.h"
#include "db_records.h"
#include "devices.h"
#include "payload.h"
#include "rules.h"
#include "scheduler.h"
#include "topic.h"
#include "windows.h"

static const char *const roles[] = {"admin", "coordinator", "caregiver", "volunteer", "family", NULL};
static const char *const categories[] = {"meal",   "cleaning", "bathing", "companionship",
                                         "medical", "escort",  "repair",  "other", NULL};
static const char *const tiers[] = {"primary", "backup", "supervisor", NULL};
static const char *const statuses[] = {"enrolled", "paused", "discharged", NULL};
static const char *const presences[] = {"home", "daycare", "away", NULL};
static const char *const providers[] = {"staff", "volunteer", "clinic", "partner", NULL};
static const char *const locales[] = {"zh-CN", "en", NULL};
static const char *const protocols[] = {"native", "z2m", NULL};
static const char *const device_kinds[] = {"sos_button", "fall_detector", "motion", "door",
                                           "bed", "water_leak", "smoke", "gas", "temperature",
                                           "checkin", "carbon_monoxide", "vibration",
                                           "presence", "other", NULL};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static bool is_family_of(struct api_req *r, const char *resident_id)
{
	bool yes = false;
	if (r->who->role == ROLE_FAMILY && resident_id)
		db_family_has_resident(r->db, r->who->id, resident_id, &yes);
	return yes;
}

/* A referenced object must exist and be visible to the caller: otherwise
 * 400 naming the field (existence elsewhere is not revealed). */
static bool check_site_ref(struct api_req *r, const char *field, const char *site_id)
{
	json_t *site = NULL;
	if (db_res_get(r->db, &db_sites, site_id, &site) != CN_OK ||
	    (r->who->role != ROLE_ADMIN && strcmp(site_id, r->who->site_id) != 0)) {
		json_decref(site);
		api_error(r, CN_ERR_INVALID, "%s: no such site", field);
		return false;
	}
	json_decref(site);
	return true;
}

static bool check_resident_ref(struct api_req *r, const char *field, const char *resident_id,
                               char site[65])
{
	if (db_resident_site(r->db, resident_id, site) != CN_OK ||
	    (r->who->role != ROLE_ADMIN && r->who->role != ROLE_FAMILY &&
	     strcmp(site, r->who->site_id) != 0) ||
	    (r->who->role == ROLE_FAMILY && !is_family_of(r, resident_id))) {
		api_error(r, CN_ERR_INVALID, "%s: no such resident", field);
		return false;
	}
	return true;
}

/* ---- sites ---- */

static const struct field_spec site_fields[] = {
	{"id", FIELD_ID},
	{"name", FIELD_STRING, true, 1, 200},
	{"address", FIELD_STRING, false, 0, 500, NULL, true},
	{"phone", FIELD_STRING, false, 0, 40, NULL, true},
	{"locale", FIELD_ENUM, false, 0, 0, locales},
};

static void site_target(struct api_req *r, const json_t *obj, struct pol_target *t)
{
	(void)r;
	t->site_id = str(obj, "id");
}

const struct api_resource api_sites = {
	.desc = &db_sites,
	.pol = PR_SITE,
	.id_prefix = "site_",
	.fields = site_fields,
	.n_fields = N(site_fields),
	.target = site_target,
};

/* ---- staff ---- */

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
	{"email", FIELD_STRING, false, 3, 254, NULL, true},
	{"contacts", FIELD_ARRAY, false, 0, 10},
};

/* A staff member's contact points (contract.md section 4). */
static const struct field_spec staff_contact_fields[] = {
	{"channel_id", FIELD_ID, true},
	{"address", FIELD_STRING, false, 0, 254},
	{"priorities", FIELD_ARRAY, false, 0, 4},
	{"delay_s", FIELD_INT, false, 0, 3600},
};

/* The channel a contact point names must exist and be the caller's to
 * use; 400 naming the field otherwise. */
static bool check_channel_ref(struct api_req *r, const char *field, const char *id)
{
	struct db_channel ch;
	if (!id || db_channel_get(r->db, id, &ch) != CN_OK ||
	    (r->who->role != ROLE_ADMIN && ch.site_id[0] && strcmp(ch.site_id, r->who->site_id) != 0)) {
		api_error(r, CN_ERR_INVALID, "%s: no such channel", field);
		return false;
	}
	return true;
}

static bool check_contacts(struct api_req *r, const json_t *arr)
{
	size_t i;
	json_t *c;
	json_array_foreach(arr, i, c)
	{
		char prefix[48], field[80];
		snprintf(prefix, sizeof(prefix), "contacts[%zu].", i);
		if (!validate_fields(r, c, prefix, staff_contact_fields, N(staff_contact_fields), false))
			return false;
		snprintf(field, sizeof(field), "%schannel_id", prefix);
		if (!check_channel_ref(r, field, str(c, "channel_id")))
			return false;
		size_t k;
		json_t *p;
		json_array_foreach(json_object_get(c, "priorities"), k, p)
		{
			if (!json_is_integer(p) || json_integer_value(p) < 1 || json_integer_value(p) > 4) {
				api_error(r, CN_ERR_INVALID, "%spriorities[%zu]: must be 1-4", prefix, k);
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
		json_array_foreach(json_object_get(obj, "resident_ids"), i, v)
		{
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

static bool staff_prepare(struct api_req *r, json_t *body, const json_t *before)
{
	const json_t *merged_role = json_object_get(body, "role");
	const char *role = merged_role ? json_string_value(merged_role) : str(before, "role");
	bool own = before && strcmp(str(before, "id"), r->who->id) == 0;
	/* Your own record: name, phone and password; the rest is for those
	 * who manage staff (a coordinator does not promote or move herself). */
	if (own && r->who->role != ROLE_ADMIN) {
		const char *key;
		json_t *v;
		json_object_foreach(body, key, v)
		{
			if (strcmp(key, "name") && strcmp(key, "phone") && strcmp(key, "password") &&
			    strcmp(key, "email") && strcmp(key, "contacts")) {
				api_error(r, CN_ERR_FORBIDDEN,
				          "%s: you may change only your name, phone, password, email and contacts",
				          key);
				return false;
			}
		}
	}
	if (own && (json_is_false(json_object_get(body, "active")) ||
	            (json_object_get(body, "role") && strcmp(role, str(before, "role")) != 0))) {
		api_error(r, CN_ERR_CONFLICT, "you cannot deactivate yourself or change your own role");
		return false;
	}
	if (json_object_get(body, "username") && !valid_username(str(body, "username"))) {
		api_error(r, CN_ERR_INVALID, "username: 1-64 characters of A-Z a-z 0-9 . _ @ -");
		return false;
	}
	const char *site = json_object_get(body, "site_id") ? str(body, "site_id")
	                                                    : (before ? str(before, "site_id") : NULL);
	/* Admins and family members may have no site; staff of a site must. */
	if (strcmp(role, "admin") != 0 && strcmp(role, "family") != 0 && !site) {
		api_error(r, CN_ERR_INVALID, "site_id: required for role %s", role);
		return false;
	}
	if (json_object_get(body, "site_id") && site && !check_site_ref(r, "site_id", site))
		return false;
	if (!check_contacts(r, json_object_get(body, "contacts")))
		return false;
	json_t *skills = json_object_get(body, "skills");
	size_t i;
	json_t *v;
	json_array_foreach(skills, i, v)
	{
		bool ok = false;
		for (const char *const *c = categories; *c && json_is_string(v); c++)
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
	json_array_foreach(ids, i, v)
	{
		char rsite[65];
		char field[48];
		snprintf(field, sizeof(field), "resident_ids[%zu]", i);
		if (!json_is_string(v) || !validate_id(json_string_value(v))) {
			api_error(r, CN_ERR_INVALID, "%s: must be a resident id", field);
			return false;
		}
		if (!check_resident_ref(r, field, json_string_value(v), rsite))
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
			rc = db_auth_tokens_revoke_staff(r->db, id, r->now); /* reset by someone else */
		} else {
			/* Your own change ends your other sessions, not this one. */
			const char *authz = api_header(r, "Authorization");
			const char *token = authz && strlen(authz) > 7 ? authz + 7 : "";
			unsigned char keep[32];
			auth_token_hash(token, strlen(token), keep);
			rc = db_auth_tokens_revoke_others(r->db, id, keep, r->now);
		}
		if (rc == CN_OK) /* an admin with a password ends the bootstrap token */
			rc = db_auth_bootstrap_retire(r->db, r->app->cfg->bootstrap_token != NULL, r->now);
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
	if (strcmp(str(before, "role"), "admin") == 0 && db_active_admins(r->db, &admins) == CN_OK &&
	    admins <= 1) {
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

/* ---- residents ---- */

static const struct field_spec resident_fields[] = {
	{"id", FIELD_ID},
	{"site_id", FIELD_ID, true},
	{"name", FIELD_STRING, true, 1, 200},
	{"birth_date", FIELD_DATE, false, 0, 0, NULL, true},
	{"address", FIELD_STRING, false, 0, 500, NULL, true},
	{"phone", FIELD_STRING, false, 0, 40, NULL, true},
	{"emergency_contacts", FIELD_ARRAY, false, 0, 10},
	{"care_level", FIELD_STRING, false, 0, 40, NULL, true},
	{"status", FIELD_ENUM, false, 0, 0, statuses},
	{"presence", FIELD_ENUM, false, 0, 0, presences},
	{"presence_until", FIELD_TIME, false, 0, 0, NULL, true},
	{"monitoring", FIELD_OBJECT},
	{"needs", FIELD_ARRAY, false, 0, 50},
	{"access_notes", FIELD_STRING, false, 0, 1000, NULL, true},
};

const struct field_spec api_monitoring_fields[] = {
	{"active_from", FIELD_HHMM},
	{"active_to", FIELD_HHMM},
	{"inactivity_minutes", FIELD_INT, false, 0, 1440}, /* 0: the inactivity rule is off */
	{"night_from", FIELD_HHMM},
	{"night_to", FIELD_HHMM},
	{"checkin_by", FIELD_HHMM, false, 0, 0, NULL, true},
};

const struct field_spec api_contact_fields[] = {
	{"name", FIELD_STRING, true, 1, 200},
	{"phone", FIELD_STRING, true, 1, 40},
	{"relation", FIELD_STRING, false, 0, 100, NULL, true},
	{"email", FIELD_STRING, false, 3, 254, NULL, true},
	{"notify", FIELD_BOOL},
	{"channels", FIELD_ARRAY, false, 0, 10},
	{"order", FIELD_INT, false, 0, 100},
};

const struct field_spec api_need_fields[] = {
	{"category", FIELD_ENUM, true, 0, 0, categories},
	{"text", FIELD_STRING, true, 1, 500},
};

const size_t api_monitoring_field_count = N(api_monitoring_fields);
const size_t api_contact_field_count = N(api_contact_fields);
const size_t api_need_field_count = N(api_need_fields);

static void resident_target(struct api_req *r, const json_t *obj, struct pol_target *t)
{
	t->site_id = str(obj, "site_id");
	t->family_member = is_family_of(r, str(obj, "id"));
}

static bool check_items(struct api_req *r, const json_t *arr, const char *name,
                        const struct field_spec *spec, size_t n)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		char prefix[48];
		snprintf(prefix, sizeof(prefix), "%s[%zu].", name, i);
		if (!validate_fields(r, v, prefix, spec, n, false))
			return false;
	}
	return true;
}

static bool resident_prepare(struct api_req *r, json_t *body, const json_t *before)
{
	/* Caregivers on a visit update presence; the record is the office's. */
	if (before && r->who->role == ROLE_CAREGIVER) {
		const char *key;
		json_t *v;
		json_object_foreach(body, key, v)
		{
			if (strcmp(key, "presence") && strcmp(key, "presence_until")) {
				api_error(r, CN_ERR_FORBIDDEN, "%s: caregivers may change only presence", key);
				return false;
			}
		}
	}
	const char *site = str(body, "site_id");
	if (site && !check_site_ref(r, "site_id", site))
		return false;
	if (!check_items(r, json_object_get(body, "emergency_contacts"), "emergency_contacts",
	                 api_contact_fields, N(api_contact_fields)) ||
	    !check_items(r, json_object_get(body, "needs"), "needs", api_need_fields, N(api_need_fields)))
		return false;
	size_t ci;
	json_t *ec;
	json_array_foreach(json_object_get(body, "emergency_contacts"), ci, ec)
	{
		size_t k;
		json_t *cid;
		json_array_foreach(json_object_get(ec, "channels"), k, cid)
		{
			char field[80];
			snprintf(field, sizeof(field), "emergency_contacts[%zu].channels[%zu]", ci, k);
			if (!json_is_string(cid) || !check_channel_ref(r, field, json_string_value(cid)))
				return false;
		}
	}
	json_t *mon = json_object_get(body, "monitoring");
	if (mon) {
		if (!validate_fields(r, mon, "monitoring.", api_monitoring_fields, N(api_monitoring_fields), true))
			return false;
		/* Stored as columns: flatten into the body the SQL binds. */
		json_object_update(body, mon);
		json_object_del(body, "monitoring");
	}
	return true;
}

static void resident_present(struct api_req *r, json_t *obj)
{
	if (r->who->role != ROLE_FAMILY)
		return;
	/* Family members see their relative's status and presence, not the
	 * care record. */
	static const char *const keep[] = {"id", "site_id", "name", "status", "presence",
	                                   "presence_until"};
	json_t *copy = json_object();
	for (size_t i = 0; i < N(keep); i++) {
		json_t *v = json_object_get(obj, keep[i]);
		if (v)
			json_object_set(copy, keep[i], v);
	}
	json_object_clear(obj);
	json_object_update(obj, copy);
	json_decref(copy);
}

/* Monitoring settings, status, presence and presence_until move the
 * resident's rule deadlines (windows.c); the scheduler looks at them
 * again once they are committed. */
static enum cn_err resident_after_write(struct api_req *r, const char *id, const json_t *body)
{
	(void)body;
	return windows_on_settings(r->app, r->db, id, r->now, NULL);
}

/* Puts these devices (API objects) into the in-memory registry as this
 * connection now sees them. Ingest maps a message to its resident and site
 * through the registry: a deleted resident's devices must not keep
 * pointing at them (raising would fail on the missing resident). Done
 * before the commit, as the rows cannot be found by resident afterwards;
 * a failed commit leaves them unassigned in memory until restart. */
static void refresh_registry(struct api_req *r, const json_t *devs)
{
	size_t i;
	json_t *v;
	json_array_foreach(devs, i, v)
	{
		struct device dev;
		if (db_device_registry_row(r->db, str(v, "id"), &dev) == CN_OK)
			devices_put(r->app->devices, &dev);
	}
}

/* The resident's devices as the database has them now, into the registry:
 * a resident moved to another site takes their devices' alerts along. */
static void refresh_resident_devices(struct api_req *r, const char *id)
{
	struct res_list_query q = {.limit = 500};
	q.filter_values[0] = id; /* db_devices.filters[0] is resident_id */
	json_t *devs = NULL;
	int64_t last = 0;
	if (db_res_list(r->db, &db_devices, &q, &devs, &last) == CN_OK)
		refresh_registry(r, devs);
	json_decref(devs);
}

static void resident_committed(struct api_req *r, const char *id)
{
	refresh_resident_devices(r, id);
	scheduler_wake(r->app->scheduler);
}

static int resident_remove(struct api_req *r, const char *id, const json_t *before)
{
	/* Discharging a discharged resident again changes nothing. */
	const char *status = str(before, "status");
	if (status && strcmp(status, "discharged") == 0)
		return 204;
	bool history = false, active = false;
	enum cn_err rc = db_resident_has_active_alert(r->db, id, &active);
	if (rc == CN_OK && active) {
		api_error(r, CN_ERR_CONFLICT, "resident %s has an active alert: resolve it first", id);
		return 0;
	}
	if (rc == CN_OK)
		rc = db_resident_has_history(r->db, id, &history);
	json_t *devs = NULL;
	if (rc == CN_OK && !history) {
		/* Their devices become unassigned: note which, for the registry. */
		struct res_list_query q = {.limit = 500};
		q.filter_values[0] = id; /* db_devices.filters[0] is resident_id */
		int64_t last = 0;
		rc = db_res_list(r->db, &db_devices, &q, &devs, &last);
	}
	if (rc == CN_OK)
		rc = history ? db_res_delete(r->db, &db_residents, id, r->now) : db_resident_delete(r->db, id);
	if (rc == CN_OK && devs)
		refresh_registry(r, devs);
	json_decref(devs);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot remove resident %s", id);
		return 0;
	}
	/* With history the record stays, discharged, and the answer shows it. */
	return history ? 200 : 204;
}

const struct api_resource api_residents = {
	.desc = &db_residents,
	.pol = PR_RESIDENT,
	.id_prefix = "res_",
	.fields = resident_fields,
	.n_fields = N(resident_fields),
	.target = resident_target,
	.prepare = resident_prepare,
	.after_write = resident_after_write,
	.committed = resident_committed,
	.present = resident_present,
	.remove = resident_remove,
};

/* ---- devices ---- */

static const struct field_spec device_fields[] = {
	{"id", FIELD_ID, true},
	{"resident_id", FIELD_ID, false, 0, 0, NULL, true},
	{"kind", FIELD_ENUM, true, 0, 0, device_kinds},
	{"room", FIELD_STRING, false, 0, 100, NULL, true},
	{"protocol", FIELD_ENUM, false, 0, 0, protocols},
	{"z2m_name", FIELD_STRING, false, 1, CN_Z2M_NAME_MAX, NULL, true},
	{"exit_door", FIELD_BOOL},
	{"heartbeat_s", FIELD_INT, false, 5, 86400},
};

static void device_target(struct api_req *r, const json_t *obj, struct pol_target *t)
{
	t->site_id = str(obj, "site_id");
	/* A new device (a create body) belongs to its resident's site. */
	const char *resident = str(obj, "resident_id");
	if (!t->site_id && resident && db_resident_site(r->db, resident, t->site_buf) == CN_OK)
		t->site_id = t->site_buf;
}

/* Supervision defaults: battery sensors check in hourly, mains-powered
 * ones every five minutes. */
static int default_heartbeat(const char *kind)
{
	if (!kind || strcmp(kind, "fall_detector") == 0 || strcmp(kind, "other") == 0)
		return 300;
	return 3600;
}

static bool device_prepare(struct api_req *r, json_t *body, const json_t *before)
{
	const char *resident = str(body, "resident_id");
	char site[65];
	if (resident && !check_resident_ref(r, "resident_id", resident, site))
		return false;
	if (!before && !resident && r->who->role != ROLE_ADMIN) {
		api_error(r, CN_ERR_INVALID, "resident_id: required (only admins enrol unassigned devices)");
		return false;
	}
	const char *protocol = json_object_get(body, "protocol") ? str(body, "protocol")
	                                                         : (before ? str(before, "protocol") : "native");
	const json_t *zn = json_object_get(body, "z2m_name");
	const char *z2m = zn ? json_string_value(zn) : (before ? str(before, "z2m_name") : NULL);
	if (strcmp(protocol, "z2m") == 0 && !z2m) {
		api_error(r, CN_ERR_INVALID, "z2m_name: required when protocol is z2m");
		return false;
	}
	if (z2m && (strchr(z2m, '+') || strchr(z2m, '#') || strstr(z2m, "..") || z2m[0] == '/')) {
		api_error(r, CN_ERR_INVALID, "z2m_name: must not contain + # .. or start with /");
		return false;
	}
	/* res_create takes the id out of the body it hands us: read the
	 * request's own. */
	const char *id = str(r->body, "id");
	if (!before && !cn_device_id_valid(id ? id : "x")) {
		api_error(r, CN_ERR_INVALID, "id: not a valid device id");
		return false;
	}
	/* The broker's ACL logs devices in under their id, staff apps as
	 * staff-<id> and the daemon as carenetd: a device may not pose as one. */
	if (!before && id && (strncmp(id, "staff-", 6) == 0 || strcmp(id, "carenetd") == 0)) {
		api_error(r, CN_ERR_INVALID, "id: 'staff-...' and 'carenetd' are reserved broker users");
		return false;
	}
	if (!before && !json_object_get(body, "heartbeat_s"))
		json_object_set_new(body, "heartbeat_s", json_integer(default_heartbeat(str(body, "kind"))));
	return true;
}

static void device_committed(struct api_req *r, const char *id)
{
	struct device dev;
	if (db_device_registry_row(r->db, id, &dev) == CN_OK) {
		dev.enrolled_at = r->now;
		devices_put(r->app->devices, &dev);
	} else {
		devices_remove(r->app->devices, id);
	}
}

static void device_present(struct api_req *r, json_t *obj)
{
	/* Live state is kept in memory and written back lazily: show it. */
	enum device_status status;
	int64_t last_seen;
	int battery;
	if (!devices_live(r->app->devices, str(obj, "id"), &status, &last_seen, &battery))
		return;
	json_object_set_new(obj, "status", json_string(device_status_name(status)));
	if (last_seen > 0) {
		char ts[32];
		cn_time_format_rfc3339(last_seen, ts);
		json_object_set_new(obj, "last_seen", json_string(ts));
	}
	if (battery >= 0)
		json_object_set_new(obj, "battery", json_integer(battery));
}

const struct api_resource api_devices = {
	.desc = &db_devices,
	.pol = PR_DEVICE,
	.id_prefix = "dev_",
	.fields = device_fields,
	.n_fields = N(device_fields),
	.target = device_target,
	.prepare = device_prepare,
	.committed = device_committed,
	.present = device_present,
};

/* A retired device id comes back on re-enrolment instead of 409: the
 * descriptor's insert revives the retired row, inside res_create's
 * transaction and after its checks. */
void api_device_create(struct api_req *r) { res_create(r); }

/* ---- shifts ---- */

static const struct field_spec shift_fields[] = {
	{"id", FIELD_ID},
	{"staff_id", FIELD_ID, true},
	{"site_id", FIELD_ID},
	{"starts_at", FIELD_TIME, true},
	{"ends_at", FIELD_TIME, true},
	{"tier", FIELD_ENUM, true, 0, 0, tiers},
};

static void shift_target(struct api_req *r, const json_t *obj, struct pol_target *t)
{
	t->site_id = str(obj, "site_id");
	const char *staff = str(obj, "staff_id");
	t->own = staff && strcmp(staff, r->who->id) == 0;
}

/* site_id defaults to the staff member's site (proto/openapi.yaml). */
static bool shift_defaults(struct api_req *r, json_t *body)
{
	char site[65] = "", role[16];
	bool active = false;
	if (str(body, "site_id"))
		return true;
	if (db_staff_site_role(r->db, str(body, "staff_id"), site, role, &active) != CN_OK || !active) {
		api_error(r, CN_ERR_INVALID, "staff_id: no such active staff member");
		return false;
	}
	if (!site[0]) {
		api_error(r, CN_ERR_INVALID, "site_id: required, the staff member has no site");
		return false;
	}
	json_object_set_new(body, "site_id", json_string(site));
	return true;
}

static bool shift_prepare(struct api_req *r, json_t *body, const json_t *before)
{
	(void)before;
	int64_t from = 0, to = 0;
	const char *s = str(body, "starts_at"), *e = str(body, "ends_at");
	cn_time_parse_rfc3339(s, strlen(s), &from);
	cn_time_parse_rfc3339(e, strlen(e), &to);
	if (to <= from) {
		api_error(r, CN_ERR_INVALID, "ends_at: must be after starts_at");
		return false;
	}
	if (to - from > 7LL * 86400 * 1000) {
		api_error(r, CN_ERR_INVALID, "ends_at: a shift is at most 7 days");
		return false;
	}
	if (!check_site_ref(r, "site_id", str(body, "site_id")))
		return false;
	char site[65], role[16];
	bool active = false;
	if (db_staff_site_role(r->db, str(body, "staff_id"), site, role, &active) != CN_OK || !active) {
		api_error(r, CN_ERR_INVALID, "staff_id: no such active staff member");
		return false;
	}
	if (strcmp(role, "volunteer") == 0 || strcmp(role, "family") == 0) {
		api_error(r, CN_ERR_INVALID, "staff_id: %s members do not take on-call shifts", role);
		return false;
	}
	bool overlaps = false;
	if (db_shift_overlaps(r->db, str(body, "staff_id"), from, to, &overlaps) == CN_OK && overlaps) {
		api_error(r, CN_ERR_CONFLICT, "staff_id: overlaps another shift of this staff member");
		return false;
	}
	return true;
}

const struct api_resource api_shifts = {
	.desc = &db_shifts,
	.pol = PR_SHIFT,
	.id_prefix = "shift_",
	.fields = shift_fields,
	.n_fields = N(shift_fields),
	.target = shift_target,
	.prepare = shift_prepare,
	.defaults = shift_defaults,
};

/* ---- service catalogue ---- */

static const struct field_spec service_fields[] = {
	{"id", FIELD_ID},
	{"name", FIELD_STRING, true, 1, 200},
	{"category", FIELD_ENUM, true, 0, 0, categories},
	{"provider", FIELD_ENUM, true, 0, 0, providers},
	{"duration_min", FIELD_INT, true, 1, 1440},
	{"active", FIELD_BOOL},
};

const struct api_resource api_services = {
	.desc = &db_services,
	.pol = PR_SERVICE,
	.id_prefix = "svc_",
	.fields = service_fields,
	.n_fields = N(service_fields),
};
