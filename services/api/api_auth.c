/* POST /v1/auth/login, POST /v1/auth/logout, GET /v1/me. */
#include <stdio.h>
#include <string.h>

#include "api_handlers.h"
#include "app.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "db_auth.h"
#include "db_crud.h"
#include "db_staff.h"
#include "login_throttle.h"
#include "payload.h"
#include "validate.h"

void api_login(struct api_req *r)
{
	struct field_spec fields[] = {
		{"username", FIELD_STRING, true, 1, 64, NULL},
		{"password", FIELD_STRING, true, 1, 256, NULL},
	};
	if (!validate_body(r, fields, sizeof(fields) / sizeof(fields[0])))
		return;
	const char *username = json_string_value(json_object_get(r->body, "username"));
	const char *password = json_string_value(json_object_get(r->body, "password"));
	struct login_throttle *throttle = r->app->throttle;
	int wait = login_throttle_check(throttle, username, r->client_ip, r->now);
	if (wait > 0) {
		api_error(r, CN_ERR_THROTTLED, "too many failed logins; try again in %d s", wait);
		r->retry_after_s = wait;
		return;
	}
	struct db_login_row row;
	enum cn_err rc = db_auth_login_row(r->db, username, &row);
	if (rc != CN_OK && rc != CN_ERR_NOT_FOUND) {
		api_error(r, rc, "cannot check the login");
		return;
	}
	/* Unknown users cost a hash too, so timing does not tell who exists. */
	static const char dummy[] =
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
		"2vZMt0Yc6E1tAbH1pLLbNBUljvN0FeK4b2aW0x6WK0c";
	/* A bounded number of hashes at once: past it, answer now instead of
	 * letting logins hold every request thread. */
	if (!login_throttle_hash_begin(throttle)) {
		api_error(r, CN_ERR_UNAVAILABLE, "too many logins at once; try again in a second");
		r->retry_after_s = 1;
		return;
	}
	bool ok = rc == CN_OK && row.has_password
	                  ? auth_password_verify(row.password_hash, password)
	                  : (auth_password_verify(dummy, password), false);
	login_throttle_hash_end(throttle);
	if (!ok || !row.active) {
		login_throttle_fail(throttle, username, r->client_ip, r->now);
		api_error(r, CN_ERR_UNAUTHORIZED, "wrong username or password, or account inactive");
		return;
	}
	char token[AUTH_TOKEN_CHARS + 1];
	auth_token_new(token);
	unsigned char hash[32];
	auth_token_hash(token, strlen(token), hash);
	int64_t expires = r->now + r->app->cfg->token_ttl_s * 1000;
	json_t *user = NULL;
	/* The token and the login's audit row go in together. */
	rc = db_begin(r->db);
	if (rc == CN_OK)
		rc = db_staff_json(r->db, row.staff_id, &user);
	if (rc == CN_OK)
		rc = db_auth_tokens_prune(r->db, r->now); /* expired rows do not pile up */
	if (rc == CN_OK)
		rc = db_auth_token_insert(r->db, hash, row.staff_id, r->now, expires);
	if (rc == CN_OK)
		rc = db_audit_add(r->db, r->now, row.staff_id,
		                  json_string_value(json_object_get(user, "site_id")), "login", "auth",
		                  row.staff_id, NULL, NULL);
	if (rc == CN_OK)
		rc = db_commit(r->db);
	else
		db_rollback(r->db);
	app_note_store_result(r->app, rc);
	if (rc != CN_OK) {
		json_decref(user);
		api_error(r, rc, "cannot log in now");
		return;
	}
	char exp[32];
	cn_time_format_rfc3339(expires, exp);
	api_reply(r, 200, json_pack("{s:s,s:s,s:o}", "token", token, "expires_at", exp, "user", user));
}

void api_logout(struct api_req *r)
{
	if (!validate_body(r, NULL, 0)) /* no body, or {} */
		return;
	const char *authz = api_header(r, "Authorization");
	const char *token = authz ? authz + 7 : ""; /* auth_bearer checked "Bearer " */
	unsigned char hash[32];
	auth_token_hash(token, strlen(token), hash);
	enum cn_err rc = db_begin(r->db);
	if (rc == CN_OK)
		rc = db_auth_token_revoke(r->db, hash, r->now);
	if (rc == CN_OK)
		rc = db_audit_add(r->db, r->now, r->who->id, r->who->site_id[0] ? r->who->site_id : NULL,
		                  "logout", "auth", r->who->id, NULL, NULL);
	if (rc == CN_OK)
		rc = db_commit(r->db);
	else
		db_rollback(r->db);
	app_note_store_result(r->app, rc);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot revoke the token");
		return;
	}
	api_reply(r, 204, NULL);
}

void api_me(struct api_req *r)
{
	json_t *user = NULL;
	enum cn_err rc = db_staff_json(r->db, r->who->id, &user);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot read your record");
		return;
	}
	api_reply(r, 200, user);
}
