/* carenet-sim evaluate: the rule what-if. Runs carenetd's own rule code
 * (rules.c and window_math.c, linked in, not copied) over a recorded trace
 * on a virtual clock and prints one JSON line per alert it would have
 * raised, then a summary per local day. A coordinator tunes a resident's
 * inactivity_minutes and windows with it before switching them on.
 *
 * Assumptions, written down because they shape the answer: staff deal with
 * each alert before the next quiet period (so each period without activity
 * counts once); while the resident is away or at day care the at-home
 * rules are off, and the inactivity clock restarts on the return home.
 * The wellbeing rule (wellbeing.c, proto/wellbeing.md) judges each day of
 * the trace against the days before it; a day touched by an away or
 * day-care interval is neither judged nor part of a baseline. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clock.h"
#include "event.h"
#include "payload.h"
#include "rules.h"
#include "sim_cmds.h"
#include "sim_common.h"
#include "sim_policy.h"
#include "sim_trace.h"
#include "wellbeing.h"
#include "window_math.h"

/* The window arithmetic walks the configured zone's calendar, as the
 * daemon's windows.c does. */
static const struct wm_calendar local_calendar = {clock_local_midnight, clock_local_at};

#define CMD            "evaluate"
#define MAX_DAYS       400
#define MAX_EXIT_DOORS 32

struct interval {
	int64_t from, to;
	enum presence presence;
};

struct day_count {
	char day[11];
	long events, inactivity, night_exit;
	struct activity_day act; /* activity events, by the daily summary's arithmetic */
	bool away;               /* touched by an away or day-care interval */
};

struct eval {
	struct rule_resident res;
	char exit_doors[MAX_EXIT_DOORS][SIM_SENSOR_MAX + 1];
	size_t n_exit;
	struct interval *away;
	size_t n_away;
	struct day_count days[MAX_DAYS];
	size_t n_days;
	long alerts;
	/* the inactivity clock */
	int64_t since;
	bool armed;
	bool at_home;
	struct sim_policy *policy; /* --policy/--rota: who would be paged (issue 15) */
};

static struct day_count *day_of(struct eval *e, int64_t ms)
{
	char d[11];
	clock_local_date(ms, d);
	for (size_t i = 0; i < e->n_days; i++)
		if (strcmp(e->days[i].day, d) == 0)
			return &e->days[i];
	if (e->n_days == MAX_DAYS)
		return &e->days[MAX_DAYS - 1];
	struct day_count *c = &e->days[e->n_days++];
	memset(c, 0, sizeof(*c));
	memcpy(c->day, d, sizeof(c->day));
	activity_day_init(&c->act, activity_day_of(clock_local_ms(ms)));
	return c;
}

static void emit(struct eval *e, const char *kind, int64_t at, const char *detail)
{
	char utc[32], local[11], lt[40];
	cn_time_format_rfc3339(at, utc);
	clock_local_date(at, local);
	int m = clock_local_minute(at);
	snprintf(lt, sizeof(lt), "%s %02d:%02d", local, m / 60, m % 60);
	json_t *line = json_pack("{s:s,s:s,s:s,s:s}", "kind", kind, "at", utc, "local", lt,
	                         "detail", detail);
	char *text = json_dumps(line, JSON_COMPACT);
	if (text)
		puts(text);
	free(text);
	json_decref(line);
	e->alerts++;
	if (e->policy)
		sim_policy_alert(e->policy, kind, at);
	struct day_count *c = day_of(e, at);
	if (strcmp(kind, "inactivity") == 0)
		c->inactivity++;
	else
		c->night_exit++;
}

/* Fires the inactivity deadline if it falls before `t`. */
static void run_clock_until(struct eval *e, int64_t t)
{
	if (!e->armed || !e->at_home)
		return;
	int64_t due = wm_inactivity_due(&local_calendar, e->since, e->res.active,
	                                e->res.inactivity_minutes);
	if (due <= 0 || due > t)
		return;
	char detail[96], since[32];
	cn_time_format_rfc3339(e->since, since);
	snprintf(detail, sizeof(detail), "no activity for %d minutes inside the window since %s",
	         e->res.inactivity_minutes, since);
	emit(e, "inactivity", due, detail);
	e->armed = false; /* one alert per quiet period */
}

