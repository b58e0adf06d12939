#define _POSIX_C_SOURCE 200809L
#include "ingest.h"
#include "ingest_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ack_sync.h"
#include "alerts.h"
#include "app.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "db_alerts.h"
#include "db_devices.h"
#include "db_events.h"
#include "db_residents.h"
#include "devices.h"
#include "log.h"
#include "metrics.h"
#include "outbox.h"
#include "payload.h"
#include "rules.h"
#include "topic.h"
#include "txn.h"
#include "windows.h"
#include "xalloc.h"

#define SWEEP_MS        1000
#define BATCH_BUDGET_MS 4 /* a batch stops taking messages after this much work */
/* ---- queue ---- */

/* Case-sensitive search of `needle` in the first `len` bytes. */
static bool contains(const unsigned char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (hay[i] == (unsigned char)needle[0] && memcmp(hay + i, needle, n) == 0)
			return true;
	return false;
}

/* Whether a message may carry an alarm, judged from its bytes alone so the
 * MQTT thread stays cheap: every alarm names its type (button, fall,
 * smoke, gas, water_leak) or, from Zigbee2MQTT, an action or fall status.
 * A false positive only costs a place in the fast lane; an alarm that
 * hides its type behind escapes still goes the normal way, just later. */
static bool looks_like_alarm(const unsigned char *p, size_t len)
{
	static const char *const words[] = {"button",   "fall",   "smoke",           "gas",
	                                    "leak",     "action", "carbon_monoxide", "sos",
	                                    "emergency"};
	if (len > 1024)
		return false;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (contains(p, len, words[i]))
			return true;
	return false;
}

static void lane_push(struct lane *l, struct ingest_msg *m)
{
	l->ring[(l->head + l->count) % l->cap] = m;
	l->count++;
}

static struct ingest_msg *lane_pop(struct lane *l)
{
	struct ingest_msg *m = l->ring[l->head];
	l->head = (l->head + 1) % l->cap;
	l->count--;
	return m;
}

void ingest_submit(struct ingest *in, const char *topic, const void *payload, size_t len)
{
	size_t cap = (size_t)in->app->cfg->mqtt_max_payload;
	/* Keep one byte past the cap so the codec can tell "too large", and at
	 * most the cap in quarantine. */
	size_t keep = len > cap ? cap + 1 : len;
	size_t tlen = strnlen(topic, CN_TOPIC_MAX + 2);
	struct ingest_msg *m = xmalloc(sizeof(*m) + tlen + 1 + keep + 1);
	m->received_at = clock_now_ms();
	m->topic = (char *)(m + 1);
	memcpy(m->topic, topic, tlen);
	m->topic[tlen] = '\0';
	m->payload = (unsigned char *)m->topic + tlen + 1;
	if (keep)
		memcpy(m->payload, payload, keep);
	m->payload[keep] = '\0';
	m->len = keep;
	bool urgent = looks_like_alarm(m->payload, m->len);

	pthread_mutex_lock(&in->lock);
	if (urgent && in->urgent.count < in->urgent.cap) {
		lane_push(&in->urgent, m);
		atomic_store(&in->urgent_waiting, (int)in->urgent.count);
	} else {
		while (in->normal.count == in->normal.cap && !in->stop)
			pthread_cond_wait(&in->not_full, &in->lock);
		if (in->normal.count == in->normal.cap) {
			/* Only after stop, which comes after MQTT stopped reading. */
			pthread_mutex_unlock(&in->lock);
			free(m);
			return;
		}
		lane_push(&in->normal, m);
	}
	atomic_store(&in->app->metrics->ingest_queue_depth,
	             (int)(in->normal.count + in->urgent.count));
	pthread_cond_signal(&in->not_empty);
	pthread_mutex_unlock(&in->lock);
}

/* ---- the thread ---- */

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Runs one transaction over the start of `batch` and sets *done to how
 * many messages it took; returns false when it must be tried again
 * (storage full). Group commit keeps throughput, but an alarm never waits
 * behind a long batch: the batch ends right after a message that owes an
 * ack, and after BATCH_BUDGET_MS of work in any case. */
