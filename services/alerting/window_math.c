#include "window_math.h"

#include "clock.h"

#define HOUR_MS      3600000LL
#define DAY_LOOP_MAX 5000 /* a 1-minute window and 1440 minutes: 1440 days */

int64_t wm_next_midnight(int64_t ms)
{
	/* 26 h after this day's midnight is always inside the next day, for
	 * days of 23, 24 or 25 hours. */
	int64_t next = clock_local_midnight(clock_local_midnight(ms) + 26 * HOUR_MS);
	if (next <= ms) /* a zone whose midnight a clock change skips */
		next = clock_local_midnight(next + 26 * HOUR_MS);
	return next > ms ? next : ms + 24 * HOUR_MS;
}

/* The midnight starting the day before the one containing `ms`: a window
 * that wraps past midnight may have opened then. */
static int64_t previous_midnight(int64_t ms)
{
	return clock_local_midnight(clock_local_midnight(ms) - HOUR_MS);
}

/* The window of the local day starting at midnight `day` (next: the
 * following midnight), as [*start, *end). A wrapping window ends on the
 * next day; a whole-day window is the day itself. */
static void window_of_day(int64_t day, int64_t next, struct day_window w, int64_t *start,
                          int64_t *end)
{
	if (w.from_min == w.to_min) {
		*start = day;
		*end = next;
		return;
	}
	*start = clock_local_at(day, w.from_min);
	*end = w.from_min < w.to_min ? clock_local_at(day, w.to_min)
	                             : clock_local_at(next, w.to_min);
}

int64_t wm_window_time(int64_t from, int64_t to, struct day_window w)
{
	int64_t total = 0;
	if (to <= from)
		return 0;
	int64_t day = previous_midnight(from);
	for (int i = 0; i < DAY_LOOP_MAX && day < to; i++) {
		int64_t next = wm_next_midnight(day), s, e;
		window_of_day(day, next, w, &s, &e);
		if (s < from)
			s = from;
		if (e > to)
			e = to;
		if (e > s)
			total += e - s;
		day = next;
	}
	return total;
}

int64_t wm_inactivity_due(int64_t since, struct day_window active, int minutes)
{
	if (minutes <= 0)
		return 0;
	int64_t need = (int64_t)minutes * 60000;
	if (active.from_min == active.to_min)
		return since + need; /* the whole day counts */
	int64_t day = previous_midnight(since);
	for (int i = 0; i < DAY_LOOP_MAX; i++) {
		int64_t next = wm_next_midnight(day), s, e;
		window_of_day(day, next, active, &s, &e);
		if (s < since)
			s = since;
		if (e > s) {
			if (e - s >= need)
				return s + need;
			need -= e - s;
		}
		day = next;
	}
	return 0; /* unreachable with minutes <= 1440 and a window of a minute or more */
}

int64_t wm_checkin_due(int64_t now, int64_t last_checkin, int by_min)
{
	if (by_min < 0)
		return 0;
	int64_t day = clock_local_midnight(now), deadline = 0;
	for (int i = 0; i < 3; i++) {
		deadline = clock_local_at(day, by_min);
		if (deadline > now && last_checkin < day)
			return deadline;
		day = wm_next_midnight(day);
	}
	return deadline;
}
