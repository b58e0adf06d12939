/* RFC 3339 timestamps <-> epoch milliseconds (payload.h).
 *
 * The calendar math is done here rather than with timegm()/gmtime_r():
 * timegm is not in C11 or POSIX, both depend on the C library's time_t
 * range, and a pure function is easier to test and fuzz exhaustively. */
#include "payload.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define MS_PER_DAY INT64_C(86400000)

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1..12).
 * The algorithm shifts the year to start in March so that the leap day is
 * the last day of the year, then counts whole 400-year eras (146097 days)
 * — H. Hinnant, "chrono-Compatible Low-Level Date Algorithms". */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);                       /* 0..399 */
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* 0..146096 */
	return era * 146097 + (int64_t)doe - 719468;
}

/* The inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static unsigned days_in_month(int y, unsigned m)
{
	static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Reads exactly `n` ASCII digits at s into *out. */
static bool read_digits(const char *s, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool cn_date_parse(const char *s, int *year, int *month, int *day)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	int y, m, d;
	if (!read_digits(s, 4, &y) || !read_digits(s + 5, 2, &m) || !read_digits(s + 8, 2, &d))
		return false;
	if (m < 1 || m > 12 || d < 1 || (unsigned)d > days_in_month(y, (unsigned)m))
		return false;
	*year = y;
	*month = m;
	*day = d;
	return true;
}

bool cn_time_parse_rfc3339(const char *s, size_t len, int64_t *out_ms)
{
	int year, mon, day, hour, min, sec, off_h = 0, off_m = 0, off_sign = 0;
	int64_t frac_ms = 0, ms;
	size_t i;

	/* "YYYY-MM-DDTHH:MM:SS" then fraction and offset: at least "Z". */
	if (!s || len < 20)
		return false;
	if (!read_digits(s, 4, &year) || s[4] != '-' || !read_digits(s + 5, 2, &mon) ||
	    s[7] != '-' || !read_digits(s + 8, 2, &day) || (s[10] != 'T' && s[10] != 't') ||
	    !read_digits(s + 11, 2, &hour) || s[13] != ':' || !read_digits(s + 14, 2, &min) ||
	    s[16] != ':' || !read_digits(s + 17, 2, &sec))
		return false;
	i = 19;
	if (s[i] == '.') {
		size_t start = ++i;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			/* Digits past the millisecond are read and dropped. */
			if (i - start < 3)
				frac_ms = frac_ms * 10 + (s[i] - '0');
			i++;
		}
		if (i == start || i - start > 9)
			return false;
		for (size_t k = i - start; k < 3; k++)
			frac_ms *= 10;
	}
	if (i >= len)
		return false;
	if (s[i] == 'Z' || s[i] == 'z') {
		i++;
	} else if (s[i] == '+' || s[i] == '-') {
		off_sign = s[i] == '+' ? 1 : -1;
		if (len - i < 6 || !read_digits(s + i + 1, 2, &off_h) || s[i + 3] != ':' ||
		    !read_digits(s + i + 4, 2, &off_m))
			return false;
		i += 6;
	} else {
		return false;
	}
	if (i != len)
		return false;

	if (mon < 1 || mon > 12 || day < 1 || (unsigned)day > days_in_month(year, (unsigned)mon) ||
	    hour > 23 || min > 59 || sec > 60 || off_h > 23 || off_m > 59)
		return false;

	ms = days_from_civil(year, (unsigned)mon, (unsigned)day) * 86400 + hour * 3600 + min * 60 +
	     sec - off_sign * (off_h * 3600 + off_m * 60);
	ms = ms * 1000 + frac_ms;
	/* 1970-01-01 .. 9999-12-31 in UTC: a local date inside the range can
	 * fall outside it after the offset is applied. */
	if (ms < 0 || ms >= CN_TS_END_MS)
		return false;
	if (out_ms)
		*out_ms = ms;
	return true;
}

void cn_time_format_rfc3339(int64_t ms, char out[32])
{
	int64_t days = ms / MS_PER_DAY, rem = ms % MS_PER_DAY, year;
	unsigned mon, day, secs;

	/* C division truncates toward zero; a time before 1970 belongs to
	 * the previous day with a positive remainder. */
	if (rem < 0) {
		rem += MS_PER_DAY;
		days--;
	}
	civil_from_days(days, &year, &mon, &day);
	secs = (unsigned)(rem / 1000);
	/* The longest result, for INT64_MIN, is 30 bytes with the NUL. */
	if (snprintf(out, 32, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%03uZ", year, mon, day,
	             secs / 3600, secs / 60 % 60, secs % 60, (unsigned)(rem % 1000)) >= 32)
		out[31] = '\0';
}
