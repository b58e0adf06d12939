#include "db_alerts_list.h"

#include <string.h>

/* The alert encoder's columns (kept in step with db_alert_json). */
#define ALERT_LIST_COLUMNS                                                                     \
	"a.id AS _key, CAST(a.id AS TEXT) AS id, a.site_id, a.resident_id, a.device_id, a.kind,"  \
	" a.priority, a.status, a.detail, a.created_at AS \"created_at@t\","                      \
	" a.updated_at AS \"updated_at@t\", a.acked_at AS \"acked_at@t\", a.acked_by,"            \
	" a.dispatched_at AS \"dispatched_at@t\", a.responder_id, a.on_site_at AS \"on_site_at@t\"," \
	" a.resolved_at AS \"resolved_at@t\", a.resolved_by, a.outcome, a.note, a.level, a.count," \
	" a.last_event_at AS \"last_event_at@t\", a.nobody_on_shift AS \"nobody_on_shift@b\","    \
	" (SELECT json_group_array(staff_id) FROM (SELECT DISTINCT staff_id FROM notifications n" \
	"   WHERE n.alert_id = a.id ORDER BY n.id)) AS \"notified@j\""

#define ALERT_FILTERS                                                                          \
	" AND (:after = 0 OR a.id < :after)"                                                     \
	" AND (:priority IS NULL OR a.priority = CAST(:priority AS INTEGER))"                    \
	" AND (:kind IS NULL OR a.kind = :kind)"                                                 \
	" AND (:resident IS NULL OR a.resident_id = :resident)"                                  \
	" AND (:site IS NULL OR a.site_id = :site)"                                              \
	" AND (:since IS NULL OR a.created_at >= :since)"                                        \
	" AND (:scope_site IS NULL OR a.site_id = :scope_site)"                                  \
	" AND (:family IS NULL OR a.resident_id IN (SELECT resident_id FROM staff_residents"     \
	"      WHERE staff_id = :family))"                                                       \
	" ORDER BY a.id DESC LIMIT :limit"


enum cn_err db_alerts_list(struct db *db, const struct db_alert_query *q, json_t **items,
                           int64_t *last_key)
{
	/* "Active" has its own statement so the partial index alerts_active
	 * (status <> 'resolved') serves the dashboard's most common call. */
	static const char sql_active[] = "SELECT " ALERT_LIST_COLUMNS " FROM alerts a"
	                                 " WHERE a.status <> 'resolved'" ALERT_FILTERS;
	static const char sql_any[] = "SELECT " ALERT_LIST_COLUMNS " FROM alerts a"
	                              " WHERE (:status IS NULL OR a.status = :status)" ALERT_FILTERS;
	bool active = q->status && strcmp(q->status, "active") == 0;
	sqlite3_stmt *st = db_stmt(db, active ? sql_active : sql_any);
	*items = NULL;
	*last_key = 0;
	if (!st)
		return CN_ERR_DB;
	if (!active)
		db_bind_named_text(st, ":status", q->status);
	db_bind_named_opt_int(st, ":after", true, q->after);
	db_bind_named_text(st, ":priority", q->priority);
	db_bind_named_text(st, ":kind", q->kind);
	db_bind_named_text(st, ":resident", q->resident_id);
	db_bind_named_text(st, ":site", q->site_id);
	db_bind_named_opt_int(st, ":since", q->has_since, q->since);
	db_bind_named_text(st, ":scope_site", q->scope_site);
	db_bind_named_text(st, ":family", q->scope_family);
	db_bind_named_opt_int(st, ":limit", true, q->limit);
	return db_collect_keyed(st, items, last_key);
}

#define EVENT_COLUMNS                                                                          \
	"e.id AS _key, CAST(e.id AS TEXT) AS id, d.id AS device_id, d.resident_id, e.type,"      \
	" e.value AS \"value@j\", e.seq, e.ts AS \"ts@t\", e.received_at AS \"received_at@t\","  \
	" e.battery"

enum cn_err db_events_list(struct db *db, const struct db_event_query *q, json_t **items,
                           int64_t *last_key)
{
	/* Events belong to the enrolment, not the bare device id: a retired id
	 * enrolled again (created_at set anew) starts with no history for its
	 * new owner. Newest first. Ids are time-ordered (see the events table), so a time
	 * range is an id range and one device's page is one backward walk of
	 * events_by_device. */
	static const char sql_device[] =
		"SELECT " EVENT_COLUMNS " FROM events e JOIN devices d ON d.key = e.device_key"
		" WHERE e.device_key = (SELECT key FROM devices WHERE id = :device)"
		" AND (:after = 0 OR e.id < :after) AND e.id >= :from_id AND e.id < :to_id"
		" AND (:type IS NULL OR e.type = :type) AND e.received_at >= d.created_at"
		" AND (:scope_site IS NULL OR d.resident_id IN (SELECT id FROM residents"
		"      WHERE site_id = :scope_site))"
		" ORDER BY e.id DESC LIMIT :limit";
	static const char sql_any[] =
		"SELECT " EVENT_COLUMNS " FROM events e JOIN devices d ON d.key = e.device_key"
		" WHERE (:after = 0 OR e.id < :after) AND e.id >= :from_id AND e.id < :to_id"
		" AND (:resident IS NULL OR e.device_key IN (SELECT key FROM devices"
		"      WHERE resident_id = :resident))"
		" AND (:type IS NULL OR e.type = :type) AND e.received_at >= d.created_at"
		" AND (:scope_site IS NULL OR e.device_key IN (SELECT dd.key FROM devices dd"
		"      JOIN residents r ON r.id = dd.resident_id WHERE r.site_id = :scope_site))"
		" ORDER BY e.id DESC LIMIT :limit";
	sqlite3_stmt *st = db_stmt(db, q->device_id ? sql_device : sql_any);
	*items = NULL;
	*last_key = 0;
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":device", q->device_id);
	db_bind_named_text(st, ":resident", q->resident_id);
	db_bind_named_text(st, ":type", q->type);
	db_bind_named_text(st, ":scope_site", q->scope_site);
	db_bind_named_opt_int(st, ":after", true, q->after);
	db_bind_named_opt_int(st, ":from_id", true, q->has_since ? q->since * 1000 : 0);
	db_bind_named_opt_int(st, ":to_id", true, q->has_until ? q->until * 1000 : INT64_MAX);
	db_bind_named_opt_int(st, ":limit", true, q->limit);
	return db_collect_keyed(st, items, last_key);
}
