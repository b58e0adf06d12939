/* Health readings, thresholds and activity summaries (db_health.h). */
#include "db_health.h"

#include <stdio.h>
#include <string.h>

#include "db.h"

enum cn_err db_measurement_insert(struct db *db, const struct db_measurement_new *m, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO measurements (resident_id, type, value, taken_at, source, device_id,"
		" taken_by, event_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
		" RETURNING id";
	struct db_stmt *st = db_stmt(db, sql);
	*id = 0;
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, m->resident_id);
	db_bind_text(st, 2, m->type);
	db_bind_text(st, 3, m->value_json);
	db_bind_int64(st, 4, m->taken_at);
	db_bind_text(st, 5, m->source);
	db_bind_text(st, 6, m->device_id);
	db_bind_text(st, 7, m->taken_by);
	db_bind_opt_int(st, 8, m->event_id > 0, m->event_id);
	db_bind_int64(st, 9, m->created_at);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*id = db_col_int64(st, 0);
	db_reset(st);
	return rc == DB_ROW ? CN_OK : db_err(rc);
}

#define MEAS_COLUMNS                                                       \
	"CAST(id AS TEXT) AS id, resident_id, type, value AS \"value@j\"," \
	" taken_at AS \"taken_at@t\", source, device_id, taken_by, created_at AS \"created_at@t\""

enum cn_err db_measurement_get(struct db *db, int64_t id, json_t **out)
{
	static const char sql[] = "SELECT " MEAS_COLUMNS " FROM measurements WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	*out = NULL;
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*out = db_row_json(st);
	db_reset(st);
	if (rc == DB_DONE)
		return CN_ERR_NOT_FOUND;
	return rc == DB_ROW ? CN_OK : db_err(rc);
}

enum cn_err db_measurements_list(struct db *db, const struct db_measurement_query *q,
                                 json_t **items, int64_t *last_key)
{
	static const char sql[] =
		"SELECT id AS _key, " MEAS_COLUMNS " FROM measurements"
		" WHERE resident_id = ?1 AND (?2 IS NULL OR type = ?2)"
		" AND (?3 IS NULL OR taken_at >= ?3) AND (?4 IS NULL OR taken_at < ?4)"
		" AND (?5 = 0 OR measurements.id < ?5)"
		" ORDER BY measurements.id DESC LIMIT ?6";
	struct db_stmt *st = db_stmt(db, sql);
	*items = NULL;
	*last_key = 0;
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, q->resident_id);
	db_bind_text(st, 2, q->type);
	db_bind_opt_int(st, 3, q->has_since, q->since);
	db_bind_opt_int(st, 4, q->has_until, q->until);
	db_bind_int64(st, 5, q->after);
	db_bind_int64(st, 6, (int64_t)(q->limit));
	return db_collect_keyed(st, items, last_key);
}

enum cn_err db_thresholds_get(struct db *db, const char *scope, const char *owner, json_t **doc)
{
	static const char sql[] = "SELECT doc FROM thresholds WHERE scope = ?1 AND owner_id = ?2";
	struct db_stmt *st = db_stmt(db, sql);
	*doc = NULL;
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, scope);
	db_bind_text(st, 2, owner);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		const char *text = (const char *)db_col_text(st, 0);
		*doc = text ? json_loads(text, 0, NULL) : NULL;
	}
	db_reset(st);
	return (rc == DB_ROW || rc == DB_DONE) ? CN_OK : db_err(rc);
}

enum cn_err db_thresholds_put(struct db *db, const char *scope, const char *owner,
                              const char *doc_json, int64_t now, const char *by)
{
	static const char sql[] =
		"INSERT INTO thresholds (scope, owner_id, doc, updated_at, updated_by)"
		" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (scope, owner_id) DO UPDATE SET"
		" doc = excluded.doc, updated_at = excluded.updated_at,"
		" updated_by = excluded.updated_by";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, scope);
	db_bind_text(st, 2, owner);
	db_bind_text(st, 3, doc_json);
	db_bind_int64(st, 4, now);
	db_bind_text(st, 5, by);
	return db_step_done(st);
}

