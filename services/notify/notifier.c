#define _POSIX_C_SOURCE 200809L
#include "notifier.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "ack_link.h"
#include "alerts.h"
#include "app.h"
#include "channel_msg.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "db_alerts.h"
#include "db_deliveries.h"
#include "delivery_policy.h"
#include "http_client.h"
#include "log.h"
#include "metrics.h"
#include "outbox.h"
#include "txn.h"
#include "xalloc.h"

#define DUE_MAX      64 /* deliveries read per round */
#define MERGE_MAX    32 /* alerts one merged message lists */
#define IDLE_WAIT_MS 1000
#define TIMEOUT_MS   5000 /* contract: a receiver has 5 s */
/* The alarm path shares the one write lock: the notifier writes at most
 * once per WRITE_GAP_MS (what is due meanwhile goes in the next
 * transaction together), and while alarms or events wait in the ingest
 * queue it waits too, for at most YIELD_MAX_MS. */
#define WRITE_GAP_MS  50
#define YIELD_STEP_MS 5
#define YIELD_MAX_MS  100

/* One message in flight: the deliveries it carries (more than one when
 * merged). */
struct flight {
	int64_t tag;
	struct db_delivery d[MERGE_MAX];
	size_t n;
	bool used;
};

/* A level of an alert one of whose deliveries failed for good. */
struct failed_level {
	int64_t alert_id;
	int level;
};

struct chan_rate {
	char id[65];
	struct rate_window w;
};

struct notifier {
	struct app *app;
	struct db *db;
	struct httpc *http;
	pthread_t thread;
	atomic_bool stop;
	bool stopped; /* joined (main's thread only) */
	struct flight *flights;
	size_t n_flights;
	struct chan_rate *rates;
	size_t n_rates;
	int64_t next_tag;
	/* Transfers that finished in this round, recorded together. */
	struct httpc_done *done;
	size_t n_done;
	struct failed_level *failed;
	size_t n_failed, cap_failed;
	struct outbox ob;
	char public_url[256];
	int64_t write_after; /* no write transaction before (WRITE_GAP_MS) */
	int64_t yield_since; /* first time a write waited for ingest; 0: none */
	int64_t write_retry; /* a write was put off: look again then; 0: none */
};

/* Whether the notifier may open a write transaction now. If not, when to
 * look again is in n->write_retry. */
static bool may_write(struct notifier *n, int64_t now)
{
	if (now < n->write_after) {
		n->write_retry = n->write_after;
		return false;
	}
	if (atomic_load(&n->app->metrics->ingest_queue_depth) > 0) {
		if (!n->yield_since)
			n->yield_since = now;
		if (now - n->yield_since < YIELD_MAX_MS) {
			n->write_retry = now + YIELD_STEP_MS;
			return false;
		}
	}
	n->yield_since = 0;
	return true;
}

/* A write transaction ended: the next one not before WRITE_GAP_MS. */
static void wrote(struct notifier *n)
{
	atomic_fetch_add(&n->app->metrics->notifier_transactions, 1);
	n->write_after = clock_now_ms() + WRITE_GAP_MS;
}

void notifier_wake(struct notifier *n)
{
	if (n)
		httpc_wakeup(n->http);
}

static struct rate_window *rate_of(struct notifier *n, const char *channel_id)
{
	for (size_t i = 0; i < n->n_rates; i++)
		if (strcmp(n->rates[i].id, channel_id) == 0)
			return &n->rates[i].w;
	struct chan_rate *grown = xrealloc(n->rates, (n->n_rates + 1) * sizeof(*grown));
	n->rates = grown;
	struct chan_rate *r = &n->rates[n->n_rates++];
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", channel_id);
	return &r->w;
}

static bool in_flight(const struct notifier *n, int64_t id)
{
	for (size_t i = 0; i < n->n_flights; i++)
		for (size_t k = 0; n->flights[i].used && k < n->flights[i].n; k++)
			if (n->flights[i].d[k].id == id)
				return true;
	return false;
}

/* What one page of a message needs, kept alive while it is encoded. */
struct page_buf {
	json_t *alert, *card, *contact;
	char locale[16];
	char staff_name[201], staff_phone[41], staff_email[255];
	char ack_url[384];
	struct chmsg_page page;
};

static void page_buf_free(struct page_buf *b)
{
	json_decref(b->alert);
	json_decref(b->card);
	json_decref(b->contact);
}

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Reads what the message says and makes the person's ack link (stored
 * hashed, in the caller's transaction). */
