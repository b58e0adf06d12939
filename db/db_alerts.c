#include "db_alerts.h"
#include "db_deliveries.h"
#include "db_events.h"

#include <stdio.h>
#include <string.h>

static void copy_text(char *dst, size_t size, struct db_stmt *st, int col)
{
	const unsigned char *s = db_col_text(st, col);
	snprintf(dst, size, "%s", s ? (const char *)s : "");
}

#define ALERT_ROW_COLUMNS                                                            \
	"id, site_id, resident_id, device_id, kind, status, priority, level, count," \
	" created_at, acked_at, next_escalation_at"

static void read_row(struct db_stmt *st, struct db_alert_row *out)
{
	out->id = db_col_int64(st, 0);
	copy_text(out->site_id, sizeof(out->site_id), st, 1);
	copy_text(out->resident_id, sizeof(out->resident_id), st, 2);
	copy_text(out->device_id, sizeof(out->device_id), st, 3);
	copy_text(out->kind, sizeof(out->kind), st, 4);
	copy_text(out->status, sizeof(out->status), st, 5);
	out->priority = db_col_int(st, 6);
	out->level = db_col_int(st, 7);
	out->count = db_col_int(st, 8);
	out->created_at = db_col_int64(st, 9);
	out->acked_at = db_col_int64(st, 10);
	out->next_escalation_at = db_col_int64(st, 11);
}

static enum cn_err one_row(struct db_stmt *st, struct db_alert_row *out)
{
	int rc = db_step(st);
	enum cn_err err = CN_ERR_NOT_FOUND;
	if (rc == DB_ROW) {
		read_row(st, out);
		err = CN_OK;
	} else if (rc != DB_DONE) {
		err = db_err(rc);
	}
	db_reset(st);
	return err;
}

enum cn_err db_alert_find_active(struct db *db, const char *dedup_key, struct db_alert_row *out)
{
	static const char sql[] = "SELECT " ALERT_ROW_COLUMNS
				  " FROM alerts WHERE dedup_key = ?1 AND status <> 'resolved'";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, dedup_key);
	return one_row(st, out);
}

enum cn_err db_alert_get_row(struct db *db, int64_t id, struct db_alert_row *out)
{
	static const char sql[] = "SELECT " ALERT_ROW_COLUMNS " FROM alerts WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, id);
	return one_row(st, out);
}

enum cn_err db_alert_insert(struct db *db, const struct db_alert_new *a, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO alerts(site_id, resident_id, device_id, kind, priority, status, dedup_key,"
		" detail, created_at, updated_at, level, count, last_event_at, next_escalation_at,"
		" nobody_on_shift)"
		" VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?6, ?7, ?8, ?8, 0, 1, ?9, ?10, ?11)";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, a->site_id);
	db_bind_text(st, 2, a->resident_id);
	db_bind_text(st, 3, a->device_id);
	db_bind_text(st, 4, a->kind);
	db_bind_int64(st, 5, a->priority);
	db_bind_text(st, 6, a->dedup_key);
	db_bind_text(st, 7, a->detail);
	db_bind_int64(st, 8, a->now);
	db_bind_int64(st, 9, a->event_at);
	db_bind_opt_int(st, 10, a->next_escalation_at > 0, a->next_escalation_at);
	db_bind_int64(st, 11, a->nobody_on_shift);
	enum cn_err rc = db_step_done(st);
	if (rc == CN_OK)
		*id = db_last_insert_id(db);
	return rc;
}

enum cn_err db_alert_fold(struct db *db, int64_t id, int64_t event_at, int64_t now)
{
	static const char sql[] =
		"UPDATE alerts SET count = count + 1,"
		" last_event_at = CASE WHEN last_event_at > ?2 THEN last_event_at ELSE ?2 END, updated_at = ?3"
		" WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, event_at);
	db_bind_int64(st, 3, now);
	return db_step_done(st);
}

