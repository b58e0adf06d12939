/* Who is on call (contract section 5): weekly rotas, one-off shifts that
 * win over them, and shifts of tier `off` that take a person out. Pure:
 * the caller passes the instant already turned into local wall time (the
 * zone's offset at that instant, computed outside care/, so a DST night
 * is the caller's arithmetic and these functions stay table-testable). */
#ifndef CN_ROTA_H
#define CN_ROTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cn_error.h"

enum rota_tier { TIER_PRIMARY, TIER_BACKUP, TIER_SUPERVISOR, TIER_OFF };

/* A rota's weekly pattern. Dates are civil days since 1970-01-01 (UTC
 * calendar arithmetic, no zone); ROTA_NO_DATE leaves that end open. */
#define ROTA_NO_DATE INT32_MIN
struct rota_rule {
	unsigned days;     /* bit 0 monday .. bit 6 sunday */
	int from_min;      /* local minute of the day it starts, 0-1439 */
	int to_min;        /* local minute it ends; <= from_min crosses midnight */
	int32_t starts_on; /* first date a shift of it starts on, or ROTA_NO_DATE */
	int32_t ends_on;   /* last date a shift of it starts on, or ROTA_NO_DATE */
};

/* Local wall time: the civil day and the minute of that day. */
struct rota_local {
	int32_t day;
	int minute;
};

/* The local wall time of `utc_ms` in a zone that is `offset_s` east of
 * UTC at that instant. */
struct rota_local rota_local_time(int64_t utc_ms, long offset_s);

/* Weekday of a civil day: 0 monday .. 6 sunday. */
int rota_weekday(int32_t day);

/* Whether rule `r` covers local time `t`. Rotas are wall time. A rota
 * crossing midnight belongs to the day it starts: fri 20:00-08:00 covers
 * sat 03:00; on its dates' last day it still runs into the next morning;
 * the morning of its first date belongs to the night before, which is
 * not covered. to == from is a 24-hour shift. */
bool rota_covers(const struct rota_rule *r, struct rota_local t);

/* "mon".."sun" to a day bit; 0 when not a day name. */
unsigned rota_day_bit(const char *name);
/* "HH:MM" (00:00-23:59) to minutes. CN_OK, or CN_ERR_INVALID. */
enum cn_err rota_parse_hhmm(const char *s, int *minute);
/* "YYYY-MM-DD" (1970 on) to a civil day. CN_OK, or CN_ERR_INVALID. */
enum cn_err rota_parse_date(const char *s, int32_t *day);
/* Tier names: "primary", "backup", "supervisor", and "off" when
 * allow_off (shifts). CN_OK, or CN_ERR_INVALID. */
enum cn_err rota_parse_tier(const char *s, bool allow_off, enum rota_tier *tier);
/* The tier's name; a static string. */
const char *rota_tier_name(enum rota_tier tier);

/* One person's claim on an instant: from a rota covering it or a shift. */
struct oncall_claim {
	const char *staff_id; /* borrowed */
	enum rota_tier tier;
};

/* Who is on call from the rotas and the shifts that cover the same
 * instant. A person with any shift at that time is what their shifts say
 * (the shift wins over their rota; tier `off` takes them out); anyone
 * else is what their rotas say. Other people's rotas are untouched: a
 * swap is one `off` shift and one shift for the stand-in. Writes at most
 * `cap` entries, each (person, tier) once, rota order then shift order,
 * into out (pointers borrowed from the inputs); returns the count. */
size_t oncall_merge(const struct oncall_claim *rotas, size_t n_rotas,
                    const struct oncall_claim *shifts, size_t n_shifts, struct oncall_claim *out,
                    size_t cap);

#endif
