/* carenet-sim shared parts; see sim_common.h. */
#define _POSIX_C_SOURCE 200809L
#include "sim_common.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xalloc.h"

/* The one piece of process state: set by the signal handler, read by the
 * loops. A signal handler can reach nothing else. */
static volatile sig_atomic_t stop_flag;

#define COMMON_OPTS 11

void sim_common_defaults(struct sim_common *c)
{
	memset(c, 0, sizeof(*c));
	c->host = "127.0.0.1";
	c->port = 1883;
	c->root = "carenet";
	c->z2m_base = "zigbee2mqtt";
	c->keepalive = 30;
	c->max_seconds = 600;
	c->progress_s = 5;
}

static size_t common_table(struct sim_common *c, struct sim_opt out[COMMON_OPTS])
{
	const struct sim_opt t[COMMON_OPTS] = {
		{"host", SIM_OPT_STR, &c->host, 0, 0, "HOST", "broker host"},
		{"port", SIM_OPT_LONG, &c->port, 1, 65535, "PORT", "broker port"},
		{"root", SIM_OPT_STR, &c->root, 0, 0, "ROOT", "topic root of the native topics"},
		{"z2m-base", SIM_OPT_STR, &c->z2m_base, 0, 0, "BASE", "Zigbee2MQTT base topic"},
		{"username", SIM_OPT_STR, &c->username, 0, 0, "USER", "broker user name"},
		{"password", SIM_OPT_STR, &c->password, 0, 0, "PASS", "broker password"},
		{"cafile", SIM_OPT_STR, &c->cafile, 0, 0, "FILE",
	         "CA certificate: connect with TLS"},
		{"keepalive", SIM_OPT_LONG, &c->keepalive, 5, 3600, "S", "MQTT keepalive seconds"},
		{"max-seconds", SIM_OPT_DOUBLE, &c->max_seconds, 0.1, 1209600, "S",
	         "hard limit on the run (a final drain of\n"
	         "                         PUBACKs or acks may add up to ~10 s)"},
		{"progress", SIM_OPT_DOUBLE, &c->progress_s, 0, 3600, "S",
	         "progress line on stderr every S seconds (0: none)"},
		{"quiet", SIM_OPT_FLAG, &c->quiet, 0, 0, NULL, "no progress or notes on stderr"},
	};
	memcpy(out, t, sizeof(t));
	return COMMON_OPTS;
}

void sim_error(const char *cmd, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "carenet-sim %s: %s\n", cmd, msg);
}

void sim_note(const struct sim_common *c, const char *cmd, const char *fmt, ...)
{
	if (c->quiet)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "carenet-sim %s: %s\n", cmd, msg);
}

static void print_opts(const struct sim_opt *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char left[64], def[160] = "";
		snprintf(left, sizeof(left), "--%s%s%s", o[i].name, o[i].arg ? " " : "",
		         o[i].arg ? o[i].arg : "");
		switch (o[i].type) {
		case SIM_OPT_LONG:
			snprintf(def, sizeof(def), " (default %ld)", *(const long *)o[i].dst);
			break;
		case SIM_OPT_DOUBLE:
			snprintf(def, sizeof(def), " (default %g)", *(const double *)o[i].dst);
			break;
		case SIM_OPT_STR: {
			const char *v = *(const char *const *)o[i].dst;
			if (v)
				snprintf(def, sizeof(def), " (default %s)", v);
			break;
		}
		case SIM_OPT_FLAG:
			break;
		}
		printf("  %-22s %s%s\n", left, o[i].help, def);
	}
}

static void print_help(const struct sim_cmd_spec *spec, const struct sim_opt *common, size_t nc)
{
	printf("usage: carenet-sim %s %s\n\n%s\n\noptions:\n", spec->name, spec->synopsis,
	       spec->about);
	print_opts(spec->opts, spec->n_opts);
	printf("common options:\n");
	print_opts(common, nc);
	printf("  %-22s %s\n", "--help", "this text");
	fflush(stdout);
}

