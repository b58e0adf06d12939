/* The REST API's route table: every path the daemon answers. */
#ifndef CN_ROUTES_H
#define CN_ROUTES_H

#include <stddef.h>

#include "router.h"

extern const struct route api_routes[];
extern const size_t api_route_count;

#endif
