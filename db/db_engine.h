/* The inside of db/: what an engine (SQLite, PostgreSQL) provides to the
 * engine-neutral layer in db.c. Only db.c, engine_sqlite.c and engine_pg.c
 * include this; every difference between the engines lives in those two
 * engine files.
 *
 * A connection is the engine's own struct whose first member is
 * `struct db_conn`; a statement likewise starts with `struct db_stmt`. */
#ifndef CN_DB_ENGINE_H
#define CN_DB_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct db_engine;

struct db_stmt {
	const struct db_engine *eng;
};

struct db_engine {
	const char *name;
	/* Opens a connection to `target` (a file path or a libpq conninfo).
	 * On failure *out is NULL and err says why. */
	enum cn_err (*open)(const char *target, void **out, char *err, size_t err_size);
	void (*close)(void *conn);
	/* Prepares `sql` (the one SQL text of both engines); NULL on error,
	 * logged. */
	struct db_stmt *(*prepare)(void *conn, const char *sql);
	void (*finalize)(struct db_stmt *st);
	void (*rollback)(void *conn);
	/* Ends the execution; clear_bindings also unbinds every parameter. */
	void (*reset)(struct db_stmt *st, bool clear_bindings);
	int (*step)(struct db_stmt *st);
	void (*bind_int64)(struct db_stmt *st, int idx, int64_t v);
	void (*bind_double)(struct db_stmt *st, int idx, double v);
	void (*bind_null)(struct db_stmt *st, int idx);
	void (*bind_text)(struct db_stmt *st, int idx, const char *s, int len);
	void (*bind_blob)(struct db_stmt *st, int idx, const void *p, int len);
	int (*param_index)(struct db_stmt *st, const char *name);
	int (*col_count)(struct db_stmt *st);
	const char *(*col_name)(struct db_stmt *st, int i);
	int (*col_type)(struct db_stmt *st, int i);
	int64_t (*col_int64)(struct db_stmt *st, int i);
	double (*col_double)(struct db_stmt *st, int i);
	const unsigned char *(*col_text)(struct db_stmt *st, int i);
	const void *(*col_blob)(struct db_stmt *st, int i);
	int (*col_bytes)(struct db_stmt *st, int i);
	enum cn_err (*exec)(void *conn, const char *sql, char *err, size_t err_size);
	int64_t (*changes)(void *conn);
	int64_t (*last_insert_id)(void *conn);
	const char *(*errmsg)(void *conn);
	bool (*in_transaction)(void *conn);
	enum cn_err (*begin)(void *conn);
	/* The schema version: read (-1 on error) and write inside a
	 * transaction; lock_migrations serialises migrating nodes. */
	int (*read_version)(void *conn);
	enum cn_err (*write_version)(void *conn, int version);
	enum cn_err (*lock_migrations)(void *conn);
	enum cn_err (*set_synchronous)(void *conn, bool full);
	void (*autocheckpoint)(void *conn, int pages);
	enum cn_err (*checkpoint_passive)(void *conn);
	/* Makes every transaction committed so far, on any connection to the
	 * same database, survive a power cut, without taking a lock. NULL
	 * where the engine has no such step (PostgreSQL). */
	enum cn_err (*sync_committed)(void *conn);
	/* Waits up to timeout_ms for a NOTIFY on a channel this connection
	 * LISTENs to; true when one came. SQLite: sleeps, false. */
	bool (*wait_notify)(void *conn, int timeout_ms);
	/* The migration texts of this engine, migrations[i] is number i+1. */
	const char *const *migrations;
	const size_t *migration_count;
};

extern const struct db_engine db_engine_sqlite;
extern const struct db_engine db_engine_pg;

/* The engine's own connection of `db` (a sqlite3 * or a PGconn wrapper),
 * for the engine-specific unit tests. Borrowed. */
void *db_engine_conn(struct db *db);

/* The step result for an error of our type. */
static inline int db_step_error(enum cn_err e) { return DB_STEP_ERR + (int)e; }

#endif
