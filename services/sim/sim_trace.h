/* carenet-sim: reading CASAS smart-home traces. Pure apart from the map
 * file: no MQTT here, so the parsing can be checked on its own.
 *
 * A trace line is `YYYY-MM-DD HH:MM:SS[.ffffff]<ws>SENSOR<ws>VALUE[<ws>...]`:
 * local wall-clock time of the home without a zone, tab- or
 * space-separated, trailing whitespace and extra columns (activity labels
 * in annotated CASAS sets) allowed. */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_common.h"

#define SIM_SENSOR_MAX 63

enum sim_trace_kind {
	SIM_TRACE_MOTION,      /* ON / OFF */
	SIM_TRACE_DOOR,        /* OPEN / CLOSE(D) */
	SIM_TRACE_TEMPERATURE, /* a number, -50..100 as the contract allows */
};

struct sim_trace_event {
	int64_t ms;     /* epoch ms: the wall time read in the process's TZ */
	char stamp[32]; /* the time as written in the file */
	char sensor[SIM_SENSOR_MAX + 1];
	enum sim_trace_kind kind;
	bool on;       /* motion true / door open */
	double number; /* temperature */
};

enum sim_trace_result {
	SIM_TRACE_EVENT, /* *ev filled */
	SIM_TRACE_BLANK, /* empty line or # comment */
	SIM_TRACE_BAD,   /* malformed: *why says how */
	SIM_TRACE_SKIP,  /* well-formed, but a value we do not map: *why */
};

/* Parses one line (NUL-terminated; a trailing newline is fine). The time
 * is checked against the calendar and converted with mktime() in the
 * current TZ (tm_isdst = -1: a time in a DST gap moves forward, a repeated
 * one takes one of its two instants). `why` is a static string. */
enum sim_trace_result sim_trace_parse_line(const char *line, struct sim_trace_event *ev,
                                           const char **why);

/* Sensor names to device ids, from a file of `SENSOR DEVICE_ID` lines
 * (# comments, blank lines). */
struct sim_trace_map {
	struct sim_trace_pair {
		char sensor[SIM_SENSOR_MAX + 1];
		char id[SIM_ID_MAX + 1];
	} * pairs;
	size_t n, cap;
};

/* Loads `path`; on failure writes "file:line: reason" into err. A
 * repeated sensor or an invalid device id is a failure. */
bool sim_trace_map_load(struct sim_trace_map *m, const char *path, char *err, size_t err_cap);
/* The id mapped to `sensor`, or NULL. Borrowed from the map. */
const char *sim_trace_map_find(const struct sim_trace_map *m, const char *sensor);
void sim_trace_map_free(struct sim_trace_map *m);

/* The automatic id "{prefix}-{sensor}", lower-cased, every character a
 * device id may not hold replaced by '-' (and ".." broken up). False when
 * the result is not a valid device id (too long). */
bool sim_trace_auto_id(const char *prefix, const char *sensor, char out[SIM_ID_MAX + 1]);

#endif
