/* Daily activity summaries and the wellbeing rule of care-model.md
 * "Wellbeing trends", as pure arithmetic. The caller converts times to
 * the configured zone (it owns the clock and the zone); this module only
 * counts. proto/wellbeing.md states the rule, its defaults and why.
 *
 * A local day is the calendar date of the event's local wall-clock time,
 * so a DST day has 23 or 25 hours and is still one day. Times are epoch
 * milliseconds: `utc_ms` the instant, `local_ms` the same instant plus
 * the zone's offset at that instant (wall-clock time read as if UTC). */
#ifndef CN_WELLBEING_H
#define CN_WELLBEING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules.h"

/* The day-time hours (local minutes) in which a wellbeing alert may be
 * raised or escalated: it is never a night page (issue 18). */
#define WELLBEING_DAY_FROM_MIN (8 * 60)
#define WELLBEING_DAY_TO_MIN   (20 * 60)

/* One resident's day, as stored (one row per resident and day). */
struct activity_day {
	int32_t day;         /* days since 1970-01-01 of the local date */
	int events;          /* activity events */
	int64_t first_ms;    /* first activity, UTC ms; 0 when none */
	int64_t last_ms;     /* last activity, UTC ms; 0 when none */
	uint32_t hours_mask; /* bit h: some activity in local hour h (0-23) */
	int night_events;    /* events inside the night window */
};

/* The local day (days since the epoch) of a local time. Floors, so times
 * before 1970 land on the right day too. */
int32_t activity_day_of(int64_t local_ms);

/* "YYYY-MM-DD" of a day number into out (at least 11 bytes). */
void activity_date_string(int32_t day, char *out, size_t size);

/* Parses "YYYY-MM-DD" (a real calendar date) into a day number. */
bool activity_parse_date(const char *s, int32_t *day);

/* A fresh, empty summary of `day`: a day with no events has 0 events,
 * no first or last activity and 0 active hours. */
void activity_day_init(struct activity_day *d, int32_t day);

/* Counts one activity event into d (which must be its day). `night` is
 * the resident's night window (local minutes). */
void activity_day_add(struct activity_day *d, int64_t utc_ms, int64_t local_ms,
                      struct day_window night);

/* Merges b into a (the same day): what the database upsert does. */
void activity_day_merge(struct activity_day *a, const struct activity_day *b);

/* Distinct local hours with any activity. */
int activity_active_hours(const struct activity_day *d);

/* ---- the wellbeing rule ---- */

struct wellbeing_settings {
	int baseline_days;     /* look back this many days (14) */
	int min_baseline_days; /* fewer usable days: no judgement (7) */
	double low_ratio;      /* raise below this share of the median (0.5) */
	double night_ratio;    /* raise above this multiple of the night median (2.0) */
	int night_min_events;  /* and at least this many night events (3) */
};

void wellbeing_settings_default(struct wellbeing_settings *out);

/* A day of the baseline as the rule sees it. */
struct wellbeing_day {
	int32_t day;
	int events;
	int night_events;
	bool at_home; /* false: away or at day care for part of it: excluded */
};

enum wellbeing_verdict {
	WB_FINE,           /* nothing to say */
	WB_LOW_ACTIVITY,   /* events under low_ratio x median */
	WB_NIGHT_ACTIVITY, /* night events over night_ratio x night median */
	WB_NO_BASELINE,    /* fewer than min_baseline_days usable days */
	WB_EXCLUDED,       /* the day itself was away or at day care */
};

struct wellbeing_result {
	enum wellbeing_verdict verdict;
	int baseline_n; /* usable days in the baseline */
	double median_events;
	double median_night;
	char detail[160];
};

/* Judges `today` against the days in `hist` (any order; only those in
 * the baseline_days before today, at home, count; missing days are gaps,
 * not zeros: a day without a summary is a day without data). Low
 * activity wins over night activity when both hold. */
void wellbeing_evaluate(const struct wellbeing_day *hist, size_t n,
                        const struct wellbeing_day *today, const struct wellbeing_settings *set,
                        struct wellbeing_result *out);

#endif