static const struct sim_opt *find_opt(const struct sim_opt *t, size_t n, const char *name,
                                      size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(t[i].name) == len && strncmp(t[i].name, name, len) == 0)
			return &t[i];
	return NULL;
}

/* Stores `val` into the option's destination; false after an error that
 * names the option. */
static bool set_opt(const char *cmd, const struct sim_opt *o, const char *val)
{
	char *end = NULL;
	errno = 0;
	switch (o->type) {
	case SIM_OPT_LONG: {
		long v = strtol(val, &end, 10);
		if (end == val || *end != '\0' || errno == ERANGE) {
			sim_error(cmd, "--%s: not an integer: '%s'", o->name, val);
			return false;
		}
		if ((double)v < o->min || (double)v > o->max) {
			sim_error(cmd, "--%s: %ld is outside %g..%g", o->name, v, o->min, o->max);
			return false;
		}
		*(long *)o->dst = v;
		return true;
	}
	case SIM_OPT_DOUBLE: {
		double v = strtod(val, &end);
		if (end == val || *end != '\0' || errno == ERANGE || !isfinite(v)) {
			sim_error(cmd, "--%s: not a number: '%s'", o->name, val);
			return false;
		}
		if (v < o->min || v > o->max) {
			sim_error(cmd, "--%s: %g is outside %g..%g", o->name, v, o->min, o->max);
			return false;
		}
		*(double *)o->dst = v;
		return true;
	}
	case SIM_OPT_STR:
		if (!*val) {
			sim_error(cmd, "--%s: empty value", o->name);
			return false;
		}
		*(const char **)o->dst = val;
		return true;
	case SIM_OPT_FLAG:
		*(bool *)o->dst = true;
		return true;
	}
	return false;
}

int sim_opts_parse(const struct sim_cmd_spec *spec, int argc, char **argv,
                   struct sim_common *common, const char **pos, size_t *n_pos)
{
	struct sim_opt ct[COMMON_OPTS];
	size_t nc = common_table(common, ct);
	bool only_pos = false;
	*n_pos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!only_pos && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
			print_help(spec, ct, nc);
			return 1;
		}
		if (!only_pos && strcmp(a, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (only_pos || strncmp(a, "--", 2) != 0) {
			if (*n_pos >= spec->max_pos) {
				sim_error(spec->name, "unexpected argument '%s' (see --help)", a);
				return 2;
			}
			pos[(*n_pos)++] = a;
			continue;
		}
		const char *name = a + 2;
		const char *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const struct sim_opt *o = find_opt(spec->opts, spec->n_opts, name, len);
		if (!o)
			o = find_opt(ct, nc, name, len);
		if (!o) {
			sim_error(spec->name, "unknown option --%.*s (see --help)", (int)len, name);
			return 2;
		}
		const char *val = NULL;
		if (o->type == SIM_OPT_FLAG) {
			if (eq) {
				sim_error(spec->name, "--%s takes no value", o->name);
				return 2;
			}
		} else if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			sim_error(spec->name, "--%s needs a value", o->name);
			return 2;
		}
		if (!set_opt(spec->name, o, val ? val : ""))
			return 2;
	}
	/* Bounded here once, so every topic built from them fits SIM_TOPIC_MAX. */
	const char *bases[2] = {common->root, common->z2m_base};
	for (size_t b = 0; b < 2; b++)
		if (strlen(bases[b]) > SIM_BASE_MAX || strpbrk(bases[b], "+#")) {
			sim_error(spec->name, "--%s: over %d bytes or has a wildcard",
			          b ? "z2m-base" : "root", SIM_BASE_MAX);
			return 2;
		}
	if (*n_pos < spec->min_pos) {
		sim_error(spec->name, "missing argument: usage: carenet-sim %s %s", spec->name,
		          spec->synopsis);
		return 2;
	}
	return 0;
}

/* ---- time, signals, randomness ---- */

double sim_mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int64_t sim_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t sim_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

void sim_signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

