/* Unit tests for db_open()/db_migrate() (db/db.c) and the schema of
 * db/migrations/: an empty database comes up at the latest version with
 * every table, a second run changes nothing, a newer database is refused,
 * and the constraints the daemon relies on hold. Each test works on its
 * own database file in a fresh temporary directory. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db.h"
#include "db_events.h"

struct test_migrations_fixture {
	char dir[256];
	char path[320];
	struct db *db;
};

static int setup(void **state)
{
	struct test_migrations_fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	const char *base = getenv("TMPDIR");
	snprintf(f->dir, sizeof(f->dir), "%s/carenet-migrations-XXXXXX",
	         base && *base ? base : "/tmp");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/carenet.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct test_migrations_fixture *f = *state;
	db_close(f->db);
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	char name[400];
	for (size_t i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "%s%s", f->path, suffixes[i]);
		unlink(name);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static void open_db(struct test_migrations_fixture *f)
{
	char err[512] = "";
	enum cn_err rc = db_open(f->path, &f->db, err, sizeof(err));
	if (rc != CN_OK)
		print_error("db_open: %s\n", err);
	assert_int_equal(rc, CN_OK);
	assert_non_null(f->db);
}

static void reopen_db(struct test_migrations_fixture *f)
{
	db_close(f->db);
	f->db = NULL;
	open_db(f);
}

static void migrate_ok(struct test_migrations_fixture *f, int *version)
{
	char err[512] = "";
	enum cn_err rc = db_migrate(f->db, version, err, sizeof(err));
	if (rc != CN_OK)
		print_error("db_migrate: %s\n", err);
	assert_int_equal(rc, CN_OK);
}

/* Runs SQL that must succeed. */
static void exec_ok(struct test_migrations_fixture *f, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db_handle(f->db), sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		print_error("%s: %s\n", sql, msg ? msg : "?");
	sqlite3_free(msg);
	assert_int_equal(rc, SQLITE_OK);
}

/* Runs SQL that must fail with primary result code `code`; the message
 * must contain `needle` when given. */
static void exec_fails(struct test_migrations_fixture *f, const char *sql, int code,
                       const char *needle)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db_handle(f->db), sql, NULL, NULL, &msg);
	if ((rc & 0xff) != code || (needle && (!msg || !strstr(msg, needle))))
		print_error("%s: expected failure %d '%s', got %d '%s'\n", sql, code,
		            needle ? needle : "", rc, msg ? msg : "");
	assert_int_equal(rc & 0xff, code);
	if (needle) {
		assert_non_null(msg);
		assert_non_null(strstr(msg, needle));
	}
	sqlite3_free(msg);
}

/* The single integer (or text) answer of a query. */
static int64_t query_int(struct test_migrations_fixture *f, const char *sql)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void query_text(struct test_migrations_fixture *f, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	const unsigned char *t = sqlite3_column_text(st, 0);
	snprintf(out, size, "%s", t ? (const char *)t : "");
	sqlite3_finalize(st);
}

static bool table_exists(struct test_migrations_fixture *f, const char *name)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db),
	                                    "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND "
	                                    "name = ?1",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	bool found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* Opens and migrates a fresh database, ready for the schema tests. */
static void fresh(struct test_migrations_fixture *f)
{
	open_db(f);
	int version = -1;
	migrate_ok(f, &version);
	assert_int_equal(version, db_schema_version_latest());
}

/* A site, a resident and an alert to hang rows on. */
static void seed(struct test_migrations_fixture *f)
{
	exec_ok(f,
	        "INSERT INTO sites (id, name, created_at, updated_at) VALUES ('s1', 'Site', 1, 1);"
	        "INSERT INTO residents (id, site_id, name, created_at, updated_at) "
	        "  VALUES ('r1', 's1', 'Mei', 1, 1);"
	        "INSERT INTO alerts (id, site_id, resident_id, kind, priority, status, dedup_key, "
	        "  created_at, updated_at, last_event_at) "
	        "  VALUES (1, 's1', 'r1', 'fall', 1, 'open', 'r1|fall', 1, 1, 1);"
	        "INSERT INTO alert_timeline (alert_id, ts, actor, action) "
	        "  VALUES (1, 1, 'system', 'raised');");
}

