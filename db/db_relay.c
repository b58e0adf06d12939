#include "db_relay.h"

#include "db.h"
#include "db_alerts.h"

enum cn_err db_relay_add(struct db *db, const char *topic, const char *payload,
                         int64_t notification_id, int64_t now)
{
	static const char sql[] = "INSERT INTO relay(topic, payload, notification_id, created_at)"
				  " VALUES (?1, ?2, ?3, ?4)";
	static const char notify[] = "SELECT pg_notify('carenet_relay', '')";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, topic);
	db_bind_text(st, 2, payload);
	db_bind_opt_int(st, 3, notification_id > 0, notification_id);
	db_bind_int64(st, 4, now);
	enum cn_err rc = db_step_done(st);
	if (rc == CN_OK && db_is_pg(db)) {
		st = db_stmt(db, notify);
		rc = st ? db_step_done(st) : CN_ERR_DB;
	}
	return rc;
}

enum cn_err db_relay_take(struct db *db, size_t max, db_relay_fn fn, void *ctx, int64_t now,
                          size_t *taken)
{
	static const char sel[] =
		"SELECT id, topic, payload, notification_id FROM relay ORDER BY id LIMIT ?1";
	static const char del[] = "DELETE FROM relay WHERE id = ?1";
	*taken = 0;
	enum cn_err rc = db_begin(db);
	if (rc != CN_OK)
		return rc;
	struct db_stmt *st = db_stmt(db, sel);
	struct db_stmt *d = db_stmt(db, del);
	if (!st || !d) {
		db_rollback(db);
		return CN_ERR_DB;
	}
	db_bind_int64(st, 1, (int64_t)max);
	int step;
	while (rc == CN_OK && (step = db_step(st)) == DB_ROW) {
		int64_t id = db_col_int64(st, 0);
		const char *topic = (const char *)db_col_text(st, 1);
		const char *payload = (const char *)db_col_text(st, 2);
		int64_t page = db_col_type(st, 3) == DB_NULL ? 0 : db_col_int64(st, 3);
		if (fn(ctx, topic ? topic : "", payload ? payload : "") != CN_OK)
			break; /* the rest waits for the next round */
		db_bind_int64(d, 1, id);
		rc = db_step_done(d);
		if (rc == CN_OK && page > 0)
			rc = db_notification_mark_sent(db, page, now);
		if (rc == CN_OK)
			(*taken)++;
	}
	db_reset(st);
	if (rc != CN_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}
