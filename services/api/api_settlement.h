/* The monthly settlement (contract section 8): GET /v1/reports/settlement
 * (JSON, or CSV with Accept: text/csv), POST /v1/settlements/{month}/close
 * and POST /v1/settlements/adjustments; the volunteer hours. Each is an
 * api_handler (api.h). */
#ifndef CN_API_SETTLEMENT_H
#define CN_API_SETTLEMENT_H

#include <stdbool.h>

#include "api.h"

void api_report_settlement(struct api_req *r);
void api_settlement_close(struct api_req *r);
/* POST /v1/settlements/adjustments: a correction line (admin). */
void api_settlement_adjust(struct api_req *r);
/* GET /v1/staff/{id}/hours: a volunteer's time-bank balance and history. */
void api_staff_hours(struct api_req *r);

/* True (with 409 set) when request `id` was completed in a month that is
 * closed for its site: its evidence is frozen. */
bool api_settlement_frozen(struct api_req *r, const char *id);

#endif