/* Durability. Batches commit with synchronous=NORMAL: committed (and so
 * safe from a crash of carenetd) at once, synced to disk at the next
 * checkpoint, within a second. A batch that owes an alarm ack then
 * publishes its pages, and only once the WAL (and everything before it)
 * is synced does the ack go out: "acknowledged" always means "on disk",
 * while the carer's page does not wait for the fsync. A power cut inside
 * that millisecond can leave a page whose rows are lost; the device,
 * never acknowledged, repeats the alarm and it is raised again. Bulk
 * ingest stops paying an fsync every few milliseconds.
 *
 * On SQLite the sync runs on the ack syncer's thread (ack_sync.h), which
 * takes no lock: this thread goes straight on to the next alarm or batch,
 * and one fsync covers every ack handed over meanwhile. Done here, the
 * fsync (5-40 ms on a busy disk) blocked this thread once per alarm: at
 * 50 presses a second it took most of the thread's time, the queue grew
 * behind it, and when the queue was full MQTT stopped reading, alarms
 * included. Elsewhere (PostgreSQL) a small durable commit here syncs. */
static enum cn_err set_durable(struct ingest *in, bool full)
{
	if (in->sync_full == full)
		return CN_OK;
	enum cn_err rc = db_set_synchronous(in->db, full);
	if (rc == CN_OK)
		in->sync_full = full;
	return rc;
}

static enum cn_err sync_now(struct ingest *in)
{
	enum cn_err rc = set_durable(in, true);
	if (rc == CN_OK)
		rc = db_begin(in->db);
	if (rc == CN_OK)
		rc = db_rewrite_schema_version(in->db);
	if (rc == CN_OK)
		rc = db_commit(in->db);
	return rc;
}

/* txn_end.sync of a batch that owes acks: the commit is synced to disk
 * before the acks leave, then writes go back to the fast mode. */
static enum cn_err sync_acks(void *ctx)
{
	struct ingest *in = ctx;
	if (!in->sync_full && in->acks) {
		ack_sync_hand(in->acks, &in->ob); /* committed: they leave once synced */
		return CN_OK;
	}
	enum cn_err rc = in->sync_full ? CN_OK : sync_now(in);
	if (rc == CN_OK)
		rc = set_durable(in, false);
	return rc;
}

static bool run_batch(struct ingest *in, struct ingest_msg **batch, size_t n, bool do_periodic,
                      bool durable, size_t *done)
{
	int64_t now = clock_now_ms();
	/* While storage is full, every round writes a probe (the schema
	 * version, rewritten as it is) so that a commit proves space is back;
	 * an empty commit would prove nothing. */
	bool probe = atomic_load(&in->app->store_state) == STORE_FULL;
	enum cn_err rc = set_durable(in, durable || probe);
	if (rc == CN_OK)
		rc = db_begin(in->db);
	if (rc == CN_OK && probe)
		rc = db_rewrite_schema_version(in->db);
	if (rc == CN_OK)
		txn_mark_unsent(&in->ob, in->db);
	int64_t started = clock_mono_ms();
	size_t i = 0;
	in->ack_owed = false;
	while (rc == CN_OK && i < n) {
		ingest_handle(in, batch[i++]);
		/* A full disk or an I/O error can end the transaction under us
		 * (SQLite rolls back by itself): then the batch as a whole is
		 * retried rather than half of it landing statement by statement. */
		if (!db_in_txn(in->db))
			rc = CN_ERR_FULL;
		if (in->ack_owed || atomic_load(&in->urgent_waiting) > 0 ||
		    ((i & 31) == 0 && clock_mono_ms() - started >= BATCH_BUDGET_MS))
			break;
	}
	if (rc == CN_OK && do_periodic) {
		ingest_periodic(in, now);
		if (!db_in_txn(in->db))
			rc = CN_ERR_FULL;
	}
	struct txn_end t = {.app = in->app,
	                    .db = in->db,
	                    .ob = &in->ob,
	                    .keep_unsent = true,
	                    .acks = in->ack_owed,
	                    .sync = sync_acks,
	                    .sync_ctx = in,
	                    .note = n > 0 || probe};
	rc = txn_commit(&t, rc);
	if (rc != CN_OK) {
		log_error("ingest", "cannot commit %zu message(s): %s; holding them and retrying",
		          n, cn_strerror(rc));
		return false;
	}
	atomic_fetch_add(&in->app->metrics->ingest_batches, 1);
	*done = i;
	return true;
}

