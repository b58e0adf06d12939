/* The relay table: messages a standby's API writes owe, handed to the
 * leader through the database (docs/architecture.md, "Leader election"). */
#ifndef CN_DB_RELAY_H
#define CN_DB_RELAY_H

#include <stddef.h>
#include <stdint.h>

#include "cn_error.h"

struct db;

/* Queues one message (topic "" : wake the scheduler); notification_id > 0
 * names the page's row. On PostgreSQL also NOTIFY carenet_relay, delivered
 * when the caller's transaction commits. */
enum cn_err db_relay_add(struct db *db, const char *topic, const char *payload,
                         int64_t notification_id, int64_t now);

/* Called per queued message, oldest first; returns CN_OK when the message
 * was handed on (then its row goes). */
typedef enum cn_err (*db_relay_fn)(void *ctx, const char *topic, const char *payload);

/* In one transaction: hands up to `max` queued messages to `fn`, deletes
 * those it took, marks their pages sent at `now`. *taken gets the count. */
enum cn_err db_relay_take(struct db *db, size_t max, db_relay_fn fn, void *ctx, int64_t now,
                          size_t *taken);

#endif
