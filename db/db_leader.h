/* Who leads: a PostgreSQL session advisory lock held on a connection of
 * its own (see docs/architecture.md, "Leader election"). */
#ifndef CN_DB_LEADER_H
#define CN_DB_LEADER_H

#include <stdbool.h>

#include "cn_error.h"

struct db;

/* One attempt to take the leader lock (pg_try_advisory_lock): *got is true
 * when this connection holds it now. Never waits. */
enum cn_err db_leader_try(struct db *db, bool *got);

/* Whether this connection still holds the lock, read from pg_locks on the
 * server: *held false after the connection was lost and reset (the server
 * released the lock with the old session). CN_ERR_UNAVAILABLE when the
 * database does not answer. */
enum cn_err db_leader_check(struct db *db, bool *held);

#endif
