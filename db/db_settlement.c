#include "db_settlement.h"

#include <stdio.h>
#include <string.h>

/* One done visit of a site's month, with what the payer checks beside
 * the price it was billed at: off site, photos, the family's word. */
#define VISIT_SQL                                                                                 \
	"SELECT p.id, p.name, p.subsidy, q.id, s.id, s.name,"                                     \
	" coalesce(q.billed_unit, s.unit), coalesce(q.billed_price_cents, s.price_cents),"        \
	" coalesce(q.billed_duration_min, s.duration_min), coalesce(q.started_at, 0),"            \
	" q.completed_at, q.assignee_id,"                                                         \
	" (SELECT coalesce(max(e.off_site), 0) FROM visit_evidence e WHERE e.request_id = q.id)," \
	" (SELECT count(*) FROM request_photos f WHERE f.request_id = q.id),"                     \
	" (SELECT count(*) FROM visit_confirmations c WHERE c.request_id = q.id)"                 \
	" FROM requests q JOIN residents p ON p.id = q.resident_id"                               \
	" JOIN services s ON s.id = q.service_id"                                                 \
	" WHERE p.site_id = :site AND q.status = 'done'"                                          \
	" AND q.completed_at >= :from AND q.completed_at < :to"                                   \
	" ORDER BY p.id, q.completed_at, q.id"

static const char *text(struct db_stmt *st, int col) { return (const char *)db_col_text(st, col); }

enum cn_err db_settlement_visits(struct db *db, const char *site_id, int64_t from, int64_t to,
                                 json_t **out)
{
	*out = NULL;
	struct db_stmt *st = db_stmt(db, VISIT_SQL);
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":site", site_id);
	db_bind_named_int(st, ":from", from);
	db_bind_named_int(st, ":to", to);
	json_t *arr = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *v = json_pack(
			"{s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s?, s:b, s:I, s:b}",
			"resident_id", text(st, 0), "resident_name", text(st, 1), "subsidy",
			text(st, 2), "request_id", text(st, 3), "service_id", text(st, 4),
			"service_name", text(st, 5), "unit", text(st, 6), "price_cents",
			(json_int_t)db_col_int64(st, 7), "duration_min",
			(json_int_t)db_col_int64(st, 8), "started_at",
			(json_int_t)db_col_int64(st, 9), "completed_at",
			(json_int_t)db_col_int64(st, 10), "assignee_id", text(st, 11), "off_site",
			db_col_int64(st, 12) != 0, "photos", (json_int_t)db_col_int64(st, 13),
			"confirmed", db_col_int64(st, 14) != 0);
		if (v)
			json_array_append_new(arr, v);
	}
	db_reset(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_err(rc);
	}
	*out = arr;
	return CN_OK;
}

enum cn_err db_settlement_adjustments(struct db *db, const char *site_id, const char *month,
                                      json_t **out)
{
	static const char sql[] =
		"SELECT a.id, a.resident_id, p.name, p.subsidy, a.for_month, a.request_id,"
		" a.amount_cents, a.reason, a.created_by, a.created_at"
		" FROM settlement_adjustments a JOIN residents p ON p.id = a.resident_id"
		" WHERE a.site_id = :site AND a.month = :month ORDER BY a.resident_id, a.id";
	*out = NULL;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":site", site_id);
	db_bind_named_text(st, ":month", month);
	json_t *arr = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		char id[24];
		snprintf(id, sizeof(id), "%lld", (long long)db_col_int64(st, 0));
		json_t *v = json_pack(
			"{s:s, s:s, s:s, s:s?, s:s, s:s?, s:I, s:s, s:s, s:I}", "id", id,
			"resident_id", text(st, 1), "resident_name", text(st, 2), "subsidy",
			text(st, 3), "for_month", text(st, 4), "request_id", text(st, 5),
			"amount_cents", (json_int_t)db_col_int64(st, 6), "reason", text(st, 7),
			"created_by", text(st, 8), "created_at", (json_int_t)db_col_int64(st, 9));
		if (v)
			json_array_append_new(arr, v);
	}
	db_reset(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_err(rc);
	}
	*out = arr;
	return CN_OK;
}

enum cn_err db_settlement_adjust(struct db *db, const struct db_adjustment *a, int64_t now,
                                 int64_t *id)
{
	static const char sql[] =
		"INSERT INTO settlement_adjustments(site_id, resident_id, month, for_month,"
		" request_id, amount_cents, reason, created_by, created_at)"
		" VALUES (:site, :resident, :month, :for_month, :request, :amount, :reason, :by, :now)"
		" RETURNING id";
	*id = 0;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":site", a->site_id);
	db_bind_named_text(st, ":resident", a->resident_id);
	db_bind_named_text(st, ":month", a->month);
	db_bind_named_text(st, ":for_month", a->for_month);
	db_bind_named_text(st, ":request", a->request_id);
	db_bind_named_int(st, ":amount", a->amount_cents);
	db_bind_named_text(st, ":reason", a->reason);
	db_bind_named_text(st, ":by", a->created_by);
	db_bind_named_int(st, ":now", now);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_col_int64(st, 0);
		rc = db_step(st);
	}
	db_reset(st);
	return rc == DB_DONE ? CN_OK : db_err(rc);
}

