/* Residents (/v1/residents): fields with the nested monitoring settings,
 * emergency contacts and needs; family visibility; the rule deadlines
 * rebuilt when the settings change; their devices on discharge. The other
 * record resources are api_sites.c, api_staff.c, api_devices.c,
 * api_shifts.c and api_services.c, all on res_* (api_crud.c). */
#include <stdio.h>
#include <string.h>

#include "api_evidence.h"
#include "api_records.h"
#include "api_refs.h"
#include "api_regions.h"
#include "app.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "db_auth.h"
#include "db_records.h"
#include "devices.h"
#include "payload.h"
#include "rules.h"
#include "scheduler.h"
#include "topic.h"
#include "windows.h"

static const char *const statuses[] = {"enrolled", "paused", "discharged", NULL};
static const char *const presences[] = {"home", "daycare", "away", NULL};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

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
	{"location", FIELD_OBJECT, false, 0, 0, NULL, true},
	{"subsidy", FIELD_OBJECT, false, 0, 0, NULL, true},
	/* key safe, door code: on a staff member's ack page while active */
	{"access_notes", FIELD_STRING, false, 0, 1000, NULL, true},
};

/* What the resident's month is settled against (contract section 8). */
static const struct field_spec subsidy_fields[] = {
	{"scheme", FIELD_STRING, true, 1, 100},
	{"monthly_cents", FIELD_INT, true, 0, 100000000},
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
	/* how a page reaches them (contract.md section 4) */
	{"email", FIELD_STRING, false, 3, 254, NULL, true},
	{"notify", FIELD_BOOL},
	{"channels", FIELD_ARRAY, false, 0, 10},
	{"order", FIELD_INT, false, 0, 100},
};

const struct field_spec api_need_fields[] = {
	{"category", FIELD_ENUM, true, 0, 0, api_categories},
	{"text", FIELD_STRING, true, 1, 500},
};

const size_t api_monitoring_field_count = N(api_monitoring_fields);
const size_t api_contact_field_count = N(api_contact_fields);
const size_t api_need_field_count = N(api_need_fields);

static void resident_target(struct api_req *r, const json_t *obj, struct pol_target *t)
{
	t->site_id = str(obj, "site_id");
	t->family_member = api_ref_family_of(r, str(obj, "id"));
	t->in_region = api_region_holds_site(r, t->site_id);
}

static bool check_items(struct api_req *r, const json_t *arr, const char *name,
                        const struct field_spec *spec, size_t n)
{
	size_t i;
	json_t *v;
	json_array_foreach (arr, i, v) {
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
		json_object_foreach (body, key, v) {
			if (strcmp(key, "presence") && strcmp(key, "presence_until")) {
				api_error(r, CN_ERR_FORBIDDEN,
				          "%s: caregivers may change only presence", key);
				return false;
			}
		}
	}
	const char *site = str(body, "site_id");
	if (site && !api_ref_site(r, "site_id", site))
		return false;
	if (!check_items(r, json_object_get(body, "emergency_contacts"), "emergency_contacts",
	                 api_contact_fields, N(api_contact_fields)) ||
	    !check_items(r, json_object_get(body, "needs"), "needs", api_need_fields,
	                 N(api_need_fields)))
		return false;
	/* Where the resident lives: the point visits are checked against. */
	json_t *loc = json_object_get(body, "location");
	struct api_location where;
	if (loc && !json_is_null(loc) && !api_location_parse(r, "location", loc, &where))
		return false;
	json_t *sub = json_object_get(body, "subsidy");
	if (sub && !json_is_null(sub) &&
	    !validate_fields(r, sub, "subsidy.", subsidy_fields, N(subsidy_fields), false))
		return false;
	size_t ci;
	json_t *ec;
	json_array_foreach (json_object_get(body, "emergency_contacts"), ci, ec) {
		size_t k;
		json_t *cid;
		json_array_foreach (json_object_get(ec, "channels"), k, cid) {
			char field[80];
			snprintf(field, sizeof(field), "emergency_contacts[%zu].channels[%zu]", ci,
			         k);
			if (!json_is_string(cid) ||
			    !api_ref_channel(r, field, json_string_value(cid)))
				return false;
		}
	}
	json_t *mon = json_object_get(body, "monitoring");
	if (mon) {
		if (!validate_fields(r, mon, "monitoring.", api_monitoring_fields,
		                     N(api_monitoring_fields), true))
			return false;
		/* Stored as columns: flatten into the body the SQL binds. */
		json_object_update(body, mon);
		json_object_del(body, "monitoring");
	}
	return true;
}

static void resident_present(struct api_req *r, json_t *obj)
{
	/* Family members see their relative's status and presence, not the
	 * care record. */
	static const char *const keep_family[] = {"id",     "site_id",  "name",
	                                          "status", "presence", "presence_until"};
	/* An officer sees names and the subsidy the services are settled
	 * against: nothing of health, contacts or the home (issue 19). */
	static const char *const keep_officer[] = {"id", "site_id", "name", "status", "subsidy"};
	const char *const *keep = keep_family;
	size_t n = N(keep_family);
	if (r->who->role == ROLE_OFFICER) {
		keep = keep_officer;
		n = N(keep_officer);
	} else if (r->who->role != ROLE_FAMILY) {
		return;
	}
	json_t *copy = json_object();
	for (size_t i = 0; i < n; i++) {
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
	json_array_foreach (devs, i, v) {
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
		api_error(r, CN_ERR_CONFLICT, "resident %s has an active alert: resolve it first",
		          id);
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
		rc = history ? db_res_delete(r->db, &db_residents, id, r->now)
		             : db_resident_delete(r->db, id);
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
