/* Paging: who one escalation step reaches at a site (the rotas and
 * shifts on call now, the coordinators, named staff; decided by
 * care/page_plan.h) and how they are reached (paging_deliver). Runs
 * inside the caller's transaction; what is to be sent goes into the
 * caller's outbox and leaves after the commit (txn.h).
 *
 * paging_deliver() is the one place a plan turns into messages. Today
 * that is a notification row, a timeline line and the MQTT staff page of
 * each person; the resident's contacts and site channels are named on
 * the timeline as not delivered. Issue 14's channels connect here: per
 * staff member their contact points, for plan->contacts the resident's
 * contacts, for each plan->channels[] the channel. */
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

/* Whether contacts and channel targets are delivered in this build. */
#define PAGING_CHANNELS_DELIVER false

/* Pages step `step` of `pol` for the alert at `level` (the alert's level
 * column: the default ladder's level or the policy's step): resolves the
 * people and delivers. `extra` people (borrowed; may be NULL) are paged
 * with them (the clinic's staff on a critical reading). *nobody_on_shift
 * tells whether anyone was on call. CN_OK or a database error. */
enum cn_err paging_page(struct app *app, struct db *db, int64_t alert_id, const char *site_id,
                        const char *resident_id, const struct esc_policy *pol, int step, int level,
                        const char *const *extra, size_t n_extra, int64_t now, struct outbox *ob,
                        bool *nobody_on_shift);

/* Delivers `plan` for the alert at `level`: records and sends each page
 * (notification row, `notified` timeline line, MQTT staff page after the
 * commit), and names on the timeline what this build cannot deliver.
 * `why` (may be NULL) is added to each timeline line ("reminder").
 * A plan that reaches nobody leaves a timeline line saying so and logs
 * an error. CN_OK or a database error. */
enum cn_err paging_deliver(struct app *app, struct db *db, int64_t alert_id,
                           const char *resident_id, int level, const struct page_plan *plan,
                           const char *why, int64_t now, struct outbox *ob);

/* The on-site reminder: pages the responder and the site's coordinators
 * (the admins when it has none) again at `level`, with `why` on each
 * timeline line. CN_OK or a database error. */
enum cn_err paging_remind(struct app *app, struct db *db, int64_t alert_id, const char *site_id,
                          const char *resident_id, const char *responder, int level,
                          const char *why, int64_t now, struct outbox *ob);

#endif
