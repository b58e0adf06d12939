/* What happens to a delivery after an attempt, and how many messages a
 * channel may still send this minute. Pure decisions: the clock and the
 * outcome come in as arguments (contract.md section 4). */
#ifndef CN_DELIVERY_POLICY_H
#define CN_DELIVERY_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#define DELIVERY_BACKOFF_MAX_MS 300000 /* at most every 5 minutes */
#define DELIVERY_RATE_WINDOW_MS 60000
#define DELIVERY_RATE_MAX       1000 /* largest rate_per_min a channel may set */

enum delivery_next { DN_SENT, DN_RETRY, DN_FAILED };

struct delivery_attempt {
	long status;    /* HTTP status or SMTP reply code; 0 when none */
	bool transport; /* no answer: refused, timeout, DNS, TLS */
	bool smtp;
	int attempts;    /* including this one (>= 1) */
	bool alert_open; /* still unacknowledged */
	int64_t now;
};

/* 2xx (SMTP: no error) -> sent; 4xx (SMTP 5xx: permanent) -> failed; 5xx,
 * timeouts and refused connections -> retry after 2, 4, 8 s ... at most
 * 5 minutes, for as long as the alert is open (else failed). *retry_at
 * is set for DN_RETRY. */
enum delivery_next delivery_decide(const struct delivery_attempt *a, int64_t *retry_at);
/* The wait before attempt `attempts` + 1, ms. */
int64_t delivery_backoff_ms(int attempts);

/* A sliding one-minute window of send times of one channel. */
struct rate_window {
	int64_t at[DELIVERY_RATE_MAX];
	int n, head; /* ring of the last n send times */
};
/* How many more messages may leave at `now` under `per_min` (0 = no
 * limit: returns INT32_MAX). */
int rate_free(const struct rate_window *w, int per_min, int64_t now);
/* When the next slot frees (now when one is free). */
int64_t rate_next_free(const struct rate_window *w, int per_min, int64_t now);
void rate_record(struct rate_window *w, int64_t now);

#endif
