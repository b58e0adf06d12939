/* The settlement report: the done visits of a site's month, priced and
 * summed per resident by services/care/settlement.c, the subsidy capped by
 * each resident's monthly allowance. Months are UTC calendar months. */
#define _POSIX_C_SOURCE 200809L
#include "api_settlement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_service_net.h"
#include "csv.h"
#include "db.h"
#include "db_crud.h"
#include "db_records.h"
#include "db_service_net.h"
#include "db_settlement.h"
#include "payload.h"
#include "policy.h"
#include "settlement.h"
#include "validate.h"
#include "xalloc.h"

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static int64_t num(const json_t *obj, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(obj, key));
}

static void add_int(json_t *obj, const char *key, int64_t v)
{
	json_object_set_new(obj, key, json_integer(num(obj, key) + v));
}

/* The resident's object from the visits rows[from, to) (one resident). */
static json_t *resident_month(json_t *rows, size_t from, size_t to)
{
	size_t n = to - from;
	struct settle_line *lines = xcalloc(n ? n : 1, sizeof(*lines));
	json_t *visits = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(rows, from + i);
		struct settle_line *l = &lines[i];
		l->unit =
			strcmp(str(v, "unit"), "hour") == 0 ? SETTLE_UNIT_HOUR : SETTLE_UNIT_VISIT;
		l->price_cents = num(v, "price_cents");
		l->duration_min = (int)num(v, "duration_min");
		l->started_at = num(v, "started_at");
		l->completed_at = num(v, "completed_at");
		struct settle_priced p = settle_line_price(l);
		json_array_append_new(
			visits,
			json_pack("{s:s, s:s, s:s, s:I, s:i, s:o, s:b, s:I}", "request_id",
		                  str(v, "request_id"), "service_id", str(v, "service_id"), "unit",
		                  str(v, "unit"), "price_cents", (json_int_t)l->price_cents,
		                  "nominal_minutes", l->duration_min, "actual_minutes",
		                  p.actual_min >= 0 ? json_integer(p.actual_min) : json_null(),
		                  "short", p.is_short, "amount_cents", (json_int_t)p.amount_cents));
	}
	json_t *first = json_array_get(rows, from);
	const char *subtext = str(first, "subsidy");
	json_t *sub = subtext ? json_loads(subtext, JSON_DECODE_ANY, NULL) : NULL;
	int64_t allowance = json_is_object(sub) ? num(sub, "monthly_cents") : 0;
	const char *scheme = json_is_object(sub) ? str(sub, "scheme") : NULL;
	struct settle_month_total t = settle_resident_month(lines, (int)n, allowance);
	json_t *obj = json_pack("{s:s, s:s, s:s?, s:I, s:i, s:i, s:i, s:i, s:I, s:I, s:I, s:o}",
	                        "resident_id", str(first, "resident_id"), "name",
	                        str(first, "resident_name"), "scheme", scheme, "allowance_cents",
	                        (json_int_t)allowance, "visits_done", t.count, "nominal_minutes",
	                        t.nominal_min, "actual_minutes", t.actual_min, "short_visits",
	                        t.short_count, "amount_cents", (json_int_t)t.amount_cents,
	                        "subsidy_cents", (json_int_t)t.subsidy_cents, "family_cents",
	                        (json_int_t)t.family_cents, "visits", visits);
	json_decref(sub);
	free(lines);
	return obj;
}

static json_t *build(json_t *rows, const char *site, const char *month, bool closed)
{
	json_t *residents = json_array();
	json_t *totals = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "residents", 0,
	                           "visits_done", 0, "nominal_minutes", 0, "actual_minutes", 0,
	                           "amount_cents", 0, "subsidy_cents", 0, "family_cents", 0);
	size_t n = json_array_size(rows);
	for (size_t i = 0; i < n;) {
		const char *rid = str(json_array_get(rows, i), "resident_id");
		size_t j = i + 1;
		while (j < n && strcmp(str(json_array_get(rows, j), "resident_id"), rid) == 0)
			j++;
		json_t *res = resident_month(rows, i, j);
		add_int(totals, "residents", 1);
		static const char *const keys[] = {"visits_done",    "nominal_minutes",
		                                   "actual_minutes", "amount_cents",
		                                   "subsidy_cents",  "family_cents"};
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			add_int(totals, keys[k], num(res, keys[k]));
		json_array_append_new(residents, res);
		i = j;
	}
	return json_pack("{s:s, s:s, s:b, s:o, s:o}", "month", month, "site_id", site, "closed",
	                 closed, "residents", residents, "totals", totals);
}