static enum cn_err build_page(struct notifier *n, const struct db_delivery *d, int64_t now,
                              struct page_buf *b)
{
	memset(b, 0, sizeof(*b));
	enum cn_err rc = db_alert_json(n->db, d->alert_id, false, &b->alert);
	if (rc != CN_OK)
		return rc;
	const char *site = jstr(b->alert, "site_id");
	rc = db_resident_card(n->db, jstr(b->alert, "resident_id"), &b->card);
	if (rc == CN_OK)
		rc = db_site_locale(n->db, site, b->locale);
	if (rc == CN_OK && d->staff_id[0])
		rc = db_staff_reach(n->db, d->staff_id, b->staff_name, b->staff_phone,
		                    b->staff_email, NULL);
	if (rc != CN_OK)
		return rc;
	if (d->contact[0])
		b->contact = json_loads(d->contact, 0, NULL);
	char token[ACK_TOKEN_CHARS + 1];
	unsigned char hash[32];
	ack_token_new(token, hash);
	rc = db_ack_token_add(n->db, hash, d->alert_id, d->staff_id, d->contact, b->locale, now,
	                      now + ACK_TOKEN_TTL_MS);
	if (rc == CN_OK)
		rc = db_delivery_set_token(n->db, d->id, hash);
	if (!ack_link_url(n->public_url, token, b->ack_url, sizeof(b->ack_url)))
		b->ack_url[0] = '\0';
	sodium_memzero(token, sizeof(token));
	struct chmsg_page *p = &b->page;
	p->locale = b->locale;
	p->priority = (int)json_integer_value(json_object_get(b->alert, "priority"));
	p->kind = jstr(b->alert, "kind");
	p->alert_id = d->alert_id;
	p->level = d->level;
	p->resident_name = jstr(b->card, "name");
	p->address = jstr(b->card, "address");
	p->phone = jstr(b->card, "phone");
	p->ack_url = b->ack_url;
	p->delivery_id = d->id;
	p->to_staff_id = d->staff_id[0] ? d->staff_id : NULL;
	p->to_contact = b->contact ? jstr(b->contact, "name") : NULL;
	p->to_name = d->staff_id[0] ? b->staff_name : p->to_contact;
	p->to_addr = d->to_addr;
	p->mention_phone =
		d->staff_id[0] ? b->staff_phone : (b->contact ? jstr(b->contact, "phone") : NULL);
	p->alert = b->alert;
	return rc;
}

/* The encoded request of one message. */
struct outgoing {
	struct chmsg_out msg;
	char url[1400];
	char h_delivery[64], h_sig[96];
	bool smtp;
	char rcpt[256];
};

static enum cn_err encode(struct notifier *n, const struct db_channel *ch,
                          const struct chmsg_page *pages, size_t np, int64_t now,
                          struct outgoing *o, char *why, size_t why_size)
{
	memset(o, 0, sizeof(*o));
	enum chmsg_kind kind;
	if (!chmsg_kind_from_name(ch->kind, &kind)) {
		snprintf(why, why_size, "unknown channel kind %s", ch->kind);
		return CN_ERR_INVALID;
	}
	const struct config *cfg = n->app->cfg;
	enum cn_err rc = chmsg_encode(kind, pages, np, ch->secret, now, cfg->smtp_from, &o->msg);
	if (rc != CN_OK) {
		snprintf(why, why_size, "cannot encode the message");
		return rc;
	}
	if (kind == CHK_EMAIL) {
		if (!cfg->smtp_url) {
			snprintf(why, why_size, "smtp_url is not set");
			return CN_ERR_INVALID;
		}
		o->smtp = true;
		snprintf(o->url, sizeof(o->url), "%s", cfg->smtp_url);
		/* The envelope address as SMTP needs it: no line breaks, no brackets. */
		size_t k = 0;
		o->rcpt[k++] = '<';
		for (const char *c = pages[0].to_addr; c && *c && k + 2 < sizeof(o->rcpt); c++)
			if (*c != '\r' && *c != '\n' && *c != '<' && *c != '>')
				o->rcpt[k++] = *c;
		o->rcpt[k++] = '>';
		o->rcpt[k] = '\0';
		return CN_OK;
	}
	if (!ch->url[0]) {
		snprintf(why, why_size, "the channel has no url");
		return CN_ERR_INVALID;
	}
	snprintf(o->url, sizeof(o->url), "%s%s%s", ch->url,
	         o->msg.query ? (strchr(ch->url, '?') ? "&" : "?") : "",
	         o->msg.query ? o->msg.query : "");
	snprintf(o->h_delivery, sizeof(o->h_delivery), "X-CareNet-Delivery: %lld",
	         (long long)pages[0].delivery_id);
	if (o->msg.signature)
		snprintf(o->h_sig, sizeof(o->h_sig), "X-CareNet-Signature: %s", o->msg.signature);
	return CN_OK;
}

