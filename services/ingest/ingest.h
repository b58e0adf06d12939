/* The guardian net's input: every MQTT message from a device becomes a
 * stored event (or a quarantined message) exactly once, in group commits,
 * on one thread that owns its own database connection.
 *
 * Alarm-class events are acknowledged to the device only after their
 * transaction is committed, and a batch is committed as soon as the queue
 * is empty, so an alarm never waits for a batch to fill. */
#ifndef CN_INGEST_H
#define CN_INGEST_H

#include <stddef.h>

#include "cn_error.h"

struct app;
struct ingest;

/* Messages held in memory before MQTT backs off. Deep on purpose: a
 * backlog kept here (about 150 bytes a message, 7 MB at most) is one the
 * alarm fast lane can overtake; one left in the broker is not. */
#define INGEST_QUEUE_MAX 50000
#define INGEST_BATCH_MAX 2000 /* messages per transaction at most */
#define INGEST_URGENT_MAX 1024 /* alarms waiting in the fast lane at most */

/* Opens its connection to the (migrated) database and starts the thread. */
enum cn_err ingest_start(struct app *app, struct ingest **out, char *err, size_t err_size);

/* Hands one MQTT message over (called on the MQTT thread). Copies what it
 * needs. Blocks while the queue is full: the broker then holds further
 * messages, so a burst slows down instead of being dropped. */
void ingest_submit(struct ingest *in, const char *topic, const void *payload, size_t len);

/* Stores everything submitted so far, publishes what it owes, stops the
 * thread and frees. Call after MQTT has stopped reading. NULL: no-op. */
void ingest_stop(struct ingest *in);

#endif
