/* Paging: who one escalation step reaches at a site (the rotas and
 * shifts on call now, the coordinators, named staff; decided by
 * care/page_plan.h) and how they are reached (paging_deliver). Runs
 * inside the caller's transaction; what is to be sent goes into the
 * caller's outbox and leaves after the commit (txn.h).
 *
 * paging_deliver() is the one place a plan turns into messages: per
 * staff member a notification row, a timeline line, the MQTT staff page
 * and their channel contact points (notify_plan_staff); for
 * plan->contacts the resident's contacts with notify
 * (notify_plan_contacts); for each plan->channels[] that site channel
 * (notify_plan_channel). Contacts and channels count as reached only
 * when a delivery was actually queued. */
#ifndef CN_PAGING_H
#define CN_PAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cn_error.h"
#include "esc_policy.h"
#include "page_plan.h"

struct app;
struct db;
struct outbox;

/* Whether contacts and channel targets are delivered in this build
 * (issue 14's channels: yes). */
#define PAGING_CHANNELS_DELIVER true

/* Who is paged with a step beyond the policy's people (borrowed). */
struct paging_extra {
	const char *const *staff; /* the clinic's staff on a critical reading */
	size_t n_staff;
	bool contacts; /* the resident's contacts too (the default ladder's first page) */
};

/* Pages step `step` of `pol` for the alert at `level` (the alert's level
 * column: the default ladder's level or the policy's step): resolves the
 * people and delivers. `ex` (may be NULL) adds people and the contacts.
 * When the plan reaches nobody because its contacts and channels queued
 * no delivery at all, a timeline line says so and the next step's people
 * (or the coordinators) are paged at once. *nobody_on_shift tells
 * whether anyone was on call, *paged_step the step whose people were
 * paged (>= step). CN_OK or a database error. */
enum cn_err paging_page(struct app *app, struct db *db, int64_t alert_id, const char *site_id,
                        const char *resident_id, const struct esc_policy *pol, int step, int level,
                        const struct paging_extra *ex, int64_t now, struct outbox *ob,
                        bool *nobody_on_shift, int *paged_step);

/* Delivers `plan` for the alert at `level`: records and sends each page
 * (notification row, `notified` timeline line, MQTT staff page after the
 * commit, the person's channel deliveries), and queues the contacts' and
 * channels' deliveries, each with a timeline line (also when nothing
 * could be queued). `why` (may be NULL) is added to the timeline lines
 * ("reminder"). *reached (may be NULL) is the staff paged plus the
 * deliveries queued for contacts and channels. A plan that reaches
 * nobody leaves a timeline line saying so and logs an error. CN_OK or a
 * database error. */
enum cn_err paging_deliver(struct app *app, struct db *db, int64_t alert_id,
                           const char *resident_id, int level, const struct page_plan *plan,
                           const char *why, int64_t now, struct outbox *ob, size_t *reached);

/* The on-site reminder: pages the responder and the site's coordinators
 * (the admins when it has none) again at `level`, with `why` on each
 * timeline line. CN_OK or a database error. */
enum cn_err paging_remind(struct app *app, struct db *db, int64_t alert_id, const char *site_id,
                          const char *resident_id, const char *responder, int level,
                          const char *why, int64_t now, struct outbox *ob);

#endif
