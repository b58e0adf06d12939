/* Storage of residents: activity times. (What the rules read is
 * db_win_resident_get() in db_windows.h; the REST resource's SQL is in
 * db_resources.c.) */
#ifndef CN_DB_RESIDENTS_H
#define CN_DB_RESIDENTS_H

#include <stdint.h>

#include "db.h"

/* Notes the latest activity time (never moves backwards). */
enum cn_err db_resident_touch_activity(struct db *db, const char *resident_id, int64_t at);

#endif