enum cn_err db_alert_set_level(struct db *db, int64_t id, int level, int64_t next, int64_t now,
                               bool nobody_on_shift)
{
	static const char sql[] = "UPDATE alerts SET level = ?2, next_escalation_at = ?3,"
				  " updated_at = ?4, nobody_on_shift = ?5 WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, level);
	db_bind_opt_int(st, 3, next > 0, next);
	db_bind_int64(st, 4, now);
	db_bind_int64(st, 5, nobody_on_shift);
	return db_step_done(st);
}

enum cn_err db_alert_ack(struct db *db, int64_t id, const char *staff_id, int64_t now)
{
	static const char sql[] =
		"UPDATE alerts SET status = 'acknowledged', acked_at = ?3, acked_by = ?2,"
		" next_escalation_at = NULL, updated_at = ?3 WHERE id = ?1 AND status = 'open'";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, staff_id);
	db_bind_int64(st, 3, now);
	return db_step_guarded(db, st);
}

enum cn_err db_alert_dispatch(struct db *db, int64_t id, const char *by, const char *responder,
                              int64_t now)
{
	/* Dispatching an open alert acknowledges it too: someone is going. */
	static const char sql[] =
		"UPDATE alerts SET status = 'dispatched', dispatched_at = ?4, responder_id = ?3,"
		" acked_at = coalesce(acked_at, ?4), acked_by = coalesce(acked_by, ?2),"
		" next_escalation_at = NULL, updated_at = ?4"
		" WHERE id = ?1 AND status IN ('open','acknowledged')";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, by);
	db_bind_text(st, 3, responder);
	db_bind_int64(st, 4, now);
	return db_step_guarded(db, st);
}

enum cn_err db_alert_arrive(struct db *db, int64_t id, const char *by, int64_t now)
{
	static const char sql[] = "UPDATE alerts SET status = 'on_site', on_site_at = ?3,"
				  " responder_id = coalesce(responder_id, ?2), updated_at = ?3"
				  " WHERE id = ?1 AND status IN ('acknowledged','dispatched')";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, by);
	db_bind_int64(st, 3, now);
	return db_step_guarded(db, st);
}

enum cn_err db_alert_resolve(struct db *db, int64_t id, const char *by, const char *outcome,
                             const char *note, int64_t now)
{
	static const char sql[] =
		"UPDATE alerts SET status = 'resolved', resolved_at = ?5, resolved_by = ?2,"
		" outcome = ?3, note = coalesce(?4, note), next_escalation_at = NULL, updated_at = ?5"
		" WHERE id = ?1 AND status <> 'resolved'";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, by);
	db_bind_text(st, 3, outcome);
	db_bind_text(st, 4, note);
	db_bind_int64(st, 5, now);
	return db_step_guarded(db, st);
}

enum cn_err db_timeline_add(struct db *db, int64_t alert_id, int64_t ts, const char *actor,
                            const char *action, const char *detail)
{
	static const char sql[] = "INSERT INTO alert_timeline(alert_id, ts, actor, action, detail)"
				  " VALUES (?1, ?2, ?3, ?4, ?5)";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, alert_id);
	db_bind_int64(st, 2, ts);
	db_bind_text(st, 3, actor);
	db_bind_text(st, 4, action);
	db_bind_text(st, 5, detail);
	return db_step_done(st);
}

enum cn_err db_alert_change_add(struct db *db, int64_t alert_id, const char *site_id,
                                const char *resident_id, const char *event, int64_t ts,
                                int64_t *change_id)
{
	static const char sql[] =
		"INSERT INTO alert_changes(alert_id, site_id, resident_id, event, ts)"
		" VALUES (?1, ?2, ?3, ?4, ?5)";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, alert_id);
	db_bind_text(st, 2, site_id);
	db_bind_text(st, 3, (resident_id && *resident_id) ? resident_id : NULL);
	db_bind_text(st, 4, event);
	db_bind_int64(st, 5, ts);
	enum cn_err rc = db_step_done(st);
	if (rc == CN_OK)
		*change_id = db_last_insert_id(db);
	return rc;
}