static enum presence presence_at(const struct eval *e, int64_t t)
{
	for (size_t i = 0; i < e->n_away; i++)
		if (t >= e->away[i].from && t < e->away[i].to)
			return e->away[i].presence;
	return PRESENCE_HOME;
}

/* Presence changes between the last event and `t` (exclusive). */
static void apply_presence_until(struct eval *e, int64_t last, int64_t t)
{
	for (size_t i = 0; i < e->n_away; i++) {
		const struct interval *iv = &e->away[i];
		if (iv->from >= last && iv->from < t && e->at_home) {
			run_clock_until(e, iv->from);
			e->at_home = false;
		}
		if (iv->to >= last && iv->to < t && !e->at_home &&
		    presence_at(e, iv->to) == PRESENCE_HOME) {
			e->at_home = true;
			e->since = iv->to; /* the clock restarts on the return home */
			e->armed = true;
			run_clock_until(e, t);
		}
	}
}

static bool parse_hhmm_field(json_t *obj, const char *key, int *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return true;
	return json_is_string(v) && rules_parse_hhmm(json_string_value(v), out);
}

static bool load_settings(struct eval *e, const char *arg)
{
	json_error_t jerr;
	json_t *s = arg[0] == '@' ? json_load_file(arg + 1, JSON_REJECT_DUPLICATES, &jerr)
	                          : json_loads(arg, JSON_REJECT_DUPLICATES, &jerr);
	if (!s || !json_is_object(s)) {
		sim_error(CMD, "--resident-settings: not a JSON object (%s)", s ? "" : jerr.text);
		json_decref(s);
		return false;
	}
	/* Defaults of the care model; the keys are the REST monitoring object's. */
	e->res.presence = PRESENCE_HOME;
	e->res.active = (struct day_window){7 * 60, 22 * 60};
	e->res.inactivity_minutes = 240;
	e->res.night = (struct day_window){23 * 60, 6 * 60};
	e->res.checkin_by_min = -1;
	bool ok = parse_hhmm_field(s, "active_from", &e->res.active.from_min) &&
	          parse_hhmm_field(s, "active_to", &e->res.active.to_min) &&
	          parse_hhmm_field(s, "night_from", &e->res.night.from_min) &&
	          parse_hhmm_field(s, "night_to", &e->res.night.to_min);
	json_t *mins = json_object_get(s, "inactivity_minutes");
	if (mins && (!json_is_integer(mins) || json_integer_value(mins) < 0 ||
	             json_integer_value(mins) > 1440))
		ok = false;
	else if (mins)
		e->res.inactivity_minutes = (int)json_integer_value(mins);
	json_t *doors = json_object_get(s, "exit_doors");
	size_t i;
	json_t *d;
	json_array_foreach (doors, i, d) {
		if (!json_is_string(d) || e->n_exit == MAX_EXIT_DOORS ||
		    json_string_length(d) > SIM_SENSOR_MAX) {
			ok = false;
			break;
		}
		snprintf(e->exit_doors[e->n_exit++], SIM_SENSOR_MAX + 1, "%s",
		         json_string_value(d));
	}
	if (!ok)
		sim_error(
			CMD,
			"--resident-settings: active_from/active_to/night_from/night_to are HH:MM, "
			"inactivity_minutes 0-1440, exit_doors an array of sensor names");
	json_decref(s);
	return ok;
}

/* Presence file lines: `YYYY-MM-DD HH:MM[:SS] YYYY-MM-DD HH:MM[:SS] away|daycare`
 * in the home's local time; # comments. */
