#include "auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "db_auth.h"

enum cn_err auth_init(void) { return sodium_init() < 0 ? CN_ERR_IO : CN_OK; }

void auth_token_hash(const char *token, size_t len, unsigned char out[32])
{
	crypto_hash_sha256(out, (const unsigned char *)token, len);
}

void auth_token_new(char out[AUTH_TOKEN_CHARS + 1])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, AUTH_TOKEN_CHARS + 1, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

enum cn_err auth_bearer(struct db *db, const char *header, int64_t now, struct principal *out)
{
	static const char prefix[] = "Bearer ";
	if (!header || strncasecmp(header, prefix, sizeof(prefix) - 1) != 0)
		return CN_ERR_UNAUTHORIZED;
	const char *token = header + sizeof(prefix) - 1;
	size_t len = strlen(token);
	if (len < 16 || len > 256)
		return CN_ERR_UNAUTHORIZED;
	/* Only the hash is looked up, so the lookup's timing says nothing
	 * about the token itself. */
	unsigned char hash[32];
	auth_token_hash(token, len, hash);
	struct db_token_owner owner;
	enum cn_err rc = db_auth_token_owner(db, hash, now, &owner);
	if (rc == CN_ERR_NOT_FOUND)
		return CN_ERR_UNAUTHORIZED;
	if (rc != CN_OK)
		return rc;
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", owner.staff_id);
	snprintf(out->site_id, sizeof(out->site_id), "%s", owner.site_id);
	snprintf(out->region_id, sizeof(out->region_id), "%s", owner.region_id);
	if (!role_from_name(owner.role, &out->role))
		return CN_ERR_UNAUTHORIZED;
	return CN_OK;
}

enum cn_err auth_bootstrap(struct db *db, const char *token, int64_t now, int *created)
{
	*created = 0;
	bool exists = false;
	enum cn_err rc = db_auth_admin_exists(db, &exists);
	if (rc != CN_OK || exists)
		return rc;
	unsigned char hash[32];
	auth_token_hash(token, strlen(token), hash);
	rc = db_auth_create_bootstrap_admin(db, hash, now);
	if (rc == CN_OK)
		*created = 1;
	return rc;
}

enum cn_err auth_password_hash(const char *password, char *out, size_t out_size)
{
	if (out_size < crypto_pwhash_STRBYTES)
		return CN_ERR_INVALID;
	/* Interactive limits: about 0.1 s and 64 MiB on these machines is too
	 * much for a 2-core box under load, so memory is held to 19 MiB
	 * (OWASP's Argon2id minimum) with 2 passes. */
	if (crypto_pwhash_str_alg(out, password, strlen(password), 2, 19u * 1024 * 1024,
	                          crypto_pwhash_ALG_ARGON2ID13) != 0)
		return CN_ERR_IO;
	return CN_OK;
}

int auth_password_verify(const char *stored_hash, const char *password)
{
	return crypto_pwhash_str_verify(stored_hash, password, strlen(password)) == 0;
}

static const char *const role_names[ROLE_COUNT] = {
	"admin", "coordinator", "caregiver", "volunteer", "family", "clinician", "officer"};

const char *role_name(enum role role)
{
	return (role >= 0 && role < ROLE_COUNT) ? role_names[role] : "unknown";
}

bool role_from_name(const char *name, enum role *out)
{
	for (int i = 0; name && i < ROLE_COUNT; i++) {
		if (strcmp(name, role_names[i]) == 0) {
			*out = (enum role)i;
			return true;
		}
	}
	return false;
}
