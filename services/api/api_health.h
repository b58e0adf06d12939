/* Health over REST: measurements, thresholds, daily activity
 * (api_health.c). Each is an api_handler (api.h). */
#ifndef CN_API_HEALTH_H
#define CN_API_HEALTH_H

#include "api.h"

void api_measurements_list(struct api_req *r);   /* GET /v1/residents/{id}/measurements */
void api_measurements_create(struct api_req *r); /* POST /v1/residents/{id}/measurements */
void api_site_thresholds_get(struct api_req *r); /* GET /v1/sites/{id}/thresholds */
void api_site_thresholds_put(struct api_req *r); /* PUT /v1/sites/{id}/thresholds */
void api_resident_thresholds_get(struct api_req *r);
void api_resident_thresholds_put(struct api_req *r);
void api_activity_list(struct api_req *r); /* GET /v1/residents/{id}/activity */

#endif