static bool parse_local(const char *date, const char *time, int64_t *out)
{
	int64_t midnight;
	if (!clock_parse_local_date(date, &midnight))
		return false;
	int m;
	char hhmm[6];
	if (strlen(time) < 5)
		return false;
	memcpy(hhmm, time, 5);
	hhmm[5] = '\0';
	if (!rules_parse_hhmm(hhmm, &m))
		return false;
	long sec = 0;
	if (time[5] == ':') {
		char *end = NULL;
		sec = strtol(time + 6, &end, 10);
		if (end == time + 6 || *end || sec < 0 || sec > 59)
			return false;
	} else if (time[5]) {
		return false;
	}
	*out = clock_local_at(midnight, m) + sec * 1000;
	return true;
}

static bool load_presence(struct eval *e, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		sim_error(CMD, "--presence: cannot read %s: %s", path, strerror(errno));
		return false;
	}
	char line[256];
	unsigned lineno = 0;
	bool ok = true;
	while (ok && fgets(line, sizeof(line), f)) {
		lineno++;
		char *fields[5];
		size_t n = 0;
		for (char *save = NULL, *tok = strtok_r(line, " \t\r\n", &save); tok && n < 5;
		     tok = strtok_r(NULL, " \t\r\n", &save))
			fields[n++] = tok;
		if (n == 0 || fields[0][0] == '#')
			continue;
		struct interval iv;
		if (n != 5 || !parse_local(fields[0], fields[1], &iv.from) ||
		    !parse_local(fields[2], fields[3], &iv.to) || iv.to <= iv.from ||
		    (strcmp(fields[4], "away") != 0 && strcmp(fields[4], "daycare") != 0)) {
			sim_error(CMD,
			          "%s:%u: want 'YYYY-MM-DD HH:MM YYYY-MM-DD HH:MM away|daycare'",
			          path, lineno);
			ok = false;
			break;
		}
		iv.presence = strcmp(fields[4], "away") == 0 ? PRESENCE_AWAY : PRESENCE_DAYCARE;
		struct interval *grown = realloc(e->away, (e->n_away + 1) * sizeof(*grown));
		if (!grown) {
			ok = false;
			break;
		}
		e->away = grown;
		e->away[e->n_away++] = iv;
	}
	fclose(f);
	return ok;
}

static bool is_exit_door(const struct eval *e, const char *sensor)
{
	for (size_t i = 0; i < e->n_exit; i++)
		if (strcmp(e->exit_doors[i], sensor) == 0)
			return true;
	return false;
}

static void on_event(struct eval *e, const struct sim_trace_event *t)
{
	struct cn_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.battery = -1;
	if (t->kind == SIM_TRACE_MOTION) {
		ev.type = CN_EV_MOTION;
		ev.value = t->on ? CN_VAL_TRUE : CN_VAL_FALSE;
	} else if (t->kind == SIM_TRACE_DOOR) {
		ev.type = CN_EV_DOOR;
		ev.value = t->on ? CN_VAL_OPEN : CN_VAL_CLOSED;
	} else {
		ev.type = CN_EV_TEMPERATURE;
		ev.value = CN_VAL_NUMBER;
		ev.number = t->number;
	}
	struct day_count *dc = day_of(e, t->ms);
	dc->events++;
	if (rules_is_activity(&ev))
		activity_day_add(&dc->act, t->ms, clock_local_ms(t->ms), e->res.night);
	struct rule_resident res = e->res;
	res.presence = presence_at(e, t->ms);
	struct rule_device dev = {t->kind == SIM_TRACE_DOOR ? "door" : "motion",
	                          is_exit_door(e, t->sensor)};
	struct rule_settings set = {15, 25};
	struct rule_decision d[RULES_MAX_DECISIONS];
	size_t n = rules_for_event(&ev, &dev, &res, &set, clock_local_minute(t->ms), d);
	for (size_t i = 0; i < n; i++) {
		if (d[i].action == RULE_RAISE && d[i].kind == AK_NIGHT_EXIT) {
			char detail[128];
			snprintf(detail, sizeof(detail), "%s opened at night", t->sensor);
			emit(e, "night_exit", t->ms, detail);
		} else if (d[i].action == RULE_ACTIVITY && res.presence == PRESENCE_HOME) {
			e->since = t->ms;
			e->armed = true;
		}
	}
}

