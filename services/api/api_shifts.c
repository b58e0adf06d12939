/* On-call shifts (/v1/shifts): fields, the site defaulting to the staff
 * member's, and the checks of times, role and overlap. */
#include <string.h>

#include "api_records.h"
#include "api_refs.h"
#include "db.h"
#include "db_auth.h"
#include "db_records.h"
#include "payload.h"

static const char *const tiers[] = {"primary", "backup", "supervisor", "off", NULL};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

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
	if (!api_ref_site(r, "site_id", str(body, "site_id")))
		return false;
	char site[65], role[16];
	bool active = false;
	if (db_staff_site_role(r->db, str(body, "staff_id"), site, role, &active) != CN_OK ||
	    !active) {
		api_error(r, CN_ERR_INVALID, "staff_id: no such active staff member");
		return false;
	}
	if (strcmp(role, "volunteer") == 0 || strcmp(role, "family") == 0) {
		api_error(r, CN_ERR_INVALID, "staff_id: %s members do not take on-call shifts",
		          role);
		return false;
	}
	bool overlaps = false;
	if (db_shift_overlaps(r->db, str(body, "staff_id"), from, to, &overlaps) == CN_OK &&
	    overlaps) {
		api_error(r, CN_ERR_CONFLICT,
		          "staff_id: overlaps another shift of this staff member");
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
