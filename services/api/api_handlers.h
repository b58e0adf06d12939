/* Every REST handler that is not a generic record handler (api_crud.h),
 * by resource. Each is an api_handler (api.h). */
#ifndef CN_API_HANDLERS_H
#define CN_API_HANDLERS_H

#include "api.h"

/* auth (api_auth.c) */
void api_login(struct api_req *r);
void api_logout(struct api_req *r);
void api_me(struct api_req *r);

/* alerts (api_alerts.c) */
void api_alerts_list(struct api_req *r);
void api_alerts_get(struct api_req *r);
void api_alerts_create(struct api_req *r);
void api_alerts_ack(struct api_req *r);
void api_alerts_dispatch(struct api_req *r);
void api_alerts_arrive(struct api_req *r);
void api_alerts_resolve(struct api_req *r);
void api_alerts_notes(struct api_req *r);
/* The ack link (api_ack_link.c). */
void api_ack_page(struct api_req *r);
void api_ack_submit(struct api_req *r);
void api_alerts_stream(struct api_req *r);

/* reads (api_reads.c) */
void api_events_list(struct api_req *r);
void api_oncall(struct api_req *r);
void api_escalation_get(struct api_req *r);
void api_escalation_put(struct api_req *r);
void api_audit_list(struct api_req *r);

#endif
