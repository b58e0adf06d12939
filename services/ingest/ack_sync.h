/* The ack syncer: device acks leave once their commit is on disk, and the
 * ingest thread never waits for the disk to get there.
 *
 * Ingest commits its batches with synchronous off (db_set_synchronous);
 * a batch that owes alarm acks publishes its pages at once and hands the
 * acks here. This thread syncs every commit made so far in one step
 * (db_sync_committed, which takes no lock) and then publishes the acks
 * that were handed over before the sync began. While one sync runs, more
 * acks gather and the next sync covers them all: an alarm never queues
 * behind another alarm's fsync, and ingest keeps storing meanwhile.
 *
 * Only on an engine with db_sync_committed (SQLite). */
#ifndef CN_ACK_SYNC_H
#define CN_ACK_SYNC_H

#include <stddef.h>

#include "cn_error.h"

struct app;
struct ack_sync;
struct outbox;

/* Acks waiting for a sync at most; past it ack_sync_hand() waits. */
#define ACK_SYNC_MAX 4096

/* Opens a connection of its own to the database and starts the thread.
 * `app` is borrowed for the syncer's life. Returns CN_OK with *out set;
 * CN_ERR_UNAVAILABLE when the engine has no db_sync_committed; the
 * db_connect error; or CN_ERR_IO when the thread cannot start; then *out
 * is NULL and `err` says why. */
enum cn_err ack_sync_start(struct app *app, struct ack_sync **out, char *err, size_t err_size);

/* Takes the acks out of `ob` (borrowed; the rest of it stays) to be
 * published once synced. Only for acks of a transaction already
 * committed. Waits while ACK_SYNC_MAX acks are queued. */
void ack_sync_hand(struct ack_sync *s, struct outbox *ob);

/* Syncs and publishes what is queued, stops the thread and frees. Call
 * once nothing hands acks any more. NULL: no-op. */
void ack_sync_stop(struct ack_sync *s);

#endif
