/* The daemon's parts, owned by main and borrowed by each other. No part
 * keeps global state: whatever it needs comes through this struct. */
#ifndef CN_APP_H
#define CN_APP_H

#include <stdatomic.h>
#include <stdbool.h>

struct config;
struct metrics;
struct db_pool;
struct mqtt_client;
struct ingest;
struct scheduler;
struct devices;
struct stream_hub;
struct login_throttle;
struct notifier;

/* Storage health as /healthz reports it: a writer that hits a full disk
 * sets FULL; the next successful commit sets OK again. */
enum store_state { STORE_OK = 0, STORE_FULL = 1, STORE_ERROR = 2 };

struct app {
	const struct config *cfg;
	struct metrics *metrics;
	struct db_pool *pool;        /* connections for HTTP threads */
	struct mqtt_client *mqtt;    /* publishes; thread-safe */
	struct ingest *ingest;       /* owns the ingest thread */
	struct scheduler *scheduler; /* owns escalation and rule deadlines */
	/* Wakes the scheduler after a commit moved a deadline (main.c sets it
	 * to scheduler_wake; NULL: nothing to wake). A callback, so the
	 * after-commit path (txn.c) need not include the scheduler. */
	void (*wake_scheduler)(struct scheduler *s);
	struct devices *devices;         /* in-memory device registry */
	struct stream_hub *hub;          /* wakes SSE streams on alert changes */
	struct login_throttle *throttle; /* failed logins */
	struct notifier *notifier;       /* sends channel deliveries */
	/* Wakes the notifier after a commit queued deliveries (set by main,
	 * so the after-commit path needs no notify/ header). */
	void (*wake_notifier)(struct notifier *n);
	atomic_int store_state; /* enum store_state */
	atomic_bool stopping;
	atomic_bool leader;          /* this node ingests and runs the rules (leader.h) */
	atomic_bool leadership_lost; /* the leader lock was lost: exit status 3 */
};

/* Records the outcome of a write for /healthz: CN_ERR_FULL marks storage
 * full (logged once), CN_OK clears it. */
void app_note_store_result(struct app *app, int cn_err_code);

#endif
