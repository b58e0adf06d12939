/* The storage layer's core: opening a connection, migrations, a cache of
 * prepared statements, transactions and the error mapping.
 *
 * Each thread owns its own `struct db` (its own sqlite3 connection); a
 * struct db is never shared between threads without a hand-off. All SQL of
 * CareNet lives in db/ and runs as prepared statements with bound values. */
#ifndef CN_DB_H
#define CN_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "cn_error.h"

struct db;

/* Opens (creating if needed) the database at `path` with WAL, foreign keys,
 * synchronous=FULL and a busy timeout. Does not migrate. On failure `err`
 * says why in one line and *out is NULL. Free with db_close(). */
enum cn_err db_open(const char *path, struct db **out, char *err, size_t err_size);

/* Finalizes cached statements and closes; db_close(NULL) is a no-op. */
void db_close(struct db *db);

/* Applies every migration newer than the database's schema version, all in
 * one transaction: either all of them or none. *version gets the version
 * afterwards. */
enum cn_err db_migrate(struct db *db, int *version, char *err, size_t err_size);

/* The highest migration version this build knows. */
int db_schema_version_latest(void);

/* Returns the cached prepared statement for `sql`, reset and with bindings
 * cleared. `sql` must be a string with static storage duration: the cache
 * is keyed by its address. Borrowed: valid until db_close(); do not
 * finalize. NULL when it does not prepare (logged). */
sqlite3_stmt *db_stmt(struct db *db, const char *sql);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
enum cn_err db_begin(struct db *db);
enum cn_err db_commit(struct db *db);
void db_rollback(struct db *db);

/* Maps an SQLite result code to our error type (FULL for SQLITE_FULL,
 * CONFLICT for constraint violations, DB otherwise). */
enum cn_err db_err(int sqlite_rc);

/* Runs a statement that returns no rows and resets it. */
enum cn_err db_step_done(sqlite3_stmt *st);

/* Rewrites the schema version with its own value: a real page write, used
 * to probe whether storage has room again. Inside a transaction. */
enum cn_err db_rewrite_schema_version(struct db *db);

/* Sets how many WAL pages trigger a checkpoint at commit (0: never, the
 * commit path then leaves checkpoints to db_checkpoint_passive). */
void db_autocheckpoint(struct db *db, int pages);
/* Copies what the WAL holds into the database without blocking writers
 * (PRAGMA wal_checkpoint(PASSIVE)). */
enum cn_err db_checkpoint_passive(struct db *db);

/* synchronous=FULL (every commit synced before it returns) or NORMAL
 * (synced at checkpoints). Outside a transaction only. */
enum cn_err db_set_synchronous(struct db *db, bool full);

/* Runs a guarded UPDATE (its WHERE names the states it may leave) and
 * resets it: CN_ERR_CONFLICT when no row changed, i.e. the state did not
 * allow the step. Two callers racing for one step cannot both succeed. */
enum cn_err db_step_guarded(struct db *db, sqlite3_stmt *st);

/* Cheap liveness check for /healthz: a read of the schema version. */
enum cn_err db_ping(struct db *db);

/* Binding helpers: NULL strings and negative "absent" values bind NULL. */
void db_bind_text(sqlite3_stmt *st, int idx, const char *s);
void db_bind_opt_int(sqlite3_stmt *st, int idx, bool present, int64_t v);

/* Binds by parameter name (":name"); a name the statement does not have
 * is skipped, so one binding routine can serve several statements. NULL
 * text binds NULL; the _opt form binds NULL when !present. */
void db_bind_named_text(sqlite3_stmt *st, const char *name, const char *value);
void db_bind_named_int(sqlite3_stmt *st, const char *name, int64_t value);
void db_bind_named_opt_int(sqlite3_stmt *st, const char *name, bool present, int64_t value);

/* Row to JSON, the one encoder of each resource: column names become keys.
 * A column name may end in a type marker after '@':
 *   @t  epoch ms -> RFC 3339 UTC string (NULL stays null)
 *   @s  integer -> string (ids)
 *   @b  0/1 -> false/true
 *   @j  JSON text -> the JSON value
 *   @o  like @j, but a NULL leaves the key out (optional fields)
 * Other columns map by their SQLite type. Returns a new reference. */
json_t *db_row_json(sqlite3_stmt *st);

/* Steps a statement (bound already) that answers one integer, and resets
 * it: *out gets column 0 of its row (0 when there is no row). */
enum cn_err db_step_int64(sqlite3_stmt *st, int64_t *out);
/* The same for a statement without parameters (`sql` static, as for
 * db_stmt): max ids, next deadlines, counts. */
enum cn_err db_query_int64(struct db *db, const char *sql, int64_t *out);

/* Steps a list statement whose column 0 is the row key (named `_key`, not
 * a field) to the end: *items gets a new array of the rows as JSON
 * (db_row_json, without `_key`) and *last_key the last row's key, for the
 * next cursor. Resets the statement. */
enum cn_err db_collect_keyed(sqlite3_stmt *st, json_t **items, int64_t *last_key);

/* The underlying connection, for the few places that need sqlite3 itself
 * (changes(), last_insert_rowid()). Borrowed. */
sqlite3 *db_handle(struct db *db);
/* True while a transaction is open on `db`. SQLite ends one by itself on
 * a full disk or an I/O error, so a caller that began one can ask. */
bool db_in_txn(struct db *db);

#endif
