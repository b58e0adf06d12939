/* Storage of residents: activity times. (What the rules read is
 * db_win_resident_get() in db_windows.h; the REST resource's SQL is in
 * db_records.c.) */
#ifndef CN_DB_RESIDENTS_H
#define CN_DB_RESIDENTS_H

#include <stdint.h>

#include "db.h"

/* The resident's status ("enrolled", "paused", "discharged") into out
 * (>= 16 bytes). Returns CN_OK, CN_ERR_NOT_FOUND or CN_ERR_DB. */
enum cn_err db_resident_status(struct db *db, const char *resident_id, char out[16]);

/* Notes the latest activity time (never moves backwards). */
enum cn_err db_resident_touch_activity(struct db *db, const char *resident_id, int64_t at);

#endif
