/* Measurement validation (physiological bounds) and the vital-sign
 * threshold rules of care-model.md "Health readings". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "health.h"
#include "measurement.h"

static enum cn_reject decode(const char *json, enum cn_meas_type t, struct cn_measurement *m,
                             char *field)
{
	json_error_t err;
	json_t *j = json_loads(json, JSON_DECODE_ANY, &err);
	assert_non_null(j);
	enum cn_reject rj = cn_measurement_decode(j, t, m, field, 64);
	json_decref(j);
	return rj;
}

static void test_measurement_bounds_refuse_impossible_readings(void **state)
{
	(void)state;
	struct cn_measurement m;
	char field[64];
	assert_int_equal(
		decode("{\"systolic\":900,\"diastolic\":80}", CN_MEAS_BLOOD_PRESSURE, &m, field),
		CN_REJECT_BAD_VALUE);
	assert_string_equal(field, "value.systolic");
	assert_int_equal(
		decode("{\"systolic\":120,\"diastolic\":130}", CN_MEAS_BLOOD_PRESSURE, &m, field),
		CN_REJECT_BAD_VALUE);
	assert_string_equal(field, "value.diastolic");
	assert_int_equal(decode("{\"systolic\":120}", CN_MEAS_BLOOD_PRESSURE, &m, field),
	                 CN_REJECT_MISSING_FIELD);
	assert_int_equal(decode("{\"systolic\":120,\"diastolic\":80,\"sys\":1}",
	                        CN_MEAS_BLOOD_PRESSURE, &m, field),
	                 CN_REJECT_BAD_TYPE);
	assert_string_equal(field, "value.sys");
	assert_int_equal(decode("\"120/80\"", CN_MEAS_BLOOD_PRESSURE, &m, field),
	                 CN_REJECT_BAD_TYPE);
	assert_int_equal(decode("101", CN_MEAS_SPO2, &m, field), CN_REJECT_BAD_VALUE);
	assert_int_equal(decode("49.9", CN_MEAS_SPO2, &m, field), CN_REJECT_BAD_VALUE);
	assert_int_equal(decode("\"97\"", CN_MEAS_SPO2, &m, field), CN_REJECT_BAD_TYPE);
	assert_int_equal(decode("46", CN_MEAS_BODY_TEMPERATURE, &m, field), CN_REJECT_BAD_VALUE);
	assert_int_equal(decode("0.2", CN_MEAS_WEIGHT, &m, field), CN_REJECT_BAD_VALUE);
	assert_int_equal(
		decode("{\"mmol_l\":5.5,\"context\":\"lunch\"}", CN_MEAS_GLUCOSE, &m, field),
		CN_REJECT_BAD_VALUE);
	assert_string_equal(field, "value.context");
	assert_int_equal(decode("{\"mmol_l\":60}", CN_MEAS_GLUCOSE, &m, field),
	                 CN_REJECT_BAD_VALUE);
}

static void test_measurement_accepts_real_readings(void **state)
{
	(void)state;
	struct cn_measurement m;
	char field[64];
	assert_int_equal(decode("{\"systolic\":185,\"diastolic\":95,\"pulse\":72}",
	                        CN_MEAS_BLOOD_PRESSURE, &m, field),
	                 CN_REJECT_NONE);
	assert_true(m.systolic == 185 && m.diastolic == 95 && m.pulse == 72);
	assert_int_equal(decode("{\"systolic\":120,\"diastolic\":80,\"pulse\":null}",
	                        CN_MEAS_BLOOD_PRESSURE, &m, field),
	                 CN_REJECT_NONE);
	assert_true(m.pulse < 0);
	assert_int_equal(
		decode("{\"mmol_l\":2.8,\"context\":\"fasting\"}", CN_MEAS_GLUCOSE, &m, field),
		CN_REJECT_NONE);
	assert_int_equal(m.context, CN_GLU_FASTING);
	assert_int_equal(decode("{\"mmol_l\":7}", CN_MEAS_GLUCOSE, &m, field), CN_REJECT_NONE);
	assert_int_equal(m.context, CN_GLU_RANDOM);
	assert_int_equal(decode("100", CN_MEAS_SPO2, &m, field), CN_REJECT_NONE);
	assert_int_equal(decode("36.6", CN_MEAS_BODY_TEMPERATURE, &m, field), CN_REJECT_NONE);
	enum cn_meas_type t;
	assert_true(cn_meas_type_from_name("heart_rate", &t));
	assert_int_equal(t, CN_MEAS_HEART_RATE);
	assert_false(cn_meas_type_from_name("temperature", &t)); /* room climate, not a vital */
}

