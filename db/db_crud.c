#include "db_crud.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"

static int param_index(struct db_stmt *st, const char *prefix, const char *name)
{
	char p[80];
	snprintf(p, sizeof(p), ":%s%s", prefix, name);
	return db_param_index(st, p);
}

void db_bind_json_value(struct db_stmt *st, const char *param, enum col_kind kind, const json_t *v)
{
	int idx = param_index(st, "", param);
	if (!idx)
		return;
	if (!v || json_is_null(v)) {
		db_bind_null(st, idx);
		return;
	}
	switch (kind) {
	case COL_TEXT:
		db_bind_textn(st, idx, json_string_value(v), (int)json_string_length(v));
		break;
	case COL_INT:
		db_bind_int64(st, idx, json_integer_value(v));
		break;
	case COL_BOOL:
		db_bind_int64(st, idx, json_is_true(v));
		break;
	case COL_TIME: {
		int64_t ms = 0;
		const char *s = json_string_value(v);
		if (s && cn_time_parse_rfc3339(s, strlen(s), &ms))
			db_bind_int64(st, idx, ms);
		else
			db_bind_null(st, idx);
		break;
	}
	case COL_JSON: {
		char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		db_bind_textn(st, idx, text ? text : "null", -1);
		free(text);
		break;
	}
	}
}

enum cn_err db_res_insert(struct db *db, const struct res_desc *d, const char *id,
                          const json_t *body, int64_t now)
{
	struct db_stmt *st = db_stmt(db, d->sql_insert);
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":id", id);
	db_bind_named_int(st, ":now", now);
	for (size_t i = 0; i < d->n_cols; i++)
		db_bind_json_value(st, d->cols[i].field, d->cols[i].kind,
		                   json_object_get(body, d->cols[i].field));
	enum cn_err rc = db_step_done(st);
	/* An upsert whose update did not apply inserted nothing: a duplicate. */
	if (rc == CN_OK && db_changes(db) == 0)
		return CN_ERR_CONFLICT;
	return rc;
}

enum cn_err db_res_update(struct db *db, const struct res_desc *d, const char *id,
                          const json_t *patch, int64_t now)
{
	struct db_stmt *st = db_stmt(db, d->sql_update);
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":id", id);
	db_bind_named_int(st, ":now", now);
	for (size_t i = 0; i < d->n_cols; i++) {
		const json_t *v = json_object_get(patch, d->cols[i].field);
		int has = param_index(st, "has_", d->cols[i].field);
		if (has)
			db_bind_int64(st, has, v != NULL);
		if (v)
			db_bind_json_value(st, d->cols[i].field, d->cols[i].kind, v);
	}
	enum cn_err rc = db_step_done(st);
	if (rc == CN_OK && db_changes(db) == 0)
		return CN_ERR_NOT_FOUND;
	return rc;
}

enum cn_err db_res_get(struct db *db, const struct res_desc *d, const char *id, json_t **out)
{
	*out = NULL;
	struct db_stmt *st = db_stmt(db, d->sql_get);
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":id", id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*out = db_row_json(st);
	db_reset(st);
	if (rc == DB_ROW)
		return CN_OK;
	return rc == DB_DONE ? CN_ERR_NOT_FOUND : db_err(rc);
}

enum cn_err db_res_list(struct db *db, const struct res_desc *d, const struct res_list_query *q,
                        json_t **items, int64_t *last_key)
{
	*items = NULL;
	*last_key = 0;
	struct db_stmt *st = db_stmt(db, d->sql_list);
	if (!st)
		return CN_ERR_DB;
	db_bind_named_int(st, ":after", q->after);
	db_bind_named_int(st, ":limit", q->limit);
	db_bind_named_text(st, ":site", q->site);
	db_bind_named_text(st, ":family", q->family);
	db_bind_named_text(st, ":self", q->self);
	db_bind_named_text(st, ":volunteer", q->volunteer);
	db_bind_named_text(st, ":region", q->region);
	for (size_t i = 0; d->filters && d->filters[i] && i < 8; i++) {
		int idx = param_index(st, "f_", d->filters[i]);
		if (idx)
			db_bind_text(st, idx, q->filter_values[i]);
	}
	return db_collect_keyed(st, items, last_key);
}

enum cn_err db_res_delete(struct db *db, const struct res_desc *d, const char *id, int64_t now)
{
	struct db_stmt *st = db_stmt(db, d->sql_delete);
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":id", id);
	db_bind_named_int(st, ":now", now);
	enum cn_err rc = db_step_done(st);
	if (rc == CN_OK && db_changes(db) == 0)
		return CN_ERR_NOT_FOUND;
	return rc;
}

static enum cn_err audit_site_add(struct db *db, int64_t audit_id, const char *site_id)
{
	static const char sql[] = "INSERT INTO audit_sites(audit_id, site_id) VALUES (?1, ?2)"
				  " ON CONFLICT DO NOTHING";
	if (!site_id || !site_id[0])
		return CN_OK;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, audit_id);
	db_bind_text(st, 2, site_id);
	return db_step_done(st);
}

/* The sites one side of a change names: its own site_id, and for an
 * account, the sites of the residents in its resident_ids. */
static enum cn_err audit_sites_of(struct db *db, int64_t audit_id, const json_t *obj)
{
	static const char resident_site[] =
		"INSERT INTO audit_sites(audit_id, site_id)"
		" SELECT ?1, site_id FROM residents WHERE id = ?2 AND site_id IS NOT NULL"
		" ON CONFLICT DO NOTHING";
	if (!json_is_object(obj))
		return CN_OK;
	enum cn_err rc =
		audit_site_add(db, audit_id, json_string_value(json_object_get(obj, "site_id")));
	const json_t *ids = json_object_get(obj, "resident_ids");
	size_t i;
	const json_t *id;
	json_array_foreach (ids, i, id) {
		if (rc != CN_OK)
			break;
		if (!json_is_string(id))
			continue;
		struct db_stmt *st = db_stmt(db, resident_site);
		if (!st)
			return CN_ERR_DB;
		db_bind_int64(st, 1, audit_id);
		db_bind_text(st, 2, json_string_value(id));
		rc = db_step_done(st);
	}
	return rc;
}

enum cn_err db_audit_add(struct db *db, int64_t now, const char *actor_id, const char *site_id,
                         const char *action, const char *resource, const char *resource_id,
                         const json_t *before, const json_t *after)
{
	static const char sql[] =
		"INSERT INTO audit(ts, actor_id, site_id, action, resource, resource_id, before, after)"
		" VALUES (:now, :actor, :site, :action, :resource, :rid, :before, :after) RETURNING id";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_named_int(st, ":now", now);
	db_bind_named_text(st, ":actor", actor_id);
	db_bind_named_text(st, ":site", site_id);
	db_bind_named_text(st, ":action", action);
	db_bind_named_text(st, ":resource", resource);
	db_bind_named_text(st, ":rid", resource_id);
	db_bind_json_value(st, "before", COL_JSON, before);
	db_bind_json_value(st, "after", COL_JSON, after);
	int64_t audit_id = 0;
	enum cn_err rc = db_step_int64(st, &audit_id);
	if (rc == CN_OK)
		rc = audit_site_add(db, audit_id, site_id);
	if (rc == CN_OK)
		rc = audit_sites_of(db, audit_id, before);
	if (rc == CN_OK)
		rc = audit_sites_of(db, audit_id, after);
	return rc;
}
