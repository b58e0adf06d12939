#include "metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Upper bounds of the time-to-acknowledge histogram, seconds: the field
 * measures itself at 60 s and 180 s (care-model.md). */
static const int ack_bounds[METRICS_ACK_BUCKETS] = {10, 30, 60, 120, 180, 300, 900, 3600};

void metrics_init(struct metrics *m) { memset(m, 0, sizeof(*m)); }

void metrics_observe_ack(struct metrics *m, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	int i = 0;
	while (i < METRICS_ACK_BUCKETS && ms > (int64_t)ack_bounds[i] * 1000)
		i++;
	atomic_fetch_add(&m->ack_bucket[i], 1);
	atomic_fetch_add(&m->ack_sum_ms, (uint64_t)ms);
	atomic_fetch_add(&m->ack_count, 1);
}

void metrics_count_http(struct metrics *m, unsigned status)
{
	if (status < 600)
		atomic_fetch_add(&m->http_requests[status], 1);
}

struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct buf *b, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap * 2 + (size_t)n;
		b->p = xrealloc(b->p, b->cap);
	}
}

char *metrics_render(struct metrics *m)
{
	struct buf b = {xmalloc(4096), 0, 4096};
	b.p[0] = '\0';
	put(&b,
	    "# HELP carenet_events_ingested_total Device events stored.\n"
	    "# TYPE carenet_events_ingested_total counter\n"
	    "carenet_events_ingested_total %llu\n",
	    (unsigned long long)atomic_load(&m->events_ingested));
	put(&b,
	    "# HELP carenet_events_duplicate_total Repeated (device, seq) events "
	    "acknowledged again and not stored twice.\n"
	    "# TYPE carenet_events_duplicate_total counter\n"
	    "carenet_events_duplicate_total %llu\n",
	    (unsigned long long)atomic_load(&m->events_duplicate));
	put(&b,
	    "# HELP carenet_events_ignored_total MQTT messages read and deliberately not "
	    "stored: from Zigbee devices nobody enrolled, or a republished unchanged state.\n"
	    "# TYPE carenet_events_ignored_total counter\n"
	    "carenet_events_ignored_total{reason=\"not_enrolled\"} %llu\n"
	    "carenet_events_ignored_total{reason=\"unchanged\"} %llu\n",
	    (unsigned long long)atomic_load(&m->events_ignored_not_enrolled),
	    (unsigned long long)atomic_load(&m->events_ignored_unchanged));
	put(&b, "# HELP carenet_events_rejected_total MQTT messages quarantined, by reason.\n"
	        "# TYPE carenet_events_rejected_total counter\n");
	for (int r = 1; r < CN_REJECT_COUNT; r++)
		put(&b, "carenet_events_rejected_total{reason=\"%s\"} %llu\n",
		    cn_reject_name((enum cn_reject)r),
		    (unsigned long long)atomic_load(&m->events_rejected[r]));
	put(&b, "# HELP carenet_alerts_raised_total Alerts raised, by kind.\n"
	        "# TYPE carenet_alerts_raised_total counter\n");
	for (int k = 0; k < AK_COUNT; k++)
		put(&b, "carenet_alerts_raised_total{kind=\"%s\"} %llu\n",
		    alert_kind_name((enum alert_kind)k),
		    (unsigned long long)atomic_load(&m->alerts_raised[k]));
	put(&b,
	    "# HELP carenet_notifications_sent_total Staff pages published.\n"
	    "# TYPE carenet_notifications_sent_total counter\n"
	    "carenet_notifications_sent_total %llu\n",
	    (unsigned long long)atomic_load(&m->notifications_sent));
	put(&b,
	    "# HELP carenet_leader 1 while this node is the leader (ingest, escalation).\n"
	    "# TYPE carenet_leader gauge\n"
	    "carenet_leader %d\n",
	    atomic_load(&m->leader));
	static const char *const dstatus[5] = {"queued", "sent", "retrying", "failed", "merged"};
	put(&b, "# HELP carenet_deliveries_total Channel deliveries by channel kind and status"
	        " reached (queued, sent, retrying: an attempt failed and another follows,"
	        " failed, merged into another message).\n"
	        "# TYPE carenet_deliveries_total counter\n");
	for (int k = 0; k < CHK_COUNT; k++)
		for (int s = 0; s < 5; s++)
			put(&b, "carenet_deliveries_total{kind=\"%s\",status=\"%s\"} %llu\n",
			    chmsg_kind_name((enum chmsg_kind)k), dstatus[s],
			    (unsigned long long)atomic_load(&m->deliveries[k][s]));
	put(&b,
	    "# HELP carenet_notifier_rounds_total Rounds of the notifier's loop (about one a second"
	    " when idle).\n"
	    "# TYPE carenet_notifier_rounds_total counter\n"
	    "carenet_notifier_rounds_total %llu\n",
	    (unsigned long long)atomic_load(&m->notifier_rounds));
	put(&b,
	    "# HELP carenet_notifier_transactions_total Write transactions the notifier opened"
	    " (to send, record outcomes or escalate; none while nothing is due).\n"
	    "# TYPE carenet_notifier_transactions_total counter\n"
	    "carenet_notifier_transactions_total %llu\n",
	    (unsigned long long)atomic_load(&m->notifier_transactions));
	put(&b,
	    "# HELP carenet_mqtt_connected 1 while connected to the broker.\n"
	    "# TYPE carenet_mqtt_connected gauge\n"
	    "carenet_mqtt_connected %d\n",
	    atomic_load(&m->mqtt_connected));
	put(&b,
	    "# HELP carenet_ingest_queue_depth Messages received and not yet stored.\n"
	    "# TYPE carenet_ingest_queue_depth gauge\n"
	    "carenet_ingest_queue_depth %d\n",
	    atomic_load(&m->ingest_queue_depth));
	put(&b,
	    "# HELP carenet_ingest_batches_total Ingest transactions committed.\n"
	    "# TYPE carenet_ingest_batches_total counter\n"
	    "carenet_ingest_batches_total %llu\n",
	    (unsigned long long)atomic_load(&m->ingest_batches));
	put(&b, "# HELP carenet_http_requests_total HTTP responses, by status code.\n"
	        "# TYPE carenet_http_requests_total counter\n");
	for (unsigned c = 100; c < 600; c++) {
		uint64_t n = atomic_load(&m->http_requests[c]);
		if (n)
			put(&b, "carenet_http_requests_total{code=\"%u\"} %llu\n", c,
			    (unsigned long long)n);
	}
	put(&b, "# HELP carenet_alert_ack_seconds Time from raise to acknowledgement.\n"
	        "# TYPE carenet_alert_ack_seconds histogram\n");
	uint64_t cum = 0;
	for (int i = 0; i < METRICS_ACK_BUCKETS; i++) {
		cum += atomic_load(&m->ack_bucket[i]);
		put(&b, "carenet_alert_ack_seconds_bucket{le=\"%d\"} %llu\n", ack_bounds[i],
		    (unsigned long long)cum);
	}
	cum += atomic_load(&m->ack_bucket[METRICS_ACK_BUCKETS]);
	put(&b, "carenet_alert_ack_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
	put(&b, "carenet_alert_ack_seconds_sum %.3f\n",
	    (double)atomic_load(&m->ack_sum_ms) / 1000.0);
	put(&b, "carenet_alert_ack_seconds_count %llu\n",
	    (unsigned long long)atomic_load(&m->ack_count));
	return b.p;
}

void metrics_count_delivery(struct metrics *m, const char *kind, enum metrics_delivery status)
{
	enum chmsg_kind k;
	if (m && chmsg_kind_from_name(kind, &k) && status >= MD_QUEUED && status <= MD_MERGED)
		atomic_fetch_add(&m->deliveries[k][status], 1);
}
