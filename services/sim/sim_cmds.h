/* carenet-sim subcommands. Each takes argv with argv[0] = its own name,
 * parses its options, runs and returns the process exit code
 * (SIM_EXIT_OK, SIM_EXIT_FAIL or SIM_EXIT_USAGE). mosquitto_lib_init()
 * and the signal handlers are set up by main before the call. */
#ifndef SIM_CMDS_H
#define SIM_CMDS_H

int sim_devices_main(int argc, char **argv);
int sim_press_main(int argc, char **argv);
int sim_replay_main(int argc, char **argv);
int sim_load_main(int argc, char **argv);
int sim_sink_main(int argc, char **argv);
int sim_evaluate_main(int argc, char **argv);
int sim_pages_main(int argc, char **argv);
int sim_receive_main(int argc, char **argv);

#endif
