#define _POSIX_C_SOURCE 200809L
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_engine.h"
#include "db_held.h"
#include "payload.h"
#include "xalloc.h"

#define STMT_CACHE_SIZE 512 /* open addressing; far more than we prepare */

struct stmt_slot {
	const char *sql;
	struct db_stmt *stmt;
	bool touches_events; /* held events are stored before it runs (db_held.h) */
};

struct db {
	const struct db_engine *eng;
	void *conn;
	struct db_held *held; /* PostgreSQL writer's held events; owned */
	struct stmt_slot cache[STMT_CACHE_SIZE];
};

enum cn_err db_err(int rc)
{
	if (rc == DB_ROW || rc == DB_DONE || rc == 0)
		return CN_OK;
	if (rc > DB_STEP_ERR && rc < DB_STEP_ERR + (int)CN_ERR_COUNT)
		return (enum cn_err)(rc - DB_STEP_ERR);
	return CN_ERR_DB;
}

enum cn_err db_connect(const char *path, const char *url, struct db **out, char *err,
                       size_t err_size)
{
	*out = NULL;
	bool pg = url && url[0];
	struct db *db = xcalloc(1, sizeof(*db));
	db->eng = pg ? &db_engine_pg : &db_engine_sqlite;
	enum cn_err rc = db->eng->open(pg ? url : path, &db->conn, err, err_size);
	if (rc != CN_OK) {
		free(db);
		return rc;
	}
	*out = db;
	return CN_OK;
}

enum cn_err db_open(const char *path, struct db **out, char *err, size_t err_size)
{
	return db_connect(path, NULL, out, err, err_size);
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < STMT_CACHE_SIZE; i++)
		if (db->cache[i].stmt)
			db->eng->finalize(db->cache[i].stmt);
	db_held_free(db->held);
	db->eng->close(db->conn);
	free(db);
}

struct db_held **db_held_slot(struct db *db) { return &db->held; }

void *db_engine_conn(struct db *db) { return db->conn; }

const char *db_engine_name(const struct db *db) { return db->eng->name; }
bool db_is_pg(const struct db *db) { return db->eng == &db_engine_pg; }

int db_schema_version_latest(void) { return (int)*db_engine_sqlite.migration_count; }

enum cn_err db_exec(struct db *db, const char *sql, char *err, size_t err_size)
{
	return db->eng->exec(db->conn, sql, err, err_size);
}

enum cn_err db_migrate(struct db *db, int *version, char *err, size_t err_size)
{
	const struct db_engine *e = db->eng;
	char why[512] = "";
	enum cn_err rc = e->begin(db->conn);
	if (rc == CN_OK)
		rc = e->lock_migrations(db->conn);
	int current = rc == CN_OK ? e->read_version(db->conn) : -1;
	if (current < 0) {
		snprintf(err, err_size, "cannot read schema version: %s", e->errmsg(db->conn));
		db_rollback(db);
		return CN_ERR_DB;
	}
	if ((size_t)current > *e->migration_count) {
		snprintf(err, err_size,
		         "database schema version %d is newer than this carenetd knows (%zu)",
		         current, *e->migration_count);
		db_rollback(db);
		return CN_ERR_DB;
	}
	*version = current;
	for (size_t i = (size_t)current; rc == CN_OK && i < *e->migration_count; i++) {
		rc = e->exec(db->conn, e->migrations[i], why, sizeof(why));
		if (rc != CN_OK) {
			snprintf(err, err_size, "migration %zu failed: %s", i + 1, why);
			break;
		}
		rc = e->write_version(db->conn, (int)i + 1);
	}
	if (rc == CN_OK)
		rc = e->exec(db->conn, "COMMIT", why, sizeof(why));
	if (rc != CN_OK) {
		if (!err[0])
			snprintf(err, err_size, "migration failed: %s",
			         why[0] ? why : e->errmsg(db->conn));
		db_rollback(db);
		return rc;
	}
	*version = (int)*e->migration_count;
	return CN_OK;
}

