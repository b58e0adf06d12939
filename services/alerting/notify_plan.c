#include "notify_plan.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app.h"
#include "db_deliveries.h"
#include "log.h"
#include "metrics.h"
#include "outbox.h"

static bool wants_priority(const json_t *priorities, int priority)
{
	if (!json_is_array(priorities) || json_array_size(priorities) == 0)
		return true; /* no list: every priority */
	size_t i;
	json_t *v;
	json_array_foreach (priorities, i, v)
		if (json_integer_value(v) == priority)
			return true;
	return false;
}

/* The channel when it may carry pages of this site; false otherwise. */
static bool usable_channel(struct db *db, const char *channel_id, const char *site_id,
                           struct db_channel *ch)
{
	if (!channel_id || db_channel_get(db, channel_id, ch) != CN_OK)
		return false;
	return ch->enabled && (!ch->site_id[0] || strcmp(ch->site_id, site_id) == 0);
}

/* Person-addressed kinds need an address; robots and webhooks do not. */
static const char *address_for(const struct db_channel *ch, const char *given, const char *phone,
                               const char *email)
{
	if (given && *given)
		return given;
	if (strcmp(ch->kind, "sms") == 0 || strcmp(ch->kind, "voice") == 0)
		return phone && *phone ? phone : NULL;
	if (strcmp(ch->kind, "email") == 0)
		return email && *email ? email : NULL;
	return "";
}

enum cn_err notify_plan_staff(struct app *app, struct db *db, int64_t alert_id, const char *site_id,
                              int priority, int level, const char *staff_id, int64_t now,
                              struct outbox *ob, size_t *queued)
{
	char name[201], phone[41], email[255];
	json_t *contacts = NULL;
	enum cn_err rc = db_staff_reach(db, staff_id, name, phone, email, &contacts);
	size_t i;
	json_t *c;
	json_array_foreach (contacts, i, c) {
		if (rc != CN_OK)
			break;
		struct db_channel ch;
		const char *cid = json_string_value(json_object_get(c, "channel_id"));
		if (!wants_priority(json_object_get(c, "priorities"), priority) ||
		    !usable_channel(db, cid, site_id, &ch))
			continue;
		const char *to = address_for(&ch, json_string_value(json_object_get(c, "address")),
		                             phone, email);
		if (!to) {
			log_warn("notify", "alert %lld: %s has no address for channel %s",
			         (long long)alert_id, staff_id, cid);
			continue;
		}
		json_int_t delay = json_integer_value(json_object_get(c, "delay_s"));
		struct db_delivery_new d = {
			.alert_id = alert_id,
			.channel_id = cid,
			.kind = ch.kind,
			.staff_id = staff_id,
			.to_addr = to,
			.level = level,
			.due_at = now + (delay > 0 ? (int64_t)delay * 1000 : 0),
			.now = now,
		};
		int64_t id = 0;
		rc = db_delivery_add(db, &d, &id);
		if (rc == CN_OK) {
			ob->wake_notifier = true;
			metrics_count_delivery(app->metrics, ch.kind, MD_QUEUED);
			if (queued)
				(*queued)++;
		}
	}
	json_decref(contacts);
	return rc;
}

static int by_order(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t ox = json_integer_value(json_object_get(x, "order"));
	json_int_t oy = json_integer_value(json_object_get(y, "order"));
	return ox < oy ? -1 : ox > oy;
}

enum cn_err notify_plan_contacts(struct app *app, struct db *db, int64_t alert_id,
                                 const char *site_id, const char *resident_id, int level,
                                 int64_t now, struct outbox *ob, size_t *queued)
{
	if (!resident_id)
		return CN_OK;
	json_t *list = NULL;
	enum cn_err rc = db_resident_contacts(db, resident_id, &list);
	size_t n = json_array_size(list);
	json_t **sorted = calloc(n ? n : 1, sizeof(*sorted));
	if (!sorted)
		abort();
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (json_is_true(json_object_get(json_array_get(list, i), "notify")))
			sorted[m++] = json_array_get(list, i);
	qsort(sorted, m, sizeof(*sorted), by_order);
	for (size_t i = 0; rc == CN_OK && i < m; i++) {
		json_t *c = sorted[i];
		const char *phone = json_string_value(json_object_get(c, "phone"));
		const char *email = json_string_value(json_object_get(c, "email"));
		json_t *who = json_pack("{s:s?,s:s?,s:s?}", "name",
		                        json_string_value(json_object_get(c, "name")), "relation",
		                        json_string_value(json_object_get(c, "relation")), "phone",
		                        phone);
		char *who_text = json_dumps(who, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(who);
		size_t k;
		json_t *cid;
		json_array_foreach (json_object_get(c, "channels"), k, cid) {
			struct db_channel ch;
			if (rc != CN_OK ||
			    !usable_channel(db, json_string_value(cid), site_id, &ch))
				continue;
			const char *to = address_for(&ch, NULL, phone, email);
			if (!to)
				continue;
			struct db_delivery_new d = {
				.alert_id = alert_id,
				.channel_id = ch.id,
				.kind = ch.kind,
				.contact = who_text,
				.to_addr = to,
				.level = level,
				.due_at = now,
				.now = now,
			};
			int64_t id = 0;
			rc = db_delivery_add(db, &d, &id);
			if (rc == CN_OK) {
				ob->wake_notifier = true;
				metrics_count_delivery(app->metrics, ch.kind, MD_QUEUED);
				if (queued)
					(*queued)++;
			}
		}
		free(who_text);
	}
	free(sorted);
	json_decref(list);
	return rc;
}

enum cn_err notify_plan_channel(struct app *app, struct db *db, int64_t alert_id,
                                const char *site_id, int level, const char *channel_id, int64_t now,
                                struct outbox *ob, size_t *queued)
{
	struct db_channel ch;
	if (!usable_channel(db, channel_id, site_id, &ch)) {
		log_warn("notify", "alert %lld: channel %s is unknown, disabled or another site's",
		         (long long)alert_id, channel_id);
		return CN_OK;
	}
	const char *to = address_for(&ch, NULL, NULL, NULL);
	if (!to) {
		log_warn("notify", "alert %lld: channel %s is person-addressed and has no address",
		         (long long)alert_id, channel_id);
		return CN_OK;
	}
	/* Whoever answers the site's channel acknowledges as that channel. */
	char name[96];
	snprintf(name, sizeof(name), "channel %.64s", ch.id);
	json_t *who = json_pack("{s:s,s:s}", "name", name, "relation", "site channel");
	char *who_text = json_dumps(who, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(who);
	struct db_delivery_new d = {
		.alert_id = alert_id,
		.channel_id = ch.id,
		.kind = ch.kind,
		.contact = who_text,
		.to_addr = to,
		.level = level,
		.due_at = now,
		.now = now,
	};
	int64_t id = 0;
	enum cn_err rc = db_delivery_add(db, &d, &id);
	if (rc == CN_OK) {
		ob->wake_notifier = true;
		metrics_count_delivery(app->metrics, ch.kind, MD_QUEUED);
		if (queued)
			(*queued)++;
	}
	free(who_text);
	return rc;
}
