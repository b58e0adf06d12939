#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include "clock.h"

#include "payload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t clock_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void clock_set_zone(const char *zone)
{
	if (zone && *zone)
		setenv("TZ", zone, 1);
	tzset();
}

static struct tm local_tm(int64_t ms)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	return tm;
}

long clock_utc_offset_s(int64_t ms)
{
	struct tm tm = local_tm(ms);
	return (long)tm.tm_gmtoff;
}

int clock_local_minute(int64_t ms)
{
	struct tm tm = local_tm(ms);
	return tm.tm_hour * 60 + tm.tm_min;
}

int64_t clock_local_ms(int64_t ms)
{
	struct tm tm = local_tm(ms);
	return ms + (int64_t)tm.tm_gmtoff * 1000;
}

void clock_local_date(int64_t ms, char out[11])
{
	struct tm tm = local_tm(ms);
	char buf[48];
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	memcpy(out, buf, 10);
	out[10] = '\0';
}

/* Epoch ms of a local wall time. mktime() with tm_isdst = -1 lets the C
 * library apply the zone's rules: a time inside a spring-forward gap
 * comes out normalised forwards (02:30 -> 03:30), which is what a daily
 * deadline should do; a time that occurs twice resolves to one of them. */
static int64_t local_make(int year, int mon, int mday, int minute)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year;
	tm.tm_mon = mon;
	tm.tm_mday = mday;
	tm.tm_hour = minute / 60;
	tm.tm_min = minute % 60;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

int64_t clock_local_midnight(int64_t ms)
{
	struct tm tm = local_tm(ms);
	return local_make(tm.tm_year, tm.tm_mon, tm.tm_mday, 0);
}

int64_t clock_local_at(int64_t day_ms, int minute)
{
	struct tm tm = local_tm(day_ms);
	return local_make(tm.tm_year, tm.tm_mon, tm.tm_mday, minute);
}

bool clock_parse_local_date(const char *s, int64_t *midnight_ms)
{
	int y, m, d;
	if (!cn_date_parse(s, &y, &m, &d) || y < 1970)
		return false;
	*midnight_ms = local_make(y - 1900, m - 1, d, 0);
	return true;
}