struct db_stmt *db_stmt(struct db *db, const char *sql)
{
	size_t h = ((uintptr_t)sql >> 3) % STMT_CACHE_SIZE;
	for (size_t n = 0; n < STMT_CACHE_SIZE; n++, h = (h + 1) % STMT_CACHE_SIZE) {
		struct stmt_slot *slot = &db->cache[h];
		if (slot->sql == sql) {
			db->eng->reset(slot->stmt, true);
			if (db->held && slot->touches_events && db_held_flush(db) != CN_OK)
				return NULL;
			return slot->stmt;
		}
		if (!slot->sql) {
			struct db_stmt *st = db->eng->prepare(db->conn, sql);
			if (!st)
				return NULL;
			slot->sql = sql;
			slot->stmt = st;
			slot->touches_events = db_held_sql_touches(sql);
			if (db->held && slot->touches_events && db_held_flush(db) != CN_OK)
				return NULL;
			return st;
		}
	}
	abort(); /* more distinct statements than the cache holds: raise the size */
}

int db_step(struct db_stmt *st) { return st->eng->step(st); }
void db_reset(struct db_stmt *st) { st->eng->reset(st, false); }
int64_t db_changes(struct db *db) { return db->eng->changes(db->conn); }
int64_t db_last_insert_id(struct db *db) { return db->eng->last_insert_id(db->conn); }
const char *db_errmsg(struct db *db) { return db->eng->errmsg(db->conn); }
bool db_in_txn(struct db *db) { return db->eng->in_transaction(db->conn); }

enum cn_err db_begin(struct db *db) { return db->eng->begin(db->conn); }

enum cn_err db_commit(struct db *db)
{
	enum cn_err rc = db_held_flush(db);
	if (rc == CN_OK)
		rc = db->eng->exec(db->conn, "COMMIT", NULL, 0);
	if (rc != CN_OK)
		db_rollback(db);
	return rc;
}

void db_rollback(struct db *db)
{
	db_held_drop(db);
	db->eng->rollback(db->conn);
}

enum cn_err db_step_done(struct db_stmt *st)
{
	int rc = db_step(st);
	db_reset(st);
	return (rc == DB_DONE || rc == DB_ROW) ? CN_OK : db_err(rc);
}

enum cn_err db_rewrite_schema_version(struct db *db)
{
	int v = db->eng->read_version(db->conn);
	if (v < 0)
		return CN_ERR_DB;
	return db->eng->write_version(db->conn, v);
}

enum cn_err db_set_synchronous(struct db *db, bool full)
{
	return db->eng->set_synchronous(db->conn, full);
}

bool db_wait_notify(struct db *db, int timeout_ms)
{
	return db->eng->wait_notify(db->conn, timeout_ms);
}

void db_autocheckpoint(struct db *db, int pages) { db->eng->autocheckpoint(db->conn, pages); }

enum cn_err db_checkpoint_passive(struct db *db) { return db->eng->checkpoint_passive(db->conn); }

bool db_can_sync_committed(const struct db *db) { return db->eng->sync_committed != NULL; }

enum cn_err db_sync_committed(struct db *db)
{
	if (!db->eng->sync_committed)
		return CN_ERR_UNAVAILABLE;
	return db->eng->sync_committed(db->conn);
}

enum cn_err db_step_guarded(struct db *db, struct db_stmt *st)
{
	enum cn_err rc = db_step_done(st);
	if (rc == CN_OK && db_changes(db) == 0)
		return CN_ERR_CONFLICT;
	return rc;
}

enum cn_err db_ping(struct db *db)
{
	static const char sql[] = "SELECT 1 FROM sites LIMIT 1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	int rc = db_step(st);
	db_reset(st);
	return db_err(rc);
}

void db_bind_int64(struct db_stmt *st, int idx, int64_t v) { st->eng->bind_int64(st, idx, v); }
void db_bind_double(struct db_stmt *st, int idx, double v) { st->eng->bind_double(st, idx, v); }
void db_bind_null(struct db_stmt *st, int idx) { st->eng->bind_null(st, idx); }
void db_bind_blob(struct db_stmt *st, int idx, const void *p, int len)
{
	if (p)
		st->eng->bind_blob(st, idx, p, len);
	else
		st->eng->bind_null(st, idx);
}
void db_bind_textn(struct db_stmt *st, int idx, const char *s, int len)
{
	if (s)
		st->eng->bind_text(st, idx, s, len);
	else
		st->eng->bind_null(st, idx);
}
void db_bind_text(struct db_stmt *st, int idx, const char *s) { db_bind_textn(st, idx, s, -1); }

void db_bind_opt_int(struct db_stmt *st, int idx, bool present, int64_t v)
{
	if (present)
		db_bind_int64(st, idx, v);
	else
		db_bind_null(st, idx);
}