enum cn_err db_settlement_close(struct db *db, const char *site_id, const char *month,
                                const char *by, int64_t now, const char *report)
{
	static const char sql[] = "INSERT INTO settlement_closes(site_id, month, closed_by,"
				  " closed_at, report) VALUES (:site, :month, :by, :now, :report)"
				  " ON CONFLICT (site_id, month) DO NOTHING";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":site", site_id);
	db_bind_named_text(st, ":month", month);
	db_bind_named_text(st, ":by", by);
	db_bind_named_int(st, ":now", now);
	db_bind_named_text(st, ":report", report);
	enum cn_err rc = db_step_done(st);
	if (rc == CN_OK && db_changes(db) == 0)
		rc = CN_ERR_CONFLICT;
	return rc;
}

enum cn_err db_settlement_closed(struct db *db, const char *site_id, const char *month,
                                 bool *closed, json_t **report)
{
	static const char sql[] = "SELECT report FROM settlement_closes"
				  " WHERE site_id = :site AND month = :month";
	*closed = false;
	if (report)
		*report = NULL;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":site", site_id);
	db_bind_named_text(st, ":month", month);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		*closed = true;
		const char *t = text(st, 0);
		if (report && t)
			*report = json_loads(t, 0, NULL);
	}
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? CN_OK : db_err(rc);
}

enum cn_err db_settlement_last_closed(struct db *db, const char *site_id, char month[8])
{
	static const char sql[] = "SELECT max(month) FROM settlement_closes WHERE site_id = :site";
	month[0] = '\0';
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":site", site_id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		const char *t = text(st, 0);
		snprintf(month, 8, "%s", t ? t : "");
	}
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? CN_OK : db_err(rc);
}

enum cn_err db_settlement_bill(struct db *db, const char *request_id)
{
	static const char sql[] =
		"UPDATE requests SET billed_price_cents = (SELECT price_cents FROM services"
		" WHERE id = requests.service_id), billed_unit = (SELECT unit FROM services"
		" WHERE id = requests.service_id), billed_duration_min = (SELECT duration_min"
		" FROM services WHERE id = requests.service_id) WHERE id = :id";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":id", request_id);
	return db_step_done(st);
}

enum cn_err db_settlement_request_month(struct db *db, const char *request_id, char site[65],
                                        char resident[65], int64_t *completed_at)
{
	static const char sql[] = "SELECT p.site_id, p.id, coalesce(q.completed_at, 0)"
				  " FROM requests q JOIN residents p ON p.id = q.resident_id"
				  " WHERE q.id = :id";
	site[0] = '\0';
	resident[0] = '\0';
	*completed_at = 0;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":id", request_id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		const char *sv = text(st, 0), *rv = text(st, 1);
		snprintf(site, 65, "%s", sv ? sv : "");
		snprintf(resident, 65, "%s", rv ? rv : "");
		*completed_at = db_col_int64(st, 2);
	}
	db_reset(st);
	return rc == DB_ROW ? CN_OK : rc == DB_DONE ? CN_ERR_NOT_FOUND : db_err(rc);
}

enum cn_err db_volunteer_visits(struct db *db, const char *staff_id, int64_t from, int64_t to,
                                int limit, json_t **out)
{
	static const char sql[] =
		"SELECT q.id, q.service_id, coalesce(q.billed_duration_min, s.duration_min),"
		" coalesce(q.started_at, 0), q.completed_at FROM requests q"
		" JOIN services s ON s.id = q.service_id JOIN staff w ON w.id = q.assignee_id"
		" WHERE q.assignee_id = :staff AND w.role = 'volunteer' AND q.status = 'done'"
		" AND q.completed_at >= :from AND q.completed_at < :to"
		" ORDER BY q.completed_at, q.id LIMIT :limit";
	*out = NULL;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":staff", staff_id);
	db_bind_named_int(st, ":from", from);
	db_bind_named_int(st, ":to", to);
	db_bind_named_int(st, ":limit", limit);
	json_t *arr = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(arr,
		                      json_pack("{s:s, s:s, s:I, s:I, s:I}", "request_id",
		                                text(st, 0), "service_id", text(st, 1),
		                                "duration_min", (json_int_t)db_col_int64(st, 2),
		                                "started_at", (json_int_t)db_col_int64(st, 3),
		                                "completed_at", (json_int_t)db_col_int64(st, 4)));
	db_reset(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_err(rc);
	}
	*out = arr;
	return CN_OK;
}
