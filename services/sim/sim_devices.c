/* carenet-sim devices: N simulated homes, each with a motion sensor, an
 * exit door, a bed sensor, an SOS pendant, a water-leak and a smoke
 * detector, ids "{prefix}-{home}-{motion|door|bed|sos|leak|smoke}".
 *
 * One MQTT client per home, like the home hub (a social-alarm unit or a
 * Zigbee coordinator) that real devices talk through. A client has one last
 * will, so the will goes on the pendant's status (native) or availability
 * (z2m): losing the hub silently is worst for the alarm path, and the
 * service should hear of it at once. The other devices are caught by their
 * missed heartbeats (3 x heartbeat_s). At a normal end every device says
 * `offline` itself (--exit offline), or nothing (--exit quiet), or the
 * connections just drop so that the broker sends the wills (--exit abrupt).
 *
 * Pendants repeat an unacknowledged press with the same seq every --repeat
 * seconds until {root}/dev/{id}/ack carries that seq. A Zigbee button
 * cannot repeat or read acks, so in z2m format a press goes out once, any
 * ack on the pendant's ack topic is counted as its receipt, and unacked
 * presses neither delay the end nor fail the run. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <mosquitto.h>

#include "payload.h"
#include "sim_cmds.h"
#include "sim_common.h"
#include "sim_devices_internal.h"
#include "sim_net.h"
#include "topic.h"
#include "xalloc.h"

#define NEVER        INT64_MAX
#define BED_CHECK_MS 60000
#define DAY_FROM_H   7 /* local day 07:00-22:00, as the care model's window */
#define DAY_TO_H     22

static const struct {
	const char *suffix;   /* in the device id */
	const char *enrolled; /* the service's device kind */
} kinds[K_COUNT] = {
	{"motion", "motion"},  {"door", "door"},       {"bed", "bed"},
	{"sos", "sos_button"}, {"leak", "water_leak"}, {"smoke", "smoke"},
};

static bool local_day(int64_t wall_ms, int shift_min, int *minute)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	int m = (tm.tm_hour * 60 + tm.tm_min - shift_min + 1440) % 1440;
	if (minute)
		*minute = m;
	return m >= DAY_FROM_H * 60 && m < DAY_TO_H * 60;
}

static void publish(struct home *h, const char *topic, const char *payload, bool retain)
{
	struct devsim *s = h->sim;
	int e = sim_conn_publish(&h->conn, topic, payload, 1, retain, NULL);
	if (e == MOSQ_ERR_SUCCESS)
		s->sent++;
	else
		s->errors++;
}

/* One state report: native {"type","value"} on the event topic, or a z2m
 * state message with `z2m_field: z2m_value`. Values are JSON text. */
static void report(struct home *h, enum kind k, const char *type, const char *value,
                   const char *z2m_field, const char *z2m_value)
{
	struct device *d = &h->dev[k];
	char topic[SIM_TOPIC_MAX], payload[SIM_PAYLOAD_MAX], ts[32];
	d->linkquality += (int)(sim_rng_next(&h->sim->rng) % 11) - 5;
	d->linkquality = d->linkquality < 20 ? 20 : d->linkquality > 255 ? 255 : d->linkquality;
	if (h->sim->z2m) {
		sim_topic_z2m(topic, sizeof(topic), h->sim->common->z2m_base, d->id, NULL);
		snprintf(payload, sizeof(payload), "{\"%s\":%s,\"battery\":%d,\"linkquality\":%d}",
		         z2m_field, z2m_value, d->battery, d->linkquality);
	} else {
		cn_time_format_rfc3339(sim_now_ms(), ts);
		sim_topic_dev(topic, sizeof(topic), h->sim->common->root, d->id, "event");
		snprintf(payload, sizeof(payload),
		         "{\"type\":\"%s\",\"value\":%s,\"ts\":\"%s\",\"battery\":%d}", type, value,
		         ts, d->battery);
	}
	publish(h, topic, payload, false);
}

static void heartbeat(struct home *h, struct device *d)
{
	char topic[SIM_TOPIC_MAX], payload[SIM_PAYLOAD_MAX];
	if (h->sim->z2m) {
		/* Zigbee2MQTT has no heartbeat: devices report battery and link
		 * quality now and then, which is their sign of life. */
		sim_topic_z2m(topic, sizeof(topic), h->sim->common->z2m_base, d->id, NULL);
		snprintf(payload, sizeof(payload), "{\"battery\":%d,\"linkquality\":%d}",
		         d->battery, d->linkquality);
	} else {
		sim_topic_dev(topic, sizeof(topic), h->sim->common->root, d->id, "heartbeat");
		snprintf(payload, sizeof(payload), "{\"battery\":%d}", d->battery);
	}
	publish(h, topic, payload, false);
}

