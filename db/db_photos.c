#include "db_photos.h"

#include <stdlib.h>
#include <string.h>

#include "payload.h"
#include "xalloc.h"

enum cn_err db_photo_add(struct db *db, const char *request_id, const char *type,
                         const unsigned char *data, size_t len, const char *by, int64_t now, int *n)
{
	*n = 0;
	struct db_stmt *st = db_stmt(db, "SELECT coalesce(max(n), 0) FROM request_photos"
	                                 " WHERE request_id = :id");
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":id", request_id);
	int64_t last = 0;
	enum cn_err rc = db_step_int64(st, &last);
	if (rc != CN_OK)
		return rc;
	if (last >= DB_PHOTOS_MAX)
		return CN_ERR_CONFLICT;
	st = db_stmt(db,
	             "INSERT INTO request_photos(request_id, n, content_type, size, data,"
	             " uploaded_by, created_at) VALUES (:id, :n, :type, :size, :data, :by, :now)");
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":id", request_id);
	db_bind_named_int(st, ":n", last + 1);
	db_bind_named_text(st, ":type", type);
	db_bind_named_int(st, ":size", (int64_t)len);
	db_bind_blob(st, db_param_index(st, ":data"), data, (int)len);
	db_bind_named_text(st, ":by", by);
	db_bind_named_int(st, ":now", now);
	rc = db_step_done(st);
	if (rc == CN_OK)
		*n = (int)last + 1;
	return rc;
}

enum cn_err db_photo_list(struct db *db, const char *request_id, json_t **out)
{
	*out = NULL;
	struct db_stmt *st = db_stmt(db, "SELECT n, content_type, size, uploaded_by, created_at"
	                                 " FROM request_photos WHERE request_id = :id ORDER BY n");
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":id", request_id);
	json_t *arr = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		char at[32];
		cn_time_format_rfc3339(db_col_int64(st, 4), at);
		json_array_append_new(
			arr,
			json_pack("{s:I, s:s, s:I, s:s, s:s}", "n", (json_int_t)db_col_int64(st, 0),
		                  "content_type", (const char *)db_col_text(st, 1), "size",
		                  (json_int_t)db_col_int64(st, 2), "uploaded_by",
		                  (const char *)db_col_text(st, 3), "created_at", at));
	}
	db_reset(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_err(rc);
	}
	*out = arr;
	return CN_OK;
}

enum cn_err db_photo_get(struct db *db, const char *request_id, int n, char **data, size_t *len,
                         const char **type)
{
	*data = NULL;
	*len = 0;
	*type = NULL;
	struct db_stmt *st = db_stmt(db, "SELECT content_type, data FROM request_photos"
	                                 " WHERE request_id = :id AND n = :n");
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":id", request_id);
	db_bind_named_int(st, ":n", n);
	int rc = db_step(st);
	enum cn_err out = CN_OK;
	if (rc == DB_ROW) {
		const char *t = (const char *)db_col_text(st, 0);
		*type = t && strcmp(t, "image/png") == 0 ? "image/png" : "image/jpeg";
		const void *b = db_col_blob(st, 1);
		int bl = db_col_bytes(st, 1);
		*data = xmalloc(bl > 0 ? (size_t)bl : 1);
		if (b && bl > 0)
			memcpy(*data, b, (size_t)bl);
		*len = bl > 0 ? (size_t)bl : 0;
	} else {
		out = rc == DB_DONE ? CN_ERR_NOT_FOUND : db_err(rc);
	}
	db_reset(st);
	return out;
}

enum cn_err db_visit_confirm(struct db *db, const char *request_id, const char *by, int64_t now)
{
	struct db_stmt *st = db_stmt(db, "INSERT INTO visit_confirmations(request_id, confirmed_by,"
	                                 " confirmed_at) VALUES (:id, :by, :now)"
	                                 " ON CONFLICT (request_id) DO NOTHING");
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":id", request_id);
	db_bind_named_text(st, ":by", by);
	db_bind_named_int(st, ":now", now);
	enum cn_err rc = db_step_done(st);
	if (rc == CN_OK && db_changes(db) == 0)
		rc = CN_ERR_CONFLICT;
	return rc;
}

enum cn_err db_visit_confirmation(struct db *db, const char *request_id, json_t **out)
{
	*out = NULL;
	struct db_stmt *st =
		db_stmt(db, "SELECT confirmed_by, confirmed_at FROM visit_confirmations"
	                    " WHERE request_id = :id");
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":id", request_id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		char at[32];
		cn_time_format_rfc3339(db_col_int64(st, 1), at);
		*out = json_pack("{s:s, s:s}", "confirmed_by", (const char *)db_col_text(st, 0),
		                 "confirmed_at", at);
	} else if (rc == DB_DONE) {
		*out = json_null();
	}
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? CN_OK : db_err(rc);
}
