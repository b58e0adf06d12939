/* What the record resources share: the checks of a referenced site or
 * resident, family membership, and the service categories (a resident's
 * needs and the service catalogue use the same list). */
#ifndef CN_API_REFS_H
#define CN_API_REFS_H

#include <stdbool.h>

#include "api.h"

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

#endif