static void test_migrations_empty_to_latest(void **state)
{
	struct test_migrations_fixture *f = *state;
	open_db(f);
	assert_int_equal(query_int(f, "PRAGMA user_version"), 0);
	int version = -1;
	migrate_ok(f, &version);
	assert_true(db_schema_version_latest() >= 1);
	assert_int_equal(version, db_schema_version_latest());
	assert_int_equal(query_int(f, "PRAGMA user_version"), db_schema_version_latest());

	static const char *const tables[] = {
		"sites",          "staff",         "api_tokens",    "residents",  "staff_residents",
		"devices",        "events",        "quarantine",    "shifts",     "alerts",
		"alert_timeline", "notifications", "alert_changes", "attendance", "services",
		"requests",       "rule_timers",   "audit",
	};
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		if (!table_exists(f, tables[i]))
			print_error("table %s is missing\n", tables[i]);
		assert_true(table_exists(f, tables[i]));
	}
	assert_int_equal(query_int(f, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' "
	                              "AND tbl_name = 'alert_timeline'"),
	                 2);
	assert_int_equal(query_int(f, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' "
	                              "AND name = 'alerts_one_active'"),
	                 1);
}

/* Migrating again changes nothing and keeps the rows, also after the
 * database was closed and opened again. */
static void test_migrations_again_is_a_noop(void **state)
{
	struct test_migrations_fixture *f = *state;
	fresh(f);
	seed(f);
	int64_t objects = query_int(f, "SELECT count(*) FROM sqlite_schema");
	int version = -1;
	migrate_ok(f, &version);
	assert_int_equal(version, db_schema_version_latest());
	reopen_db(f);
	version = -1;
	migrate_ok(f, &version);
	assert_int_equal(version, db_schema_version_latest());
	assert_int_equal(query_int(f, "SELECT count(*) FROM sqlite_schema"), objects);
	assert_int_equal(query_int(f, "SELECT count(*) FROM sites WHERE id = 's1'"), 1);
	assert_int_equal(query_int(f, "SELECT count(*) FROM residents"), 1);
	assert_int_equal(query_int(f, "SELECT count(*) FROM alert_timeline"), 1);
}

static void test_migrations_newer_database_refused(void **state)
{
	struct test_migrations_fixture *f = *state;
	fresh(f);
	seed(f);
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", db_schema_version_latest() + 1);
	exec_ok(f, sql);
	reopen_db(f);
	char err[512] = "";
	int version = -1;
	enum cn_err rc = db_migrate(f->db, &version, err, sizeof(err));
	assert_int_not_equal(rc, CN_OK);
	assert_non_null(strstr(err, "newer"));
	/* refused, not changed: the version and the rows stay */
	assert_int_equal(query_int(f, "PRAGMA user_version"), db_schema_version_latest() + 1);
	assert_int_equal(query_int(f, "SELECT count(*) FROM sites"), 1);
}

