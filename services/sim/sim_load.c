/* carenet-sim load: the benchmark's load generator.
 *
 * Native motion/temperature events round-robin over N device ids at a
 * fixed rate (token bucket) or as fast as the broker takes them, QoS 0 or
 * 1. With QoS 1 at most --inflight messages are unacknowledged at any
 * time: our own gate, plus libmosquitto's window set to the same size, so
 * the library never queues behind our back (limits.md: an unbounded QoS 1
 * window stalls or drops under a burst). With --alarm-every K every K-th
 * message is an SOS press with a unique seq; with --wait-acks the service's
 * acks on {root}/dev/+/ack are matched to them, which measures ingest end
 * to end. With --topic-template it publishes anywhere, as the publisher of
 * the bare-broker run against `carenet-sim sink`. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mosquitto.h>

#include "payload.h"
#include "sim_cmds.h"
#include "sim_common.h"
#include "sim_net.h"
#include "xalloc.h"

#define CMD             "load"
#define POLL_EVERY      64   /* publishes between looks at the socket */
#define DRAIN_TIMEOUT_S 10.0 /* for the last PUBACKs */

struct load {
	const struct sim_common *common;
	long devices, qos, inflight, alarm_every;
	const char *prefix;
	const char *tmpl;
	int64_t seq_base;   /* seq of message i is seq_base + i: unique per run */
	unsigned long sent; /* publishes accepted by libmosquitto */
	unsigned long alarms;
	double *alarm_sent_s; /* send time of alarm k (message k*K + K-1) */
	unsigned char *alarm_acked;
	size_t alarm_cap;
	unsigned long acks, stray_acks;
	struct sim_samples ack_ms;
};

/* Expands {root}, {id} and {i} in the topic template. */
static bool expand(const char *tmpl, const char *root, const char *id, unsigned long i, char *out,
                   size_t cap)
{
	size_t o = 0;
	for (const char *s = tmpl; *s;) {
		char num[24];
		const char *rep = NULL;
		size_t skip = 0;
		if (strncmp(s, "{root}", 6) == 0) {
			rep = root;
			skip = 6;
		} else if (strncmp(s, "{id}", 4) == 0) {
			rep = id;
			skip = 4;
		} else if (strncmp(s, "{i}", 3) == 0) {
			snprintf(num, sizeof(num), "%lu", i);
			rep = num;
			skip = 3;
		}
		if (rep) {
			size_t n = strlen(rep);
			if (o + n >= cap)
				return false;
			memcpy(out + o, rep, n);
			o += n;
			s += skip;
		} else {
			if (o + 1 >= cap)
				return false;
			out[o++] = *s++;
		}
	}
	out[o] = '\0';
	return o > 0;
}

static void on_connect(struct sim_conn *c)
{
	struct load *l = c->ud;
	char pattern[SIM_TOPIC_MAX];
	if (l->alarm_every <= 0)
		return;
	snprintf(pattern, sizeof(pattern), "%s/dev/+/ack", l->common->root);
	if (sim_conn_subscribe(c, pattern, NULL) != MOSQ_ERR_SUCCESS)
		sim_error(CMD, "cannot subscribe to %s", pattern);
}

static void on_message(struct sim_conn *c, const struct mosquitto_message *m)
{
	struct load *l = c->ud;
	struct sim_ack a;
	if (!sim_ack_parse(m->payload, m->payloadlen, &a) || !a.has_seq || a.seq < l->seq_base) {
		l->stray_acks++;
		return;
	}
	uint64_t i = (uint64_t)(a.seq - l->seq_base);
	uint64_t k = i / (uint64_t)l->alarm_every;
	if ((i + 1) % (uint64_t)l->alarm_every != 0 || k >= l->alarms || l->alarm_acked[k]) {
		l->stray_acks++; /* not ours, or a repeated ack */
		return;
	}
	l->alarm_acked[k] = 1;
	l->acks++;
	sim_samples_add(&l->ack_ms, (sim_mono_s() - l->alarm_sent_s[k]) * 1000.0);
}

