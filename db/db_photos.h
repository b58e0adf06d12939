/* Photos of a visit and the family's confirmation (contract section 8).
 * All the SQL of request_photos and visit_confirmations lives in
 * db_photos.c. */
#ifndef CN_DB_PHOTOS_H
#define CN_DB_PHOTOS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "db.h"

#define DB_PHOTOS_MAX 5 /* photos a request may have */

/* Adds a photo as the next number (*n). CONFLICT when the request has
 * DB_PHOTOS_MAX already. `data` is copied. Returns CN_OK, CN_ERR_CONFLICT
 * or CN_ERR_DB. */
enum cn_err db_photo_add(struct db *db, const char *request_id, const char *type,
                         const unsigned char *data, size_t len, const char *by, int64_t now,
                         int *n);

/* *out: a new array of {n, content_type, size, uploaded_by, created_at}.
 * Returns CN_OK or CN_ERR_DB. */
enum cn_err db_photo_list(struct db *db, const char *request_id, json_t **out);

/* Photo n's bytes (*data from malloc, caller frees) and its type (static
 * string). Returns CN_OK, CN_ERR_NOT_FOUND or CN_ERR_DB. */
enum cn_err db_photo_get(struct db *db, const char *request_id, int n, char **data, size_t *len,
                         const char **type);

/* Records the confirmation. CONFLICT when the visit is confirmed already.
 * Returns CN_OK, CN_ERR_CONFLICT or CN_ERR_DB. */
enum cn_err db_visit_confirm(struct db *db, const char *request_id, const char *by, int64_t now);

/* *out: {"confirmed_by", "confirmed_at"} or JSON null. Returns CN_OK or
 * CN_ERR_DB. */
enum cn_err db_visit_confirmation(struct db *db, const char *request_id, json_t **out);

#endif