/* The wellbeing rule over the trace's days, each judged against the
 * ones before it; prints an alert line for each day it would raise. */
static void run_wellbeing(struct eval *e, long min_days)
{
	struct wellbeing_settings set;
	wellbeing_settings_default(&set);
	set.min_baseline_days = (int)min_days;
	for (size_t a = 0; a < e->n_away; a++) {
		int32_t from = activity_day_of(clock_local_ms(e->away[a].from));
		int32_t to = activity_day_of(clock_local_ms(e->away[a].to));
		for (size_t i = 0; i < e->n_days; i++)
			if (e->days[i].act.day >= from && e->days[i].act.day <= to)
				e->days[i].away = true;
	}
	struct wellbeing_day *hist = calloc(e->n_days + 1, sizeof(*hist));
	if (!hist)
		return;
	for (size_t i = 0; i < e->n_days; i++) {
		hist[i].day = e->days[i].act.day;
		hist[i].events = e->days[i].act.events;
		hist[i].night_events = e->days[i].act.night_events;
		hist[i].at_home = !e->days[i].away;
	}
	for (size_t i = 0; i < e->n_days; i++) {
		struct wellbeing_result r;
		wellbeing_evaluate(hist, i, &hist[i], &set, &r);
		if (r.verdict != WB_LOW_ACTIVITY && r.verdict != WB_NIGHT_ACTIVITY)
			continue;
		char detail[200];
		snprintf(detail, sizeof(detail), "%s: %s", e->days[i].day, r.detail);
		/* Shown at the day's last activity (carenetd judges it the next morning). */
		int64_t at =
			e->days[i].act.last_ms ? e->days[i].act.last_ms : e->days[i].act.first_ms;
		emit(e, "wellbeing", at, detail);
	}
	free(hist);
}

