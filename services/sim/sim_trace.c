/* carenet-sim: CASAS trace lines and sensor maps; see sim_trace.h. */
#define _POSIX_C_SOURCE 200809L
#include "sim_trace.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "topic.h"
#include "xalloc.h"

#define MAP_LINE_MAX 512

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Reads exactly n decimal digits; stops at the first non-digit, which
 * includes the terminating NUL, so it never reads past the string. */
static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dim[m - 1];
}

/* Copies the whitespace-delimited token at *p into out (cap bytes) and
 * advances *p past it. Returns its length, or -1 if it does not fit. */
static int token(const char **p, char *out, size_t cap)
{
	const char *s = *p;
	size_t n = 0;
	while (s[n] && !is_ws(s[n]))
		n++;
	*p = s + n;
	if (n >= cap)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return (int)n;
}

static const char *skip_ws(const char *p)
{
	while (*p && is_ws(*p))
		p++;
	return p;
}

static enum sim_trace_result map_value(const char *v, struct sim_trace_event *ev, const char **why)
{
	if (strcasecmp(v, "ON") == 0 || strcasecmp(v, "OFF") == 0) {
		ev->kind = SIM_TRACE_MOTION;
		ev->on = strcasecmp(v, "ON") == 0;
		return SIM_TRACE_EVENT;
	}
	if (strcasecmp(v, "OPEN") == 0 || strcasecmp(v, "CLOSE") == 0 ||
	    strcasecmp(v, "CLOSED") == 0) {
		ev->kind = SIM_TRACE_DOOR;
		ev->on = strcasecmp(v, "OPEN") == 0;
		return SIM_TRACE_EVENT;
	}
	char *end = NULL;
	errno = 0;
	double x = strtod(v, &end);
	if (end != v && *end == '\0' && errno == 0 && isfinite(x)) {
		if (x < -50 || x > 100) {
			*why = "number outside the contract's temperature range -50..100";
			return SIM_TRACE_SKIP;
		}
		ev->kind = SIM_TRACE_TEMPERATURE;
		ev->number = x;
		return SIM_TRACE_EVENT;
	}
	*why = "value is not ON, OFF, OPEN, CLOSE or a number";
	return SIM_TRACE_SKIP;
}

enum sim_trace_result sim_trace_parse_line(const char *line, struct sim_trace_event *ev,
                                           const char **why)
{
	memset(ev, 0, sizeof(*ev));
	*why = "";
	const char *p = skip_ws(line);
	if (*p == '\0' || *p == '#')
		return SIM_TRACE_BLANK;
	int y, mo, d, h, mi, s;
	if (!digits(p, 4, &y) || p[4] != '-' || !digits(p + 5, 2, &mo) || p[7] != '-' ||
	    !digits(p + 8, 2, &d) || (p[10] != ' ' && p[10] != 'T') || !digits(p + 11, 2, &h) ||
	    p[13] != ':' || !digits(p + 14, 2, &mi) || p[16] != ':' || !digits(p + 17, 2, &s)) {
		*why = "no YYYY-MM-DD HH:MM:SS time at the start";
		return SIM_TRACE_BAD;
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
	    mi > 59 || s > 60) {
		*why = "time is not on the calendar";
		return SIM_TRACE_BAD;
	}
	const char *q = p + 19;
	int ms = 0;
	if (*q == '.') {
		int n = 0;
		for (q++; isdigit((unsigned char)*q); q++, n++)
			if (n < 3)
				ms = ms * 10 + (*q - '0');
		if (n < 1 || n > 9) {
			*why = "fraction of a second must have 1-9 digits";
			return SIM_TRACE_BAD;
		}
		for (; n < 3; n++)
			ms *= 10;
	}
	if (!is_ws(*q)) {
		*why = "no whitespace after the time";
		return SIM_TRACE_BAD;
	}
	size_t stamp_len =
		(size_t)(q - p) < sizeof(ev->stamp) ? (size_t)(q - p) : sizeof(ev->stamp) - 1;
	memcpy(ev->stamp, p, stamp_len);
	ev->stamp[stamp_len] = '\0';

	q = skip_ws(q);
	if (token(&q, ev->sensor, sizeof(ev->sensor)) <= 0) {
		*why = "sensor name missing or over 63 bytes";
		return SIM_TRACE_BAD;
	}
	q = skip_ws(q);
	char value[40];
	int vn = token(&q, value, sizeof(value));
	if (vn == 0) {
		*why = "value missing";
		return SIM_TRACE_BAD;
	}
	if (vn < 0) {
		*why = "value over 39 bytes";
		return SIM_TRACE_SKIP;
	}
	/* Anything after the value (activity labels) is not ours to read. */

	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	if (t == (time_t)-1) {
		*why = "time cannot be represented in this time zone";
		return SIM_TRACE_BAD;
	}
	ev->ms = (int64_t)t * 1000 + ms;
	return map_value(value, ev, why);
}

