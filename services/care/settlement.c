/* Settlement arithmetic: see settlement.h. Integers for money (cents),
 * doubles only for distances. */
#include "settlement.h"

#include <math.h>
#include <stddef.h>

#define EARTH_RADIUS_M 6371008.8
#define MS_PER_MIN     60000
#define PI             3.14159265358979323846

/* Rounds num/den (den > 0) to the nearest integer, halves away from zero. */
static int64_t div_round(int64_t num, int64_t den)
{
	if (num >= 0)
		return (num + den / 2) / den;
	return -((-num + den / 2) / den);
}

int64_t settle_visit_amount(enum settle_unit unit, int64_t price_cents, int duration_min)
{
	if (price_cents <= 0)
		return 0;
	if (unit == SETTLE_UNIT_HOUR)
		return duration_min > 0 ? div_round(price_cents * duration_min, 60) : 0;
	return price_cents;
}

int settle_actual_minutes(int64_t started_at, int64_t completed_at)
{
	if (started_at <= 0 || completed_at < started_at)
		return -1;
	return (int)div_round(completed_at - started_at, MS_PER_MIN);
}

struct settle_priced settle_line_price(const struct settle_line *line)
{
	struct settle_priced p = {0, -1, false};
	if (line->adjustment) {
		p.amount_cents = line->adjust_cents;
		return p;
	}
	p.amount_cents = settle_visit_amount(line->unit, line->price_cents, line->duration_min);
	p.actual_min = settle_actual_minutes(line->started_at, line->completed_at);
	p.is_short = p.actual_min >= 0 && line->duration_min > 0 &&
	             (int64_t)p.actual_min * 2 < line->duration_min;
	return p;
}

struct settle_month_total settle_resident_month(const struct settle_line *lines, int n,
                                                int64_t allowance_cents)
{
	struct settle_month_total t = {0};
	int64_t amount = 0;
	for (int i = 0; i < n; i++) {
		struct settle_priced p = settle_line_price(&lines[i]);
		amount += p.amount_cents;
		if (lines[i].adjustment) {
			t.adjustments++;
			continue;
		}
		t.count++;
		t.nominal_min += lines[i].duration_min > 0 ? lines[i].duration_min : 0;
		if (p.actual_min >= 0)
			t.actual_min += p.actual_min;
		if (p.is_short)
			t.short_count++;
	}
	/* A refund larger than the month's services leaves nothing to pay,
	 * never a negative bill: the rest is the payer's to settle by hand. */
	t.amount_cents = amount > 0 ? amount : 0;
	t.subsidy_cents = allowance_cents > 0 ? (t.amount_cents < allowance_cents ? t.amount_cents
	                                                                          : allowance_cents)
	                                      : 0;
	t.family_cents = t.amount_cents - t.subsidy_cents;
	return t;
}

static int two_digits(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

int settle_month_parse(const char *text, int *month)
{
	if (!text || !month)
		return -1;
	for (int i = 0; i < 7; i++)
		if (text[i] == '\0')
			return -1;
	if (text[7] != '\0' || text[4] != '-')
		return -1;
	int hi = two_digits(text), lo = two_digits(text + 2), mm = two_digits(text + 5);
	if (hi < 0 || lo < 0 || mm < 1 || mm > 12)
		return -1;
	int year = hi * 100 + lo;
	if (year < 2000 || year > 2999)
		return -1;
	*month = year * 12 + (mm - 1);
	return 0;
}

void settle_month_format(int month, char out[8])
{
	int year = month / 12, mm = month % 12 + 1;
	out[0] = (char)('0' + year / 1000 % 10);
	out[1] = (char)('0' + year / 100 % 10);
	out[2] = (char)('0' + year / 10 % 10);
	out[3] = (char)('0' + year % 10);
	out[4] = '-';
	out[5] = (char)('0' + mm / 10);
	out[6] = (char)('0' + mm % 10);
	out[7] = '\0';
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t settle_month_start(int month)
{
	return days_from_civil(month / 12, month % 12 + 1, 1) * 86400000LL;
}

int settle_month_of(int64_t ms)
{
	int64_t days = ms >= 0 ? ms / 86400000LL : -((-ms + 86399999LL) / 86400000LL);
	/* civil_from_days, the inverse of the above */
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t doe = days - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	int64_t y = yoe + era * 400 + (m <= 2);
	return (int)(y * 12 + (m - 1));
}

int settle_month_for(int month, int last_closed)
{
	return month > last_closed ? month : last_closed + 1;
}

static double rad(double deg) { return deg * (PI / 180.0); }

double settle_distance_m(double lat1, double lon1, double lat2, double lon2)
{
	double dlat = rad(lat2 - lat1), dlon = rad(lon2 - lon1);
	double a = sin(dlat / 2) * sin(dlat / 2) +
	           cos(rad(lat1)) * cos(rad(lat2)) * sin(dlon / 2) * sin(dlon / 2);
	if (a > 1.0)
		a = 1.0;
	return 2.0 * EARTH_RADIUS_M * asin(sqrt(a));
}

bool settle_off_site(double lat, double lon, double accuracy_m, double home_lat, double home_lon,
                     int radius_m)
{
	double radius = radius_m > 0 ? radius_m : SETTLE_RADIUS_DEFAULT_M;
	double slack = accuracy_m > 0 ? accuracy_m : 0;
	return settle_distance_m(lat, lon, home_lat, home_lon) - slack > radius;
}

int settle_volunteer_minutes(int64_t started_at, int64_t completed_at, int duration_min)
{
	int actual = settle_actual_minutes(started_at, completed_at);
	if (actual >= 0)
		return actual;
	return duration_min > 0 ? duration_min : 0;
}
