#include "db_residents.h"

#include <string.h>

static int hhmm_col(struct db_stmt *st, int col, int fallback)
{
	const unsigned char *s = db_col_text(st, col);
	int m;
	return (s && rules_parse_hhmm((const char *)s, &m)) ? m : fallback;
}

enum cn_err db_resident_rule_state(struct db *db, const char *resident_id,
                                   struct rule_resident *out, bool *enrolled)
{
	static const char sql[] =
		"SELECT presence, active_from, active_to, inactivity_minutes, night_from, night_to,"
		" checkin_by, status FROM residents WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, resident_id);
	int rc = db_step(st);
	enum cn_err err = CN_ERR_NOT_FOUND;
	if (rc == DB_ROW) {
		const unsigned char *p = db_col_text(st, 0);
		out->presence = !p                                     ? PRESENCE_HOME
		                : strcmp((const char *)p, "daycare") == 0 ? PRESENCE_DAYCARE
		                : strcmp((const char *)p, "away") == 0    ? PRESENCE_AWAY
		                                                          : PRESENCE_HOME;
		out->active.from_min = hhmm_col(st, 1, 7 * 60);
		out->active.to_min = hhmm_col(st, 2, 22 * 60);
		out->inactivity_minutes = db_col_int(st, 3);
		out->night.from_min = hhmm_col(st, 4, 23 * 60);
		out->night.to_min = hhmm_col(st, 5, 6 * 60);
		out->checkin_by_min = db_col_type(st, 6) == DB_NULL ? -1 : hhmm_col(st, 6, -1);
		const unsigned char *status = db_col_text(st, 7);
		*enrolled = status && strcmp((const char *)status, "enrolled") == 0;
		err = CN_OK;
	} else if (rc != DB_DONE) {
		err = db_err(rc);
	}
	db_reset(st);
	return err;
}

enum cn_err db_resident_touch_activity(struct db *db, const char *resident_id, int64_t at)
{
	static const char sql[] = "UPDATE residents SET last_activity_at = ?2 WHERE id = ?1"
	                          " AND (last_activity_at IS NULL OR last_activity_at < ?2)";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, resident_id);
	db_bind_int64(st, 2, at);
	return db_step_done(st);
}
