/* Escalation policies as data (contract section 5): per priority, steps
 * with `after_s` from the alert's creation and the targets each pages,
 * the last step repeating every `repeat_s`. Pure: parsing of one target,
 * validation, the default policy (today's ladder) and where an alert
 * stands on its policy at an instant. The policy in force when an alert
 * was raised is recorded with it; these functions never read the site's
 * current one. */
#ifndef CN_ESC_POLICY_H
#define CN_ESC_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "cn_error.h"

#define ESC_POLICY_STEPS_MAX   8
#define ESC_POLICY_TARGETS_MAX 8
#define ESC_POLICY_ID_MAX      64      /* staff and channel ids, bytes */
#define ESC_POLICY_AFTER_MAX   604800L /* a week */

enum esc_target_kind {
	TGT_TIER_PRIMARY,
	TGT_TIER_BACKUP,
	TGT_TIER_SUPERVISOR,
	TGT_COORDINATORS, /* role:coordinator */
	TGT_STAFF,        /* staff:<id> */
	TGT_CONTACTS,     /* the resident's emergency contacts with notify, in order */
	TGT_CHANNEL,      /* channel:<id>, a site channel */
	TGT_SITE,         /* everyone on duty at the site */
};

struct esc_target {
	enum esc_target_kind kind;
	char id[ESC_POLICY_ID_MAX + 1]; /* TGT_STAFF and TGT_CHANNEL only */
};

struct esc_step {
	long after_s;
	size_t n;
	struct esc_target targets[ESC_POLICY_TARGETS_MAX];
};

struct esc_policy {
	size_t n; /* 0: listed, never paged (P4 by default) */
	struct esc_step steps[ESC_POLICY_STEPS_MAX];
	long repeat_s; /* 0: the last step does not repeat */
};

/* Parses "tier:primary", "role:coordinator", "staff:ID", "contacts",
 * "channel:ID", "site". CN_OK, or CN_ERR_INVALID for anything else
 * (an empty or over-long id included). */
enum cn_err esc_target_parse(const char *s, struct esc_target *t);

/* Writes the target's text form into out (>= ESC_POLICY_ID_MAX + 20). */
void esc_target_format(const struct esc_target *t, char *out, size_t size);

/* Checks a policy: after_s from 0 to a week and strictly increasing,
 * repeat_s 0 or 10 s to a day, and steps that page somebody: a policy
 * with steps in which no step names a target is refused (an empty step
 * list is the "listed, never paged" policy and is allowed). CN_OK, or
 * CN_ERR_INVALID with the reason in err. */
enum cn_err esc_policy_validate(const struct esc_policy *p, char *err, size_t err_size);

/* Today's ladder for `priority` (1-4) with the configured step times
 * (steps_s[0..2] for P1..P3): 0 s the primary tier; one step later the
 * backup too; two steps supervisors and coordinators; three steps
 * everyone on duty and the coordinators, repeating each step time. P4
 * (or a step time of 0) is listed, never paged. */
void esc_policy_default(int priority, const long steps_s[3], struct esc_policy *out);

/* Where an alert created at `created_at` stands at `now` (ms): the last
 * step whose time has come (-1: none yet) and the next moment something
 * falls due (0: never). After a restart the alert is at the right step
 * at once: a missed step is skipped to the one whose time it is, and
 * repeats that were missed fire once. */
struct esc_position {
	int step;
	int64_t next_at;
};
struct esc_position esc_policy_position(const struct esc_policy *p, int64_t created_at,
                                        int64_t now);

/* Acknowledged is not arrived: when a P1/P2 alert acknowledged at
 * `acked_at` and still not on site next pages its responder and the
 * coordinators again. Reminders fall at acked_at + k * timeout_s (k >= 1);
 * returns the first of them after `last` (the last reminder sent, 0 for
 * none yet), or 0 when no reminder applies (P3/P4, timeout_s <= 0). */
int64_t esc_onsite_reminder_at(int priority, int64_t acked_at, long timeout_s, int64_t last);

/* A page that must never be a night page (a `wellbeing` alert, P3):
 * `now` itself when `local_minute` (0-1439, the local minute of `now`)
 * is inside [day_from_min, day_to_min), else the next local
 * day_from_min (whole minutes; across a DST change it may land an hour
 * off, and the caller looks again then). */
int64_t esc_day_time_from(int64_t now, int local_minute, int day_from_min, int day_to_min);

#endif
