/* The storage layer's core: opening a connection, migrations, a cache of
 * prepared statements, transactions and the error mapping, the same for
 * SQLite and PostgreSQL.
 *
 * Each thread owns its own `struct db` (its own connection); a
 * struct db is never shared between threads without a hand-off. All SQL of
 * CareNet lives in db/ and runs as prepared statements with bound values. */
#ifndef CN_DB_H
#define CN_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cn_error.h"

/* A connection (one per thread) and a prepared statement. Both engines sit
 * behind these: SQLite (db/engine_sqlite.c) and PostgreSQL through libpq
 * (db/engine_pg.c). No file outside those two includes sqlite3.h or
 * libpq-fe.h. */
struct db;
struct db_stmt;

/* db_step() answers DB_ROW (a row is ready), DB_DONE (no more rows) or an
 * error code that db_err() maps to our error type. */
enum { DB_ROW = 100, DB_DONE = 101, DB_STEP_ERR = 1000 };
/* Column types (db_col_type), the same numbers SQLite uses. */
enum { DB_INTEGER = 1, DB_FLOAT = 2, DB_TEXT = 3, DB_BLOB = 4, DB_NULL = 5 };

/* Opens the database named by `url` when it is set (a libpq connection
 * string or URI: PostgreSQL), else the SQLite file at `path` (created if
 * needed, WAL, foreign keys, synchronous=FULL, a busy timeout). Does not
 * migrate. On failure `err` says why in one line and *out is NULL. Free
 * with db_close(). */
enum cn_err db_connect(const char *path, const char *url, struct db **out, char *err,
                       size_t err_size);
/* db_connect(path, NULL, ...): SQLite. */
enum cn_err db_open(const char *path, struct db **out, char *err, size_t err_size);

/* Finalizes cached statements and closes; db_close(NULL) is a no-op. */
void db_close(struct db *db);

/* "sqlite" or "postgresql". */
const char *db_engine_name(const struct db *db);
bool db_is_pg(const struct db *db);

/* Applies every migration newer than the database's schema version, all in
 * one transaction: either all of them or none (on PostgreSQL under an
 * advisory lock, so that nodes starting together migrate once). *version
 * gets the version afterwards. */
enum cn_err db_migrate(struct db *db, int *version, char *err, size_t err_size);

/* The highest migration version this build knows. */
int db_schema_version_latest(void);

/* Returns the cached prepared statement for `sql`, reset and with bindings
 * cleared. `sql` must be a string with static storage duration: the cache
 * is keyed by its address. Borrowed: valid until db_close(); do not
 * finalize. NULL when it does not prepare (logged).
 *
 * One SQL text serves both engines: parameters are written `?1`, `?` or
 * `:name` (the PostgreSQL engine rewrites them to `$n`); what SQLite has
 * and PostgreSQL lacks (rowid on text-keyed tables, json_group_array,
 * json_each over a text array) the PostgreSQL schema provides under the
 * same names (db/migrations/pg/001_init.sql). */
struct db_stmt *db_stmt(struct db *db, const char *sql);

/* Runs SQL text without parameters or results (several statements may be
 * separated by ';'). For DDL, pragmas and tests. */
enum cn_err db_exec(struct db *db, const char *sql, char *err, size_t err_size);

/* Steps a statement: DB_ROW, DB_DONE or an error (db_err). */
int db_step(struct db_stmt *st);
/* Ends the current execution (the next db_step runs it again); bindings
 * stay. */
void db_reset(struct db_stmt *st);

/* The id of the row the last INSERT made (SQLite: its rowid; PostgreSQL:
 * lastval(), the last identity value this connection drew). */
int64_t db_last_insert_id(struct db *db);
/* Rows the last INSERT/UPDATE/DELETE on this connection changed. */
int64_t db_changes(struct db *db);
/* The last error message of the connection (for logs). Borrowed. */
const char *db_errmsg(struct db *db);
/* True inside a transaction that can still commit (false after an error
 * ended it: SQLite rolls back on a full disk, PostgreSQL aborts on any
 * error). */
bool db_in_txn(struct db *db);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. On PostgreSQL BEGIN also takes one
 * transaction-scoped advisory lock, so that write transactions run one at
 * a time over every node, as SQLite's single writer does. */
enum cn_err db_begin(struct db *db);
enum cn_err db_commit(struct db *db);
void db_rollback(struct db *db);

/* Maps a db_step() result to our error type (FULL for a full disk,
 * CONFLICT for constraint violations, UNAVAILABLE for a busy or lost
 * database, DB otherwise). */
enum cn_err db_err(int step_rc);

/* Runs a statement that returns no rows (or only RETURNING rows it
 * ignores) and resets it. */
enum cn_err db_step_done(struct db_stmt *st);

/* Rewrites the schema version with its own value: a real page write, used
 * to probe whether storage has room again. Inside a transaction. */
enum cn_err db_rewrite_schema_version(struct db *db);

/* Sets how many WAL pages trigger a checkpoint at commit (0: never, the
 * commit path then leaves checkpoints to db_checkpoint_passive). SQLite
 * only; a no-op on PostgreSQL, which checkpoints by itself. */