static void note_alarm(struct load *l, double now)
{
	if (l->alarms == l->alarm_cap) {
		l->alarm_cap = l->alarm_cap ? l->alarm_cap * 2 : 1024;
		l->alarm_sent_s = xrealloc(l->alarm_sent_s, l->alarm_cap * sizeof(double));
		l->alarm_acked = xrealloc(l->alarm_acked, l->alarm_cap);
	}
	l->alarm_sent_s[l->alarms] = now;
	l->alarm_acked[l->alarms] = 0;
	l->alarms++;
}

/* Publishes message number l->sent. Returns the mosquitto error code. */
static int publish_one(struct load *l, struct sim_conn *c, double now)
{
	unsigned long i = l->sent;
	char id[SIM_ID_MAX + 1], topic[SIM_TOPIC_MAX], payload[SIM_PAYLOAD_MAX], ts[32];
	snprintf(id, sizeof(id), "%s-%lu", l->prefix, i % (unsigned long)l->devices + 1);
	if (!expand(l->tmpl, l->common->root, id, i, topic, sizeof(topic)))
		return MOSQ_ERR_INVAL;
	cn_time_format_rfc3339(sim_now_ms(), ts);
	long long seq = (long long)(l->seq_base + (int64_t)i);
	bool alarm = l->alarm_every > 0 && (i + 1) % (unsigned long)l->alarm_every == 0;
	if (alarm)
		snprintf(payload, sizeof(payload),
		         "{\"type\":\"button\",\"value\":\"press\",\"ts\":\"%s\",\"seq\":%lld,"
		         "\"battery\":90}",
		         ts, seq);
	else if (i % 2 == 0)
		snprintf(
			payload, sizeof(payload),
			"{\"type\":\"motion\",\"value\":%s,\"ts\":\"%s\",\"seq\":%lld,\"battery\":%lu}",
			(i / 2) % 2 ? "false" : "true", ts, seq, 60 + i % 41);
	else
		snprintf(payload, sizeof(payload),
		         "{\"type\":\"temperature\",\"value\":%.1f,\"ts\":\"%s\",\"seq\":%lld,"
		         "\"battery\":%lu}",
		         18.0 + (double)(i % 80) / 10.0, ts, seq, 60 + i % 41);
	int rc = sim_conn_publish(c, topic, payload, (int)l->qos, false, NULL);
	if (rc == MOSQ_ERR_SUCCESS) {
		l->sent++;
		if (alarm)
			note_alarm(l, now);
	}
	return rc;
}

static void progress(const struct load *l, const struct sim_conn *c, double t)
{
	if (l->alarm_every > 0)
		sim_note(l->common, CMD,
		         "%.1f s: sent %lu (%.0f/s), completed %lu, alarm acks %lu/%lu", t, l->sent,
		         t > 0 ? (double)l->sent / t : 0.0, c->n_publish_done, l->acks, l->alarms);
	else
		sim_note(l->common, CMD, "%.1f s: sent %lu (%.0f/s), completed %lu", t, l->sent,
		         t > 0 ? (double)l->sent / t : 0.0, c->n_publish_done);
}

