/* The arithmetic of government-funded home care (care-model.md
 * "Government-funded home care", contract section 8) as pure functions:
 * what one visit costs, what a resident's month adds up to, how much of it
 * the subsidy pays, in which month a correction lands, and whether a visit
 * was made where the resident lives. No I/O, no db, no clock of its own:
 * every time is an argument (ms since the epoch). settle_month_of and
 * settle_month_start are UTC calendar arithmetic; the settlement report
 * itself (api_settlement.c) bounds its months by the local calendar of the
 * configured timezone (clock.h), and uses the parse, format and month_for
 * helpers here. */
#ifndef CN_SETTLEMENT_H
#define CN_SETTLEMENT_H

#include <stdbool.h>
#include <stdint.h>

/* How a service is billed. */
enum settle_unit {
	SETTLE_UNIT_VISIT = 0, /* price_cents per completed visit */
	SETTLE_UNIT_HOUR = 1,  /* price_cents per hour of the nominal duration_min */
};

/* The default distance (m) within which a visit counts as on site. */
#define SETTLE_RADIUS_DEFAULT_M 300

/* One line of a resident's month: a completed visit, or an adjustment (a
 * correction of a closed month, landed in a later one). Borrowed strings
 * are not copied. */
struct settle_line {
	enum settle_unit unit;
	int64_t price_cents;  /* the service's price when it was done, >= 0 */
	int duration_min;     /* the service's nominal duration, >= 0 */
	int64_t started_at;   /* ms; 0 = never started (no actual minutes) */
	int64_t completed_at; /* ms */
	bool adjustment;      /* true: amount_cents below is the delta, unit/price unused */
	int64_t adjust_cents; /* an adjustment's signed amount */
};

/* What settle_line_price() finds for one line. */
struct settle_priced {
	int64_t amount_cents; /* what the line bills (signed for adjustments) */
	int actual_min;       /* minutes from start to completion, -1 = unknown */
	bool is_short;        /* actual_min known and under half the nominal */
};

/* A resident's month. */
struct settle_month_total {
	int count;             /* visits (adjustments are not visits) */
	int nominal_min;       /* sum of the visits' nominal minutes */
	int actual_min;        /* sum of the known actual minutes */
	int short_count;       /* visits flagged short */
	int adjustments;       /* adjustment lines */
	int64_t amount_cents;  /* visits + adjustments, floored at 0 */
	int64_t subsidy_cents; /* min(amount, allowance) */
	int64_t family_cents;  /* amount - subsidy */
};

/* The amount of one visit billed by `unit`. Per visit: the price. Per
 * hour: price_cents * duration_min / 60 rounded to the nearest cent, a half
 * cent up (ROUND() in a spreadsheet gives the same, so the accountant can
 * check each line by hand). Billing on the nominal duration, not on the
 * actual minutes, is the purchase-of-service rule: the district buys "one
 * 60-minute bath", and a short visit is flagged, not prorated. */
int64_t settle_visit_amount(enum settle_unit unit, int64_t price_cents, int duration_min);

/* Whole minutes from started_at to completed_at (rounded to the nearest
 * minute), or -1 when the visit was never started or the times are out of
 * order. */
int settle_actual_minutes(int64_t started_at, int64_t completed_at);

/* Prices one line (see struct settle_priced). */
struct settle_priced settle_line_price(const struct settle_line *line);

/* Adds up a resident's `n` lines of one month against the monthly
 * allowance (`allowance_cents` <= 0: no subsidy). The subsidy pays up to
 * the allowance; the family pays the rest. `lines` is borrowed. */
struct settle_month_total settle_resident_month(const struct settle_line *lines, int n,
                                                int64_t allowance_cents);

/* Months are integers yyyy*12 + (mm-1), so that +1 is the next month. */

/* Parses "YYYY-MM" (exactly 7 characters, 2000-01 .. 2999-12) into *month.
 * Returns 0 on success, -1 on anything else (*month untouched). */
int settle_month_parse(const char *text, int *month);

/* Writes "YYYY-MM" and a NUL into out (at least 8 bytes). */
void settle_month_format(int month, char out[8]);

/* The UTC month that `ms` falls in. */
int settle_month_of(int64_t ms);

/* The first ms of `month` (UTC); the month ends where month+1 begins. */
int64_t settle_month_start(int month);

/* The month a record done in `month` is settled in, when months up to and
 * including `last_closed` (-1: none closed) are frozen: its own month while
 * that is open, else the month after the last close, as an adjustment. */
int settle_month_for(int month, int last_closed);

/* The great-circle distance in metres between two points in degrees
 * (haversine on a sphere of radius 6371008.8 m, the mean Earth radius:
 * within 0.5% of the ellipsoid, far finer than a phone's GPS). */
double settle_distance_m(double lat1, double lon1, double lat2, double lon2);

/* True when a location is farther than radius_m (<= 0: the default 300)
 * from the resident's; the accuracy the phone reports is given to the
 * carer (a fix of 50 m at 320 m is still within), never against them. */
bool settle_off_site(double lat, double lon, double accuracy_m, double home_lat, double home_lon,
                     int radius_m);

/* Minutes a volunteer's completed request credits: the actual minutes when
 * known, else the service's nominal duration. */
int settle_volunteer_minutes(int64_t started_at, int64_t completed_at, int duration_min);

#endif
