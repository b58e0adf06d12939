#include "db_reminders.h"

#include "db_regions.h"
#include "db_service_net.h"

#include <stdio.h>
#include <string.h>

static void copy_text(char *dst, size_t size, struct db_stmt *st, int col)
{
	const unsigned char *s = db_col_text(st, col);
	snprintf(dst, size, "%s", s ? (const char *)s : "");
}

enum cn_err db_site_onsite_timeout(struct db *db, const char *site_id, long *timeout_s)
{
	static const char sql[] = "SELECT onsite_timeout_s FROM sites WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	*timeout_s = 2700;
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, site_id);
	int64_t v = 0;
	enum cn_err rc = db_step_int64(st, &v);
	if (rc == CN_OK && v > 0)
		*timeout_s = (long)v;
	return rc;
}

enum cn_err db_reminder_set(struct db *db, int64_t alert_id, int64_t next_at)
{
	static const char sql[] = "UPDATE alerts SET next_reminder_at = ?2 WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, alert_id);
	if (next_at > 0)
		db_bind_int64(st, 2, next_at);
	else
		db_bind_null(st, 2);
	return db_step_done(st);
}

enum cn_err db_reminder_fired(struct db *db, int64_t alert_id, int64_t next_at, int64_t now)
{
	static const char sql[] = "UPDATE alerts SET next_reminder_at = ?2,"
				  " reminders = reminders + 1, updated_at = ?3 WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, alert_id);
	if (next_at > 0)
		db_bind_int64(st, 2, next_at);
	else
		db_bind_null(st, 2);
	db_bind_int64(st, 3, now);
	return db_step_done(st);
}

enum cn_err db_reminders_due(struct db *db, int64_t now, int64_t *ids, size_t max, size_t *n)
{
	static const char sql[] =
		"SELECT id FROM alerts WHERE next_reminder_at IS NOT NULL AND next_reminder_at <= ?1"
		" AND status IN ('acknowledged','dispatched') ORDER BY next_reminder_at LIMIT ?2";
	*n = 0;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, (int64_t)max);
	int rc = DB_DONE;
	while (*n < max && (rc = db_step(st)) == DB_ROW)
		ids[(*n)++] = db_col_int64(st, 0);
	db_reset(st);
	return (rc == DB_ROW || rc == DB_DONE) ? CN_OK : db_err(rc);
}

enum cn_err db_reminders_next_due(struct db *db, int64_t *at)
{
	static const char sql[] = "SELECT min(next_reminder_at) FROM alerts"
				  " WHERE next_reminder_at IS NOT NULL"
				  " AND status IN ('acknowledged','dispatched')";
	return db_query_int64(db, sql, at);
}

enum cn_err db_reminder_row(struct db *db, int64_t alert_id, struct db_reminder_row *out)
{
	static const char sql[] =
		"SELECT status, site_id, resident_id, coalesce(responder_id, acked_by), priority,"
		" acked_at, reminders FROM alerts WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	memset(out, 0, sizeof(*out));
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, alert_id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		copy_text(out->status, sizeof(out->status), st, 0);
		copy_text(out->site_id, sizeof(out->site_id), st, 1);
		copy_text(out->resident_id, sizeof(out->resident_id), st, 2);
		copy_text(out->responder, sizeof(out->responder), st, 3);
		out->priority = db_col_int(st, 4);
		out->acked_at = db_col_int64(st, 5);
		out->reminders = db_col_int(st, 6);
	}
	db_reset(st);
	if (rc == DB_ROW)
		return CN_OK;
	return rc == DB_DONE ? CN_ERR_NOT_FOUND : db_err(rc);
}

enum cn_err db_report_reminded(struct db *db, const struct db_report_query *q, int64_t *alerts,
                               int64_t *reminders, int64_t *by_contact)
{
	static const char sql[] =
		"SELECT count(CASE WHEN reminders > 0 THEN 1 END), coalesce(sum(reminders), 0),"
		" count(acked_by_contact)"
		" FROM alerts WHERE created_at >= :from AND created_at < :to"
		" AND (:site IS NULL OR site_id = :site)"
		" AND (:region IS NULL OR site_id IN " DB_REGION_SITES ")";
	struct db_stmt *st = db_stmt(db, sql);
	*alerts = *reminders = *by_contact = 0;
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":site", q->site_id);
	db_bind_named_text(st, ":region", q->region_id);
	db_bind_named_int(st, ":from", q->from);
	db_bind_named_int(st, ":to", q->to);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		*alerts = db_col_int64(st, 0);
		*reminders = db_col_int64(st, 1);
		*by_contact = db_col_int64(st, 2);
	}
	db_reset(st);
	return rc == DB_ROW ? CN_OK : db_err(rc);
}
