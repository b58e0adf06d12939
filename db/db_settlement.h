/* The rows a month's settlement is computed from, the closes that freeze
 * a month (each with the report as it was closed), and the adjustment
 * lines that correct a closed month in a later one (contract section 8).
 * All the SQL of the settlement lives in db_settlement.c; the arithmetic
 * is services/care/settlement.c. Months are "YYYY-MM" text. */
#ifndef CN_DB_SETTLEMENT_H
#define CN_DB_SETTLEMENT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "db.h"

/* *out: a new array, one object per done request of `site_id` completed
 * in [from, to) ms, ordered by resident: {resident_id, resident_name,
 * subsidy (JSON text or absent), request_id, service_id, service_name,
 * unit, price_cents, duration_min, started_at, completed_at (ms),
 * assignee_id, off_site, photos, confirmed}. Returns CN_OK or CN_ERR_DB. */
enum cn_err db_settlement_visits(struct db *db, const char *site_id, int64_t from, int64_t to,
                                 json_t **out);

/* *out: a new array of the adjustment lines settled in `month` at the
 * site, ordered by resident: {id, resident_id, resident_name, subsidy,
 * for_month, request_id, amount_cents, reason, created_by, created_at
 * (ms)}. Returns CN_OK or CN_ERR_DB. */
enum cn_err db_settlement_adjustments(struct db *db, const char *site_id, const char *month,
                                      json_t **out);

/* An adjustment line; strings borrowed. request_id may be NULL. */
struct db_adjustment {
	const char *site_id, *resident_id, *month, *for_month, *request_id;
	int64_t amount_cents;
	const char *reason, *created_by;
};

/* Inserts an adjustment line; *id its new id. Returns CN_OK or CN_ERR_DB
 * (CN_ERR_CONFLICT for a reference that does not hold). */
enum cn_err db_settlement_adjust(struct db *db, const struct db_adjustment *a, int64_t now,
                                 int64_t *id);

/* Closes `month` for the site, keeping `report` (JSON text: the report as
 * it was closed, served from then on). CONFLICT when closed already.
 * Returns CN_OK, CN_ERR_CONFLICT or CN_ERR_DB. */
enum cn_err db_settlement_close(struct db *db, const char *site_id, const char *month,
                                const char *by, int64_t now, const char *report);

/* Sets *closed when `month` is closed for the site, and then *report (if
 * `report` is not NULL) to a new reference to the report kept at the close
 * (caller decrefs). Returns CN_OK or CN_ERR_DB. */
enum cn_err db_settlement_closed(struct db *db, const char *site_id, const char *month,
                                 bool *closed, json_t **report);

/* The site's latest closed month, or "" when none. Returns CN_OK or
 * CN_ERR_DB. */
enum cn_err db_settlement_last_closed(struct db *db, const char *site_id, char month[8]);

/* Copies the service's price, unit and duration onto a request as it is
 * completed, so that a later price change leaves it alone. Returns CN_OK
 * or CN_ERR_DB. */
enum cn_err db_settlement_bill(struct db *db, const char *request_id);

/* The site and resident of a request and its completed_at (0: not done).
 * Returns CN_OK, CN_ERR_NOT_FOUND or CN_ERR_DB. */
enum cn_err db_settlement_request_month(struct db *db, const char *request_id, char site[65],
                                        char resident[65], int64_t *completed_at);

/* Done requests of volunteer `staff_id` completed in [from, to) ms, oldest
 * first, at most `limit`: *out a new array of {request_id, service_id,
 * duration_min, started_at, completed_at (ms)}. Returns CN_OK or CN_ERR_DB. */
enum cn_err db_volunteer_visits(struct db *db, const char *staff_id, int64_t from, int64_t to,
                                int limit, json_t **out);

#endif
