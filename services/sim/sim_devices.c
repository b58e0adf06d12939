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
#include "sim_net.h"
#include "topic.h"
#include "xalloc.h"

#define CMD "devices"
#define NEVER INT64_MAX
#define BED_CHECK_MS 60000
#define DAY_FROM_H 7 /* local day 07:00-22:00, as the care model's window */
#define DAY_TO_H 22

enum kind { K_MOTION, K_DOOR, K_BED, K_SOS, K_LEAK, K_SMOKE, K_COUNT };

static const struct {
	const char *suffix;    /* in the device id */
	const char *enrolled;  /* the service's device kind */
} kinds[K_COUNT] = {
	{"motion", "motion"}, {"door", "door"},       {"bed", "bed"},
	{"sos", "sos_button"}, {"leak", "water_leak"}, {"smoke", "smoke"},
};

struct device {
	char id[SIM_ID_MAX + 1];
	int battery;
	int linkquality;
	bool state;          /* motion seen, door open, bed occupied */
	int64_t next_hb_ms;  /* monotonic */
	int64_t next_ev_ms;  /* next trigger (motion, door) or check (bed) */
	int64_t revert_ms;   /* motion clears / door closes; 0 = nothing due */
};

struct devsim;

struct home {
	struct devsim *sim;
	int no;
	struct sim_conn conn;
	struct device dev[K_COUNT];
	char ack_topic[SIM_TOPIC_MAX];
	int sub_mid;
	bool subscribed, announced;
	int bed_shift_min; /* this resident's bed time offset */
	int64_t next_press_ms;
	bool pending; /* a press waits for its ack */
	int64_t seq, press_wall_ms, next_repeat_ms;
	double press_s;
};

struct devsim {
	struct sim_common *common;
	bool z2m;
	const char *prefix;
	long homes_n;
	double sos_every, repeat_s, heartbeat_s, motion_ph, door_ph;
	struct sim_rng rng;
	struct home *homes;
	struct sim_net net;
	unsigned long sent, done, errors, presses, acked, repeats, skipped_presses, stale_acks;
	struct sim_samples lat;
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
		         "{\"type\":\"%s\",\"value\":%s,\"ts\":\"%s\",\"battery\":%d}", type, value, ts,
		         d->battery);
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
		snprintf(payload, sizeof(payload), "{\"battery\":%d,\"linkquality\":%d}", d->battery,
		         d->linkquality);
	} else {
		sim_topic_dev(topic, sizeof(topic), h->sim->common->root, d->id, "heartbeat");
		snprintf(payload, sizeof(payload), "{\"battery\":%d}", d->battery);
	}
	publish(h, topic, payload, false);
}

/* The retained presence message of one device: status or availability. */
static void availability(const struct devsim *s, const struct device *d, bool online,
                         char *topic, size_t tcap, char *payload, size_t pcap)
{
	if (s->z2m) {
		sim_topic_z2m(topic, tcap, s->common->z2m_base, d->id, "availability");
		snprintf(payload, pcap, "{\"state\":\"%s\"}", online ? "online" : "offline");
	} else {
		sim_topic_dev(topic, tcap, s->common->root, d->id, "status");
		snprintf(payload, pcap, "%s", online ? "online" : "offline");
	}
}

static void announce_all(struct home *h, bool online)
{
	char topic[SIM_TOPIC_MAX], payload[64];
	for (int k = 0; k < K_COUNT; k++) {
		availability(h->sim, &h->dev[k], online, topic, sizeof(topic), payload, sizeof(payload));
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
	announce_all(h, true);
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
		         "\"battery\":%d}", (long long)h->seq, ts, d->battery);
	}
	publish(h, topic, payload, false);
}

static int64_t ms_from_s(double s)
{
	return (int64_t)(s * 1000.0);
}

static int64_t earliest(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

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
		door->next_ev_ms = s->door_ph > 0 ? now + ms_from_s(sim_rng_exp(rng, 3600.0 / s->door_ph))
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

static bool home_init(struct devsim *s, struct home *h, int no)
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
			sim_error(CMD, "--prefix: '%s-%d-%s' is not a valid device id", s->prefix, no,
			          kinds[k].suffix);
			return false;
		}
		d->battery = 55 + (int)(sim_rng_next(rng) % 46);
		d->linkquality = 60 + (int)(sim_rng_next(rng) % 141);
		/* Spread heartbeats over the period, as real devices drift. */
		d->next_hb_ms = now + (int64_t)(sim_rng_unit(rng) * s->heartbeat_s * 1000.0);
		d->next_ev_ms = NEVER;
	}
	if (s->motion_ph > 0)
		h->dev[K_MOTION].next_ev_ms = now + ms_from_s(sim_rng_exp(rng, 3600.0 / s->motion_ph));
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

