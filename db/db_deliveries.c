#include "db_deliveries.h"

#include <stdio.h>
#include <string.h>

static void copy_col(struct db_stmt *st, int col, char *out, size_t size)
{
	const unsigned char *t = db_col_text(st, col);
	snprintf(out, size, "%s", t ? (const char *)t : "");
}

static enum cn_err row_done(struct db_stmt *st, int rc)
{
	db_reset(st);
	return (rc == DB_ROW || rc == DB_DONE) ? CN_OK : db_err(rc);
}

enum cn_err db_channel_get(struct db *db, const char *id, struct db_channel *out)
{
	static const char sql[] = "SELECT id, site_id, kind, url, secret, rate_per_min, enabled"
				  " FROM channels WHERE id = ?1";
	memset(out, 0, sizeof(*out));
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, id);
	int rc = db_step(st);
	if (rc != DB_ROW) {
		db_reset(st);
		return rc == DB_DONE ? CN_ERR_NOT_FOUND : db_err(rc);
	}
	copy_col(st, 0, out->id, sizeof(out->id));
	copy_col(st, 1, out->site_id, sizeof(out->site_id));
	copy_col(st, 2, out->kind, sizeof(out->kind));
	copy_col(st, 3, out->url, sizeof(out->url));
	copy_col(st, 4, out->secret, sizeof(out->secret));
	out->rate_per_min = db_col_int(st, 5);
	out->enabled = db_col_int(st, 6) != 0;
	db_reset(st);
	return CN_OK;
}

enum cn_err db_delivery_add(struct db *db, const struct db_delivery_new *d, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO deliveries(alert_id, channel_id, kind, staff_id, contact, to_addr, level,"
		" status, due_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued', ?8, ?9)";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, d->alert_id);
	db_bind_text(st, 2, d->channel_id);
	db_bind_text(st, 3, d->kind);
	db_bind_text(st, 4, d->staff_id);
	db_bind_text(st, 5, d->contact);
	db_bind_text(st, 6, d->to_addr ? d->to_addr : "");
	db_bind_int64(st, 7, d->level);
	db_bind_int64(st, 8, d->due_at);
	db_bind_int64(st, 9, d->now);
	enum cn_err rc = db_step_done(st);
	if (rc == CN_OK)
		*id = db_last_insert_id(db);
	return rc;
}

enum cn_err db_deliveries_due(struct db *db, int64_t now, struct db_delivery *out, size_t max,
                              size_t *n)
{
	static const char sql[] =
		"SELECT id, alert_id, channel_id, kind, staff_id, contact, to_addr, level, attempts,"
		" due_at, created_at FROM deliveries WHERE status IN ('queued','retrying')"
		" AND due_at <= ?1 ORDER BY due_at, id LIMIT ?2";
	*n = 0;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, (int64_t)max);
	int rc = DB_DONE;
	while (*n < max && (rc = db_step(st)) == DB_ROW) {
		struct db_delivery *d = &out[(*n)++];
		memset(d, 0, sizeof(*d));
		d->id = db_col_int64(st, 0);
		d->alert_id = db_col_int64(st, 1);
		copy_col(st, 2, d->channel_id, sizeof(d->channel_id));
		copy_col(st, 3, d->kind, sizeof(d->kind));
		copy_col(st, 4, d->staff_id, sizeof(d->staff_id));
		copy_col(st, 5, d->contact, sizeof(d->contact));
		copy_col(st, 6, d->to_addr, sizeof(d->to_addr));
		d->level = db_col_int(st, 7);
		d->attempts = db_col_int(st, 8);
		d->due_at = db_col_int64(st, 9);
		d->created_at = db_col_int64(st, 10);
	}
	return row_done(st, rc);
}

enum cn_err db_deliveries_next_due(struct db *db, int64_t after, int64_t *at)
{
	static const char sql[] = "SELECT min(due_at) FROM deliveries"
				  " WHERE status IN ('queued','retrying') AND due_at > ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, after);
	return db_step_int64(st, at);
}

