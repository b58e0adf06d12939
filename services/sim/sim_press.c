/* carenet-sim press: one alarm from a native device, repeated with the same
 * seq until the service acknowledges it on {root}/dev/{id}/ack, the way a
 * social-alarm unit repeats (SCAIP: every 5-20 s) until the receiver
 * confirms. Prints one JSON line; exit 0 when acked, 1 on timeout. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mosquitto.h>

#include "payload.h"
#include "sim_cmds.h"
#include "sim_common.h"
#include "sim_net.h"
#include "topic.h"

#define CMD "press"

struct press {
	const char *device;
	int64_t seq;
	char ack_topic[SIM_TOPIC_MAX];
	int sub_mid;
	bool subscribed;
	bool acked;
	double first_pub_s, ack_s;
	struct sim_ack ack;
	unsigned long stale_acks; /* acks for another seq (an older press) */
};

static void on_connect(struct sim_conn *c)
{
	struct press *p = c->ud;
	/* A clean session forgets subscriptions: subscribe on every connect. */
	p->subscribed = false;
	if (sim_conn_subscribe(c, p->ack_topic, &p->sub_mid) != MOSQ_ERR_SUCCESS)
		sim_error(CMD, "cannot subscribe to %s", p->ack_topic);
}

static void on_subscribe(struct sim_conn *c, int mid)
{
	struct press *p = c->ud;
	if (mid == p->sub_mid)
		p->subscribed = true;
}

static void on_message(struct sim_conn *c, const struct mosquitto_message *m)
{
	struct press *p = c->ud;
	struct sim_ack a;
	if (p->acked || strcmp(m->topic, p->ack_topic) != 0)
		return;
	if (!sim_ack_parse(m->payload, m->payloadlen, &a)) {
		sim_note(c->common, CMD, "ignoring an ack that is not a JSON object");
		return;
	}
	if (!a.has_seq || a.seq != p->seq) {
		p->stale_acks++;
		return;
	}
	p->acked = true;
	p->ack_s = sim_mono_s();
	p->ack = a;
}

/* Writes the event's JSON value: true/false and numbers as they are, a
 * word as a string. Returns false for anything that would need escaping. */
static bool value_json(const char *type, const char *value, char *out, size_t cap)
{
	if (!value)
		value = strcmp(type, "button") == 0 ? "press" : "true";
	if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0) {
		snprintf(out, cap, "%s", value);
		return true;
	}
	char *end = NULL;
	(void)strtod(value, &end);
	if (end != value && *end == '\0') {
		snprintf(out, cap, "%s", value);
		return true;
	}
	for (const char *s = value; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
			return false;
	snprintf(out, cap, "\"%s\"", value);
	return true;
}

