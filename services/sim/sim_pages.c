/* carenet-sim pages: the alarm-latency probe of `make bench`. Presses SOS
 * on K distinct pendants (one press each, so none folds into an open
 * alert), one every --interval seconds, and measures for each press the
 * time from its publish to the first staff page ({root}/staff/+/notify,
 * level 0, naming the device) and to the device's ack. Prints one JSON
 * line with p50/p99/max of both. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <mosquitto.h>

#include "sim_cmds.h"
#include "sim_common.h"
#include "sim_net.h"

#define CMD "pages"

struct probe {
	const char *prefix;
	long n;
	int64_t seq_base;
	double *pub_s; /* per press: when it was published, 0 = not yet */
	bool *paged, *acked;
	struct sim_samples page_ms, ack_ms;
	long pages, acks;
	int sub_mids[2];
	int subscribed;
	char notify_pattern[SIM_TOPIC_MAX], ack_pattern[SIM_TOPIC_MAX];
};

static void on_connect(struct sim_conn *c)
{
	struct probe *p = c->ud;
	p->subscribed = 0;
	sim_conn_subscribe(c, p->notify_pattern, &p->sub_mids[0]);
	sim_conn_subscribe(c, p->ack_pattern, &p->sub_mids[1]);
}

static void on_subscribe(struct sim_conn *c, int mid)
{
	struct probe *p = c->ud;
	if (mid == p->sub_mids[0] || mid == p->sub_mids[1])
		p->subscribed++;
}

/* The press index of device "{prefix}-{i}", or -1. */
static long press_of(const struct probe *p, const char *device)
{
	size_t len = strlen(p->prefix);
	if (!device || strncmp(device, p->prefix, len) != 0 || device[len] != '-')
		return -1;
	char *end = NULL;
	long i = strtol(device + len + 1, &end, 10);
	return (end && *end == '\0' && i >= 1 && i <= p->n) ? i - 1 : -1;
}

static void on_message(struct sim_conn *c, const struct mosquitto_message *m)
{
	struct probe *p = c->ud;
	double now = sim_mono_s();
	size_t tl = strlen(m->topic);
	if (tl > 4 && strcmp(m->topic + tl - 4, "/ack") == 0) {
		struct sim_ack a;
		if (!sim_ack_parse(m->payload, m->payloadlen, &a) || !a.has_seq)
			return;
		int64_t i = a.seq - p->seq_base;
		if (i < 0 || i >= p->n || p->pub_s[i] == 0 || p->acked[i])
			return;
		p->acked[i] = true;
		p->acks++;
		sim_samples_add(&p->ack_ms, (now - p->pub_s[i]) * 1000.0);
		return;
	}
	json_error_t err;
	json_t *page = json_loadb(m->payload, (size_t)m->payloadlen, 0, &err);
	if (!page)
		return;
	long i = press_of(p, json_string_value(json_object_get(page, "device_id")));
	json_t *level = json_object_get(page, "level");
	if (i >= 0 && p->pub_s[i] != 0 && !p->paged[i] && json_integer_value(level) == 0) {
		p->paged[i] = true;
		p->pages++;
		sim_samples_add(&p->page_ms, (now - p->pub_s[i]) * 1000.0);
	}
	json_decref(page);
}

