#include "db_service_net.h"

#include "db_regions.h"

#include <stdio.h>
#include <string.h>

static void col_text(struct db_stmt *st, int col, char *out, size_t size)
{
	const unsigned char *s = db_col_text(st, col);
	snprintf(out, size, "%s", s ? (const char *)s : "");
}

static int64_t col_time(struct db_stmt *st, int col)
{
	return db_col_type(st, col) == DB_NULL ? 0 : db_col_int64(st, col);
}

/* ---- attendance ---- */

#define ATTENDANCE_COLUMNS                                                                          \
	"a.id AS \"id@s\", a.resident_id, r.name AS resident_name, a.site_id, a.day AS date,"       \
	" a.check_in_at AS \"check_in_at@t\", a.check_in_by, a.check_out_at AS \"check_out_at@t\"," \
	" a.check_out_by"

enum cn_err db_attendance_check_in(struct db *db, const char *resident_id, const char *site_id,
                                   const char *day, int64_t at, const char *by, int64_t *id)
{
	static const char sql[] = "INSERT INTO attendance(resident_id, site_id, day, check_in_at,"
				  " check_in_by) VALUES (?1, ?2, ?3, ?4, ?5)";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, resident_id);
	db_bind_text(st, 2, site_id);
	db_bind_text(st, 3, day);
	db_bind_int64(st, 4, at);
	db_bind_text(st, 5, by);
	enum cn_err rc = db_step_done(st); /* CONFLICT: attendance_one_open */
	*id = rc == CN_OK ? db_last_insert_id(db) : 0;
	return rc;
}

enum cn_err db_attendance_check_out(struct db *db, const char *resident_id, int64_t at,
                                    const char *by, int64_t *id)
{
	static const char sql[] = "UPDATE attendance SET check_out_at = ?2, check_out_by = ?3"
				  " WHERE resident_id = ?1 AND check_out_at IS NULL RETURNING id";
	*id = 0;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, resident_id);
	db_bind_int64(st, 2, at);
	db_bind_text(st, 3, by);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_col_int64(st, 0);
		rc = db_step(st);
	}
	db_reset(st);
	if (rc != DB_DONE)
		return db_err(rc);
	return *id ? CN_OK : CN_ERR_CONFLICT;
}

enum cn_err db_attendance_get(struct db *db, int64_t id, json_t **out)
{
	static const char sql[] = "SELECT " ATTENDANCE_COLUMNS " FROM attendance a"
				  " JOIN residents r ON r.id = a.resident_id WHERE a.id = ?1";
	*out = NULL;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*out = db_row_json(st);
	db_reset(st);
	if (rc == DB_ROW)
		return CN_OK;
	return rc == DB_DONE ? CN_ERR_NOT_FOUND : db_err(rc);
}

enum cn_err db_attendance_list(struct db *db, const char *site_id, const char *day, int64_t after,
                               int limit, json_t **items, int64_t *last_key)
{
	static const char sql[] = "SELECT a.id AS _key, " ATTENDANCE_COLUMNS " FROM attendance a"
				  " JOIN residents r ON r.id = a.resident_id"
				  " WHERE a.site_id = ?1 AND a.day = ?2 AND a.id > ?3"
				  " ORDER BY a.id LIMIT ?4";
	*items = NULL;
	*last_key = 0;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, site_id);
	db_bind_text(st, 2, day);
	db_bind_int64(st, 3, after);
	db_bind_int64(st, 4, limit);
	return db_collect_keyed(st, items, last_key);
}

enum cn_err db_resident_set_presence(struct db *db, const char *id, const char *presence,
                                     int64_t now)
{
	static const char sql[] = "UPDATE residents SET presence = ?2, presence_until = NULL,"
				  " updated_at = ?3 WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, presence);
	db_bind_int64(st, 3, now);
	enum cn_err rc = db_step_done(st);
	if (rc == CN_OK && db_changes(db) == 0)
		return CN_ERR_NOT_FOUND;
	return rc;
}