/* Runs `batch[0..n)` in as many transactions as it takes; false when
 * storage failed and we are stopping (what is left is dropped: devices
 * repeat unacknowledged alarms after the restart). */
static bool run_all(struct ingest *in, struct ingest_msg **batch, size_t n, bool do_periodic,
                    bool durable, struct ingest_msg **urgent_buf);

/* Takes every waiting alarm off the fast lane into `buf`. */
static size_t take_urgent(struct ingest *in, struct ingest_msg **buf)
{
	size_t n = 0;
	pthread_mutex_lock(&in->lock);
	while (in->urgent.count > 0)
		buf[n++] = lane_pop(&in->urgent);
	atomic_store(&in->urgent_waiting, 0);
	pthread_mutex_unlock(&in->lock);
	return n;
}

static bool run_all(struct ingest *in, struct ingest_msg **batch, size_t n, bool do_periodic,
                    bool durable, struct ingest_msg **urgent_buf)
{
	/* A full disk must not lose what we hold: retry until it commits (the
	 * broker holds the rest meanwhile), or give up at shutdown. */
	size_t off = 0;
	while (off < n || do_periodic) {
		if (urgent_buf && atomic_load(&in->urgent_waiting) > 0) {
			/* Alarms that arrived meanwhile go before the rest of this
			 * batch. */
			size_t nu = take_urgent(in, urgent_buf);
			bool ok = run_all(in, urgent_buf, nu, false, false, NULL);
			for (size_t i = 0; i < nu; i++)
				free(urgent_buf[i]);
			if (!ok)
				return false;
		}
		size_t done = 0;
		bool ok;
		while (!(ok = run_batch(in, batch + off, n - off, do_periodic, durable, &done))) {
			if (in->stop)
				return false;
			sleep_ms(1000);
		}
		off += done;
		do_periodic = false;
	}
	return true;
}

static void *ingest_main(void *arg)
{
	struct ingest *in = arg;
	struct ingest_msg **batch = xcalloc(INGEST_BATCH_MAX, sizeof(*batch));
	struct ingest_msg **urgent = xcalloc(INGEST_URGENT_MAX, sizeof(*urgent));
	for (;;) {
		pthread_mutex_lock(&in->lock);
		int64_t now = clock_now_ms();
		if (in->normal.count == 0 && in->urgent.count == 0 && !in->stop &&
		    now < in->next_sweep) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			int64_t wait = in->next_sweep - now;
			until.tv_sec += (time_t)(wait / 1000);
			until.tv_nsec += (long)(wait % 1000) * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&in->not_empty, &in->lock, &until);
		}
		size_t nu = 0, n = 0;
		while (in->urgent.count > 0)
			urgent[nu++] = lane_pop(&in->urgent);
		atomic_store(&in->urgent_waiting, 0);
		while (in->normal.count > 0 && n < INGEST_BATCH_MAX)
			batch[n++] = lane_pop(&in->normal);
		bool stopping = in->stop && in->normal.count == 0 && in->urgent.count == 0;
		atomic_store(&in->app->metrics->ingest_queue_depth, (int)in->normal.count);
		pthread_cond_broadcast(&in->not_full);
		pthread_mutex_unlock(&in->lock);

		now = clock_now_ms();
		bool do_periodic = now >= in->next_sweep;
		if (do_periodic)
			in->next_sweep = now + SWEEP_MS;
		bool ok = run_all(in, urgent, nu, false, false, NULL);
		for (size_t i = 0; i < nu; i++)
			free(urgent[i]);
		if (ok)
			run_all(in, batch, n, do_periodic, false, urgent);
		for (size_t i = 0; i < n; i++)
			free(batch[i]);
		if (stopping)
			break;
	}
	/* Write every device's live state back before we go. */
	struct device dirty[256];
	size_t n;
	set_durable(in, true); /* the last commit before exit is synced */
	db_begin(in->db);
	txn_mark_unsent(&in->ob, in->db);
	while ((n = devices_take_dirty(in->app->devices, clock_now_ms(), true, dirty, 256)) > 0)
		for (size_t i = 0; i < n; i++)
			db_devices_store_live(in->db, &dirty[i]);
	db_commit(in->db);
	free(batch);
	free(urgent);
	return NULL;
}

