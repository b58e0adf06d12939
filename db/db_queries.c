#include "db_queries.h"

#include <string.h>

/* Adds `sites`: every site the row's action touched (audit_sites). */
static enum cn_err audit_row_sites(struct db *db, json_t *row)
{
	static const char sql[] =
		"SELECT site_id FROM audit_sites WHERE audit_id = ?1 ORDER BY site_id";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	const char *id = json_string_value(json_object_get(row, "id"));
	db_bind_int64(st, 1, id ? strtoll(id, NULL, 10) : 0);
	json_t *sites = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(sites, json_string((const char *)db_col_text(st, 0)));
	db_reset(st);
	json_object_set_new(row, "sites", sites);
	return rc == DB_DONE ? CN_OK : db_err(rc);
}

enum cn_err db_audit_list(struct db *db, const struct db_audit_query *q, json_t **items,
                          int64_t *last_key)
{
	static const char sql[] =
		"SELECT id AS _key, CAST(id AS TEXT) AS id, ts AS \"ts@t\", actor_id, site_id, action,"
		" resource, resource_id, before AS \"before@j\", after AS \"after@j\" FROM audit"
		" WHERE (?1 = 0 OR id < ?1) AND (?2 IS NULL OR EXISTS (SELECT 1 FROM audit_sites s"
		" WHERE s.audit_id = audit.id AND s.site_id = ?2))"
		" AND (?3 IS NULL OR resource = ?3) AND (?4 IS NULL OR ts >= ?4)"
		/* audit.id, not the text alias `id`: "9" sorts after "13". */
		" ORDER BY audit.id DESC LIMIT ?5";
	struct db_stmt *st = db_stmt(db, sql);
	*items = NULL;
	*last_key = 0;
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, q->after);
	db_bind_text(st, 2, q->site);
	db_bind_text(st, 3, q->resource);
	db_bind_opt_int(st, 4, q->has_since, q->since);
	db_bind_int64(st, 5, q->limit);
	enum cn_err rc = db_collect_keyed(st, items, last_key);
	size_t i;
	json_t *row;
	json_array_foreach (*items, i, row) {
		if (rc != CN_OK)
			break;
		rc = audit_row_sites(db, row);
	}
	if (rc != CN_OK) {
		json_decref(*items);
		*items = NULL;
	}
	return rc;
}
