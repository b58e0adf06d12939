/* Who a page reaches (the "who" of paging, contract section 5): one step
 * of an escalation policy applied to the people of a site at an instant.
 * Pure: the caller reads who is on call (rotas and shifts, alerting/
 * oncall.h), the site's coordinators and admins and which named staff may
 * be paged, and passes them in; this decides. How the people are then
 * reached (MQTT pages today, the channels of issue 14 later) is
 * alerting/paging.h's.
 *
 * Rules (care-model.md "From an alert to a person"):
 * - tier:<t> is whoever is on call in that tier now; `site` everyone on
 *   call; role:coordinator the site's coordinators; staff:<id> that person
 *   when they may be paged; `contacts` the resident's contacts and
 *   channel:<id> a site channel: both reach people only through channels.
 * - A step that reaches nobody goes on to the next step's people at once
 *   rather than wait silently for its time (the default ladder has
 *   always done this).
 * - Nobody on call at all, or still nobody reached: the coordinators, and
 *   the admins when there is no coordinator either; every page says so. */
#ifndef CN_PAGE_PLAN_H
#define CN_PAGE_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "esc_policy.h"
#include "rota.h"

#define PAGE_PLAN_MAX 64 /* people one page reaches */

/* The people of a site at the instant of the page. All borrowed. */
struct page_people {
	const struct oncall_claim *on; /* on call now: rotas and shifts merged */
	size_t n_on;
	const char *const *coordinators;
	size_t n_coordinators;
	const char *const *admins;
	size_t n_admins;
	/* Named staff (staff:<id> targets) who are active and may be paged;
	 * any other named id pages nobody. */
	const char *const *pageable;
	size_t n_pageable;
	/* Whether contacts and channel targets reach anyone in this build
	 * (false until issue 14's channels deliver): a step of only those
	 * then counts as reaching nobody and goes on up. */
	bool channels_deliver;
};

struct page_plan {
	const char *staff[PAGE_PLAN_MAX]; /* borrowed from the inputs, each once */
	size_t n_staff;
	bool contacts; /* the resident's contacts with notify, in order */
	const char *channels[ESC_POLICY_TARGETS_MAX]; /* borrowed from the policy */
	size_t n_channels;
	int step;             /* the step whose people these are (>= the one asked) */
	bool nobody_on_shift; /* nobody on call at all */
	bool fallback;        /* nobody the steps name: coordinators or admins */
};

/* Applies step `step` of `p` (0 <= step < p->n) to `in` into *out.
 * Steps after `step` are looked at only when `step` reaches nobody. */
void page_plan_make(const struct esc_policy *p, int step, const struct page_people *in,
                    struct page_plan *out);

/* The on-site reminder (contract section 5): the responder (NULL or ""
 * for none) and the site's coordinators, the admins when the site has no
 * coordinator; only in->coordinators and in->admins are read. */
void page_plan_reminder(const char *responder, const struct page_people *in, struct page_plan *out);

/* Whether a plan reaches anyone at all (staff, or contacts and channels
 * when they deliver). */
bool page_plan_reaches(const struct page_plan *plan, bool channels_deliver);

#endif