static enum cn_err exists(struct db *db, const char *sql, const char *id, bool *yes)
{
	*yes = false;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*yes = db_col_int(st, 0) != 0;
	db_reset(st);
	return rc == DB_ROW ? CN_OK : db_err(rc);
}

enum cn_err db_site_exists(struct db *db, const char *id, bool *yes)
{
	static const char sql[] = "SELECT EXISTS(SELECT 1 FROM sites WHERE id = ?1)";
	return exists(db, sql, id, yes);
}

/* ---- service requests ---- */

static const struct res_col request_cols[] = {
	{"resident_id", COL_TEXT},
	{"service_id", COL_TEXT},
	{"requested_by", COL_TEXT},
	{"note", COL_TEXT},
};
#define REQUEST_COLUMNS                                                                              \
	"q.id, q.resident_id, r.site_id, q.service_id, q.status, q.requested_by, q.assignee_id,"     \
	" q.window_start AS \"window_start@t\", q.window_end AS \"window_end@t\","                   \
	" q.started_at AS \"started_at@t\", q.completed_at AS \"completed_at@t\", q.note, q.rating," \
	" q.missed_alert_id AS \"missed_alert_id@s\","                                               \
	" json_object('id', r.id, 'name', r.name, 'address', r.address) AS \"resident@j\","          \
	" q.created_at AS \"created_at@t\", q.updated_at AS \"updated_at@t\""
static const char *const request_filters[] = {"status", "resident_id", "assignee_id", "site_id",
                                              NULL};
const struct res_desc db_requests = {
	.name = "requests",
	.cols = request_cols,
	.n_cols = 4,
	.sql_insert =
		"INSERT INTO requests(id, resident_id, service_id, status, requested_by, note,"
		" created_at, updated_at) VALUES (:id, :resident_id, :service_id, 'requested',"
		" :requested_by, :note, :now, :now)",
	.sql_update = "SELECT 1 WHERE 1 = 0", /* changed only by the guarded steps below */
	.sql_get = "SELECT " REQUEST_COLUMNS " FROM requests q JOIN residents r"
		   " ON r.id = q.resident_id WHERE q.id = :id",
	/* Newest first: the cursor is the smallest key of the page. */
	.sql_list =
		"SELECT q.rowid AS _key, " REQUEST_COLUMNS " FROM requests q"
		" JOIN residents r ON r.id = q.resident_id JOIN services s ON s.id = q.service_id"
		" WHERE (:after = 0 OR q.rowid < :after)"
		" AND (:site IS NULL OR r.site_id = :site)"
		" AND (:region IS NULL OR r.site_id IN " DB_REGION_SITES ")"
		" AND (:family IS NULL OR q.resident_id IN (SELECT resident_id FROM staff_residents"
		"      WHERE staff_id = :family))"
		" AND (:volunteer IS NULL OR q.assignee_id = :volunteer"
		"      OR (q.status = 'requested' AND s.provider = 'volunteer'"
		"          AND r.site_id = (SELECT site_id FROM staff WHERE id = :volunteer)))"
		" AND (:f_status IS NULL OR q.status = :f_status)"
		" AND (:f_resident_id IS NULL OR q.resident_id = :f_resident_id)"
		" AND (:f_assignee_id IS NULL OR q.assignee_id = :f_assignee_id)"
		" AND (:f_site_id IS NULL OR r.site_id = :f_site_id)"
		" ORDER BY q.rowid DESC LIMIT :limit",
	.sql_delete = "SELECT 1 WHERE 1 = 0", /* cancelled, never deleted */
	.filters = request_filters,
};

