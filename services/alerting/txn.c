/* The one after-commit path (txn.h): commit or roll back, then dispatch. */
#define _POSIX_C_SOURCE 200809L
#include "txn.h"

#include <stdlib.h>
#include <time.h>

#include "app.h"
#include "db.h"
#include "db_alerts.h"
#include "db_relay.h"
#include "log.h"
#include "metrics.h"
#include "mqtt_client.h"
#include "outbox.h"
#include "stream.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Publishes, after the commit, everything but the acks: pages and alert
 * changes may leave once their rows are committed; the acks wait for the
 * sync that makes the commit survive a power cut. */
static void publish_early(struct outbox *ob, struct app *app)
{
	size_t kept = 0, pages = 0;
	for (size_t i = 0; i < ob->n; i++) {
		struct outbox_msg *m = &ob->msgs[i];
		if (m->after_sync) {
			ob->msgs[kept++] = *m;
			continue;
		}
		bool ok = mqtt_publish(app->mqtt, m->topic, m->payload, m->len, 1, false) == CN_OK;
		if (ok && m->notification_id > 0)
			pages++;
		else if (m->notification_id > 0)
			outbox_keep_unsent(ob, m->notification_id);
		free(m->topic);
		free(m->payload);
	}
	ob->n = kept;
	atomic_fetch_add(&app->metrics->notifications_sent, pages);
}

/* A standby stays off the broker: its messages go to the leader through
 * the relay table (db_relay.h), in one transaction. */
static void relay_to_leader(struct outbox *ob, struct db *db)
{
	int64_t now = now_ms();
	if (db_begin(db) != CN_OK)
		return;
	enum cn_err rc = CN_OK;
	for (size_t i = 0; rc == CN_OK && i < ob->n; i++)
		rc = db_relay_add(db, ob->msgs[i].topic, ob->msgs[i].payload,
		                  ob->msgs[i].notification_id, now);
	/* An empty topic wakes the leader's scheduler and notifier. */
	if (rc == CN_OK && (ob->wake_scheduler || ob->wake_notifier))
		rc = db_relay_add(db, "", "", 0, now);
	if (rc == CN_OK)
		rc = db_commit(db);
	else
		db_rollback(db);
	if (rc != CN_OK)
		log_error("outbox", "cannot hand %zu message(s) to the leader: %s", ob->n,
		          cn_strerror(rc));
}

void txn_dispatch(struct app *app, struct db *db, struct outbox *ob)
{
	if (db && !atomic_load(&app->leader)) {
		relay_to_leader(ob, db);
		if (ob->max_change_id > 0)
			stream_hub_notify(app->hub, ob->max_change_id);
		outbox_clear(ob);
		return;
	}
	size_t pages = 0;
	for (size_t i = 0; i < ob->n; i++) {
		struct outbox_msg *m = &ob->msgs[i];
		bool ok = mqtt_publish(app->mqtt, m->topic, m->payload, m->len, 1, false) == CN_OK;
		if (m->notification_id <= 0)
			continue;
		if (ok) {
			pages++;
			continue;
		}
		/* Written as sent when decided (db_notification_add): a page
		 * the client library refused is marked unsent again, so the next
		 * leader's start re-sends it. */
		outbox_keep_unsent(ob, m->notification_id);
	}
	atomic_fetch_add(&app->metrics->notifications_sent, pages);
	if (ob->n_unsent > 0 && db && db_begin(db) == CN_OK) {
		txn_mark_unsent(ob, db);
		db_commit(db);
	}
	if (ob->max_change_id > 0)
		stream_hub_notify(app->hub, ob->max_change_id);
	if (ob->wake_scheduler && app->wake_scheduler)
		app->wake_scheduler(app->scheduler);
	if (ob->wake_notifier && app->wake_notifier)
		app->wake_notifier(app->notifier);
	outbox_clear(ob);
}

enum cn_err txn_commit(const struct txn_end *t, enum cn_err rc)
{
	if (rc == CN_OK)
		rc = db_commit(t->db);
	if (rc == CN_OK && t->acks && t->ob) {
		publish_early(t->ob, t->app);
		if (t->sync)
			rc = t->sync(t->sync_ctx);
	}
	if (rc != CN_OK || t->note)
		app_note_store_result(t->app, rc);
	if (rc != CN_OK) {
		db_rollback(t->db);
		if (t->ob)
			outbox_clear(t->ob);
		return rc;
	}
	if (t->ob)
		txn_dispatch(t->app, t->keep_unsent ? NULL : t->db, t->ob);
	return CN_OK;
}

void txn_mark_unsent(struct outbox *ob, struct db *db)
{
	for (size_t i = 0; i < ob->n_unsent; i++)
		db_notification_mark_unsent(db, ob->unsent[i]);
	ob->n_unsent = 0;
}
