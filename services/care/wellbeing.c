/* Daily activity arithmetic and the wellbeing rule (wellbeing.h). */
#include "wellbeing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS INT64_C(86400000)

int32_t activity_day_of(int64_t local_ms)
{
	int64_t d = local_ms / DAY_MS;
	if (local_ms % DAY_MS < 0)
		d--;
	return (int32_t)d;
}

/* Howard Hinnant's civil-from-days and days-from-civil. */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void activity_date_string(int32_t day, char *out, size_t size)
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	snprintf(out, size, "%04d-%02d-%02d", y, m, d);
}

bool activity_parse_date(const char *s, int32_t *day)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m == 2 && d == 29 && !leap)
		return false;
	*day = (int32_t)days_from_civil(y, m, d);
	return true;
}

void activity_day_init(struct activity_day *d, int32_t day)
{
	memset(d, 0, sizeof(*d));
	d->day = day;
}

void activity_day_add(struct activity_day *d, int64_t utc_ms, int64_t local_ms,
                      struct day_window night)
{
	int64_t in_day = local_ms - (int64_t)d->day * DAY_MS;
	int minute = (int)(in_day / 60000);
	if (minute < 0)
		minute = 0;
	if (minute > 24 * 60 - 1)
		minute = 24 * 60 - 1;
	d->events++;
	if (d->first_ms == 0 || utc_ms < d->first_ms)
		d->first_ms = utc_ms;
	if (utc_ms > d->last_ms)
		d->last_ms = utc_ms;
	d->hours_mask |= UINT32_C(1) << (minute / 60);
	if (day_window_contains(night, minute) && night.from_min != night.to_min)
		d->night_events++;
}

void activity_day_merge(struct activity_day *a, const struct activity_day *b)
{
	if (b->events == 0)
		return;
	if (a->events == 0 || b->first_ms < a->first_ms)
		a->first_ms = b->first_ms;
	if (b->last_ms > a->last_ms)
		a->last_ms = b->last_ms;
	a->events += b->events;
	a->night_events += b->night_events;
	a->hours_mask |= b->hours_mask;
}

int activity_active_hours(const struct activity_day *d)
{
	int n = 0;
	for (uint32_t m = d->hours_mask & 0xFFFFFFu; m; m &= m - 1)
		n++;
	return n;
}

void wellbeing_settings_default(struct wellbeing_settings *out)
{
	out->baseline_days = 14;
	out->min_baseline_days = 7;
	out->low_ratio = 0.5;
	out->night_ratio = 2.0;
	out->night_min_events = 3;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static double median(int *v, int n)
{
	qsort(v, (size_t)n, sizeof(int), cmp_int);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

#define WB_MAX_BASELINE 366

void wellbeing_evaluate(const struct wellbeing_day *hist, size_t n,
                        const struct wellbeing_day *today, const struct wellbeing_settings *set,
                        struct wellbeing_result *out)
{
	int ev[WB_MAX_BASELINE], night[WB_MAX_BASELINE];
	int k = 0;
	memset(out, 0, sizeof(*out));
	int span = set->baseline_days > WB_MAX_BASELINE ? WB_MAX_BASELINE : set->baseline_days;
	for (size_t i = 0; i < n && k < WB_MAX_BASELINE; i++) {
		int32_t age = today->day - hist[i].day;
		if (age < 1 || age > span || !hist[i].at_home)
			continue;
		ev[k] = hist[i].events;
		night[k] = hist[i].night_events;
		k++;
	}
	out->baseline_n = k;
	if (!today->at_home) {
		out->verdict = WB_EXCLUDED;
		snprintf(out->detail, sizeof(out->detail), "away or at day care: not judged");
		return;
	}
	if (k < set->min_baseline_days) {
		out->verdict = WB_NO_BASELINE;
		snprintf(out->detail, sizeof(out->detail),
		         "%d usable days of the last %d at home (at least %d needed)", k, span,
		         set->min_baseline_days);
		return;
	}
	out->median_events = median(ev, k);
	out->median_night = median(night, k);
	if (today->events < set->low_ratio * out->median_events) {
		out->verdict = WB_LOW_ACTIVITY;
		snprintf(out->detail, sizeof(out->detail),
		         "%d activity events, under %g x the median %g of %d days at home",
		         today->events, set->low_ratio, out->median_events, k);
	} else if (today->night_events > set->night_ratio * out->median_night &&
	           today->night_events >= set->night_min_events) {
		out->verdict = WB_NIGHT_ACTIVITY;
		snprintf(out->detail, sizeof(out->detail),
		         "%d night-time events, over %g x the median %g of %d days at home",
		         today->night_events, set->night_ratio, out->median_night, k);
	} else {
		out->verdict = WB_FINE;
		snprintf(out->detail, sizeof(out->detail),
		         "%d events (median %g), %d at night (median %g)", today->events,
		         out->median_events, today->night_events, out->median_night);
	}
}
