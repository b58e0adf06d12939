/* carenet-sim, shared parts: option tables, time, a seeded random source,
 * JSON output, percentiles and topic helpers. Every subcommand is
 * single-threaded (see sim_net.h for why). */
#ifndef SIM_COMMON_H
#define SIM_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Exit codes of every subcommand. */
#define SIM_EXIT_OK    0 /* done, the goal was met */
#define SIM_EXIT_FAIL  1 /* ran, but the goal was not (a press not acked) */
#define SIM_EXIT_USAGE 2 /* bad options, unreadable input, no broker */

#define SIM_TOPIC_MAX   512
#define SIM_PAYLOAD_MAX 512
#define SIM_ID_MAX      64  /* a device id, as the contract's CN_DEVICE_ID_MAX */
#define SIM_BASE_MAX    128 /* --root and --z2m-base */

/* ---- options ---- */

/* Connection and run-time options every subcommand takes. Strings are
 * borrowed from argv (or static defaults) and live as long as main(). */
struct sim_common {
	const char *host;
	long port;
	const char *root;     /* topic root, "carenet" */
	const char *z2m_base; /* "zigbee2mqtt" */
	const char *username;
	const char *password;
	const char *cafile;
	long keepalive;
	double max_seconds; /* hard bound on every run */
	double progress_s;  /* stderr progress period; 0 = none */
	bool quiet;         /* no progress or notes on stderr */
};

enum sim_opt_type {
	SIM_OPT_LONG,   /* dst is long *, range [min, max] */
	SIM_OPT_DOUBLE, /* dst is double *, range [min, max] */
	SIM_OPT_STR,    /* dst is const char ** (borrowed from argv) */
	SIM_OPT_FLAG,   /* dst is bool *, set to true, takes no value */
};

/* One --name option. The value already in *dst is the default, shown by
 * --help. */
struct sim_opt {
	const char *name; /* without the leading "--" */
	enum sim_opt_type type;
	void *dst;
	double min, max;
	const char *arg; /* value name in --help: "N", "S", "FILE" */
	const char *help;
};

struct sim_cmd_spec {
	const char *name;     /* "press" */
	const char *synopsis; /* "DEVICE [options]" */
	const char *about;    /* what it does, for --help */
	const struct sim_opt *opts;
	size_t n_opts;
	size_t min_pos, max_pos; /* positional arguments */
};

/* Fills the common defaults: 127.0.0.1:1883, root "carenet", z2m base
 * "zigbee2mqtt", keepalive 30, max 600 s, progress every 5 s. */
void sim_common_defaults(struct sim_common *c);

/* Parses argv (argv[0] is the subcommand) against the spec's table and the
 * common options; `--name value` and `--name=value`. Positional arguments
 * go to pos[] (room for spec->max_pos). Returns 0 when parsed, 1 when
 * --help was printed (exit 0), 2 after printing an error that names the
 * option (exit SIM_EXIT_USAGE). Numbers go through strtol/strtod with an
 * end pointer and the table's range. */
int sim_opts_parse(const struct sim_cmd_spec *spec, int argc, char **argv,
                   struct sim_common *common, const char **pos, size_t *n_pos);

/* Prints "carenet-sim CMD: message" to stderr (printf format). */
void sim_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, unless common->quiet. For progress lines and notes. */
void sim_note(const struct sim_common *c, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- time, signals, randomness ---- */

double sim_mono_s(void);   /* monotonic seconds, sub-microsecond precision */
int64_t sim_mono_ms(void); /* monotonic milliseconds */
int64_t sim_now_ms(void);  /* wall clock, epoch milliseconds */

/* SIGINT/SIGTERM ask the run to stop (it then prints its summary);
 * SIGPIPE is ignored. The flag is the one piece of process state. */
void sim_signals_install(void);
bool sim_stopping(void);

/* splitmix64: small, seedable, good enough for arrival times. */
struct sim_rng {
	uint64_t s;
};
void sim_rng_seed(struct sim_rng *r, uint64_t seed); /* 0 seeds from time */
uint64_t sim_rng_next(struct sim_rng *r);
double sim_rng_unit(struct sim_rng *r);             /* in (0, 1) */
double sim_rng_exp(struct sim_rng *r, double mean); /* exponential */

/* ---- numbers out ---- */

/* A growable array of samples (latencies in ms). */
struct sim_samples {
	double *v;
	size_t n, cap;
};
void sim_samples_add(struct sim_samples *s, double x);
/* Nearest-rank percentile, p in 0..100; sorts s->v in place. 0 when empty. */
double sim_samples_pct(struct sim_samples *s, double p);
double sim_samples_max(const struct sim_samples *s);
void sim_samples_free(struct sim_samples *s);

/* Prints obj as one compact JSON line on stdout and flushes; takes
 * ownership of obj (decrefs it). */
void sim_json_print(json_t *obj);
/* A number rounded to 3 decimals, so summaries stay readable. */
json_t *sim_json_real3(double x);

/* True when `tz` names a zone file we can read (or is UTC, GMT or a
 * ":"-prefixed TZ value): glibc silently uses UTC for an unknown zone. */
bool sim_zone_exists(const char *tz);

/* Writes "{root}/dev/{id}/{kind}" into out. Returns false if it does not fit. */
bool sim_topic_dev(char *out, size_t cap, const char *root, const char *id, const char *kind);
/* Writes "{base}/{name}" or, with sub, "{base}/{name}/{sub}". */
bool sim_topic_z2m(char *out, size_t cap, const char *base, const char *name, const char *sub);
/* What the service's ack on {root}/dev/{id}/ack carries:
 * {"seq": N|null, "event_id": E, "alert_id": A|null}. Ids are kept as
 * text whether the service sends strings or numbers; "" means null. */
struct sim_ack {
	bool has_seq;
	int64_t seq;
	char event_id[64];
	char alert_id[64];
};
/* Parses an ack payload (len bytes). Returns false when it is not a JSON
 * object; missing or odd fields leave their defaults (no seq, ""). */
bool sim_ack_parse(const void *payload, int len, struct sim_ack *out);
/* Adds "event_id" and "alert_id" (a string or null) to obj. */
void sim_ack_to_json(const struct sim_ack *a, json_t *obj);

#endif
