/* The thread that keeps time: escalation deadlines of unacknowledged
 * alerts and the deadlines of the time-window rules. Deadlines live in the
 * database, so after a restart whatever fell due while carenetd was down
 * fires at once and the rest keep their time. It sleeps until the next
 * deadline (or a wake-up), never scanning on a short tick. */
#ifndef CN_SCHEDULER_H
#define CN_SCHEDULER_H

#include <stddef.h>

#include "cn_error.h"

struct app;
struct scheduler;

/* Opens its own connection, re-sends pages that never left, and starts. */
enum cn_err scheduler_start(struct app *app, struct scheduler **out, char *err, size_t err_size);

/* A deadline was added or moved: look again. Any thread. */
void scheduler_wake(struct scheduler *s);

/* Stops and frees; NULL is a no-op. */
void scheduler_stop(struct scheduler *s);

#endif