enum cn_err db_alert_changes_latest(struct db *db, int64_t *id)
{
	static const char sql[] = "SELECT coalesce(max(id), 0) FROM alert_changes";
	return db_query_int64(db, sql, id);
}

enum cn_err db_alert_changes_after(struct db *db, int64_t after_id, size_t max,
                                   struct db_alert_change *out, size_t *n)
{
	static const char sql[] = "SELECT id, alert_id, event, site_id, resident_id"
				  " FROM alert_changes WHERE id > ?1 ORDER BY id LIMIT ?2";
	*n = 0;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, after_id);
	db_bind_int64(st, 2, (int64_t)max);
	int64_t alert_ids[64];
	int rc = DB_DONE;
	while (*n < max && *n < 64 && (rc = db_step(st)) == DB_ROW) {
		struct db_alert_change *c = &out[*n];
		memset(c, 0, sizeof(*c));
		c->id = db_col_int64(st, 0);
		alert_ids[*n] = db_col_int64(st, 1);
		copy_text(c->event, sizeof(c->event), st, 2);
		copy_text(c->site_id, sizeof(c->site_id), st, 3);
		copy_text(c->resident_id, sizeof(c->resident_id), st, 4);
		(*n)++;
	}
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE) {
		*n = 0;
		return db_err(rc);
	}
	/* The alert as it is now: a client that resumes sees current state. */
	for (size_t i = 0; i < *n; i++) {
		json_t *alert = NULL;
		if (db_alert_json(db, alert_ids[i], false, &alert) != CN_OK)
			alert = json_null();
		out[i].payload = json_pack("{s:s,s:o}", "event", out[i].event, "alert", alert);
	}
	return CN_OK;
}

