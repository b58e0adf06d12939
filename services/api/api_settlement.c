/* The settlement report: the done visits and the adjustment lines of a
 * site's month, priced and summed per resident by services/care/
 * settlement.c, the subsidy capped by each resident's monthly allowance;
 * a region's report is its sites' reports and their sum. Months are local
 * calendar months in the configured timezone (clock.h). A closed month
 * answers with the report kept when it was closed, so nothing done later
 * (a new price, a changed allowance, a renamed resident) moves it;
 * corrections are adjustment lines in the first open month. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include "api_settlement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_crud.h"
#include "api_regions.h"
#include "api_service_net.h"
#include "clock.h"
#include "csv.h"
#include "db.h"
#include "db_crud.h"
#include "db_records.h"
#include "db_regions.h"
#include "db_service_net.h"
#include "db_settlement.h"
#include "payload.h"
#include "policy.h"
#include "settlement.h"
#include "validate.h"
#include "xalloc.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The sums a resident, a site and a region report alike, in this order in
 * the CSV. */
static const char *const sum_keys[] = {"visits_done",  "nominal_minutes", "actual_minutes",
                                       "short_visits", "visits_cents",    "adjustments_cents",
                                       "amount_cents", "subsidy_cents",   "family_cents"};

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
	json_object_set_new(obj, key, json_integer((json_int_t)(num(obj, key) + v)));
}

static json_t *zero_sums(void)
{
	json_t *t = json_object();
	for (size_t k = 0; k < N(sum_keys); k++)
		json_object_set_new(t, sum_keys[k], json_integer(0));
	return t;
}

static void add_sums(json_t *into, const json_t *from)
{
	for (size_t k = 0; k < N(sum_keys); k++)
		add_int(into, sum_keys[k], num(from, sum_keys[k]));
}

/* [*from, *to) ms of local month "YYYY-MM"; false when it does not parse. */
static bool month_bounds(const char *ms, int64_t *from, int64_t *to)
{
	int month = 0;
	if (!ms || settle_month_parse(ms, &month) != 0)
		return false;
	char a[8], b[8], da[11], db[11];
	settle_month_format(month, a);
	settle_month_format(month + 1, b);
	snprintf(da, sizeof(da), "%s-01", a);
	snprintf(db, sizeof(db), "%s-01", b);
	return clock_parse_local_date(da, from) && clock_parse_local_date(db, to);
}

/* The local month "YYYY-MM" that `ms` falls in. */
static void month_of(int64_t ms, char out[8])
{
	char d[11];
	clock_local_date(ms, d);
	memcpy(out, d, 7);
	out[7] = '\0';
}

static void rfc3339(int64_t ms, char out[32]) { cn_time_format_rfc3339(ms, out); }

/* One visit as the report lists it, and its line for the arithmetic. */
static json_t *visit_line(const json_t *v, struct settle_line *l)
{
	l->unit = strcmp(str(v, "unit"), "hour") == 0 ? SETTLE_UNIT_HOUR : SETTLE_UNIT_VISIT;
	l->price_cents = num(v, "price_cents");
	l->duration_min = (int)num(v, "duration_min");
	l->started_at = num(v, "started_at");
	l->completed_at = num(v, "completed_at");
	struct settle_priced p = settle_line_price(l);
	char at[32];
	rfc3339(l->completed_at, at);
	return json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:s, s:I, s:i, s:o, s:b, s:I, s:O, s:O, s:O}",
	                 "request_id", str(v, "request_id"), "service_id", str(v, "service_id"),
	                 "service", str(v, "service_name"), "completed_at", at, "assignee_id",
	                 str(v, "assignee_id"), "unit", str(v, "unit"), "price_cents",
	                 (json_int_t)l->price_cents, "nominal_minutes", l->duration_min,
	                 "actual_minutes",
	                 p.actual_min >= 0 ? json_integer(p.actual_min) : json_null(), "short",
	                 p.is_short, "amount_cents", (json_int_t)p.amount_cents, "off_site",
	                 json_object_get(v, "off_site"), "photos", json_object_get(v, "photos"),
	                 "confirmed", json_object_get(v, "confirmed"));
}

static json_t *adjustment_line(const json_t *a, struct settle_line *l)
{
	l->adjustment = true;
	l->adjust_cents = num(a, "amount_cents");
	char at[32];
	rfc3339(num(a, "created_at"), at);
	return json_pack("{s:s, s:s, s:s?, s:I, s:s, s:s, s:s}", "id", str(a, "id"), "for_month",
	                 str(a, "for_month"), "request_id", str(a, "request_id"), "amount_cents",
	                 (json_int_t)l->adjust_cents, "reason", str(a, "reason"), "created_by",
	                 str(a, "created_by"), "created_at", at);
}

