/* carenet-sim: device simulator, trace replayer and load generator for
 * CareNet. One binary, one subcommand per job; see usage() below. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include <mosquitto.h>

#include "sim_cmds.h"
#include "sim_common.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *about;
};

static const struct subcommand subcommands[] = {
	{"devices", sim_devices_main,
         "simulated homes: motion, door, bed, SOS pendant, leak, smoke"},
	{"press", sim_press_main, "one SOS press from a native device, repeated until acked"},
	{"replay", sim_replay_main, "publish a CASAS trace as native events"},
	{"evaluate", sim_evaluate_main, "rule what-if: the alerts a trace would have raised"},
	{"pages", sim_pages_main, "alarm latency: SOS publish to first staff page and to ack"},
	{"load", sim_load_main, "benchmark load generator (fixed rate or as fast as possible)"},
	{"sink", sim_sink_main, "subscribe and count, for the bare broker's pass-through"},
	{"receive", sim_receive_main,
         "a local channel receiver: prints webhook, gateway, robot and SMTP messages"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: carenet-sim COMMAND [options]   (carenet-sim COMMAND --help)\n\n"
	           "commands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-8s %s\n", subcommands[i].name, subcommands[i].about);
	fprintf(f, "\nExit status: 0 done, 1 goal not met (e.g. no ack), 2 usage or "
	           "connection error.\nResults are JSON lines on stdout; progress goes to "
	           "stderr.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return SIM_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return SIM_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (strcmp(argv[1], subcommands[i].name) != 0)
			continue;
		sim_signals_install();
		mosquitto_lib_init();
		int rc = subcommands[i].run(argc - 1, argv + 1);
		mosquitto_lib_cleanup();
		return rc;
	}
	fprintf(stderr, "carenet-sim: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return SIM_EXIT_USAGE;
}
