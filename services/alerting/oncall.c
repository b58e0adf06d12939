#include "oncall.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clock.h"
#include "db_rotas.h"
#include "log.h"
#include "xalloc.h"
#include "zone.h"

/* A stored rota as care/rota.h takes it; false when it does not parse. */
static bool rule_of(const struct db_rota_row *row, struct rota_rule *r, enum rota_tier *tier)
{
	memset(r, 0, sizeof(*r));
	r->starts_on = r->ends_on = ROTA_NO_DATE;
	if (rota_parse_tier(row->tier, false, tier) != CN_OK ||
	    rota_parse_hhmm(row->from, &r->from_min) != CN_OK ||
	    rota_parse_hhmm(row->to, &r->to_min) != CN_OK)
		return false;
	if (row->starts_on[0] && rota_parse_date(row->starts_on, &r->starts_on) != CN_OK)
		return false;
	if (row->ends_on[0] && rota_parse_date(row->ends_on, &r->ends_on) != CN_OK)
		return false;
	json_t *days = json_loads(row->days, 0, NULL);
	size_t i;
	json_t *d;
	json_array_foreach (days, i, d)
		r->days |= rota_day_bit(json_string_value(d));
	json_decref(days);
	return r->days != 0;
}

/* The wall clock rotas are read in: the site's zone, or the daemon's
 * configured one (clock.h) when the site has none. */
struct wall {
	const struct tzif *tz; /* NULL: the configured zone */
};

static long offset_at(const struct wall *w, int64_t utc_ms)
{
	return w->tz ? tzif_offset(w->tz, utc_ms) : clock_utc_offset_s(utc_ms);
}

/* The instant the wall clock shows local epoch ms `local_ms`. */
static int64_t to_utc(const struct wall *w, int64_t local_ms)
{
	if (w->tz)
		return tzif_to_utc(w->tz, local_ms);
	int64_t guess = local_ms - (int64_t)offset_at(w, local_ms) * 1000;
	return local_ms - (int64_t)offset_at(w, guess) * 1000;
}

/* The real start and end of the occurrence of `r` that covers local
 * time `t`. */
static void occurrence(const struct wall *w, const struct rota_rule *r, struct rota_local t,
                       int64_t *start, int64_t *end)
{
	bool crosses = r->to_min <= r->from_min;
	int32_t day = crosses && t.minute < r->to_min ? t.day - 1 : t.day;
	int32_t end_day = crosses ? day + 1 : day;
	*start = to_utc(w, ((int64_t)day * 1440 + r->from_min) * 60000);
	*end = to_utc(w, ((int64_t)end_day * 1440 + r->to_min) * 60000);
}

enum cn_err oncall_at(struct db *db, const char *site_id, int64_t at, struct oncall_entry *out,
                      size_t max, size_t *n)
{
	struct db_rota_row *rows = xcalloc(DB_ONCALL_MAX, sizeof(*rows));
	struct db_shift_claim *shifts = xcalloc(DB_ONCALL_MAX, sizeof(*shifts));
	struct oncall_claim *rc_claims = xcalloc(DB_ONCALL_MAX, sizeof(*rc_claims));
	struct oncall_claim *sh_claims = xcalloc(DB_ONCALL_MAX, sizeof(*sh_claims));
	struct oncall_claim *merged = xcalloc(ONCALL_MAX, sizeof(*merged));
	struct rota_rule *rules = xcalloc(DB_ONCALL_MAX, sizeof(*rules));
	size_t *rule_of_claim = xcalloc(DB_ONCALL_MAX, sizeof(*rule_of_claim));
	size_t n_rows = 0, n_shifts = 0, n_rc = 0;
	struct tzif *tz = NULL;
	*n = 0;
	enum cn_err rc = db_rotas_of_site(db, site_id, rows, DB_ONCALL_MAX, &n_rows);
	if (rc == CN_OK)
		rc = db_shifts_covering(db, site_id, at, shifts, DB_ONCALL_MAX, &n_shifts);
	char zname[ZONE_NAME_MAX + 1] = "";
	if (rc == CN_OK && n_rows > 0)
		rc = db_site_zone(db, site_id, zname, sizeof(zname));
	if (rc != CN_OK)
		goto out;
	struct wall w = {NULL};
	if (zname[0]) {
		tz = xcalloc(1, sizeof(*tz));
		if (zone_load(zname, tz) == CN_OK)
			w.tz = tz;
		else
			log_error(
				"oncall",
				"site %s: time zone %s cannot be read; rotas use the configured zone",
				site_id, zname);
	}
	struct rota_local t = rota_local_time(at, offset_at(&w, at));
	for (size_t i = 0; i < n_rows; i++) {
		enum rota_tier tier;
		if (!rule_of(&rows[i], &rules[i], &tier) || !rota_covers(&rules[i], t))
			continue;
		rc_claims[n_rc] = (struct oncall_claim){rows[i].staff_id, tier};
		rule_of_claim[n_rc++] = i;
	}
	for (size_t i = 0; i < n_shifts; i++) {
		enum rota_tier tier = TIER_OFF;
		rota_parse_tier(shifts[i].tier, true, &tier);
		sh_claims[i] = (struct oncall_claim){shifts[i].staff_id, tier};
	}
	size_t m = oncall_merge(rc_claims, n_rc, sh_claims, n_shifts, merged,
	                        max < ONCALL_MAX ? max : ONCALL_MAX);
	for (size_t k = 0; k < m; k++) {
		struct oncall_entry *e = &out[(*n)++];
		memset(e, 0, sizeof(*e));
		snprintf(e->staff_id, sizeof(e->staff_id), "%s", merged[k].staff_id);
		e->tier = merged[k].tier;
		/* The claim's name points into the row it came from. */
		for (size_t i = 0; i < n_shifts; i++) {
			if (merged[k].staff_id == shifts[i].staff_id) {
				e->starts_at = shifts[i].starts_at;
				e->ends_at = shifts[i].ends_at;
			}
		}
		for (size_t j = 0; j < n_rc; j++) {
			if (merged[k].staff_id == rc_claims[j].staff_id &&
			    merged[k].tier == rc_claims[j].tier) {
				e->from_rota = true;
				occurrence(&w, &rules[rule_of_claim[j]], t, &e->starts_at,
				           &e->ends_at);
			}
		}
	}
out:
	free(tz);
	free(rows);
	free(shifts);
	free(rc_claims);
	free(sh_claims);
	free(merged);
	free(rules);
	free(rule_of_claim);
	return rc;
}
