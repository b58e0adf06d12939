/* libFuzzer target for proto/measurement.c (the health readings of
 * contract section 7) and the native event decoder on measurement
 * events. The input is a value's JSON; it is decoded as every
 * measurement type, and also wrapped into an MQTT event of each type.
 * Invariants: an accepted reading lies inside its physiological bounds,
 * its canonical JSON decodes back to the same reading, and the event
 * decoder agrees with the value decoder. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measurement.h"
#include "payload.h"

static void fuzz_measurement_check(const struct cn_measurement *m)
{
	switch (m->type) {
	case CN_MEAS_BLOOD_PRESSURE:
		if (!(m->systolic >= 40 && m->systolic <= 300 && m->diastolic >= 20 &&
		      m->diastolic < m->systolic))
			abort();
		if (m->pulse >= 0 && !(m->pulse >= 20 && m->pulse <= 300))
			abort();
		break;
	case CN_MEAS_GLUCOSE:
		if (!(m->value >= 0.5 && m->value <= 50))
			abort();
		break;
	case CN_MEAS_SPO2:
		if (!(m->value >= 50 && m->value <= 100))
			abort();
		break;
	default:
		break;
	}
	json_t *canon = cn_measurement_value_json(m);
	struct cn_measurement again;
	if (cn_measurement_decode(canon, m->type, &again, NULL, 0) != CN_REJECT_NONE)
		abort();
	if (again.systolic != m->systolic || again.diastolic != m->diastolic ||
	    again.value != m->value || again.pulse != m->pulse || again.context != m->context)
		abort();
	json_decref(canon);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	/* As the REST body reader does: a NUL byte is refused before jansson
	 * (which would read it as whitespace). */
	json_t *j = memchr(data, '\0', size)
	                    ? NULL
	                    : json_loadb((const char *)data, size,
	                                 JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
	char field[64];
	for (int t = 0; t < CN_MEAS_COUNT; t++) {
		struct cn_measurement m;
		enum cn_reject rj = CN_REJECT_BAD_JSON;
		if (j) {
			rj = cn_measurement_decode(j, (enum cn_meas_type)t, &m, field,
			                           sizeof(field));
			if (rj == CN_REJECT_NONE)
				fuzz_measurement_check(&m);
			else if (!memchr(field, '\0', sizeof(field)))
				abort();
		}
		/* The same bytes as the value of an MQTT event of this type. */
		/* Built with memcpy, not "%.*s": the bytes may hold a NUL, and
		 * the MQTT path sees every byte of the payload. */
		char buf[4200];
		int head = snprintf(buf, sizeof(buf), "{\"type\":\"%s\",\"value\":",
		                    cn_meas_type_name((enum cn_meas_type)t));
		if (head <= 0 || (size_t)head + size + 1 > sizeof(buf))
			continue;
		memcpy(buf + head, data, size);
		buf[(size_t)head + size] = '}';
		int n = head + (int)size + 1;
		struct cn_event ev;
		enum cn_reject erj = cn_payload_decode_native_event(buf, (size_t)n, NULL, &ev);
		if (erj == CN_REJECT_NONE) {
			if (!ev.has_measurement || ev.meas.type != (enum cn_meas_type)t)
				abort();
			fuzz_measurement_check(&ev.meas);
		}
		if (j && rj == CN_REJECT_NONE && erj != CN_REJECT_NONE && size < 2000)
			abort(); /* a value the REST path takes must pass over MQTT too */
	}
	json_decref(j);
	return 0;
}
