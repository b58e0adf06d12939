/* Storage of the on-site reminder (contract section 5, "acknowledged is
 * not arrived"): the next reminder of an acknowledged P1/P2 alert that is
 * not on site yet, how many were sent, and the site's timeout. */
#ifndef CN_DB_REMINDERS_H
#define CN_DB_REMINDERS_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* The site's onsite_timeout_s into *timeout_s (2700 when the site is
 * unknown). CN_OK or CN_ERR_DB. */
enum cn_err db_site_onsite_timeout(struct db *db, const char *site_id, long *timeout_s);

/* Sets the alert's next reminder (0: none). CN_OK or CN_ERR_DB. */
enum cn_err db_reminder_set(struct db *db, int64_t alert_id, int64_t next_at);

/* A reminder was sent: the count goes up and the next one is `next_at`
 * (0: none). CN_OK or CN_ERR_DB. */
enum cn_err db_reminder_fired(struct db *db, int64_t alert_id, int64_t next_at, int64_t now);

/* Ids of acknowledged or dispatched alerts whose reminder is due at
 * `now`, at most max. CN_OK or a database error. */
enum cn_err db_reminders_due(struct db *db, int64_t now, int64_t *ids, size_t max, size_t *n);

/* The earliest reminder of an alert still waiting for its responder, 0
 * when none. CN_OK or a database error. */
enum cn_err db_reminders_next_due(struct db *db, int64_t *at);

/* What a reminder needs of its alert. */
struct db_reminder_row {
	char status[16];
	char site_id[65], resident_id[65];
	char responder[65]; /* responder_id, else acked_by; "" for none */
	int priority;
	int64_t acked_at;
	int reminders;
};
/* CN_OK, CN_ERR_NOT_FOUND or CN_ERR_DB. */
enum cn_err db_reminder_row(struct db *db, int64_t alert_id, struct db_reminder_row *out);

/* The response report's `reminded` (issue 15): alerts raised in the
 * period that were reminded at least once, and the reminders sent; and
 * its "acknowledged by a contact": alerts a resident's contact took. */
struct db_report_query;
enum cn_err db_report_reminded(struct db *db, const struct db_report_query *q, int64_t *alerts,
                               int64_t *reminders, int64_t *by_contact);

#endif
