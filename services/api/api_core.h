/* Handlers of the service's own paths: /healthz, /metrics, the spec. */
#ifndef CN_API_CORE_H
#define CN_API_CORE_H

#include "api.h"

void api_healthz(struct api_req *r);
void api_metrics(struct api_req *r);
void api_openapi_json(struct api_req *r);
void api_openapi_yaml(struct api_req *r);

#endif
