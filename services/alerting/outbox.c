#define _POSIX_C_SOURCE 200809L
#include "outbox.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "db_alerts.h"
#include "db_relay.h"
#include "log.h"
#include "metrics.h"
#include "mqtt_client.h"
#include "scheduler.h"
#include "stream.h"
#include "xalloc.h"

void outbox_init(struct outbox *ob) { memset(ob, 0, sizeof(*ob)); }

void outbox_add(struct outbox *ob, const char *topic, char *payload, int64_t notification_id)
{
	if (ob->n == ob->cap) {
		size_t cap = ob->cap ? ob->cap * 2 : 16;
		struct outbox_msg *grown = xrealloc(ob->msgs, cap * sizeof(*grown));
		ob->msgs = grown;
		ob->cap = cap;
	}
	struct outbox_msg *m = &ob->msgs[ob->n++];
	m->topic = xstrdup(topic);
	m->payload = payload;
	m->len = strlen(payload);
	m->notification_id = notification_id;
	m->after_sync = false;
}

void outbox_add_ack(struct outbox *ob, const char *topic, char *payload)
{
	outbox_add(ob, topic, payload, 0);
	ob->msgs[ob->n - 1].after_sync = true;
}

size_t outbox_publish_early(struct outbox *ob, struct app *app)
{
	size_t kept = 0, sent = 0, pages = 0;
	for (size_t i = 0; i < ob->n; i++) {
		struct outbox_msg *m = &ob->msgs[i];
		if (m->after_sync) {
			ob->msgs[kept++] = *m;
			continue;
		}
		if (mqtt_publish(app->mqtt, m->topic, m->payload, m->len, 1, false) == CN_OK &&
		    m->notification_id > 0) {
			pages++;
			if (ob->n_sent == ob->cap_sent) {
				size_t cap = ob->cap_sent ? ob->cap_sent * 2 : 64;
				int64_t *grown = xrealloc(ob->sent, cap * sizeof(*grown));
				ob->sent = grown;
				ob->cap_sent = cap;
			}
			ob->sent[ob->n_sent++] = m->notification_id;
		}
		free(m->topic);
		free(m->payload);
		sent++;
	}
	ob->n = kept;
	atomic_fetch_add(&app->metrics->notifications_sent, pages);
	return sent;
}

void outbox_clear(struct outbox *ob)
{
	for (size_t i = 0; i < ob->n; i++) {
		free(ob->msgs[i].topic);
		free(ob->msgs[i].payload);
	}
	ob->n = 0;
	ob->max_change_id = 0;
	ob->wake_scheduler = false;
	ob->wake_notifier = false;
	ob->alerts_raised = 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
	if (rc == CN_OK && ob->wake_scheduler)
		rc = db_relay_add(db, "", "", 0, now);
	if (rc == CN_OK)
		rc = db_commit(db);
	else
		db_rollback(db);
	if (rc != CN_OK)
		log_error("outbox", "cannot hand %zu message(s) to the leader: %s", ob->n, cn_strerror(rc));
}

void outbox_flush(struct outbox *ob, struct app *app, struct db *db)
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
		if (mqtt_publish(app->mqtt, m->topic, m->payload, m->len, 1, false) == CN_OK &&
		    m->notification_id > 0)
			pages++;
	}
	if (pages) {
		atomic_fetch_add(&app->metrics->notifications_sent, pages);
		if (!db) {
			for (size_t i = 0; i < ob->n; i++) {
				if (ob->msgs[i].notification_id <= 0)
					continue;
				if (ob->n_sent == ob->cap_sent) {
					size_t cap = ob->cap_sent ? ob->cap_sent * 2 : 64;
					int64_t *grown = xrealloc(ob->sent, cap * sizeof(*grown));
					ob->sent = grown;
					ob->cap_sent = cap;
				}
				ob->sent[ob->n_sent++] = ob->msgs[i].notification_id;
			}
		} else {
			/* Pages handed to the client library are marked sent, so a
			 * restart re-sends only those that never left. */
			int64_t now = now_ms();
			if (db_begin(db) == CN_OK) {
				for (size_t i = 0; i < ob->n; i++)
					if (ob->msgs[i].notification_id > 0)
						db_notification_mark_sent(db, ob->msgs[i].notification_id, now);
				db_commit(db);
			}
		}
	}
	if (ob->max_change_id > 0)
		stream_hub_notify(app->hub, ob->max_change_id);
	if (ob->wake_scheduler)
		scheduler_wake(app->scheduler);
	if (ob->wake_notifier && app->wake_notifier)
		app->wake_notifier(app->notifier);
	outbox_clear(ob);
}

void outbox_mark_sent(struct outbox *ob, struct db *db, int64_t now)
{
	for (size_t i = 0; i < ob->n_sent; i++)
		db_notification_mark_sent(db, ob->sent[i], now);
	ob->n_sent = 0;
}

void outbox_free(struct outbox *ob)
{
	outbox_clear(ob);
	free(ob->sent);
	ob->sent = NULL;
	ob->n_sent = ob->cap_sent = 0;
	free(ob->msgs);
	ob->msgs = NULL;
	ob->cap = 0;
}
