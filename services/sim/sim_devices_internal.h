/* carenet-sim devices, shared by its two files: sim_devices.c (the homes:
 * their MQTT clients, devices and presses) and sim_devices_cli.c (options,
 * the run, the summary). See sim_devices.c for what is simulated. */
#ifndef CN_SIM_DEVICES_INTERNAL_H
#define CN_SIM_DEVICES_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "sim_common.h"
#include "sim_net.h"

#define CMD "devices"

enum kind { K_MOTION, K_DOOR, K_BED, K_SOS, K_LEAK, K_SMOKE, K_COUNT };

struct device {
	char id[SIM_ID_MAX + 1];
	int battery;
	int linkquality;
	bool state;         /* motion seen, door open, bed occupied */
	int64_t next_hb_ms; /* monotonic */
	int64_t next_ev_ms; /* next trigger (motion, door) or check (bed) */
	int64_t revert_ms;  /* motion clears / door closes; 0 = nothing due */
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

/* Sets up home number `no` (1-based) of `s`: device ids, schedules, its
 * MQTT client. Returns false (reported) when the client cannot be made. */
bool devsim_home_init(struct devsim *s, struct home *h, int no);
/* Starts the home's connection. Returns false (reported) on failure. */
bool devsim_home_connect(struct devsim *s, struct home *h);
/* Every device of `h` says online (or offline). */
void devsim_announce_all(struct home *h, bool online);
/* The enrolment list of every simulated device; the caller owns it. */
json_t *devsim_device_list(const struct devsim *s);
/* Runs every home until `until` (monotonic s); with `ending`, only until
 * no press is pending. */
void devsim_run(struct devsim *s, double until, bool ending, double start, double *next_progress);

#endif
