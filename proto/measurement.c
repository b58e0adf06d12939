/* Measurement values and their physiological bounds (measurement.h). */
#include "measurement.h"

#include <stdio.h>
#include <string.h>

static const char *const type_names[CN_MEAS_COUNT] = {
	[CN_MEAS_BLOOD_PRESSURE] = "blood_pressure",
	[CN_MEAS_GLUCOSE] = "glucose",
	[CN_MEAS_SPO2] = "spo2",
	[CN_MEAS_HEART_RATE] = "heart_rate",
	[CN_MEAS_BODY_TEMPERATURE] = "body_temperature",
	[CN_MEAS_WEIGHT] = "weight",
};

/* Physiological bounds for the single-number types, in enum order. */
static const struct {
	double lo, hi;
} number_bounds[CN_MEAS_COUNT] = {
	[CN_MEAS_GLUCOSE] = {0.5, 50.0},      [CN_MEAS_SPO2] = {50.0, 100.0},
	[CN_MEAS_HEART_RATE] = {20.0, 300.0}, [CN_MEAS_BODY_TEMPERATURE] = {25.0, 45.0},
	[CN_MEAS_WEIGHT] = {10.0, 300.0},
};

const char *cn_meas_type_name(enum cn_meas_type t)
{
	return (t >= 0 && t < CN_MEAS_COUNT) ? type_names[t] : "unknown";
}

bool cn_meas_type_from_name(const char *name, enum cn_meas_type *out)
{
	for (int i = 0; name && i < CN_MEAS_COUNT; i++) {
		if (strcmp(name, type_names[i]) == 0) {
			*out = (enum cn_meas_type)i;
			return true;
		}
	}
	return false;
}

const char *cn_glucose_context_name(enum cn_glucose_context c)
{
	switch (c) {
	case CN_GLU_FASTING:
		return "fasting";
	case CN_GLU_AFTER_MEAL:
		return "after_meal";
	case CN_GLU_RANDOM:
		break;
	}
	return "random";
}

static void name_field(char *field, size_t size, const char *name)
{
	if (field && size)
		snprintf(field, size, "%s", name);
}

/* A number within [lo, hi]; `name` names it when refused. */
static enum cn_reject bounded(const json_t *j, double lo, double hi, double *out, char *field,
                              size_t fsize, const char *name)
{
	if (!j || json_is_null(j)) {
		name_field(field, fsize, name);
		return CN_REJECT_MISSING_FIELD;
	}
	if (!json_is_number(j)) {
		name_field(field, fsize, name);
		return CN_REJECT_BAD_TYPE;
	}
	double x = json_number_value(j);
	if (!(x >= lo && x <= hi)) {
		name_field(field, fsize, name);
		return CN_REJECT_BAD_VALUE;
	}
	*out = x;
	return CN_REJECT_NONE;
}

/* Every key of object `j` is one of `keys`; else names the first other. */
static enum cn_reject only_keys(const json_t *j, const char *const *keys, size_t n, char *field,
                                size_t fsize)
{
	const char *k;
	json_t *v;
	json_object_foreach ((json_t *)j, k, v) {
		bool known = false;
		for (size_t i = 0; i < n && !known; i++)
			known = strcmp(k, keys[i]) == 0;
		if (!known) {
			char name[64];
			snprintf(name, sizeof(name), "value.%.40s", k);
			name_field(field, fsize, name);
			return CN_REJECT_BAD_TYPE;
		}
	}
	return CN_REJECT_NONE;
}

static enum cn_reject blood_pressure(const json_t *j, struct cn_measurement *m, char *field,
                                     size_t fsize)
{
	static const char *const keys[] = {"systolic", "diastolic", "pulse"};
	enum cn_reject rj;
	if (!json_is_object(j)) {
		name_field(field, fsize, "value");
		return CN_REJECT_BAD_TYPE;
	}
	rj = only_keys(j, keys, 3, field, fsize);
	if (rj == CN_REJECT_NONE)
		rj = bounded(json_object_get(j, "systolic"), 40, 300, &m->systolic, field, fsize,
		             "value.systolic");
	if (rj == CN_REJECT_NONE)
		rj = bounded(json_object_get(j, "diastolic"), 20, 200, &m->diastolic, field, fsize,
		             "value.diastolic");
	if (rj == CN_REJECT_NONE && m->diastolic >= m->systolic) {
		name_field(field, fsize, "value.diastolic");
		rj = CN_REJECT_BAD_VALUE;
	}
	const json_t *pulse = json_object_get(j, "pulse");
	m->pulse = -1;
	if (rj == CN_REJECT_NONE && pulse && !json_is_null(pulse))
		rj = bounded(pulse, 20, 300, &m->pulse, field, fsize, "value.pulse");
	return rj;
}

