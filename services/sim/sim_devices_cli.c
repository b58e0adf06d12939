/* carenet-sim devices, the command: options, connecting the homes, the
 * run and its end, and the summary (the homes themselves are
 * sim_devices.c). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "sim_cmds.h"
#include "sim_devices_internal.h"
#include "xalloc.h"

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
		{"homes", SIM_OPT_LONG, &s.homes_n, 1, 5000, "N",
	         "number of homes (one MQTT client each)"},
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
		{"tz", SIM_OPT_STR, &tz, 0, 0, "ZONE",
	         "zone for day (07-22) and night (default: system)"},
		{"seed", SIM_OPT_LONG, &seed, 0, 9007199254740991.0, "N",
	         "random seed (0: from the clock)"},
		{"exit", SIM_OPT_STR, &exit_mode, 0, 0, "MODE",
	         "at the end: offline (each device says so), quiet, abrupt (broker sends the wills)"},
		{"print-devices", SIM_OPT_FLAG, &print_devices, 0, 0, NULL,
	         "add the device list (id, kind, protocol, z2m_name, exit_door) to the summary"},
		{"dry-run", SIM_OPT_FLAG, &dry_run, 0, 0, NULL,
	         "connect nothing, only print the summary"},
	};
	const struct sim_cmd_spec spec = {
		CMD,
		"--homes N [options]",
		"Simulates N homes, each with motion, door (exit door), bed, SOS pendant, water\n"
		"leak and smoke devices, one MQTT client per home with the last will on the\n"
		"pendant's status. Native format: {root}/dev/{id}/event|heartbeat|status;\n"
		"z2m: {z2m_base}/{id} state JSON and {z2m_base}/{id}/availability. Pendants\n"
		"repeat a press until acked. Prints one JSON summary line: presses, acked,\n"
		"unacked, latency_p50_ms/p99/max (first publish to ack), repeats. Exit 1 when\n"
		"a native press stayed unacked after --ack-grace.",
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
		if (!devsim_home_init(&s, &s.homes[i], (int)(i + 1)))
			goto out;
	if (!dry_run) {
		/* A client holds three descriptors (socket and a socket pair). */
		struct rlimit rl;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		for (long i = 0; i < s.homes_n; i++)
			if (!devsim_home_connect(&s, &s.homes[i]))
				goto out;
		if (!sim_net_wait_connected(&s.net, CMD, 10.0 + (double)s.homes_n / 50.0))
			goto out;
	}

	double start = sim_mono_s();
	double limit = seconds < common.max_seconds ? seconds : common.max_seconds;
	double next_progress = start + (common.progress_s > 0 ? common.progress_s : 1e18);
	if (!dry_run) {
		devsim_run(&s, start + limit, false, start, &next_progress);
		double hard_end = start + common.max_seconds;
		/* A Zigbee button gets no receipt it could act on: nothing to wait for. */
		double grace_end = sim_mono_s() + (s.z2m ? 0 : grace);
		devsim_run(&s, grace_end < hard_end ? grace_end : hard_end, true, start,
		           &next_progress);
		sim_net_drain(&s.net, &s.done, s.sent, 5);
		if (strcmp(exit_mode, "offline") == 0) {
			for (long i = 0; i < s.homes_n; i++)
				if (s.homes[i].conn.connected)
					devsim_announce_all(&s.homes[i], false);
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
		json_object_set_new(o, "device_list", devsim_device_list(&s));
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
