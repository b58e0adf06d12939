/* Generic REST handlers for the plain record resources (sites, staff,
 * residents, devices, shifts, services): list with scope and cursor, get,
 * create, patch, delete, each through the policy, with validation, an
 * audit row in the same transaction, and resource hooks for what is
 * particular to each. The route's arg is the struct api_resource. */
#ifndef CN_API_CRUD_H
#define CN_API_CRUD_H

#include <stdbool.h>

#include "api.h"
#include "db_crud.h"
#include "policy.h"
#include "validate.h"

struct api_resource {
	const struct res_desc *desc;
	enum pol_resource pol;
	const char *id_prefix; /* for server-chosen ids */
	const struct field_spec *fields;
	size_t n_fields;
	/* Policy facts of an object (as the API shows it, or a create body). */
	void (*target)(struct api_req *r, const json_t *obj, struct pol_target *t);
	/* Checks and rewrites a create (before == NULL) or patch body in
	 * place (e.g. hash a password); false with the response set. */
	bool (*prepare)(struct api_req *r, json_t *body, const json_t *before);
	/* Optional, on create before the policy looks at the body: fills the
	 * defaults the spec gives (a shift's site_id). false: response set. */
	bool (*defaults)(struct api_req *r, json_t *body);
	/* Writes that go with the row, inside the transaction. */
	enum cn_err (*after_write)(struct api_req *r, const char *id, const json_t *body);
	/* Runs after the commit (in-memory registries). */
	void (*committed)(struct api_req *r, const char *id);
	/* Adjusts what the caller sees of an object (family view, live state). */
	void (*present)(struct api_req *r, json_t *obj);
	/* Deletes in its own way (discharge instead of delete, ...). NULL: the
	 * descriptor's delete. Returns the status to answer (200/204) or sets
	 * an error and returns 0. */
	int (*remove)(struct api_req *r, const char *id, const json_t *before);
};

void res_list(struct api_req *r);
void res_get(struct api_req *r);
void res_create(struct api_req *r);
void res_patch(struct api_req *r);
void res_delete(struct api_req *r);

/* Reads an object for a handler and applies the read policy; NULL with
 * the response set when missing or hidden. Caller decrefs. */
json_t *res_fetch_visible(struct api_req *r, const struct api_resource *res, const char *id,
                          enum pol_action act);

/* Commits a write started with db_begin() and records the outcome. */
bool res_commit(struct api_req *r);

#endif