int sim_evaluate_main(int argc, char **argv)
{
	const char *settings = NULL, *presence_path = NULL, *tz = "US/Pacific";
	long wb_min_days = 7;
	const char *policy = NULL, *rota = NULL; /* issue 15 */
	long unanswered_s = 600;
	struct sim_common common;
	sim_common_defaults(&common);
	const struct sim_opt opts[] = {
		{"resident-settings", SIM_OPT_STR, &settings, 0, 0, "JSON",
	         "monitoring settings as JSON (or @FILE): active_from, active_to, inactivity_minutes,"
	         " night_from, night_to (the REST monitoring keys) and exit_doors (sensor names)"},
		{"presence", SIM_OPT_STR, &presence_path, 0, 0, "FILE",
	         "intervals 'YYYY-MM-DD HH:MM YYYY-MM-DD HH:MM away|daycare' in local time"},
		{"tz", SIM_OPT_STR, &tz, 0, 0, "ZONE", "IANA zone of the trace's wall-clock times"},
		{"wellbeing-min-days", SIM_OPT_LONG, &wb_min_days, 1, 14, "N",
	         "usable baseline days before the wellbeing rule judges a day (carenetd: 7)"},
		{"policy", SIM_OPT_STR, &policy, 0, 0, "JSON",
	         "escalation policy as for PUT /v1/sites/{id}/escalation (or @FILE): prints who"
	         " would be paged when for each alert, if nobody answered (needs --rota)"},
		{"rota", SIM_OPT_STR, &rota, 0, 0, "JSON",
	         "{\"rotas\": [bodies of POST /v1/rotas], \"coordinators\": [ids]} (or @FILE)"},
		{"unanswered-s", SIM_OPT_LONG, &unanswered_s, 0, 86400, "S",
	         "with --policy: follow each alert's pages this long (default 600)"},
	};
	const struct sim_cmd_spec spec = {
		CMD,
		"TRACE --resident-settings JSON [options]",
		"Runs carenetd's own rules (the same code, linked in) over a recorded trace on a\n"
		"virtual clock: prints one JSON line per alert it would have raised\n"
		"({\"kind\",\"at\",\"local\",\"detail\"}), then one {\"day\",...} summary line per\n"
		"local day and a total. Rules: inactivity (at home, inside the active window,\n"
		"no activity for inactivity_minutes), night_exit (an exit door opening in the\n"
		"night window at home), wellbeing (a day under half the median of the days\n"
		"before it at home, or night activity over twice theirs; judged once\n"
		"--wellbeing-min-days days are known). Away and day-care intervals suspend\n"
		"them all.",
		opts,
		sizeof(opts) / sizeof(opts[0]),
		1,
		1,
	};
	const char *pos[1];
	size_t npos;
	int prc = sim_opts_parse(&spec, argc, argv, &common, pos, &npos);
	if (prc)
		return prc == 1 ? SIM_EXIT_OK : SIM_EXIT_USAGE;
	if (!settings) {
		sim_error(CMD, "--resident-settings is required");
		return SIM_EXIT_USAGE;
	}
	clock_set_zone(tz);
	struct eval *e = calloc(1, sizeof(*e));
	if (!e)
		return SIM_EXIT_USAGE;
	int rc = SIM_EXIT_USAGE;
	FILE *f = NULL;
	if (!load_settings(e, settings) || (presence_path && !load_presence(e, presence_path)))
		goto out;
	if ((policy != NULL) != (rota != NULL)) {
		sim_error(CMD, "--policy and --rota go together");
		goto out;
	}
	if (policy && !(e->policy = sim_policy_load(policy, rota, unanswered_s)))
		goto out;
	f = fopen(pos[0], "r");
	if (!f) {
		sim_error(CMD, "cannot read %s: %s", pos[0], strerror(errno));
		goto out;
	}
	char line[1024];
	long bad = 0, n = 0;
	int64_t last = 0;
	bool first = true;
	while (fgets(line, sizeof(line), f)) {
		struct sim_trace_event t;
		const char *why = NULL;
		enum sim_trace_result r = sim_trace_parse_line(line, &t, &why);
		if (r == SIM_TRACE_BAD) {
			bad++;
			continue;
		}
		if (r != SIM_TRACE_EVENT)
			continue;
		if (first) {
			/* The observation starts with the trace. */
			e->since = t.ms;
			e->armed = true;
			e->at_home = presence_at(e, t.ms) == PRESENCE_HOME;
			last = t.ms;
			first = false;
		}
		if (t.ms < last)
			t.ms = last; /* out-of-order lines count at the time reached */
		apply_presence_until(e, last, t.ms);
		run_clock_until(e, t.ms);
		on_event(e, &t);
		last = t.ms;
		n++;
	}
	if (!first) {
		apply_presence_until(e, last, last + 1);
		run_clock_until(e, last);
	}
	run_wellbeing(e, wb_min_days);
	for (size_t i = 0; i < e->n_days; i++)
		printf("{\"day\":\"%s\",\"events\":%ld,\"inactivity\":%ld,\"night_exit\":%ld,"
		       "\"activity\":%d,\"night_events\":%d,\"active_hours\":%d,\"away\":%s}\n",
		       e->days[i].day, e->days[i].events, e->days[i].inactivity,
		       e->days[i].night_exit, e->days[i].act.events, e->days[i].act.night_events,
		       activity_active_hours(&e->days[i].act), e->days[i].away ? "true" : "false");
	printf("{\"total\":{\"events\":%ld,\"bad_lines\":%ld,\"alerts\":%ld,\"days\":%zu}}\n", n,
	       bad, e->alerts, e->n_days);
	if (e->policy)
		sim_policy_summary(e->policy);
	rc = SIM_EXIT_OK;
out:
	if (f)
		fclose(f);
	sim_policy_free(e->policy);
	free(e->away);
	free(e);
	return rc;
}
