/* A health reading's way in, whoever brings it (a device over MQTT, a
 * carer by REST): stored, judged against the resident's thresholds (the
 * built-in defaults, the site's, the resident's, merged in that order,
 * health.h) and turned into `vital_sign` alerts, one per resident and
 * measure. Runs inside the caller's transaction and collects what must be
 * published into the caller's outbox. */
#ifndef CN_VITALS_H
#define CN_VITALS_H

#include <stdint.h>

#include "cn_error.h"
#include "health.h"
#include "measurement.h"

struct app;
struct db;
struct outbox;

struct vitals_reading {
	const char *site_id; /* the resident's site */
	const char *resident_id;
	const struct cn_measurement *m; /* validated (cn_measurement_decode) */
	int64_t taken_at;
	const char *source;    /* "device" or "staff" */
	const char *device_id; /* may be NULL */
	const char *taken_by;  /* staff id, may be NULL */
	int64_t event_id;      /* 0: none */
	const char *actor;     /* "device:ID" or "user:ID" */
};

/* Stores and judges one reading; *measurement_id gets the row's id and
 * *alert_id (may be NULL) the most urgent alert it raised or folded into
 * (0: none). CN_OK or a database error. */
enum cn_err vitals_record(struct app *app, struct db *db, const struct vitals_reading *rd,
                          int64_t now, struct outbox *ob, int64_t *measurement_id,
                          int64_t *alert_id);

/* The effective thresholds of a resident (site_id, resident_id may be
 * NULL to stop at that level). */
enum cn_err vitals_thresholds(struct db *db, const char *site_id, const char *resident_id,
                              struct health_thresholds *out);

#endif
