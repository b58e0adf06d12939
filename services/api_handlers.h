/* Every REST handler, by resource. Each is an api_handler (api.h). */
#ifndef CN_API_HANDLERS_H
#define CN_API_HANDLERS_H

#include "api.h"

/* auth */
void api_login(struct api_req *r);
void api_logout(struct api_req *r);
void api_me(struct api_req *r);

#endif
