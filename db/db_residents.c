#include "db_residents.h"

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
