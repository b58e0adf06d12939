/* Read-only queries behind GET /v1/oncall and GET /v1/audit. */
#ifndef CN_DB_QUERIES_H
#define CN_DB_QUERIES_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "db.h"

/* Staff with a shift at `site` covering `at`, by tier:
 * {"primary": [...], "backup": [...], "supervisor": [...]} (staff objects). */
enum cn_err db_oncall(struct db *db, const char *site, int64_t at, json_t **out);

struct db_audit_query {
	int limit;
	int64_t after; /* newest first: rows with a smaller id */
	const char *site;
	const char *resource;
	bool has_since;
	int64_t since;
};
enum cn_err db_audit_list(struct db *db, const struct db_audit_query *q, json_t **items,
                          int64_t *last_key);

#endif