/* A resident's month from their visits and adjustments (JSON arrays of
 * the db rows, at least one row in all). */
static json_t *resident_month(const char *id, const json_t *visits, const json_t *adjs)
{
	size_t nv = json_array_size(visits), na = json_array_size(adjs);
	struct settle_line *lines = xcalloc(nv + na + 1, sizeof(*lines));
	json_t *vout = json_array(), *aout = json_array();
	int64_t visits_cents = 0, adj_cents = 0;
	for (size_t i = 0; i < nv; i++) {
		json_t *line = visit_line(json_array_get(visits, i), &lines[i]);
		visits_cents += num(line, "amount_cents");
		json_array_append_new(vout, line);
	}
	for (size_t i = 0; i < na; i++) {
		json_array_append_new(aout,
		                      adjustment_line(json_array_get(adjs, i), &lines[nv + i]));
		adj_cents += lines[nv + i].adjust_cents;
	}
	const json_t *first = nv ? json_array_get(visits, 0) : json_array_get(adjs, 0);
	const char *subtext = str(first, "subsidy");
	json_t *sub = subtext ? json_loads(subtext, JSON_DECODE_ANY, NULL) : NULL;
	int64_t allowance = json_is_object(sub) ? num(sub, "monthly_cents") : 0;
	struct settle_month_total t = settle_resident_month(lines, (int)(nv + na), allowance);
	json_t *obj = json_pack(
		"{s:s, s:s, s:s?, s:I, s:i, s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:o, s:o}",
		"resident_id", id, "name", str(first, "resident_name"), "scheme",
		json_is_object(sub) ? str(sub, "scheme") : NULL, "allowance_cents",
		(json_int_t)allowance, "visits_done", t.count, "nominal_minutes", t.nominal_min,
		"actual_minutes", t.actual_min, "short_visits", t.short_count, "visits_cents",
		(json_int_t)visits_cents, "adjustments_cents", (json_int_t)adj_cents,
		"amount_cents", (json_int_t)t.amount_cents, "subsidy_cents",
		(json_int_t)t.subsidy_cents, "family_cents", (json_int_t)t.family_cents, "visits",
		vout, "adjustments", aout);
	json_decref(sub);
	free(lines);
	return obj;
}