enum cn_err ingest_start(struct app *app, struct ingest **out, char *err, size_t err_size)
{
	struct ingest *in = xcalloc(1, sizeof(*in));
	in->app = app;
	*out = NULL;
	enum cn_err rc = db_connect(app->cfg->db_path, app->cfg->db_url, &in->db, err, err_size);
	if (rc != CN_OK) {
		free(in);
		return rc;
	}
	/* The alarm path never pays for a checkpoint: the scheduler thread
	 * runs them (PASSIVE, not blocking us) every second. */
	db_autocheckpoint(in->db, 0);
	if (db_set_synchronous(in->db, false) != CN_OK) {
		snprintf(err, err_size, "ingest: cannot set the database's sync mode");
		db_close(in->db);
		free(in);
		return CN_ERR_DB;
	}
	if (db_events_max_id(in->db, &in->last_event_id) != CN_OK) {
		snprintf(err, err_size, "ingest: cannot read the event table");
		db_close(in->db);
		free(in);
		return CN_ERR_DB;
	}
	if (db_can_sync_committed(in->db) &&
	    ack_sync_start(app, &in->acks, err, err_size) != CN_OK) {
		db_close(in->db);
		free(in);
		return CN_ERR_IO;
	}
	in->normal.cap = INGEST_QUEUE_MAX;
	in->normal.ring = xcalloc(in->normal.cap, sizeof(*in->normal.ring));
	in->urgent.cap = INGEST_URGENT_MAX;
	in->urgent.ring = xcalloc(in->urgent.cap, sizeof(*in->urgent.ring));
	pthread_mutex_init(&in->lock, NULL);
	pthread_cond_init(&in->not_empty, NULL);
	pthread_cond_init(&in->not_full, NULL);
	in->tcfg.root = app->cfg->topic_root;
	in->z2m_bases = xstrdup(app->cfg->z2m_base);
	for (char *p = in->z2m_bases; p && *p && in->tcfg.z2m_base_count < CN_Z2M_BASES_MAX;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		in->tcfg.z2m_bases[in->tcfg.z2m_base_count++] = p;
		p = comma ? comma + 1 : NULL;
	}
	in->lim.max_bytes = (size_t)app->cfg->mqtt_max_payload;
	outbox_init(&in->ob);
	in->listening_since = clock_now_ms();
	in->next_sweep = in->listening_since + SWEEP_MS;
	in->next_prune = in->listening_since + 60000;
	if (pthread_create(&in->thread, NULL, ingest_main, in) != 0) {
		snprintf(err, err_size, "ingest: cannot start the thread");
		ack_sync_stop(in->acks);
		db_close(in->db);
		free(in->z2m_bases);
		free(in);
		return CN_ERR_IO;
	}
	*out = in;
	return CN_OK;
}

void ingest_stop(struct ingest *in)
{
	if (!in)
		return;
	pthread_mutex_lock(&in->lock);
	in->stop = true;
	pthread_cond_broadcast(&in->not_empty);
	pthread_cond_broadcast(&in->not_full);
	pthread_mutex_unlock(&in->lock);
	pthread_join(in->thread, NULL);
	ack_sync_stop(in->acks); /* the acks still held leave, synced */
	/* Anything left (only when storage failed at shutdown) is freed: the
	 * devices repeat unacknowledged alarms after the restart. */
	while (in->normal.count > 0)
		free(lane_pop(&in->normal));
	while (in->urgent.count > 0)
		free(lane_pop(&in->urgent));
	free(in->normal.ring);
	free(in->urgent.ring);
	outbox_free(&in->ob);
	db_close(in->db);
	pthread_mutex_destroy(&in->lock);
	pthread_cond_destroy(&in->not_empty);
	pthread_cond_destroy(&in->not_full);
	free(in->z2m_bases);
	free(in);
}