bool sim_stopping(void) { return stop_flag != 0; }

void sim_rng_seed(struct sim_rng *r, uint64_t seed)
{
	if (seed == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec;
	}
	r->s = seed;
}

uint64_t sim_rng_next(struct sim_rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

double sim_rng_unit(struct sim_rng *r)
{
	/* 53 random bits, shifted off zero so that log() below stays finite. */
	return ((double)(sim_rng_next(r) >> 11) + 0.5) / 9007199254740992.0;
}

double sim_rng_exp(struct sim_rng *r, double mean) { return -log(sim_rng_unit(r)) * mean; }

/* ---- numbers out ---- */

void sim_samples_add(struct sim_samples *s, double x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = x;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double sim_samples_pct(struct sim_samples *s, double p)
{
	if (s->n == 0)
		return 0;
	qsort(s->v, s->n, sizeof(*s->v), cmp_double);
	/* Nearest rank: the smallest sample with at least p% at or below it. */
	double rank = ceil(p / 100.0 * (double)s->n);
	size_t i = rank < 1 ? 0 : (size_t)rank - 1;
	if (i >= s->n)
		i = s->n - 1;
	return s->v[i];
}

double sim_samples_max(const struct sim_samples *s)
{
	double m = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] > m)
			m = s->v[i];
	return m;
}

void sim_samples_free(struct sim_samples *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

void sim_json_print(json_t *obj)
{
	char *text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	if (text) {
		fputs(text, stdout);
		fputc('\n', stdout);
		free(text);
	}
	fflush(stdout);
	json_decref(obj);
}

json_t *sim_json_real3(double x) { return json_real(round(x * 1000.0) / 1000.0); }

/* glibc quietly falls back to UTC for a zone it cannot find: a trace
 * would then be off by hours without a word. Refuse instead. */
bool sim_zone_exists(const char *tz)
{
	if (tz[0] == ':' || strcmp(tz, "UTC") == 0 || strcmp(tz, "GMT") == 0)
		return true;
	if (strstr(tz, "..") || tz[0] == '/')
		return false;
	const char *dir = getenv("TZDIR");
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
	return access(path, R_OK) == 0;
}

bool sim_topic_dev(char *out, size_t cap, const char *root, const char *id, const char *kind)
{
	int n = snprintf(out, cap, "%s/dev/%s/%s", root, id, kind);
	return n > 0 && (size_t)n < cap;
}

bool sim_topic_z2m(char *out, size_t cap, const char *base, const char *name, const char *sub)
{
	int n = sub ? snprintf(out, cap, "%s/%s/%s", base, name, sub)
	            : snprintf(out, cap, "%s/%s", base, name);
	return n > 0 && (size_t)n < cap;
}

static void id_text(json_t *v, char *out, size_t cap)
{
	if (json_is_string(v))
		snprintf(out, cap, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, cap, "%lld", (long long)json_integer_value(v));
	else
		out[0] = '\0';
}

bool sim_ack_parse(const void *payload, int len, struct sim_ack *out)
{
	memset(out, 0, sizeof(*out));
	if (!payload || len <= 0)
		return false;
	json_t *root = json_loadb(payload, (size_t)len, 0, NULL);
	bool ok = json_is_object(root);
	if (ok) {
		json_t *seq = json_object_get(root, "seq");
		if (json_is_integer(seq)) {
			out->has_seq = true;
			out->seq = (int64_t)json_integer_value(seq);
		}
		id_text(json_object_get(root, "event_id"), out->event_id, sizeof(out->event_id));
		id_text(json_object_get(root, "alert_id"), out->alert_id, sizeof(out->alert_id));
	}
	json_decref(root);
	return ok;
}

void sim_ack_to_json(const struct sim_ack *a, json_t *obj)
{
	json_object_set_new(obj, "event_id",
	                    a->event_id[0] ? json_string(a->event_id) : json_null());
	json_object_set_new(obj, "alert_id",
	                    a->alert_id[0] ? json_string(a->alert_id) : json_null());
}
