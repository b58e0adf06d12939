/* The reference checks the record resources share (api_refs.h). */
#include <stdio.h>
#include <string.h>

#include "api_refs.h"
#include "auth.h"
#include "db.h"
#include "db_auth.h"
#include "db_deliveries.h"
#include "db_records.h"
#include "db_service_net.h"
#include "db_windows.h"
#include "validate.h"

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

bool api_ref_channel(struct api_req *r, const char *field, const char *channel_id)
{
	struct db_channel ch;
	if (!channel_id || db_channel_get(r->db, channel_id, &ch) != CN_OK ||
	    (r->who->role != ROLE_ADMIN && ch.site_id[0] &&
	     strcmp(ch.site_id, r->who->site_id) != 0)) {
		api_error(r, CN_ERR_INVALID, "%s: no such channel", field);
		return false;
	}
	return true;
}

void api_ref_actor(const struct api_req *r, char out[80])
{
	snprintf(out, 80, "user:%s", r->who->id);
}

bool api_ref_resident_may(struct api_req *r, enum pol_resource res, enum pol_action act,
                          const char *id, struct db_win_resident *out)
{
	if (policy_decide(r->who, res, act, NULL) == POL_FORBIDDEN)
		return policy_require(r, res, act, NULL);
	if (db_win_resident_get(r->db, id, out) != CN_OK) {
		api_error(r, CN_ERR_INVALID, "resident_id: no such resident");
		return false;
	}
	struct pol_target t = {.site_id = out->site_id, .family_member = api_ref_family_of(r, id)};
	if (policy_decide(r->who, res, act, &t) == POL_HIDDEN) {
		api_error(r, CN_ERR_INVALID, "resident_id: no such resident");
		return false;
	}
	return policy_require(r, res, act, &t);
}

bool api_ref_scoped_site(struct api_req *r, enum pol_resource res, const char **site)
{
	struct pol_scope scope;
	policy_scope(r->who, res, &scope);
	if (!validate_query_id(r, "site_id", site))
		return false;
	if (!*site)
		*site = scope.site_id && scope.site_id[0] ? scope.site_id : NULL;
	bool known = false;
	if (*site && (db_site_exists(r->db, *site, &known) != CN_OK || !known ||
	              (scope.site_id && strcmp(*site, scope.site_id) != 0))) {
		api_not_found(r);
		return false;
	}
	return true;
}