enum cn_err db_notification_add(struct db *db, int64_t alert_id, const char *staff_id, int level,
                                bool nobody_on_shift, int64_t now, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO notifications(alert_id, staff_id, level, nobody_on_shift, created_at,"
		" sent_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, alert_id);
	db_bind_text(st, 2, staff_id);
	db_bind_int64(st, 3, level);
	db_bind_int64(st, 4, nobody_on_shift);
	db_bind_int64(st, 5, now);
	enum cn_err rc = db_step_done(st);
	if (rc == CN_OK)
		*id = db_last_insert_id(db);
	return rc;
}

enum cn_err db_notification_mark_unsent(struct db *db, int64_t id)
{
	static const char sql[] = "UPDATE notifications SET sent_at = NULL WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, id);
	return db_step_done(st);
}

enum cn_err db_notification_mark_sent(struct db *db, int64_t id, int64_t now)
{
	static const char sql[] = "UPDATE notifications SET sent_at = ?2 WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, now);
	return db_step_done(st);
}

/* The one alert encoder: column names are the API's field names. */
#define ALERT_JSON_COLUMNS                                                                         \
	"CAST(a.id AS TEXT) AS id, a.site_id, a.resident_id, a.device_id, a.kind, a.priority,"     \
	" a.status, a.detail, a.created_at AS \"created_at@t\", a.updated_at AS \"updated_at@t\"," \
	" a.acked_at AS \"acked_at@t\", a.acked_by, a.dispatched_at AS \"dispatched_at@t\","       \
	" a.responder_id, a.on_site_at AS \"on_site_at@t\", a.resolved_at AS \"resolved_at@t\","   \
	" a.resolved_by, a.outcome, a.note, a.level, a.count,"                                     \
	" a.last_event_at AS \"last_event_at@t\", a.nobody_on_shift AS \"nobody_on_shift@b\","     \
	" a.acked_by_contact AS \"acked_by_contact@j\","                                           \
	" (SELECT json_group_array(staff_id) FROM (SELECT staff_id, min(n.id) AS first"            \
	"   FROM notifications n WHERE n.alert_id = a.id GROUP BY staff_id ORDER BY first) AS f)"  \
	"  AS \"notified@j\""

enum cn_err db_alert_json(struct db *db, int64_t id, bool timeline, json_t **out)
{
	static const char sql[] = "SELECT " ALERT_JSON_COLUMNS " FROM alerts a WHERE a.id = ?1";
	static const char sql_tl[] =
		/* Deliveries put their own lines on the record: `delivered` when a
		 * message left (or was carried by a merged one), `delivery_failed`
		 * when it gave up. */
		"SELECT ts AS \"ts@t\", actor, action, detail FROM ("
		" SELECT ts, actor, action, detail, 0 AS src, id FROM alert_timeline WHERE alert_id = ?1"
		" UNION ALL SELECT sent_at, 'system', 'delivered', kind || ' to '"
		"  || coalesce(nullif(to_addr, ''), staff_id, json_extract(contact, '$.name'), '?')"
		"  || ' (delivery ' || id || CASE WHEN merged_into IS NOT NULL"
		"  THEN ', merged into ' || merged_into ELSE '' END || ')', 1, id"
		"  FROM deliveries WHERE alert_id = ?1 AND sent_at IS NOT NULL"
		" UNION ALL SELECT failed_at, 'system', 'delivery_failed', kind || ' to '"
		"  || coalesce(nullif(to_addr, ''), staff_id, json_extract(contact, '$.name'), '?')"
		"  || ' (delivery ' || id || '): ' || coalesce(last_error, '?'), 1, id"
		"  FROM deliveries WHERE alert_id = ?1 AND failed_at IS NOT NULL"
		") AS tl ORDER BY ts, src, id";
	*out = NULL;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, id);
	int rc = db_step(st);
	if (rc != DB_ROW) {
		db_reset(st);
		return rc == DB_DONE ? CN_ERR_NOT_FOUND : db_err(rc);
	}
	json_t *alert = db_row_json(st);
	db_reset(st);
	if (timeline) {
		st = db_stmt(db, sql_tl);
		if (!st) {
			json_decref(alert);
			return CN_ERR_DB;
		}
		db_bind_int64(st, 1, id);
		json_t *lines = json_array();
		while ((rc = db_step(st)) == DB_ROW)
			json_array_append_new(lines, db_row_json(st));
		db_reset(st);
		json_object_set_new(alert, "timeline", lines);
		if (rc != DB_DONE) {
			json_decref(alert);
			return db_err(rc);
		}
		json_t *deliveries = NULL;
		enum cn_err drc = db_deliveries_json(db, id, &deliveries);
		json_object_set_new(alert, "deliveries", deliveries);
		if (drc != CN_OK) {
			json_decref(alert);
			return drc;
		}
	}
	*out = alert;
	return CN_OK;
}

enum cn_err db_alerts_due(struct db *db, int64_t now, int64_t *ids, size_t max, size_t *n)
{
	static const char sql[] =
		"SELECT id FROM alerts WHERE next_escalation_at IS NOT NULL AND next_escalation_at <= ?1"
		" AND status = 'open' ORDER BY next_escalation_at LIMIT ?2";
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
	/* A failed read must not look like "nothing due" or "nobody to page". */
	return (rc == DB_ROW || rc == DB_DONE) ? CN_OK : db_err(rc);
}

enum cn_err db_alerts_next_due(struct db *db, int64_t *at)
{
	static const char sql[] = "SELECT min(next_escalation_at) FROM alerts"
				  " WHERE next_escalation_at IS NOT NULL AND status = 'open'";
	return db_query_int64(db, sql, at);
}

