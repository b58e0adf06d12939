/* What the record resources share: the checks of a referenced site or
 * resident, family membership, and the service categories (a resident's
 * needs and the service catalogue use the same list). */
#ifndef CN_API_REFS_H
#define CN_API_REFS_H

#include <stdbool.h>

#include "api.h"
#include "policy.h"

struct db_win_resident;

/* The service categories, NULL-terminated. */
extern const char *const api_categories[];

/* Whether the caller is a family member of `resident_id` (false for any
 * other role, for NULL, and on a database error). */
bool api_ref_family_of(struct api_req *r, const char *resident_id);

/* A referenced site must exist and be visible to the caller. Returns true;
 * otherwise false with a 400 naming `field` already set (existence
 * elsewhere is not revealed). */
bool api_ref_site(struct api_req *r, const char *field, const char *site_id);

/* Same for a resident; fills `site` with the resident's site on true. */
bool api_ref_resident(struct api_req *r, const char *field, const char *resident_id, char site[65]);

/* A channel named by a contact point (staff contacts[].channel_id, a
 * resident's emergency_contacts[].channels[]) must exist and be a
 * channel of the caller's site or one of no site (admins: any). Returns
 * true; otherwise false with a 400 naming `field` already set. */
bool api_ref_channel(struct api_req *r, const char *field, const char *channel_id);

/* The actor of an audit or change row for the caller: "user:<id>". */
void api_ref_actor(const struct api_req *r, char out[80]);

/* A resident named in a body that the caller means to `act` on as `res`:
 * true with the resident's facts in `out`; false with the response set:
 * 400 naming resident_id when unknown or not the caller's (existence
 * elsewhere is not told), 403 for a role that may never do it. */
bool api_ref_resident_may(struct api_req *r, enum pol_resource res, enum pol_action act,
                          const char *id, struct db_win_resident *out);

/* The site a list or report is for: the one asked for (?site_id=), else
 * the caller's scope (NULL: all sites). Returns true; false with 404 set
 * for another site than the scope's or an unknown one. */
bool api_ref_scoped_site(struct api_req *r, enum pol_resource res, const char **site);

#endif
