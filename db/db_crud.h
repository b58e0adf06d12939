/* Generic storage for the REST resources that are plain records (sites,
 * staff, residents, devices, shifts, services, requests): one descriptor
 * per resource holds its fixed, parameterised SQL and the mapping from
 * API fields to columns; these functions bind JSON values into it.
 *
 * Every statement is a static string with named parameters:
 *   insert  :id, :now and :<field> for each column (absent fields bind NULL;
 *           the SQL supplies defaults with coalesce)
 *   update  :id, :now, and :has_<field> / :<field> per column, written as
 *           `col = CASE WHEN :has_col THEN :col ELSE col END`
 *   get     :id; the select list is the resource's one JSON encoder
 *   list    :after, :limit, :site, :family, :self, :volunteer, :region and :f_<name>
 *           for each filter; rows come in key order with the key first
 *   delete  :id, :now
 * Values never reach SQL text. */
#ifndef CN_DB_CRUD_H
#define CN_DB_CRUD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "db.h"

enum col_kind { COL_TEXT, COL_INT, COL_BOOL, COL_TIME, COL_JSON };

struct res_col {
	const char *field; /* API field and SQL parameter name */
	enum col_kind kind;
};

struct res_desc {
	const char *name; /* "sites": for audit rows and messages */
	const struct res_col *cols;
	size_t n_cols;
	const char *sql_insert, *sql_update, *sql_get, *sql_list, *sql_delete;
	const char *const *filters; /* query parameters bound as :f_<name>; NULL-terminated */
};

struct res_list_query {
	int64_t after;
	int limit;
	const char *site, *family, *self, *volunteer;
	const char *region;           /* an officer's region: only sites in it or below (:region) */
	const char *filter_values[8]; /* in the order of desc->filters; NULL = no filter */
};

/* Inserts a row with `id` from the fields of `body`. CONFLICT on a
 * duplicate id or unique field. */
enum cn_err db_res_insert(struct db *db, const struct res_desc *d, const char *id,
                          const json_t *body, int64_t now);
/* Applies the fields present in `patch`. NOT_FOUND when no such row. */
enum cn_err db_res_update(struct db *db, const struct res_desc *d, const char *id,
                          const json_t *patch, int64_t now);
/* The row as the API shows it. NOT_FOUND when none. */
enum cn_err db_res_get(struct db *db, const struct res_desc *d, const char *id, json_t **out);
/* A page of rows: *items (new array), *last_key the last row's key. */
enum cn_err db_res_list(struct db *db, const struct res_desc *d, const struct res_list_query *q,
                        json_t **items, int64_t *last_key);
/* Deletes (or retires: the SQL decides). NOT_FOUND when no row changed. */
enum cn_err db_res_delete(struct db *db, const struct res_desc *d, const char *id, int64_t now);

/* Audit row: who changed what; before/after are JSON (may be NULL). */
enum cn_err db_audit_add(struct db *db, int64_t now, const char *actor_id, const char *site_id,
                         const char *action, const char *resource, const char *resource_id,
                         const json_t *before, const json_t *after);

/* Binds a JSON value to the named parameter as column kind `kind`. */
void db_bind_json_value(struct db_stmt *st, const char *param, enum col_kind kind, const json_t *v);

#endif
