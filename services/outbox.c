#define _POSIX_C_SOURCE 200809L
#include "outbox.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "db_alerts.h"
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
	ob->alerts_raised = 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void outbox_flush(struct outbox *ob, struct app *app, struct db *db)
{
	size_t pages = 0;
	for (size_t i = 0; i < ob->n; i++) {
		struct outbox_msg *m = &ob->msgs[i];
		if (mqtt_publish(app->mqtt, m->topic, m->payload, m->len, 1, false) == CN_OK &&
		    m->notification_id > 0)
			pages++;
	}
	if (pages) {
		atomic_fetch_add(&app->metrics->notifications_sent, pages);
		if (db) {
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
	outbox_clear(ob);
}

void outbox_free(struct outbox *ob)
{
	outbox_clear(ob);
	free(ob->msgs);
	ob->msgs = NULL;
	ob->cap = 0;
}
