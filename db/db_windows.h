/* Storage of the time-window rules' deadlines (rule_timers). */
#ifndef CN_DB_WINDOWS_H
#define CN_DB_WINDOWS_H

#include <stdint.h>

#include "db.h"

/* The earliest deadline, 0 when none. */
enum cn_err db_rule_timers_next_due(struct db *db, int64_t *at);

#endif
