/* Inside db/ only: events a PostgreSQL writer holds back so that a batch
 * stores them in one statement (db_events.c). db.c sends them before any
 * statement that reads or changes the events table and before COMMIT, and
 * drops them on a rollback; nothing else sees them.
 *
 * Never NULL-dereferenced: on SQLite, and before the first held event, the
 * slot is NULL and these do nothing. */
#ifndef CN_DB_HELD_H
#define CN_DB_HELD_H

#include <stdbool.h>

#include "cn_error.h"

struct db;
struct db_held;

/* The connection's slot for its held events (owned by the connection;
 * db_close frees it with db_held_free). */
struct db_held **db_held_slot(struct db *db);

/* Stores the held events (one multi-row INSERT). Returns CN_OK (also when
 * nothing was held), CN_ERR_CONFLICT when one of them was stored already
 * (the transaction must be retried: the writer then looks every seq up),
 * or the engine's error. */
enum cn_err db_held_flush(struct db *db);

/* Forgets the held events (the transaction was rolled back). */
void db_held_drop(struct db *db);

void db_held_free(struct db_held *h);

/* Whether `sql` reads or writes the events table, so that the held events
 * must be stored before it runs. */
bool db_held_sql_touches(const char *sql);

#endif
