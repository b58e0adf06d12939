/* Photos are evidence, served only to those who may read the request;
 * they are uploaded by those who work it (the assignee, a coordinator, an
 * admin). Types are checked by the Content-Type and by the bytes, so a
 * script named photo.jpg is refused (415). */
#include "api_photos.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_service_net.h"
#include "api_settlement.h"
#include "db.h"
#include "db_photos.h"
#include "db_service_net.h"
#include "policy.h"
#include "validate.h"

static const unsigned char jpeg_magic[] = {0xff, 0xd8, 0xff};
static const unsigned char png_magic[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

/* "image/jpeg" or "image/png" when the header and the bytes agree, else NULL. */
static const char *image_type(const char *ct, const unsigned char *data, size_t len)
{
	if (!ct)
		return NULL;
	size_t n = strcspn(ct, "; ");
	if (n == 10 && strncasecmp(ct, "image/jpeg", 10) == 0 && len >= sizeof(jpeg_magic) &&
	    memcmp(data, jpeg_magic, sizeof(jpeg_magic)) == 0)
		return "image/jpeg";
	if (n == 9 && strncasecmp(ct, "image/png", 9) == 0 && len >= sizeof(png_magic) &&
	    memcmp(data, png_magic, sizeof(png_magic)) == 0)
		return "image/png";
	return NULL;
}

void api_request_photos_add(struct api_req *r)
{
	const char *id = api_param(r, 0);
	struct db_request_facts f;
	struct pol_target t;
	if (!service_net_request_seen(r, id, &f, &t) || !policy_require(r, PR_REQUEST, PA_ACT, &t))
		return;
	if (strcmp(f.status, "cancelled") == 0) {
		api_error(r, CN_ERR_CONFLICT, "the request is cancelled: no photos");
		return;
	}
	if (api_settlement_frozen(r, id))
		return;
	if (r->raw_len == 0) {
		api_error(r, CN_ERR_INVALID, "body: the photo's bytes are required");
		return;
	}
	const char *type = image_type(r->raw_type, r->raw, r->raw_len);
	if (!type) {
		api_error(r, CN_ERR_MEDIA_TYPE,
		          "a photo is image/jpeg or image/png, by its bytes too");
		return;
	}
	int n = 0;
	enum cn_err rc = db_begin(r->db);
	if (rc == CN_OK)
		rc = db_photo_add(r->db, id, type, r->raw, r->raw_len, r->who->id, r->now, &n);
	if (rc == CN_OK)
		rc = db_commit(r->db);
	else
		db_rollback(r->db);
	if (rc == CN_ERR_CONFLICT) {
		api_error(r, rc, "a request has at most %d photos", DB_PHOTOS_MAX);
		return;
	}
	if (rc != CN_OK) {
		api_error(r, rc, "cannot store the photo");
		return;
	}
	api_reply(r, 201,
	          json_pack("{s:s, s:i, s:s, s:I}", "request_id", id, "n", n, "content_type", type,
	                    "size", (json_int_t)r->raw_len));
}

void api_request_photos_list(struct api_req *r)
{
	const char *id = api_param(r, 0);
	struct db_request_facts f;
	struct pol_target t;
	if (!service_net_request_seen(r, id, &f, &t))
		return;
	json_t *items = NULL;
	enum cn_err rc = db_photo_list(r->db, id, &items);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot read the photos");
		return;
	}
	api_reply(r, 200, json_pack("{s:o}", "items", items));
}

void api_request_photo_get(struct api_req *r)
{
	const char *id = api_param(r, 0), *ns = api_param(r, 1);
	struct db_request_facts f;
	struct pol_target t;
	if (!service_net_request_seen(r, id, &f, &t))
		return;
	char *end = NULL;
	long n = strtol(ns, &end, 10);
	if (!end || *end || n < 1 || n > DB_PHOTOS_MAX) {
		api_error(r, CN_ERR_NOT_FOUND, "no photo %.8s", ns);
		return;
	}
	char *data = NULL;
	size_t len = 0;
	const char *type = NULL;
	enum cn_err rc = db_photo_get(r->db, id, (int)n, &data, &len, &type);
	if (rc != CN_OK) {
		api_error(r, rc, rc == CN_ERR_NOT_FOUND ? "no photo %ld" : "cannot read photo %ld",
		          n);
		return;
	}
	api_reply_bytes(r, 200, type, data, len);
}

void api_request_confirm(struct api_req *r)
{
	const char *id = api_param(r, 0);
	struct db_request_facts f;
	struct pol_target t;
	if (!validate_body(r, NULL, 0) || !service_net_request_seen(r, id, &f, &t))
		return;
	/* The resident's family (their proxy in the model) speaks for them. */
	if (r->who->role != ROLE_FAMILY || !t.family_member) {
		api_error(r, CN_ERR_FORBIDDEN, "only the resident's family confirms a visit");
		return;
	}
	if (strcmp(f.status, "done") != 0) {
		api_error(r, CN_ERR_CONFLICT, "the request is %s: only a done visit is confirmed",
		          f.status);
		return;
	}
	if (api_settlement_frozen(r, id))
		return;
	json_t *c = NULL;
	enum cn_err rc = db_begin(r->db);
	if (rc == CN_OK)
		rc = db_visit_confirm(r->db, id, r->who->id, r->now);
	if (rc == CN_OK)
		rc = db_commit(r->db);
	else
		db_rollback(r->db);
	if (rc == CN_OK)
		rc = db_visit_confirmation(r->db, id, &c);
	if (rc != CN_OK) {
		api_error(r, rc,
		          rc == CN_ERR_CONFLICT ? "the visit is confirmed already"
		                                : "cannot record the confirmation");
		return;
	}
	json_object_set_new(c, "request_id", json_string(id));
	api_reply(r, 200, c);
}
