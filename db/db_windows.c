#include "db_windows.h"

#include <stdio.h>
#include <string.h>

static void col_text(sqlite3_stmt *st, int col, char *out, size_t size)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	snprintf(out, size, "%s", s ? (const char *)s : "");
}

static int64_t col_time(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, col);
}

/* Steps a one-row query: CN_OK with the row, NOT_FOUND without. The
 * caller reads the row before resetting. */
static enum cn_err one_row(sqlite3_stmt *st, int *rc)
{
	*rc = sqlite3_step(st);
	if (*rc == SQLITE_ROW)
		return CN_OK;
	return *rc == SQLITE_DONE ? CN_ERR_NOT_FOUND : db_err(*rc);
}

enum cn_err db_rule_timers_next_due(struct db *db, int64_t *at)
{
	static const char sql[] = "SELECT coalesce(min(due_at), 0) FROM rule_timers";
	return db_query_int64(db, sql, at);
}

enum cn_err db_rule_timers_due(struct db *db, int64_t now, struct db_rule_timer *out, size_t max,
                               size_t *n)
{
	static const char sql[] = "SELECT resident_id, rule, due_at FROM rule_timers"
				  " WHERE due_at <= ?1 ORDER BY due_at LIMIT ?2";
	*n = 0;
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		struct db_rule_timer *t = &out[(*n)++];
		col_text(st, 0, t->resident_id, sizeof(t->resident_id));
		col_text(st, 1, t->rule, sizeof(t->rule));
		t->due_at = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? CN_OK : db_err(rc);
}

enum cn_err db_rule_timer_set(struct db *db, const char *resident_id, const char *rule,
                              int64_t due_at)
{
	static const char sql[] =
		"INSERT INTO rule_timers(resident_id, rule, due_at) VALUES (?1, ?2, ?3)"
		" ON CONFLICT(resident_id, rule) DO UPDATE SET due_at = excluded.due_at";
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, resident_id);
	db_bind_text(st, 2, rule);
	sqlite3_bind_int64(st, 3, due_at);
	return db_step_done(st);
}

enum cn_err db_rule_timer_delete(struct db *db, const char *resident_id, const char *rule)
{
	static const char sql[] = "DELETE FROM rule_timers WHERE resident_id = ?1 AND rule = ?2";
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, resident_id);
	db_bind_text(st, 2, rule);
	return db_step_done(st);
}

enum cn_err db_win_resident_get(struct db *db, const char *id, struct db_win_resident *out)
{
	static const char sql[] =
		"SELECT site_id, presence, status, active_from, active_to, checkin_by,"
		" inactivity_minutes, last_activity_at, home_since, last_checkin_at, presence_until,"
		" EXISTS(SELECT 1 FROM rule_timers t WHERE t.resident_id = r.id AND t.rule = 'inactivity'),"
		" night_from, night_to"
		" FROM residents r WHERE id = ?1";
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, id);
	int rc;
	enum cn_err err = one_row(st, &rc);
	if (err == CN_OK) {
		col_text(st, 0, out->site_id, sizeof(out->site_id));
		col_text(st, 1, out->presence, sizeof(out->presence));
		col_text(st, 2, out->status, sizeof(out->status));
		col_text(st, 3, out->active_from, sizeof(out->active_from));
		col_text(st, 4, out->active_to, sizeof(out->active_to));
		col_text(st, 5, out->checkin_by, sizeof(out->checkin_by));
		out->inactivity_minutes = sqlite3_column_int(st, 6);
		out->last_activity_at = col_time(st, 7);
		out->home_since = col_time(st, 8);
		out->last_checkin_at = col_time(st, 9);
		out->presence_until = col_time(st, 10);
		out->inactivity_armed = sqlite3_column_int(st, 11) != 0;
		col_text(st, 12, out->night_from, sizeof(out->night_from));
		col_text(st, 13, out->night_to, sizeof(out->night_to));
	}
	sqlite3_reset(st);
	return err;
}

enum cn_err db_resident_note_checkin(struct db *db, const char *id, int64_t at)
{
	static const char sql[] = "UPDATE residents SET last_checkin_at = ?2 WHERE id = ?1"
				  " AND (last_checkin_at IS NULL OR last_checkin_at < ?2)";
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, at);
	return db_step_done(st);
}

enum cn_err db_resident_presence_expire(struct db *db, const char *id, int64_t now, bool *changed)
{
	static const char sql[] =
		"UPDATE residents SET presence = 'home', presence_until = NULL, updated_at = ?2"
		" WHERE id = ?1 AND presence <> 'home' AND presence_until IS NOT NULL"
		" AND presence_until <= ?2";
	*changed = false;
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	enum cn_err rc = db_step_done(st);
	*changed = rc == CN_OK && sqlite3_changes(db_handle(db)) > 0;
	return rc;
}

enum cn_err db_inactivity_alerted_since(struct db *db, const char *id, int64_t since, bool *yes)
{
	static const char sql[] =
		"SELECT EXISTS(SELECT 1 FROM alerts WHERE resident_id = ?1 AND kind = 'inactivity'"
		" AND last_event_at >= ?2)";
	*yes = false;
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, since);
	int rc;
	enum cn_err err = one_row(st, &rc);
	if (err == CN_OK)
		*yes = sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	return err;
}

enum cn_err db_visit_get(struct db *db, const char *request_id, struct db_visit *out)
{
	static const char sql[] =
		"SELECT q.resident_id, r.site_id, q.status, s.name, q.assignee_id, q.window_start,"
		" q.window_end, q.missed_alert_id FROM requests q JOIN residents r ON r.id = q.resident_id"
		" JOIN services s ON s.id = q.service_id WHERE q.id = ?1";
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, request_id);
	int rc;
	enum cn_err err = one_row(st, &rc);
	if (err == CN_OK) {
		col_text(st, 0, out->resident_id, sizeof(out->resident_id));
		col_text(st, 1, out->site_id, sizeof(out->site_id));
		col_text(st, 2, out->status, sizeof(out->status));
		col_text(st, 3, out->service, sizeof(out->service));
		col_text(st, 4, out->assignee_id, sizeof(out->assignee_id));
		out->window_start = col_time(st, 5);
		out->window_end = col_time(st, 6);
		out->missed_alert_id = col_time(st, 7);
	}
	sqlite3_reset(st);
	return err;
}

enum cn_err db_visit_set_missed(struct db *db, const char *request_id, int64_t alert_id,
                                int64_t now)
{
	static const char sql[] = "UPDATE requests SET missed_alert_id = ?2, updated_at = ?3"
				  " WHERE id = ?1 AND status = 'scheduled'";
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, request_id);
	sqlite3_bind_int64(st, 2, alert_id);
	sqlite3_bind_int64(st, 3, now);
	return db_step_done(st);
}
