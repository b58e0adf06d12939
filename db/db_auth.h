/* Storage of credentials: API tokens (hashes only) and the staff row a
 * token belongs to. */
#ifndef CN_DB_AUTH_H
#define CN_DB_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

struct db_token_owner {
	char staff_id[65];
	char site_id[65]; /* empty when the staff member has no site */
	char role[16];
	char region_id[65]; /* an officer's region; empty otherwise */
	int64_t updated_at; /* the staff row's: changes when scope may have changed */
};

/* Finds the active staff member whose unrevoked token hashes to `hash`
 * and has not expired at `now`. CN_ERR_NOT_FOUND otherwise. */
enum cn_err db_auth_token_owner(struct db *db, const unsigned char hash[32], int64_t now,
                                struct db_token_owner *out);

/* Stores a token hash for a staff member; expires_at < 0: never. */
enum cn_err db_auth_token_insert(struct db *db, const unsigned char hash[32], const char *staff_id,
                                 int64_t now, int64_t expires_at);

/* Marks a token revoked. */
enum cn_err db_auth_token_revoke(struct db *db, const unsigned char hash[32], int64_t now);

/* Revokes every token of a staff member (deactivation). */
enum cn_err db_auth_tokens_revoke_staff(struct db *db, const char *staff_id, int64_t now);

/* True when at least one active admin exists. */
enum cn_err db_auth_admin_exists(struct db *db, bool *exists);

/* Creates the bootstrap admin (id "admin", username "admin", no password)
 * with the given token hash, in one transaction. CN_ERR_CONFLICT when a
 * user "admin" exists already. */
enum cn_err db_auth_create_bootstrap_admin(struct db *db, const unsigned char hash[32],
                                           int64_t now);

/* Login lookup: id, role, password hash and active flag by username. */
struct db_login_row {
	char staff_id[65];
	char password_hash[160];
	bool active;
	bool has_password;
};
enum cn_err db_auth_login_row(struct db *db, const char *username, struct db_login_row *out);

/* Revokes every token of staff_id except the one hashing to `keep` (a
 * password change keeps the session that made it). CN_OK or CN_ERR_DB. */
enum cn_err db_auth_tokens_revoke_others(struct db *db, const char *staff_id,
                                         const unsigned char keep[32], int64_t now);
/* Revokes the bootstrap tokens (the ones without expiry) when the
 * bootstrap token is no longer configured, or once an active admin has a
 * password. CN_OK or CN_ERR_DB. */
enum cn_err db_auth_bootstrap_retire(struct db *db, bool configured, int64_t now);
/* Deletes expired tokens and those revoked over a day ago. CN_OK or
 * CN_ERR_DB. */
enum cn_err db_auth_tokens_prune(struct db *db, int64_t now);

#endif