/* Appends rows[i] to by[resident_id][key] (creating both). */
static void group(json_t *by, json_t *rows, const char *key)
{
	size_t i;
	json_t *v;
	json_array_foreach (rows, i, v) {
		const char *rid = str(v, "resident_id");
		json_t *g = json_object_get(by, rid);
		if (!g) {
			g = json_pack("{s:[], s:[]}", "v", "a");
			json_object_set_new(by, rid, g);
		}
		json_array_append(json_object_get(g, key), v);
	}
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The site's month as computed now from its rows. */
static json_t *build_site(json_t *visits, json_t *adjs, const json_t *site, const char *month)
{
	json_t *by = json_object();
	group(by, visits, "v");
	group(by, adjs, "a");
	size_t n = json_object_size(by), k = 0;
	const char **ids = xcalloc(n + 1, sizeof(*ids));
	const char *key;
	json_t *g;
	json_object_foreach (by, key, g)
		ids[k++] = key;
	qsort(ids, n, sizeof(*ids), by_string);
	json_t *residents = json_array(), *totals = zero_sums();
	json_object_set_new(totals, "residents", json_integer((json_int_t)n));
	for (k = 0; k < n; k++) {
		g = json_object_get(by, ids[k]);
		json_t *res =
			resident_month(ids[k], json_object_get(g, "v"), json_object_get(g, "a"));
		add_sums(totals, res);
		json_array_append_new(residents, res);
	}
	free(ids);
	json_decref(by);
	return json_pack("{s:s, s:s, s:s?, s:s?, s:b, s:o, s:o}", "month", month, "site_id",
	                 str(site, "id"), "site_name", str(site, "name"), "region_id",
	                 str(site, "region_id"), "closed", 0, "residents", residents, "totals",
	                 totals);
}

/* The report of one site's month: the one kept at its close, else
 * computed now. *out a new reference. */
static enum cn_err site_report(struct api_req *r, const char *site_id, const char *month,
                               json_t **out)
{
	*out = NULL;
	json_t *site = NULL, *visits = NULL, *adjs = NULL;
	bool closed = false;
	int64_t from = 0, to = 0;
	enum cn_err rc = db_settlement_closed(r->db, site_id, month, &closed, out);
	if (rc != CN_OK || closed)
		goto out;
	if (!month_bounds(month, &from, &to)) {
		rc = CN_ERR_INVALID;
		goto out;
	}
	rc = db_res_get(r->db, &db_sites, site_id, &site);
	if (rc == CN_OK)
		rc = db_settlement_visits(r->db, site_id, from, to, &visits);
	if (rc == CN_OK)
		rc = db_settlement_adjustments(r->db, site_id, month, &adjs);
	if (rc == CN_OK)
		*out = build_site(visits, adjs, site, month);
out:
	if (rc == CN_OK && closed && !*out)
		rc = CN_ERR_DB; /* a close without its report: never written so */
	json_decref(site);
	json_decref(visits);
	json_decref(adjs);
	return rc;
}

/* A region's month: each site's report and their sum. */
static enum cn_err region_report(struct api_req *r, const json_t *region, const char *month,
                                 json_t **out)
{
	*out = NULL;
	json_t *ids = NULL;
	enum cn_err rc = db_region_site_ids(r->db, str(region, "id"), &ids);
	if (rc != CN_OK)
		return rc;
	json_t *sites = json_array(), *totals = zero_sums();
	json_object_set_new(totals, "sites", json_integer(0));
	json_object_set_new(totals, "residents", json_integer(0));
	size_t i;
	json_t *id;
	json_array_foreach (ids, i, id) {
		json_t *rep = NULL;
		rc = site_report(r, json_string_value(id), month, &rep);
		if (rc != CN_OK)
			break;
		json_t *t = json_object_get(rep, "totals");
		add_sums(totals, t);
		add_int(totals, "sites", 1);
		add_int(totals, "residents", num(t, "residents"));
		json_array_append_new(sites, rep);
	}
	json_decref(ids);
	if (rc != CN_OK) {
		json_decref(sites);
		json_decref(totals);
		return rc;
	}
	*out = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "month", month, "region_id",
	                 str(region, "id"), "region_name", str(region, "name"), "level",
	                 str(region, "level"), "sites", sites, "totals", totals);
	return CN_OK;
}

static void csv_sums(FILE *f, const json_t *obj)
{
	for (size_t k = 0; k < N(sum_keys); k++)
		fprintf(f, ",%lld", (long long)num(obj, sum_keys[k]));
}

/* Rows of one site: its residents, then its TOTAL. */
static void csv_site(FILE *f, const json_t *rep, const char *region)
{
	size_t i;
	json_t *res;
	json_array_foreach (json_object_get(rep, "residents"), i, res) {
		csv_cell(f, str(rep, "month"));
		fputc(',', f);
		csv_cell(f, region);
		fputc(',', f);
		csv_cell(f, str(rep, "site_id"));
		fputc(',', f);
		csv_cell(f, str(res, "resident_id"));
		fputc(',', f);
		csv_cell(f, str(res, "name"));
		fputc(',', f);
		csv_cell(f, str(res, "scheme"));
		csv_sums(f, res);
		fputs("\r\n", f);
	}
	csv_cell(f, str(rep, "month"));
	fputc(',', f);
	csv_cell(f, region);
	fputc(',', f);
	csv_cell(f, str(rep, "site_id"));
	fputs(",TOTAL,,", f);
	csv_sums(f, json_object_get(rep, "totals"));
	fputs("\r\n", f);
}

/* UTF-8 with a BOM and CRLF line ends (a Chinese spreadsheet opens it
 * right); every text cell through csv_cell, so no cell starts a formula;
 * money in integer cents. */
static char *to_csv(const json_t *rep)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return xstrdup(CSV_BOM);
	fputs(CSV_BOM "month,region_id,site_id,resident_id,name,scheme", f);
	for (size_t k = 0; k < N(sum_keys); k++)
		fprintf(f, ",%s", sum_keys[k]);
	fputs("\r\n", f);
	json_t *sites = json_object_get(rep, "sites");
	if (!sites) {
		csv_site(f, rep, str(rep, "region_id"));
	} else {
		size_t i;
		json_t *s;
		json_array_foreach (sites, i, s)
			csv_site(f, s, str(rep, "region_id"));
		csv_cell(f, str(rep, "month"));
		fputc(',', f);
		csv_cell(f, str(rep, "region_id"));
		fputs(",TOTAL,,,", f);
		csv_sums(f, json_object_get(rep, "totals"));
		fputs("\r\n", f);
	}
	fclose(f);
	return buf;
}

