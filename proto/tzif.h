/* The offsets of a time zone from its compiled TZif form (RFC 8536, the
 * files under /usr/share/zoneinfo): a decoder of bytes, no I/O. Used for
 * the wall time of each site's rotas (a site's zone may differ from the
 * daemon's `timezone`). */
#ifndef CN_TZIF_H
#define CN_TZIF_H

#include <stddef.h>
#include <stdint.h>

#include "cn_error.h"

#define TZIF_MAX_BYTES       65536
#define TZIF_MAX_TRANSITIONS 2000

struct tzif {
	size_t n;                          /* transitions */
	int64_t at[TZIF_MAX_TRANSITIONS];  /* UTC seconds, ascending */
	int32_t off[TZIF_MAX_TRANSITIONS]; /* seconds east of UTC from at[i] on */
	int32_t off_before;                /* before the first transition */
};

/* Decodes a TZif file (version 1, or the 64-bit block of versions 2 and
 * later) into *out. Instants after the last transition keep its offset
 * (Debian's files list transitions up to 2037). CN_OK, or CN_ERR_INVALID
 * for anything that is not a well-formed TZif within the bounds above. */
enum cn_err tzif_decode(const unsigned char *buf, size_t len, struct tzif *out);

/* Seconds east of UTC at the instant `utc_ms`. */
long tzif_offset(const struct tzif *z, int64_t utc_ms);

/* The instant (ms) at which the zone's wall clock shows `local_ms`
 * (local epoch ms); a wall time a DST change skips maps forwards, one
 * it repeats to the first. */
int64_t tzif_to_utc(const struct tzif *z, int64_t local_ms);

#endif
