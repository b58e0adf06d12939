/* Process counters for GET /metrics (Prometheus text format). Lock-free:
 * every counter is an atomic that any thread may bump. One struct metrics
 * is owned by main and borrowed by each part. */
#ifndef CN_METRICS_H
#define CN_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "alert_kind.h"
#include "channel_msg.h"
#include "reject.h"

#define METRICS_ACK_BUCKETS 8

struct metrics {
	atomic_uint_fast64_t events_ingested;
	atomic_uint_fast64_t events_rejected[CN_REJECT_COUNT];
	atomic_uint_fast64_t events_duplicate;
	/* Messages read and deliberately not stored: Zigbee devices nobody
	 * enrolled (a lamp, a plug on the same network). */
	atomic_uint_fast64_t events_ignored_not_enrolled;
	/* Z2M republishes of an unchanged state: signs of life only. */
	atomic_uint_fast64_t events_ignored_unchanged;
	atomic_uint_fast64_t alerts_raised[AK_COUNT];
	atomic_uint_fast64_t notifications_sent;
	atomic_int mqtt_connected;
	atomic_int leader;                       /* 1 while this node leads */
	atomic_uint_fast64_t http_requests[600]; /* by status code */
	/* Time from raise to acknowledgement, seconds. */
	atomic_uint_fast64_t ack_bucket[METRICS_ACK_BUCKETS + 1];
	atomic_uint_fast64_t ack_sum_ms;
	atomic_uint_fast64_t ack_count;
	atomic_uint_fast64_t ingest_batches;
	atomic_int ingest_queue_depth;
	/* Channel deliveries by kind and outcome (enum metrics_delivery). */
	atomic_uint_fast64_t deliveries[CHK_COUNT][5];
	/* Write transactions the notifier opened (it opens none while
	 * nothing is due). */
	atomic_uint_fast64_t notifier_transactions;
	atomic_uint_fast64_t notifier_rounds; /* its loop's rounds */
};

enum metrics_delivery { MD_QUEUED, MD_SENT, MD_RETRYING, MD_FAILED, MD_MERGED };
/* Counts a delivery reaching `status` on a channel of `kind` (a name). */
void metrics_count_delivery(struct metrics *m, const char *kind, enum metrics_delivery status);

void metrics_init(struct metrics *m);
void metrics_observe_ack(struct metrics *m, int64_t ms);
void metrics_count_http(struct metrics *m, unsigned status);

/* Renders the text exposition; caller frees the result with free(). */
char *metrics_render(struct metrics *m);

#endif
