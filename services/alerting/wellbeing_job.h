/* The wellbeing rule's day-time round (proto/wellbeing.md): finished
 * local days judged against each resident's own 14-day baseline, a P3
 * `wellbeing` alert for the coordinator when a day is far off it. Runs
 * only inside the day-time hours (08:00-20:00 local), so it never pages
 * anyone at night. */
#ifndef CN_WELLBEING_JOB_H
#define CN_WELLBEING_JOB_H

#include <stdint.h>

#include "cn_error.h"
#include "wellbeing.h"

struct app;
struct db;
struct outbox;

/* WELLBEING_DAY_FROM_MIN, WELLBEING_DAY_TO_MIN: care/wellbeing.h. */

/* Judges yesterday (local) for up to a batch of residents without a
 * verdict for it, in one transaction the caller opened; alerts go into
 * `ob`. *judged says how many got a verdict. Nothing outside day-time. */
enum cn_err wellbeing_round(struct app *app, struct db *db, int64_t now, struct outbox *ob,
                            int *judged);

#endif