/* The retained presence message of one device: status or availability. */
static void availability(const struct devsim *s, const struct device *d, bool online, char *topic,
                         size_t tcap, char *payload, size_t pcap)
{
	if (s->z2m) {
		sim_topic_z2m(topic, tcap, s->common->z2m_base, d->id, "availability");
		snprintf(payload, pcap, "{\"state\":\"%s\"}", online ? "online" : "offline");
	} else {
		sim_topic_dev(topic, tcap, s->common->root, d->id, "status");
		snprintf(payload, pcap, "%s", online ? "online" : "offline");
	}
}

void devsim_announce_all(struct home *h, bool online)
{
	char topic[SIM_TOPIC_MAX], payload[64];
	for (int k = 0; k < K_COUNT; k++) {
		availability(h->sim, &h->dev[k], online, topic, sizeof(topic), payload,
		             sizeof(payload));
		publish(h, topic, payload, true);
	}
}

static void on_connect(struct sim_conn *c)
{
	struct home *h = c->ud;
	h->subscribed = false;
	if (sim_conn_subscribe(c, h->ack_topic, &h->sub_mid) != MOSQ_ERR_SUCCESS)
		sim_error(CMD, "cannot subscribe to %s", h->ack_topic);
	/* On every connect: after an unclean drop the will said offline. */
	devsim_announce_all(h, true);
	if (h->announced)
		return;
	h->announced = true;
	/* First words: the current state of the stateful devices. */
	bool in_bed = !local_day(sim_now_ms(), h->bed_shift_min, NULL);
	h->dev[K_BED].state = in_bed;
	report(h, K_BED, "bed", in_bed ? "true" : "false", "occupancy", in_bed ? "true" : "false");
	report(h, K_LEAK, "water_leak", "false", "water_leak", "false");
	report(h, K_SMOKE, "smoke", "false", "smoke", "false");
}

static void on_subscribe(struct sim_conn *c, int mid)
{
	struct home *h = c->ud;
	if (mid == h->sub_mid)
		h->subscribed = true;
}

static void on_publish(struct sim_conn *c, int mid)
{
	(void)mid;
	struct home *h = c->ud;
	h->sim->done++;
}

static void on_message(struct sim_conn *c, const struct mosquitto_message *m)
{
	struct home *h = c->ud;
	struct devsim *s = h->sim;
	struct sim_ack a;
	if (strcmp(m->topic, h->ack_topic) != 0 || !sim_ack_parse(m->payload, m->payloadlen, &a))
		return;
	bool ours = h->pending && (s->z2m || (a.has_seq && a.seq == h->seq));
	if (!ours) {
		s->stale_acks++;
		return;
	}
	double ms = (sim_mono_s() - h->press_s) * 1000.0;
	h->pending = false;
	s->acked++;
	sim_samples_add(&s->lat, ms);
	sim_note(s->common, CMD, "%s: seq %lld acked after %.1f ms (event %s, alert %s)",
	         h->dev[K_SOS].id, (long long)h->seq, ms, a.event_id[0] ? a.event_id : "-",
	         a.alert_id[0] ? a.alert_id : "-");
}

static void press_publish(struct home *h)
{
	char topic[SIM_TOPIC_MAX], payload[SIM_PAYLOAD_MAX], ts[32];
	const struct device *d = &h->dev[K_SOS];
	if (h->sim->z2m) {
		sim_topic_z2m(topic, sizeof(topic), h->sim->common->z2m_base, d->id, NULL);
		snprintf(payload, sizeof(payload),
		         "{\"action\":\"emergency\",\"battery\":%d,\"linkquality\":%d}", d->battery,
		         d->linkquality);
	} else {
		/* A repeat is the same event: same seq, same device time. */
		cn_time_format_rfc3339(h->press_wall_ms, ts);
		sim_topic_dev(topic, sizeof(topic), h->sim->common->root, d->id, "event");
		snprintf(payload, sizeof(payload),
		         "{\"type\":\"button\",\"value\":\"press\",\"seq\":%lld,\"ts\":\"%s\","
		         "\"battery\":%d}",
		         (long long)h->seq, ts, d->battery);
	}
	publish(h, topic, payload, false);
}

static int64_t ms_from_s(double s) { return (int64_t)(s * 1000.0); }

static int64_t earliest(int64_t a, int64_t b) { return a < b ? a : b; }

