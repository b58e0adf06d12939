/* Health measurements of contract section 7: the types, their values and
 * the physiological bounds a reading must lie within to be a reading at
 * all. A systolic of 900 is a broken cuff or a typing slip, not a
 * hypertensive crisis: it is refused here (400 by REST, quarantined over
 * MQTT) and never reaches the threshold rules. Pure: no I/O, no state.
 *
 * Values:
 *   blood_pressure   {"systolic", "diastolic", "pulse"} mmHg, mmHg, bpm;
 *                    pulse optional (null or absent)
 *   glucose          {"mmol_l", "context"}; context "fasting",
 *                    "after_meal" or "random" (optional, default random)
 *   spo2             number, %
 *   heart_rate       number, bpm
 *   body_temperature number, Celsius
 *   weight           number, kg
 * Bounds (inclusive; outside them the reading is refused):
 *   systolic 40-300, diastolic 20-200 and below the systolic, pulse and
 *   heart_rate 20-300, glucose 0.5-50, spo2 50-100, body_temperature
 *   25-45, weight 10-300. Unknown keys inside an object value are
 *   refused: a cuff that says "sys" instead of "systolic" must be seen. */
#ifndef CN_MEASUREMENT_H
#define CN_MEASUREMENT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "reject.h"

enum cn_meas_type {
	CN_MEAS_BLOOD_PRESSURE,
	CN_MEAS_GLUCOSE,
	CN_MEAS_SPO2,
	CN_MEAS_HEART_RATE,
	CN_MEAS_BODY_TEMPERATURE,
	CN_MEAS_WEIGHT,
	CN_MEAS_COUNT
};

enum cn_glucose_context { CN_GLU_RANDOM, CN_GLU_FASTING, CN_GLU_AFTER_MEAL };

struct cn_measurement {
	enum cn_meas_type type;
	double value;     /* spo2, heart_rate, body_temperature, weight; glucose mmol_l */
	double systolic;  /* blood_pressure */
	double diastolic; /* blood_pressure */
	double pulse;     /* blood_pressure; < 0 when not given */
	enum cn_glucose_context context; /* glucose */
};

/* "blood_pressure", ... Never NULL; "unknown" outside the enum. */
const char *cn_meas_type_name(enum cn_meas_type t);
/* Looks a type name up; false when it is not a measurement type. */
bool cn_meas_type_from_name(const char *name, enum cn_meas_type *out);
/* "fasting", "after_meal", "random". */
const char *cn_glucose_context_name(enum cn_glucose_context c);

/* Decodes and validates the `value` of a measurement of type `t`.
 * Returns CN_REJECT_NONE, CN_REJECT_BAD_TYPE (wrong JSON type, an
 * unknown key), CN_REJECT_MISSING_FIELD (systolic, diastolic or mmol_l
 * absent) or CN_REJECT_BAD_VALUE (outside the bounds above, a diastolic
 * not below the systolic, an unknown glucose context). `field` (may be
 * NULL) gets the name of the offending field ("value.systolic") for a
 * 400 message; `out` is zeroed on a reject. `j` is borrowed. */
enum cn_reject cn_measurement_decode(const json_t *j, enum cn_meas_type t,
                                     struct cn_measurement *out, char *field, size_t field_size);

/* The canonical JSON of the value (new reference; caller decrefs):
 * a number, or the object with every field spelled out. */
json_t *cn_measurement_value_json(const struct cn_measurement *m);

#endif
