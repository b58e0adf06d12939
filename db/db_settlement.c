#include "db_settlement.h"

#include <stdio.h>

enum cn_err db_settlement_visits(struct db *db, const char *site_id, int64_t from, int64_t to,
                                 json_t **out)
{
	*out = NULL;
	sqlite3_stmt *st = db_stmt(
		db,
		"SELECT p.id, p.name, p.subsidy, q.id, s.id,"
		" coalesce(q.billed_unit, s.unit), coalesce(q.billed_price_cents,"
		" s.price_cents), coalesce(q.billed_duration_min, s.duration_min), coalesce(q.started_at, 0), q.completed_at"
		" FROM requests q JOIN residents p ON p.id = q.resident_id"
		" JOIN services s ON s.id = q.service_id"
		" WHERE p.site_id = :site AND q.status = 'done'"
		" AND q.completed_at >= :from AND q.completed_at < :to"
		" ORDER BY p.id, q.completed_at, q.id");
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":site", site_id);
	db_bind_named_int(st, ":from", from);
	db_bind_named_int(st, ":to", to);
	json_t *arr = json_array();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *sub = (const char *)sqlite3_column_text(st, 2);
		json_array_append_new(
			arr, json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:I, s:I, s:I, s:I}",
		                       "resident_id", (const char *)sqlite3_column_text(st, 0),
		                       "resident_name", (const char *)sqlite3_column_text(st, 1),
		                       "subsidy", sub, "request_id",
		                       (const char *)sqlite3_column_text(st, 3), "service_id",
		                       (const char *)sqlite3_column_text(st, 4), "unit",
		                       (const char *)sqlite3_column_text(st, 5), "price_cents",
		                       (json_int_t)sqlite3_column_int64(st, 6), "duration_min",
		                       (json_int_t)sqlite3_column_int64(st, 7), "started_at",
		                       (json_int_t)sqlite3_column_int64(st, 8), "completed_at",
		                       (json_int_t)sqlite3_column_int64(st, 9)));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return db_err(rc);
	}
	*out = arr;
	return CN_OK;
}

enum cn_err db_settlement_close(struct db *db, const char *site_id, const char *month,
                                const char *by, int64_t now)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO settlement_closes(site_id, month, closed_by,"
	                               " closed_at) VALUES (:site, :month, :by, :now)"
	                               " ON CONFLICT (site_id, month) DO NOTHING");
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":site", site_id);
	db_bind_named_text(st, ":month", month);
	db_bind_named_text(st, ":by", by);
	db_bind_named_int(st, ":now", now);
	enum cn_err rc = db_step_done(st);
	if (rc == CN_OK && sqlite3_changes(db_handle(db)) == 0)
		rc = CN_ERR_CONFLICT;
	return rc;
}

enum cn_err db_settlement_is_closed(struct db *db, const char *site_id, const char *month,
                                    bool *closed)
{
	*closed = false;
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM settlement_closes"
	                               " WHERE site_id = :site AND month = :month");
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":site", site_id);
	db_bind_named_text(st, ":month", month);
	int64_t n = 0;
	enum cn_err rc = db_step_int64(st, &n);
	*closed = rc == CN_OK && n > 0;
	return rc;
}

enum cn_err db_settlement_bill(struct db *db, const char *request_id)
{
	sqlite3_stmt *st = db_stmt(
		db, "UPDATE requests SET billed_price_cents = (SELECT price_cents FROM services"
		    " WHERE id = requests.service_id), billed_unit = (SELECT unit FROM services"
		    " WHERE id = requests.service_id), billed_duration_min = (SELECT duration_min"
		    " FROM services WHERE id = requests.service_id) WHERE id = :id");
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":id", request_id);
	return db_step_done(st);
}

enum cn_err db_settlement_request_month(struct db *db, const char *request_id, char site[65],
                                        int64_t *completed_at)
{
	site[0] = '\0';
	*completed_at = 0;
	sqlite3_stmt *st =
		db_stmt(db, "SELECT p.site_id, coalesce(q.completed_at, 0) FROM requests q"
	                    " JOIN residents p ON p.id = q.resident_id WHERE q.id = :id");
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":id", request_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *sv = (const char *)sqlite3_column_text(st, 0);
		snprintf(site, 65, "%s", sv ? sv : "");
		*completed_at = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? CN_OK : rc == SQLITE_DONE ? CN_ERR_NOT_FOUND : db_err(rc);
}

enum cn_err db_volunteer_visits(struct db *db, const char *staff_id, int64_t from, int64_t to,
                                int limit, json_t **out)
{
	*out = NULL;
	sqlite3_stmt *st = db_stmt(
		db, "SELECT q.id, q.service_id, coalesce(q.billed_duration_min, s.duration_min),"
		    " coalesce(q.started_at, 0), q.completed_at FROM requests q"
		    " JOIN services s ON s.id = q.service_id JOIN staff w ON w.id = q.assignee_id"
		    " WHERE q.assignee_id = :staff AND w.role = 'volunteer' AND q.status = 'done'"
		    " AND q.completed_at >= :from AND q.completed_at < :to"
		    " ORDER BY q.completed_at, q.id LIMIT :limit");
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":staff", staff_id);
	db_bind_named_int(st, ":from", from);
	db_bind_named_int(st, ":to", to);
	db_bind_named_int(st, ":limit", limit);
	json_t *arr = json_array();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(
			arr, json_pack("{s:s, s:s, s:I, s:I, s:I}", "request_id",
		                       (const char *)sqlite3_column_text(st, 0), "service_id",
		                       (const char *)sqlite3_column_text(st, 1), "duration_min",
		                       (json_int_t)sqlite3_column_int64(st, 2), "started_at",
		                       (json_int_t)sqlite3_column_int64(st, 3), "completed_at",
		                       (json_int_t)sqlite3_column_int64(st, 4)));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return db_err(rc);
	}
	*out = arr;
	return CN_OK;
}
