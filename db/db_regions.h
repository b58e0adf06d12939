/* Regions (district, street, community) above sites: the descriptor for
 * the generic record handlers and the tree walks the API needs. All SQL of
 * regions lives in db_regions.c, but for the subtree macros below, which
 * the list statements of sites, residents and requests share. */
#ifndef CN_DB_REGIONS_H
#define CN_DB_REGIONS_H

#include <stdbool.h>

#include "db.h"
#include "db_crud.h"

/* The ids of region :region and of the regions below it. The tree is at
 * most three levels deep (district > street > community, each parent one
 * level up: api_regions.c), so two joins reach every descendant without
 * a recursive query. The statement binds :region. */
#define DB_REGION_SUBTREE                                                                          \
	"(SELECT g.id FROM regions g WHERE g.id = :region OR g.parent_id = :region OR g.parent_id" \
	" IN (SELECT h.id FROM regions h WHERE h.parent_id = :region))"
/* The ids of the sites in region :region or below. */
#define DB_REGION_SITES "(SELECT rs.id FROM sites rs WHERE rs.region_id IN " DB_REGION_SUBTREE ")"

extern const struct res_desc db_regions;

/* Sets *found when `ancestor` is `id` itself or one of its ancestors
 * (walking parent_id up, at most 16 steps). Returns CN_OK, or CN_ERR_DB. */
enum cn_err db_region_is_within(struct db *db, const char *id, const char *ancestor, bool *found);

/* Sets *found when region `id` has children. Returns CN_OK, or CN_ERR_DB. */
enum cn_err db_region_has_children(struct db *db, const char *id, bool *found);

/* Sets *found when site `site_id` lies in region `region_id` or below.
 * Returns CN_OK, or CN_ERR_DB. */
enum cn_err db_region_holds_site(struct db *db, const char *region_id, const char *site_id,
                                 bool *found);

/* *out: a new array of the ids of the sites in region `region_id` or
 * below, ordered by id. Returns CN_OK, or CN_ERR_DB. */
enum cn_err db_region_site_ids(struct db *db, const char *region_id, json_t **out);

#endif
