/* What a transaction wants said once it is committed: MQTT messages (acks,
 * pages, alert changes) and wake-ups (SSE streams, the scheduler).
 *
 * A plain container: collecting only, no I/O and no app. The writer
 * collects into an outbox while in the transaction; txn_commit()
 * (txn.h) commits and then dispatches it, or empties it after a
 * rollback. Nothing is published before its rows are durable: a device's
 * ack means "stored", a page always has its notification row. */
#ifndef CN_OUTBOX_H
#define CN_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct outbox_msg {
	char *topic;
	char *payload;
	size_t len;
	int64_t notification_id; /* > 0: a page; marked unsent if its publish fails */
	bool after_sync;         /* a device ack: only once the commit is on disk */
};

struct outbox {
	struct outbox_msg *msgs;
	size_t n, cap;
	int64_t max_change_id; /* highest alert_changes id written */
	bool wake_scheduler;   /* a deadline was added or moved */
	bool wake_notifier;    /* channel deliveries were queued */
	size_t alerts_raised;
	/* Pages whose publish failed in a dispatch that keeps them, to be
	 * marked unsent in the owner's next transaction (txn_mark_unsent). */
	int64_t *unsent;
	size_t n_unsent, cap_unsent;
};

void outbox_init(struct outbox *ob);
/* Queues a QoS 1 message; copies topic and takes ownership of `payload`
 * (a NUL-terminated string from malloc). */
void outbox_add(struct outbox *ob, const char *topic, char *payload, int64_t notification_id);
/* Queues a device ack: it goes out only after the commit is synced to
 * disk (txn_end.sync). */
void outbox_add_ack(struct outbox *ob, const char *topic, char *payload);
/* Remembers a page whose publish failed, to be marked unsent later. */
void outbox_keep_unsent(struct outbox *ob, int64_t notification_id);
/* Moves the device acks (after_sync) from `from` to the end of `to`,
 * keeping their order; everything else stays in `from`. */
void outbox_move_acks(struct outbox *from, struct outbox *to);
/* Forgets every queued message and wake-up (after a rollback, or once
 * dispatched); the kept unsent pages stay. */
void outbox_clear(struct outbox *ob);
/* Frees everything; the outbox may be initialised again. NULL is safe. */
void outbox_free(struct outbox *ob);

#endif
