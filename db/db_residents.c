#include "db_residents.h"

#include <stdio.h>
#include <string.h>

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
