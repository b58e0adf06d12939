/* The one after-commit path (habit 15). A writer begins a transaction with
 * db_begin(), collects what it decides to send into a struct outbox, and
 * ends with txn_commit(): commit, then (and only then) the effects leave:
 * MQTT messages, pages marked sent, SSE streams, the scheduler and the
 * notifier woken.
 * On any failure the transaction is rolled back and the outbox emptied, so
 * nothing leaves that is not on record.
 *
 * The scheduler is woken through app->wake_scheduler (a callback main.c
 * sets), not by including scheduler.h: the scheduler commits through here
 * too, and an include would make alerting a circle. The notifier
 * (services/notify/, a layer above) likewise through app->wake_notifier
 * when the outbox says deliveries were queued (wake_notifier). */
#ifndef CN_TXN_H
#define CN_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cn_error.h"

struct app;
struct db;
struct outbox;

/* How one writer ends its transaction. All pointers borrowed. */
struct txn_end {
	struct app *app;
	struct db *db;     /* the connection the transaction is open on */
	struct outbox *ob; /* what it collected; NULL: nothing to send */
	/* Pages whose publish failed are marked unsent in the owner's next
	 * transaction (txn_mark_unsent) instead of a transaction of their own
	 * on `db` now (pages are written as sent when decided,
	 * db_notification_add). */
	bool keep_unsent;
	/* The outbox holds device acks: after the commit, everything else is
	 * published, then sync(sync_ctx) must make the commit survive a power
	 * cut before the acks leave, or take the acks out of the outbox
	 * (outbox_move_acks) to send them itself once synced. A sync failure
	 * counts as a failed commit (the acks are dropped; devices repeat). */
	bool acks;
	enum cn_err (*sync)(void *sync_ctx);
	void *sync_ctx;
	/* Report a success to /healthz (app_note_store_result); a failure is
	 * always reported. */
	bool note;
};

/* Ends the transaction: commits it when `rc` (how it went so far) is
 * CN_OK, then dispatches the outbox (txn_dispatch). Returns CN_OK once
 * committed and dispatched; otherwise the error (rc itself, the commit's
 * or the sync's), after a rollback and with the outbox emptied. The
 * caller logs or answers the error. */
enum cn_err txn_commit(const struct txn_end *t, enum cn_err rc);

/* On a standby (app->leader false, with a `db`): hands every message to
 * the leader through the relay table in one transaction of its own on
 * `db` (a deadline moved or deliveries queued: a wake-up is relayed too)
 * and notifies the local SSE streams. On the leader: publishes everything
 * in `ob`, marks a page whose publish failed unsent again (in a
 * transaction of its own on `db`, or kept for txn_mark_unsent with db
 * NULL), notifies the SSE streams of the highest change, wakes the
 * scheduler and the notifier if asked, then
 * clears the outbox. Only for what is already committed: txn_commit()
 * calls it; the scheduler calls it directly for pages read back from the
 * store (committed before a crash). */
void txn_dispatch(struct app *app, struct db *db, struct outbox *ob);

/* Marks the kept pages (their publish failed) unsent, inside the
 * caller's open transaction, so the next leader's start re-sends them. */
void txn_mark_unsent(struct outbox *ob, struct db *db);

#endif
