/* The ack syncer (ack_sync.h). */
#define _POSIX_C_SOURCE 200809L
#include "ack_sync.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "outbox.h"
#include "txn.h"
#include "xalloc.h"

struct ack_sync {
	struct app *app;
	struct db *db; /* this thread's own connection, for the sync only */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t handed, room;
	struct outbox pending; /* acks of committed transactions, not yet synced */
	bool stop;
};

/* One round: everything handed so far is committed; one sync makes it
 * durable, then it leaves. A failed sync drops the acks (logged and
 * reported to /healthz): the devices repeat unacknowledged alarms, and
 * the repeat is answered from the stored event. */
static void sync_and_send(struct ack_sync *s, struct outbox *take)
{
	enum cn_err rc = db_sync_committed(s->db);
	if (rc != CN_OK) {
		app_note_store_result(s->app, rc);
		log_error("ingest",
		          "cannot sync %zu alarm ack(s) to disk: %s; not sent, devices repeat",
		          take->n, cn_strerror(rc));
		outbox_clear(take);
		return;
	}
	txn_dispatch(s->app, NULL, take);
}

static void *ack_sync_main(void *arg)
{
	struct ack_sync *s = arg;
	struct outbox take;
	outbox_init(&take);
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (s->pending.n == 0 && !s->stop)
			pthread_cond_wait(&s->handed, &s->lock);
		if (s->pending.n == 0)
			break; /* stopping, nothing left */
		outbox_move_acks(&s->pending, &take);
		pthread_cond_broadcast(&s->room);
		pthread_mutex_unlock(&s->lock);
		sync_and_send(s, &take);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	outbox_free(&take);
	return NULL;
}

enum cn_err ack_sync_start(struct app *app, struct ack_sync **out, char *err, size_t err_size)
{
	*out = NULL;
	struct ack_sync *s = xcalloc(1, sizeof(*s));
	s->app = app;
	enum cn_err rc = db_connect(app->cfg->db_path, app->cfg->db_url, &s->db, err, err_size);
	if (rc != CN_OK)
		goto fail;
	if (!db_can_sync_committed(s->db)) {
		snprintf(err, err_size, "ack sync: the %s engine has no separate sync",
		         db_engine_name(s->db));
		rc = CN_ERR_UNAVAILABLE;
		goto fail;
	}
	outbox_init(&s->pending);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->handed, NULL);
	pthread_cond_init(&s->room, NULL);
	if (pthread_create(&s->thread, NULL, ack_sync_main, s) != 0) {
		snprintf(err, err_size, "ack sync: cannot start the thread");
		pthread_mutex_destroy(&s->lock);
		pthread_cond_destroy(&s->handed);
		pthread_cond_destroy(&s->room);
		rc = CN_ERR_IO;
		goto fail;
	}
	*out = s;
	return CN_OK;
fail:
	db_close(s->db);
	free(s);
	return rc;
}

void ack_sync_hand(struct ack_sync *s, struct outbox *ob)
{
	pthread_mutex_lock(&s->lock);
	while (s->pending.n >= ACK_SYNC_MAX && !s->stop)
		pthread_cond_wait(&s->room, &s->lock);
	outbox_move_acks(ob, &s->pending);
	pthread_cond_signal(&s->handed);
	pthread_mutex_unlock(&s->lock);
}

void ack_sync_stop(struct ack_sync *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->handed);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	outbox_free(&s->pending);
	db_close(s->db);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->handed);
	pthread_cond_destroy(&s->room);
	free(s);
}
