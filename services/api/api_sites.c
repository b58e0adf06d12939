/* Sites (/v1/sites): a care site's fields and policy facts. */
#include <string.h>

#include "api_records.h"
#include "api_refs.h"
#include "db_records.h"

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
