/* Regions (district, street, community), contract section 8: the record
 * resource for the generic handlers of api_crud.c, and the one question
 * the other handlers ask of the tree for an officer's scope. */
#ifndef CN_API_REGIONS_H
#define CN_API_REGIONS_H

#include <stdbool.h>

#include "api_crud.h"

extern const struct api_resource api_regions;

/* True when the caller is an officer and site `site_id` lies in their
 * region or below (the pol_target.in_region fact); false for every other
 * role, a NULL site or a database error. */
bool api_region_holds_site(struct api_req *r, const char *site_id);

/* Whether the caller may read the figures of region `id` rolled up: an
 * admin any region, an officer their own and those below it (404 for
 * others and for an unknown id), nobody else (403). False with the answer
 * set. */
bool api_region_readable(struct api_req *r, const char *id);

#endif
