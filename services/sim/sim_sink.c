/* carenet-sim sink: subscribes at QoS 1 and only counts. With `load
 * --topic-template` as the publisher it measures what the bare broker
 * passes through, the ceiling the benchmark compares the daemon with. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <mosquitto.h>

#include "sim_cmds.h"
#include "sim_common.h"
#include "sim_net.h"

#define CMD "sink"

struct sink {
	const char *topic;
	int sub_mid;
	bool subscribed;
	unsigned long received;
	unsigned long bytes;
	double first_s, last_s;
};

static void on_connect(struct sim_conn *c)
{
	struct sink *s = c->ud;
	s->subscribed = false;
	if (sim_conn_subscribe(c, s->topic, &s->sub_mid) != MOSQ_ERR_SUCCESS)
		sim_error(CMD, "cannot subscribe to %s", s->topic);
}

static void on_subscribe(struct sim_conn *c, int mid)
{
	struct sink *s = c->ud;
	if (mid == s->sub_mid)
		s->subscribed = true;
}

static void on_message(struct sim_conn *c, const struct mosquitto_message *m)
{
	struct sink *s = c->ud;
	double now = sim_mono_s();
	if (s->received == 0)
		s->first_s = now;
	s->last_s = now;
	s->received++;
	s->bytes += (unsigned long)m->payloadlen;
}

/* Tells a script that the subscription is in place: it may start the
 * publisher now without losing the first messages. */
static bool write_ready(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f) == 0;
}

int sim_sink_main(int argc, char **argv)
{
	struct sim_common common;
	sim_common_defaults(&common);
	struct sink s;
	memset(&s, 0, sizeof(s));
	long count = 100000;
	double seconds = 60, idle = 5;
	const char *ready_file = NULL;
	const struct sim_opt opts[] = {
		{"topic", SIM_OPT_STR, &s.topic, 0, 0, "T",
	         "topic filter (wildcards allowed); required"},
		{"count", SIM_OPT_LONG, &count, 1, 1e12, "C", "stop after C messages"},
		{"seconds", SIM_OPT_DOUBLE, &seconds, 0.01, 1209600, "S", "stop after S seconds"},
		{"idle", SIM_OPT_DOUBLE, &idle, 0, 3600, "S",
	         "after the first message, stop when none came for S seconds (0: never)"},
		{"ready-file", SIM_OPT_STR, &ready_file, 0, 0, "FILE",
	         "write our PID into FILE once subscribed"},
	};
	const struct sim_cmd_spec spec = {
		CMD,
		"--topic T [--count C] [--seconds S] [options]",
		"Subscribes to T at QoS 1 and counts messages until C arrived, S seconds\n"
		"passed or the flow went idle. Prints one JSON line: received, bytes,\n"
		"elapsed_s (first to last message), rate ((received - 1) / elapsed_s) and\n"
		"waited_s (subscription to the end).",
		opts,
		sizeof(opts) / sizeof(opts[0]),
		0,
		0,
	};
	size_t npos;
	int prc = sim_opts_parse(&spec, argc, argv, &common, NULL, &npos);
	if (prc)
		return prc == 1 ? SIM_EXIT_OK : SIM_EXIT_USAGE;
	if (!s.topic) {
		sim_error(CMD, "--topic is required");
		return SIM_EXIT_USAGE;
	}

	int rc = SIM_EXIT_USAGE;
	struct sim_conn conn;
	struct sim_net net;
	memset(&conn, 0, sizeof(conn));
	memset(&net, 0, sizeof(net));
	char cid[96];
	snprintf(cid, sizeof(cid), "carenet-sim-sink-%ld", (long)getpid());
	if (!sim_conn_init(&conn, &common, cid, 100, &s))
		goto out;
	conn.on_connect = on_connect;
	conn.on_subscribe = on_subscribe;
	conn.on_message = on_message;
	sim_net_add(&net, &conn);
	if (!sim_conn_start(&conn) || !sim_net_wait_connected(&net, CMD, 10))
		goto out;
	double t0 = sim_mono_s();
	while (!s.subscribed && !sim_stopping() && sim_mono_s() < t0 + 10)
		sim_net_run(&net, 20);
	if (!s.subscribed) {
		sim_error(CMD, "no SUBACK for %s", s.topic);
		goto out;
	}
	if (ready_file && !write_ready(ready_file)) {
		sim_error(CMD, "cannot write %s", ready_file);
		goto out;
	}
	sim_note(&common, CMD, "subscribed to %s", s.topic);

	double limit = seconds < common.max_seconds ? seconds : common.max_seconds;
	double start = sim_mono_s(), end = start + limit;
	double next_progress = start + (common.progress_s > 0 ? common.progress_s : 1e18);
	bool went_idle = false;
	while (s.received < (unsigned long)count && !sim_stopping()) {
		double now = sim_mono_s();
		if (now >= end)
			break;
		if (idle > 0 && s.received > 0 && now - s.last_s >= idle) {
			went_idle = true;
			break;
		}
		if (now >= next_progress) {
			sim_note(&common, CMD, "%.1f s: received %lu", now - start, s.received);
			next_progress += common.progress_s;
		}
		sim_net_run(&net, 50);
	}
	double elapsed = s.received > 1 ? s.last_s - s.first_s : 0;
	json_t *o = json_object();
	json_object_set_new(o, "received", json_integer((json_int_t)s.received));
	json_object_set_new(o, "bytes", json_integer((json_int_t)s.bytes));
	json_object_set_new(o, "elapsed_s", sim_json_real3(elapsed));
	/* n messages span n - 1 gaps between the first and the last. */
	json_object_set_new(o, "rate",
	                    sim_json_real3(elapsed > 0 ? (double)(s.received - 1) / elapsed : 0));
	json_object_set_new(o, "waited_s", sim_json_real3(sim_mono_s() - start));
	json_object_set_new(o, "idle_stop", json_boolean(went_idle));
	sim_json_print(o);
	rc = s.received >= (unsigned long)count ? SIM_EXIT_OK : SIM_EXIT_FAIL;
out:
	sim_conn_close(&conn, true);
	sim_net_free(&net);
	return rc;
}