enum cn_err db_activity_add(struct db *db, const struct db_activity_add *a)
{
	static const char day_sql[] =
		"INSERT INTO activity_days (resident_id, day, events, first_at, last_at, hours_mask,"
		" night_events) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		" ON CONFLICT (resident_id, day) DO UPDATE SET"
		" events = activity_days.events + excluded.events,"
		" first_at = CASE WHEN activity_days.first_at IS NULL"
		"   OR excluded.first_at < activity_days.first_at"
		"   THEN excluded.first_at ELSE activity_days.first_at END,"
		" last_at = CASE WHEN activity_days.last_at IS NULL"
		"   OR excluded.last_at > activity_days.last_at"
		"   THEN excluded.last_at ELSE activity_days.last_at END,"
		" hours_mask = activity_days.hours_mask | excluded.hours_mask,"
		" night_events = activity_days.night_events + excluded.night_events";
	static const char room_sql[] =
		"INSERT INTO activity_rooms (resident_id, day, room, events)"
		" SELECT CAST(?1 AS TEXT), CAST(?2 AS INTEGER), d.room, CAST(?4 AS INTEGER) FROM devices d"
		" WHERE d.key = ?3 AND d.room IS NOT NULL"
		" AND d.room <> ''"
		" ON CONFLICT (resident_id, day, room) DO UPDATE SET"
		" events = activity_rooms.events + excluded.events";
	struct db_stmt *st = db_stmt(db, day_sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, a->resident_id);
	db_bind_int64(st, 2, (int64_t)(a->day));
	db_bind_int64(st, 3, (int64_t)(a->events));
	db_bind_opt_int(st, 4, a->first_at > 0, a->first_at);
	db_bind_opt_int(st, 5, a->last_at > 0, a->last_at);
	db_bind_int64(st, 6, (int64_t)a->hours_mask);
	db_bind_int64(st, 7, (int64_t)(a->night_events));
	enum cn_err rc = db_step_done(st);
	if (rc != CN_OK || a->device_key <= 0)
		return rc;
	st = db_stmt(db, room_sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, a->resident_id);
	db_bind_int64(st, 2, (int64_t)(a->day));
	db_bind_int64(st, 3, a->device_key);
	db_bind_int64(st, 4, (int64_t)(a->events));
	return db_step_done(st);
}

enum cn_err db_activity_range(struct db *db, const char *resident_id, int32_t from, int32_t to,
                              json_t **out)
{
	static const char day_sql[] =
		"SELECT day, events, first_at, last_at, hours_mask, night_events FROM activity_days"
		" WHERE resident_id = ?1 AND day >= ?2 AND day <= ?3 ORDER BY day";
	static const char room_sql[] =
		"SELECT day, room, events FROM activity_rooms"
		" WHERE resident_id = ?1 AND day >= ?2 AND day <= ?3 ORDER BY day, room";
	*out = NULL;
	struct db_stmt *st = db_stmt(db, day_sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, resident_id);
	db_bind_int64(st, 2, (int64_t)(from));
	db_bind_int64(st, 3, (int64_t)(to));
	json_t *days = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *d = json_pack(
			"{s:I,s:I,s:I,s:I,s:I,s:{}}", "day", (json_int_t)db_col_int64(st, 0),
			"events", (json_int_t)db_col_int64(st, 1), "first_at",
			(json_int_t)db_col_int64(st, 2), "last_at", (json_int_t)db_col_int64(st, 3),
			"hours_mask", (json_int_t)db_col_int64(st, 4), "by_room");
		json_object_set_new(d, "night_events", json_integer(db_col_int64(st, 5)));
		json_array_append_new(days, d);
	}
	db_reset(st);
	if (rc != DB_DONE) {
		json_decref(days);
		return db_err(rc);
	}
	st = db_stmt(db, room_sql);
	if (!st) {
		json_decref(days);
		return CN_ERR_DB;
	}
	db_bind_text(st, 1, resident_id);
	db_bind_int64(st, 2, (int64_t)(from));
	db_bind_int64(st, 3, (int64_t)(to));
	size_t i = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		json_int_t day = db_col_int64(st, 0);
		while (i < json_array_size(days) &&
		       json_integer_value(json_object_get(json_array_get(days, i), "day")) < day)
			i++;
		json_t *d = json_array_get(days, i);
		const char *room = (const char *)db_col_text(st, 1);
		if (d && room && json_integer_value(json_object_get(d, "day")) == day)
			json_object_set_new(json_object_get(d, "by_room"), room,
			                    json_integer(db_col_int64(st, 2)));
	}
	db_reset(st);
	if (rc != DB_DONE) {
		json_decref(days);
		return db_err(rc);
	}
	*out = days;
	return CN_OK;
}

enum cn_err db_activity_prune(struct db *db, int32_t day, int *deleted)
{
	static const char day_sql[] = "DELETE FROM activity_days WHERE day < ?1";
	static const char room_sql[] = "DELETE FROM activity_rooms WHERE day < ?1";
	*deleted = 0;
	struct db_stmt *st = db_stmt(db, day_sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, (int64_t)(day));
	enum cn_err rc = db_step_done(st);
	if (rc != CN_OK)
		return rc;
	*deleted = (int)db_changes(db);
	st = db_stmt(db, room_sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, (int64_t)(day));
	return db_step_done(st);
}

enum cn_err db_alert_set_priority(struct db *db, int64_t alert_id, int priority, int64_t now)
{
	static const char sql[] = "UPDATE alerts SET priority = ?2, updated_at = ?3"
				  " WHERE id = ?1 AND status <> 'resolved'";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, alert_id);
	db_bind_int64(st, 2, (int64_t)(priority));
	db_bind_int64(st, 3, now);
	return db_step_guarded(db, st);
}

