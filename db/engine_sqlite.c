/* The SQLite engine: the embedded default (one file, WAL). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db_engine.h"
#include "xalloc.h"

/* From the generated migrations.c: db/migrations/NNN_*.sql in order. */
extern const char *const db_migrations[];
extern const size_t db_migration_count;

struct lite_stmt {
	struct db_stmt base;
	sqlite3_stmt *st;
};

static sqlite3_stmt *S(struct db_stmt *st) { return ((struct lite_stmt *)st)->st; }

static enum cn_err lite_err(int rc)
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
		return (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC) ? CN_ERR_FULL
		                                                              : CN_ERR_IO;
	default:
		return CN_ERR_DB;
	}
}

static enum cn_err lite_exec(void *conn, const char *sql, char *err, size_t err_size)
{
	char *msg = NULL;
	int rc = sqlite3_exec(conn, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK && err)
		snprintf(err, err_size, "%s", msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return lite_err(rc);
}

static void lite_close(void *conn) { sqlite3_close(conn); }

static enum cn_err lite_open(const char *path, void **out, char *err, size_t err_size)
{
	*out = NULL;
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	enum cn_err ret = CN_ERR_IO;
	int rc = sqlite3_open_v2(
		path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, err_size, "cannot open database %s: %s", path,
		         h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
		goto out;
	}
	sqlite3_extended_result_codes(h, 1);
	sqlite3_busy_timeout(h, 5000);
	/* WAL lets the API read while ingest writes; synchronous=FULL makes a
	 * commit durable before the alarm ack that depends on it goes out. */
	static const char pragmas[] = "PRAGMA journal_mode=WAL;"
				      "PRAGMA synchronous=FULL;"
				      "PRAGMA foreign_keys=ON;"
				      "PRAGMA temp_store=MEMORY;"
				      "PRAGMA cache_size=-8192;";
	char why[256] = "";
	if (lite_exec(h, pragmas, why, sizeof(why)) != CN_OK) {
		snprintf(err, err_size, "cannot use database %s: %s", path, why);
		goto out;
	}
	/* journal_mode=WAL silently stays "delete" on some filesystems. */
	if (sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(st, 0);
		if (!mode || strcmp(mode, "wal") != 0) {
			snprintf(err, err_size, "database %s: WAL mode not available (%s)", path,
			         mode ? mode : "?");
			goto out;
		}
	}
	*out = h;
	h = NULL;
	ret = CN_OK;
out:
	sqlite3_finalize(st);
	if (h)
		sqlite3_close(h);
	return ret;
}

static const struct db_engine *self(void);

static struct db_stmt *lite_prepare(void *conn, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v3(conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "carenet db: cannot prepare: %s: %.200s\n", sqlite3_errmsg(conn),
		        sql);
		return NULL;
	}
	struct lite_stmt *ls = xcalloc(1, sizeof(*ls));
	ls->base.eng = self();
	ls->st = st;
	return &ls->base;
}

static void lite_finalize(struct db_stmt *st)
{
	sqlite3_finalize(S(st));
	free(st);
}

static void lite_reset(struct db_stmt *st, bool clear)
{
	sqlite3_reset(S(st));
	if (clear)
		sqlite3_clear_bindings(S(st));
}

static int lite_step(struct db_stmt *st)
{
	int rc = sqlite3_step(S(st));
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	return db_step_error(lite_err(rc));
}

static void lite_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(S(st), i, v);
}
static void lite_bind_double(struct db_stmt *st, int i, double v)
{
	sqlite3_bind_double(S(st), i, v);
}
static void lite_bind_null(struct db_stmt *st, int i) { sqlite3_bind_null(S(st), i); }
static void lite_bind_text(struct db_stmt *st, int i, const char *s, int len)
{
	sqlite3_bind_text(S(st), i, s, len, SQLITE_TRANSIENT);
}
static void lite_bind_blob(struct db_stmt *st, int i, const void *p, int len)
{
	sqlite3_bind_blob(S(st), i, p, len, SQLITE_TRANSIENT);
}
static int lite_param_index(struct db_stmt *st, const char *name)
{
	return sqlite3_bind_parameter_index(S(st), name);
}
static int lite_col_count(struct db_stmt *st) { return sqlite3_column_count(S(st)); }
static const char *lite_col_name(struct db_stmt *st, int i)
{
	return sqlite3_column_name(S(st), i);
}
static int lite_col_type(struct db_stmt *st, int i) { return sqlite3_column_type(S(st), i); }
static int64_t lite_col_int64(struct db_stmt *st, int i) { return sqlite3_column_int64(S(st), i); }
static double lite_col_double(struct db_stmt *st, int i) { return sqlite3_column_double(S(st), i); }
static const unsigned char *lite_col_text(struct db_stmt *st, int i)
{
	return sqlite3_column_text(S(st), i);
}
static const void *lite_col_blob(struct db_stmt *st, int i)
{
	return sqlite3_column_blob(S(st), i);
}
static int lite_col_bytes(struct db_stmt *st, int i) { return sqlite3_column_bytes(S(st), i); }

