/* REST handlers of the service net: day-care attendance
 * (api_attendance.c), service requests, their steps and candidates
 * (api_requests.c), and the response report (api_reports.c). Each is an
 * api_handler (api.h). */
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

/* A request the caller may read (404/403 set otherwise, false): its facts
 * and its policy target, for handlers of a request's parts (photos). */
struct db_request_facts;
bool service_net_request_seen(struct api_req *r, const char *id, struct db_request_facts *f,
                              struct pol_target *t);

/* reports */
void api_report_response(struct api_req *r);

#endif
