/* Vital-sign thresholds and what a reading means (health.h). */
#include "health.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	const char *unit;
	struct health_bounds def;
} measures[HM_COUNT] = {
	/* Chinese hypertension guideline 2018: grade 2 from 160/100, grade 3
	 * from 180/110; below 90 systolic is hypotension. */
	[HM_SYSTOLIC] = {"systolic", "mmHg", {90, 160, HEALTH_UNSET, 180}},
	[HM_DIASTOLIC] = {"diastolic", "mmHg", {HEALTH_UNSET, 100, HEALTH_UNSET, 110}},
	/* ADA/CDS: hypoglycaemia below 3.9, level 2 below 3.0; from 16.7 a
	 * ketoacidosis check. 13.9 is the usual upper alarm of meters. */
	[HM_GLUCOSE] = {"glucose", "mmol/L", {3.9, 13.9, 3.0, 16.7}},
	/* BTS oxygen guideline: below 92 needs a clinician; 88 the floor
	 * even in COPD. */
	[HM_SPO2] = {"spo2", "%", {92, HEALTH_UNSET, 88, HEALTH_UNSET}},
	/* NEWS2 bands: below 50 or from 120 scores; below 40 or over 150 is
	 * an emergency (bpm are whole numbers: over 150 is at or above 151). */
	[HM_HEART_RATE] = {"heart_rate", "bpm", {50, 120, 40, 151}},
	/* Fever from 38.0; hypothermia below 35.0. */
	[HM_BODY_TEMPERATURE] = {"body_temperature", "C", {35.5, 38.0, 35.0, 39.5}},
	/* No bound by default: the clinic sets one per resident. */
	[HM_WEIGHT] = {"weight", "kg", {HEALTH_UNSET, HEALTH_UNSET, HEALTH_UNSET, HEALTH_UNSET}},
};

static const char *const bound_names[4] = {"low", "high", "critical_low", "critical"};

static double *bound_at(struct health_bounds *b, int i)
{
	switch (i) {
	case 0:
		return &b->low;
	case 1:
		return &b->high;
	case 2:
		return &b->critical_low;
	default:
		return &b->critical;
	}
}

static bool is_set(double x) { return x > HEALTH_UNSET; }

const char *health_measure_name(enum health_measure m)
{
	return (m >= 0 && m < HM_COUNT) ? measures[m].name : "unknown";
}

const char *health_measure_unit(enum health_measure m)
{
	return (m >= 0 && m < HM_COUNT) ? measures[m].unit : "";
}

bool health_measure_from_name(const char *name, enum health_measure *out)
{
	for (int i = 0; name && i < HM_COUNT; i++) {
		if (strcmp(name, measures[i].name) == 0) {
			*out = (enum health_measure)i;
			return true;
		}
	}
	return false;
}

void health_thresholds_default(struct health_thresholds *out)
{
	for (int i = 0; i < HM_COUNT; i++)
		out->m[i] = measures[i].def;
}

static int bound_index(const char *key)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(key, bound_names[i]) == 0)
			return i;
	return -1;
}

void health_thresholds_merge(struct health_thresholds *base, const json_t *doc)
{
	const char *k, *bk;
	json_t *v, *bv;
	if (!json_is_object(doc))
		return;
	json_object_foreach ((json_t *)doc, k, v) {
		enum health_measure m;
		if (!health_measure_from_name(k, &m) || !json_is_object(v))
			continue;
		json_object_foreach (v, bk, bv) {
			int bi = bound_index(bk);
			if (bi < 0)
				continue;
			if (json_is_null(bv))
				*bound_at(&base->m[m], bi) = HEALTH_UNSET;
			else if (json_is_number(bv))
				*bound_at(&base->m[m], bi) = json_number_value(bv);
		}
	}
}

static bool fail(char *field, size_t size, const char *a, const char *b)
{
	if (field && size)
		snprintf(field, size, "%s%s%s", a, b ? "." : "", b ? b : "");
	return false;
}

/* Bounds that contradict each other: each set one must lie above the
 * ones below it in the order critical_low < low < high <= critical. */
static bool ordered(const struct health_bounds *b, const char **which)
{
	double seq[4] = {b->critical_low, b->low, b->high, b->critical};
	static const char *const names[4] = {"critical_low", "low", "high", "critical"};
	double prev = HEALTH_UNSET;
	for (int i = 0; i < 4; i++) {
		if (!is_set(seq[i]))
			continue;
		bool ok = i == 3 ? seq[i] >= prev : seq[i] > prev;
		if (is_set(prev) && !ok) {
			*which = names[i];
			return false;
		}
		prev = seq[i];
	}
	return true;
}

