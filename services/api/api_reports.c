/* GET /v1/reports/response: how the site answered its alarms and kept its
 * visits, in the field's own measures (care-model.md "What gets
 * reported"): time to acknowledge (median, 90th percentile, shares within
 * 60 s and 180 s), time to on site (within 45 and 60 minutes), the
 * false-alarm share, the exceptions, and the visits; as JSON or CSV. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_refs.h"
#include "api_regions.h"
#include "api_service_net.h"
#include "app.h"
#include "csv.h"
#include "db.h"
#include "db_reminders.h"
#include "db_service_net.h"
#include "payload.h"
#include "policy.h"
#include "validate.h"
#include "xalloc.h"

#define DAY_MS            (86400LL * 1000)
#define EXCEPTIONS_MAX    1000
#define REPORT_DEFAULT_MS (30 * DAY_MS)
#define REPORT_MAX_MS     (366 * DAY_MS)

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* a / b as a percentage with two decimals; null when b is 0. */
static json_t *pct(int64_t a, int64_t b)
{
	if (b <= 0)
		return json_null();
	return json_real((double)((a * 10000 + b / 2) / b) / 100.0);
}

static json_t *seconds(int64_t ms) { return json_real((double)ms / 1000.0); }

static enum cn_err ack_figures(struct db *db, const struct db_report_query *q,
                               const struct db_report_counts *c, json_t *ack)
{
	int64_t n = c->answered, a = 0, b = 0, p90 = 0;
	enum cn_err rc = CN_OK;
	json_t *median = json_null(), *p = json_null();
	if (n > 0) {
		/* The median of an even count is the mean of the middle two; the
		 * 90th percentile is the nearest rank, ceil(0.9 n). */
		rc = db_report_answer_ms(db, q, (n - 1) / 2, &a);
		if (rc == CN_OK)
			rc = n % 2 ? CN_OK : db_report_answer_ms(db, q, n / 2, &b);
		if (rc == CN_OK)
			rc = db_report_answer_ms(db, q, (9 * n + 9) / 10 - 1, &p90);
		if (rc == CN_OK) {
			json_decref(median);
			json_decref(p);
			median = n % 2 ? seconds(a) : seconds((a + b) / 2);
			p = seconds(p90);
		}
	}
	json_object_set_new(ack, "median_s", median);
	json_object_set_new(ack, "p90_s", p);
	json_object_set_new(ack, "within_60s_pct", pct(c->ack_within[0], c->ack_decided[0]));
	json_object_set_new(ack, "within_180s_pct", pct(c->ack_within[1], c->ack_decided[1]));
	return rc;
}

static enum cn_err build_report(struct api_req *r, const struct db_report_query *q, json_t **out)
{
	struct db_report_counts c;
	json_t *by_kind = json_object(), *by_outcome = json_object(), *ack = json_object();
	json_t *exceptions = NULL;
	enum cn_err rc = db_report_counts(r->db, q, &c);
	if (rc == CN_OK)
		rc = db_report_groups(r->db, q, false, by_kind);
	if (rc == CN_OK)
		rc = db_report_groups(r->db, q, true, by_outcome);
	if (rc == CN_OK)
		rc = ack_figures(r->db, q, &c, ack);
	if (rc == CN_OK)
		rc = db_report_exceptions(r->db, q, EXCEPTIONS_MAX, &exceptions);
	if (rc != CN_OK) {
		json_decref(by_kind);
		json_decref(by_outcome);
		json_decref(ack);
		json_decref(exceptions);
		return rc;
	}
	int64_t reminded = 0, reminders = 0, by_contact = 0; /* issue 15 */
	rc = db_report_reminded(r->db, q, &reminded, &reminders, &by_contact);
	if (rc != CN_OK) {
		json_decref(by_kind);
		json_decref(by_outcome);
		json_decref(ack);
		json_decref(exceptions);
		return rc;
	}
	/* acknowledged by a resident's contact (issue 14's ack link) */
	json_object_set_new(ack, "by_contact", json_integer((json_int_t)by_contact));
	char from[32], to[32];
	cn_time_format_rfc3339(q->from, from);
	cn_time_format_rfc3339(q->to, to);
	json_t *mean = c.visits_rated
	                       ? json_real((double)(int64_t)(c.rating_mean * 100 + 0.5) / 100.0)
	                       : json_null();
	*out = json_pack("{s:o,s:o,s:s,s:s,s:I,s:o,s:o,s:o,s:{s:o,s:o},s:o,s:o,s:{s:I,s:I,s:o}}",
	                 "site_id", q->site_id ? json_string(q->site_id) : json_null(), "region_id",
	                 q->region_id ? json_string(q->region_id) : json_null(), "from", from, "to",
	                 to, "alerts", (json_int_t)c.alerts, "by_kind", by_kind, "by_outcome",
	                 by_outcome, "ack", ack, "on_site", "within_45min_pct",
	                 pct(c.onsite_within[0], c.onsite_decided[0]), "within_60min_pct",
	                 pct(c.onsite_within[1], c.onsite_decided[1]), "false_alarm_pct",
	                 pct(c.false_alarms, c.with_outcome), "exceptions", exceptions, "visits",
	                 "done", (json_int_t)c.visits_done, "missed", (json_int_t)c.visits_missed,
	                 "mean_rating", mean);
	json_object_set_new(*out, "reminded",
	                    json_pack("{s:I,s:I}", "alerts", (json_int_t)reminded, "reminders",
	                              (json_int_t)reminders));
	return CN_OK;
}