int db_param_index(struct db_stmt *st, const char *name) { return st->eng->param_index(st, name); }

int db_col_count(struct db_stmt *st) { return st->eng->col_count(st); }
const char *db_col_name(struct db_stmt *st, int i) { return st->eng->col_name(st, i); }
int db_col_type(struct db_stmt *st, int i) { return st->eng->col_type(st, i); }
int64_t db_col_int64(struct db_stmt *st, int i) { return st->eng->col_int64(st, i); }
int db_col_int(struct db_stmt *st, int i) { return (int)st->eng->col_int64(st, i); }
double db_col_double(struct db_stmt *st, int i) { return st->eng->col_double(st, i); }
const unsigned char *db_col_text(struct db_stmt *st, int i) { return st->eng->col_text(st, i); }
const void *db_col_blob(struct db_stmt *st, int i) { return st->eng->col_blob(st, i); }
int db_col_bytes(struct db_stmt *st, int i) { return st->eng->col_bytes(st, i); }

void db_bind_named_text(struct db_stmt *st, const char *name, const char *value)
{
	int idx = db_param_index(st, name);
	if (idx)
		db_bind_text(st, idx, value);
}

void db_bind_named_int(struct db_stmt *st, const char *name, int64_t value)
{
	db_bind_named_opt_int(st, name, true, value);
}

void db_bind_named_opt_int(struct db_stmt *st, const char *name, bool present, int64_t value)
{
	int idx = db_param_index(st, name);
	if (idx)
		db_bind_opt_int(st, idx, present, value);
}

json_t *db_row_json(struct db_stmt *st)
{
	json_t *obj = json_object();
	int n = db_col_count(st);
	for (int i = 0; i < n; i++) {
		const char *name = db_col_name(st, i);
		const char *at = strchr(name, '@');
		char key[64];
		size_t klen = at ? (size_t)(at - name) : strlen(name);
		if (klen >= sizeof(key))
			klen = sizeof(key) - 1;
		memcpy(key, name, klen);
		key[klen] = '\0';
		char marker = at ? at[1] : '\0';
		int type = db_col_type(st, i);
		json_t *v = NULL;
		if (type == DB_NULL && marker == 'o') {
			continue; /* "@o": JSON, and the key is left out when NULL */
		} else if (type == DB_NULL) {
			v = json_null();
		} else if (marker == 't') {
			char ts[32];
			cn_time_format_rfc3339(db_col_int64(st, i), ts);
			v = json_string(ts);
		} else if (marker == 's') {
			v = json_string((const char *)db_col_text(st, i));
		} else if (marker == 'b') {
			v = json_boolean(db_col_int64(st, i) != 0);
		} else if (marker == 'j' || marker == 'o') {
			const char *text = (const char *)db_col_text(st, i);
			v = json_loads(text, JSON_DECODE_ANY, NULL);
			if (!v)
				v = json_null();
		} else if (type == DB_INTEGER) {
			v = json_integer(db_col_int64(st, i));
		} else if (type == DB_FLOAT) {
			v = json_real(db_col_double(st, i));
		} else {
			const char *text = (const char *)db_col_text(st, i);
			v = json_stringn(text, (size_t)db_col_bytes(st, i));
			if (!v) /* not valid UTF-8: raw bytes never reach a client as-is */
				v = json_null();
		}
		json_object_set_new(obj, key, v);
	}
	return obj;
}

enum cn_err db_collect_keyed(struct db_stmt *st, json_t **items, int64_t *last_key)
{
	json_t *arr = json_array();
	int rc;
	*items = NULL;
	while ((rc = db_step(st)) == DB_ROW) {
		*last_key = db_col_int64(st, 0);
		json_t *row = db_row_json(st);
		json_object_del(row, "_key");
		json_array_append_new(arr, row);
	}
	db_reset(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_err(rc);
	}
	*items = arr;
	return CN_OK;
}

enum cn_err db_step_int64(struct db_stmt *st, int64_t *out)
{
	int rc = db_step(st);
	*out = rc == DB_ROW ? db_col_int64(st, 0) : 0;
	db_reset(st);
	return (rc == DB_ROW || rc == DB_DONE) ? CN_OK : db_err(rc);
}

enum cn_err db_query_int64(struct db *db, const char *sql, int64_t *out)
{
	struct db_stmt *st = db_stmt(db, sql);
	if (!st) {
		*out = 0;
		return CN_ERR_DB;
	}
	return db_step_int64(st, out);
}
