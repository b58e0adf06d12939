#include "db_windows.h"

enum cn_err db_rule_timers_next_due(struct db *db, int64_t *at)
{
	static const char sql[] = "SELECT coalesce(min(due_at), 0) FROM rule_timers";
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	int rc = sqlite3_step(st);
	*at = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? CN_OK : db_err(rc);
}
