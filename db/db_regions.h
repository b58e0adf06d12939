/* Regions (district, street, community) above sites: the descriptor for
 * the generic record handlers and the tree walks the API needs. All SQL of
 * regions lives in db_regions.c. */
#ifndef CN_DB_REGIONS_H
#define CN_DB_REGIONS_H

#include <stdbool.h>

#include "db.h"
#include "db_crud.h"

extern const struct res_desc db_regions;

/* Sets *found when `ancestor` is `id` itself or one of its ancestors
 * (walking parent_id up, at most 16 steps). Returns CN_OK, or CN_ERR_DB. */
enum cn_err db_region_is_within(struct db *db, const char *id, const char *ancestor, bool *found);

/* Sets *found when region `id` has children. Returns CN_OK, or CN_ERR_DB. */
enum cn_err db_region_has_children(struct db *db, const char *id, bool *found);

#endif