enum cn_err db_attendance_minutes(struct db *db, const char *resident_id, int64_t start,
                                  int64_t end, int64_t now, int *minutes)
{
	/* The overlap of each stay with the day, in portable CASE form. */
	static const char sql[] =
		"SELECT CAST(COALESCE(SUM("
		" (CASE WHEN COALESCE(check_out_at, ?4) < ?3 THEN COALESCE(check_out_at, ?4) ELSE ?3 END)"
		" - (CASE WHEN check_in_at > ?2 THEN check_in_at ELSE ?2 END)), 0) AS BIGINT)"
		" FROM attendance WHERE resident_id = ?1 AND check_in_at < ?3"
		" AND COALESCE(check_out_at, ?4) > ?2";
	struct db_stmt *st = db_stmt(db, sql);
	*minutes = 0;
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, resident_id);
	db_bind_int64(st, 2, start);
	db_bind_int64(st, 3, end);
	db_bind_int64(st, 4, now);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*minutes = (int)(db_col_int64(st, 0) / 60000);
	db_reset(st);
	return rc == DB_ROW ? CN_OK : db_err(rc);
}

enum cn_err db_wellbeing_pending(struct db *db, int32_t day, struct db_wellbeing_pending *out,
                                 size_t max, size_t *n)
{
	static const char sql[] =
		"SELECT r.id, r.site_id, r.presence FROM residents r WHERE r.status = 'enrolled'"
		" AND NOT EXISTS (SELECT 1 FROM wellbeing_checks w WHERE w.resident_id = r.id"
		" AND w.day = ?1) ORDER BY r.id LIMIT ?2";
	struct db_stmt *st = db_stmt(db, sql);
	*n = 0;
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, (int64_t)(day));
	db_bind_int64(st, 2, (int64_t)max);
	int rc = DB_DONE;
	while (*n < max && (rc = db_step(st)) == DB_ROW) {
		struct db_wellbeing_pending *p = &out[(*n)++];
		snprintf(p->resident_id, sizeof(p->resident_id), "%s",
		         (const char *)db_col_text(st, 0));
		snprintf(p->site_id, sizeof(p->site_id), "%s", (const char *)db_col_text(st, 1));
		snprintf(p->presence, sizeof(p->presence), "%s", (const char *)db_col_text(st, 2));
	}
	db_reset(st);
	return rc == DB_DONE || rc == DB_ROW ? CN_OK : db_err(rc);
}

enum cn_err db_activity_brief(struct db *db, const char *resident_id, int32_t from, int32_t to,
                              struct db_activity_brief *out, size_t max, size_t *n)
{
	static const char sql[] =
		"SELECT day, events, night_events FROM activity_days"
		" WHERE resident_id = ?1 AND day >= ?2 AND day <= ?3 ORDER BY day";
	struct db_stmt *st = db_stmt(db, sql);
	*n = 0;
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, resident_id);
	db_bind_int64(st, 2, (int64_t)(from));
	db_bind_int64(st, 3, (int64_t)(to));
	int rc = DB_DONE;
	while (*n < max && (rc = db_step(st)) == DB_ROW) {
		out[*n].day = db_col_int(st, 0);
		out[*n].events = db_col_int(st, 1);
		out[*n].night_events = db_col_int(st, 2);
		(*n)++;
	}
	db_reset(st);
	return rc == DB_DONE || rc == DB_ROW ? CN_OK : db_err(rc);
}

enum cn_err db_attendance_on(struct db *db, const char *resident_id, const char *date, bool *yes)
{
	static const char sql[] = "SELECT 1 FROM attendance WHERE resident_id = ?1 AND day = ?2";
	struct db_stmt *st = db_stmt(db, sql);
	*yes = false;
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, resident_id);
	db_bind_text(st, 2, date);
	int rc = db_step(st);
	*yes = rc == DB_ROW;
	db_reset(st);
	return rc == DB_DONE || rc == DB_ROW ? CN_OK : db_err(rc);
}

enum cn_err db_wellbeing_record(struct db *db, const char *resident_id, int32_t day,
                                const char *verdict, int64_t now)
{
	static const char sql[] =
		"INSERT INTO wellbeing_checks (resident_id, day, verdict, checked_at)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (resident_id, day) DO NOTHING";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, resident_id);
	db_bind_int64(st, 2, (int64_t)(day));
	db_bind_text(st, 3, verdict);
	db_bind_int64(st, 4, now);
	return db_step_done(st);
}

enum cn_err db_clinicians_on_duty(struct db *db, const char *site_id, int64_t now, char ids[][65],
                                  size_t max, size_t *n)
{
	static const char sql[] =
		"SELECT DISTINCT s.id FROM staff s JOIN shifts h ON h.staff_id = s.id"
		" WHERE s.active = 1 AND s.role = 'clinician' AND h.site_id = ?1"
		" AND h.starts_at <= ?2 AND h.ends_at > ?2 AND h.tier <> 'off' ORDER BY s.id";
	struct db_stmt *st = db_stmt(db, sql);
	*n = 0;
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, site_id);
	db_bind_int64(st, 2, now);
	int rc = DB_DONE;
	while (*n < max && (rc = db_step(st)) == DB_ROW)
		snprintf(ids[(*n)++], 65, "%s", (const char *)db_col_text(st, 0));
	db_reset(st);
	return rc == DB_DONE || rc == DB_ROW ? CN_OK : db_err(rc);
}