static void csv_int(FILE *f, int64_t v) { fprintf(f, ",%lld", (long long)v); }

/* UTF-8 with a BOM (a Chinese spreadsheet opens it right); every text
 * cell through csv_cell, so no cell starts a formula. */
static char *to_csv(const json_t *rep)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return xstrdup(CSV_BOM);
	fputs(CSV_BOM "month,site_id,resident_id,name,scheme,visits_done,nominal_minutes,"
	              "actual_minutes,short_visits,amount_cents,subsidy_cents,family_cents\r\n",
	      f);
	size_t i;
	json_t *res;
	json_array_foreach (json_object_get(rep, "residents"), i, res) {
		csv_cell(f, str(rep, "month"));
		fputc(',', f);
		csv_cell(f, str(rep, "site_id"));
		fputc(',', f);
		csv_cell(f, str(res, "resident_id"));
		fputc(',', f);
		csv_cell(f, str(res, "name"));
		fputc(',', f);
		csv_cell(f, str(res, "scheme"));
		static const char *const keys[] = {
			"visits_done",  "nominal_minutes", "actual_minutes", "short_visits",
			"amount_cents", "subsidy_cents",   "family_cents"};
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			csv_int(f, num(res, keys[k]));
		fputs("\r\n", f);
	}
	json_t *t = json_object_get(rep, "totals");
	csv_cell(f, str(rep, "month"));
	fputc(',', f);
	csv_cell(f, str(rep, "site_id"));
	fputs(",TOTAL,,", f);
	csv_int(f, num(t, "visits_done"));
	csv_int(f, num(t, "nominal_minutes"));
	csv_int(f, num(t, "actual_minutes"));
	fputc(',', f);
	csv_int(f, num(t, "amount_cents"));
	csv_int(f, num(t, "subsidy_cents"));
	csv_int(f, num(t, "family_cents"));
	fputs("\r\n", f);
	fclose(f);
	return buf;
}

static bool wants_csv(struct api_req *r)
{
	const char *accept = api_header(r, "Accept");
	return accept && strstr(accept, "text/csv") != NULL;
}

void api_report_settlement(struct api_req *r)
{
	if (!policy_require(r, PR_SETTLEMENT, PA_LIST, NULL))
		return;
	const char *ms = api_query(r, "month"), *site = NULL;
	int month = 0;
	if (!ms || settle_month_parse(ms, &month) != 0) {
		api_error(r, CN_ERR_INVALID, "month: YYYY-MM is required");
		return;
	}
	if (!service_net_scoped_site(r, PR_SETTLEMENT, &site))
		return;
	if (!site) {
		api_error(r, CN_ERR_INVALID, "site_id: required");
		return;
	}
	struct pol_target t = {.site_id = site};
	if (!policy_require(r, PR_SETTLEMENT, PA_READ, &t))
		return;
	json_t *rows = NULL, *rep = NULL;
	bool closed = false;
	enum cn_err rc = db_settlement_visits(r->db, site, settle_month_start(month),
	                                      settle_month_start(month + 1), &rows);
	if (rc == CN_OK)
		rc = db_settlement_is_closed(r->db, site, ms, &closed);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot compute the settlement");
		goto out;
	}
	rep = build(rows, site, ms, closed);
	if (wants_csv(r))
		api_reply_text(r, 200, "text/csv; charset=utf-8", to_csv(rep));
	else
		api_reply(r, 200, json_incref(rep));
out:
	json_decref(rows);
	json_decref(rep);
}