/* The priority of one single-measure reading under thresholds t. */
static int prio(enum cn_meas_type type, double v, const struct health_thresholds *t, char *detail)
{
	struct cn_measurement m;
	memset(&m, 0, sizeof(m));
	m.type = type;
	m.value = v;
	m.pulse = -1;
	struct health_finding f[HEALTH_MAX_FINDINGS];
	assert_int_equal(health_evaluate(&m, t, f), 1);
	if (detail)
		memcpy(detail, f[0].detail, sizeof(f[0].detail));
	return f[0].priority;
}

static void test_default_thresholds_as_care_model(void **state)
{
	(void)state;
	struct health_thresholds t;
	health_thresholds_default(&t);
	/* spo2: low 92 (P2 below), critical below 88 */
	assert_int_equal(prio(CN_MEAS_SPO2, 95, &t, NULL), 0);
	assert_int_equal(prio(CN_MEAS_SPO2, 92, &t, NULL), 0);
	assert_int_equal(prio(CN_MEAS_SPO2, 91, &t, NULL), 2);
	assert_int_equal(prio(CN_MEAS_SPO2, 88, &t, NULL), 2);
	assert_int_equal(prio(CN_MEAS_SPO2, 87, &t, NULL), 1);
	/* glucose: 3.9 / 13.9, critical < 3.0 or >= 16.7 */
	assert_int_equal(prio(CN_MEAS_GLUCOSE, 5.5, &t, NULL), 0);
	assert_int_equal(prio(CN_MEAS_GLUCOSE, 3.5, &t, NULL), 2);
	assert_int_equal(prio(CN_MEAS_GLUCOSE, 2.9, &t, NULL), 1);
	assert_int_equal(prio(CN_MEAS_GLUCOSE, 13.9, &t, NULL), 2);
	assert_int_equal(prio(CN_MEAS_GLUCOSE, 16.7, &t, NULL), 1);
	/* heart rate: 50 / 120, critical < 40 or > 150 */
	assert_int_equal(prio(CN_MEAS_HEART_RATE, 150, &t, NULL), 2);
	assert_int_equal(prio(CN_MEAS_HEART_RATE, 151, &t, NULL), 1);
	assert_int_equal(prio(CN_MEAS_HEART_RATE, 39, &t, NULL), 1);
	assert_int_equal(prio(CN_MEAS_HEART_RATE, 45, &t, NULL), 2);
	/* temperature: 35.5 / 38.0, critical < 35.0 or >= 39.5 */
	assert_int_equal(prio(CN_MEAS_BODY_TEMPERATURE, 37.2, &t, NULL), 0);
	assert_int_equal(prio(CN_MEAS_BODY_TEMPERATURE, 38.0, &t, NULL), 2);
	assert_int_equal(prio(CN_MEAS_BODY_TEMPERATURE, 39.5, &t, NULL), 1);
	assert_int_equal(prio(CN_MEAS_BODY_TEMPERATURE, 34.9, &t, NULL), 1);
	/* weight: no bound by default */
	assert_int_equal(prio(CN_MEAS_WEIGHT, 150, &t, NULL), 0);
}

