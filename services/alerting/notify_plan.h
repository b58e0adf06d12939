/* Who gets which channel message when a level is paged: each paged staff
 * member's contact points (a priority in `priorities`, `delay_s` after
 * the page) and, on the first page, the resident's emergency contacts
 * with `notify`, in their `order`. Runs inside the paging transaction:
 * the deliveries commit with the page, and the notifier is woken after
 * the commit (outbox). */
#ifndef CN_NOTIFY_PLAN_H
#define CN_NOTIFY_PLAN_H

#include <stdint.h>

#include "cn_error.h"

struct app;
struct db;
struct outbox;

/* Queues the deliveries of one paged staff member. Returns CN_OK or a
 * database error. */
enum cn_err notify_plan_staff(struct app *app, struct db *db, int64_t alert_id, const char *site_id,
                              int priority, int level, const char *staff_id, int64_t now,
                              struct outbox *ob);
/* Queues the deliveries to the resident's emergency contacts. */
enum cn_err notify_plan_contacts(struct app *app, struct db *db, int64_t alert_id,
                                 const char *site_id, const char *resident_id, int level,
                                 int64_t now, struct outbox *ob);

#endif
