/* Health readings into storage and vital_sign alerts (vitals.h). */
#include "vitals.h"

#include <stdio.h>
#include <stdlib.h>

#include "alerts.h"
#include "db_health.h"
#include "log.h"

enum cn_err vitals_thresholds(struct db *db, const char *site_id, const char *resident_id,
                              struct health_thresholds *out)
{
	json_t *doc = NULL;
	enum cn_err rc = CN_OK;
	health_thresholds_default(out);
	if (site_id) {
		rc = db_thresholds_get(db, "site", site_id, &doc);
		health_thresholds_merge(out, doc);
		json_decref(doc);
		doc = NULL;
	}
	if (rc == CN_OK && resident_id) {
		rc = db_thresholds_get(db, "resident", resident_id, &doc);
		health_thresholds_merge(out, doc);
		json_decref(doc);
	}
	return rc;
}

enum cn_err vitals_record(struct app *app, struct db *db, const struct vitals_reading *rd,
                          int64_t now, struct outbox *ob, int64_t *measurement_id,
                          int64_t *alert_id)
{
	json_t *value = cn_measurement_value_json(rd->m);
	char *value_text =
		json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
	json_decref(value);
	struct db_measurement_new row = {
		.resident_id = rd->resident_id,
		.type = cn_meas_type_name(rd->m->type),
		.value_json = value_text,
		.taken_at = rd->taken_at,
		.source = rd->source,
		.device_id = rd->device_id,
		.taken_by = rd->taken_by,
		.event_id = rd->event_id,
		.created_at = now,
	};
	int best = 5;
	if (alert_id)
		*alert_id = 0;
	enum cn_err rc = db_measurement_insert(db, &row, measurement_id);
	free(value_text);
	struct health_thresholds t;
	if (rc == CN_OK)
		rc = vitals_thresholds(db, rd->site_id, rd->resident_id, &t);
	struct health_finding f[HEALTH_MAX_FINDINGS];
	size_t n = rc == CN_OK ? health_evaluate(rd->m, &t, f) : 0;
	for (size_t i = 0; i < n && rc == CN_OK; i++) {
		if (f[i].priority == 0)
			continue;
		struct alert_raise rq = {
			.kind = AK_VITAL_SIGN,
			.priority = f[i].priority,
			.site_id = rd->site_id,
			.resident_id = rd->resident_id,
			.device_id = rd->device_id,
			.detail = f[i].detail,
			.actor = rd->actor,
			.event_at = rd->taken_at,
			.subject = health_measure_name(f[i].measure),
		};
		int64_t id = 0;
		bool created = false;
		rc = alerts_raise(app, db, &rq, now, ob, &id, &created);
		if (rc == CN_OK && alert_id && f[i].priority < best) {
			best = f[i].priority;
			*alert_id = id;
		}
	}
	if (rc != CN_OK)
		log_error("vitals", "resident %s: a %s reading could not be stored or judged: %s",
		          rd->resident_id, cn_meas_type_name(rd->m->type), cn_strerror(rc));
	return rc;
}
