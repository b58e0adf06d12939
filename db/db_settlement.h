/* The rows a month's settlement is computed from, and the closes that
 * freeze a month (contract section 8). All the SQL of the settlement
 * lives in db_settlement.c; the arithmetic is services/care/settlement.c. */
#ifndef CN_DB_SETTLEMENT_H
#define CN_DB_SETTLEMENT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "db.h"

/* *out: a new array, one object per done request of `site_id` completed
 * in [from, to) ms, ordered by resident: {resident_id, resident_name,
 * subsidy (JSON text or null), request_id, service_id, unit, price_cents,
 * duration_min, started_at, completed_at (ms)}. Returns CN_OK or CN_ERR_DB. */
enum cn_err db_settlement_visits(struct db *db, const char *site_id, int64_t from, int64_t to,
                                 json_t **out);

/* Closes `month` ("YYYY-MM") for the site. CONFLICT when closed already.
 * Returns CN_OK, CN_ERR_CONFLICT or CN_ERR_DB. */
enum cn_err db_settlement_close(struct db *db, const char *site_id, const char *month,
                                const char *by, int64_t now);

/* Sets *closed when `month` is closed for the site. Returns CN_OK or
 * CN_ERR_DB. */
enum cn_err db_settlement_is_closed(struct db *db, const char *site_id, const char *month,
                                    bool *closed);

/* Copies the service's price, unit and duration onto a request as it is
 * completed. Returns CN_OK or CN_ERR_DB. */
enum cn_err db_settlement_bill(struct db *db, const char *request_id);

/* The site of a request's resident and its completed_at (0: not done).
 * Returns CN_OK, CN_ERR_NOT_FOUND or CN_ERR_DB. */
enum cn_err db_settlement_request_month(struct db *db, const char *request_id, char site[65],
                                        int64_t *completed_at);

/* Done requests of volunteer `staff_id` completed in [from, to) ms, oldest
 * first, at most `limit`: *out a new array of {request_id, service_id,
 * duration_min, started_at, completed_at (ms)}. Returns CN_OK or CN_ERR_DB. */
enum cn_err db_volunteer_visits(struct db *db, const char *staff_id, int64_t from, int64_t to,
                                int limit, json_t **out);

#endif