/* Gives a group up without sending (no channel, alert taken): in the
 * caller's transaction. */
static enum cn_err give_up(struct notifier *n, const struct db_delivery *d, bool attempted,
                           int64_t now, const char *why)
{
	if (attempted)
		metrics_count_delivery(n->app->metrics, d->kind, MD_FAILED);
	return db_delivery_failed(n->db, d->id, d->attempts, attempted ? now : 0, why);
}

/* Sends deliveries[0..k) of one channel and address as one message
 * (k > 1: a merged listing). Encodes inside the open transaction; the
 * transfer starts after the commit (see dispatch). */
struct prepared {
	struct flight *f;
	struct outgoing o;
	struct db_channel ch;
};

static enum cn_err prepare(struct notifier *n, const struct db_channel *ch,
                           const struct db_delivery *ds, size_t k, int64_t now, struct prepared *pr,
                           bool *ready)
{
	*ready = false;
	struct page_buf *bufs = xcalloc(k, sizeof(*bufs));
	struct chmsg_page *pages = xcalloc(k, sizeof(*pages));
	enum cn_err rc = CN_OK;
	for (size_t i = 0; rc == CN_OK && i < k; i++) {
		rc = build_page(n, &ds[i], now, &bufs[i]);
		pages[i] = bufs[i].page;
	}
	char why[160] = "";
	if (rc == CN_OK) {
		enum cn_err erc = encode(n, ch, pages, k, now, &pr->o, why, sizeof(why));
		if (erc != CN_OK) {
			/* A channel that cannot carry it fails the delivery now. */
			for (size_t i = 0; rc == CN_OK && i < k; i++)
				rc = give_up(n, &ds[i], true, now, why);
			chmsg_out_free(&pr->o.msg);
		} else {
			pr->ch = *ch;
			memcpy(pr->f->d, ds, k * sizeof(*ds));
			pr->f->n = k;
			*ready = true;
		}
	}
	for (size_t i = 0; i < k; i++)
		page_buf_free(&bufs[i]);
	free(bufs);
	free(pages);
	return rc;
}

static void start(struct notifier *n, struct prepared *pr)
{
	struct httpc_req req;
	memset(&req, 0, sizeof(req));
	pr->f->tag = ++n->next_tag;
	pr->f->used = true;
	req.tag = pr->f->tag;
	req.url = pr->o.url;
	req.body = pr->o.msg.body;
	req.len = pr->o.msg.len;
	int h = 0;
	if (pr->o.h_delivery[0])
		req.headers[h++] = pr->o.h_delivery;
	if (pr->o.h_sig[0])
		req.headers[h++] = pr->o.h_sig;
	if (pr->o.smtp) {
		const struct config *cfg = n->app->cfg;
		char from[260];
		snprintf(from, sizeof(from), "<%s>",
		         cfg->smtp_from ? cfg->smtp_from : "carenet@localhost");
		req.mail_from = from;
		req.mail_rcpt = pr->o.rcpt;
		req.username = cfg->smtp_username;
		req.password = cfg->smtp_password;
		if (httpc_add(n->http, &req) != CN_OK)
			pr->f->used = false;
	} else if (httpc_add(n->http, &req) != CN_OK) {
		pr->f->used = false;
	}
	if (!pr->f->used)
		log_warn("notify", "cannot start delivery %lld; it stays queued",
		         (long long)pr->f->d[0].id);
	chmsg_out_free(&pr->o.msg);
}

static bool same_group(const struct db_delivery *a, const struct db_delivery *b)
{
	return strcmp(a->channel_id, b->channel_id) == 0 && strcmp(a->to_addr, b->to_addr) == 0;
}

/* A group of due deliveries: one channel and address, sent together
 * when the channel's budget is short (indices into the due list). */
