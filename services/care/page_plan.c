#include "page_plan.h"

#include <string.h>

static void add_staff(struct page_plan *out, const char *id)
{
	for (size_t i = 0; i < out->n_staff; i++)
		if (strcmp(out->staff[i], id) == 0)
			return;
	if (out->n_staff < PAGE_PLAN_MAX)
		out->staff[out->n_staff++] = id;
}

static void add_list(struct page_plan *out, const char *const *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		add_staff(out, ids[i]);
}

static void add_on_call(struct page_plan *out, const struct page_people *in, bool all,
                        enum rota_tier tier)
{
	for (size_t i = 0; i < in->n_on; i++)
		if (in->on[i].tier != TIER_OFF && (all || in->on[i].tier == tier))
			add_staff(out, in->on[i].staff_id);
}

static bool pageable(const struct page_people *in, const char *id)
{
	for (size_t i = 0; i < in->n_pageable; i++)
		if (strcmp(in->pageable[i], id) == 0)
			return true;
	return false;
}

static void apply_step(const struct esc_step *s, const struct page_people *in,
                       struct page_plan *out)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct esc_target *t = &s->targets[i];
		switch (t->kind) {
		case TGT_TIER_PRIMARY:
			add_on_call(out, in, false, TIER_PRIMARY);
			break;
		case TGT_TIER_BACKUP:
			add_on_call(out, in, false, TIER_BACKUP);
			break;
		case TGT_TIER_SUPERVISOR:
			add_on_call(out, in, false, TIER_SUPERVISOR);
			break;
		case TGT_SITE:
			add_on_call(out, in, true, TIER_PRIMARY);
			break;
		case TGT_COORDINATORS:
			add_list(out, in->coordinators, in->n_coordinators);
			break;
		case TGT_STAFF:
			if (pageable(in, t->id))
				add_staff(out, t->id);
			break;
		case TGT_CONTACTS:
			out->contacts = true;
			break;
		case TGT_CHANNEL: {
			bool seen = false;
			for (size_t k = 0; k < out->n_channels && !seen; k++)
				seen = strcmp(out->channels[k], t->id) == 0;
			if (!seen && out->n_channels < ESC_POLICY_TARGETS_MAX)
				out->channels[out->n_channels++] = t->id;
			break;
		}
		}
	}
}

bool page_plan_reaches(const struct page_plan *plan, bool channels_deliver)
{
	return plan->n_staff > 0 || (channels_deliver && (plan->contacts || plan->n_channels > 0));
}

void page_plan_make(const struct esc_policy *p, int step, const struct page_people *in,
                    struct page_plan *out)
{
	memset(out, 0, sizeof(*out));
	out->step = step;
	out->nobody_on_shift = true;
	for (size_t i = 0; i < in->n_on; i++)
		if (in->on[i].tier != TIER_OFF)
			out->nobody_on_shift = false;
	/* The step asked for, then (when it reaches nobody) the next ones:
	 * the contacts and channels of the steps passed over stay in the
	 * plan, so nothing a step named is left out. */
	for (int s = step; s >= 0 && s < (int)p->n; s++) {
		out->step = s;
		apply_step(&p->steps[s], in, out);
		if (page_plan_reaches(out, in->channels_deliver))
			return;
		out->step = step;
	}
	add_list(out, in->coordinators, in->n_coordinators);
	if (out->n_staff == 0)
		add_list(out, in->admins, in->n_admins);
	out->fallback = true;
}

void page_plan_reminder(const char *responder, const struct page_people *in, struct page_plan *out)
{
	memset(out, 0, sizeof(*out));
	if (responder && *responder)
		add_staff(out, responder);
	add_list(out, in->coordinators, in->n_coordinators);
	if (in->n_coordinators == 0)
		add_list(out, in->admins, in->n_admins);
}
