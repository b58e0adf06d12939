#include "api_evidence.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db_evidence.h"
#include "db_photos.h"
#include "settlement.h"

static bool number_in(const json_t *v, double lo, double hi, double *out)
{
	if (!json_is_number(v))
		return false;
	double d = json_number_value(v);
	if (!isfinite(d) || d < lo || d > hi)
		return false;
	*out = d;
	return true;
}

bool api_location_parse(struct api_req *r, const char *field, const json_t *v,
                        struct api_location *out)
{
	if (!json_is_object(v)) {
		api_error(r, CN_ERR_INVALID, "%s: must be an object {lat, lon, accuracy_m}", field);
		return false;
	}
	const char *key;
	json_t *m;
	json_object_foreach ((json_t *)v, key, m) {
		if (strcmp(key, "lat") && strcmp(key, "lon") && strcmp(key, "accuracy_m")) {
			api_error(r, CN_ERR_INVALID, "%s.%s: unknown field", field, key);
			return false;
		}
	}
	out->accuracy_m = -1;
	if (!number_in(json_object_get(v, "lat"), -90, 90, &out->lat)) {
		api_error(r, CN_ERR_INVALID, "%s.lat: a number from -90 to 90 is required", field);
		return false;
	}
	if (!number_in(json_object_get(v, "lon"), -180, 180, &out->lon)) {
		api_error(r, CN_ERR_INVALID, "%s.lon: a number from -180 to 180 is required",
		          field);
		return false;
	}
	json_t *acc = json_object_get(v, "accuracy_m");
	if (acc && !json_is_null(acc) && !number_in(acc, 0, 100000, &out->accuracy_m)) {
		api_error(r, CN_ERR_INVALID, "%s.accuracy_m: a number from 0 to 100000", field);
		return false;
	}
	return true;
}

enum cn_err api_evidence_record(struct api_req *r, const char *id, const char *step,
                                const struct api_location *loc)
{
	char *home = NULL;
	int radius = SETTLE_RADIUS_DEFAULT_M;
	enum cn_err rc = db_evidence_home(r->db, id, &home, &radius);
	if (rc != CN_OK)
		goto out;
	struct db_evidence_point p = {loc->lat, loc->lon, loc->accuracy_m, -1, false};
	json_t *h = home ? json_loads(home, JSON_DECODE_ANY, NULL) : NULL;
	json_t *hl = json_object_get(h, "lat"), *ho = json_object_get(h, "lon");
	if (json_is_number(hl) && json_is_number(ho)) {
		double lat = json_number_value(hl), lon = json_number_value(ho);
		p.distance_m = settle_distance_m(loc->lat, loc->lon, lat, lon);
		p.off_site = settle_off_site(loc->lat, loc->lon, loc->accuracy_m, lat, lon, radius);
	}
	json_decref(h);
	rc = db_evidence_put(r->db, id, step, &p, r->now);
out:
	free(home);
	return rc;
}

void api_evidence_present(struct api_req *r, json_t *request)
{
	const char *id = json_string_value(json_object_get(request, "id"));
	json_t *ev = NULL;
	json_t *conf = NULL;
	if (id && db_evidence_get(r->db, id, &ev) == CN_OK) {
		/* An officer checks that the visit was on site, not where the
		 * resident lives: the flags and distances, no coordinates. */
		static const char *const steps[] = {"start", "complete"};
		for (size_t i = 0; r->who->role == ROLE_OFFICER && i < 2; i++) {
			json_t *pt = json_object_get(ev, steps[i]);
			json_object_del(pt, "lat");
			json_object_del(pt, "lon");
		}
		if (db_visit_confirmation(r->db, id, &conf) == CN_OK)
			json_object_set_new(ev, "confirmation", conf);
		json_object_set_new(request, "evidence", ev);
	}
}