static bool home_connect(struct devsim *s, struct home *h)
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

static json_t *device_list(const struct devsim *s)
{
	json_t *list = json_array();
	for (long i = 0; i < s->homes_n; i++)
		for (int k = 0; k < K_COUNT; k++) {
			const char *id = s->homes[i].dev[k].id;
			json_array_append_new(
				list, json_pack("{s:s, s:s, s:s, s:o, s:b, s:i}", "id", id, "kind",
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
	sim_note(s->common, CMD, "%.1f s: %ld/%ld homes connected, published %lu, presses %lu, "
	         "acked %lu, pending %ld, repeats %lu", t, up, s->homes_n, s->sent, s->presses,
	         s->acked, pending, s->repeats);
}

/* Runs every home until `until` (monotonic s); with `ending`, only until
 * no press is pending. */
static void run(struct devsim *s, double until, bool ending, double start, double *next_progress)
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

int sim_devices_main(int argc, char **argv)
{
	struct sim_common common;
	sim_common_defaults(&common);
	struct devsim s;
	memset(&s, 0, sizeof(s));
	s.common = &common;
	s.prefix = "sim";
	s.homes_n = 1;
	s.repeat_s = 5;
	s.heartbeat_s = 60;
	s.motion_ph = 6;
	s.door_ph = 0.5;
	const char *format = "native", *exit_mode = "offline", *tz = NULL;
	double seconds = 60, grace = 10;
	long seed = 0;
	bool print_devices = false, dry_run = false;
	const struct sim_opt opts[] = {
		{"homes", SIM_OPT_LONG, &s.homes_n, 1, 5000, "N", "number of homes (one MQTT client each)"},
		{"format", SIM_OPT_STR, &format, 0, 0, "F", "native or z2m"},
		{"seconds", SIM_OPT_DOUBLE, &seconds, 0.1, 1209600, "S", "run time"},
		{"prefix", SIM_OPT_STR, &s.prefix, 0, 0, "P", "device ids {prefix}-{home}-{kind}"},
		{"sos-every", SIM_OPT_DOUBLE, &s.sos_every, 0, 1e7, "S",
		 "each pendant presses SOS every S seconds (0: never)"},
		{"repeat", SIM_OPT_DOUBLE, &s.repeat_s, 0.05, 3600, "S",
		 "repeat an unacked press every S seconds (SCAIP: 5-20)"},
		{"ack-grace", SIM_OPT_DOUBLE, &grace, 0, 3600, "S",
		 "after the run, keep repeating pending presses up to S seconds"},
		{"heartbeat", SIM_OPT_DOUBLE, &s.heartbeat_s, 1, 86400, "S", "heartbeat period"},
		{"motion-per-hour", SIM_OPT_DOUBLE, &s.motion_ph, 0, 36000, "R",
		 "motion triggers an hour by day (a tenth of it at night)"},
		{"door-per-hour", SIM_OPT_DOUBLE, &s.door_ph, 0, 3600, "R",
		 "exit door openings an hour, by day only"},
		{"tz", SIM_OPT_STR, &tz, 0, 0, "ZONE", "zone for day (07-22) and night (default: system)"},
		{"seed", SIM_OPT_LONG, &seed, 0, 9007199254740991.0, "N", "random seed (0: from the clock)"},
		{"exit", SIM_OPT_STR, &exit_mode, 0, 0, "MODE",
		 "at the end: offline (each device says so), quiet, abrupt (broker sends the wills)"},
		{"print-devices", SIM_OPT_FLAG, &print_devices, 0, 0, NULL,
		 "add the device list (id, kind, protocol, z2m_name, exit_door) to the summary"},
		{"dry-run", SIM_OPT_FLAG, &dry_run, 0, 0, NULL, "connect nothing, only print the summary"},
	};
	const struct sim_cmd_spec spec = {
		CMD, "--homes N [options]",
		"Simulates N homes, each with motion, door (exit door), bed, SOS pendant, water\n"
		"leak and smoke devices, one MQTT client per home with the last will on the\n"
		"pendant's status. Native format: {root}/dev/{id}/event|heartbeat|status;\n"
		"z2m: {z2m_base}/{id} state JSON and {z2m_base}/{id}/availability. Pendants\n"
		"repeat a press until acked. Prints one JSON summary line: presses, acked,\n"
		"unacked, latency_p50_ms/p99/max (first publish to ack), repeats. Exit 1 when\n"
		"a native press stayed unacked after --ack-grace.",
		opts, sizeof(opts) / sizeof(opts[0]), 0, 0,
	};
	size_t npos;
	int prc = sim_opts_parse(&spec, argc, argv, &common, NULL, &npos);
	if (prc)
		return prc == 1 ? SIM_EXIT_OK : SIM_EXIT_USAGE;

	int rc = SIM_EXIT_USAGE;
	if (strcmp(format, "native") != 0 && strcmp(format, "z2m") != 0) {
		sim_error(CMD, "--format: '%s' is not native or z2m", format);
		goto out;
	}
	if (strcmp(exit_mode, "offline") != 0 && strcmp(exit_mode, "quiet") != 0 &&
	    strcmp(exit_mode, "abrupt") != 0) {
		sim_error(CMD, "--exit: '%s' is not offline, quiet or abrupt", exit_mode);
		goto out;
	}
	if (tz) {
		if (!sim_zone_exists(tz)) {
			sim_error(CMD, "--tz: unknown time zone '%s'", tz);
			goto out;
		}
		setenv("TZ", tz, 1);
	}
	tzset();
	s.z2m = strcmp(format, "z2m") == 0;
	sim_rng_seed(&s.rng, (uint64_t)seed);
	s.homes = xcalloc((size_t)s.homes_n, sizeof(*s.homes));
	for (long i = 0; i < s.homes_n; i++)
		if (!home_init(&s, &s.homes[i], (int)(i + 1)))
			goto out;
	if (!dry_run) {
		/* A client holds three descriptors (socket and a socket pair). */
		struct rlimit rl;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		for (long i = 0; i < s.homes_n; i++)
			if (!home_connect(&s, &s.homes[i]))
				goto out;
		if (!sim_net_wait_connected(&s.net, CMD, 10.0 + (double)s.homes_n / 50.0))
			goto out;
	}

	double start = sim_mono_s();
	double limit = seconds < common.max_seconds ? seconds : common.max_seconds;
	double next_progress = start + (common.progress_s > 0 ? common.progress_s : 1e18);
	if (!dry_run) {
		run(&s, start + limit, false, start, &next_progress);
		double hard_end = start + common.max_seconds;
		/* A Zigbee button gets no receipt it could act on: nothing to wait for. */
		double grace_end = sim_mono_s() + (s.z2m ? 0 : grace);
		run(&s, grace_end < hard_end ? grace_end : hard_end, true, start, &next_progress);
		sim_net_drain(&s.net, &s.done, s.sent, 5);
		if (strcmp(exit_mode, "offline") == 0) {
			for (long i = 0; i < s.homes_n; i++)
				if (s.homes[i].conn.connected)
					announce_all(&s.homes[i], false);
			sim_net_drain(&s.net, &s.done, s.sent, 5);
		}
	}
	double elapsed = sim_mono_s() - start;

	unsigned long unacked = s.presses - s.acked;
	json_t *o = json_object();
	json_object_set_new(o, "homes", json_integer(s.homes_n));
	json_object_set_new(o, "format", json_string(format));
	json_object_set_new(o, "devices", json_integer(s.homes_n * K_COUNT));
	json_object_set_new(o, "elapsed_s", sim_json_real3(elapsed));
	json_object_set_new(o, "published", json_integer((json_int_t)s.sent));
	json_object_set_new(o, "completed", json_integer((json_int_t)s.done));
	json_object_set_new(o, "publish_errors", json_integer((json_int_t)s.errors));
	json_object_set_new(o, "presses", json_integer((json_int_t)s.presses));
	json_object_set_new(o, "acked", json_integer((json_int_t)s.acked));
	json_object_set_new(o, "unacked", json_integer((json_int_t)unacked));
	json_object_set_new(o, "latency_p50_ms", sim_json_real3(sim_samples_pct(&s.lat, 50)));
	json_object_set_new(o, "latency_p99_ms", sim_json_real3(sim_samples_pct(&s.lat, 99)));
	json_object_set_new(o, "latency_max_ms", sim_json_real3(sim_samples_max(&s.lat)));
	json_object_set_new(o, "repeats", json_integer((json_int_t)s.repeats));
	json_object_set_new(o, "skipped_presses", json_integer((json_int_t)s.skipped_presses));
	json_object_set_new(o, "stale_acks", json_integer((json_int_t)s.stale_acks));
	unsigned long lost = 0;
	for (long i = 0; i < s.homes_n; i++)
		lost += s.homes[i].conn.n_lost;
	json_object_set_new(o, "connections_lost", json_integer((json_int_t)lost));
	if (print_devices)
		json_object_set_new(o, "device_list", device_list(&s));
	sim_json_print(o);
	rc = unacked && !s.z2m ? SIM_EXIT_FAIL : SIM_EXIT_OK;
out:
	for (long i = 0; s.homes && i < s.homes_n; i++)
		sim_conn_close(&s.homes[i].conn, strcmp(exit_mode, "abrupt") != 0);
	sim_net_free(&s.net);
	sim_samples_free(&s.lat);
	free(s.homes);
	return rc;
}