int sim_load_main(int argc, char **argv)
{
	struct sim_common common;
	sim_common_defaults(&common);
	struct load l;
	memset(&l, 0, sizeof(l));
	l.common = &common;
	l.devices = 100;
	l.qos = 1;
	l.inflight = 20;
	l.prefix = "load";
	l.tmpl = "{root}/dev/{id}/event";
	double rate = 1000, seconds = 60, ack_timeout = 10;
	long count = 100000;
	bool max = false, wait_acks = false;
	const struct sim_opt opts[] = {
		{"devices", SIM_OPT_LONG, &l.devices, 1, 10000000, "N", "device ids {prefix}-1..N"},
		{"rate", SIM_OPT_DOUBLE, &rate, 0.01, 10000000, "R",
	         "messages a second (token bucket)"},
		{"max", SIM_OPT_FLAG, &max, 0, 0, NULL, "as fast as the broker takes them"},
		{"qos", SIM_OPT_LONG, &l.qos, 0, 1, "Q", "0 or 1"},
		{"count", SIM_OPT_LONG, &count, 0, 1e12, "C",
	         "stop after C messages (0: no count)"},
		{"seconds", SIM_OPT_DOUBLE, &seconds, 0.01, 1209600, "S", "stop after S seconds"},
		{"prefix", SIM_OPT_STR, &l.prefix, 0, 0, "P", "device id prefix"},
		{"inflight", SIM_OPT_LONG, &l.inflight, 20, 100, "W",
	         "QoS 1 window: unacknowledged messages at most"},
		{"alarm-every", SIM_OPT_LONG, &l.alarm_every, 0, 1e12, "K",
	         "every K-th message is an SOS press with a unique seq (0: none)"},
		{"wait-acks", SIM_OPT_FLAG, &wait_acks, 0, 0, NULL,
	         "match the service's acks to the alarms and report their latency"},
		{"ack-timeout", SIM_OPT_DOUBLE, &ack_timeout, 0, 3600, "S",
	         "after sending, wait up to S seconds for the last acks"},
		{"topic-template", SIM_OPT_STR, &l.tmpl, 0, 0, "T",
	         "topic; {root}, {id} and {i} (message number) are filled in"},
	};
	const struct sim_cmd_spec spec = {
		CMD,
		"--devices N (--rate R | --max) [options]",
		"Publishes native events (motion and temperature, alternating) round-robin over\n"
		"N device ids until --count messages or --seconds pass, and prints one JSON line:\n"
		"sent, puback (QoS 1 PUBACKs; null at QoS 0), elapsed_s (first publish to last\n"
		"PUBACK or write), rate (sent / elapsed_s). Seqs are unique across runs\n"
		"(start time in ms x 1000 + message number). Alarms go out at --qos too.",
		opts,
		sizeof(opts) / sizeof(opts[0]),
		0,
		0,
	};
	size_t npos;
	int prc = sim_opts_parse(&spec, argc, argv, &common, NULL, &npos);
	if (prc)
		return prc == 1 ? SIM_EXIT_OK : SIM_EXIT_USAGE;

	int rc = SIM_EXIT_USAGE;
	struct sim_conn conn;
	struct sim_net net;
	memset(&conn, 0, sizeof(conn));
	memset(&net, 0, sizeof(net));
	char probe[SIM_TOPIC_MAX], cid[96];
	if (strchr(l.tmpl, '+') || strchr(l.tmpl, '#') ||
	    !expand(l.tmpl, common.root, "x", 0, probe, sizeof(probe))) {
		sim_error(CMD, "--topic-template: '%s' is empty, too long or has a wildcard",
		          l.tmpl);
		goto out;
	}
	if (wait_acks && l.alarm_every <= 0) {
		sim_error(CMD, "--wait-acks needs --alarm-every K");
		goto out;
	}
	l.seq_base = sim_now_ms() * 1000;
	snprintf(cid, sizeof(cid), "carenet-sim-load-%ld", (long)getpid());
	if (!sim_conn_init(&conn, &common, cid, (int)l.inflight, &l))
		goto out;
	conn.on_connect = on_connect;
	conn.on_message = on_message;
	sim_net_add(&net, &conn);
	if (!sim_conn_start(&conn) || !sim_net_wait_connected(&net, CMD, 10))
		goto out;
	if (l.alarm_every > 0) /* let the ack subscription settle first */
		sim_net_run(&net, 50);

	double limit = seconds < common.max_seconds ? seconds : common.max_seconds;
	double start = sim_mono_s(), end = start + limit, last_pub = start;
	double next_progress = start + (common.progress_s > 0 ? common.progress_s : 1e18);
	double tokens = 1, refill_at = start, burst = fmax(1.0, rate * 0.02);
	unsigned long errors = 0;
	while ((count == 0 || l.sent < (unsigned long)count) && !sim_stopping()) {
		double now = sim_mono_s();
		if (now >= end)
			break;
		if (now >= next_progress) {
			progress(&l, &conn, now - start);
			next_progress += common.progress_s;
		}
		if (!conn.connected || sim_conn_want_write(&conn) ||
		    (l.qos == 1 && l.sent - conn.n_publish_done >= (unsigned long)l.inflight)) {
			sim_net_run(&net, 1); /* wait for the socket or a PUBACK */
			continue;
		}
		if (!max) {
			tokens = fmin(burst, tokens + (now - refill_at) * rate);
			refill_at = now;
			if (tokens < 1) {
				int ms = (int)ceil((1 - tokens) / rate * 1000.0);
				sim_net_run(&net, ms > 100 ? 100 : ms);
				continue;
			}
			tokens -= 1;
		}
		int e = publish_one(&l, &conn, now);
		if (e == MOSQ_ERR_NO_CONN || e == MOSQ_ERR_CONN_LOST) {
			sim_net_run(&net, 10);
		} else if (e != MOSQ_ERR_SUCCESS) {
			errors++;
			sim_error(CMD, "publish: %s", mosquitto_strerror(e));
			break;
		}
		last_pub = now;
		if (l.sent % POLL_EVERY == 0)
			sim_net_run(&net, 0); /* PUBACKs and acks */
	}
	/* Everything written, every PUBACK in: that is when the broker has
	 * taken the whole load. */
	bool drained = sim_net_drain(&net, &conn.n_publish_done, l.sent, DRAIN_TIMEOUT_S);
	double done_at = drained ? sim_mono_s() : last_pub;
	double elapsed = done_at - start;
	if (!drained)
		sim_note(&common, CMD, "not all messages completed: %lu of %lu",
		         conn.n_publish_done, l.sent);
	if (wait_acks) {
		double ack_end = sim_mono_s() + ack_timeout;
		while (l.acks < l.alarms && sim_mono_s() < ack_end && !sim_stopping())
			sim_net_run(&net, 20);
	}

	json_t *o = json_object();
	json_object_set_new(o, "sent", json_integer((json_int_t)l.sent));
	json_object_set_new(o, "puback",
	                    l.qos == 1 ? json_integer((json_int_t)conn.n_publish_done)
	                               : json_null());
	json_object_set_new(o, "qos", json_integer(l.qos));
	json_object_set_new(o, "elapsed_s", sim_json_real3(elapsed));
	json_object_set_new(o, "rate", sim_json_real3(elapsed > 0 ? (double)l.sent / elapsed : 0));
	json_object_set_new(o, "devices", json_integer(l.devices));
	json_object_set_new(o, "inflight", json_integer(l.qos == 1 ? l.inflight : 0));
	json_object_set_new(o, "target_rate", max ? json_null() : sim_json_real3(rate));
	json_object_set_new(o, "reconnects",
	                    json_integer(conn.n_connects ? (json_int_t)conn.n_connects - 1 : 0));
	json_object_set_new(o, "errors", json_integer((json_int_t)errors));
	if (l.alarm_every > 0) {
		json_object_set_new(o, "alarms", json_integer((json_int_t)l.alarms));
		if (wait_acks) {
			json_object_set_new(o, "acks", json_integer((json_int_t)l.acks));
			json_object_set_new(o, "ack_p50_ms",
			                    sim_json_real3(sim_samples_pct(&l.ack_ms, 50)));
			json_object_set_new(o, "ack_p99_ms",
			                    sim_json_real3(sim_samples_pct(&l.ack_ms, 99)));
			json_object_set_new(o, "ack_max_ms",
			                    sim_json_real3(sim_samples_max(&l.ack_ms)));
		}
	}
	sim_json_print(o);
	rc = errors || !drained || (wait_acks && l.acks < l.alarms) ? SIM_EXIT_FAIL : SIM_EXIT_OK;
out:
	sim_conn_close(&conn, true);
	sim_net_free(&net);
	free(l.alarm_sent_s);
	free(l.alarm_acked);
	sim_samples_free(&l.ack_ms);
	return rc;
}
