/* carenet-sim replay: publishes a CASAS trace as native device events.
 *
 * The trace is streamed, not loaded: a week of one home is 22k lines, but
 * nothing stops someone from replaying a year. Sensor -> device id comes
 * from --map or "{prefix}-{sensor}"; the seq is the line number (plus
 * --seq-base), so a replay repeated within the service's retry window
 * counts as the same events, exactly like a device repeating itself. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#include "payload.h"
#include "sim_cmds.h"
#include "sim_common.h"
#include "sim_net.h"
#include "sim_trace.h"
#include "xalloc.h"

#define CMD            "replay"
#define LINE_MAX_BYTES 1024
#define WARN_MAX       5 /* malformed lines reported one by one, then only counted */

struct seen_sensor {
	char sensor[SIM_SENSOR_MAX + 1];
	size_t dev; /* index into devs */
};

struct seen_dev {
	char id[SIM_ID_MAX + 1];
	enum sim_trace_kind kind; /* of its first event */
};

struct replay {
	const struct sim_common *common;
	const char *path;
	const char *prefix;
	struct sim_trace_map map;
	struct seen_sensor *sensors;
	size_t n_sensors, cap_sensors;
	struct seen_dev *devs;
	size_t n_devs, cap_devs;
	unsigned long lines, events, published, skipped, bad, warned;
};

static const char *const kind_names[] = {"motion", "door", "temperature"};

static void warn_line(struct replay *r, const char *what, const char *why)
{
	if (r->warned++ < WARN_MAX)
		sim_note(r->common, CMD, "%s:%lu: %s: %s", r->path, r->lines, what, why);
	else if (r->warned == WARN_MAX + 1)
		sim_note(r->common, CMD, "more lines skipped; see the summary's counts");
}

/* The device id of `sensor`, registering it on first sight; NULL when no
 * valid id can be made of it. */
static const char *device_for(struct replay *r, const char *sensor, enum sim_trace_kind kind)
{
	for (size_t i = 0; i < r->n_sensors; i++)
		if (strcmp(r->sensors[i].sensor, sensor) == 0)
			return r->devs[r->sensors[i].dev].id;
	char id[SIM_ID_MAX + 1];
	const char *mapped = sim_trace_map_find(&r->map, sensor);
	if (mapped)
		snprintf(id, sizeof(id), "%s", mapped);
	else if (!sim_trace_auto_id(r->prefix, sensor, id))
		return NULL;
	size_t d = 0;
	while (d < r->n_devs && strcmp(r->devs[d].id, id) != 0)
		d++;
	if (d == r->n_devs) {
		if (r->n_devs == r->cap_devs) {
			r->cap_devs = r->cap_devs ? r->cap_devs * 2 : 32;
			r->devs = xrealloc(r->devs, r->cap_devs * sizeof(*r->devs));
		}
		memcpy(r->devs[d].id, id, sizeof(id));
		r->devs[d].kind = kind;
		r->n_devs++;
	}
	if (r->n_sensors == r->cap_sensors) {
		r->cap_sensors = r->cap_sensors ? r->cap_sensors * 2 : 32;
		r->sensors = xrealloc(r->sensors, r->cap_sensors * sizeof(*r->sensors));
	}
	snprintf(r->sensors[r->n_sensors].sensor, sizeof(r->sensors[0].sensor), "%s", sensor);
	r->sensors[r->n_sensors].dev = d;
	r->n_sensors++;
	return r->devs[d].id;
}

static void event_payload(const struct sim_trace_event *ev, int64_t ts_ms, long long seq, char *out,
                          size_t cap)
{
	char ts[32], value[40];
	cn_time_format_rfc3339(ts_ms, ts);
	switch (ev->kind) {
	case SIM_TRACE_MOTION:
		snprintf(value, sizeof(value), "%s", ev->on ? "true" : "false");
		break;
	case SIM_TRACE_DOOR:
		snprintf(value, sizeof(value), "\"%s\"", ev->on ? "open" : "closed");
		break;
	case SIM_TRACE_TEMPERATURE:
		snprintf(value, sizeof(value), "%.10g", ev->number);
		break;
	}
	snprintf(out, cap, "{\"type\":\"%s\",\"value\":%s,\"ts\":\"%s\",\"seq\":%lld}",
	         kind_names[ev->kind], value, ts, seq);
}

