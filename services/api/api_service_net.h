/* REST handlers of the service net (api_service_net.c): day-care
 * attendance, service requests and their steps, request candidates, and
 * the response report (api_reports.c). Each is an api_handler (api.h). */
#ifndef CN_API_SERVICE_NET_H
#define CN_API_SERVICE_NET_H

#include "api.h"
#include "policy.h"

/* attendance */
void api_attendance_list(struct api_req *r);
void api_attendance_record(struct api_req *r);

/* service requests */
void api_requests_list(struct api_req *r);
void api_requests_create(struct api_req *r);
void api_requests_get(struct api_req *r);
void api_requests_candidates(struct api_req *r);
void api_requests_assign(struct api_req *r);
void api_requests_start(struct api_req *r);
void api_requests_complete(struct api_req *r);
void api_requests_cancel(struct api_req *r);

/* reports */
void api_report_response(struct api_req *r);

/* The site a list or report is for: the one asked for (?site_id=), else
 * the caller's scope; another site than the scope's, or an unknown one,
 * sets 404 and returns false. Shared by the service-net handlers. */
bool service_net_scoped_site(struct api_req *r, enum pol_resource res, const char **site);

#endif