enum cn_err db_delivery_sent(struct db *db, int64_t id, int attempts, int64_t now)
{
	static const char sql[] = "UPDATE deliveries SET status = 'sent', attempts = ?2,"
				  " sent_at = ?3, last_error = NULL WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, attempts);
	db_bind_int64(st, 3, now);
	return db_step_done(st);
}

enum cn_err db_delivery_retry(struct db *db, int64_t id, int attempts, int64_t due_at,
                              const char *error)
{
	static const char sql[] = "UPDATE deliveries SET status = 'retrying', attempts = ?2,"
				  " due_at = ?3, last_error = ?4 WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, attempts);
	db_bind_int64(st, 3, due_at);
	db_bind_text(st, 4, error);
	return db_step_done(st);
}

enum cn_err db_delivery_failed(struct db *db, int64_t id, int attempts, int64_t now,
                               const char *error)
{
	/* now = 0: not attempted (the alert was taken meanwhile): no timeline line. */
	static const char sql[] = "UPDATE deliveries SET status = 'failed', attempts = ?2,"
				  " failed_at = nullif(?3, 0), last_error = ?4 WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, attempts);
	db_bind_int64(st, 3, now);
	db_bind_text(st, 4, error);
	return db_step_done(st);
}

enum cn_err db_delivery_merged(struct db *db, int64_t id, int64_t into, int64_t now)
{
	static const char sql[] = "UPDATE deliveries SET status = 'merged', merged_into = ?2,"
				  " sent_at = ?3 WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, into);
	db_bind_int64(st, 3, now);
	return db_step_done(st);
}

enum cn_err db_delivery_set_token(struct db *db, int64_t id, const unsigned char hash[32])
{
	static const char sql[] = "UPDATE deliveries SET token_hash = ?2 WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, id);
	db_bind_blob(st, 2, hash, 32);
	return db_step_done(st);
}

enum cn_err db_deliveries_level_failed(struct db *db, int64_t alert_id, int level, bool *all)
{
	static const char sql[] =
		"SELECT count(*) > 0 AND sum(status = 'failed') = count(*) FROM deliveries"
		" WHERE alert_id = ?1 AND level = ?2";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, alert_id);
	db_bind_int64(st, 2, level);
	int64_t v = 0;
	enum cn_err rc = db_step_int64(st, &v);
	*all = v != 0;
	return rc;
}

enum cn_err db_deliveries_json(struct db *db, int64_t alert_id, json_t **out)
{
	static const char sql[] =
		"SELECT CAST(id AS TEXT) AS id, channel_id, kind, staff_id, contact AS \"contact@j\","
		" to_addr AS \"to\", level, status, attempts, last_error, sent_at AS \"sent_at@t\""
		" FROM deliveries WHERE alert_id = ?1 ORDER BY id";
	*out = json_array();
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, alert_id);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *row = db_row_json(st);
		/* "staff_id" or "contact": the one that applies. */
		if (json_is_null(json_object_get(row, "staff_id")))
			json_object_del(row, "staff_id");
		else
			json_object_del(row, "contact");
		json_array_append_new(*out, row);
	}
	return row_done(st, rc);
}

enum cn_err db_deliveries_counts(struct db *db,
                                 void (*fn)(void *ctx, const char *kind, const char *status,
                                            int64_t n),
                                 void *ctx)
{
	static const char sql[] =
		"SELECT kind, status, count(*) FROM deliveries GROUP BY kind, status ORDER BY 1, 2";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		fn(ctx, (const char *)db_col_text(st, 0), (const char *)db_col_text(st, 1),
		   db_col_int64(st, 2));
	return row_done(st, rc);
}

enum cn_err db_site_locale(struct db *db, const char *site_id, char out[16])
{
	static const char sql[] = "SELECT locale FROM sites WHERE id = ?1";
	snprintf(out, 16, "zh-CN");
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, site_id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		copy_col(st, 0, out, 16);
	return row_done(st, rc);
}

