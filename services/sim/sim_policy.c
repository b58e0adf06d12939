#include "sim_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alert_kind.h"
#include "clock.h"
#include "esc_policy_json.h"
#include "page_plan.h"
#include "paging.h"
#include "payload.h"
#include "rota.h"
#include "sim_common.h"
#include "xalloc.h"

#define CMD       "evaluate"
#define ROTAS_MAX 128
#define COORD_MAX 32
#define ID_MAX    64

struct rota_entry {
	char staff_id[ID_MAX + 1];
	enum rota_tier tier;
	struct rota_rule rule;
};

struct sim_policy {
	struct esc_policy pol[4]; /* P1..P4 */
	struct rota_entry rotas[ROTAS_MAX];
	size_t n_rotas;
	char coord[COORD_MAX][ID_MAX + 1];
	const char *coord_p[COORD_MAX];
	size_t n_coord;
	long unanswered_s;
	long alerts, pages, unanswered_60s;
	json_t *per_person; /* {"staff": {"night": count}} */
};

static json_t *load_json(const char *what, const char *arg)
{
	json_error_t jerr;
	json_t *j = arg[0] == '@' ? json_load_file(arg + 1, JSON_REJECT_DUPLICATES, &jerr)
	                          : json_loads(arg, JSON_REJECT_DUPLICATES, &jerr);
	if (!j || !json_is_object(j)) {
		sim_error(CMD, "%s: not a JSON object (%s)", what, j ? "" : jerr.text);
		json_decref(j);
		return NULL;
	}
	return j;
}

static bool load_policies(struct sim_policy *p, const char *arg)
{
	static const long steps[3] = {60, 300, 1800};
	json_t *doc = load_json("--policy", arg);
	if (!doc)
		return false;
	bool ok = true;
	for (int pr = 1; pr <= 4 && ok; pr++) {
		char name[16], err[200];
		snprintf(name, sizeof(name), "p%d", pr);
		json_t *one = json_object_get(doc, name);
		if (!one) {
			esc_policy_default(pr, steps, &p->pol[pr - 1]);
			continue;
		}
		if (esc_policy_from_json(one, name, &p->pol[pr - 1], err, sizeof(err)) != CN_OK) {
			sim_error(CMD, "--policy: %s", err);
			ok = false;
		}
	}
	json_decref(doc);
	return ok;
}

static bool rota_of(const json_t *j, struct rota_entry *r)
{
	const char *staff = json_string_value(json_object_get(j, "staff_id"));
	const char *tier = json_string_value(json_object_get(j, "tier"));
	const char *on = json_string_value(json_object_get(j, "starts_on"));
	const char *off = json_string_value(json_object_get(j, "ends_on"));
	memset(r, 0, sizeof(*r));
	r->rule.starts_on = r->rule.ends_on = ROTA_NO_DATE;
	if (!staff || strlen(staff) > ID_MAX || rota_parse_tier(tier, false, &r->tier) != CN_OK ||
	    rota_parse_hhmm(json_string_value(json_object_get(j, "from")), &r->rule.from_min) !=
	            CN_OK ||
	    rota_parse_hhmm(json_string_value(json_object_get(j, "to")), &r->rule.to_min) !=
	            CN_OK ||
	    (on && rota_parse_date(on, &r->rule.starts_on) != CN_OK) ||
	    (off && rota_parse_date(off, &r->rule.ends_on) != CN_OK))
		return false;
	memcpy(r->staff_id, staff, strlen(staff) + 1);
	size_t i;
	json_t *d;
	json_array_foreach (json_object_get(j, "days"), i, d)
		r->rule.days |= rota_day_bit(json_string_value(d));
	return r->rule.days != 0;
}

static bool load_rotas(struct sim_policy *p, const char *arg)
{
	json_t *doc = load_json("--rota", arg);
	if (!doc)
		return false;
	bool ok = true;
	size_t i;
	json_t *v;
	json_array_foreach (json_object_get(doc, "rotas"), i, v) {
		if (p->n_rotas == ROTAS_MAX || !rota_of(v, &p->rotas[p->n_rotas])) {
			sim_error(
				CMD,
				"--rota: rotas[%zu]: staff_id, tier, days, from, to as POST /v1/rotas"
				" (at most %d rotas)",
				i, ROTAS_MAX);
			ok = false;
			break;
		}
		p->n_rotas++;
	}
	json_array_foreach (json_object_get(doc, "coordinators"), i, v) {
		const char *id = json_string_value(v);
		if (!ok || !id || strlen(id) > ID_MAX || p->n_coord == COORD_MAX) {
			if (ok)
				sim_error(CMD, "--rota: coordinators: at most %d staff ids",
				          COORD_MAX);
			ok = false;
			break;
		}
		memcpy(p->coord[p->n_coord], id, strlen(id) + 1);
		p->coord_p[p->n_coord] = p->coord[p->n_coord];
		p->n_coord++;
	}
	json_decref(doc);
	return ok;
}

struct sim_policy *sim_policy_load(const char *policy, const char *rota, long unanswered_s)
{
	struct sim_policy *p = xcalloc(1, sizeof(*p));
	p->unanswered_s = unanswered_s;
	p->per_person = json_object();
	if (!load_policies(p, policy) || !load_rotas(p, rota)) {
		sim_policy_free(p);
		return NULL;
	}
	return p;
}

