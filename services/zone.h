/* Time zones by IANA name ("Europe/London"), read from the system's
 * compiled zone files (/usr/share/zoneinfo, Debian's tzdata) and decoded
 * by proto/tzif.h. For the wall time of a site's rotas: a site may sit in
 * another zone than the daemon's `timezone`. */
#ifndef CN_ZONE_H
#define CN_ZONE_H

#include <stdbool.h>

#include "cn_error.h"
#include "tzif.h"

#define ZONE_NAME_MAX 64

/* Whether `name` has the shape of a zone name: letters, digits, '_',
 * '-', '+' and '/' between parts, no "." parts, at most ZONE_NAME_MAX
 * bytes. */
bool zone_name_ok(const char *name);

/* Loads zone `name` into *out. CN_OK; CN_ERR_INVALID for a bad name,
 * CN_ERR_NOT_FOUND when the system has no such zone (or its file is not
 * a TZif). */
enum cn_err zone_load(const char *name, struct tzif *out);

#endif
