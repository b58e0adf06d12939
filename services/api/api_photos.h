/* Photos of a visit and the family's confirmation (contract section 8):
 * POST/GET /v1/requests/{id}/photos, GET /v1/requests/{id}/photos/{n},
 * POST /v1/requests/{id}/confirm. Each is an api_handler (api.h). */
#ifndef CN_API_PHOTOS_H
#define CN_API_PHOTOS_H

#include "api.h"

void api_request_photos_add(struct api_req *r);
void api_request_photos_list(struct api_req *r);
void api_request_photo_get(struct api_req *r);
void api_request_confirm(struct api_req *r);

#endif
