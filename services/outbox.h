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
};

struct outbox {
	struct outbox_msg *msgs;
	size_t n, cap;
	int64_t max_change_id; /* highest alert_changes id written */
	bool wake_scheduler;   /* a deadline was added or moved */
	size_t alerts_raised;
};

void outbox_init(struct outbox *ob);
/* Queues a QoS 1 message; copies topic and takes ownership of `payload`
 * (a NUL-terminated string from malloc). */
void outbox_add(struct outbox *ob, const char *topic, char *payload, int64_t notification_id);
/* Forgets everything queued (after a rollback). */
void outbox_clear(struct outbox *ob);
/* Publishes everything, wakes streams and scheduler, marks pages sent
 * (through `db` when not NULL), then clears. */
void outbox_flush(struct outbox *ob, struct app *app, struct db *db);
void outbox_free(struct outbox *ob);

#endif