static void test_migrations_pragmas(void **state)
{
	struct test_migrations_fixture *f = *state;
	fresh(f);
	char mode[32];
	query_text(f, "PRAGMA journal_mode", mode, sizeof(mode));
	assert_string_equal(mode, "wal");
	assert_int_equal(query_int(f, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(f, "PRAGMA synchronous"), 2); /* FULL */
	char ok[64];
	query_text(f, "PRAGMA integrity_check", ok, sizeof(ok));
	assert_string_equal(ok, "ok");
	assert_int_equal(db_ping(f->db), CN_OK);
}

static void test_migrations_integrity_after_rows(void **state)
{
	struct test_migrations_fixture *f = *state;
	fresh(f);
	seed(f);
	reopen_db(f);
	char ok[64];
	query_text(f, "PRAGMA integrity_check", ok, sizeof(ok));
	assert_string_equal(ok, "ok");
	/* no dangling references: foreign_key_check returns no rows */
	sqlite3_stmt *st = NULL;
	assert_int_equal(
		sqlite3_prepare_v2(db_handle(f->db), "PRAGMA foreign_key_check", -1, &st, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

static void test_migrations_foreign_keys_enforced(void **state)
{
	struct test_migrations_fixture *f = *state;
	fresh(f);
	exec_fails(f,
	           "INSERT INTO residents (id, site_id, name, created_at, updated_at) "
	           "VALUES ('r9', 'no-such-site', 'X', 1, 1)",
	           SQLITE_CONSTRAINT, "FOREIGN KEY");
	seed(f);
	exec_fails(f, "DELETE FROM sites WHERE id = 's1'", SQLITE_CONSTRAINT, "FOREIGN KEY");
	assert_int_equal(db_err(SQLITE_CONSTRAINT_FOREIGNKEY), CN_ERR_CONFLICT);
}

/* The timeline is a record: rows go in, never change or go away. */
static void test_migrations_timeline_append_only(void **state)
{
	struct test_migrations_fixture *f = *state;
	fresh(f);
	seed(f);
	exec_ok(f, "INSERT INTO alert_timeline (alert_id, ts, actor, action, detail) "
	           "VALUES (1, 2, 'user:u1', 'note', 'on my way')");
	exec_fails(f, "UPDATE alert_timeline SET detail = 'rewritten' WHERE alert_id = 1",
	           SQLITE_CONSTRAINT, "append-only");
	exec_fails(f, "DELETE FROM alert_timeline WHERE action = 'note'", SQLITE_CONSTRAINT,
	           "append-only");
	exec_fails(f, "DELETE FROM alert_timeline", SQLITE_CONSTRAINT, "append-only");
	assert_int_equal(query_int(f, "SELECT count(*) FROM alert_timeline"), 2);
	char detail[64];
	query_text(f, "SELECT detail FROM alert_timeline WHERE action = 'note'", detail,
	           sizeof(detail));
	assert_string_equal(detail, "on my way");
	/* actions outside the list are refused */
	exec_fails(f,
	           "INSERT INTO alert_timeline (alert_id, ts, actor, action) "
	           "VALUES (1, 3, 'system', 'deleted')",
	           SQLITE_CONSTRAINT, NULL);
}

/* At most one alert per dedup_key that is not resolved. */
static void test_migrations_one_active_alert_per_key(void **state)
{
	struct test_migrations_fixture *f = *state;
	fresh(f);
	seed(f); /* alert 1: r1|fall, open */
	static const char insert_fmt[] =
		"INSERT INTO alerts (id, site_id, resident_id, kind, priority, status, dedup_key, "
		"created_at, updated_at, last_event_at) VALUES (%d, 's1', 'r1', 'fall', 1, '%s', "
		"'r1|fall', 2, 2, 2)";
	char sql[512];
	static const char *const active[] = {"open", "acknowledged", "dispatched", "on_site"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(sql, sizeof(sql), insert_fmt, 10 + (int)i, active[i]);
		exec_fails(f, sql, SQLITE_CONSTRAINT, "UNIQUE");
	}
	/* any number of resolved ones, next to the active one */
	snprintf(sql, sizeof(sql), insert_fmt, 20, "resolved");
	exec_ok(f, sql);
	snprintf(sql, sizeof(sql), insert_fmt, 21, "resolved");
	exec_ok(f, sql);
	/* another key is independent */
	exec_ok(f, "INSERT INTO alerts (id, site_id, resident_id, kind, priority, status, "
	           "dedup_key, created_at, updated_at, last_event_at) "
	           "VALUES (30, 's1', 'r1', 'smoke', 1, 'open', 'r1|smoke', 2, 2, 2)");
	/* once alert 1 is resolved, a new active alert for the key may start */
	exec_ok(f, "UPDATE alerts SET status = 'resolved' WHERE id = 1");
	snprintf(sql, sizeof(sql), insert_fmt, 40, "open");
	exec_ok(f, sql);
	/* and reopening the old one would make two */
	exec_fails(f, "UPDATE alerts SET status = 'open' WHERE id = 1", SQLITE_CONSTRAINT,
	           "UNIQUE");
	assert_int_equal(query_int(f, "SELECT count(*) FROM alerts WHERE dedup_key = 'r1|fall' "
	                              "AND status <> 'resolved'"),
	                 1);
}

/* A repeated (device, seq) is the same event; events without seq repeat
 * freely. */
static void test_migrations_event_seq_unique(void **state)
{
	struct test_migrations_fixture *f = *state;
	fresh(f);
	static const char ev[] = "INSERT INTO events (device_key, type, seq, received_at) "
				 "VALUES (1, 'button', 7, 1)";
	exec_ok(f, ev);
	exec_fails(f, ev, SQLITE_CONSTRAINT, "UNIQUE");
	exec_ok(f, "INSERT INTO events (device_key, type, seq, received_at) "
	           "VALUES (2, 'button', 7, 1)");
	exec_ok(f, "INSERT INTO events (device_key, type, received_at) VALUES (1, 'motion', 1)");
	exec_ok(f, "INSERT INTO events (device_key, type, received_at) VALUES (1, 'motion', 1)");
}

/* The statement cache hands back the same statement for the same text,
 * reset and unbound. */
static void test_migrations_stmt_cache(void **state)
{
	struct test_migrations_fixture *f = *state;
	fresh(f);
	static const char sql[] = "SELECT ?1";
	sqlite3_stmt *a = db_stmt(f->db, sql);
	assert_non_null(a);
	sqlite3_bind_int(a, 1, 5);
	assert_int_equal(sqlite3_step(a), SQLITE_ROW);
	sqlite3_stmt *b = db_stmt(f->db, sql);
	assert_ptr_equal(a, b);
	assert_int_equal(sqlite3_step(b), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(b, 0), SQLITE_NULL);
	static const char broken[] = "SELEKT 1";
	assert_null(db_stmt(f->db, broken));
}

static void test_migrations_transactions(void **state)
{
	struct test_migrations_fixture *f = *state;
	fresh(f);
	assert_int_equal(db_begin(f->db), CN_OK);
	exec_ok(f, "INSERT INTO sites (id, name, created_at, updated_at) VALUES ('a', 'A', 1, 1)");
	db_rollback(f->db);
	assert_int_equal(query_int(f, "SELECT count(*) FROM sites"), 0);
	db_rollback(f->db); /* outside a transaction: nothing happens */
	assert_int_equal(db_begin(f->db), CN_OK);
	exec_ok(f, "INSERT INTO sites (id, name, created_at, updated_at) VALUES ('b', 'B', 1, 1)");
	assert_int_equal(db_commit(f->db), CN_OK);
	reopen_db(f);
	assert_int_equal(query_int(f, "SELECT count(*) FROM sites"), 1);
}

static void test_migrations_open_failure(void **state)
{
	struct test_migrations_fixture *f = *state;
	char path[400];
	snprintf(path, sizeof(path), "%s/no/such/dir/carenet.db", f->dir);
	char err[512] = "";
	struct db *db = (struct db *)&err; /* must be set to NULL */
	assert_int_not_equal(db_open(path, &db, err, sizeof(err)), CN_OK);
	assert_null(db);
	assert_non_null(strstr(err, path));
	db_close(NULL);
}

/* Quarantine stays one row per topic, and bounded by age and count
 * whatever is sent (db_events.c). */
static void test_migrations_quarantine_bounded(void **state)
{
	struct test_migrations_fixture *f = *state;
	char topic[64];
	int deleted = 0;
	fresh(f);
	for (int i = 0; i < 500; i++)
		assert_int_equal(db_quarantine_insert(f->db, "carenet/dev/x/event", "abc", 3, "bad_json", i),
		                 CN_OK);
	assert_int_equal(query_int(f, "SELECT count(*) FROM quarantine_topics"), 1);
	assert_int_equal(query_int(f, "SELECT count FROM quarantine_topics"), 500);
	for (int i = 0; i < 300; i++) {
		snprintf(topic, sizeof(topic), "carenet/dev/n%d/event", i);
		assert_int_equal(db_quarantine_insert(f->db, topic, "x", 1, "unknown_device", 1000 + i),
		                 CN_OK);
	}
	assert_int_equal(query_int(f, "SELECT count(*) FROM quarantine_topics"), 301);
	/* by age: the first topic (last hit at 499) goes */
	assert_int_equal(db_quarantine_prune(f->db, 500, 1000, &deleted), CN_OK);
	assert_int_equal(deleted, 1);
	/* by count: the 100 most recent stay */
	assert_int_equal(db_quarantine_prune(f->db, 0, 100, &deleted), CN_OK);
	assert_int_equal(deleted, 200);
	assert_int_equal(query_int(f, "SELECT min(last_at) FROM quarantine_topics"), 1200);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_migrations_empty_to_latest),
		T(test_migrations_again_is_a_noop),
		T(test_migrations_newer_database_refused),
		T(test_migrations_pragmas),
		T(test_migrations_integrity_after_rows),
		T(test_migrations_foreign_keys_enforced),
		T(test_migrations_timeline_append_only),
		T(test_migrations_one_active_alert_per_key),
		T(test_migrations_event_seq_unique),
		T(test_migrations_stmt_cache),
		T(test_migrations_transactions),
		T(test_migrations_open_failure),
		T(test_migrations_quarantine_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