struct group {
	size_t idx[MERGE_MAX];
	size_t n;
	struct db_channel ch;
	bool found; /* the channel exists */
};

/* Whether a flight slot is free for another message (none claimed by the
 * `np` prepared ones). */
/* A flight whose transfer finished and whose outcome this round records
 * (its deliveries are read by record_one() before dispatch_group() may
 * fill it again, in the same transaction). */
static bool finishing(const struct notifier *n, const struct flight *f)
{
	for (size_t i = 0; i < n->n_done; i++)
		if (n->done[i].tag == f->tag)
			return true;
	return false;
}

static struct flight *free_flight(struct notifier *n, const struct prepared *prep, size_t np)
{
	if (httpc_free_slots(n->http) <= (int)np)
		return NULL;
	for (size_t s = 0; s < n->n_flights; s++) {
		bool claimed = n->flights[s].used && !finishing(n, &n->flights[s]);
		for (size_t q = 0; q < np && !claimed; q++)
			claimed = prep[q].f == &n->flights[s];
		if (!claimed)
			return &n->flights[s];
	}
	return NULL;
}

static int group_rate(const struct group *gr)
{
	enum chmsg_kind kind = CHK_WEBHOOK;
	chmsg_kind_from_name(gr->ch.kind, &kind);
	return gr->ch.rate_per_min > 0 ? gr->ch.rate_per_min : chmsg_default_rate(kind);
}

/* Groups what is due and not in flight, reading outside any transaction.
 * A group needs the write transaction when it gives something up (its
 * channel went) or may send now (budget and a flight slot free); the
 * others wait, and *wake_at says for how long. Returns how many groups
 * need it. */
static size_t plan_groups(struct notifier *n, const struct db_delivery *due, size_t nd, bool *taken,
                          struct group *groups, size_t *ng, int64_t now, int64_t *wake_at,
                          enum cn_err *rc)
{
	size_t work = 0;
	bool slot = free_flight(n, NULL, 0) != NULL;
	*ng = 0;
	for (size_t i = 0; *rc == CN_OK && i < nd; i++) {
		if (taken[i])
			continue;
		struct group *gr = &groups[(*ng)++];
		memset(gr, 0, sizeof(*gr));
		for (size_t j = i; j < nd && gr->n < MERGE_MAX; j++)
			if (!taken[j] && same_group(&due[i], &due[j])) {
				gr->idx[gr->n++] = j;
				taken[j] = true;
			}
		enum cn_err crc = db_channel_get(n->db, due[i].channel_id, &gr->ch);
		if (crc != CN_OK && crc != CN_ERR_NOT_FOUND) {
			*rc = crc;
			break;
		}
		gr->found = crc == CN_OK;
		if (!gr->found || !gr->ch.enabled) {
			work++; /* given up in the transaction */
			continue;
		}
		int per_min = group_rate(gr);
		struct rate_window *w = rate_of(n, gr->ch.id);
		if (rate_free(w, per_min, now) == 0) {
			/* Over the budget: they wait, and leave together at the next
			 * free slot. */
			int64_t at = rate_next_free(w, per_min, now);
			if (!*wake_at || at < *wake_at)
				*wake_at = at;
			gr->n = 0;
			continue;
		}
		if (slot)
			work++;
		else
			gr->n = 0; /* every flight busy: a finished one wakes us */
	}
	return work;
}

/* Inside the transaction: gives up what cannot go and prepares what may
 * (each alone within the budget; what the budget cannot take alone rides
 * in one merged message in its last slot). */
static enum cn_err dispatch_group(struct notifier *n, const struct db_delivery *due,
                                  const struct group *gr, struct prepared *prep, size_t *np,
                                  int64_t now)
{
	struct db_delivery group[MERGE_MAX];
	size_t live = 0;
	enum cn_err rc = CN_OK;
	for (size_t k = 0; rc == CN_OK && k < gr->n; k++) {
		const struct db_delivery *d = &due[gr->idx[k]];
		struct db_alert_row row;
		rc = db_alert_get_row(n->db, d->alert_id, &row);
		if (rc != CN_OK)
			break;
		/* Deliveries of alerts taken meanwhile are not sent. */
		if (strcmp(row.status, "open") != 0)
			rc = give_up(n, d, false, now, "not sent: the alert was acknowledged");
		else if (!gr->found || !gr->ch.enabled)
			rc = give_up(n, d, true, now, "the channel is disabled or removed");
		else
			group[live++] = *d;
	}
	if (rc != CN_OK || live == 0)
		return rc;
	int per_min = group_rate(gr);
	struct rate_window *w = rate_of(n, gr->ch.id);
	int budget = rate_free(w, per_min, now);
	size_t k = 0;
	while (rc == CN_OK && k < live && budget > 0 && *np < n->n_flights) {
		size_t take = 1;
		if (per_min > 0 && budget == 1)
			take = live - k;
		struct flight *f = free_flight(n, prep, *np);
		if (!f)
			break;
		prep[*np].f = f;
		bool ready = false;
		rc = prepare(n, &gr->ch, &group[k], take, now, &prep[*np], &ready);
		if (ready) {
			(*np)++;
			rate_record(w, now);
			budget--;
		}
		k += take;
	}
	return rc;
}

