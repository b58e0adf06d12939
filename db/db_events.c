#include "db_events.h"

#include <stdio.h>
#include <string.h>

static enum cn_err event_by_seq(struct db *db, int64_t device_key, int64_t seq,
                                struct db_event_prior *out)
{
	static const char sql[] = "SELECT id, alert_id, type, value, received_at FROM events"
	                          " WHERE device_key = ?1 AND seq = ?2";
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	sqlite3_bind_int64(st, 1, device_key);
	sqlite3_bind_int64(st, 2, seq);
	int rc = sqlite3_step(st);
	enum cn_err err = CN_ERR_NOT_FOUND;
	if (rc == SQLITE_ROW) {
		out->event_id = sqlite3_column_int64(st, 0);
		out->alert_id = sqlite3_column_int64(st, 1);
		const unsigned char *t = sqlite3_column_text(st, 2);
		const unsigned char *v = sqlite3_column_text(st, 3);
		snprintf(out->type, sizeof(out->type), "%s", t ? (const char *)t : "");
		snprintf(out->value, sizeof(out->value), "%s", v ? (const char *)v : "");
		out->received_at = sqlite3_column_int64(st, 4);
		err = CN_OK;
	} else if (rc != SQLITE_DONE) {
		err = db_err(rc);
	}
	sqlite3_reset(st);
	return err;
}

enum cn_err db_event_insert(struct db *db, const struct db_event_new *ev, bool *duplicate,
                            int64_t *event_id, struct db_event_prior *prior)
{
	static const char sql[] =
		"INSERT INTO events(device_key, type, value, seq, ts, received_at, battery, raw, id)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
		" ON CONFLICT(device_key, seq) WHERE seq IS NOT NULL DO NOTHING";
	*duplicate = false;
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	sqlite3_bind_int64(st, 1, ev->device_key);
	db_bind_text(st, 2, ev->type);
	db_bind_text(st, 3, ev->value_json);
	db_bind_opt_int(st, 4, ev->has_seq, ev->seq);
	db_bind_opt_int(st, 5, ev->has_ts, ev->ts);
	sqlite3_bind_int64(st, 6, ev->received_at);
	db_bind_opt_int(st, 7, ev->battery >= 0, ev->battery);
	if (ev->raw && ev->raw_len)
		sqlite3_bind_blob(st, 8, ev->raw, (int)ev->raw_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, ev->id);
	enum cn_err rc = db_step_done(st);
	if (rc != CN_OK)
		return rc;
	if (sqlite3_changes(db_handle(db)) == 1) {
		*event_id = sqlite3_last_insert_rowid(db_handle(db));
		return CN_OK;
	}
	*duplicate = true;
	enum cn_err err = event_by_seq(db, ev->device_key, ev->seq, prior);
	*event_id = prior->event_id;
	return err;
}

enum cn_err db_quarantine_insert(struct db *db, const char *topic, const void *payload,
                                 size_t len, const char *reason, int64_t now)
{
	static const char sql[] =
		"INSERT INTO quarantine_topics(topic, count, reason, payload, first_at, last_at)"
		" VALUES (?1, 1, ?3, ?2, ?4, ?4)"
		" ON CONFLICT(topic) DO UPDATE SET count = count + 1, reason = excluded.reason,"
		" payload = excluded.payload, last_at = excluded.last_at";
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	/* The topic may be anything a client sent: stored as bytes-safe text. */
	sqlite3_bind_blob(st, 1, topic, (int)strlen(topic), SQLITE_STATIC);
	if (len)
		sqlite3_bind_blob(st, 2, payload, (int)len, SQLITE_STATIC);
	db_bind_text(st, 3, reason);
	sqlite3_bind_int64(st, 4, now);
	return db_step_done(st);
}

enum cn_err db_quarantine_prune(struct db *db, int64_t before, int max_rows, int *deleted)
{
	static const char by_age[] = "DELETE FROM quarantine_topics WHERE last_at < ?1";
	/* Past the row cap, the topics hit longest ago go first. */
	static const char by_count[] =
		"DELETE FROM quarantine_topics WHERE topic IN (SELECT topic FROM quarantine_topics"
		" ORDER BY last_at DESC LIMIT -1 OFFSET ?1)";
	*deleted = 0;
	sqlite3_stmt *st = db_stmt(db, by_age);
	if (!st)
		return CN_ERR_DB;
	sqlite3_bind_int64(st, 1, before);
	enum cn_err rc = db_step_done(st);
	if (rc != CN_OK)
		return rc;
	*deleted = sqlite3_changes(db_handle(db));
	st = db_stmt(db, by_count);
	if (!st)
		return CN_ERR_DB;
	sqlite3_bind_int(st, 1, max_rows);
	rc = db_step_done(st);
	if (rc == CN_OK)
		*deleted += sqlite3_changes(db_handle(db));
	return rc;
}

enum cn_err db_device_state_get(struct db *db, int64_t device_key, const char *attr, bool *found,
                                int *value, int64_t *changed_at)
{
	static const char sql[] =
		"SELECT value, changed_at FROM device_state WHERE device_key = ?1 AND attr = ?2";
	*found = false;
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	sqlite3_bind_int64(st, 1, device_key);
	db_bind_text(st, 2, attr);
	int rc = sqlite3_step(st);
	enum cn_err err = CN_OK;
	if (rc == SQLITE_ROW) {
		*found = true;
		*value = sqlite3_column_int(st, 0);
		*changed_at = sqlite3_column_int64(st, 1);
	} else if (rc != SQLITE_DONE) {
		err = db_err(rc);
	}
	sqlite3_reset(st);
	return err;
}

enum cn_err db_device_state_set(struct db *db, int64_t device_key, const char *attr, int value,
                                int64_t changed_at)
{
	static const char sql[] =
		"INSERT INTO device_state(device_key, attr, value, changed_at) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT(device_key, attr) DO UPDATE SET value = excluded.value,"
		" changed_at = excluded.changed_at";
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	sqlite3_bind_int64(st, 1, device_key);
	db_bind_text(st, 2, attr);
	sqlite3_bind_int(st, 3, value);
	sqlite3_bind_int64(st, 4, changed_at);
	return db_step_done(st);
}

enum cn_err db_events_prune(struct db *db, int64_t before, int max, int *deleted)
{
	static const char sql[] =
		"DELETE FROM events WHERE id IN (SELECT id FROM events WHERE received_at < ?1"
		" ORDER BY id LIMIT ?2)";
	*deleted = 0;
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int(st, 2, max);
	enum cn_err rc = db_step_done(st);
	if (rc == CN_OK)
		*deleted = sqlite3_changes(db_handle(db));
	return rc;
}

enum cn_err db_events_max_id(struct db *db, int64_t *id)
{
	static const char sql[] = "SELECT coalesce(max(id), 0) FROM events";
	return db_query_int64(db, sql, id);
}

int64_t db_events_next_id(int64_t last, int64_t received_at)
{
	int64_t floor = received_at * 1000;
	return last + 1 > floor ? last + 1 : floor;
}
