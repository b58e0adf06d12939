#include "db_policies.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* The text of column 0 of the row `st` is on, or NULL. */
static char *dup_text(struct db_stmt *st)
{
	const unsigned char *s = db_col_text(st, 0);
	return s ? xstrdup((const char *)s) : NULL;
}

static enum cn_err one_text(struct db_stmt *st, char **out, bool missing_is_ok)
{
	*out = NULL;
	int rc = db_step(st);
	if (rc == DB_ROW)
		*out = dup_text(st);
	db_reset(st);
	if (rc == DB_ROW)
		return CN_OK;
	if (rc == DB_DONE)
		return missing_is_ok ? CN_OK : CN_ERR_NOT_FOUND;
	return db_err(rc);
}

enum cn_err db_policy_get(struct db *db, const char *site_id, int priority, char **json)
{
	static const char sql[] =
		"SELECT policy FROM escalation_policies WHERE site_id = ?1 AND priority = ?2";
	struct db_stmt *st = db_stmt(db, sql);
	*json = NULL;
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, site_id);
	db_bind_int64(st, 2, priority);
	return one_text(st, json, true);
}

enum cn_err db_policy_put(struct db *db, const char *site_id, int priority, const char *json,
                          int64_t now)
{
	static const char sql[] =
		"INSERT INTO escalation_policies(site_id, priority, policy, updated_at)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (site_id, priority)"
		" DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, site_id);
	db_bind_int64(st, 2, priority);
	db_bind_text(st, 3, json);
	db_bind_int64(st, 4, now);
	return db_step_done(st);
}

enum cn_err db_alert_policy_set(struct db *db, int64_t alert_id, const char *json)
{
	static const char sql[] = "UPDATE alerts SET policy = ?2 WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, alert_id);
	db_bind_text(st, 2, json);
	return db_step_done(st);
}

enum cn_err db_alert_policy_get(struct db *db, int64_t alert_id, char **json)
{
	static const char sql[] = "SELECT policy FROM alerts WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	*json = NULL;
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, alert_id);
	return one_text(st, json, false);
}