enum cn_err db_request_facts(struct db *db, const char *id, struct db_request_facts *out)
{
	static const char sql[] =
		"SELECT q.resident_id, r.site_id, q.status, s.provider, s.category, q.assignee_id,"
		" q.requested_by, q.window_start, q.window_end FROM requests q"
		" JOIN residents r ON r.id = q.resident_id JOIN services s ON s.id = q.service_id"
		" WHERE q.id = ?1";
	memset(out, 0, sizeof(*out));
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		col_text(st, 0, out->resident_id, sizeof(out->resident_id));
		col_text(st, 1, out->site_id, sizeof(out->site_id));
		col_text(st, 2, out->status, sizeof(out->status));
		col_text(st, 3, out->provider, sizeof(out->provider));
		col_text(st, 4, out->category, sizeof(out->category));
		col_text(st, 5, out->assignee_id, sizeof(out->assignee_id));
		col_text(st, 6, out->requested_by, sizeof(out->requested_by));
		out->window_start = col_time(st, 7);
		out->window_end = col_time(st, 8);
	}
	db_reset(st);
	if (rc == DB_ROW)
		return CN_OK;
	return rc == DB_DONE ? CN_ERR_NOT_FOUND : db_err(rc);
}

enum cn_err db_service_active(struct db *db, const char *id, bool *active)
{
	static const char sql[] = "SELECT active FROM services WHERE id = ?1";
	*active = false;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*active = db_col_int(st, 0) != 0;
	db_reset(st);
	if (rc == DB_ROW)
		return CN_OK;
	return rc == DB_DONE ? CN_ERR_NOT_FOUND : db_err(rc);
}

enum cn_err db_request_assign(struct db *db, const char *id, const char *staff_id,
                              int64_t window_start, int64_t window_end, bool only_requested,
                              int64_t now)
{
	static const char sql[] =
		"UPDATE requests SET status = 'scheduled', assignee_id = ?2, window_start = ?3,"
		" window_end = ?4, missed_alert_id = NULL, updated_at = ?5"
		" WHERE id = ?1 AND (status = 'requested' OR (status = 'scheduled' AND ?6 = 0))";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, staff_id);
	db_bind_int64(st, 3, window_start);
	db_bind_int64(st, 4, window_end);
	db_bind_int64(st, 5, now);
	db_bind_int64(st, 6, only_requested);
	return db_step_guarded(db, st);
}

enum cn_err db_request_start(struct db *db, const char *id, int64_t now)
{
	static const char sql[] = "UPDATE requests SET status = 'in_progress', started_at = ?2,"
				  " updated_at = ?2 WHERE id = ?1 AND status = 'scheduled'";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, id);
	db_bind_int64(st, 2, now);
	return db_step_guarded(db, st);
}

enum cn_err db_request_complete(struct db *db, const char *id, const char *note, int rating,
                                int64_t now)
{
	static const char sql[] = "UPDATE requests SET status = 'done', completed_at = ?2,"
				  " note = coalesce(?3, note), rating = ?4, updated_at = ?2"
				  " WHERE id = ?1 AND status = 'in_progress'";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, id);
	db_bind_int64(st, 2, now);
	db_bind_text(st, 3, note);
	db_bind_opt_int(st, 4, rating > 0, rating);
	return db_step_guarded(db, st);
}

enum cn_err db_request_cancel(struct db *db, const char *id, int64_t now)
{
	static const char sql[] = "UPDATE requests SET status = 'cancelled', updated_at = ?2"
				  " WHERE id = ?1 AND status IN ('requested', 'scheduled')";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, id);
	db_bind_int64(st, 2, now);
	return db_step_guarded(db, st);
}

