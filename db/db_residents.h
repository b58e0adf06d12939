/* Storage of residents: what the rules need to know about them. (The REST
 * resource's SQL is in db_resources.c.) */
#ifndef CN_DB_RESIDENTS_H
#define CN_DB_RESIDENTS_H

#include <stdint.h>

#include "db.h"
#include "rules.h"

/* Presence and monitoring settings of a resident for the rules; also
 * whether the resident is enrolled (paused or discharged: no rules). */
enum cn_err db_resident_rule_state(struct db *db, const char *resident_id,
                                   struct rule_resident *out, bool *enrolled);

/* The resident's status ("enrolled", "paused", "discharged") into out
 * (>= 16 bytes). Returns CN_OK, CN_ERR_NOT_FOUND or CN_ERR_DB. */
enum cn_err db_resident_status(struct db *db, const char *resident_id, char out[16]);

/* Notes the latest activity time (never moves backwards). */
enum cn_err db_resident_touch_activity(struct db *db, const char *resident_id, int64_t at);

#endif