int sim_replay_main(int argc, char **argv)
{
	struct sim_common common;
	sim_common_defaults(&common);
	struct replay r;
	memset(&r, 0, sizeof(r));
	r.common = &common;
	r.prefix = "casas";
	const char *map_path = NULL, *tz = "US/Pacific";
	double speed = 1;
	long max_events = 0, qos = 1, inflight = 20, seq_base = 0;
	bool as_fast = false, shift = false, keep = false, print_devices = false, dry_run = false;
	const struct sim_opt opts[] = {
		{"map", SIM_OPT_STR, &map_path, 0, 0, "FILE",
	         "SENSOR DEVICE_ID lines (# comments)"},
		{"prefix", SIM_OPT_STR, &r.prefix, 0, 0, "P",
	         "unmapped sensors become {prefix}-{sensor}, lower-cased"},
		{"speed", SIM_OPT_DOUBLE, &speed, 0.001, 1e7, "X", "X times real time"},
		{"as-fast", SIM_OPT_FLAG, &as_fast, 0, 0, NULL, "no waiting between events"},
		{"shift-to-now", SIM_OPT_FLAG, &shift, 0, 0, NULL,
	         "ts moved so the first event is now (the default)"},
		{"keep-time", SIM_OPT_FLAG, &keep, 0, 0, NULL, "ts is the trace's own time"},
		{"tz", SIM_OPT_STR, &tz, 0, 0, "ZONE", "IANA zone of the trace's wall-clock times"},
		{"max-events", SIM_OPT_LONG, &max_events, 0, 1e12, "N",
	         "stop after N events (0: all)"},
		{"seq-base", SIM_OPT_LONG, &seq_base, 0, 1e15, "N", "seq = N + line number"},
		{"qos", SIM_OPT_LONG, &qos, 0, 1, "Q", "0 or 1"},
		{"inflight", SIM_OPT_LONG, &inflight, 20, 100, "W", "QoS 1 window"},
		{"print-devices", SIM_OPT_FLAG, &print_devices, 0, 0, NULL,
	         "add device_ids and device_types to the summary"},
		{"dry-run", SIM_OPT_FLAG, &dry_run, 0, 0, NULL,
	         "read and map the trace, publish nothing (with --print-devices: what to enrol)"},
	};
	const struct sim_cmd_spec spec = {
		CMD,
		"TRACE [options]",
		"Publishes a CASAS trace (YYYY-MM-DD HH:MM:SS[.ffffff] SENSOR VALUE lines) as\n"
		"native events on {root}/dev/{id}/event: ON/OFF -> motion true/false,\n"
		"OPEN/CLOSE -> door \"open\"/\"closed\", a number -> temperature; seq = line\n"
		"number. Prints one JSON summary line: events, published, puback, skipped,\n"
		"bad, devices, first/last (published ts) and first_local/last_local (as in\n"
		"the trace), stopped (end, max-events, max-seconds, signal).",
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
	r.path = pos[0];

	int rc = SIM_EXIT_USAGE;
	FILE *f = NULL;
	struct sim_conn conn;
	struct sim_net net;
	memset(&conn, 0, sizeof(conn));
	memset(&net, 0, sizeof(net));
	char err[600], cid[96];
	if (shift && keep) {
		sim_error(CMD, "--shift-to-now and --keep-time exclude each other");
		goto out;
	}
	if (!sim_zone_exists(tz)) {
		sim_error(CMD, "--tz: unknown time zone '%s'", tz);
		goto out;
	}
	setenv("TZ", tz, 1);
	tzset();
	if (map_path && !sim_trace_map_load(&r.map, map_path, err, sizeof(err))) {
		sim_error(CMD, "--map: %s", err);
		goto out;
	}
	f = fopen(r.path, "r");
	if (!f) {
		sim_error(CMD, "cannot open %s", r.path);
		goto out;
	}
	if (!dry_run) {
		snprintf(cid, sizeof(cid), "carenet-sim-replay-%ld", (long)getpid());
		if (!sim_conn_init(&conn, &common, cid, (int)inflight, &r))
			goto out;
		sim_net_add(&net, &conn);
		if (!sim_conn_start(&conn) || !sim_net_wait_connected(&net, CMD, 10))
			goto out;
	}

	double start = sim_mono_s(), end = start + common.max_seconds;
	double next_progress = start + (common.progress_s > 0 ? common.progress_s : 1e18);
	int64_t start_wall = sim_now_ms(), t0 = 0;
	int64_t first_ts = 0, last_ts = 0;
	char first_local[32] = "", last_local[32] = "";
	const char *stopped = "end";
	char line[LINE_MAX_BYTES];
	while (fgets(line, sizeof(line), f)) {
		r.lines++;
		if (!strchr(line, '\n') && !feof(f)) {
			int c;
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			r.bad++;
			warn_line(&r, "skipped", "line over 1023 bytes");
			continue;
		}
		struct sim_trace_event ev;
		const char *why;
		enum sim_trace_result pr = sim_trace_parse_line(line, &ev, &why);
		if (pr == SIM_TRACE_BLANK)
			continue;
		if (pr != SIM_TRACE_EVENT) {
			if (pr == SIM_TRACE_BAD)
				r.bad++;
			else
				r.skipped++;
			warn_line(&r, pr == SIM_TRACE_BAD ? "malformed" : "skipped", why);
			continue;
		}
		const char *id = device_for(&r, ev.sensor, ev.kind);
		if (!id) {
			r.skipped++;
			warn_line(&r, "skipped",
			          "no valid device id from this sensor name (too long?)");
			continue;
		}
		if (max_events > 0 && r.events >= (unsigned long)max_events) {
			stopped = "max-events";
			break;
		}
		if (r.events == 0)
			t0 = ev.ms;
		int64_t ts = keep ? ev.ms : start_wall + (ev.ms - t0);
		r.events++;
		if (dry_run) {
			if (r.events == 1) {
				first_ts = ts;
				snprintf(first_local, sizeof(first_local), "%s", ev.stamp);
			}
			last_ts = ts;
			snprintf(last_local, sizeof(last_local), "%s", ev.stamp);
			continue;
		}
		/* Wait for the event's moment (never for a line that goes back in
		 * time), then for room in the QoS 1 window. */
		double due = as_fast ? 0 : start + (double)(ev.ms - t0) / 1000.0 / speed;
		for (;;) {
			double now = sim_mono_s();
			if (now >= next_progress) {
				sim_note(&common, CMD, "%.1f s: %lu events published, trace at %s",
				         now - start, r.published, ev.stamp);
				next_progress += common.progress_s;
			}
			if (sim_stopping()) {
				stopped = "signal";
				break;
			}
			if (now >= end || due >= end) {
				stopped = "max-seconds";
				break;
			}
			bool window_full = qos == 1 && r.published - conn.n_publish_done >=
			                                       (unsigned long)inflight;
			if (now >= due && conn.connected && !window_full &&
			    !sim_conn_want_write(&conn))
				break;
			double wait = due - now;
			sim_net_run(&net, now >= due   ? 1
			                  : wait > 0.1 ? 100
			                               : (int)(wait * 1000) + 1);
		}
		if (strcmp(stopped, "end") != 0) {
			r.events--;
			break;
		}
		char topic[SIM_TOPIC_MAX], payload[SIM_PAYLOAD_MAX];
		sim_topic_dev(topic, sizeof(topic), common.root, id, "event");
		event_payload(&ev, ts, (long long)seq_base + (long long)r.lines, payload,
		              sizeof(payload));
		int e = sim_conn_publish(&conn, topic, payload, (int)qos, false, NULL);
		if (e != MOSQ_ERR_SUCCESS) {
			sim_error(CMD, "publish: %s", mosquitto_strerror(e));
			r.events--;
			stopped = "error";
			break;
		}
		r.published++;
		if (r.published == 1) {
			first_ts = ts;
			snprintf(first_local, sizeof(first_local), "%s", ev.stamp);
		}
		last_ts = ts;
		snprintf(last_local, sizeof(last_local), "%s", ev.stamp);
		if (as_fast && r.published % 64 == 0)
			sim_net_run(&net, 0);
	}
	if (strcmp(stopped, "end") == 0 && ferror(f)) {
		sim_error(CMD, "read error in %s", r.path);
		stopped = "error";
	}
	bool drained = dry_run || sim_net_drain(&net, &conn.n_publish_done, r.published, 10);
	if (!drained)
		sim_note(&common, CMD, "only %lu of %lu publishes completed", conn.n_publish_done,
		         r.published);
	if (strcmp(stopped, "max-seconds") == 0)
		sim_note(&common, CMD, "stopped at --max-seconds %g", common.max_seconds);

	json_t *o = json_object();
	char tsbuf[32];
	json_object_set_new(o, "trace", json_string(r.path));
	json_object_set_new(o, "lines", json_integer((json_int_t)r.lines));
	json_object_set_new(o, "events", json_integer((json_int_t)r.events));
	json_object_set_new(o, "published", json_integer((json_int_t)r.published));
	json_object_set_new(o, "puback",
	                    dry_run || qos == 0 ? json_null()
	                                        : json_integer((json_int_t)conn.n_publish_done));
	json_object_set_new(o, "skipped", json_integer((json_int_t)r.skipped));
	json_object_set_new(o, "bad", json_integer((json_int_t)r.bad));
	json_object_set_new(o, "devices", json_integer((json_int_t)r.n_devs));
	cn_time_format_rfc3339(first_ts, tsbuf);
	json_object_set_new(o, "first", r.events ? json_string(tsbuf) : json_null());
	cn_time_format_rfc3339(last_ts, tsbuf);
	json_object_set_new(o, "last", r.events ? json_string(tsbuf) : json_null());
	json_object_set_new(o, "first_local", r.events ? json_string(first_local) : json_null());
	json_object_set_new(o, "last_local", r.events ? json_string(last_local) : json_null());
	json_object_set_new(o, "tz", json_string(tz));
	json_object_set_new(o, "elapsed_s", sim_json_real3(sim_mono_s() - start));
	json_object_set_new(o, "stopped", json_string(stopped));
	if (print_devices) {
		json_t *ids = json_array(), *types = json_object();
		for (size_t i = 0; i < r.n_devs; i++) {
			json_array_append_new(ids, json_string(r.devs[i].id));
			json_object_set_new(types, r.devs[i].id,
			                    json_string(kind_names[r.devs[i].kind]));
		}
		json_object_set_new(o, "device_ids", ids);
		json_object_set_new(o, "device_types", types);
	}
	sim_json_print(o);
	rc = strcmp(stopped, "error") == 0 || !drained ? SIM_EXIT_FAIL : SIM_EXIT_OK;
out:
	if (f)
		fclose(f);
	sim_conn_close(&conn, true);
	sim_net_free(&net);
	sim_trace_map_free(&r.map);
	free(r.sensors);
	free(r.devs);
	return rc;
}