enum cn_err db_request_candidates(struct db *db, const char *site_id, const char *request_id,
                                  const char *category, int64_t from, int64_t to, int max,
                                  json_t **items)
{
	static const char sql[] =
		"SELECT s.id, s.site_id, s.name, s.role, s.phone, s.username, s.active AS \"active@b\","
		" s.skills AS \"skills@j\", s.created_at AS \"created_at@t\","
		" s.updated_at AS \"updated_at@t\","
		" EXISTS(SELECT 1 FROM json_each(s.skills) WHERE value = :category) AS \"skill_match@b\","
		" EXISTS(SELECT 1 FROM shifts h WHERE h.staff_id = s.id AND h.tier <> 'off' AND h.starts_at <= :from"
		"        AND h.ends_at >= :to) AS \"on_duty@b\","
		" (SELECT count(*) FROM requests q WHERE q.assignee_id = s.id"
		"        AND q.status IN ('scheduled', 'in_progress')) AS load,"
		" NOT EXISTS(SELECT 1 FROM requests q WHERE q.assignee_id = s.id AND q.id <> :request"
		"        AND q.status IN ('scheduled', 'in_progress')"
		"        AND q.window_start < :to AND q.window_end > :from) AS \"available@b\""
		" FROM staff s WHERE s.site_id = :site AND s.active = 1"
		" AND s.role IN ('caregiver', 'volunteer') ORDER BY s.rowid LIMIT :max";
	*items = NULL;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":category", category);
	db_bind_named_int(st, ":from", from);
	db_bind_named_int(st, ":to", to);
	db_bind_named_text(st, ":request", request_id);
	db_bind_named_text(st, ":site", site_id);
	db_bind_named_int(st, ":max", max);
	json_t *arr = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(arr, db_row_json(st));
	db_reset(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_err(rc);
	}
	*items = arr;
	return CN_OK;
}

/* ---- the response report ---- */

/* The period's alerts with what the figures need. `answered_at` is the
 * acknowledgement, or a resolve by staff without one; `paged` leaves out
 * priority 4 and technical alerts the system cleared unanswered;
 * `responded` means a responder was sent or arrived. */
#define REPORT_ALERTS                                                                                 \
	"WITH a AS (SELECT id, kind, priority, resident_id, created_at, outcome, on_site_at,"         \
	" coalesce(acked_at, CASE WHEN resolved_by IS NOT NULL THEN resolved_at END) AS answered_at," \
	" (priority <= 3 AND NOT (acked_at IS NULL AND resolved_at IS NOT NULL"                       \
	"   AND resolved_by IS NULL)) AS paged,"                                                      \
	" (dispatched_at IS NOT NULL OR on_site_at IS NOT NULL) AS responded"                         \
	" FROM alerts WHERE created_at >= :from AND created_at < :to"                                 \
	" AND (:site IS NULL OR site_id = :site)"                                                     \
	" AND (:region IS NULL OR site_id IN " DB_REGION_SITES ")) "

/* Within a threshold, and decided: answered, or unanswered for longer. */
#define WITHIN(at, cond, ms)                                                       \
	" sum(" cond " AND " at " IS NOT NULL AND " at " - created_at <= " ms ")," \
	" sum(" cond " AND (" at " IS NOT NULL OR :now - created_at > " ms ")),"

static void bind_report(struct db_stmt *st, const struct db_report_query *q)
{
	db_bind_named_text(st, ":site", q->site_id);
	db_bind_named_text(st, ":region", q->region_id);
	db_bind_named_int(st, ":from", q->from);
	db_bind_named_int(st, ":to", q->to);
	db_bind_named_int(st, ":now", q->now);
}

