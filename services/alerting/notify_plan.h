/* Who gets which channel message when a level is paged (contract.md
 * section 4): each paged staff member's contact points and, on the first
 * page, the resident's emergency contacts with `notify`. This is the
 * interface a paging rule uses to reach a person beyond MQTT: its one
 * caller is paging_deliver() (alerting/paging.h), which turns the plan
 * of an escalation step into pages (docs/architecture.md "Delivering to
 * a person").
 *
 * Both run inside the caller's paging transaction and only write rows
 * (db_delivery_add): the deliveries commit with the page, or not at all.
 * When they queued something they set ob->wake_notifier, so the commit
 * (txn_commit) wakes the notifier thread, which sends, retries, merges
 * under a channel's rate and records the outcome. `level` is the
 * escalation level the deliveries belong to: when all of a level's
 * deliveries fail, the notifier pages the next level at once
 * (alerts_escalate_failed). A channel that is disabled, unknown or of
 * another site than `site_id` is skipped, as is a person-addressed kind
 * (sms, voice, email) with no address to send to (logged). All pointers
 * are borrowed. */
#ifndef CN_NOTIFY_PLAN_H
#define CN_NOTIFY_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "cn_error.h"

struct app;
struct db;
struct outbox;

/* Queues one delivery per contact point of `staff_id` whose `priorities`
 * include `priority` (no list: every priority), due `delay_s` after `now`
 * (the notifier drops it unsent if the alert was taken by then). The
 * address is the contact point's, else the staff member's phone (sms,
 * voice) or e-mail (email); robots and webhooks have none. Adds the
 * number queued to *queued (may be NULL). Returns CN_OK (also when
 * nothing was queued) or the database error. */
enum cn_err notify_plan_staff(struct app *app, struct db *db, int64_t alert_id, const char *site_id,
                              int priority, int level, const char *staff_id, int64_t now,
                              struct outbox *ob, size_t *queued);

/* Queues one delivery per channel in `channels` of each emergency contact
 * of `resident_id` with `notify` true, in their `order`, due now; the
 * contact ({name, relation, phone}) goes with it, so its ack link
 * acknowledges as that contact. NULL resident: nothing. Adds the number
 * queued to *queued (may be NULL): a resident with no contact to notify,
 * or none with a usable channel, queues nothing, and the caller must not
 * count them as reached. Returns CN_OK or the database error. */
enum cn_err notify_plan_contacts(struct app *app, struct db *db, int64_t alert_id,
                                 const char *site_id, const char *resident_id, int level,
                                 int64_t now, struct outbox *ob, size_t *queued);

/* Queues one delivery to the site channel `channel_id` (an escalation
 * policy's channel:<id> target, issue 15), due now; its ack link
 * acknowledges as that channel ({name: "channel <id>", relation:
 * "site channel"}). An unknown, disabled or other site's channel, or a
 * person-addressed one, queues nothing (logged). Adds to *queued (may be
 * NULL). Returns CN_OK or the database error. */
enum cn_err notify_plan_channel(struct app *app, struct db *db, int64_t alert_id,
                                const char *site_id, int level, const char *channel_id, int64_t now,
                                struct outbox *ob, size_t *queued);

#endif