static void test_blood_pressure_findings_name_reading_and_bound(void **state)
{
	(void)state;
	struct health_thresholds t;
	health_thresholds_default(&t);
	struct cn_measurement m = {
		.type = CN_MEAS_BLOOD_PRESSURE, .systolic = 185, .diastolic = 104, .pulse = 72};
	struct health_finding f[HEALTH_MAX_FINDINGS];
	assert_int_equal(health_evaluate(&m, &t, f), 3);
	assert_int_equal(f[0].measure, HM_SYSTOLIC);
	assert_int_equal(f[0].priority, 1);
	assert_string_equal(f[0].detail, "systolic 185 mmHg at or above critical 180");
	assert_int_equal(f[1].measure, HM_DIASTOLIC);
	assert_int_equal(f[1].priority, 2);
	assert_string_equal(f[1].detail, "diastolic 104 mmHg at or above high 100");
	assert_int_equal(f[2].measure, HM_HEART_RATE);
	assert_int_equal(f[2].priority, 0);
	m.systolic = 85;
	m.diastolic = 60;
	m.pulse = -1;
	assert_int_equal(health_evaluate(&m, &t, f), 2);
	assert_int_equal(f[0].priority, 2);
	assert_string_equal(f[0].detail, "systolic 85 mmHg below low 90");
	assert_int_equal(f[1].priority, 0);
}

static json_t *doc(const char *s)
{
	json_error_t err;
	json_t *j = json_loads(s, 0, &err);
	assert_non_null(j);
	return j;
}

static void test_resident_overrides_merge_over_site(void **state)
{
	(void)state;
	struct health_thresholds t;
	health_thresholds_default(&t);
	json_t *site = doc("{\"systolic\":{\"high\":150}}");
	json_t *res = doc("{\"systolic\":{\"critical\":170},\"spo2\":{\"low\":null},"
	                  "\"weight\":{\"high\":90}}");
	assert_true(health_thresholds_check(site, NULL, 0));
	assert_true(health_thresholds_check(res, NULL, 0));
	health_thresholds_merge(&t, site);
	health_thresholds_merge(&t, res);
	assert_true(t.m[HM_SYSTOLIC].low == 90);               /* default kept */
	assert_true(t.m[HM_SYSTOLIC].high == 150);             /* site */
	assert_true(t.m[HM_SYSTOLIC].critical == 170);         /* resident */
	assert_int_equal(prio(CN_MEAS_SPO2, 90, &t, NULL), 0); /* low turned off */
	assert_int_equal(prio(CN_MEAS_SPO2, 87, &t, NULL), 1); /* critical kept */
	assert_int_equal(prio(CN_MEAS_WEIGHT, 91, &t, NULL), 2);
	json_t *all = health_thresholds_json(&t);
	assert_true(json_is_null(json_object_get(json_object_get(all, "spo2"), "low")));
	assert_true(json_real_value(
			    json_object_get(json_object_get(all, "systolic"), "critical")) == 170);
	json_decref(all);
	json_decref(site);
	json_decref(res);
}

static void test_thresholds_check_names_bad_field(void **state)
{
	(void)state;
	char field[64];
	const struct {
		const char *body, *field;
	} bad[] = {
		{"{\"systolc\":{\"high\":150}}", "systolc"},
		{"{\"systolic\":150}", "systolic"},
		{"{\"systolic\":{\"hi\":150}}", "systolic.hi"},
		{"{\"systolic\":{\"high\":\"150\"}}", "systolic.high"},
		{"{\"systolic\":{\"low\":170,\"high\":160}}", "systolic.high"},
		{"{\"spo2\":{\"low\":85,\"critical_low\":88}}", "spo2.low"},
		{"{\"glucose\":{\"high\":20,\"critical\":16.7}}", "glucose.critical"},
		{"[]", "body"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *j = json_loads(bad[i].body, JSON_DECODE_ANY, NULL);
		assert_non_null(j);
		assert_false(health_thresholds_check(j, field, sizeof(field)));
		assert_string_equal(field, bad[i].field);
		json_decref(j);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_measurement_bounds_refuse_impossible_readings),
		cmocka_unit_test(test_measurement_accepts_real_readings),
		cmocka_unit_test(test_default_thresholds_as_care_model),
		cmocka_unit_test(test_blood_pressure_findings_name_reading_and_bound),
		cmocka_unit_test(test_resident_overrides_merge_over_site),
		cmocka_unit_test(test_thresholds_check_names_bad_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
