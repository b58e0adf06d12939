/* Read-only queries behind GET /v1/audit (GET /v1/oncall is
 * alerting/oncall.c over db_rotas.h). */
#ifndef CN_DB_QUERIES_H
#define CN_DB_QUERIES_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "db.h"

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