enum cn_err db_report_counts(struct db *db, const struct db_report_query *q,
                             struct db_report_counts *out)
{
	static const char alerts_sql[] =
		REPORT_ALERTS "SELECT count(*), sum(paged AND answered_at IS NOT NULL)," WITHIN(
			"answered_at", "paged",
			"60000") WITHIN("answered_at", "paged",
	                                "180000") WITHIN("on_site_at", "responded", "2700000")
			WITHIN("on_site_at", "responded",
	                       "3600000") " sum(outcome = 'false_alarm'), sum(outcome IS NOT NULL) FROM a";
	static const char visits_sql[] =
		"SELECT sum(q.status = 'done'), sum(q.missed_alert_id IS NOT NULL),"
		" count(CASE WHEN q.status = 'done' THEN q.rating END),"
		" avg(CASE WHEN q.status = 'done' THEN q.rating END)"
		" FROM requests q JOIN residents r ON r.id = q.resident_id"
		" WHERE q.window_end >= :from AND q.window_end < :to"
		" AND (:site IS NULL OR r.site_id = :site)"
		" AND (:region IS NULL OR r.site_id IN " DB_REGION_SITES ")";
	memset(out, 0, sizeof(*out));
	struct db_stmt *st = db_stmt(db, alerts_sql);
	if (!st)
		return CN_ERR_DB;
	bind_report(st, q);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		int c = 0;
		out->alerts = db_col_int64(st, c++);
		out->answered = db_col_int64(st, c++);
		for (int i = 0; i < 2; i++) {
			out->ack_within[i] = db_col_int64(st, c++);
			out->ack_decided[i] = db_col_int64(st, c++);
		}
		for (int i = 0; i < 2; i++) {
			out->onsite_within[i] = db_col_int64(st, c++);
			out->onsite_decided[i] = db_col_int64(st, c++);
		}
		out->false_alarms = db_col_int64(st, c++);
		out->with_outcome = db_col_int64(st, c++);
	}
	db_reset(st);
	if (rc != DB_ROW)
		return db_err(rc);
	st = db_stmt(db, visits_sql);
	if (!st)
		return CN_ERR_DB;
	bind_report(st, q);
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->visits_done = db_col_int64(st, 0);
		out->visits_missed = db_col_int64(st, 1);
		out->visits_rated = db_col_int64(st, 2);
		out->rating_mean = db_col_double(st, 3);
	}
	db_reset(st);
	return rc == DB_ROW ? CN_OK : db_err(rc);
}

enum cn_err db_report_answer_ms(struct db *db, const struct db_report_query *q, int64_t k,
                                int64_t *ms)
{
	static const char sql[] = REPORT_ALERTS
		"SELECT answered_at - created_at FROM a WHERE paged AND answered_at IS NOT NULL"
		" ORDER BY 1 LIMIT 1 OFFSET :k";
	*ms = 0;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	bind_report(st, q);
	db_bind_named_int(st, ":k", k);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*ms = db_col_int64(st, 0);
	db_reset(st);
	if (rc == DB_ROW)
		return CN_OK;
	return rc == DB_DONE ? CN_ERR_NOT_FOUND : db_err(rc);
}

enum cn_err db_report_groups(struct db *db, const struct db_report_query *q, bool by_outcome,
                             json_t *into)
{
	static const char kinds[] =
		REPORT_ALERTS "SELECT kind, count(*) FROM a GROUP BY kind ORDER BY kind";
	static const char outcomes[] = REPORT_ALERTS "SELECT outcome, count(*) FROM a"
						     " WHERE outcome IS NOT NULL GROUP BY outcome"
						     " ORDER BY outcome";
	struct db_stmt *st = db_stmt(db, by_outcome ? outcomes : kinds);
	if (!st)
		return CN_ERR_DB;
	bind_report(st, q);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *name = (const char *)db_col_text(st, 0);
		if (name)
			json_object_set_new(into, name, json_integer(db_col_int64(st, 1)));
	}
	db_reset(st);
	return rc == DB_DONE ? CN_OK : db_err(rc);
}

enum cn_err db_report_exceptions(struct db *db, const struct db_report_query *q, int max,
                                 json_t **items)
{
	static const char sql[] = REPORT_ALERTS
		"SELECT id AS \"alert_id@s\", kind, priority, resident_id,"
		" created_at AS \"created_at@t\", answered_at AS \"acked_at@t\","
		" (answered_at - created_at) / 1000.0 AS ack_s FROM a WHERE paged"
		" AND ((answered_at IS NOT NULL AND answered_at - created_at > 180000)"
		"      OR (answered_at IS NULL AND :now - created_at > 180000))"
		" ORDER BY created_at, id LIMIT :max";
	*items = NULL;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	bind_report(st, q);
	db_bind_named_int(st, ":max", max);
	json_t *arr = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(arr, db_row_json(st));
	db_reset(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_err(rc);
	}
	*items = arr;
	return CN_OK;
}
