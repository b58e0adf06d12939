/* Evidence of a visit (contract section 8): the optional location a carer
 * sends with /start and /complete, checked against the resident's
 * registered location and the site's visit_radius_m. Far away is kept and
 * flagged off_site, never refused: a carer without GPS can still work. */
#ifndef CN_API_EVIDENCE_H
#define CN_API_EVIDENCE_H

#include <stdbool.h>

#include "api.h"

struct api_location {
	double lat, lon;
	double accuracy_m; /* < 0: not given */
};

/* Checks `v` as {"lat": -90..90, "lon": -180..180, "accuracy_m": 0..100000
 * (optional)} and nothing else; on a bad value answers 400 naming
 * `field`.member and returns false. */
bool api_location_parse(struct api_req *r, const char *field, const json_t *v,
                        struct api_location *out);

/* Records where request `id` reached `step` ("start", "complete"), inside
 * the caller's transaction. Returns CN_OK or the database error. */
enum cn_err api_evidence_record(struct api_req *r, const char *id, const char *step,
                                const struct api_location *loc);

/* Adds "evidence" (see db_evidence_get) to a request as the API shows it;
 * an officer's has no coordinates. */
void api_evidence_present(struct api_req *r, json_t *request);

#endif
