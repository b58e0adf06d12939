#include "db_evidence.h"

#include <stdlib.h>
#include <string.h>

#include "payload.h"
#include "xalloc.h"

enum cn_err db_evidence_home(struct db *db, const char *request_id, char **location, int *radius_m)
{
	*location = NULL;
	*radius_m = 300;
	struct db_stmt *st = db_stmt(db, "SELECT r.location, s.visit_radius_m FROM requests q"
	                                 " JOIN residents r ON r.id = q.resident_id"
	                                 " JOIN sites s ON s.id = r.site_id WHERE q.id = :id");
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":id", request_id);
	int rc = db_step(st);
	enum cn_err out = CN_OK;
	if (rc == DB_ROW) {
		const unsigned char *loc = db_col_text(st, 0);
		if (loc)
			*location = xstrdup((const char *)loc);
		*radius_m = db_col_int(st, 1);
	} else {
		out = rc == DB_DONE ? CN_ERR_NOT_FOUND : db_err(rc);
	}
	db_reset(st);
	return out;
}

enum cn_err db_evidence_put(struct db *db, const char *request_id, const char *step,
                            const struct db_evidence_point *p, int64_t now)
{
	struct db_stmt *st = db_stmt(
		db,
		"INSERT INTO visit_evidence(request_id, step, lat, lon, accuracy_m, distance_m,"
		" off_site, recorded_at) VALUES (:id, :step, :lat, :lon, :acc, :dist, :off, :now)"
		" ON CONFLICT (request_id, step) DO UPDATE SET lat = excluded.lat,"
		" lon = excluded.lon, accuracy_m = excluded.accuracy_m,"
		" distance_m = excluded.distance_m, off_site = excluded.off_site,"
		" recorded_at = excluded.recorded_at");
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":id", request_id);
	db_bind_named_text(st, ":step", step);
	db_bind_double(st, db_param_index(st, ":lat"), p->lat);
	db_bind_double(st, db_param_index(st, ":lon"), p->lon);
	int acc = db_param_index(st, ":acc");
	int dist = db_param_index(st, ":dist");
	if (p->accuracy_m >= 0)
		db_bind_double(st, acc, p->accuracy_m);
	else
		db_bind_null(st, acc);
	if (p->distance_m >= 0)
		db_bind_double(st, dist, p->distance_m);
	else
		db_bind_null(st, dist);
	db_bind_named_int(st, ":off", p->off_site ? 1 : 0);
	db_bind_named_int(st, ":now", now);
	return db_step_done(st);
}

enum cn_err db_evidence_get(struct db *db, const char *request_id, json_t **out)
{
	*out = NULL;
	struct db_stmt *st = db_stmt(db, "SELECT step, lat, lon, accuracy_m, distance_m, off_site,"
	                                 " recorded_at FROM visit_evidence WHERE request_id = :id");
	if (!st)
		return CN_ERR_DB;
	db_bind_named_text(st, ":id", request_id);
	json_t *obj = json_pack("{s:n, s:n, s:b}", "start", "complete", "off_site", 0);
	bool off = false;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *step = (const char *)db_col_text(st, 0);
		char at[32];
		cn_time_format_rfc3339(db_col_int64(st, 6), at);
		json_t *pt = json_pack("{s:f, s:f, s:s}", "lat", db_col_double(st, 1), "lon",
		                       db_col_double(st, 2), "recorded_at", at);
		json_object_set_new(pt, "accuracy_m",
		                    db_col_type(st, 3) == DB_NULL
		                            ? json_null()
		                            : json_real(db_col_double(st, 3)));
		json_object_set_new(pt, "distance_m",
		                    db_col_type(st, 4) == DB_NULL
		                            ? json_null()
		                            : json_real(db_col_double(st, 4)));
		bool o = db_col_int(st, 5) != 0;
		json_object_set_new(pt, "off_site", json_boolean(o));
		off = off || o;
		if (step)
			json_object_set_new(obj, step, pt);
		else
			json_decref(pt);
	}
	db_reset(st);
	if (rc != DB_DONE) {
		json_decref(obj);
		return db_err(rc);
	}
	json_object_set_new(obj, "off_site", json_boolean(off));
	*out = obj;
	return CN_OK;
}