static bool wants_csv(struct api_req *r)
{
	const char *accept = api_header(r, "Accept");
	return accept && strstr(accept, "text/csv") != NULL;
}

/* The region of a region report (*region a new reference), or false with
 * the answer set (api_region_readable). */
static bool readable_region(struct api_req *r, const char *id, json_t **region)
{
	*region = NULL;
	if (!api_region_readable(r, id))
		return false;
	if (db_res_get(r->db, &db_regions, id, region) != CN_OK) {
		api_not_found(r);
		return false;
	}
	return true;
}

void api_report_settlement(struct api_req *r)
{
	if (!policy_require(r, PR_SETTLEMENT, PA_LIST, NULL))
		return;
	const char *ms = api_query(r, "month"), *site = NULL, *region_id = NULL;
	int64_t from = 0, to = 0;
	if (!month_bounds(ms, &from, &to)) {
		api_error(r, CN_ERR_INVALID, "month: YYYY-MM is required");
		return;
	}
	if (!validate_query_id(r, "site_id", &site) ||
	    !validate_query_id(r, "region_id", &region_id))
		return;
	if (site && region_id) {
		api_error(r, CN_ERR_INVALID, "site_id: give site_id or region_id, not both");
		return;
	}
	/* An officer's default is their region; a coordinator's their site. */
	if (!site && !region_id && r->who->role == ROLE_OFFICER)
		region_id = r->who->region_id;
	if (!site && !region_id && r->who->site_id[0])
		site = r->who->site_id;
	if (!site && !region_id) {
		api_error(r, CN_ERR_INVALID, "site_id: site_id or region_id is required");
		return;
	}
	json_t *rep = NULL, *region = NULL;
	enum cn_err rc = CN_OK;
	if (region_id) {
		if (!readable_region(r, region_id, &region))
			return;
		rc = region_report(r, region, ms, &rep);
	} else {
		bool known = false;
		if (db_site_exists(r->db, site, &known) != CN_OK || !known) {
			api_not_found(r);
			return;
		}
		struct pol_target t = {.site_id = site,
		                       .in_region = api_region_holds_site(r, site)};
		if (!policy_require(r, PR_SETTLEMENT, PA_READ, &t))
			return;
		rc = site_report(r, site, ms, &rep);
	}
	if (rc != CN_OK)
		api_error(r, rc, "cannot compute the settlement");
	else if (wants_csv(r))
		api_reply_text(r, 200, "text/csv; charset=utf-8", to_csv(rep));
	else
		api_reply(r, 200, json_incref(rep));
	json_decref(rep);
	json_decref(region);
}

void api_settlement_close(struct api_req *r)
{
	static const struct field_spec fields[] = {{"site_id", FIELD_ID, true}};
	const char *ms = api_param(r, 0);
	int64_t from = 0, to = 0;
	if (!policy_require(r, PR_SETTLEMENT, PA_CREATE, NULL) ||
	    !validate_body(r, fields, N(fields)))
		return;
	if (!month_bounds(ms, &from, &to)) {
		api_error(r, CN_ERR_INVALID, "month: YYYY-MM");
		return;
	}
	const char *site = str(r->body, "site_id");
	bool known = false;
	if (db_site_exists(r->db, site, &known) != CN_OK || !known) {
		api_error(r, CN_ERR_INVALID, "site_id: no such site");
		return;
	}
	/* A visit done today lands in this month: it cannot be frozen yet. */
	if (to > r->now) {
		api_error(r, CN_ERR_CONFLICT, "%s has not ended: it cannot be closed yet", ms);
		return;
	}
	json_t *rep = NULL;
	char *text = NULL;
	char at[32];
	rfc3339(r->now, at);
	/* The report is computed inside the write transaction, so what is
	 * kept is exactly the month as it stood when it was closed. */
	enum cn_err rc = db_begin(r->db);
	if (rc == CN_OK)
		rc = site_report(r, site, ms, &rep);
	if (rc == CN_OK && json_is_true(json_object_get(rep, "closed")))
		rc = CN_ERR_CONFLICT;
	if (rc == CN_OK) {
		json_object_set_new(rep, "closed", json_true());
		json_object_set_new(rep, "closed_at", json_string(at));
		json_object_set_new(rep, "closed_by", json_string(r->who->id));
		text = json_dumps(rep, JSON_COMPACT);
		rc = db_settlement_close(r->db, site, ms, r->who->id, r->now, text);
	}
	if (rc == CN_OK)
		rc = db_audit_add(r->db, r->now, r->who->id, site, "close", "settlements", ms, NULL,
		                  json_object_get(rep, "totals"));
	char conflict[64];
	snprintf(conflict, sizeof(conflict), "%s is closed already for this site", ms);
	if (api_commit(r, rc, NULL, conflict))
		api_reply(r, 200,
		          json_pack("{s:s, s:s, s:s, s:s, s:O}", "month", ms, "site_id", site,
		                    "closed_by", r->who->id, "closed_at", at, "totals",
		                    json_object_get(rep, "totals")));
	free(text);
	json_decref(rep);
}