static struct flight *flight_of(struct notifier *n, int64_t tag)
{
	for (size_t i = 0; i < n->n_flights; i++)
		if (n->flights[i].used && n->flights[i].tag == tag)
			return &n->flights[i];
	return NULL;
}

/* Called by httpc_run() for each finished transfer: only noted here, and
 * recorded with the others of the round by run_round(). */
static void on_done(void *ctx, const struct httpc_done *res)
{
	struct notifier *n = ctx;
	if (!flight_of(n, res->tag) || n->n_done >= n->n_flights)
		return;
	n->done[n->n_done++] = *res;
}

/* Remembers that a delivery of `level` failed for good, to see after the
 * round whether every delivery of that level did. */
static void note_failed(struct notifier *n, int64_t alert_id, int level)
{
	for (size_t i = 0; i < n->n_failed; i++)
		if (n->failed[i].alert_id == alert_id && n->failed[i].level == level)
			return;
	if (n->n_failed == n->cap_failed) {
		size_t cap = n->cap_failed ? n->cap_failed * 2 : 16;
		struct failed_level *grown = xrealloc(n->failed, cap * sizeof(*grown));
		n->failed = grown;
		n->cap_failed = cap;
	}
	n->failed[n->n_failed++] = (struct failed_level){alert_id, level};
}

/* The outcome of one finished message, inside run_round()'s
 * transaction. */
static enum cn_err record_one(struct notifier *n, const struct flight *f,
                              const struct httpc_done *res, int64_t now)
{
	enum cn_err rc = CN_OK;
	for (size_t i = 0; rc == CN_OK && i < f->n; i++) {
		const struct db_delivery *d = &f->d[i];
		struct db_alert_row row;
		rc = db_alert_get_row(n->db, d->alert_id, &row);
		if (rc != CN_OK)
			break;
		struct delivery_attempt a = {
			.status = res->status,
			.transport = res->transport,
			.smtp = res->smtp,
			.attempts = d->attempts + 1,
			.alert_open = strcmp(row.status, "open") == 0,
			.now = now,
		};
		int64_t retry_at = 0;
		enum delivery_next next = delivery_decide(&a, &retry_at);
		const char *why = res->error[0] ? res->error : "failed";
		if (next == DN_SENT && i == 0) {
			rc = db_delivery_sent(n->db, d->id, a.attempts, now);
			metrics_count_delivery(n->app->metrics, d->kind, MD_SENT);
		} else if (next == DN_SENT) {
			rc = db_delivery_merged(n->db, d->id, f->d[0].id, now);
			metrics_count_delivery(n->app->metrics, d->kind, MD_MERGED);
		} else if (next == DN_RETRY) {
			rc = db_delivery_retry(n->db, d->id, a.attempts, retry_at, why);
			metrics_count_delivery(n->app->metrics, d->kind, MD_RETRYING);
			log_warn("notify",
			         "delivery %lld (%s to %s): %s; attempt %d again in %lld s",
			         (long long)d->id, d->kind,
			         d->to_addr[0] ? d->to_addr : d->channel_id, why, a.attempts + 1,
			         (long long)((retry_at - now) / 1000));
		} else {
			rc = db_delivery_failed(
				n->db, d->id, a.attempts, now,
				a.alert_open ? why : "stopped: the alert was acknowledged");
			metrics_count_delivery(n->app->metrics, d->kind, MD_FAILED);
			log_warn("notify", "delivery %lld (%s to %s) failed: %s", (long long)d->id,
			         d->kind, d->to_addr[0] ? d->to_addr : d->channel_id, why);
			if (a.alert_open)
				note_failed(n, d->alert_id, d->level);
		}
	}
	return rc;
}

