#include "db_auth.h"

#include <stdio.h>
#include <string.h>

static void copy_col(char *dst, size_t size, struct db_stmt *st, int col)
{
	const unsigned char *s = db_col_text(st, col);
	snprintf(dst, size, "%s", s ? (const char *)s : "");
}

enum cn_err db_auth_token_owner(struct db *db, const unsigned char hash[32], int64_t now,
                                struct db_token_owner *out)
{
	static const char sql[] =
		"SELECT s.id, s.site_id, s.role, s.updated_at, s.region_id FROM api_tokens t JOIN staff s ON s.id = t.staff_id"
		" WHERE t.token_hash = ?1 AND t.revoked_at IS NULL"
		" AND (t.expires_at IS NULL OR t.expires_at > ?2) AND s.active = 1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_blob(st, 1, hash, 32);
	db_bind_int64(st, 2, now);
	int rc = db_step(st);
	enum cn_err err = CN_ERR_NOT_FOUND;
	if (rc == DB_ROW) {
		copy_col(out->staff_id, sizeof(out->staff_id), st, 0);
		copy_col(out->site_id, sizeof(out->site_id), st, 1);
		copy_col(out->role, sizeof(out->role), st, 2);
		out->updated_at = db_col_int64(st, 3);
		copy_col(out->region_id, sizeof(out->region_id), st, 4);
		err = CN_OK;
	} else if (rc != DB_DONE) {
		err = db_err(rc);
	}
	db_reset(st);
	return err;
}

enum cn_err db_auth_token_insert(struct db *db, const unsigned char hash[32], const char *staff_id,
                                 int64_t now, int64_t expires_at)
{
	static const char sql[] =
		"INSERT INTO api_tokens(token_hash, staff_id, created_at, expires_at)"
		" VALUES (?1, ?2, ?3, ?4)";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_blob(st, 1, hash, 32);
	db_bind_text(st, 2, staff_id);
	db_bind_int64(st, 3, now);
	db_bind_opt_int(st, 4, expires_at >= 0, expires_at);
	return db_step_done(st);
}

enum cn_err db_auth_token_revoke(struct db *db, const unsigned char hash[32], int64_t now)
{
	static const char sql[] =
		"UPDATE api_tokens SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_blob(st, 1, hash, 32);
	db_bind_int64(st, 2, now);
	return db_step_done(st);
}

enum cn_err db_auth_tokens_revoke_staff(struct db *db, const char *staff_id, int64_t now)
{
	static const char sql[] =
		"UPDATE api_tokens SET revoked_at = ?2 WHERE staff_id = ?1 AND revoked_at IS NULL";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, staff_id);
	db_bind_int64(st, 2, now);
	return db_step_done(st);
}

enum cn_err db_auth_admin_exists(struct db *db, bool *exists)
{
	static const char sql[] =
		"SELECT EXISTS(SELECT 1 FROM staff WHERE role = 'admin' AND active = 1)";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	int64_t v = 0;
	enum cn_err rc = db_step_int64(st, &v);
	*exists = v != 0;
	return rc;
}

enum cn_err db_auth_create_bootstrap_admin(struct db *db, const unsigned char hash[32], int64_t now)
{
	static const char sql_staff[] =
		"INSERT INTO staff(id, site_id, name, role, username, active, created_at, updated_at)"
		" VALUES ('admin', NULL, 'Administrator', 'admin', 'admin', 1, ?1, ?1)";
	enum cn_err rc = db_begin(db);
	if (rc != CN_OK)
		return rc;
	struct db_stmt *st = db_stmt(db, sql_staff);
	if (!st) {
		rc = CN_ERR_DB;
		goto fail;
	}
	db_bind_int64(st, 1, now);
	rc = db_step_done(st);
	if (rc == CN_OK)
		rc = db_auth_token_insert(db, hash, "admin", now, -1);
	if (rc == CN_OK)
		return db_commit(db);
fail:
	db_rollback(db);
	return rc;
}

enum cn_err db_auth_login_row(struct db *db, const char *username, struct db_login_row *out)
{
	static const char sql[] = "SELECT id, password_hash, active FROM staff WHERE username = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, username);
	int rc = db_step(st);
	enum cn_err err = CN_ERR_NOT_FOUND;
	if (rc == DB_ROW) {
		copy_col(out->staff_id, sizeof(out->staff_id), st, 0);
		out->has_password = db_col_type(st, 1) != DB_NULL;
		copy_col(out->password_hash, sizeof(out->password_hash), st, 1);
		out->active = db_col_int(st, 2) != 0;
		err = CN_OK;
	} else if (rc != DB_DONE) {
		err = db_err(rc);
	}
	db_reset(st);
	return err;
}

enum cn_err db_auth_tokens_revoke_others(struct db *db, const char *staff_id,
                                         const unsigned char keep[32], int64_t now)
{
	static const char sql[] = "UPDATE api_tokens SET revoked_at = ?2 WHERE staff_id = ?1"
				  " AND revoked_at IS NULL AND token_hash <> ?3";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, staff_id);
	db_bind_int64(st, 2, now);
	db_bind_blob(st, 3, keep, 32);
	return db_step_done(st);
}

enum cn_err db_auth_bootstrap_retire(struct db *db, bool configured, int64_t now)
{
	/* Bootstrap tokens are the only ones without an expiry. */
	static const char sql[] =
		"UPDATE api_tokens SET revoked_at = ?1 WHERE expires_at IS NULL AND revoked_at IS NULL"
		" AND (?2 = 0 OR EXISTS(SELECT 1 FROM staff WHERE role = 'admin' AND active = 1"
		" AND password_hash IS NOT NULL))";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, configured ? 1 : 0);
	return db_step_done(st);
}

enum cn_err db_auth_tokens_prune(struct db *db, int64_t now)
{
	static const char sql[] =
		"DELETE FROM api_tokens WHERE (expires_at IS NOT NULL AND expires_at < ?1)"
		" OR (revoked_at IS NOT NULL AND revoked_at < ?1 - 86400000)";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, now);
	return db_step_done(st);
}
