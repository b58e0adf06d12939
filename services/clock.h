/* Wall clock and local time in the configured zone (contract: `timezone`).
 * The zone is set once at start-up with clock_set_zone() before threads
 * start; after that these functions only read it. */
#ifndef CN_CLOCK_H
#define CN_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Milliseconds since the epoch, UTC. */
int64_t clock_now_ms(void);
/* Monotonic milliseconds, for timeouts. */
int64_t clock_mono_ms(void);

/* Sets the process's zone (NULL or "" keeps the system zone). */
void clock_set_zone(const char *zone);

/* Local minute of the day (0-1439) of `ms` in the configured zone. */
int clock_local_minute(int64_t ms);
/* The local wall-clock time of `ms` read as if it were UTC: ms plus the
 * zone's offset at that instant (the daily activity arithmetic counts
 * local days on it, wellbeing.h). */
int64_t clock_local_ms(int64_t ms);
/* Local date "YYYY-MM-DD" of `ms` into out (>= 11 bytes). */
void clock_local_date(int64_t ms, char out[11]);
/* Epoch ms of local midnight starting the day that contains `ms`. */
int64_t clock_local_midnight(int64_t ms);
/* Epoch ms of local wall time `minute` on the local day containing
 * `day_ms`; a minute skipped by a DST change maps to the first valid one
 * after it, a repeated one to its first occurrence. */
int64_t clock_local_at(int64_t day_ms, int minute);
/* Parses "YYYY-MM-DD" as a local date; returns its midnight in ms. */
bool clock_parse_local_date(const char *s, int64_t *midnight_ms);

/* Seconds the configured zone is east of UTC at the instant `ms` (DST
 * included): what care/rota.h takes to turn an instant into wall time. */
long clock_utc_offset_s(int64_t ms);

#endif