void api_settlement_adjust(struct api_req *r)
{
	static const struct field_spec fields[] = {
		{"resident_id", FIELD_ID, true},
		{"for_month", FIELD_STRING, true, 7, 7},
		{"amount_cents", FIELD_INT, true, -100000000, 100000000},
		{"reason", FIELD_STRING, true, 1, 500},
		{"request_id", FIELD_ID, false, 0, 0, NULL, true},
	};
	if (!policy_require(r, PR_SETTLEMENT, PA_CREATE, NULL) ||
	    !validate_body(r, fields, N(fields)))
		return;
	const char *resident = str(r->body, "resident_id"), *for_ms = str(r->body, "for_month");
	const char *request = str(r->body, "request_id");
	int64_t amount = num(r->body, "amount_cents");
	int for_month = 0;
	char now_ms[8];
	month_of(r->now, now_ms);
	if (settle_month_parse(for_ms, &for_month) != 0 || strcmp(for_ms, now_ms) > 0) {
		api_error(r, CN_ERR_INVALID, "for_month: YYYY-MM, not after this month");
		return;
	}
	if (amount == 0) {
		api_error(r, CN_ERR_INVALID, "amount_cents: a correction is not zero");
		return;
	}
	char site[65];
	if (db_resident_site(r->db, resident, site) != CN_OK) {
		api_error(r, CN_ERR_INVALID, "resident_id: no such resident");
		return;
	}
	if (request) {
		char rsite[65], rres[65], done_ms[8];
		int64_t done_at = 0;
		if (db_settlement_request_month(r->db, request, rsite, rres, &done_at) != CN_OK ||
		    strcmp(rres, resident) != 0 || done_at <= 0) {
			api_error(r, CN_ERR_INVALID, "request_id: no done visit of this resident");
			return;
		}
		month_of(done_at, done_ms);
		if (strcmp(done_ms, for_ms) != 0) {
			api_error(r, CN_ERR_INVALID, "request_id: the visit was settled in %s",
			          done_ms);
			return;
		}
	}
	char last[8], month[8];
	int64_t id = 0;
	int last_closed = -1;
	/* Where the line lands is decided inside the write transaction, so a
	 * close racing it cannot leave it in a frozen month. */
	enum cn_err rc = db_begin(r->db);
	if (rc == CN_OK)
		rc = db_settlement_last_closed(r->db, site, last);
	if (rc == CN_OK) {
		if (last[0] && settle_month_parse(last, &last_closed) != 0)
			last_closed = -1;
		settle_month_format(settle_month_for(for_month, last_closed), month);
		struct db_adjustment a = {
			site,      resident, month, for_ms, request, amount, str(r->body, "reason"),
			r->who->id};
		rc = db_settlement_adjust(r->db, &a, r->now, &id);
	}
	char ids[24];
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	json_t *line =
		json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:I, s:s, s:s}", "id", ids, "site_id",
	                  site, "resident_id", resident, "month", month, "for_month", for_ms,
	                  "request_id", request, "amount_cents", (json_int_t)amount, "reason",
	                  str(r->body, "reason"), "created_by", r->who->id);
	if (rc == CN_OK)
		rc = db_audit_add(r->db, r->now, r->who->id, site, "create",
		                  "settlement_adjustments", ids, NULL, line);
	if (api_commit(r, rc, NULL, NULL))
		api_reply(r, 201, json_incref(line));
	json_decref(line);
}

bool api_settlement_frozen(struct api_req *r, const char *id)
{
	char site[65], resident[65], ms[8];
	int64_t done_at = 0;
	bool closed = false;
	if (db_settlement_request_month(r->db, id, site, resident, &done_at) != CN_OK ||
	    done_at <= 0)
		return false;
	month_of(done_at, ms);
	if (db_settlement_closed(r->db, site, ms, &closed, NULL) != CN_OK || !closed)
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
		to = r->now + 1;
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
		rfc3339(num(v, "completed_at"), at);
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
