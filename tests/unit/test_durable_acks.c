/* Unit tests for the pieces that let alarm acks be synced off the ingest
 * thread: outbox_move_acks() (services/alerting/outbox.c) takes exactly
 * the device acks out of an outbox, in order, and leaves pages and alert
 * changes; db_sync_committed() (db/db.c, SQLite) syncs what is committed
 * while another connection holds the write lock, where a durable commit
 * of its own would have to wait for that lock. */
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

#include "db.h"
#include "outbox.h"
#include "xalloc.h"

static void add_page(struct outbox *ob, const char *topic, int64_t id)
{
	outbox_add(ob, topic, xstrdup("{\"page\":1}"), id);
}

static void add_ack(struct outbox *ob, const char *topic)
{
	outbox_add_ack(ob, topic, xstrdup("{\"ack\":1}"));
}

/* Acks move, in their order, to the end of what `to` holds; the rest
 * stays in `from` in its order, and the wake-ups stay with it. */
static void test_outbox_move_acks(void **state)
{
	(void)state;
	struct outbox from, to;
	outbox_init(&from);
	outbox_init(&to);
	add_ack(&to, "dev/0/ack");
	add_page(&from, "staff/1/page", 11);
	add_ack(&from, "dev/1/ack");
	add_page(&from, "staff/2/page", 12);
	add_ack(&from, "dev/2/ack");
	from.max_change_id = 7;
	from.wake_scheduler = true;

	outbox_move_acks(&from, &to);
	assert_int_equal(from.n, 2);
	assert_string_equal(from.msgs[0].topic, "staff/1/page");
	assert_int_equal(from.msgs[0].notification_id, 11);
	assert_string_equal(from.msgs[1].topic, "staff/2/page");
	assert_int_equal(from.max_change_id, 7);
	assert_true(from.wake_scheduler);
	assert_int_equal(to.n, 3);
	assert_string_equal(to.msgs[0].topic, "dev/0/ack");
	assert_string_equal(to.msgs[1].topic, "dev/1/ack");
	assert_string_equal(to.msgs[2].topic, "dev/2/ack");
	for (size_t i = 0; i < to.n; i++)
		assert_true(to.msgs[i].after_sync);
	assert_int_equal(to.max_change_id, 0);

	/* Nothing to move: both stay as they are. */
	outbox_move_acks(&from, &to);
	assert_int_equal(from.n, 2);
	assert_int_equal(to.n, 3);
	outbox_free(&from);
	outbox_free(&to);
}

/* Many acks: `to` grows as needed and keeps every one. */
static void test_outbox_move_acks_grows(void **state)
{
	(void)state;
	struct outbox from, to;
	outbox_init(&from);
	outbox_init(&to);
	char topic[32];
	for (int i = 0; i < 100; i++) {
		snprintf(topic, sizeof(topic), "dev/%d/ack", i);
		add_ack(&from, topic);
	}
	outbox_move_acks(&from, &to);
	assert_int_equal(from.n, 0);
	assert_int_equal(to.n, 100);
	assert_string_equal(to.msgs[99].topic, "dev/99/ack");
	outbox_free(&from);
	outbox_free(&to);
}

struct fixture {
	char dir[256];
	char path[320];
	struct db *writer, *syncer;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	const char *base = getenv("TMPDIR");
	snprintf(f->dir, sizeof(f->dir), "%s/carenet-sync-XXXXXX", base && *base ? base : "/tmp");
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
	struct fixture *f = *state;
	db_close(f->writer);
	db_close(f->syncer);
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	char p[400];
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, suffixes[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static void open_both(struct fixture *f)
{
	char err[512] = "";
	assert_int_equal(db_open(f->path, &f->writer, err, sizeof(err)), CN_OK);
	int version = 0;
	assert_int_equal(db_migrate(f->writer, &version, err, sizeof(err)), CN_OK);
	assert_int_equal(db_open(f->path, &f->syncer, err, sizeof(err)), CN_OK);
}

/* Commits made with synchronous off on one connection are synced from
 * another while the first holds the write lock again: the sync neither
 * waits for the lock nor fails on it, and the rows are there. */
static void test_sync_committed_takes_no_lock(void **state)
{
	struct fixture *f = *state;
	open_both(f);
	assert_true(db_can_sync_committed(f->syncer));
	/* Before anything was written: nothing to sync, no error. */
	assert_int_equal(db_sync_committed(f->syncer), CN_OK);

	assert_int_equal(db_set_synchronous(f->writer, false), CN_OK);
	assert_int_equal(db_begin(f->writer), CN_OK);
	assert_int_equal(db_exec(f->writer,
	                         "INSERT INTO sites (id, name, created_at, updated_at)"
	                         " VALUES ('s1', 'Site', 1, 1)",
	                         NULL, 0),
	                 CN_OK);
	assert_int_equal(db_commit(f->writer), CN_OK);
	assert_int_equal(db_begin(f->writer), CN_OK); /* holds the write lock */
	assert_int_equal(db_exec(f->writer,
	                         "INSERT INTO sites (id, name, created_at, updated_at)"
	                         " VALUES ('s2', 'Site', 1, 1)",
	                         NULL, 0),
	                 CN_OK);

	assert_int_equal(db_sync_committed(f->syncer), CN_OK);
	int64_t n = -1;
	assert_int_equal(db_query_int64(f->syncer, "SELECT count(*) FROM sites", &n), CN_OK);
	assert_int_equal(n, 1); /* the committed row; the open one is not seen */
	assert_int_equal(db_commit(f->writer), CN_OK);
	assert_int_equal(db_sync_committed(f->syncer), CN_OK);
	assert_int_equal(db_query_int64(f->syncer, "SELECT count(*) FROM sites", &n), CN_OK);
	assert_int_equal(n, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outbox_move_acks),
		cmocka_unit_test(test_outbox_move_acks_grows),
		cmocka_unit_test_setup_teardown(test_sync_committed_takes_no_lock, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
