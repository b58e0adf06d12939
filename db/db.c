#define _POSIX_C_SOURCE 200809L
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"
#include "xalloc.h"

/* From the generated migrations.c: the SQL of each migration, in order;
 * migration i+1 is db/migrations/00{i+1}_*.sql. */
extern const char *const db_migrations[];
extern const size_t db_migration_count;

#define STMT_CACHE_SIZE 512 /* open addressing; far more than we prepare */

struct stmt_slot {
	const char *sql;
	sqlite3_stmt *stmt;
};

struct db {
	sqlite3 *h;
	struct stmt_slot cache[STMT_CACHE_SIZE];
};

sqlite3 *db_handle(struct db *db) { return db->h; }

enum cn_err db_err(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return CN_OK;
	case SQLITE_FULL:
		return CN_ERR_FULL;
	case SQLITE_CONSTRAINT:
		return CN_ERR_CONFLICT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return CN_ERR_UNAVAILABLE;
	case SQLITE_IOERR:
		/* SQLite reports a full disk during WAL writes as an I/O error. */
		return (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC) ? CN_ERR_FULL : CN_ERR_IO;
	default:
		return CN_ERR_DB;
	}
}

static enum cn_err exec(struct db *db, const char *sql, char *err, size_t err_size)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK && err)
		snprintf(err, err_size, "%s", msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return db_err(rc);
}

enum cn_err db_open(const char *path, struct db **out, char *err, size_t err_size)
{
	*out = NULL;
	struct db *db = xcalloc(1, sizeof(*db));
	int rc = sqlite3_open_v2(path, &db->h,
	                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                         NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, err_size, "cannot open database %s: %s", path,
		         db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, 5000);
	/* WAL lets the API read while ingest writes; synchronous=FULL makes a
	 * commit durable before the alarm ack that depends on it goes out. */
	static const char pragmas[] = "PRAGMA journal_mode=WAL;"
	                              "PRAGMA synchronous=FULL;"
	                              "PRAGMA foreign_keys=ON;"
	                              "PRAGMA temp_store=MEMORY;"
	                              "PRAGMA cache_size=-8192;";
	char why[256] = "";
	if (exec(db, pragmas, why, sizeof(why)) != CN_OK) {
		snprintf(err, err_size, "cannot use database %s: %s", path, why);
		goto fail;
	}
	/* journal_mode=WAL silently stays "delete" on some filesystems. */
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->h, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(st, 0);
		if (!mode || strcmp(mode, "wal") != 0) {
			snprintf(err, err_size, "database %s: WAL mode not available (%s)", path,
			         mode ? mode : "?");
			sqlite3_finalize(st);
			goto fail;
		}
	}
	sqlite3_finalize(st);
	*out = db;
	return CN_OK;
fail:
	db_close(db);
	return CN_ERR_IO;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < STMT_CACHE_SIZE; i++)
		sqlite3_finalize(db->cache[i].stmt);
	sqlite3_close(db->h);
	free(db);
}

int db_schema_version_latest(void) { return (int)db_migration_count; }

static int read_version(struct db *db)
{
	sqlite3_stmt *st = NULL;
	int v = -1;
	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

enum cn_err db_migrate(struct db *db, int *version, char *err, size_t err_size)
{
	int current = read_version(db);
	if (current < 0) {
		snprintf(err, err_size, "cannot read schema version: %s", sqlite3_errmsg(db->h));
		return CN_ERR_DB;
	}
	if ((size_t)current > db_migration_count) {
		snprintf(err, err_size,
		         "database schema version %d is newer than this carenetd knows (%zu)", current,
		         db_migration_count);
		return CN_ERR_DB;
	}
	*version = current;
	if ((size_t)current == db_migration_count)
		return CN_OK;
	char why[512] = "";
	enum cn_err rc = exec(db, "BEGIN IMMEDIATE", why, sizeof(why));
	for (size_t i = (size_t)current; rc == CN_OK && i < db_migration_count; i++) {
		rc = exec(db, db_migrations[i], why, sizeof(why));
		if (rc != CN_OK) {
			snprintf(err, err_size, "migration %zu failed: %s", i + 1, why);
			break;
		}
		char sql[64];
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%zu", i + 1);
		rc = exec(db, sql, why, sizeof(why));
	}
	if (rc == CN_OK)
		rc = exec(db, "COMMIT", why, sizeof(why));
	if (rc != CN_OK) {
		if (!err[0])
			snprintf(err, err_size, "migration failed: %s", why);
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	*version = (int)db_migration_count;
	return CN_OK;
}

sqlite3_stmt *db_stmt(struct db *db, const char *sql)
{
	size_t h = ((uintptr_t)sql >> 3) % STMT_CACHE_SIZE;
	for (size_t n = 0; n < STMT_CACHE_SIZE; n++, h = (h + 1) % STMT_CACHE_SIZE) {
		struct stmt_slot *slot = &db->cache[h];
		if (slot->sql == sql) {
			sqlite3_reset(slot->stmt);
			sqlite3_clear_bindings(slot->stmt);
			return slot->stmt;
		}
		if (!slot->sql) {
			sqlite3_stmt *st = NULL;
			int rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
			if (rc != SQLITE_OK) {
				fprintf(stderr, "carenet db: cannot prepare: %s: %.200s\n",
				        sqlite3_errmsg(db->h), sql);
				return NULL;
			}
			slot->sql = sql;
			slot->stmt = st;
			return st;
		}
	}
	abort(); /* more distinct statements than the cache holds: raise the size */
}

enum cn_err db_begin(struct db *db) { return exec(db, "BEGIN IMMEDIATE", NULL, 0); }

enum cn_err db_commit(struct db *db)
{
	enum cn_err rc = exec(db, "COMMIT", NULL, 0);
	if (rc != CN_OK)
		db_rollback(db);
	return rc;
}

void db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

enum cn_err db_step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return (rc == SQLITE_DONE || rc == SQLITE_ROW) ? CN_OK : db_err(rc);
}

enum cn_err db_rewrite_schema_version(struct db *db)
{
	int v = read_version(db);
	if (v < 0)
		return CN_ERR_DB;
	char sql[48];
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", v);
	return exec(db, sql, NULL, 0);
}

enum cn_err db_set_synchronous(struct db *db, bool full)
{
	return exec(db, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", NULL, 0);
}

void db_autocheckpoint(struct db *db, int pages) { sqlite3_wal_autocheckpoint(db->h, pages); }

enum cn_err db_checkpoint_passive(struct db *db)
{
	int rc = sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return rc == SQLITE_OK || rc == SQLITE_BUSY ? CN_OK : db_err(rc);
}

enum cn_err db_step_guarded(struct db *db, sqlite3_stmt *st)
{
	enum cn_err rc = db_step_done(st);
	if (rc == CN_OK && sqlite3_changes(db->h) == 0)
		return CN_ERR_CONFLICT;
	return rc;
}

enum cn_err db_ping(struct db *db)
{
	static const char sql[] = "SELECT count(*) FROM sqlite_schema";
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? CN_OK : db_err(rc);
}

void db_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (s)
		sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, idx);
}