static int64_t lite_changes(void *conn) { return sqlite3_changes(conn); }
static int64_t lite_last_insert_id(void *conn) { return sqlite3_last_insert_rowid(conn); }
static const char *lite_errmsg(void *conn) { return sqlite3_errmsg(conn); }
static bool lite_in_transaction(void *conn) { return !sqlite3_get_autocommit(conn); }
static void lite_rollback(void *conn)
{
	if (!sqlite3_get_autocommit(conn))
		sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
}
static enum cn_err lite_begin(void *conn) { return lite_exec(conn, "BEGIN IMMEDIATE", NULL, 0); }

static int lite_read_version(void *conn)
{
	sqlite3_stmt *st = NULL;
	int v = -1;
	if (sqlite3_prepare_v2(conn, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static enum cn_err lite_write_version(void *conn, int v)
{
	char sql[48];
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", v);
	return lite_exec(conn, sql, NULL, 0);
}

/* BEGIN IMMEDIATE already holds the one write lock. */
static enum cn_err lite_lock_migrations(void *conn)
{
	(void)conn;
	return CN_OK;
}

static enum cn_err lite_set_synchronous(void *conn, bool full)
{
	return lite_exec(conn, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", NULL,
	                 0);
}

static void lite_autocheckpoint(void *conn, int pages) { sqlite3_wal_autocheckpoint(conn, pages); }

static enum cn_err lite_checkpoint_passive(void *conn)
{
	int rc = sqlite3_wal_checkpoint_v2(conn, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return rc == SQLITE_OK || rc == SQLITE_BUSY ? CN_OK : lite_err(rc);
}

/* With synchronous=NORMAL a commit is in the WAL file, not yet on disk;
 * SQLite syncs the WAL at the next checkpoint (or at a FULL commit, which
 * holds the write lock through its fsync). Syncing the WAL file ourselves
 * makes every commit written so far durable, on whichever connection, and
 * takes no lock, so the writer goes on meanwhile. Frames a checkpoint has
 * already copied and the WAL has since overwritten are in the database
 * file, which the checkpoint synced before the WAL could restart. The
 * file is opened each time: SQLite keeps it (same inode) while any
 * connection is open, and this connection is. */
static enum cn_err lite_sync_committed(void *conn)
{
	const char *wal = sqlite3_filename_wal(sqlite3_db_filename(conn, "main"));
	if (!wal || !wal[0])
		return CN_OK; /* an in-memory database: nothing to sync */
	int fd = open(wal, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? CN_OK : CN_ERR_IO; /* no WAL yet: nothing committed */
	enum cn_err rc = CN_OK;
	if (fdatasync(fd) != 0)
		rc = errno == ENOSPC || errno == EDQUOT ? CN_ERR_FULL : CN_ERR_IO;
	close(fd);
	return rc;
}

static bool lite_wait_notify(void *conn, int timeout_ms)
{
	(void)conn;
	sqlite3_sleep(timeout_ms);
	return false;
}

const struct db_engine db_engine_sqlite = {
	.name = "sqlite",
	.open = lite_open,
	.close = lite_close,
	.prepare = lite_prepare,
	.finalize = lite_finalize,
	.rollback = lite_rollback,
	.reset = lite_reset,
	.step = lite_step,
	.bind_int64 = lite_bind_int64,
	.bind_double = lite_bind_double,
	.bind_null = lite_bind_null,
	.bind_text = lite_bind_text,
	.bind_blob = lite_bind_blob,
	.param_index = lite_param_index,
	.col_count = lite_col_count,
	.col_name = lite_col_name,
	.col_type = lite_col_type,
	.col_int64 = lite_col_int64,
	.col_double = lite_col_double,
	.col_text = lite_col_text,
	.col_blob = lite_col_blob,
	.col_bytes = lite_col_bytes,
	.exec = lite_exec,
	.changes = lite_changes,
	.last_insert_id = lite_last_insert_id,
	.errmsg = lite_errmsg,
	.in_transaction = lite_in_transaction,
	.begin = lite_begin,
	.read_version = lite_read_version,
	.write_version = lite_write_version,
	.lock_migrations = lite_lock_migrations,
	.set_synchronous = lite_set_synchronous,
	.autocheckpoint = lite_autocheckpoint,
	.checkpoint_passive = lite_checkpoint_passive,
	.sync_committed = lite_sync_committed,
	.wait_notify = lite_wait_notify,
	.migrations = db_migrations,
	.migration_count = &db_migration_count,
};

static const struct db_engine *self(void) { return &db_engine_sqlite; }