#define NUMBERS (JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(10))

/* One CSV value: numbers as in the JSON, null empty, text through
 * csv_cell (quoted when needed, never a formula: an outcome is typed by
 * staff). */
static void csv_value(json_t *v, FILE *f)
{
	if (json_is_null(v))
		return;
	if (!json_is_string(v)) {
		char *s = json_dumps(v, NUMBERS);
		fputs(s ? s : "", f);
		free(s);
		return;
	}
	csv_cell(f, json_string_value(v));
}

/* Rows `metric,value` named by the JSON path; exceptions as
 * exception.<alert_id>,<ack_s>. */
static void csv_rows(json_t *obj, const char *prefix, FILE *f)
{
	const char *key;
	json_t *v;
	json_object_foreach (obj, key, v) {
		char path[128];
		snprintf(path, sizeof(path), "%s%s", prefix, key);
		if (json_is_object(v)) {
			char sub[130];
			snprintf(sub, sizeof(sub), "%s.", path);
			csv_rows(v, sub, f);
		} else if (json_is_array(v)) {
			size_t i;
			json_t *e;
			json_array_foreach (v, i, e) {
				char name[160];
				snprintf(name, sizeof(name), "exception.%s", str(e, "alert_id"));
				csv_cell(f, name);
				fputc(',', f);
				csv_value(json_object_get(e, "ack_s"), f);
				fputc('\n', f);
			}
		} else {
			csv_cell(f, path);
			fputc(',', f);
			csv_value(v, f);
			fputc('\n', f);
		}
	}
}

static char *report_csv(json_t *report)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return xstrdup("metric,value\n");
	fputs("metric,value\n", f);
	csv_rows(report, "", f);
	fclose(f);
	return buf;
}

void api_report_response(struct api_req *r)
{
	static const char *const formats[] = {"json", "csv", NULL};
	if (!policy_require(r, PR_REPORT, PA_LIST, NULL))
		return;
	const char *format = NULL, *site = NULL, *region = NULL;
	struct db_report_query q = {.now = r->now};
	bool has_from = false, has_to = false;
	if (!validate_query_enum(r, "format", formats, &format) ||
	    !validate_query_time(r, "from", &q.from, &has_from) ||
	    !validate_query_time(r, "to", &q.to, &has_to) ||
	    !validate_query_id(r, "region_id", &region) ||
	    !api_ref_scoped_site(r, PR_REPORT, &site))
		return;
	/* issue 19: the report rolls up along regions; an officer's default
	 * is their region. */
	if (!site && !region && r->who->role == ROLE_OFFICER)
		region = r->who->region_id;
	if (region && !api_region_readable(r, region))
		return;
	if (site && region) {
		api_error(r, CN_ERR_INVALID, "site_id: give site_id or region_id, not both");
		return;
	}
	struct pol_target t = {.site_id = site, .in_region = api_region_holds_site(r, site)};
	if (!region && !policy_require(r, PR_REPORT, PA_READ, site ? &t : NULL))
		return;
	if (!has_to)
		q.to = r->now;
	if (!has_from)
		q.from = q.to - REPORT_DEFAULT_MS;
	if (q.from >= q.to) {
		api_error(r, CN_ERR_INVALID, "from: must be before to");
		return;
	}
	if (q.to - q.from > REPORT_MAX_MS) {
		api_error(r, CN_ERR_INVALID, "from: the period is at most 366 days");
		return;
	}
	q.site_id = site;
	q.region_id = region;
	json_t *report = NULL;
	enum cn_err rc = build_report(r, &q, &report);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot compute the report");
		return;
	}
	/* An officer sees the figures, not which alert or resident. */
	if (r->who->role == ROLE_OFFICER) {
		size_t i;
		json_t *e;
		json_array_foreach (json_object_get(report, "exceptions"), i, e) {
			json_object_del(e, "alert_id");
			json_object_del(e, "resident_id");
		}
	}
	/* Written here rather than by the server so fractions print as
	 * 33.33, not 33.329999999999998. */
	if (format && strcmp(format, "csv") == 0)
		api_reply_text(r, 200, "text/csv; charset=utf-8", report_csv(report));
	else
		api_reply_text(r, 200, "application/json", json_dumps(report, NUMBERS));
	json_decref(report);
}