/* Advances one home to `now` (monotonic ms); returns when it next has
 * something to do. `ending`: no new presses or activity, only repeats. */
static int64_t tick(struct home *h, int64_t now, bool ending)
{
	struct devsim *s = h->sim;
	struct sim_rng *rng = &s->rng;
	int64_t next = NEVER, wall = sim_now_ms();
	if (!h->conn.connected || !h->subscribed)
		return now + 100;
	if (h->pending && !s->z2m && now >= h->next_repeat_ms) {
		press_publish(h);
		s->repeats++;
		h->next_repeat_ms = now + ms_from_s(s->repeat_s);
	}
	if (h->pending && !s->z2m)
		next = earliest(next, h->next_repeat_ms);
	if (ending)
		return next;

	if (s->sos_every > 0 && now >= h->next_press_ms) {
		h->next_press_ms = now + ms_from_s(s->sos_every);
		if (h->pending && !s->z2m) {
			s->skipped_presses++; /* still repeating the last one */
		} else {
			/* A Zigbee button presses again whatever became of the last one. */
			h->pending = true;
			h->press_wall_ms = wall;
			/* Epoch ms, kept increasing: unique for this pendant across runs. */
			h->seq = wall > h->seq ? wall : h->seq + 1;
			h->press_s = sim_mono_s();
			h->next_repeat_ms = now + ms_from_s(s->repeat_s);
			s->presses++;
			press_publish(h);
		}
	}
	if (s->sos_every > 0)
		next = earliest(next, h->next_press_ms);

	for (int k = 0; k < K_COUNT; k++) {
		struct device *d = &h->dev[k];
		if (now >= d->next_hb_ms) {
			heartbeat(h, d);
			d->next_hb_ms = now + ms_from_s(s->heartbeat_s);
		}
		next = earliest(next, d->next_hb_ms);
	}

	bool day = local_day(wall, h->bed_shift_min, NULL);
	struct device *m = &h->dev[K_MOTION], *door = &h->dev[K_DOOR], *bed = &h->dev[K_BED];
	if (m->revert_ms && now >= m->revert_ms) {
		m->state = false;
		m->revert_ms = 0;
		report(h, K_MOTION, "motion", "false", "occupancy", "false");
	}
	if (now >= m->next_ev_ms) {
		/* Fewer at night: a trip to the bathroom, not a day's routine. */
		double rate = day ? s->motion_ph : s->motion_ph / 10.0;
		m->next_ev_ms = rate > 0 ? now + ms_from_s(sim_rng_exp(rng, 3600.0 / rate)) : NEVER;
		if (!m->state)
			report(h, K_MOTION, "motion", "true", "occupancy", "true");
		m->state = true;
		m->revert_ms = now + 30000 + (int64_t)(sim_rng_next(rng) % 60000);
	}
	if (door->revert_ms && now >= door->revert_ms) {
		door->state = false;
		door->revert_ms = 0;
		report(h, K_DOOR, "door", "\"closed\"", "contact", "true");
	}
	if (now >= door->next_ev_ms) {
		/* Only by day: an exit door opening at night is an alert. */
		if (day && s->door_ph > 0 && !door->state) {
			report(h, K_DOOR, "door", "\"open\"", "contact", "false");
			door->state = true;
			door->revert_ms = now + 10000 + (int64_t)(sim_rng_next(rng) % 50000);
		}
		door->next_ev_ms = s->door_ph > 0
		                           ? now + ms_from_s(sim_rng_exp(rng, 3600.0 / s->door_ph))
		                           : NEVER;
	}
	if (now >= bed->next_ev_ms) {
		bed->next_ev_ms = now + BED_CHECK_MS;
		if (bed->state == day) { /* in bed by day or up at night: change */
			bed->state = !day;
			report(h, K_BED, "bed", bed->state ? "true" : "false", "occupancy",
			       bed->state ? "true" : "false");
		}
	}
	next = earliest(next, earliest(m->next_ev_ms, door->next_ev_ms));
	next = earliest(next, bed->next_ev_ms);
	if (m->revert_ms)
		next = earliest(next, m->revert_ms);
	if (door->revert_ms)
		next = earliest(next, door->revert_ms);
	return next;
}