/* Whether one of the round's outcomes gives a delivery up for good (a
 * 4xx) while its alert may still be open: then the round may page the
 * next level, and a page commits durably. Decided before the
 * transaction, from the answers alone. */
static bool round_may_escalate(struct notifier *n)
{
	for (size_t i = 0; i < n->n_done; i++) {
		const struct flight *f = flight_of(n, n->done[i].tag);
		for (size_t k = 0; f && k < f->n; k++) {
			struct delivery_attempt a = {
				.status = n->done[i].status,
				.transport = n->done[i].transport,
				.smtp = n->done[i].smtp,
				.attempts = f->d[k].attempts + 1,
				.alert_open = true,
				.now = 0,
			};
			int64_t retry_at = 0;
			if (delivery_decide(&a, &retry_at) == DN_FAILED)
				return true;
		}
	}
	return false;
}

/* A level none of whose messages got through is no reason to wait the
 * step time: the next level is paged now, in the same transaction as the
 * outcome that showed it. */
static enum cn_err escalate_failed_levels(struct notifier *n, int64_t now)
{
	enum cn_err rc = CN_OK;
	for (size_t i = 0; rc == CN_OK && i < n->n_failed; i++) {
		bool all = false;
		rc = db_deliveries_level_failed(n->db, n->failed[i].alert_id, n->failed[i].level,
		                                &all);
		if (rc == CN_OK && all)
			rc = alerts_escalate_failed(n->app, n->db, n->failed[i].alert_id,
			                            n->failed[i].level, now, &n->ob);
	}
	n->n_failed = 0;
	return rc;
}

/* One round, in one write transaction at most: records the outcomes of
 * the transfers that finished (and pages the next level where a level's
 * deliveries all failed), gives up what cannot go, and prepares what may
 * leave now, storing each ack link's hash. What is due is read first,
 * outside any transaction: nothing to record and nothing that can be sent
 * means no transaction at all. The transfers start once it committed;
 * nothing network-bound runs while it is open. The commit is durable
 * when a message leaves (its ack link must outlive a power cut) or the
 * next level may be paged; otherwise synchronous=NORMAL. Returns when to
 * look again (0: nothing known). */
static int64_t run_round(struct notifier *n, int64_t now)
{
	struct db_delivery *due = xcalloc(DUE_MAX, sizeof(*due));
	struct group *groups = xcalloc(DUE_MAX, sizeof(*groups));
	struct prepared *prep = xcalloc(n->n_flights, sizeof(*prep));
	bool *taken = xcalloc(DUE_MAX, sizeof(*taken));
	size_t nd = 0, np = 0, ng = 0, work = 0;
	int64_t wake_at = 0;
	enum cn_err rc = db_deliveries_due(n->db, now, due, DUE_MAX, &nd);
	if (rc == CN_OK && nd > 0) {
		for (size_t i = 0; i < nd; i++)
			taken[i] = in_flight(n, due[i].id);
		work = plan_groups(n, due, nd, taken, groups, &ng, now, &wake_at, &rc);
	}
	if (rc != CN_OK) {
		log_error("notify", "cannot read the due deliveries: %s; retrying",
		          cn_strerror(rc));
		wake_at = now + 1000;
		goto out;
	}
	if ((work == 0 && n->n_done == 0) || !may_write(n, now))
		goto out;
	bool durable = work > 0 || round_may_escalate(n);
	rc = durable ? db_set_synchronous(n->db, true) : CN_OK;
	if (rc == CN_OK)
		rc = db_begin(n->db);
	for (size_t i = 0; rc == CN_OK && i < n->n_done; i++) {
		const struct flight *f = flight_of(n, n->done[i].tag);
		if (f)
			rc = record_one(n, f, &n->done[i], now);
	}
	if (rc == CN_OK)
		rc = escalate_failed_levels(n, now);
	n->n_failed = 0;
	for (size_t i = 0; rc == CN_OK && i < ng; i++)
		rc = dispatch_group(n, due, &groups[i], prep, &np, now);
	struct txn_end t = {.app = n->app, .db = n->db, .ob = &n->ob, .note = true};
	rc = txn_commit(&t, rc);
	wrote(n);
	if (durable && db_set_synchronous(n->db, false) != CN_OK)
		log_warn("notify", "cannot go back to synchronous=NORMAL");
	/* The finished transfers' flights are free again; after a failure
	 * their deliveries stay queued as they were and are tried again. */
	for (size_t i = 0; i < n->n_done; i++) {
		struct flight *f = flight_of(n, n->done[i].tag);
		if (f)
			f->used = false;
	}
	n->n_done = 0;
	if (rc != CN_OK) {
		for (size_t i = 0; i < np; i++)
			chmsg_out_free(&prep[i].o.msg);
		log_error("notify", "cannot record or prepare deliveries: %s; retrying",
		          cn_strerror(rc));
		wake_at = now + 1000;
		goto out;
	}
	for (size_t i = 0; i < np; i++)
		start(n, &prep[i]);
out:
	free(due);
	free(groups);
	free(prep);
	free(taken);
	return wake_at;
}