enum cn_err db_staff_reach(struct db *db, const char *staff_id, char name[201], char phone[41],
                           char email[255], json_t **contacts)
{
	static const char sql[] = "SELECT name, phone, email, contacts FROM staff WHERE id = ?1";
	name[0] = phone[0] = email[0] = '\0';
	if (contacts)
		*contacts = NULL;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, staff_id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		copy_col(st, 0, name, 201);
		copy_col(st, 1, phone, 41);
		copy_col(st, 2, email, 255);
		if (contacts) {
			const char *t = (const char *)db_col_text(st, 3);
			*contacts = t ? json_loads(t, 0, NULL) : NULL;
		}
	}
	if (contacts && !*contacts)
		*contacts = json_array();
	return row_done(st, rc);
}

enum cn_err db_resident_contacts(struct db *db, const char *resident_id, json_t **out)
{
	static const char sql[] = "SELECT emergency_contacts FROM residents WHERE id = ?1";
	*out = NULL;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, resident_id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		const char *t = (const char *)db_col_text(st, 0);
		*out = t ? json_loads(t, 0, NULL) : NULL;
	}
	if (!json_is_array(*out)) {
		json_decref(*out);
		*out = json_array();
	}
	return row_done(st, rc);
}

enum cn_err db_resident_access_notes(struct db *db, const char *resident_id, char *out, size_t size)
{
	static const char sql[] = "SELECT access_notes FROM residents WHERE id = ?1";
	out[0] = '\0';
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, resident_id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		copy_col(st, 0, out, size);
	return row_done(st, rc);
}

enum cn_err db_ack_token_add(struct db *db, const unsigned char hash[32], int64_t alert_id,
                             const char *staff_id, const char *contact, const char *lang,
                             int64_t now, int64_t expires_at)
{
	static const char sql[] =
		"INSERT INTO ack_tokens(token_hash, alert_id, staff_id, contact, lang, created_at,"
		" expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_blob(st, 1, hash, 32);
	db_bind_int64(st, 2, alert_id);
	db_bind_text(st, 3, staff_id && *staff_id ? staff_id : NULL);
	db_bind_text(st, 4, contact && *contact ? contact : NULL);
	db_bind_text(st, 5, lang);
	db_bind_int64(st, 6, now);
	db_bind_int64(st, 7, expires_at);
	return db_step_done(st);
}

enum cn_err db_ack_token_get(struct db *db, const unsigned char hash[32], struct db_ack_token *out)
{
	static const char sql[] =
		"SELECT alert_id, staff_id, contact, lang, created_at, expires_at,"
		" coalesce(used_at, 0) FROM ack_tokens WHERE token_hash = ?1";
	memset(out, 0, sizeof(*out));
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_blob(st, 1, hash, 32);
	int rc = db_step(st);
	if (rc != DB_ROW) {
		db_reset(st);
		return rc == DB_DONE ? CN_ERR_NOT_FOUND : db_err(rc);
	}
	out->alert_id = db_col_int64(st, 0);
	copy_col(st, 1, out->staff_id, sizeof(out->staff_id));
	copy_col(st, 2, out->contact, sizeof(out->contact));
	copy_col(st, 3, out->lang, sizeof(out->lang));
	out->created_at = db_col_int64(st, 4);
	out->expires_at = db_col_int64(st, 5);
	out->used_at = db_col_int64(st, 6);
	db_reset(st);
	return CN_OK;
}

enum cn_err db_ack_token_use(struct db *db, const unsigned char hash[32], int64_t now)
{
	static const char sql[] = "UPDATE ack_tokens SET used_at = ?2 WHERE token_hash = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_blob(st, 1, hash, 32);
	db_bind_int64(st, 2, now);
	return db_step_done(st);
}

enum cn_err db_alert_ack_contact(struct db *db, int64_t id, const char *contact, int64_t now)
{
	static const char sql[] =
		"UPDATE alerts SET status = 'acknowledged', acked_at = ?2, acked_by_contact = ?3,"
		" updated_at = ?2, next_escalation_at = NULL WHERE id = ?1 AND status = 'open'";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, now);
	db_bind_text(st, 3, contact);
	enum cn_err rc = db_step_done(st);
	if (rc == CN_OK && db_changes(db) == 0)
		rc = CN_ERR_CONFLICT;
	return rc;
}
