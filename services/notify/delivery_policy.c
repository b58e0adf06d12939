#include "delivery_policy.h"

int64_t delivery_backoff_ms(int attempts)
{
	int64_t ms = 2000;
	for (int i = 1; i < attempts && ms < DELIVERY_BACKOFF_MAX_MS; i++)
		ms *= 2;
	return ms < DELIVERY_BACKOFF_MAX_MS ? ms : DELIVERY_BACKOFF_MAX_MS;
}

enum delivery_next delivery_decide(const struct delivery_attempt *a, int64_t *retry_at)
{
	bool permanent, ok;
	if (a->smtp) {
		ok = !a->transport && a->status > 0 && a->status < 400;
		/* An SMTP 5xx is the server's final no; 4xx asks us to try later. */
		permanent = !a->transport && a->status >= 500;
	} else {
		ok = !a->transport && a->status >= 200 && a->status <= 299;
		permanent = !a->transport && a->status >= 400 && a->status <= 499;
	}
	if (ok)
		return DN_SENT;
	if (permanent || !a->alert_open)
		return DN_FAILED;
	*retry_at = a->now + delivery_backoff_ms(a->attempts);
	return DN_RETRY;
}

static int in_window(const struct rate_window *w, int64_t now)
{
	int count = 0;
	for (int i = 0; i < w->n; i++)
		if (w->at[i] > now - DELIVERY_RATE_WINDOW_MS)
			count++;
	return count;
}

int rate_free(const struct rate_window *w, int per_min, int64_t now)
{
	if (per_min <= 0)
		return INT32_MAX;
	if (per_min > DELIVERY_RATE_MAX)
		per_min = DELIVERY_RATE_MAX;
	int used = in_window(w, now);
	return used >= per_min ? 0 : per_min - used;
}

int64_t rate_next_free(const struct rate_window *w, int per_min, int64_t now)
{
	if (rate_free(w, per_min, now) > 0)
		return now;
	/* The oldest send in the window leaves it first. */
	int64_t oldest = now;
	for (int i = 0; i < w->n; i++)
		if (w->at[i] > now - DELIVERY_RATE_WINDOW_MS && w->at[i] < oldest)
			oldest = w->at[i];
	return oldest + DELIVERY_RATE_WINDOW_MS;
}

void rate_record(struct rate_window *w, int64_t now)
{
	w->at[w->head] = now;
	w->head = (w->head + 1) % DELIVERY_RATE_MAX;
	if (w->n < DELIVERY_RATE_MAX)
		w->n++;
}
