#include "rota.h"

#include <string.h>

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

struct rota_local rota_local_time(int64_t utc_ms, long offset_s)
{
	int64_t local_min = floor_div(utc_ms + (int64_t)offset_s * 1000, 60000);
	struct rota_local t;
	t.day = (int32_t)floor_div(local_min, 1440);
	t.minute = (int)(local_min - (int64_t)t.day * 1440);
	return t;
}

int rota_weekday(int32_t day)
{
	/* 1970-01-01 was a Thursday (3 with monday = 0). */
	return (int)((((int64_t)day % 7) + 7 + 3) % 7);
}

/* Whether a shift of `r` starts on civil day `day`. */
static bool starts_on(const struct rota_rule *r, int32_t day)
{
	if (r->starts_on != ROTA_NO_DATE && day < r->starts_on)
		return false;
	if (r->ends_on != ROTA_NO_DATE && day > r->ends_on)
		return false;
	return (r->days >> rota_weekday(day)) & 1u;
}

bool rota_covers(const struct rota_rule *r, struct rota_local t)
{
	if (r->from_min < r->to_min)
		return starts_on(r, t.day) && t.minute >= r->from_min && t.minute < r->to_min;
	/* Crosses midnight: the evening part belongs to today's shift, the
	 * morning part to yesterday's. */
	if (t.minute >= r->from_min && starts_on(r, t.day))
		return true;
	return t.minute < r->to_min && starts_on(r, t.day - 1);
}

unsigned rota_day_bit(const char *name)
{
	static const char *const names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
	for (int i = 0; name && i < 7; i++)
		if (strcmp(name, names[i]) == 0)
			return 1u << i;
	return 0;
}

static bool two_digits(const char *s, int *v)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return false;
	*v = (s[0] - '0') * 10 + (s[1] - '0');
	return true;
}

enum cn_err rota_parse_hhmm(const char *s, int *minute)
{
	int h = 0, m = 0;
	if (!s || strlen(s) != 5 || s[2] != ':' || !two_digits(s, &h) || !two_digits(s + 3, &m) ||
	    h > 23 || m > 59)
		return CN_ERR_INVALID;
	*minute = h * 60 + m;
	return CN_OK;
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (the well-known
 * era-of-400-years arithmetic). */
static int32_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

enum cn_err rota_parse_date(const char *s, int32_t *day)
{
	int c = 0, yy = 0, m = 0, d = 0;
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !two_digits(s, &c) ||
	    !two_digits(s + 2, &yy) || !two_digits(s + 5, &m) || !two_digits(s + 8, &d))
		return CN_ERR_INVALID;
	int y = c * 100 + yy;
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && !leap))
		return CN_ERR_INVALID;
	*day = days_from_civil(y, m, d);
	return CN_OK;
}

static const char *const tier_names[] = {"primary", "backup", "supervisor", "off"};

enum cn_err rota_parse_tier(const char *s, bool allow_off, enum rota_tier *tier)
{
	for (int i = 0; s && i <= TIER_OFF; i++) {
		if (strcmp(s, tier_names[i]) == 0 && (i != TIER_OFF || allow_off)) {
			*tier = (enum rota_tier)i;
			return CN_OK;
		}
	}
	return CN_ERR_INVALID;
}

const char *rota_tier_name(enum rota_tier tier)
{
	return (tier >= TIER_PRIMARY && tier <= TIER_OFF) ? tier_names[tier] : "?";
}

static bool has_shift(const struct oncall_claim *shifts, size_t n, const char *staff_id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(shifts[i].staff_id, staff_id) == 0)
			return true;
	return false;
}

static size_t add_once(struct oncall_claim *out, size_t n, size_t cap, struct oncall_claim c)
{
	for (size_t i = 0; i < n; i++)
		if (out[i].tier == c.tier && strcmp(out[i].staff_id, c.staff_id) == 0)
			return n;
	if (n < cap)
		out[n++] = c;
	return n;
}

size_t oncall_merge(const struct oncall_claim *rotas, size_t n_rotas,
                    const struct oncall_claim *shifts, size_t n_shifts, struct oncall_claim *out,
                    size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < n_rotas; i++)
		if (rotas[i].tier != TIER_OFF && !has_shift(shifts, n_shifts, rotas[i].staff_id))
			n = add_once(out, n, cap, rotas[i]);
	for (size_t i = 0; i < n_shifts; i++)
		if (shifts[i].tier != TIER_OFF)
			n = add_once(out, n, cap, shifts[i]);
	return n;
}
