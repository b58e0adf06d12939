/* The outbox container (outbox.h): collecting only. Dispatching after the
 * commit is txn.c's. */
#include "outbox.h"

#include <stdlib.h>
#include <string.h>

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

void outbox_keep_unsent(struct outbox *ob, int64_t notification_id)
{
	if (ob->n_unsent == ob->cap_unsent) {
		size_t cap = ob->cap_unsent ? ob->cap_unsent * 2 : 64;
		int64_t *grown = xrealloc(ob->unsent, cap * sizeof(*grown));
		ob->unsent = grown;
		ob->cap_unsent = cap;
	}
	ob->unsent[ob->n_unsent++] = notification_id;
}

void outbox_move_acks(struct outbox *from, struct outbox *to)
{
	size_t kept = 0;
	for (size_t i = 0; i < from->n; i++) {
		struct outbox_msg *m = &from->msgs[i];
		if (!m->after_sync) {
			from->msgs[kept++] = *m;
			continue;
		}
		if (to->n == to->cap) {
			size_t cap = to->cap ? to->cap * 2 : 16;
			struct outbox_msg *grown = xrealloc(to->msgs, cap * sizeof(*grown));
			to->msgs = grown;
			to->cap = cap;
		}
		to->msgs[to->n++] = *m;
	}
	from->n = kept;
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

void outbox_free(struct outbox *ob)
{
	if (!ob)
		return;
	outbox_clear(ob);
	free(ob->unsent);
	ob->unsent = NULL;
	ob->n_unsent = ob->cap_unsent = 0;
	free(ob->msgs);
	ob->msgs = NULL;
	ob->cap = 0;
}
