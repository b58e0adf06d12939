#include "db_regions.h"

#include <string.h>

#define SET(c) c " = CASE WHEN :has_" c " = 1 THEN :" c " ELSE " c " END, "
#define REGION_COLUMNS \
	"id, name, level, parent_id, created_at AS \"created_at@t\", updated_at AS \"updated_at@t\""

static const struct res_col region_cols[] = {
	{"name", COL_TEXT}, {"level", COL_TEXT}, {"parent_id", COL_TEXT}};

static const char *const region_filters[] = {"parent_id", "level", NULL};

const struct res_desc db_regions = {
	.name = "regions",
	.cols = region_cols,
	.n_cols = 3,
	.sql_insert = "INSERT INTO regions(id, name, level, parent_id, created_at, updated_at)"
		      " VALUES (:id, :name, :level, :parent_id, :now, :now)",
	.sql_update = "UPDATE regions SET " SET("name") SET("level")
		SET("parent_id") " updated_at = :now WHERE id = :id",
	.sql_get = "SELECT " REGION_COLUMNS " FROM regions WHERE id = :id",
	.sql_list = "SELECT rowid AS _key, " REGION_COLUMNS " FROM regions WHERE rowid > :after"
		    " AND (:region IS NULL OR id IN " DB_REGION_SUBTREE ")"
		    " AND (:f_parent_id IS NULL OR parent_id = :f_parent_id)"
		    " AND (:f_level IS NULL OR level = :f_level)"
		    " ORDER BY rowid LIMIT :limit",
	.sql_delete = "SELECT 1 WHERE 1 = 0", /* regions are never deleted */
	.filters = region_filters,
};

enum cn_err db_region_is_within(struct db *db, const char *id, const char *ancestor, bool *found)
{
	*found = false;
	/* A recursive walk up, bounded in depth even if the data were bad. */
	struct db_stmt *st = db_stmt(db, "WITH RECURSIVE up(id, parent_id, depth) AS ("
	                                 " SELECT id, parent_id, 0 FROM regions WHERE id = :id"
	                                 " UNION ALL SELECT r.id, r.parent_id, up.depth + 1"
	                                 " FROM regions r JOIN up ON r.id = up.parent_id"
	                                 " WHERE up.depth < 16)"
	                                 " SELECT count(*) FROM up WHERE id = :ancestor");
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":id", id);
	db_bind_named_text(st, ":ancestor", ancestor);
	int64_t n = 0;
	enum cn_err rc = db_step_int64(st, &n);
	*found = rc == CN_OK && n > 0;
	return rc;
}

enum cn_err db_region_has_children(struct db *db, const char *id, bool *found)
{
	*found = false;
	struct db_stmt *st = db_stmt(db, "SELECT count(*) FROM regions WHERE parent_id = :id");
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":id", id);
	int64_t n = 0;
	enum cn_err rc = db_step_int64(st, &n);
	*found = rc == CN_OK && n > 0;
	return rc;
}

enum cn_err db_region_holds_site(struct db *db, const char *region_id, const char *site_id,
                                 bool *found)
{
	static const char sql[] =
		"SELECT count(*) FROM sites WHERE id = :site AND region_id IN " DB_REGION_SUBTREE;
	*found = false;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":site", site_id);
	db_bind_named_text(st, ":region", region_id);
	int64_t n = 0;
	enum cn_err rc = db_step_int64(st, &n);
	*found = rc == CN_OK && n > 0;
	return rc;
}

enum cn_err db_region_site_ids(struct db *db, const char *region_id, json_t **out)
{
	static const char sql[] =
		"SELECT s.id FROM sites s WHERE s.region_id IN " DB_REGION_SUBTREE " ORDER BY s.id";
	*out = NULL;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":region", region_id);
	json_t *arr = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(arr, json_string((const char *)db_col_text(st, 0)));
	db_reset(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_err(rc);
	}
	*out = arr;
	return CN_OK;
}