enum cn_err db_staff_to_page(struct db *db, const char *site_id, unsigned mask, int64_t now,
                             char ids[][65], size_t max, size_t *n)
{
	/* One query for every level: the mask says which groups count. */
	static const char sql[] =
		"SELECT s.id FROM staff s WHERE s.active = 1"
		" AND s.role NOT IN ('volunteer','family','clinician') AND ("
		"  ((?3 & 8) <> 0 AND s.role = 'coordinator' AND s.site_id = ?1)"
		"  OR ((?3 & 32) <> 0 AND s.role = 'admin')"
		"  OR EXISTS (SELECT 1 FROM shifts h WHERE h.staff_id = s.id AND h.site_id = ?1"
		"    AND h.starts_at <= ?2 AND h.ends_at > ?2 AND ("
		"      (?3 & 16) <> 0 OR ((?3 & 1) <> 0 AND h.tier = 'primary') OR ((?3 & 2) <> 0 AND h.tier = 'backup')"
		"      OR ((?3 & 4) <> 0 AND h.tier = 'supervisor'))))"
		" ORDER BY s.id";
	*n = 0;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, site_id);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, (int)mask);
	int rc = DB_DONE;
	while (*n < max && (rc = db_step(st)) == DB_ROW)
		copy_text(ids[(*n)++], 65, st, 0);
	db_reset(st);
	/* A failed read must not look like "nothing due" or "nobody to page". */
	return (rc == DB_ROW || rc == DB_DONE) ? CN_OK : db_err(rc);
}

enum cn_err db_anyone_on_shift(struct db *db, const char *site_id, int64_t now, bool *any)
{
	static const char sql[] =
		"SELECT EXISTS(SELECT 1 FROM shifts h JOIN staff s ON s.id = h.staff_id"
		" WHERE h.site_id = ?1 AND h.starts_at <= ?2 AND h.ends_at > ?2 AND s.active = 1"
		" AND s.role NOT IN ('volunteer','family','clinician'))";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, site_id);
	db_bind_int64(st, 2, now);
	int64_t v = 0;
	enum cn_err rc = db_step_int64(st, &v);
	*any = v != 0;
	return rc;
}

enum cn_err db_resident_card(struct db *db, const char *resident_id, json_t **out)
{
	static const char sql[] = "SELECT name, address, phone FROM residents WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, resident_id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*out = db_row_json(st);
	else
		*out = json_pack("{s:n,s:n,s:n}", "name", "address", "phone");
	db_reset(st);
	return (rc == DB_ROW || rc == DB_DONE) ? CN_OK : db_err(rc);
}

enum cn_err db_notifications_unsent(struct db *db, struct db_unsent_page *out, size_t max,
                                    size_t *n)
{
	static const char sql[] =
		"SELECT n.id, n.alert_id, n.staff_id, n.level, n.nobody_on_shift FROM notifications n"
		" JOIN alerts a ON a.id = n.alert_id"
		" WHERE n.sent_at IS NULL AND a.status = 'open' ORDER BY n.id LIMIT ?1";
	*n = 0;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, (int64_t)max);
	int rc = DB_DONE;
	while (*n < max && (rc = db_step(st)) == DB_ROW) {
		struct db_unsent_page *p = &out[(*n)++];
		p->id = db_col_int64(st, 0);
		p->alert_id = db_col_int64(st, 1);
		copy_text(p->staff_id, sizeof(p->staff_id), st, 2);
		p->level = db_col_int(st, 3);
		p->nobody_on_shift = db_col_int(st, 4) != 0;
	}
	db_reset(st);
	return (rc == DB_ROW || rc == DB_DONE) ? CN_OK : db_err(rc);
}

enum cn_err db_event_set_alert(struct db *db, int64_t event_id, int64_t alert_id)
{
	static const char sql[] = "UPDATE events SET alert_id = ?2 WHERE id = ?1";
	if (db_held_set_alert(db, event_id, alert_id))
		return CN_OK; /* stored with it at the commit */
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, event_id);
	db_bind_int64(st, 2, alert_id);
	return db_step_done(st);
}
