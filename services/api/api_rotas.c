/* /v1/rotas: the standing weekly plan of who is on call (contract
 * section 5). Shifts (api_records.c) stay the one-off overrides; who is
 * on call from both is alerting/oncall.c. */
#include <string.h>

#include "api_crud.h"
#include "api_records.h"
#include "db_records.h"
#include "db_rotas.h"
#include "rota.h"

#define N(a) (sizeof(a) / sizeof(a[0]))

static const char *const rota_tiers[] = {"primary", "backup", "supervisor", NULL};

static const struct field_spec rota_fields[] = {
	{"id", FIELD_ID},
	{"site_id", FIELD_ID},
	{"staff_id", FIELD_ID, true},
	{"tier", FIELD_ENUM, true, 0, 0, rota_tiers},
	{"days", FIELD_ARRAY, true, 1, 7},
	{"from", FIELD_HHMM, true},
	{"to", FIELD_HHMM, true},
	{"starts_on", FIELD_DATE, false, 0, 0, NULL, true},
	{"ends_on", FIELD_DATE, false, 0, 0, NULL, true},
};

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static void rota_target(struct api_req *r, const json_t *obj, struct pol_target *t)
{
	t->site_id = str(obj, "site_id");
	const char *staff = str(obj, "staff_id");
	t->own = staff && strcmp(staff, r->who->id) == 0;
}

/* site_id defaults to the staff member's site, as for shifts. */
static bool rota_defaults(struct api_req *r, json_t *body)
{
	char site[65] = "", role[16];
	bool active = false;
	if (str(body, "site_id"))
		return true;
	if (db_staff_site_role(r->db, str(body, "staff_id"), site, role, &active) != CN_OK ||
	    !active) {
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

/* Days: distinct "mon".."sun"; stored as given, in week order. */
static bool check_days(struct api_req *r, json_t *body)
{
	json_t *days = json_object_get(body, "days");
	if (!days)
		return true;
	if (json_array_size(days) == 0) {
		api_error(r, CN_ERR_INVALID, "days: at least one day");
		return false;
	}
	unsigned bits = 0;
	size_t i;
	json_t *d;
	json_array_foreach (days, i, d) {
		unsigned bit = rota_day_bit(json_string_value(d));
		if (!bit || (bits & bit)) {
			api_error(r, CN_ERR_INVALID, "days[%zu]: one of mon..sun, each once", i);
			return false;
		}
		bits |= bit;
	}
	static const char *const names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
	json_t *ordered = json_array();
	for (int k = 0; k < 7; k++)
		if (bits & (1u << k))
			json_array_append_new(ordered, json_string(names[k]));
	json_object_set_new(body, "days", ordered);
	return true;
}

static bool rota_prepare(struct api_req *r, json_t *body, const json_t *before)
{
	if (!check_days(r, body))
		return false;
	/* Checks on the object as it will be after the write. */
	const char *staff = str(body, "staff_id") ? str(body, "staff_id") : str(before, "staff_id");
	const char *site = str(body, "site_id") ? str(body, "site_id") : str(before, "site_id");
	json_t *s_on = json_object_get(body, "starts_on") ? json_object_get(body, "starts_on")
	                                                  : json_object_get(before, "starts_on");
	json_t *e_on = json_object_get(body, "ends_on") ? json_object_get(body, "ends_on")
	                                                : json_object_get(before, "ends_on");
	int32_t a = 0, b = 0;
	if (json_is_string(s_on) && json_is_string(e_on) &&
	    rota_parse_date(json_string_value(s_on), &a) == CN_OK &&
	    rota_parse_date(json_string_value(e_on), &b) == CN_OK && b < a) {
		api_error(r, CN_ERR_INVALID, "ends_on: must not be before starts_on");
		return false;
	}
	json_t *site_obj = NULL;
	if (!site || db_res_get(r->db, &db_sites, site, &site_obj) != CN_OK ||
	    (r->who->role != ROLE_ADMIN && strcmp(site, r->who->site_id) != 0)) {
		json_decref(site_obj);
		api_error(r, CN_ERR_INVALID, "site_id: no such site");
		return false;
	}
	json_decref(site_obj);
	char ssite[65], role[16];
	bool active = false;
	if (!staff || db_staff_site_role(r->db, staff, ssite, role, &active) != CN_OK || !active) {
		api_error(r, CN_ERR_INVALID, "staff_id: no such active staff member");
		return false;
	}
	if (strcmp(role, "volunteer") == 0 || strcmp(role, "family") == 0 ||
	    strcmp(role, "clinician") == 0 || strcmp(role, "officer") == 0) {
		api_error(r, CN_ERR_INVALID, "staff_id: %s members are not on call", role);
		return false;
	}
	return true;
}

const struct api_resource api_rotas = {
	.desc = &db_rotas,
	.pol = PR_SHIFT,
	.id_prefix = "rota_",
	.fields = rota_fields,
	.n_fields = N(rota_fields),
	.target = rota_target,
	.prepare = rota_prepare,
	.defaults = rota_defaults,
};
