/* The reference checks the record resources share (api_refs.h). */
#include <string.h>

#include "api_refs.h"
#include "auth.h"
#include "db.h"
#include "db_auth.h"
#include "db_records.h"

const char *const api_categories[] = {"meal",          "cleaning", "bathing",
                                      "companionship", "medical",  "escort",
                                      "repair",        "other",    NULL};

bool api_ref_family_of(struct api_req *r, const char *resident_id)
{
	bool yes = false;
	if (r->who->role == ROLE_FAMILY && resident_id)
		db_family_has_resident(r->db, r->who->id, resident_id, &yes);
	return yes;
}

bool api_ref_site(struct api_req *r, const char *field, const char *site_id)
{
	json_t *site = NULL;
	if (db_res_get(r->db, &db_sites, site_id, &site) != CN_OK ||
	    (r->who->role != ROLE_ADMIN && strcmp(site_id, r->who->site_id) != 0)) {
		json_decref(site);
		api_error(r, CN_ERR_INVALID, "%s: no such site", field);
		return false;
	}
	json_decref(site);
	return true;
}

bool api_ref_resident(struct api_req *r, const char *field, const char *resident_id, char site[65])
{
	if (db_resident_site(r->db, resident_id, site) != CN_OK ||
	    (r->who->role != ROLE_ADMIN && r->who->role != ROLE_FAMILY &&
	     strcmp(site, r->who->site_id) != 0) ||
	    (r->who->role == ROLE_FAMILY && !api_ref_family_of(r, resident_id))) {
		api_error(r, CN_ERR_INVALID, "%s: no such resident", field);
		return false;
	}
	return true;
}
