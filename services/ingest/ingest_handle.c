/* What one incoming MQTT message does: topic and payload decoded, the
 * device looked up, the event stored once (a repeated seq is acknowledged
 * again), the device's live state and the rules applied, acks queued; bad
 * input quarantined. Plus the once-a-second supervision of silent devices.
 * Everything runs inside the batch transaction of ingest.c. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
#include "encode.h"
#include "ingest_internal.h"
#include "log.h"
#include "metrics.h"
#include "rules.h"
#include "windows.h"
#include "xalloc.h"

/* ---- rejects ---- */

static unsigned hash_name(const char *s)
{
	unsigned h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* True when one more reject line may be logged at `now`: at most
 * REJECT_LOG_MAX a minute. The first line of a new minute tells how many
 * were left out in the last one. */
static bool reject_log_take(struct ingest *in, int64_t now)
{
	if (now - in->reject_log_window >= 60000) {
		if (in->reject_log_suppressed)
			log_warn("ingest", "%llu more rejected messages were counted, not logged",
			         (unsigned long long)in->reject_log_suppressed);
		in->reject_log_window = now;
		in->reject_log_lines = 0;
		in->reject_log_suppressed = 0;
	}
	if (in->reject_log_lines >= REJECT_LOG_MAX) {
		in->reject_log_suppressed++;
		return false;
	}
	in->reject_log_lines++;
	return true;
}

/* Counts a rejected message, quarantines it when `store`, and logs it
 * within the per-device and global log budgets. */
static void reject_as(struct ingest *in, const struct ingest_msg *m, const char *who,
                      enum cn_reject reason, bool store)
{
	atomic_fetch_add(&in->app->metrics->events_rejected[reason], 1);
	if (store) {
		size_t cap = (size_t)in->app->cfg->mqtt_max_payload;
		enum cn_err rc = db_quarantine_insert(in->db, m->topic, m->payload,
		                                      m->len > cap ? cap : m->len,
		                                      cn_reject_name(reason), m->received_at);
		if (rc != CN_OK)
			log_warn("ingest", "cannot quarantine a message: %s", cn_strerror(rc));
	}
	unsigned h = hash_name(who);
	unsigned slot = h % LOG_SLOTS;
	if (in->logged[slot].hash == h && m->received_at - in->logged[slot].at < 60000)
		return;
	in->logged[slot].hash = h;
	in->logged[slot].at = m->received_at;
	if (!reject_log_take(in, m->received_at))
		return;
	log_warn("ingest", "quarantined a message on %.120s: %s (further ones from %.64s are "
	                   "counted, not logged, for a minute)",
	         m->topic, cn_reject_name(reason), who);
}

static void reject(struct ingest *in, const struct ingest_msg *m, const char *who,
                   enum cn_reject reason)
{
	reject_as(in, m, who, reason, true);
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
	char status[16] = "enrolled";
	/* A discharged resident's devices raise nothing and page nobody,
	 * however the resident was discharged; a paused resident keeps the
	 * alarms (SOS, fall, smoke, gas, CO, leak) and the technical ones,
	 * not the time and window rules (care-model, proto/openapi.yaml). */
	if (n > 0 && dev->resident_id[0] &&
	    db_resident_status(in->db, dev->resident_id, status) != CN_OK)
		snprintf(status, sizeof(status), "enrolled");
	if (strcmp(status, "discharged") == 0)
		return;
	bool paused = strcmp(status, "paused") == 0;
	for (size_t i = 0; i < n; i++) {
		enum cn_err rc = CN_OK;
		if (paused && (d[i].kind == AK_NIGHT_EXIT || d[i].kind == AK_INACTIVITY ||
		               d[i].kind == AK_MISSED_CHECKIN))
			continue;
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
	char topic[256];
	char *payload = cn_encode_dev_ack(ev->has_seq, ev->seq, event_id, alert_id);
	if (!cn_encode_topic_dev_ack(topic, sizeof(topic), in->app->cfg->topic_root, dev->id) ||
	    !payload) {
		log_error("ingest", "device %s: cannot encode the ack", dev->id);
		free(payload);
		return;
	}
	outbox_add_ack(&in->ob, topic, payload);
	in->ack_owed = true;
}

/* Stores one decoded event of a known device and runs the rules on it. */
static void store_event(struct ingest *in, const struct ingest_msg *m, const struct device *dev_in,
                        const struct cn_event *ev_in, bool ack)
{
	struct cn_event ev = *ev_in;
	/* A device clock far ahead (9999-12-31) would stand in alerts as the
	 * latest event for ever: such a time is the receive time. */
	if (ev.has_ts && ev.ts_ms > m->received_at + DEVICE_CLOCK_AHEAD_MS)
		ev.ts_ms = m->received_at;
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
		    windows_resident_rules(in->db, dev.resident_id, &res, &enrolled) != CN_OK)
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

/* How long after a press its release is the same press (care-model:
 * one alert per press, not per phase of it). */
#define Z2M_RELEASE_PAIR_MS 30000

/* Alarm-panel semantics and call buttons for one Zigbee2MQTT state
 * message: sets keep[i] for each event that is news. An attribute whose
 * value did not change since the last message is a sign of life only; a
 * changed one is kept as the device's new state. A press phase is kept
 * and remembered; its release within Z2M_RELEASE_PAIR_MS is the same
 * press; a release with no press before it is the press. An action word
 * outside the table counts only on a device enrolled as a call button.
 * A bed pad's occupancy is a bed event. */
static void z2m_filter(struct ingest *in, const struct ingest_msg *m, struct device *dev,
                       struct cn_z2m_state *zs, bool keep[CN_Z2M_EVENTS_MAX])
{
	bool call_button = strcmp(dev->kind, "sos_button") == 0;
	bool stateful[CN_Z2M_EVENTS_MAX], changed[CN_Z2M_EVENTS_MAX];
	for (size_t i = 0; i < zs->n_events; i++)
		stateful[i] = changed[i] = false;
	for (size_t i = 0; i < zs->n_attrs; i++) {
		const struct cn_z2m_attr *a = &zs->attrs[i];
		bool found = false;
		int prior = 0;
		int64_t changed_at = 0;
		if (db_device_state_get(in->db, dev->key, a->name, &found, &prior, &changed_at) != CN_OK)
			found = false; /* unknown: treat as news, never lose an alarm */
		bool news = !found || prior != (int)a->value;
		if (news)
			db_device_state_set(in->db, dev->key, a->name, (int)a->value, m->received_at);
		if (a->event >= 0) {
			/* A fall from two keys is news when either changed. */
			stateful[a->event] = true;
			changed[a->event] = changed[a->event] || news;
		}
	}
	for (size_t i = 0; i < zs->n_events; i++) {
		keep[i] = !stateful[i] || changed[i];
		if (!keep[i])
			atomic_fetch_add(&in->app->metrics->events_ignored_unchanged, 1);
	}
	int ai = zs->action_event;
	if (ai >= 0) {
		bool found = false;
		int prior = 0;
		int64_t pressed_at = 0;
		if (!zs->action_known && !call_button) {
			keep[ai] = false;
		} else if (zs->action == CN_Z2M_ACTION_RELEASE) {
			if (db_device_state_get(in->db, dev->key, "action", &found, &prior, &pressed_at) ==
			        CN_OK &&
			    found && prior == (int)CN_VAL_PRESS &&
			    m->received_at - pressed_at <= Z2M_RELEASE_PAIR_MS)
				keep[ai] = false;
			db_device_state_set(in->db, dev->key, "action", (int)CN_VAL_NONE, m->received_at);
		} else {
			db_device_state_set(in->db, dev->key, "action", (int)CN_VAL_PRESS, m->received_at);
		}
	}
	if (strcmp(dev->kind, "bed") == 0) {
		for (size_t i = 0; i < zs->n_events; i++) {
			if (zs->events[i].type == CN_EV_MOTION) {
				zs->events[i].type = CN_EV_BED;
				snprintf(zs->events[i].type_name, sizeof(zs->events[i].type_name), "bed");
			}
		}
	}
}

void ingest_handle(struct ingest *in, const struct ingest_msg *m)
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
		/* A Zigbee network carries lamps and plugs CareNet does not
		 * care about: counted, not quarantined, not a rejection. A
		 * native device id nobody enrolled is junk: counted and dropped
		 * before any storage work. */
		if (z2m)
			atomic_fetch_add(&in->app->metrics->events_ignored_not_enrolled, 1);
		else
			reject_as(in, m, t.name, CN_REJECT_UNKNOWN_DEVICE, false);
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
		bool keep[CN_Z2M_EVENTS_MAX];
		z2m_filter(in, m, &dev, &zs, keep);
		for (size_t i = 0; i < zs.n_events; i++) {
			if (!keep[i])
				continue;
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

void ingest_periodic(struct ingest *in, int64_t now)
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

	if (now >= in->next_quarantine_prune) {
		int dropped = 0;
		/* Quarantine topics not hit for a week go, and past the row cap
		 * the oldest: bounded whatever the network sends. */
		in->next_quarantine_prune = now + QUARANTINE_PRUNE_MS;
		if (db_quarantine_prune(in->db, now - QUARANTINE_KEEP_MS, QUARANTINE_MAX_ROWS, &dropped) ==
		        CN_OK &&
		    dropped > 0)
			log_info("ingest", "pruned %d quarantine topics (a week old or past %d)", dropped,
			         QUARANTINE_MAX_ROWS);
	}
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
