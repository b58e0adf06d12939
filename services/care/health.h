/* Vital-sign thresholds of care-model.md "Health readings": the site
 * defaults, the clinic's per-resident overrides merged over them, and
 * the decision a reading makes. Pure: no I/O, no clock, no state.
 *
 * A bound is a number or unset (HEALTH_UNSET). Per measure:
 *   low           P2 when the reading is below it
 *   high          P2 when the reading is at or above it
 *   critical_low  P1 when the reading is below it
 *   critical      P1 when the reading is at or above it
 * The grade boundaries of the guidelines are "from 160", "below 90":
 * hence at-or-above for the upper bounds, strictly below for the lower. */
#ifndef CN_HEALTH_H
#define CN_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "measurement.h"

/* The measures a threshold is set on. A blood-pressure reading is three
 * measures (its pulse is a heart rate); a glucose reading is one. */
enum health_measure {
	HM_SYSTOLIC,
	HM_DIASTOLIC,
	HM_GLUCOSE,
	HM_SPO2,
	HM_HEART_RATE,
	HM_BODY_TEMPERATURE,
	HM_WEIGHT,
	HM_COUNT
};

#define HEALTH_UNSET (-1.0e300)

struct health_bounds {
	double low, high, critical_low, critical;
};

struct health_thresholds {
	struct health_bounds m[HM_COUNT];
};

/* "systolic", "glucose", ... Never NULL. */
const char *health_measure_name(enum health_measure m);
bool health_measure_from_name(const char *name, enum health_measure *out);
/* The unit for messages: "mmHg", "mmol/L", "%", "bpm", "C", "kg". */
const char *health_measure_unit(enum health_measure m);

/* The built-in site defaults of care-model.md (weight: no bounds). */
void health_thresholds_default(struct health_thresholds *out);

/* Merges a thresholds document over `base`, in place:
 * {"systolic": {"low": 90, "high": 160, "critical": 180}, ...}. A number
 * sets that bound, null unsets it (the clinic turns a bound off), an
 * absent key inherits. `doc` is borrowed; NULL merges nothing. Only
 * documents that health_thresholds_check() accepted are merged. */
void health_thresholds_merge(struct health_thresholds *base, const json_t *doc);

/* Validates a thresholds document (a PUT body). Returns false and names
 * the offending field in `field` ("systolic.high") when: it is not an
 * object; a key is not a measure; a measure is not an object; a key in
 * it is not low/high/critical_low/critical; a bound is neither a number
 * nor null; or the bounds of one measure contradict each other
 * (critical_low > low, low >= high, high > critical). */
bool health_thresholds_check(const json_t *doc, char *field, size_t field_size);

/* Whether merged thresholds still make sense: for every measure,
 * critical_low < low < high <= critical among the bounds that are set.
 * False names the first offending "measure.bound" in `field`. A PUT that
 * is consistent alone can contradict what it is merged over (a resident's
 * low of 130 under a site high of 110). */
bool health_thresholds_consistent(const struct health_thresholds *t, char *field,
                                  size_t field_size);

/* The full set as a document with every measure and bound (unset bounds
 * as null). New reference. */
json_t *health_thresholds_json(const struct health_thresholds *t);

/* What one measure's reading means. priority 0: within its bounds. */
struct health_finding {
	enum health_measure measure;
	int priority; /* 0, 2 (low/high) or 1 (a critical bound) */
	double value;
	double bound;
	char detail[128]; /* "systolic 185 mmHg at or above critical 180" */
};

#define HEALTH_MAX_FINDINGS 3

/* Evaluates a validated reading against thresholds. Writes one finding
 * per measure the reading carries (in `out`, priority 0 when fine) and
 * returns how many: blood_pressure 2 or 3 (systolic, diastolic, pulse as
 * heart_rate), the others 1. */
size_t health_evaluate(const struct cn_measurement *m, const struct health_thresholds *t,
                       struct health_finding out[HEALTH_MAX_FINDINGS]);

#endif
