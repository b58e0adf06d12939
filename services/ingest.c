#define _POSIX_C_SOURCE 200809L
#include "ingest.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts.h"
#include "app.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "db_alerts.h"
#include "db_devices.h"
#include "db_events.h"
#include "db_residents.h"
#include "devices.h"
#include "log.h"
#include "metrics.h"
#include "outbox.h"
#include "payload.h"
#include "rules.h"
#include "topic.h"
#include "windows.h"
#include "xalloc.h"

#define LOG_SLOTS 1024
#define SWEEP_MS 1000
#define PRUNE_EVERY_MS (3600 * 1000)
#define SEQ_RETRY_WINDOW_MS (24 * 3600 * 1000) /* a repeat older than this is a reused seq */
#define BATCH_BUDGET_MS 4 /* a batch stops taking messages after this much work */

struct ingest_msg {
	int64_t received_at;
	size_t len;       /* payload bytes kept (at most cap + 1) */
	char *topic;      /* NUL-terminated, points into the same allocation */
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

	int64_t last_event_id;   /* ids are time-ordered; see db_events_next_id */
	bool ack_owed;           /* this batch holds an alarm ack: commit it now */
	bool sync_full;          /* the connection's synchronous setting is FULL */
	int64_t listening_since; /* when MQTT last (re)connected */
	bool was_connected;
	int64_t next_sweep, next_prune;
};

/* ---- queue ---- */

/* Case-sensitive search of `needle` in the first `len` bytes. */
static bool contains(const unsigned char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (hay[i] == (unsigned char)needle[0] && memcmp(hay + i, needle, n) == 0)
			return true;
	return false;
}

/* Whether a message may carry an alarm, judged from its bytes alone so the
 * MQTT thread stays cheap: every alarm names its type (button, fall,
 * smoke, gas, water_leak) or, from Zigbee2MQTT, an action or fall status.
 * A false positive only costs a place in the fast lane; an alarm that
 * hides its type behind escapes still goes the normal way, just later. */
static bool looks_like_alarm(const unsigned char *p, size_t len)
{
	static const char *const words[] = {"button", "fall", "smoke", "gas", "leak", "action"};
	if (len > 1024)
		return false;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (contains(p, len, words[i]))
			return true;
	return false;
}

static void lane_push(struct lane *l, struct ingest_msg *m)
{
	l->ring[(l->head + l->count) % l->cap] = m;
	l->count++;
}

static struct ingest_msg *lane_pop(struct lane *l)
{
	struct ingest_msg *m = l->ring[l->head];
	l->head = (l->head + 1) % l->cap;
	l->count--;
	return m;
}

void ingest_submit(struct ingest *in, const char *topic, const void *payload, size_t len)
{
	size_t cap = (size_t)in->app->cfg->mqtt_max_payload;
	/* Keep one byte past the cap so the codec can tell "too large", and at
	 * most the cap in quarantine. */
	size_t keep = len > cap ? cap + 1 : len;
	size_t tlen = strnlen(topic, CN_TOPIC_MAX + 2);
	struct ingest_msg *m = xmalloc(sizeof(*m) + tlen + 1 + keep + 1);
	m->received_at = clock_now_ms();
	m->topic = (char *)(m + 1);
	memcpy(m->topic, topic, tlen);
	m->topic[tlen] = '\0';
	m->payload = (unsigned char *)m->topic + tlen + 1;
	if (keep)
		memcpy(m->payload, payload, keep);
	m->payload[keep] = '\0';
	m->len = keep;
	bool urgent = looks_like_alarm(m->payload, m->len);

	pthread_mutex_lock(&in->lock);
	if (urgent && in->urgent.count < in->urgent.cap) {
		lane_push(&in->urgent, m);
		atomic_store(&in->urgent_waiting, (int)in->urgent.count);
	} else {
		while (in->normal.count == in->normal.cap && !in->stop)
			pthread_cond_wait(&in->not_full, &in->lock);
		if (in->normal.count == in->normal.cap) {
			/* Only after stop, which comes after MQTT stopped reading. */
			pthread_mutex_unlock(&in->lock);
			free(m);
			return;
		}
		lane_push(&in->normal, m);
	}
	atomic_store(&in->app->metrics->ingest_queue_depth, (int)(in->normal.count + in->urgent.count));
	pthread_cond_signal(&in->not_empty);
	pthread_mutex_unlock(&in->lock);
}