bool health_thresholds_check(const json_t *doc, char *field, size_t field_size)
{
	const char *k, *bk;
	json_t *v, *bv;
	if (!json_is_object(doc))
		return fail(field, field_size, "body", NULL);
	json_object_foreach ((json_t *)doc, k, v) {
		enum health_measure m;
		if (!health_measure_from_name(k, &m))
			return fail(field, field_size, k, NULL);
		if (!json_is_object(v))
			return fail(field, field_size, k, NULL);
		struct health_bounds b = {HEALTH_UNSET, HEALTH_UNSET, HEALTH_UNSET, HEALTH_UNSET};
		json_object_foreach (v, bk, bv) {
			int bi = bound_index(bk);
			if (bi < 0 || !(json_is_null(bv) || json_is_number(bv)))
				return fail(field, field_size, k, bk);
			if (json_is_number(bv)) {
				double x = json_number_value(bv);
				if (!isfinite(x) || x < 0 || x > 1000)
					return fail(field, field_size, k, bk);
				*bound_at(&b, bi) = x;
			}
		}
		const char *which = NULL;
		if (!ordered(&b, &which))
			return fail(field, field_size, k, which);
	}
	return true;
}

bool health_thresholds_consistent(const struct health_thresholds *t, char *field, size_t field_size)
{
	for (int i = 0; i < HM_COUNT; i++) {
		const char *which = NULL;
		if (!ordered(&t->m[i], &which))
			return fail(field, field_size, measures[i].name, which);
	}
	return true;
}

json_t *health_thresholds_json(const struct health_thresholds *t)
{
	json_t *doc = json_object();
	for (int i = 0; i < HM_COUNT; i++) {
		json_t *o = json_object();
		struct health_bounds b = t->m[i];
		for (int bi = 0; bi < 4; bi++) {
			double x = *bound_at(&b, bi);
			json_object_set_new(o, bound_names[bi],
			                    is_set(x) ? json_real(x) : json_null());
		}
		json_object_set_new(doc, measures[i].name, o);
	}
	return doc;
}

/* The most severe bound `x` crosses. Critical first, then low/high. */
static void judge(enum health_measure m, double x, const struct health_bounds *b,
                  struct health_finding *f)
{
	const char *unit = measures[m].unit;
	const char *what = NULL;
	memset(f, 0, sizeof(*f));
	f->measure = m;
	f->value = x;
	if (is_set(b->critical) && x >= b->critical) {
		f->priority = 1, f->bound = b->critical, what = "at or above critical";
	} else if (is_set(b->critical_low) && x < b->critical_low) {
		f->priority = 1, f->bound = b->critical_low, what = "below critical";
	} else if (is_set(b->high) && x >= b->high) {
		f->priority = 2, f->bound = b->high, what = "at or above high";
	} else if (is_set(b->low) && x < b->low) {
		f->priority = 2, f->bound = b->low, what = "below low";
	}
	if (what)
		snprintf(f->detail, sizeof(f->detail), "%s %g %s %s %g", measures[m].name, x, unit,
		         what, f->bound);
	else
		snprintf(f->detail, sizeof(f->detail), "%s %g %s within bounds", measures[m].name,
		         x, unit);
}

size_t health_evaluate(const struct cn_measurement *m, const struct health_thresholds *t,
                       struct health_finding out[HEALTH_MAX_FINDINGS])
{
	size_t n = 0;
	switch (m->type) {
	case CN_MEAS_BLOOD_PRESSURE:
		judge(HM_SYSTOLIC, m->systolic, &t->m[HM_SYSTOLIC], &out[n++]);
		judge(HM_DIASTOLIC, m->diastolic, &t->m[HM_DIASTOLIC], &out[n++]);
		if (m->pulse >= 0)
			judge(HM_HEART_RATE, m->pulse, &t->m[HM_HEART_RATE], &out[n++]);
		break;
	case CN_MEAS_GLUCOSE:
		judge(HM_GLUCOSE, m->value, &t->m[HM_GLUCOSE], &out[n++]);
		break;
	case CN_MEAS_SPO2:
		judge(HM_SPO2, m->value, &t->m[HM_SPO2], &out[n++]);
		break;
	case CN_MEAS_HEART_RATE:
		judge(HM_HEART_RATE, m->value, &t->m[HM_HEART_RATE], &out[n++]);
		break;
	case CN_MEAS_BODY_TEMPERATURE:
		judge(HM_BODY_TEMPERATURE, m->value, &t->m[HM_BODY_TEMPERATURE], &out[n++]);
		break;
	case CN_MEAS_WEIGHT:
		judge(HM_WEIGHT, m->value, &t->m[HM_WEIGHT], &out[n++]);
		break;
	case CN_MEAS_COUNT:
		break;
	}
	return n;
}