int sim_pages_main(int argc, char **argv)
{
	struct sim_common common;
	sim_common_defaults(&common);
	const char *prefix = "bench-sos";
	long presses = 1000;
	double interval = 0.05, timeout_s = 30;
	const struct sim_opt opts[] = {
		{"prefix", SIM_OPT_STR, &prefix, 0, 0, "P", "pendants are {prefix}-1..K"},
		{"presses", SIM_OPT_LONG, &presses, 1, 1000000, "K",
	         "presses, one per pendant (each pendant must belong to its own resident)"},
		{"interval", SIM_OPT_DOUBLE, &interval, 0.001, 60, "S", "seconds between presses"},
		{"timeout", SIM_OPT_DOUBLE, &timeout_s, 0.1, 3600, "S",
	         "after the last press, wait up to S seconds for pages and acks"},
	};
	const struct sim_cmd_spec spec = {
		CMD,
		"[options]",
		"Alarm latency: presses SOS once on each of the pendants {prefix}-1..K, one\n"
		"every --interval seconds, and measures publish -> first staff page (level 0,\n"
		"on {root}/staff/+/notify, matched by device_id) and publish -> ack. Prints\n"
		"{\"presses\",\"pages\",\"acks\",\"page_p50_ms\",\"page_p99_ms\",\"page_max_ms\",\n"
		"\"ack_p50_ms\",\"ack_p99_ms\",\"ack_max_ms\"}. Exit 1 when a page is missing.",
		opts,
		sizeof(opts) / sizeof(opts[0]),
		0,
		0,
	};
	size_t npos = 0;
	int prc = sim_opts_parse(&spec, argc, argv, &common, NULL, &npos);
	if (prc)
		return prc == 1 ? SIM_EXIT_OK : SIM_EXIT_USAGE;

	int rc = SIM_EXIT_USAGE;
	struct probe p;
	struct sim_conn conn;
	struct sim_net net;
	memset(&p, 0, sizeof(p));
	memset(&conn, 0, sizeof(conn));
	memset(&net, 0, sizeof(net));
	p.prefix = prefix;
	p.n = presses;
	p.seq_base = sim_now_ms() * 1000;
	p.pub_s = calloc((size_t)presses, sizeof(*p.pub_s));
	p.paged = calloc((size_t)presses, sizeof(*p.paged));
	p.acked = calloc((size_t)presses, sizeof(*p.acked));
	if (!p.pub_s || !p.paged || !p.acked)
		goto out;
	snprintf(p.notify_pattern, sizeof(p.notify_pattern), "%s/staff/+/notify", common.root);
	snprintf(p.ack_pattern, sizeof(p.ack_pattern), "%s/dev/+/ack", common.root);
	char cid[96];
	snprintf(cid, sizeof(cid), "carenet-sim-pages-%ld", (long)getpid());
	if (!sim_conn_init(&conn, &common, cid, 100, &p))
		goto out;
	conn.on_connect = on_connect;
	conn.on_subscribe = on_subscribe;
	conn.on_message = on_message;
	sim_net_add(&net, &conn);
	double start = sim_mono_s(), end = start + common.max_seconds;
	if (!sim_conn_start(&conn) || !sim_net_wait_connected(&net, CMD, 10))
		goto out;
	while (p.subscribed < 2 && !sim_stopping() && sim_mono_s() < end)
		sim_net_run(&net, 20);
	long next = 0;
	double next_at = sim_mono_s(), last_report = next_at;
	while (next < presses && !sim_stopping() && sim_mono_s() < end) {
		double now = sim_mono_s();
		if (now >= next_at) {
			char dev[SIM_ID_MAX + 1], topic[SIM_TOPIC_MAX], payload[SIM_PAYLOAD_MAX];
			snprintf(dev, sizeof(dev), "%s-%ld", prefix, next + 1);
			sim_topic_dev(topic, sizeof(topic), common.root, dev, "event");
			/* ts: the press's wall-clock time, so what the daemon sends
			 * on (webhooks carry last_event_at) can be timed from it. */
			snprintf(
				payload, sizeof(payload),
				"{\"type\":\"button\",\"value\":\"press\",\"seq\":%lld,\"ts\":%lld}",
				(long long)(p.seq_base + next), (long long)sim_now_ms());
			p.pub_s[next] = sim_mono_s();
			sim_conn_publish(&conn, topic, payload, 1, false, NULL);
			next++;
			next_at += interval;
		}
		if (common.progress_s > 0 && !common.quiet &&
		    now - last_report >= common.progress_s) {
			fprintf(stderr, "pages: %ld/%ld pressed, %ld paged, %ld acked\n", next,
			        presses, p.pages, p.acks);
			last_report = now;
		}
		double wait = next_at - sim_mono_s();
		sim_net_run(&net, wait <= 0 ? 0 : wait > 0.05 ? 50 : (int)(wait * 1000) + 1);
	}
	double done_by = sim_mono_s() + timeout_s;
	while ((p.pages < next || p.acks < next) && !sim_stopping() && sim_mono_s() < done_by)
		sim_net_run(&net, 50);

	json_t *o = json_object();
	json_object_set_new(o, "presses", json_integer(next));
	json_object_set_new(o, "pages", json_integer(p.pages));
	json_object_set_new(o, "acks", json_integer(p.acks));
	json_object_set_new(o, "page_p50_ms", sim_json_real3(sim_samples_pct(&p.page_ms, 50)));
	json_object_set_new(o, "page_p99_ms", sim_json_real3(sim_samples_pct(&p.page_ms, 99)));
	json_object_set_new(o, "page_max_ms", sim_json_real3(sim_samples_max(&p.page_ms)));
	json_object_set_new(o, "ack_p50_ms", sim_json_real3(sim_samples_pct(&p.ack_ms, 50)));
	json_object_set_new(o, "ack_p99_ms", sim_json_real3(sim_samples_pct(&p.ack_ms, 99)));
	json_object_set_new(o, "ack_max_ms", sim_json_real3(sim_samples_max(&p.ack_ms)));
	json_object_set_new(o, "elapsed_s", sim_json_real3(sim_mono_s() - start));
	sim_json_print(o);
	rc = (p.pages == next && next == presses) ? SIM_EXIT_OK : SIM_EXIT_FAIL;
out:
	sim_conn_close(&conn, true);
	sim_net_free(&net);
	sim_samples_free(&p.page_ms);
	sim_samples_free(&p.ack_ms);
	free(p.pub_s);
	free(p.paged);
	free(p.acked);
	return rc;
}
