/* Evidence of a visit (contract section 8): where a service request was
 * started and completed, against where its resident lives. All the SQL of
 * visit_evidence lives in db_evidence.c. */
#ifndef CN_DB_EVIDENCE_H
#define CN_DB_EVIDENCE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "db.h"

struct db_evidence_point {
	double lat, lon;
	double accuracy_m; /* < 0: not reported */
	double distance_m; /* < 0: the resident has no location */
	bool off_site;
};

/* The resident's location of request `request_id` as JSON text (NULL when
 * none; caller frees with free()) and its site's visit radius in metres.
 * Returns CN_OK, CN_ERR_NOT_FOUND, or CN_ERR_DB. */
enum cn_err db_evidence_home(struct db *db, const char *request_id, char **location, int *radius_m);

/* Records the point for `step` ("start" or "complete"), replacing an
 * earlier one of the same step. Returns CN_OK or CN_ERR_DB. */
enum cn_err db_evidence_put(struct db *db, const char *request_id, const char *step,
                            const struct db_evidence_point *p, int64_t now);

/* *out: a new object {"start": {...}|null, "complete": {...}|null,
 * "off_site": bool}; caller decrefs. Returns CN_OK or CN_ERR_DB. */
enum cn_err db_evidence_get(struct db *db, const char *request_id, json_t **out);

#endif