void db_bind_opt_int(sqlite3_stmt *st, int idx, bool present, int64_t v)
{
	if (present)
		sqlite3_bind_int64(st, idx, v);
	else
		sqlite3_bind_null(st, idx);
}

void db_bind_named_text(sqlite3_stmt *st, const char *name, const char *value)
{
	int idx = sqlite3_bind_parameter_index(st, name);
	if (idx)
		db_bind_text(st, idx, value);
}

void db_bind_named_int(sqlite3_stmt *st, const char *name, int64_t value)
{
	db_bind_named_opt_int(st, name, true, value);
}

void db_bind_named_opt_int(sqlite3_stmt *st, const char *name, bool present, int64_t value)
{
	int idx = sqlite3_bind_parameter_index(st, name);
	if (idx)
		db_bind_opt_int(st, idx, present, value);
}

json_t *db_row_json(sqlite3_stmt *st)
{
	json_t *obj = json_object();
	int n = sqlite3_column_count(st);
	for (int i = 0; i < n; i++) {
		const char *name = sqlite3_column_name(st, i);
		const char *at = strchr(name, '@');
		char key[64];
		size_t klen = at ? (size_t)(at - name) : strlen(name);
		if (klen >= sizeof(key))
			klen = sizeof(key) - 1;
		memcpy(key, name, klen);
		key[klen] = '\0';
		char marker = at ? at[1] : '\0';
		int type = sqlite3_column_type(st, i);
		json_t *v = NULL;
		if (type == SQLITE_NULL && marker == 'o') {
			continue; /* "@o": JSON, and the key is left out when NULL */
		} else if (type == SQLITE_NULL) {
			v = json_null();
		} else if (marker == 't') {
			char ts[32];
			cn_time_format_rfc3339(sqlite3_column_int64(st, i), ts);
			v = json_string(ts);
		} else if (marker == 's') {
			v = json_string((const char *)sqlite3_column_text(st, i));
		} else if (marker == 'b') {
			v = json_boolean(sqlite3_column_int64(st, i) != 0);
		} else if (marker == 'j' || marker == 'o') {
			const char *text = (const char *)sqlite3_column_text(st, i);
			v = json_loads(text, JSON_DECODE_ANY, NULL);
			if (!v)
				v = json_null();
		} else if (type == SQLITE_INTEGER) {
			v = json_integer(sqlite3_column_int64(st, i));
		} else if (type == SQLITE_FLOAT) {
			v = json_real(sqlite3_column_double(st, i));
		} else {
			const char *text = (const char *)sqlite3_column_text(st, i);
			v = json_stringn(text, (size_t)sqlite3_column_bytes(st, i));
			if (!v) /* not valid UTF-8: raw bytes never reach a client as-is */
				v = json_null();
		}
		json_object_set_new(obj, key, v);
	}
	return obj;
}

enum cn_err db_collect_keyed(sqlite3_stmt *st, json_t **items, int64_t *last_key)
{
	json_t *arr = json_array();
	int rc;
	*items = NULL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*last_key = sqlite3_column_int64(st, 0);
		json_t *row = db_row_json(st);
		json_object_del(row, "_key");
		json_array_append_new(arr, row);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return db_err(rc);
	}
	*items = arr;
	return CN_OK;
}

enum cn_err db_step_int64(sqlite3_stmt *st, int64_t *out)
{
	int rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? CN_OK : db_err(rc);
}

enum cn_err db_query_int64(struct db *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st) {
		*out = 0;
		return CN_ERR_DB;
	}
	return db_step_int64(st, out);
}

bool db_in_txn(struct db *db)
{
	return !sqlite3_get_autocommit(db_handle(db));
}
