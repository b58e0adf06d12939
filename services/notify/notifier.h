/* The notifier thread: sends queued channel deliveries (rows written by
 * the paging transaction, alerting/notify_plan.h) over libcurl's multi
 * interface (net/http_client.h), retries with backoff, keeps each channel
 * under its rate_per_min by merging waiting messages into one, and
 * escalates at once when every delivery of a level failed. Owns its
 * database connection and its transfers; nothing it waits on is on the
 * ingest, ack or MQTT path: it opens a write transaction only when it
 * sends, records or gives something up, and never has one open while a
 * transfer runs (docs/architecture.md, "The notifier and the write lock").
 * Only main.c includes this header, and starts it on the leader only;
 * the after-commit path reaches it through app->wake_notifier. */
#ifndef CN_NOTIFIER_H
#define CN_NOTIFIER_H

#include <stddef.h>

#include "cn_error.h"

struct app;
struct notifier;

/* Opens its own connection and starts the thread. Deliveries queued
 * before a restart are picked up at once. Returns CN_OK with *out set,
 * or an error with `err` filled and *out NULL. */
enum cn_err notifier_start(struct app *app, struct notifier **out, char *err, size_t err_size);
/* Deliveries were queued: look now. Any thread; NULL is a no-op. */
void notifier_wake(struct notifier *n);
/* Stops the thread (transfers in flight are abandoned and stay queued);
 * notifier_wake() stays safe until notifier_free(). NULL is a no-op. */
void notifier_stop(struct notifier *n);
/* Frees a stopped notifier; NULL is a no-op. */
void notifier_free(struct notifier *n);

#endif
