/* What a transaction wants said once it is committed: MQTT messages (acks,
 * pages, alert changes) and wake-ups (SSE streams, the scheduler).
 *
 * Nothing is published before its rows are durable: a device's ack means
 * "stored", a page always has its notification row. The writer collects
 * into an outbox while in the transaction and calls outbox_flush() after
 * COMMIT, or outbox_clear() after ROLLBACK. */
#ifndef CN_OUTBOX_H
#define CN_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct db;

struct outbox_msg {
	char *topic;
	char *payload;
	size_t len;
	int64_t notification_id; /* > 0: a page; marked sent after publish */
	bool after_sync;         /* a device ack: only once the commit is on disk */
};

struct outbox {
	struct outbox_msg *msgs;
	size_t n, cap;
	int64_t max_change_id; /* highest alert_changes id written */
	bool wake_scheduler;   /* a deadline was added or moved */
	bool wake_notifier;    /* channel deliveries were queued */
	size_t alerts_raised;
	/* Pages published by a flush without a connection, to be marked sent
	 * in the owner's next transaction (outbox_mark_sent). */
	int64_t *sent;
	size_t n_sent, cap_sent;
};

void outbox_init(struct outbox *ob);
/* Queues a QoS 1 message; copies topic and takes ownership of `payload`
 * (a NUL-terminated string from malloc). */
void outbox_add(struct outbox *ob, const char *topic, char *payload, int64_t notification_id);
/* Queues a device ack: it goes out only after the commit is synced to
 * disk (see outbox_publish_early). */
void outbox_add_ack(struct outbox *ob, const char *topic, char *payload);
/* Publishes, after a commit, everything but the acks: pages and alert
 * changes may leave once their rows are committed; the acks wait for the
 * sync that makes the commit survive a power cut. Returns how many left. */
size_t outbox_publish_early(struct outbox *ob, struct app *app);
/* Forgets everything queued (after a rollback). */
void outbox_clear(struct outbox *ob);
/* Publishes everything, wakes streams and scheduler, marks pages sent
 * (in a transaction of its own on `db`; with db NULL they are kept for
 * outbox_mark_sent), then clears. */
void outbox_flush(struct outbox *ob, struct app *app, struct db *db);
/* Marks the kept pages sent, inside the caller's transaction. A busy
 * writer (ingest) uses this to spare the alarm path an extra commit. */
void outbox_mark_sent(struct outbox *ob, struct db *db, int64_t now);
void outbox_free(struct outbox *ob);

#endif
