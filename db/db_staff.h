/* Storage of staff (the API's users). */
#ifndef CN_DB_STAFF_H
#define CN_DB_STAFF_H

#include <jansson.h>

#include "db.h"

/* The staff member as the API shows it (never the password hash). */
enum cn_err db_staff_json(struct db *db, const char *id, json_t **out);

#endif
