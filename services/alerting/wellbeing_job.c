/* The wellbeing round (wellbeing_job.h). */
#include "wellbeing_job.h"

#include <stdio.h>
#include <string.h>

#include "alerts.h"
#include "clock.h"
#include "db_health.h"
#include "log.h"
#include "wellbeing.h"

#define ROUND_MAX 100
#define HIST_MAX  32

static const char *verdict_name(enum wellbeing_verdict v)
{
	switch (v) {
	case WB_LOW_ACTIVITY:
		return "low_activity";
	case WB_NIGHT_ACTIVITY:
		return "night_activity";
	case WB_NO_BASELINE:
		return "no_baseline";
	case WB_EXCLUDED:
		return "excluded";
	case WB_FINE:
		break;
	}
	return "fine";
}

static enum cn_err judge(struct app *app, struct db *db, const struct db_wellbeing_pending *p,
                         int32_t day, int64_t now, struct outbox *ob, bool *judged)
{
	struct wellbeing_settings set;
	wellbeing_settings_default(&set);
	struct db_activity_brief rows[HIST_MAX];
	size_t n = 0;
	*judged = false;
	enum cn_err rc = db_activity_brief(db, p->resident_id, day - set.baseline_days, day, rows,
	                                   HIST_MAX, &n);
	struct wellbeing_day hist[HIST_MAX];
	size_t k = 0;
	/* The judged day: no row is a day without activity (that is the
	 * signal); in the baseline, no row is a gap (no data). */
	struct wellbeing_day today = {day, 0, 0, true};
	for (size_t i = 0; rc == CN_OK && i < n; i++) {
		char date[16];
		bool daycare = false;
		activity_date_string(rows[i].day, date, sizeof(date));
		rc = db_attendance_on(db, p->resident_id, date, &daycare);
		struct wellbeing_day d = {rows[i].day, rows[i].events, rows[i].night_events,
		                          !daycare};
		if (rows[i].day == day)
			today = d;
		else
			hist[k++] = d;
	}
	if (rc != CN_OK)
		return rc;
	if (today.at_home) {
		char date[16];
		bool daycare = false;
		activity_date_string(day, date, sizeof(date));
		rc = db_attendance_on(db, p->resident_id, date, &daycare);
		today.at_home = !daycare && strcmp(p->presence, "home") == 0;
	}
	struct wellbeing_result res;
	wellbeing_evaluate(hist, k, &today, &set, &res);
	if (rc != CN_OK || res.verdict == WB_NO_BASELINE)
		return rc;
	*judged = true;
	rc = db_wellbeing_record(db, p->resident_id, day, verdict_name(res.verdict), now);
	if (rc != CN_OK || (res.verdict != WB_LOW_ACTIVITY && res.verdict != WB_NIGHT_ACTIVITY))
		return rc;
	char date[16], detail[200];
	activity_date_string(day, date, sizeof(date));
	snprintf(detail, sizeof(detail), "%s: %s", date, res.detail);
	struct alert_raise rq = {
		.kind = AK_WELLBEING,
		.priority = alert_kind_priority(AK_WELLBEING),
		.site_id = p->site_id,
		.resident_id = p->resident_id,
		.detail = detail,
		.actor = "system",
		.event_at = now,
	};
	int64_t id = 0;
	bool created = false;
	return alerts_raise(app, db, &rq, now, ob, &id, &created);
}

enum cn_err wellbeing_round(struct app *app, struct db *db, int64_t now, struct outbox *ob,
                            int *judged)
{
	*judged = 0;
	int minute = clock_local_minute(now);
	if (minute < WELLBEING_DAY_FROM_MIN || minute >= WELLBEING_DAY_TO_MIN)
		return CN_OK;
	int32_t yesterday = activity_day_of(clock_local_ms(now)) - 1;
	struct db_wellbeing_pending pend[ROUND_MAX];
	size_t n = 0;
	enum cn_err rc = db_wellbeing_pending(db, yesterday, pend, ROUND_MAX, &n);
	for (size_t i = 0; rc == CN_OK && i < n; i++) {
		bool done = false;
		rc = judge(app, db, &pend[i], yesterday, now, ob, &done);
		*judged += done;
	}
	if (rc != CN_OK)
		log_error("wellbeing", "the wellbeing round failed: %s", cn_strerror(rc));
	return rc;
}
