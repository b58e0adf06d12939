/* Regions (district, street, community), contract section 8: the record
 * resource for the generic handlers of api_resource.c. */
#ifndef CN_API_REGIONS_H
#define CN_API_REGIONS_H

#include "api_crud.h"

extern const struct api_resource api_regions;

#endif
