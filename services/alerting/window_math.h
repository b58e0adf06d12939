/* Deadline arithmetic of the time-window rules, as pure functions of their
 * inputs and the configured zone (clock.h): no I/O, no state, so the unit
 * tests drive it with any instant and zone, across midnight and DST.
 *
 * Times are epoch milliseconds UTC; daily windows are local minutes of the
 * day (rules.h struct day_window: from > to wraps past midnight, from ==
 * to is the whole day). Every day is walked as the zone has it: a
 * 23- or 25-hour day counts the real time its window lasts. */
#ifndef CN_WINDOW_MATH_H
#define CN_WINDOW_MATH_H

#include <stdint.h>

#include "rules.h"

/* The local midnight that starts the day after the one containing `ms`. */
int64_t wm_next_midnight(int64_t ms);

/* Real time, in ms, that lies inside the daily window `w` between `from`
 * (inclusive) and `to` (exclusive); 0 when to <= from. */
int64_t wm_window_time(int64_t from, int64_t to, struct day_window w);

/* The inactivity deadline: the moment when `minutes` of time inside the
 * window `active` have passed since `since` (the last activity, or the
 * return home). Time outside the window does not count: window
 * 07:00-22:00, 240 minutes, last activity 20:30 -> 1.5 h that evening,
 * 2.5 h from 07:00 next morning -> 09:30. Returns 0 when the rule is off
 * (minutes <= 0). */
int64_t wm_inactivity_due(int64_t since, struct day_window active, int minutes);

/* The next missed-check-in deadline: local time `by_min` on the first
 * local day whose deadline is strictly after `now` and that has no
 * check-in yet (`last_checkin`, 0 for never, lies before that day's
 * midnight). A check-in today moves it to tomorrow. Returns 0 when
 * by_min < 0 (no check-in expected). */
int64_t wm_checkin_due(int64_t now, int64_t last_checkin, int by_min);

#endif