void db_autocheckpoint(struct db *db, int pages);
/* Copies what the WAL holds into the database without blocking writers
 * (PRAGMA wal_checkpoint(PASSIVE)). A no-op on PostgreSQL. */
enum cn_err db_checkpoint_passive(struct db *db);

/* Durable commits (SQLite synchronous=FULL; PostgreSQL synchronous_commit
 * on) or not (NORMAL / off: committed, flushed a moment later). On both
 * engines a later durable commit makes every earlier commit durable too.
 * Outside a transaction only. */
enum cn_err db_set_synchronous(struct db *db, bool full);

/* Whether db_sync_committed() exists on this engine (SQLite: yes). */
bool db_can_sync_committed(const struct db *db);
/* Makes every transaction already committed with synchronous off, by any
 * connection to this database, durable, taking no lock, so a writer
 * never waits for it (SQLite: an fdatasync of the WAL file). Call it on a
 * connection of the calling thread's own. Returns CN_OK once synced,
 * CN_ERR_FULL or CN_ERR_IO when the sync failed (what was committed may
 * then not survive a power cut), CN_ERR_UNAVAILABLE where the engine has
 * no such step (see db_can_sync_committed). */
enum cn_err db_sync_committed(struct db *db);

/* Runs a guarded UPDATE (its WHERE names the states it may leave) and
 * resets it: CN_ERR_CONFLICT when no row changed, i.e. the state did not
 * allow the step. Two callers racing for one step cannot both succeed. */
enum cn_err db_step_guarded(struct db *db, struct db_stmt *st);

/* Waits up to timeout_ms for a notification on a channel this connection
 * listens to (db_exec "LISTEN x"); true when one came. PostgreSQL only:
 * SQLite just sleeps and answers false. */
bool db_wait_notify(struct db *db, int timeout_ms);

/* Cheap liveness check for /healthz: a read of the schema version. */
enum cn_err db_ping(struct db *db);

/* Binding, by 1-based index. Text and blobs are copied. NULL strings and
 * negative "absent" values bind NULL. db_bind_textn takes a length (-1:
 * up to the NUL). */
void db_bind_int64(struct db_stmt *st, int idx, int64_t v);
void db_bind_double(struct db_stmt *st, int idx, double v);
void db_bind_null(struct db_stmt *st, int idx);
void db_bind_text(struct db_stmt *st, int idx, const char *s);
void db_bind_textn(struct db_stmt *st, int idx, const char *s, int len);
void db_bind_blob(struct db_stmt *st, int idx, const void *p, int len);
void db_bind_opt_int(struct db_stmt *st, int idx, bool present, int64_t v);
/* The index of parameter ":name" (with its ':'), 0 when absent. */
int db_param_index(struct db_stmt *st, const char *name);

/* Binds by parameter name (":name"); a name the statement does not have
 * is skipped, so one binding routine can serve several statements. NULL
 * text binds NULL; the _opt form binds NULL when !present. */
void db_bind_named_text(struct db_stmt *st, const char *name, const char *value);
void db_bind_named_int(struct db_stmt *st, const char *name, int64_t value);
void db_bind_named_opt_int(struct db_stmt *st, const char *name, bool present, int64_t value);

/* Columns of the current row, 0-based. Text and blobs are borrowed until
 * the next db_step/db_reset. A boolean (PostgreSQL EXISTS) reads as the
 * integer 0/1, as in SQLite. */
int db_col_count(struct db_stmt *st);
const char *db_col_name(struct db_stmt *st, int i);
int db_col_type(struct db_stmt *st, int i);
int64_t db_col_int64(struct db_stmt *st, int i);
int db_col_int(struct db_stmt *st, int i);
double db_col_double(struct db_stmt *st, int i);
const unsigned char *db_col_text(struct db_stmt *st, int i);
const void *db_col_blob(struct db_stmt *st, int i);
int db_col_bytes(struct db_stmt *st, int i);

/* Row to JSON, the one encoder of each resource: column names become keys.
 * A column name may end in a type marker after '@':
 *   @t  epoch ms -> RFC 3339 UTC string (NULL stays null)
 *   @s  integer -> string (ids)
 *   @b  0/1 -> false/true
 *   @j  JSON text -> the JSON value
 *   @o  like @j, but a NULL leaves the key out (optional fields)
 * Other columns map by their type. Returns a new reference. */
json_t *db_row_json(struct db_stmt *st);

/* Steps a statement (bound already) that answers one integer, and resets
 * it: *out gets column 0 of its row (0 when there is no row). */
enum cn_err db_step_int64(struct db_stmt *st, int64_t *out);
/* The same for a statement without parameters (`sql` static, as for
 * db_stmt): max ids, next deadlines, counts. */
enum cn_err db_query_int64(struct db *db, const char *sql, int64_t *out);

/* Steps a list statement whose column 0 is the row key (named `_key`, not
 * a field) to the end: *items gets a new array of the rows as JSON
 * (db_row_json, without `_key`) and *last_key the last row's key, for the
 * next cursor. Resets the statement. */
enum cn_err db_collect_keyed(struct db_stmt *st, json_t **items, int64_t *last_key);

#endif