/* ---- rejects ---- */

static unsigned hash_name(const char *s)
{
	unsigned h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void reject(struct ingest *in, const struct ingest_msg *m, const char *who,
                   enum cn_reject reason)
{
	atomic_fetch_add(&in->app->metrics->events_rejected[reason], 1);
	size_t cap = (size_t)in->app->cfg->mqtt_max_payload;
	enum cn_err rc = db_quarantine_insert(in->db, m->topic, m->payload, m->len > cap ? cap : m->len,
	                                      cn_reject_name(reason), m->received_at);
	if (rc != CN_OK)
		log_warn("ingest", "cannot quarantine a message: %s", cn_strerror(rc));
	unsigned h = hash_name(who);
	unsigned slot = h % LOG_SLOTS;
	if (in->logged[slot].hash == h && m->received_at - in->logged[slot].at < 60000)
		return;
	in->logged[slot].hash = h;
	in->logged[slot].at = m->received_at;
	log_warn("ingest", "quarantined a message on %.120s: %s (further ones from %.64s are "
	                   "counted, not logged, for a minute)",
	         m->topic, cn_reject_name(reason), who);
}

/* ---- rules to alerts ---- */

static void apply_decisions(struct ingest *in, const struct device *dev,
                            const struct rule_decision *d, size_t n, int64_t event_at,
                            int64_t *raised_alert)
{
	struct app *app = in->app;
	char actor[80];
	snprintf(actor, sizeof(actor), "device:%s", dev->id);
	int64_t now = clock_now_ms();
	for (size_t i = 0; i < n; i++) {
		enum cn_err rc = CN_OK;
		int64_t alert_id = 0;
		const char *resident = dev->resident_id[0] ? dev->resident_id : NULL;
		switch (d[i].action) {
		case RULE_RAISE: {
			if (!dev->site_id[0]) {
				log_warn("ingest", "device %s is not assigned to a resident: %s not raised",
				         dev->id, alert_kind_name(d[i].kind));
				break;
			}
			struct alert_raise rq = {
				.kind = d[i].kind,
				.priority = d[i].priority,
				.site_id = dev->site_id,
				.resident_id = resident,
				.device_id = dev->id,
				.detail = d[i].detail,
				.actor = actor,
				.event_at = event_at,
			};
			bool created = false;
			rc = alerts_raise(app, in->db, &rq, now, &in->ob, &alert_id, &created);
			if (rc == CN_OK && raised_alert && !alert_kind_is_technical(d[i].kind))
				*raised_alert = alert_id;
			if (rc == CN_OK && d[i].kind == AK_LOW_BATTERY)
				devices_set_low_battery(app->devices, dev->key, true);
			break;
		}
		case RULE_CLEAR:
			rc = alerts_clear(app, in->db, d[i].kind, resident, dev->id, d[i].detail, now, &in->ob);
			if (rc == CN_OK && d[i].kind == AK_LOW_BATTERY)
				devices_set_low_battery(app->devices, dev->key, false);
			break;
		case RULE_TIMELINE:
			rc = alerts_note_active(app, in->db, d[i].kind, resident, NULL, d[i].timeline_action,
			                        d[i].detail, actor, now, &in->ob, &alert_id);
			if (rc == CN_OK && raised_alert && alert_id)
				*raised_alert = alert_id;
			break;
		case RULE_ACTIVITY:
			if (resident)
				rc = windows_on_activity(app, in->db, resident, event_at, actor, &in->ob);
			break;
		case RULE_CHECKIN:
			if (resident)
				rc = windows_on_checkin(app, in->db, resident, event_at, &in->ob);
			break;
		}
		if (rc != CN_OK)
			log_error("ingest", "device %s: %s %s failed: %s", dev->id,
			          d[i].action == RULE_RAISE ? "raising" : "updating",
			          alert_kind_name(d[i].kind), cn_strerror(rc));
	}
}

static struct rule_settings rule_settings(const struct ingest *in)
{
	struct rule_settings s = {(int)in->app->cfg->low_battery_pct,
	                          (int)in->app->cfg->battery_ok_pct};
	return s;
}

/* A device was heard: live state, back online, battery. */
static void heard(struct ingest *in, const struct device *dev_in, int64_t at, int battery,
                  bool battery_low_flag, struct device *after)
{
	struct device before;
	devices_update_live(in->app->devices, dev_in->key, at, battery, DEV_ONLINE, &before, after);
	struct rule_decision d[RULES_MAX_DECISIONS];
	if (before.status == DEV_OFFLINE) {
		size_t n = rules_for_device_status(true, d);
		apply_decisions(in, after, d, n, at, NULL);
	}
	struct rule_settings set = rule_settings(in);
	if (battery >= 0) {
		size_t n = rules_for_battery(battery, after->low_battery, &set, d);
		apply_decisions(in, after, d, n, at, NULL);
	} else if (battery_low_flag && !after->low_battery) {
		size_t n = rules_for_battery(0, false, &set, d);
		snprintf(d[0].detail, sizeof(d[0].detail), "device reports battery low");
		apply_decisions(in, after, d, n, at, NULL);
	}
}

static void send_ack(struct ingest *in, const struct device *dev, const struct cn_event *ev,
                     int64_t event_id, int64_t alert_id)
{
	char topic[256], payload[160], seq[24] = "null", alert[32] = "null";
	snprintf(topic, sizeof(topic), "%s/dev/%s/ack", in->app->cfg->topic_root, dev->id);
	if (ev->has_seq)
		snprintf(seq, sizeof(seq), "%lld", (long long)ev->seq);
	if (alert_id > 0)
		snprintf(alert, sizeof(alert), "\"%lld\"", (long long)alert_id);
	snprintf(payload, sizeof(payload), "{\"seq\":%s,\"event_id\":\"%lld\",\"alert_id\":%s}", seq,
	         (long long)event_id, alert);
	outbox_add_ack(&in->ob, topic, xstrdup(payload));
	in->ack_owed = true;
}

/* Stores one decoded event of a known device and runs the rules on it. */
static void store_event(struct ingest *in, const struct ingest_msg *m, const struct device *dev_in,
                        const struct cn_event *ev_in, bool ack)
{
	struct cn_event ev = *ev_in;
	char value[CN_EVENT_OTHER_MAX + 8];
	cn_event_value_json(&ev, value, sizeof(value));
	struct db_event_new row = {
		.id = db_events_next_id(in->last_event_id, m->received_at),
		.device_key = dev_in->key,
		.type = ev.type == CN_EV_OTHER ? ev.type_name : cn_event_type_name(ev.type),
		.value_json = value,
		.has_seq = ev.has_seq,
		.seq = ev.seq,
		.has_ts = ev.has_ts,
		.ts = ev.ts_ms,
		.received_at = m->received_at,
		.battery = ev.battery,
		.raw = m->payload,
		.raw_len = m->len,
	};
	bool duplicate = false;
	int64_t event_id = 0;
	struct db_event_prior prior;
	memset(&prior, 0, sizeof(prior));
	enum cn_err rc = db_event_insert(in->db, &row, &duplicate, &event_id, &prior);
	if (rc == CN_OK && duplicate &&
	    (strcmp(prior.type, row.type) != 0 || strcmp(prior.value, value) != 0 ||
	     m->received_at - prior.received_at > SEQ_RETRY_WINDOW_MS)) {
		/* Not a retry: the device reused a sequence number (a reset
		 * counter). Never drop it: store it without the seq. */
		log_warn("ingest", "device %s reused seq %lld for a different event; stored as new",
		         dev_in->id, (long long)ev.seq);
		row.has_seq = false;
		row.id = db_events_next_id(row.id, m->received_at);
		duplicate = false;
		rc = db_event_insert(in->db, &row, &duplicate, &event_id, &prior);
	}
	if (rc != CN_OK) {
		log_error("ingest", "cannot store an event of %s: %s", dev_in->id, cn_strerror(rc));
		return;
	}
	if (!duplicate)
		in->last_event_id = row.id;
	struct device dev;
	heard(in, dev_in, m->received_at, ev.battery, false, &dev);
	if (duplicate) {
		/* The device did not get our ack: same event, same answer. */
		atomic_fetch_add(&in->app->metrics->events_duplicate, 1);
		if (ack)
			send_ack(in, &dev, &ev, prior.event_id, prior.alert_id);
		return;
	}
	atomic_fetch_add(&in->app->metrics->events_ingested, 1);
	int64_t alert_id = 0;
	if (dev.resident_id[0] || cn_event_is_alarm_class(ev.type)) {
		struct rule_resident res;
		memset(&res, 0, sizeof(res));
		res.presence = PRESENCE_HOME;
		bool enrolled = true;
		bool need_resident = dev.resident_id[0] && (ev.type == CN_EV_DOOR || ev.type == CN_EV_CHECKIN);
		if (need_resident &&
		    db_resident_rule_state(in->db, dev.resident_id, &res, &enrolled) != CN_OK)
			res.presence = PRESENCE_HOME;
		struct rule_device rdev = {dev.kind, dev.exit_door};
		struct rule_settings set = rule_settings(in);
		struct rule_decision d[RULES_MAX_DECISIONS];
		int64_t at = ev.has_ts ? ev.ts_ms : m->received_at;
		size_t n = rules_for_event(&ev, &rdev, &res, &set, clock_local_minute(m->received_at), d);
		apply_decisions(in, &dev, d, n, at, &alert_id);
		if (alert_id > 0)
			db_event_set_alert(in->db, event_id, alert_id);
	}
	if (ack)
		send_ack(in, &dev, &ev, event_id, alert_id);
}

static void handle_status(struct ingest *in, const struct ingest_msg *m, const struct device *dev_in,
                          bool online)
{
	if (online) {
		struct device dev;
		heard(in, dev_in, m->received_at, -1, false, &dev);
		return;
	}
	struct device before, after;
	devices_update_live(in->app->devices, dev_in->key, 0, -1, DEV_OFFLINE, &before, &after);
	if (before.status != DEV_OFFLINE) {
		struct rule_decision d[RULES_MAX_DECISIONS];
		size_t n = rules_for_device_status(false, d);
		snprintf(d[0].detail, sizeof(d[0].detail), "device reported offline");
		apply_decisions(in, &after, d, n, m->received_at, NULL);
	}
}

static void handle(struct ingest *in, const struct ingest_msg *m)
{
	struct cn_topic t;
	enum cn_reject rj = cn_topic_parse(m->topic, strlen(m->topic), &in->tcfg, &t);
	if (rj != CN_REJECT_NONE) {
		reject(in, m, m->topic, rj);
		return;
	}
	if (t.kind == CN_TOPIC_IGNORED)
		return;
	bool z2m = t.kind == CN_TOPIC_Z2M_STATE || t.kind == CN_TOPIC_Z2M_AVAILABILITY;
	struct device dev;
	if (!devices_find(in->app->devices, t.name, z2m, &dev)) {
		reject(in, m, t.name, CN_REJECT_UNKNOWN_DEVICE);
		return;
	}
	switch (t.kind) {
	case CN_TOPIC_DEV_EVENT: {
		struct cn_event ev;
		rj = cn_payload_decode_native_event(m->payload, m->len, &in->lim, &ev);
		if (rj != CN_REJECT_NONE) {
			reject(in, m, t.name, rj);
			return;
		}
		if (ev.ts_ignored)
			log_warn("ingest", "device %s sent an alarm with an unusable time; stored with the "
			                   "receive time", dev.id);
		store_event(in, m, &dev, &ev, cn_event_is_alarm_class(ev.type));
		break;
	}
	case CN_TOPIC_DEV_STATUS:
	case CN_TOPIC_Z2M_AVAILABILITY: {
		bool online = false;
		if (m->len == 0)
			return; /* someone cleared the retained status: nothing said */
		rj = cn_payload_decode_status(m->payload, m->len, &in->lim, &online);
		if (rj != CN_REJECT_NONE) {
			reject(in, m, t.name, rj);
			return;
		}
		handle_status(in, m, &dev, online);
		break;
	}
	case CN_TOPIC_DEV_HEARTBEAT: {
		int battery = -1;
		rj = cn_payload_decode_heartbeat(m->payload, m->len, &in->lim, &battery);
		if (rj != CN_REJECT_NONE) {
			reject(in, m, t.name, rj);
			return;
		}
		struct device after;
		heard(in, &dev, m->received_at, battery, false, &after);
		break;
	}
	case CN_TOPIC_Z2M_STATE: {
		struct cn_z2m_state zs;
		rj = cn_payload_decode_z2m_state(m->payload, m->len, &in->lim, &zs);
		if (rj != CN_REJECT_NONE) {
			reject(in, m, t.name, rj);
			return;
		}
		for (size_t i = 0; i < zs.n_events; i++) {
			if (zs.events[i].battery < 0)
				zs.events[i].battery = zs.battery;
			/* Acked like native alarms: a Zigbee button cannot listen,
			 * but a hub or a dashboard watching the ack topic can. */
			store_event(in, m, &dev, &zs.events[i], cn_event_is_alarm_class(zs.events[i].type));
		}
		struct device after;
		heard(in, &dev, m->received_at, zs.n_events ? -1 : zs.battery, zs.battery_low, &after);
		break;
	}
	case CN_TOPIC_IGNORED:
		break;
	}
}

/* ---- periodic work: supervision, live-state write-back, retention ---- */

static void periodic(struct ingest *in, int64_t now)
{
	struct app *app = in->app;
	bool connected = atomic_load(&app->metrics->mqtt_connected) != 0;
	if (connected && !in->was_connected)
		in->listening_since = now;
	in->was_connected = connected;

	if (connected) {
		struct device silent[64];
		size_t n = devices_sweep_silent(app->devices, now, app->cfg->offline_after,
		                                in->listening_since, silent, 64);
		for (size_t i = 0; i < n; i++) {
			struct rule_decision d[RULES_MAX_DECISIONS];
			size_t nd = rules_for_device_status(false, d);
			snprintf(d[0].detail, sizeof(d[0].detail), "no message for %ld heartbeats (%d s each)",
			         app->cfg->offline_after, silent[i].heartbeat_s);
			log_info("ingest", "device %s is offline: silent since %lld", silent[i].id,
			         (long long)silent[i].last_seen);
			apply_decisions(in, &silent[i], d, nd, now, NULL);
		}
	}
	struct device dirty[256];
	size_t n = devices_take_dirty(app->devices, now, false, dirty, 256);
	for (size_t i = 0; i < n; i++)
		db_devices_store_live(in->db, &dirty[i]);

	if (now >= in->next_prune) {
		in->next_prune = now + PRUNE_EVERY_MS;
		int64_t before = now - (int64_t)app->cfg->event_retention_days * 86400 * 1000;
		int deleted = 0;
		if (db_events_prune(in->db, before, 20000, &deleted) == CN_OK && deleted > 0) {
			log_info("ingest", "pruned %d events older than %ld days", deleted,
			         app->cfg->event_retention_days);
			if (deleted == 20000)
				in->next_prune = now + 1000; /* more to do: soon, in small steps */
		}
	}
}

/* ---- the thread ---- */

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Runs one transaction over the start of `batch` and sets *done to how
 * many messages it took; returns false when it must be tried again
 * (storage full). Group commit keeps throughput, but an alarm never waits
 * behind a long batch: the batch ends right after a message that owes an
 * ack, and after BATCH_BUDGET_MS of work in any case. */
/* Durability. Batches commit with synchronous=NORMAL: committed (and so
 * safe from a crash of carenetd) at once, synced to disk at the next
 * checkpoint, within a second. A batch that owes an alarm ack then
 * publishes its pages, and only after a small FULL commit has synced the
 * WAL (and everything before it) does the ack go out: "acknowledged"
 * always means "on disk", while the carer's page does not wait for the
 * fsync. A power cut inside that millisecond can leave a page whose rows
 * are lost; the device, never acknowledged, repeats the alarm and it is
 * raised again. Bulk ingest stops paying an fsync every few milliseconds. */
static enum cn_err set_durable(struct ingest *in, bool full)
{
	if (in->sync_full == full)
		return CN_OK;
	enum cn_err rc = db_set_synchronous(in->db, full);
	if (rc == CN_OK)
		in->sync_full = full;
	return rc;
}

static enum cn_err sync_now(struct ingest *in)
{
	enum cn_err rc = set_durable(in, true);
	if (rc == CN_OK)
		rc = db_begin(in->db);
	if (rc == CN_OK)
		rc = db_rewrite_schema_version(in->db);
	if (rc == CN_OK)
		rc = db_commit(in->db);
	return rc;
}

static bool run_batch(struct ingest *in, struct ingest_msg **batch, size_t n, bool do_periodic,
                      bool durable, size_t *done)
{
	int64_t now = clock_now_ms();
	/* While storage is full, every round writes a probe (the schema
	 * version, rewritten as it is) so that a commit proves space is back;
	 * an empty commit would prove nothing. */
	bool probe = atomic_load(&in->app->store_state) == STORE_FULL;
	enum cn_err rc = set_durable(in, durable || probe);
	if (rc == CN_OK)
		rc = db_begin(in->db);
	if (rc == CN_OK && probe)
		rc = db_rewrite_schema_version(in->db);
	if (rc == CN_OK)
		outbox_mark_sent(&in->ob, in->db, now);
	int64_t started = clock_mono_ms();
	size_t i = 0;
	in->ack_owed = false;
	while (rc == CN_OK && i < n) {
		handle(in, batch[i++]);
		/* A full disk or an I/O error can end the transaction under us
		 * (SQLite rolls back by itself): then the batch as a whole is
		 * retried rather than half of it landing statement by statement. */
		if (sqlite3_get_autocommit(db_handle(in->db)))
			rc = CN_ERR_FULL;
		if (in->ack_owed || atomic_load(&in->urgent_waiting) > 0 ||
		    ((i & 31) == 0 && clock_mono_ms() - started >= BATCH_BUDGET_MS))
			break;
	}
	if (rc == CN_OK && do_periodic) {
		periodic(in, now);
		if (sqlite3_get_autocommit(db_handle(in->db)))
			rc = CN_ERR_FULL;
	}
	if (rc == CN_OK)
		rc = db_commit(in->db);
	if (rc == CN_OK && in->ack_owed) {
		outbox_publish_early(&in->ob, in->app);
		if (!in->sync_full)
			rc = sync_now(in);
		if (rc == CN_OK)
			rc = set_durable(in, false);
	}
	if (rc != CN_OK || n > 0 || probe)
		app_note_store_result(in->app, rc);
	if (rc != CN_OK) {
		db_rollback(in->db);
		outbox_clear(&in->ob);
		log_error("ingest", "cannot commit %zu message(s): %s; holding them and retrying", n,
		          cn_strerror(rc));
		return false;
	}
	atomic_fetch_add(&in->app->metrics->ingest_batches, 1);
	outbox_flush(&in->ob, in->app, NULL);
	*done = i;
	return true;
}

/* Runs `batch[0..n)` in as many transactions as it takes; false when
 * storage failed and we are stopping (what is left is dropped: devices
 * repeat unacknowledged alarms after the restart). */
static bool run_all(struct ingest *in, struct ingest_msg **batch, size_t n, bool do_periodic,
                    bool durable, struct ingest_msg **urgent_buf);

/* Takes every waiting alarm off the fast lane into `buf`. */
static size_t take_urgent(struct ingest *in, struct ingest_msg **buf)
{
	size_t n = 0;
	pthread_mutex_lock(&in->lock);
	while (in->urgent.count > 0)
		buf[n++] = lane_pop(&in->urgent);
	atomic_store(&in->urgent_waiting, 0);
	pthread_mutex_unlock(&in->lock);
	return n;
}

static bool run_all(struct ingest *in, struct ingest_msg **batch, size_t n, bool do_periodic,
                    bool durable, struct ingest_msg **urgent_buf)
{
	/* A full disk must not lose what we hold: retry until it commits (the
	 * broker holds the rest meanwhile), or give up at shutdown. */
	size_t off = 0;
	while (off < n || do_periodic) {
		if (urgent_buf && atomic_load(&in->urgent_waiting) > 0) {
			/* Alarms that arrived meanwhile go before the rest of this
			 * batch. */
			size_t nu = take_urgent(in, urgent_buf);
			bool ok = run_all(in, urgent_buf, nu, false, false, NULL);
			for (size_t i = 0; i < nu; i++)
				free(urgent_buf[i]);
			if (!ok)
				return false;
		}
		size_t done = 0;
		bool ok;
		while (!(ok = run_batch(in, batch + off, n - off, do_periodic, durable, &done))) {
			if (in->stop)
				return false;
			sleep_ms(1000);
		}
		off += done;
		do_periodic = false;
	}
	return true;
}

static void *ingest_main(void *arg)
{
	struct ingest *in = arg;
	struct ingest_msg **batch = xcalloc(INGEST_BATCH_MAX, sizeof(*batch));
	struct ingest_msg **urgent = xcalloc(INGEST_URGENT_MAX, sizeof(*urgent));
	for (;;) {
		pthread_mutex_lock(&in->lock);
		int64_t now = clock_now_ms();
		if (in->normal.count == 0 && in->urgent.count == 0 && !in->stop && now < in->next_sweep) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			int64_t wait = in->next_sweep - now;
			until.tv_sec += (time_t)(wait / 1000);
			until.tv_nsec += (long)(wait % 1000) * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&in->not_empty, &in->lock, &until);
		}
		size_t nu = 0, n = 0;
		while (in->urgent.count > 0)
			urgent[nu++] = lane_pop(&in->urgent);
		atomic_store(&in->urgent_waiting, 0);
		while (in->normal.count > 0 && n < INGEST_BATCH_MAX)
			batch[n++] = lane_pop(&in->normal);
		bool stopping = in->stop && in->normal.count == 0 && in->urgent.count == 0;
		atomic_store(&in->app->metrics->ingest_queue_depth, (int)in->normal.count);
		pthread_cond_broadcast(&in->not_full);
		pthread_mutex_unlock(&in->lock);

		now = clock_now_ms();
		bool do_periodic = now >= in->next_sweep;
		if (do_periodic)
			in->next_sweep = now + SWEEP_MS;
		bool ok = run_all(in, urgent, nu, false, false, NULL);
		for (size_t i = 0; i < nu; i++)
			free(urgent[i]);
		if (ok)
			run_all(in, batch, n, do_periodic, false, urgent);
		for (size_t i = 0; i < n; i++)
			free(batch[i]);
		if (stopping)
			break;
	}
	/* Write every device's live state back before we go. */
	struct device dirty[256];
	size_t n;
	set_durable(in, true); /* the last commit before exit is synced */
	db_begin(in->db);
	outbox_mark_sent(&in->ob, in->db, clock_now_ms());
	while ((n = devices_take_dirty(in->app->devices, clock_now_ms(), true, dirty, 256)) > 0)
		for (size_t i = 0; i < n; i++)
			db_devices_store_live(in->db, &dirty[i]);
	db_commit(in->db);
	free(batch);
	free(urgent);
	return NULL;
}

