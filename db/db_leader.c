#include "db_leader.h"

#include "db.h"

/* The key of the leader lock; db/engine_pg.c uses 7217001 and 7217002. */
#define LEADER_KEY "7217003"

enum cn_err db_leader_try(struct db *db, bool *got)
{
	static const char sql[] = "SELECT pg_try_advisory_lock(" LEADER_KEY ")";
	int64_t v = 0;
	enum cn_err rc = db_query_int64(db, sql, &v);
	*got = rc == CN_OK && v != 0;
	return rc;
}

enum cn_err db_leader_check(struct db *db, bool *held)
{
	/* An advisory lock on one bigint key shows as classid = key >> 32,
	 * objid = key & 0xffffffff, objsubid = 1. */
	static const char sql[] = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
				  " AND classid = 0 AND objid = " LEADER_KEY " AND objsubid = 1"
				  " AND granted AND pid = pg_backend_pid()";
	int64_t v = 0;
	enum cn_err rc = db_query_int64(db, sql, &v);
	*held = rc == CN_OK && v > 0;
	return rc;
}