int sim_press_main(int argc, char **argv)
{
	struct sim_common common;
	sim_common_defaults(&common);
	long seq = -1;
	double timeout_s = 30, repeat_s = 5;
	const char *type = "button", *value = NULL;
	const struct sim_opt opts[] = {
		{"seq", SIM_OPT_LONG, &seq, -1, 9007199254740991.0, "N",
	         "sequence number (-1: the current epoch ms, unique)"},
		{"timeout", SIM_OPT_DOUBLE, &timeout_s, 0.1, 86400, "S", "give up after S seconds"},
		{"repeat", SIM_OPT_DOUBLE, &repeat_s, 0.05, 3600, "S",
	         "repeat the same event every S seconds until acked (SCAIP: 5-20)"},
		{"type", SIM_OPT_STR, &type, 0, 0, "T",
	         "event type: button, fall, smoke, gas, water_leak"},
		{"value", SIM_OPT_STR, &value, 0, 0, "V",
	         "event value (default press for button, true otherwise)"},
	};
	const struct sim_cmd_spec spec = {
		CMD,
		"DEVICE [options]",
		"Sends one alarm event from native device DEVICE on {root}/dev/DEVICE/event\n"
		"(QoS 1), after subscribing to {root}/dev/DEVICE/ack, and repeats it with the\n"
		"same seq until an ack with that seq arrives or the timeout passes. Prints\n"
		"{\"device\",\"seq\",\"acked\",\"latency_ms\",\"repeats\",\"event_id\",\"alert_id\"};\n"
		"latency is from the first publish to the ack. Exit 0 when acked, 1 if not.",
		opts,
		sizeof(opts) / sizeof(opts[0]),
		1,
		1,
	};
	const char *pos[1];
	size_t npos;
	int prc = sim_opts_parse(&spec, argc, argv, &common, pos, &npos);
	if (prc)
		return prc == 1 ? SIM_EXIT_OK : SIM_EXIT_USAGE;

	int rc = SIM_EXIT_USAGE;
	struct press p;
	struct sim_conn conn;
	struct sim_net net;
	memset(&p, 0, sizeof(p));
	memset(&conn, 0, sizeof(conn));
	memset(&net, 0, sizeof(net));
	p.device = pos[0];
	p.seq = seq >= 0 ? (int64_t)seq : sim_now_ms();
	char val[64], topic[SIM_TOPIC_MAX], payload[SIM_PAYLOAD_MAX], ts[32], cid[96];
	if (!cn_device_id_valid(p.device)) {
		sim_error(CMD, "'%s' is not a valid device id (1-64 of A-Z a-z 0-9 . _ : -)",
		          p.device);
		goto out;
	}
	if (!value_json(type, value, val, sizeof(val))) {
		sim_error(CMD, "--value: '%s' is not true, false, a number or a lower-case word",
		          value);
		goto out;
	}
	for (const char *s = type; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || *s == '_' || (*s >= '0' && *s <= '9'))) {
			sim_error(CMD, "--type: '%s' is not a lower-case event type", type);
			goto out;
		}
	if (!sim_topic_dev(p.ack_topic, sizeof(p.ack_topic), common.root, p.device, "ack") ||
	    !sim_topic_dev(topic, sizeof(topic), common.root, p.device, "event")) {
		sim_error(CMD, "topic too long");
		goto out;
	}
	cn_time_format_rfc3339(sim_now_ms(), ts);
	snprintf(payload, sizeof(payload),
	         "{\"type\":\"%s\",\"value\":%s,\"seq\":%lld,\"ts\":\"%s\"}", type, val,
	         (long long)p.seq, ts);

	snprintf(cid, sizeof(cid), "carenet-sim-press-%ld", (long)getpid());
	if (!sim_conn_init(&conn, &common, cid, 20, &p))
		goto out;
	conn.on_connect = on_connect;
	conn.on_subscribe = on_subscribe;
	conn.on_message = on_message;
	sim_net_add(&net, &conn);
	double limit = timeout_s < common.max_seconds ? timeout_s : common.max_seconds;
	double start = sim_mono_s(), end = start + limit;
	if (!sim_conn_start(&conn) || !sim_net_wait_connected(&net, CMD, limit))
		goto out;
	while (!p.subscribed && !sim_stopping() && sim_mono_s() < end)
		sim_net_run(&net, 20);
	if (!p.subscribed) {
		sim_error(CMD, "no SUBACK for %s", p.ack_topic);
		goto out;
	}

	long repeats = -1; /* the first publish is not a repeat */
	double next = sim_mono_s();
	while (!p.acked && !sim_stopping()) {
		double now = sim_mono_s();
		if (now >= end)
			break;
		if (now >= next) {
			int e = sim_conn_publish(&conn, topic, payload, 1, false, NULL);
			if (e != MOSQ_ERR_SUCCESS)
				sim_note(&common, CMD, "publish: %s (will repeat)",
				         mosquitto_strerror(e));
			if (repeats < 0)
				p.first_pub_s = now;
			repeats++;
			next = now + repeat_s;
		}
		double wait = (next < end ? next : end) - sim_mono_s();
		sim_net_run(&net, wait <= 0 ? 0 : wait > 0.1 ? 100 : (int)(wait * 1000) + 1);
	}
	if (p.stale_acks)
		sim_note(&common, CMD, "%lu ack(s) for other seqs ignored", p.stale_acks);

	json_t *o = json_object();
	json_object_set_new(o, "device", json_string(p.device));
	json_object_set_new(o, "seq", json_integer((json_int_t)p.seq));
	json_object_set_new(o, "acked", json_boolean(p.acked));
	json_object_set_new(o, "latency_ms",
	                    p.acked ? sim_json_real3((p.ack_s - p.first_pub_s) * 1000.0)
	                            : json_null());
	json_object_set_new(o, "repeats", json_integer(repeats < 0 ? 0 : repeats));
	sim_ack_to_json(&p.ack, o);
	sim_json_print(o);
	rc = p.acked ? SIM_EXIT_OK : SIM_EXIT_FAIL;
out:
	sim_conn_close(&conn, true);
	sim_net_free(&net);
	return rc;
}