static void *notifier_main(void *arg)
{
	struct notifier *n = arg;
	while (!atomic_load(&n->stop)) {
		atomic_fetch_add(&n->app->metrics->notifier_rounds, 1);
		int64_t now = clock_now_ms();
		int64_t wake_at = run_round(n, now);
		int64_t next = 0;
		if (db_deliveries_next_due(n->db, now, &next) == CN_OK && next > 0 &&
		    (!wake_at || next < wake_at))
			wake_at = next;
		/* A write put off (may_write): look again then. */
		if (n->write_retry && (!wake_at || n->write_retry < wake_at))
			wake_at = n->write_retry;
		n->write_retry = 0;
		int64_t wait = wake_at ? wake_at - clock_now_ms() : IDLE_WAIT_MS;
		if (wait < 1)
			wait = 1;
		if (wait > IDLE_WAIT_MS)
			wait = IDLE_WAIT_MS;
		httpc_run(n->http, (int)wait, on_done, n);
	}
	return NULL;
}

enum cn_err notifier_start(struct app *app, struct notifier **out, char *err, size_t err_size)
{
	*out = NULL;
	struct notifier *n = xcalloc(1, sizeof(*n));
	n->app = app;
	const struct config *cfg = app->cfg;
	if (cfg->public_url)
		snprintf(n->public_url, sizeof(n->public_url), "%s", cfg->public_url);
	else
		snprintf(n->public_url, sizeof(n->public_url), "http%s://%s:%ld",
		         cfg->http_tls_cert ? "s" : "", cfg->http_bind, cfg->http_port);
	n->n_flights = (size_t)(cfg->notify_max_active > 0 ? cfg->notify_max_active : 16);
	n->flights = xcalloc(n->n_flights, sizeof(*n->flights));
	n->done = xcalloc(n->n_flights, sizeof(*n->done));
	n->http = httpc_new((int)n->n_flights, TIMEOUT_MS);
	outbox_init(&n->ob);
	enum cn_err rc =
		n->http ? db_connect(cfg->db_path, cfg->db_url, &n->db, err, err_size) : CN_ERR_IO;
	/* Its writes are small and many: they must not make the ingest writer
	 * wait for an fsync each. An outcome lost to a power cut means a
	 * re-send with the same delivery_id, which receivers de-duplicate;
	 * what a message carries (its ack link) commits durably (dispatch). */
	if (rc == CN_OK)
		rc = db_set_synchronous(n->db, false);
	if (rc == CN_OK && pthread_create(&n->thread, NULL, notifier_main, n) != 0) {
		snprintf(err, err_size, "notifier: cannot start the thread");
		rc = CN_ERR_IO;
	}
	if (rc != CN_OK) {
		if (!n->http)
			snprintf(err, err_size, "notifier: libcurl has no multi handle");
		db_close(n->db);
		httpc_free(n->http);
		free(n->flights);
		free(n->done);
		free(n);
		return rc;
	}
	*out = n;
	return CN_OK;
}

void notifier_stop(struct notifier *n)
{
	if (!n || n->stopped)
		return;
	atomic_store(&n->stop, true);
	httpc_wakeup(n->http);
	pthread_join(n->thread, NULL);
	n->stopped = true;
}

void notifier_free(struct notifier *n)
{
	if (!n)
		return;
	notifier_stop(n);
	httpc_free(n->http);
	outbox_free(&n->ob);
	db_close(n->db);
	free(n->flights);
	free(n->done);
	free(n->rates);
	free(n->failed);
	free(n);
}