enum cn_err ingest_start(struct app *app, struct ingest **out, char *err, size_t err_size)
{
	struct ingest *in = xcalloc(1, sizeof(*in));
	in->app = app;
	*out = NULL;
	enum cn_err rc = db_open(app->cfg->db_path, &in->db, err, err_size);
	if (rc != CN_OK) {
		free(in);
		return rc;
	}
	/* The alarm path never pays for a checkpoint: the scheduler thread
	 * runs them (PASSIVE, not blocking us) every second. */
	db_autocheckpoint(in->db, 0);
	if (db_set_synchronous(in->db, false) != CN_OK) {
		snprintf(err, err_size, "ingest: cannot set the database's sync mode");
		db_close(in->db);
		free(in);
		return CN_ERR_DB;
	}
	if (db_events_max_id(in->db, &in->last_event_id) != CN_OK) {
		snprintf(err, err_size, "ingest: cannot read the event table");
		db_close(in->db);
		free(in);
		return CN_ERR_DB;
	}
	in->normal.cap = INGEST_QUEUE_MAX;
	in->normal.ring = xcalloc(in->normal.cap, sizeof(*in->normal.ring));
	in->urgent.cap = INGEST_URGENT_MAX;
	in->urgent.ring = xcalloc(in->urgent.cap, sizeof(*in->urgent.ring));
	pthread_mutex_init(&in->lock, NULL);
	pthread_cond_init(&in->not_empty, NULL);
	pthread_cond_init(&in->not_full, NULL);
	in->tcfg.root = app->cfg->topic_root;
	in->z2m_bases = xstrdup(app->cfg->z2m_base);
	for (char *p = in->z2m_bases; p && *p && in->tcfg.z2m_base_count < CN_Z2M_BASES_MAX;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		in->tcfg.z2m_bases[in->tcfg.z2m_base_count++] = p;
		p = comma ? comma + 1 : NULL;
	}
	in->lim.max_bytes = (size_t)app->cfg->mqtt_max_payload;
	outbox_init(&in->ob);
	in->listening_since = clock_now_ms();
	in->next_sweep = in->listening_since + SWEEP_MS;
	in->next_prune = in->listening_since + 60000;
	if (pthread_create(&in->thread, NULL, ingest_main, in) != 0) {
		snprintf(err, err_size, "ingest: cannot start the thread");
		db_close(in->db);
		free(in->z2m_bases);
		free(in);
		return CN_ERR_IO;
	}
	*out = in;
	return CN_OK;
}

void ingest_stop(struct ingest *in)
{
	if (!in)
		return;
	pthread_mutex_lock(&in->lock);
	in->stop = true;
	pthread_cond_broadcast(&in->not_empty);
	pthread_cond_broadcast(&in->not_full);
	pthread_mutex_unlock(&in->lock);
	pthread_join(in->thread, NULL);
	/* Anything left (only when storage failed at shutdown) is freed: the
	 * devices repeat unacknowledged alarms after the restart. */
	while (in->normal.count > 0)
		free(lane_pop(&in->normal));
	while (in->urgent.count > 0)
		free(lane_pop(&in->urgent));
	free(in->normal.ring);
	free(in->urgent.ring);
	outbox_free(&in->ob);
	db_close(in->db);
	pthread_mutex_destroy(&in->lock);
	pthread_cond_destroy(&in->not_empty);
	pthread_cond_destroy(&in->not_full);
	free(in->z2m_bases);
	free(in);
}
