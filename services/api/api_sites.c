/* Sites (/v1/sites): a care site's fields and policy facts. */
#include <stdlib.h>
#include <string.h>

#include "api_records.h"
#include "api_refs.h"
#include "api_regions.h"
#include "db_records.h"
#include "db_regions.h"
#include "xalloc.h"
#include "zone.h"

/* The language of the site's channel messages and ack pages. */
static const char *const locales[] = {"zh-CN", "en", NULL};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static const struct field_spec site_fields[] = {
	{"id", FIELD_ID},
	{"name", FIELD_STRING, true, 1, 200},
	{"address", FIELD_STRING, false, 0, 500, NULL, true},
	{"phone", FIELD_STRING, false, 0, 40, NULL, true},
	{"region_id", FIELD_ID, false, 0, 0, NULL, true},
	{"visit_radius_m", FIELD_INT, false, 10, 100000},
	{"locale", FIELD_ENUM, false, 0, 0, locales},
	/* issue 15 */
	{"timezone", FIELD_STRING, false, 1, ZONE_NAME_MAX, NULL, true},
	{"onsite_timeout_s", FIELD_INT, false, 1, 86400},
};

/* A site's time zone must be one the system knows (its rotas are read in
 * it; issue 15). */
static bool zone_known(struct api_req *r, const json_t *body)
{
	const char *tz = str(body, "timezone");
	if (!tz)
		return true;
	struct tzif *z = xcalloc(1, sizeof(*z));
	bool ok = zone_load(tz, z) == CN_OK;
	free(z);
	if (!ok)
		api_error(r, CN_ERR_INVALID,
		          "timezone: not a known IANA time zone (Europe/London)");
	return ok;
}

static void site_target(struct api_req *r, const json_t *obj, struct pol_target *t)
{
	t->site_id = str(obj, "id");
	t->in_region = api_region_holds_site(r, t->site_id);
}

/* A site's region must exist (400 naming the field otherwise). */
static bool site_prepare(struct api_req *r, json_t *body, const json_t *before)
{
	(void)before;
	const char *region = str(body, "region_id");
	json_t *reg = NULL;
	if (region && db_res_get(r->db, &db_regions, region, &reg) != CN_OK) {
		api_error(r, CN_ERR_INVALID, "region_id: no such region");
		return false;
	}
	json_decref(reg);
	return zone_known(r, body);
}

const struct api_resource api_sites = {
	.desc = &db_sites,
	.pol = PR_SITE,
	.id_prefix = "site_",
	.fields = site_fields,
	.n_fields = N(site_fields),
	.target = site_target,
	.prepare = site_prepare,
};
