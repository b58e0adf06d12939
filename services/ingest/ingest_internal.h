/* Internal to ingest: the state shared by ingest.c (the queue, the
 * thread, transactions and durability) and ingest_handle.c (what one
 * message does: decode, store, rules, acks, supervision). Nothing outside
 * ingest*.c includes this. */
#ifndef CN_INGEST_INTERNAL_H
#define CN_INGEST_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "outbox.h"
#include "payload.h"
#include "topic.h"

struct ack_sync;
struct app;
struct db;

#define LOG_SLOTS             1024
#define REJECT_LOG_MAX        20     /* reject log lines a minute, all devices */
#define DEVICE_CLOCK_AHEAD_MS 300000 /* a device time further ahead is the receive time */
#define SEQ_RETRY_WINDOW_MS   (24 * 3600 * 1000) /* a repeat older than this is a reused seq */
#define PRUNE_EVERY_MS        (3600 * 1000)
#define QUARANTINE_MAX_ROWS   10000 /* quarantine topics kept at most */
#define QUARANTINE_PRUNE_MS   60000
#define QUARANTINE_KEEP_MS    (INT64_C(7) * 86400 * 1000) /* quarantine rows kept this long */

struct ingest_msg {
	int64_t received_at;
	size_t len;  /* payload bytes kept (at most cap + 1) */
	char *topic; /* NUL-terminated, points into the same allocation */
	unsigned char *payload;
};

struct ingest {
	struct app *app;
	struct db *db;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
	/* Two lanes: alarms overtake everything else (see ingest_submit). */
	struct lane {
		struct ingest_msg **ring;
		size_t cap, head, count;
	} normal, urgent;
	atomic_int urgent_waiting; /* urgent.count, readable without the lock */
	bool stop;

	struct cn_topic_config tcfg;
	char *z2m_bases; /* storage behind tcfg.z2m_bases */
	struct cn_payload_limits lim;
	struct outbox ob;

	/* "logged at most once per device and minute" for rejects */
	struct {
		unsigned hash;
		int64_t at;
	} logged[LOG_SLOTS];
	/* ... and at most REJECT_LOG_MAX such lines a minute in all, so a burst
	 * of made-up ids cannot fill the disk with logs */
	int64_t reject_log_window;
	int reject_log_lines;
	uint64_t reject_log_suppressed;

	int64_t last_event_id;   /* ids are time-ordered; see db_events_next_id */
	bool ack_owed;           /* this batch holds an alarm ack: commit it now */
	bool sync_full;          /* the connection's synchronous setting is FULL */
	struct ack_sync *acks;   /* syncs and sends the acks off this thread; NULL: here */
	int64_t listening_since; /* when MQTT last (re)connected */
	bool was_connected;
	int64_t next_sweep, next_prune;
	int64_t next_quarantine_prune; /* every QUARANTINE_PRUNE_MS */
};

/* Handles one message inside the open batch transaction. */
void ingest_handle(struct ingest *in, const struct ingest_msg *m);

/* Supervision (silent devices), live-state write-back and retention,
 * inside the open batch transaction, about once a second. */
void ingest_periodic(struct ingest *in, int64_t now);

#endif