bool devsim_home_init(struct devsim *s, struct home *h, int no)
{
	struct sim_rng *rng = &s->rng;
	int64_t now = sim_mono_ms();
	h->sim = s;
	h->no = no;
	h->bed_shift_min = (int)(sim_rng_next(rng) % 61) - 30;
	for (int k = 0; k < K_COUNT; k++) {
		struct device *d = &h->dev[k];
		int n = snprintf(d->id, sizeof(d->id), "%s-%d-%s", s->prefix, no, kinds[k].suffix);
		if (n <= 0 || (size_t)n >= sizeof(d->id) || !cn_device_id_valid(d->id)) {
			sim_error(CMD, "--prefix: '%s-%d-%s' is not a valid device id", s->prefix,
			          no, kinds[k].suffix);
			return false;
		}
		d->battery = 55 + (int)(sim_rng_next(rng) % 46);
		d->linkquality = 60 + (int)(sim_rng_next(rng) % 141);
		/* Spread heartbeats over the period, as real devices drift. */
		d->next_hb_ms = now + (int64_t)(sim_rng_unit(rng) * s->heartbeat_s * 1000.0);
		d->next_ev_ms = NEVER;
	}
	if (s->motion_ph > 0)
		h->dev[K_MOTION].next_ev_ms =
			now + ms_from_s(sim_rng_exp(rng, 3600.0 / s->motion_ph));
	if (s->door_ph > 0)
		h->dev[K_DOOR].next_ev_ms = now + ms_from_s(sim_rng_exp(rng, 3600.0 / s->door_ph));
	h->dev[K_BED].next_ev_ms = now + BED_CHECK_MS;
	/* First presses spread over one period so homes do not press at once. */
	h->next_press_ms = s->sos_every > 0
	                           ? now + (int64_t)(sim_rng_unit(rng) * s->sos_every * 1000.0)
	                           : NEVER;
	sim_topic_dev(h->ack_topic, sizeof(h->ack_topic), s->common->root, h->dev[K_SOS].id, "ack");
	return true;
}

bool devsim_home_connect(struct devsim *s, struct home *h)
{
	char cid[96], topic[SIM_TOPIC_MAX], payload[64];
	snprintf(cid, sizeof(cid), "%s-%d-hub", s->prefix, h->no);
	if (!sim_conn_init(&h->conn, s->common, cid, 20, h))
		return false;
	h->conn.on_connect = on_connect;
	h->conn.on_subscribe = on_subscribe;
	h->conn.on_publish = on_publish;
	h->conn.on_message = on_message;
	availability(s, &h->dev[K_SOS], false, topic, sizeof(topic), payload, sizeof(payload));
	if (!sim_conn_will(&h->conn, topic, payload, true))
		return false;
	sim_net_add(&s->net, &h->conn);
	return sim_conn_start(&h->conn);
}

json_t *devsim_device_list(const struct devsim *s)
{
	json_t *list = json_array();
	for (long i = 0; i < s->homes_n; i++)
		for (int k = 0; k < K_COUNT; k++) {
			const char *id = s->homes[i].dev[k].id;
			json_array_append_new(
				list,
				json_pack("{s:s, s:s, s:s, s:o, s:b, s:i}", "id", id, "kind",
			                  kinds[k].enrolled, "protocol", s->z2m ? "z2m" : "native",
			                  "z2m_name", s->z2m ? json_string(id) : json_null(),
			                  "exit_door", k == K_DOOR, "home", (int)(i + 1)));
		}
	return list;
}

static void progress(const struct devsim *s, double t)
{
	long up = 0, pending = 0;
	for (long i = 0; i < s->homes_n; i++) {
		up += s->homes[i].conn.connected;
		pending += s->homes[i].pending;
	}
	sim_note(s->common, CMD,
	         "%.1f s: %ld/%ld homes connected, published %lu, presses %lu, "
	         "acked %lu, pending %ld, repeats %lu",
	         t, up, s->homes_n, s->sent, s->presses, s->acked, pending, s->repeats);
}

/* Runs every home until `until` (monotonic s); with `ending`, only until
 * no press is pending. */
void devsim_run(struct devsim *s, double until, bool ending, double start, double *next_progress)
{
	while (!sim_stopping()) {
		double now_s = sim_mono_s();
		if (now_s >= until)
			return;
		if (now_s >= *next_progress) {
			progress(s, now_s - start);
			*next_progress += s->common->progress_s;
		}
		int64_t now = sim_mono_ms(), next = now + 100;
		long pending = 0;
		for (long i = 0; i < s->homes_n; i++) {
			next = earliest(next, tick(&s->homes[i], now, ending));
			pending += s->homes[i].pending;
		}
		if (ending && pending == 0)
			return;
		int64_t wait = next - sim_mono_ms();
		sim_net_run(&s->net, wait <= 0 ? 0 : wait > 100 ? 100 : (int)wait);
	}
}