void api_settlement_close(struct api_req *r)
{
	static const struct field_spec fields[] = {{"site_id", FIELD_ID, true}};
	const char *ms = api_param(r, 0);
	int month = 0;
	if (!policy_require(r, PR_SETTLEMENT, PA_CREATE, NULL) || !validate_body(r, fields, 1))
		return;
	if (settle_month_parse(ms, &month) != 0) {
		api_error(r, CN_ERR_INVALID, "month: YYYY-MM");
		return;
	}
	const char *site = str(r->body, "site_id");
	bool known = false;
	if (db_site_exists(r->db, site, &known) != CN_OK || !known) {
		api_error(r, CN_ERR_INVALID, "site_id: no such site");
		return;
	}
	enum cn_err rc = db_begin(r->db);
	if (rc == CN_OK)
		rc = db_settlement_close(r->db, site, ms, r->who->id, r->now);
	if (rc == CN_OK)
		rc = db_audit_add(r->db, r->now, r->who->id, site, "close", "settlements", ms, NULL,
		                  NULL);
	if (rc == CN_OK)
		rc = db_commit(r->db);
	else
		db_rollback(r->db);
	if (rc != CN_OK) {
		api_error(r, rc,
		          rc == CN_ERR_CONFLICT ? "%s is closed already for this site"
		                                : "cannot close %s",
		          ms);
		return;
	}
	api_reply(r, 200,
	          json_pack("{s:s, s:s, s:s}", "month", ms, "site_id", site, "closed_by",
	                    r->who->id));
}

bool api_settlement_frozen(struct api_req *r, const char *id)
{
	char site[65];
	int64_t done_at = 0;
	bool closed = false;
	char ms[8];
	if (db_settlement_request_month(r->db, id, site, &done_at) != CN_OK || done_at <= 0)
		return false;
	settle_month_format(settle_month_of(done_at), ms);
	if (db_settlement_is_closed(r->db, site, ms, &closed) != CN_OK || !closed)
		return false;
	api_error(r, CN_ERR_CONFLICT, "%s is closed for this site: its records are frozen", ms);
	return true;
}

#define HOURS_HISTORY_MAX 1000 /* rows of history in one answer */

/* The volunteer themself, a coordinator of their site, or an admin. */
void api_staff_hours(struct api_req *r)
{
	const char *id = api_param(r, 0);
	char site[65], role[16];
	bool active = false;
	int64_t from = 0, to = 0;
	bool has_from = false, has_to = false;
	if (!validate_query_time(r, "from", &from, &has_from) ||
	    !validate_query_time(r, "to", &to, &has_to))
		return;
	if (!has_to)
		to = r->now;
	if (has_from && from >= to) {
		api_error(r, CN_ERR_INVALID, "from: must be before to");
		return;
	}
	enum cn_err rc = db_staff_site_role(r->db, id, site, role, &active);
	bool self = strcmp(id, r->who->id) == 0;
	bool may = self || r->who->role == ROLE_ADMIN ||
	           (r->who->role == ROLE_COORDINATOR && rc == CN_OK &&
	            strcmp(site, r->who->site_id) == 0);
	if (!may && r->who->role != ROLE_COORDINATOR) {
		api_error(r, CN_ERR_FORBIDDEN, "your role (%s) may not read others' hours",
		          role_name(r->who->role));
		return;
	}
	if (rc != CN_OK || !may || strcmp(role, "volunteer") != 0) {
		api_error(r, CN_ERR_NOT_FOUND, "no volunteer with id %s", id);
		return;
	}
	json_t *rows = NULL;
	rc = db_volunteer_visits(r->db, id, from, to, HOURS_HISTORY_MAX, &rows);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot read the hours");
		return;
	}
	int64_t total = 0;
	json_t *items = json_array();
	size_t i;
	json_t *v;
	json_array_foreach (rows, i, v) {
		int min = settle_volunteer_minutes(num(v, "started_at"), num(v, "completed_at"),
		                                   (int)num(v, "duration_min"));
		total += min;
		char at[32];
		cn_time_format_rfc3339(num(v, "completed_at"), at);
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:i}", "request_id",
		                                       str(v, "request_id"), "service_id",
		                                       str(v, "service_id"), "completed_at", at,
		                                       "minutes", min));
	}
	json_decref(rows);
	api_reply(r, 200,
	          json_pack("{s:s, s:I, s:f, s:o}", "staff_id", id, "balance_minutes",
	                    (json_int_t)total, "balance_hours", (double)total / 60.0, "items",
	                    items));
}