void sim_policy_free(struct sim_policy *p)
{
	if (!p)
		return;
	json_decref(p->per_person);
	free(p);
}

/* Whom step `step` reaches at `at`, into *plan. */
static void plan_at(const struct sim_policy *p, const struct esc_policy *pol, int step, int64_t at,
                    struct oncall_claim *claims, struct page_plan *plan)
{
	struct oncall_claim covering[ROTAS_MAX];
	size_t n = 0;
	struct rota_local t = rota_local_time(at, clock_utc_offset_s(at));
	for (size_t i = 0; i < p->n_rotas; i++)
		if (rota_covers(&p->rotas[i].rule, t))
			covering[n++] =
				(struct oncall_claim){p->rotas[i].staff_id, p->rotas[i].tier};
	size_t m = oncall_merge(covering, n, NULL, 0, claims, ROTAS_MAX);
	/* Every named staff member counts as pageable: the what-if knows only
	 * the ids the policy gives. */
	const char *named[ESC_POLICY_STEPS_MAX * ESC_POLICY_TARGETS_MAX];
	size_t n_named = 0;
	for (size_t s = 0; s < pol->n; s++)
		for (size_t k = 0; k < pol->steps[s].n; k++)
			if (pol->steps[s].targets[k].kind == TGT_STAFF)
				named[n_named++] = pol->steps[s].targets[k].id;
	struct page_people in = {claims,     m,       p->coord_p,
	                         p->n_coord, NULL,    0,
	                         named,      n_named, PAGING_CHANNELS_DELIVER};
	page_plan_make(pol, step, &in, plan);
}

static void count_page(struct sim_policy *p, const char *who, int64_t at)
{
	char night[11];
	clock_local_date(at - 12 * 3600000LL, night);
	json_t *person = json_object_get(p->per_person, who);
	if (!person) {
		person = json_object();
		json_object_set_new(p->per_person, who, person);
	}
	json_int_t c = json_integer_value(json_object_get(person, night));
	json_object_set_new(person, night, json_integer(c + 1));
}

void sim_policy_alert(struct sim_policy *p, const char *kind, int64_t at)
{
	enum alert_kind k;
	int priority = alert_kind_from_name(kind, &k) ? alert_kind_priority(k) : 2;
	if (priority < 1 || priority > 4)
		priority = 2;
	const struct esc_policy *pol = &p->pol[priority - 1];
	struct oncall_claim *claims = xcalloc(ROTAS_MAX, sizeof(*claims));
	struct page_plan *plan = xcalloc(1, sizeof(*plan));
	p->alerts++;
	bool second_within_60s = false;
	int64_t until = at + (int64_t)p->unanswered_s * 1000, t = at;
	struct esc_position pos = esc_policy_position(pol, at, at);
	if (pos.step < 0)
		t = pos.next_at;
	for (int guard = 0; t && t <= until && guard < 1000; guard++) {
		pos = esc_policy_position(pol, at, t);
		if (pos.step < 0)
			break;
		plan_at(p, pol, pos.step, t, claims, plan);
		json_t *paged = json_array();
		for (size_t i = 0; i < plan->n_staff; i++) {
			json_array_append_new(paged, json_string(plan->staff[i]));
			count_page(p, plan->staff[i], t);
			p->pages++;
		}
		if (plan->contacts)
			json_array_append_new(paged, json_string("contacts"));
		for (size_t i = 0; i < plan->n_channels; i++) {
			char c[ESC_POLICY_ID_MAX + 16];
			snprintf(c, sizeof(c), "channel:%s", plan->channels[i]);
			json_array_append_new(paged, json_string(c));
		}
		if (pos.step > 0 && plan->n_staff > 0 && t - at <= 60000)
			second_within_60s = true;
		char utc[32], local[11], lt[40];
		cn_time_format_rfc3339(t, utc);
		clock_local_date(t, local);
		int m = clock_local_minute(t);
		snprintf(lt, sizeof(lt), "%s %02d:%02d", local, m / 60, m % 60);
		json_t *line = json_pack("{s:{s:s,s:i,s:s,s:s,s:i,s:o,s:b}}", "page", "kind", kind,
		                         "priority", priority, "at", utc, "local", lt, "step",
		                         pos.step, "paged", paged, "fallback", plan->fallback);
		char *text = json_dumps(line, JSON_COMPACT);
		if (text)
			puts(text);
		free(text);
		json_decref(line);
		if (!pos.next_at)
			break;
		t = pos.next_at;
	}
	if (priority <= 3 && !second_within_60s)
		p->unanswered_60s++;
	free(plan);
	free(claims);
}

void sim_policy_summary(const struct sim_policy *p)
{
	json_t *s = json_pack("{s:{s:I,s:I,s:I,s:I,s:O}}", "policy_summary", "alerts",
	                      (json_int_t)p->alerts, "pages", (json_int_t)p->pages,
	                      "unanswered_60s_if_level0_silent", (json_int_t)p->unanswered_60s,
	                      "followed_s", (json_int_t)p->unanswered_s, "per_person_night",
	                      p->per_person);
	char *text = json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS);
	if (text)
		puts(text);
	free(text);
	json_decref(s);
}
