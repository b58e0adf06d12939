/* Regions: what they need beyond res_* is the shape of the tree. A
 * region's parent is one level up (a district has none, a street's parent
 * is a district, a community's a street), and a parent may not be the
 * region itself or one of its descendants, so the tree never loops. */
#include "api_regions.h"

#include <string.h>

#include "db_regions.h"

static const char *const levels[] = {"district", "street", "community", NULL};

static const struct field_spec region_fields[] = {
	{"id", FIELD_ID},
	{"name", FIELD_STRING, true, 1, 200},
	{"level", FIELD_ENUM, true, 0, 0, levels},
	{"parent_id", FIELD_ID, false, 0, 0, NULL, true},
};

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* 0 district, 1 street, 2 community; -1 unknown. */
static int level_rank(const char *level)
{
	for (int i = 0; level && levels[i]; i++)
		if (strcmp(level, levels[i]) == 0)
			return i;
	return -1;
}

static void region_target(struct api_req *r, const json_t *obj, struct pol_target *t)
{
	/* An officer sees their region and what lies below it. */
	const char *id = str(obj, "id");
	if (r->who && r->who->role == ROLE_OFFICER && r->who->region_id[0] && id) {
		bool within = false;
		if (db_region_is_within(r->db, id, r->who->region_id, &within) == CN_OK)
			t->in_region = within;
	}
}

/* The level and parent after the change must fit the tree. */
static bool region_prepare(struct api_req *r, json_t *body, const json_t *before)
{
	json_t *pv = json_object_get(body, "parent_id");
	const char *level = json_object_get(body, "level") ? str(body, "level")
	                                                   : (before ? str(before, "level") : NULL);
	const char *parent =
		pv ? json_string_value(pv) : (before ? str(before, "parent_id") : NULL);
	const char *id = before ? str(before, "id") : NULL;
	int rank = level_rank(level);
	if (rank < 0) {
		api_error(r, CN_ERR_INVALID, "level: one of district, street, community");
		return false;
	}
	if (rank == 0 && parent) {
		api_error(r, CN_ERR_INVALID, "parent_id: a district has no parent");
		return false;
	}
	if (rank > 0 && !parent) {
		api_error(r, CN_ERR_INVALID, "parent_id: required for a %s", level);
		return false;
	}
	if (parent) {
		json_t *p = NULL;
		if (db_res_get(r->db, &db_regions, parent, &p) != CN_OK) {
			api_error(r, CN_ERR_INVALID, "parent_id: no such region");
			return false;
		}
		int prank = level_rank(str(p, "level"));
		json_decref(p);
		if (prank != rank - 1) {
			api_error(r, CN_ERR_INVALID, "parent_id: a %s's parent is a %s", level,
			          levels[rank - 1]);
			return false;
		}
		bool loops = false;
		if (id && db_region_is_within(r->db, parent, id, &loops) == CN_OK && loops) {
			api_error(r, CN_ERR_INVALID, "parent_id: would make a cycle");
			return false;
		}
	}
	/* A region with children keeps its level: they hang one level below. */
	if (before && json_object_get(body, "level") && level_rank(str(before, "level")) != rank) {
		bool kids = false;
		if (db_region_has_children(r->db, id, &kids) == CN_OK && kids) {
			api_error(r, CN_ERR_CONFLICT, "level: the region has children");
			return false;
		}
	}
	return true;
}

const struct api_resource api_regions = {
	.desc = &db_regions,
	.pol = PR_REGION,
	.id_prefix = "reg_",
	.fields = region_fields,
	.n_fields = sizeof(region_fields) / sizeof(region_fields[0]),
	.target = region_target,
	.prepare = region_prepare,
};

bool api_region_holds_site(struct api_req *r, const char *site_id)
{
	bool found = false;
	if (r->who && r->who->role == ROLE_OFFICER && r->who->region_id[0] && site_id)
		db_region_holds_site(r->db, r->who->region_id, site_id, &found);
	return found;
}

bool api_region_readable(struct api_req *r, const char *id)
{
	if (r->who->role != ROLE_ADMIN && r->who->role != ROLE_OFFICER) {
		api_error(r, CN_ERR_FORBIDDEN,
		          "your role (%s) reads a site's figures, not a region's",
		          role_name(r->who->role));
		return false;
	}
	bool within = r->who->role == ROLE_ADMIN;
	if (!within && db_region_is_within(r->db, id, r->who->region_id, &within) != CN_OK)
		within = false;
	json_t *region = NULL;
	if (!within || db_res_get(r->db, &db_regions, id, &region) != CN_OK) {
		api_not_found(r);
		return false;
	}
	json_decref(region);
	return true;
}
