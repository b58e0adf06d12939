#include "db_rotas.h"

#include <stdio.h>
#include <string.h>

#define SET(c) c " = CASE WHEN :has_" c " = 1 THEN :" c " ELSE " c " END, "

static void copy_text(char *dst, size_t size, struct db_stmt *st, int col)
{
	const unsigned char *s = db_col_text(st, col);
	snprintf(dst, size, "%s", s ? (const char *)s : "");
}

static const struct res_col rota_cols[] = {
	{"site_id", COL_TEXT},   {"staff_id", COL_TEXT}, {"tier", COL_TEXT},
	{"days", COL_JSON},      {"from", COL_TEXT},     {"to", COL_TEXT},
	{"starts_on", COL_TEXT}, {"ends_on", COL_TEXT},
};
#define ROTA_COLUMNS                                                                                 \
	"id, site_id, staff_id, tier, days AS \"days@j\", from_hhmm AS \"from\", to_hhmm AS \"to\"," \
	" starts_on, ends_on, created_at AS \"created_at@t\", updated_at AS \"updated_at@t\""
static const char *const rota_filters[] = {"site_id", "staff_id", NULL};
const struct res_desc db_rotas = {
	.name = "rotas",
	.cols = rota_cols,
	.n_cols = 8,
	.sql_insert =
		"INSERT INTO rotas(id, site_id, staff_id, tier, days, from_hhmm, to_hhmm,"
		" starts_on, ends_on, created_at, updated_at) VALUES (:id, :site_id, :staff_id,"
		" :tier, :days, :from, :to, :starts_on, :ends_on, :now, :now)",
	.sql_update = "UPDATE rotas SET " SET("site_id") SET("staff_id") SET("tier")
		SET("days") " from_hhmm = CASE WHEN :has_from = 1 THEN :from ELSE from_hhmm END,"
			    " to_hhmm = CASE WHEN :has_to = 1 THEN :to ELSE to_hhmm END, " SET(
				    "starts_on") SET("ends_on") " updated_at = :now WHERE id = :id",
	.sql_get = "SELECT " ROTA_COLUMNS " FROM rotas WHERE id = :id",
	.sql_list =
		"SELECT rowid AS _key, " ROTA_COLUMNS " FROM rotas WHERE rowid > :after"
		" AND (:site IS NULL OR site_id = :site) AND (:self IS NULL OR staff_id = :self)"
		" AND (:f_site_id IS NULL OR site_id = :f_site_id)"
		" AND (:f_staff_id IS NULL OR staff_id = :f_staff_id)"
		" ORDER BY rowid LIMIT :limit",
	.sql_delete = "DELETE FROM rotas WHERE id = :id",
	.filters = rota_filters,
};

enum cn_err db_rotas_of_site(struct db *db, const char *site_id, struct db_rota_row *rows,
                             size_t max, size_t *n)
{
	static const char sql[] =
		"SELECT o.staff_id, o.tier, o.days, o.from_hhmm, o.to_hhmm, o.starts_on, o.ends_on"
		" FROM rotas o JOIN staff s ON s.id = o.staff_id WHERE o.site_id = ?1 AND s.active = 1"
		" AND s.role NOT IN ('volunteer','family','clinician','officer') ORDER BY o.tier, o.staff_id, o.id";
	*n = 0;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, site_id);
	int rc = DB_DONE;
	while (*n < max && (rc = db_step(st)) == DB_ROW) {
		struct db_rota_row *r = &rows[(*n)++];
		copy_text(r->staff_id, sizeof(r->staff_id), st, 0);
		copy_text(r->tier, sizeof(r->tier), st, 1);
		copy_text(r->days, sizeof(r->days), st, 2);
		copy_text(r->from, sizeof(r->from), st, 3);
		copy_text(r->to, sizeof(r->to), st, 4);
		copy_text(r->starts_on, sizeof(r->starts_on), st, 5);
		copy_text(r->ends_on, sizeof(r->ends_on), st, 6);
	}
	db_reset(st);
	return (rc == DB_ROW || rc == DB_DONE) ? CN_OK : db_err(rc);
}

enum cn_err db_shifts_covering(struct db *db, const char *site_id, int64_t at,
                               struct db_shift_claim *rows, size_t max, size_t *n)
{
	static const char sql[] =
		"SELECT h.staff_id, h.tier, h.starts_at, h.ends_at FROM shifts h JOIN staff s ON s.id = h.staff_id"
		" WHERE h.site_id = ?1 AND h.starts_at <= ?2 AND h.ends_at > ?2 AND s.active = 1"
		" AND s.role NOT IN ('volunteer','family','clinician','officer') ORDER BY h.tier, h.staff_id";
	*n = 0;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, site_id);
	db_bind_int64(st, 2, at);
	int rc = DB_DONE;
	while (*n < max && (rc = db_step(st)) == DB_ROW) {
		copy_text(rows[*n].staff_id, sizeof(rows[*n].staff_id), st, 0);
		copy_text(rows[*n].tier, sizeof(rows[*n].tier), st, 1);
		rows[*n].starts_at = db_col_int64(st, 2);
		rows[*n].ends_at = db_col_int64(st, 3);
		(*n)++;
	}
	db_reset(st);
	return (rc == DB_ROW || rc == DB_DONE) ? CN_OK : db_err(rc);
}

enum cn_err db_oncall_staff_json(struct db *db, const char *staff_id, json_t **out)
{
	static const char sql[] =
		"SELECT s.id, s.site_id, s.name, s.role, s.phone, s.username, s.active AS \"active@b\","
		" s.skills AS \"skills@j\" FROM staff s WHERE s.id = ?1 AND s.active = 1";
	*out = NULL;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, staff_id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*out = db_row_json(st);
	db_reset(st);
	if (rc == DB_ROW)
		return CN_OK;
	return rc == DB_DONE ? CN_ERR_NOT_FOUND : db_err(rc);
}

enum cn_err db_site_zone(struct db *db, const char *site_id, char *tz, size_t size)
{
	static const char sql[] = "SELECT timezone FROM sites WHERE id = ?1";
	struct db_stmt *st = db_stmt(db, sql);
	tz[0] = '\0';
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, site_id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		copy_text(tz, size, st, 0);
	db_reset(st);
	return (rc == DB_ROW || rc == DB_DONE) ? CN_OK : db_err(rc);
}
