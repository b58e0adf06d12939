#include "db_residents.h"

#include <stdio.h>
#include <string.h>

static int hhmm_col(sqlite3_stmt *st, int col, int fallback)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	int m;
	return (s && rules_parse_hhmm((const char *)s, &m)) ? m : fallback;
}

enum cn_err db_resident_rule_state(struct db *db, const char *resident_id,
                                   struct rule_resident *out, bool *enrolled)
{
	static const char sql[] =
		"SELECT presence, active_from, active_to, inactivity_minutes, night_from, night_to,"
		" checkin_by, status FROM residents WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, resident_id);
	int rc = sqlite3_step(st);
	enum cn_err err = CN_ERR_NOT_FOUND;
	if (rc == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_text(st, 0);
		out->presence = !p                                     ? PRESENCE_HOME
		                : strcmp((const char *)p, "daycare") == 0 ? PRESENCE_DAYCARE
		                : strcmp((const char *)p, "away") == 0    ? PRESENCE_AWAY
		                                                          : PRESENCE_HOME;
		out->active.from_min = hhmm_col(st, 1, 7 * 60);
		out->active.to_min = hhmm_col(st, 2, 22 * 60);
		out->inactivity_minutes = sqlite3_column_int(st, 3);
		out->night.from_min = hhmm_col(st, 4, 23 * 60);
		out->night.to_min = hhmm_col(st, 5, 6 * 60);
		out->checkin_by_min = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : hhmm_col(st, 6, -1);
		const unsigned char *status = sqlite3_column_text(st, 7);
		*enrolled = status && strcmp((const char *)status, "enrolled") == 0;
		err = CN_OK;
	} else if (rc != SQLITE_DONE) {
		err = db_err(rc);
	}
	sqlite3_reset(st);
	return err;
}

enum cn_err db_resident_status(struct db *db, const char *resident_id, char out[16])
{
	static const char sql[] = "SELECT status FROM residents WHERE id = ?1";
	out[0] = '\0';
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, resident_id);
	int rc = sqlite3_step(st);
	enum cn_err err = CN_ERR_NOT_FOUND;
	if (rc == SQLITE_ROW) {
		const unsigned char *s = sqlite3_column_text(st, 0);
		snprintf(out, 16, "%s", s ? (const char *)s : "");
		err = CN_OK;
	} else if (rc != SQLITE_DONE) {
		err = db_err(rc);
	}
	sqlite3_reset(st);
	return err;
}

enum cn_err db_resident_touch_activity(struct db *db, const char *resident_id, int64_t at)
{
	static const char sql[] = "UPDATE residents SET last_activity_at = ?2 WHERE id = ?1"
	                          " AND (last_activity_at IS NULL OR last_activity_at < ?2)";
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, resident_id);
	sqlite3_bind_int64(st, 2, at);
	return db_step_done(st);
}