/* ---- sensor maps ---- */

static void map_err(char *err, size_t cap, const char *path, long line, const char *what)
{
	snprintf(err, cap, "%s:%ld: %s", path, line, what);
}

bool sim_trace_map_load(struct sim_trace_map *m, const char *path, char *err, size_t err_cap)
{
	bool ok = false;
	long lineno = 0;
	char buf[MAP_LINE_MAX];
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, err_cap, "%s: %s", path, strerror(errno));
		goto out;
	}
	while (fgets(buf, sizeof(buf), f)) {
		lineno++;
		if (!strchr(buf, '\n') && !feof(f)) {
			map_err(err, err_cap, path, lineno, "line over 511 bytes");
			goto out;
		}
		char *hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		const char *p = skip_ws(buf);
		if (!*p)
			continue;
		struct sim_trace_pair pair;
		if (token(&p, pair.sensor, sizeof(pair.sensor)) <= 0) {
			map_err(err, err_cap, path, lineno, "sensor name over 63 bytes");
			goto out;
		}
		p = skip_ws(p);
		int idn = token(&p, pair.id, sizeof(pair.id));
		p = skip_ws(p);
		if (idn == 0 || *p) {
			map_err(err, err_cap, path, lineno, "expected: SENSOR DEVICE_ID");
			goto out;
		}
		if (idn < 0 || !cn_device_id_valid(pair.id)) {
			map_err(err, err_cap, path, lineno,
			        "not a valid device id (1-64 of A-Z a-z 0-9 . _ : -)");
			goto out;
		}
		if (sim_trace_map_find(m, pair.sensor)) {
			map_err(err, err_cap, path, lineno, "sensor mapped twice");
			goto out;
		}
		if (m->n == m->cap) {
			m->cap = m->cap ? m->cap * 2 : 32;
			m->pairs = xrealloc(m->pairs, m->cap * sizeof(*m->pairs));
		}
		m->pairs[m->n++] = pair;
	}
	if (ferror(f)) {
		snprintf(err, err_cap, "%s: read error", path);
		goto out;
	}
	ok = true;
out:
	if (f)
		fclose(f);
	return ok;
}

const char *sim_trace_map_find(const struct sim_trace_map *m, const char *sensor)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->pairs[i].sensor, sensor) == 0)
			return m->pairs[i].id;
	return NULL;
}

void sim_trace_map_free(struct sim_trace_map *m)
{
	free(m->pairs);
	memset(m, 0, sizeof(*m));
}

bool sim_trace_auto_id(const char *prefix, const char *sensor, char out[SIM_ID_MAX + 1])
{
	char tmp[256];
	int n = snprintf(tmp, sizeof(tmp), "%s-%s", prefix, sensor);
	if (n <= 0 || n > SIM_ID_MAX)
		return false;
	for (int i = 0; i < n; i++) {
		char c = (char)tolower((unsigned char)tmp[i]);
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
		          c == '_' || c == ':' || c == '-';
		if (!ok || (c == '.' && i > 0 && tmp[i - 1] == '.'))
			c = '-';
		tmp[i] = c;
	}
	memcpy(out, tmp, (size_t)n + 1);
	return cn_device_id_valid(out);
}
