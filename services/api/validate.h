/* The input rules every resource shares: JSON bodies checked field by field
 * against a table (type, length, range, allowed values, unknown fields
 * rejected), and the list conventions (limit, opaque cursor, times). On a
 * failure these set the 400 response naming the field and return false;
 * the handler just returns. */
#ifndef CN_VALIDATE_H
#define CN_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"

enum field_type {
	FIELD_STRING, /* UTF-8, length min..max bytes */
	FIELD_INT,    /* integer in min..max */
	FIELD_BOOL,
	FIELD_TIME,   /* RFC 3339 string */
	FIELD_HHMM,   /* "HH:MM" */
	FIELD_DATE,   /* "YYYY-MM-DD" */
	FIELD_ENUM,   /* one of `values` */
	FIELD_ID,     /* [A-Za-z0-9._:-]{1,64} */
	FIELD_ARRAY,  /* array of at most max items (items checked by the handler) */
	FIELD_OBJECT, /* object (members checked by the handler) */
};

struct field_spec {
	const char *name;
	enum field_type type;
	bool required;
	long min, max;
	const char *const *values; /* FIELD_ENUM: NULL-terminated */
	bool nullable;             /* null is accepted (clears the field) */
};

/* Checks r->body (NULL counts as {}) against the table: unknown fields,
 * missing required ones and bad values give 400 naming the field. With
 * `patch`, nothing is required (a PATCH sends what changes). */
bool validate_fields(struct api_req *r, const json_t *obj, const char *prefix,
                     const struct field_spec *fields, size_t n, bool patch);
bool validate_body(struct api_req *r, const struct field_spec *fields, size_t n);
bool validate_patch(struct api_req *r, const struct field_spec *fields, size_t n);

/* An id as the router and the ids we create allow. */
bool validate_id(const char *s);

/* Pagination: ?limit= (1-500, default 50) and ?cursor= (opaque; we encode
 * the last row's key). *after is 0 without a cursor. */
bool validate_page(struct api_req *r, int *limit, int64_t *after);
/* The next_cursor for the last key of a full page. Caller frees. */
char *page_cursor(int64_t last_key);
/* Builds {"items": items, "next_cursor": ...}: takes `items`; when it holds
 * `limit` rows, the cursor points after `last_key`. */
json_t *page_body(json_t *items, int limit, int64_t last_key);

/* Optional RFC 3339 query parameter; *present says whether it was given. */
bool validate_query_time(struct api_req *r, const char *name, int64_t *ms, bool *present);
/* Optional query parameter that must be an id; NULL when absent. */
bool validate_query_id(struct api_req *r, const char *name, const char **out);
/* Optional query parameter from a fixed set; NULL when absent. */
bool validate_query_enum(struct api_req *r, const char *name, const char *const *values,
                         const char **out);

/* A new server-chosen id: prefix + 16 random hex characters. */
void new_id(const char *prefix, char out[ID_MAX + 1]);

#endif
