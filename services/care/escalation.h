/* The escalation schedule (care-model.md "From an alert to a person") as a
 * pure function: level, priority, step times and the clock in; who to page
 * and when to look again out. alerts.c applies it to the database. */
#ifndef CN_ESCALATION_H
#define CN_ESCALATION_H

#include <stdint.h>

#define ESCALATION_LEVEL_MAX 3

/* Groups a level pages (the same bits as db_alerts.h's DB_PAGE_*). */
#define ESC_PRIMARY 1u
#define ESC_BACKUP 2u
#define ESC_SUPERVISOR 4u
#define ESC_COORDINATORS 8u
#define ESC_ON_DUTY 16u

struct escalation {
	int level;       /* the level now reached */
	unsigned mask;   /* who it pages; 0 = nobody (P4) */
	int64_t next_at; /* when to escalate again; 0 = never */
};

/* The step for an alert of `priority` (1-4) at `level` (-1: just raised)
 * falling due at `now` (ms). steps_s[0..2] are the P1..P3 step times;
 * P4 is listed and never paged. Level 0 pages the primary tier, 1 adds
 * backup, 2 supervisors and the site's coordinators, 3 everyone on duty;
 * after that level 3 repeats every step until someone acknowledges. */
struct escalation escalation_next(int level, int priority, const long steps_s[3], int64_t now);

/* Who `level` pages. */
unsigned escalation_mask(int level);

#endif
