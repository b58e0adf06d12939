/* Who is calling: bearer tokens, the bootstrap admin, passwords.
 *
 * Tokens are 256-bit random secrets shown once to the client and stored
 * only as their SHA-256; passwords only as Argon2id hashes. */
#ifndef CN_AUTH_H
#define CN_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "cn_error.h"

struct db;

#define AUTH_TOKEN_CHARS 64 /* hex of 32 random bytes */

/* Initialises libsodium; call once before threads start. */
enum cn_err auth_init(void);

/* Checks an "Authorization: Bearer <token>" header value against the
 * database at time `now`. CN_ERR_UNAUTHORIZED for a missing, unknown,
 * revoked or expired token or an inactive account. */
enum cn_err auth_bearer(struct db *db, const char *header, int64_t now, struct principal *out);

/* If no active admin exists, creates user "admin" whose API token is
 * `token` (never expiring). Does nothing when an admin exists: the
 * bootstrap token is no back door into a running centre. */
enum cn_err auth_bootstrap(struct db *db, const char *token, int64_t now, int *created);

/* SHA-256 of a token, as stored. */
void auth_token_hash(const char *token, size_t len, unsigned char out[32]);

/* Makes a new random token (AUTH_TOKEN_CHARS hex + NUL). */
void auth_token_new(char out[AUTH_TOKEN_CHARS + 1]);

/* Argon2id hash of `password` into `out` (>= 128 bytes). */
enum cn_err auth_password_hash(const char *password, char *out, size_t out_size);
/* True when `password` matches the stored hash. */
int auth_password_verify(const char *stored_hash, const char *password);

#endif