static enum cn_reject glucose(const json_t *j, struct cn_measurement *m, char *field, size_t fsize)
{
	static const char *const keys[] = {"mmol_l", "context"};
	enum cn_reject rj;
	if (!json_is_object(j)) {
		name_field(field, fsize, "value");
		return CN_REJECT_BAD_TYPE;
	}
	rj = only_keys(j, keys, 2, field, fsize);
	if (rj == CN_REJECT_NONE)
		rj = bounded(json_object_get(j, "mmol_l"), number_bounds[CN_MEAS_GLUCOSE].lo,
		             number_bounds[CN_MEAS_GLUCOSE].hi, &m->value, field, fsize,
		             "value.mmol_l");
	const json_t *ctx = json_object_get(j, "context");
	m->context = CN_GLU_RANDOM;
	if (rj == CN_REJECT_NONE && ctx && !json_is_null(ctx)) {
		const char *s = json_string_value(ctx);
		if (!s) {
			name_field(field, fsize, "value.context");
			rj = CN_REJECT_BAD_TYPE;
		} else if (strcmp(s, "fasting") == 0) {
			m->context = CN_GLU_FASTING;
		} else if (strcmp(s, "after_meal") == 0) {
			m->context = CN_GLU_AFTER_MEAL;
		} else if (strcmp(s, "random") != 0) {
			name_field(field, fsize, "value.context");
			rj = CN_REJECT_BAD_VALUE;
		}
	}
	return rj;
}

enum cn_reject cn_measurement_decode(const json_t *j, enum cn_meas_type t,
                                     struct cn_measurement *out, char *field, size_t field_size)
{
	enum cn_reject rj = CN_REJECT_BAD_VALUE;
	memset(out, 0, sizeof(*out));
	out->pulse = -1;
	out->type = t;
	if (field && field_size)
		field[0] = '\0';
	switch (t) {
	case CN_MEAS_BLOOD_PRESSURE:
		rj = blood_pressure(j, out, field, field_size);
		break;
	case CN_MEAS_GLUCOSE:
		rj = glucose(j, out, field, field_size);
		break;
	case CN_MEAS_SPO2:
	case CN_MEAS_HEART_RATE:
	case CN_MEAS_BODY_TEMPERATURE:
	case CN_MEAS_WEIGHT:
		rj = bounded(j, number_bounds[t].lo, number_bounds[t].hi, &out->value, field,
		             field_size, "value");
		break;
	case CN_MEAS_COUNT:
		name_field(field, field_size, "type");
		break;
	}
	if (rj != CN_REJECT_NONE) {
		memset(out, 0, sizeof(*out));
		out->pulse = -1;
		out->type = t;
	}
	return rj;
}

/* A whole number as an integer (72, not 72.0), anything else as a real. */
static json_t *num(double x)
{
	if (x >= -1e15 && x <= 1e15 && x == (double)(long long)x)
		return json_integer((json_int_t)x);
	return json_real(x);
}

json_t *cn_measurement_value_json(const struct cn_measurement *m)
{
	json_t *o;
	switch (m->type) {
	case CN_MEAS_BLOOD_PRESSURE:
		o = json_object();
		json_object_set_new(o, "systolic", num(m->systolic));
		json_object_set_new(o, "diastolic", num(m->diastolic));
		json_object_set_new(o, "pulse", m->pulse >= 0 ? num(m->pulse) : json_null());
		return o;
	case CN_MEAS_GLUCOSE:
		o = json_object();
		json_object_set_new(o, "mmol_l", num(m->value));
		json_object_set_new(o, "context", json_string(cn_glucose_context_name(m->context)));
		return o;
	default:
		return num(m->value);
	}
}
