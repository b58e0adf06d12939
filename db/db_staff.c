#include "db_staff.h"

/* The one staff encoder: column names are the API's field names. */
#define STAFF_JSON_COLUMNS                                                                             \
	"s.id, s.site_id, s.name, s.role, s.phone, s.username, s.active AS \"active@b\","              \
	" s.skills AS \"skills@j\","                                                                   \
	" CASE WHEN s.role = 'family' THEN (SELECT json_group_array(resident_id) FROM"                 \
	"  (SELECT resident_id FROM staff_residents WHERE staff_id = s.id ORDER BY resident_id) AS r)" \
	"  END AS \"resident_ids@o\", s.region_id, s.created_at AS \"created_at@t\", s.updated_at AS \"updated_at@t\""

enum cn_err db_staff_json(struct db *db, const char *id, json_t **out)
{
	static const char sql[] = "SELECT " STAFF_JSON_COLUMNS " FROM staff s WHERE s.id = ?1";
	*out = NULL;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_text(st, 1, id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*out = db_row_json(st);
	db_reset(st);
	if (rc == DB_ROW) {
		if (json_is_null(json_object_get(*out, "resident_ids")))
			json_object_del(*out, "resident_ids");
		return CN_OK;
	}
	return rc == DB_DONE ? CN_ERR_NOT_FOUND : db_err(rc);
}
