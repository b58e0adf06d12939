/* Device events and quarantine.
 *
 * On PostgreSQL the writer holds a batch's events back and stores them in
 * one multi-row INSERT (db_held.h): at the commit, or before a statement
 * that reads or changes events. An event is held only when it cannot be a
 * repeat: it has no seq, or its seq is above the highest this device has
 * stored (known per device from one query, then kept up to date here).
 * Anything else is looked up first, as before. The cache is only ever too
 * high (a rolled-back batch, pruned events), which sends an event the slow
 * way, never the wrong way; the one writer is the leader, and a node that
 * loses the lead exits, so no other process stores events meanwhile. If a
 * held event turns out stored already, the flush fails, the cache is
 * dropped and the batch is retried the slow way. */
#define _POSIX_C_SOURCE 200809L
#include "db_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_held.h"
#include "xalloc.h"

/* ---- PostgreSQL: held events ---- */

#define HELD_MAX     512       /* rows in one INSERT at most */
#define HELD_BYTES   (1 << 20) /* and about this many payload bytes */
#define SEQ_KEYS_MAX (1 << 22) /* device keys the seq cache covers */
#define HELD_COLS    10

enum seq_state { SEQ_UNKNOWN = 0, SEQ_NONE, SEQ_MAX };

struct seq_top {
	int64_t max;
	unsigned char state; /* enum seq_state */
};

struct held_row {
	int64_t id, device_key, seq, ts, received_at, alert_id;
	bool has_seq, has_ts;
	int battery;
	char *type, *value; /* owned; value may be NULL */
	unsigned char *raw; /* owned; may be NULL */
	size_t raw_len;
};

struct db_held {
	struct held_row rows[HELD_MAX];
	size_t n;
	size_t bytes; /* of the held payloads */
	/* Flushing now, or looking up a device none of whose events is held:
	 * statements on events need not store the held ones first. */
	bool flushing;
	struct seq_top *top; /* by device key; owned */
	size_t top_cap;
};

struct buf {
	char *p;
	size_t len, cap;
};

static void buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (b->len + n + 1 > cap)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s) { buf_put(b, s, strlen(s)); }

static void buf_int(struct buf *b, bool present, int64_t v)
{
	char num[24];
	if (!present) {
		buf_str(b, "NULL");
		return;
	}
	snprintf(num, sizeof(num), "%lld", (long long)v);
	buf_str(b, num);
}

/* One element of a PostgreSQL array literal: quoted, with " and \
 * escaped, so any text is data. */
static void buf_quoted(struct buf *b, const char *s)
{
	if (!s) {
		buf_str(b, "NULL");
		return;
	}
	buf_put(b, "\"", 1);
	for (const char *q = s; *q; q++) {
		if (*q == '"' || *q == '\\')
			buf_put(b, "\\", 1);
		buf_put(b, q, 1);
	}
	buf_put(b, "\"", 1);
}

/* bytea as an array element: "\\x" and hex. */
static void buf_bytea(struct buf *b, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	if (!p) {
		buf_str(b, "NULL");
		return;
	}
	buf_str(b, "\"\\\\x");
	for (size_t i = 0; i < n; i++) {
		char two[2] = {hex[p[i] >> 4], hex[p[i] & 15]};
		buf_put(b, two, 2);
	}
	buf_put(b, "\"", 1);
}

static void held_clear(struct db_held *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->rows[i].type);
		free(h->rows[i].value);
		free(h->rows[i].raw);
	}
	h->n = 0;
	h->bytes = 0;
}

void db_held_free(struct db_held *h)
{
	if (!h)
		return;
	held_clear(h);
	free(h->top);
	free(h);
}

void db_held_drop(struct db *db)
{
	struct db_held *h = *db_held_slot(db);
	if (h)
		held_clear(h);
}

bool db_held_sql_touches(const char *sql)
{
	static const char *const verbs[] = {"FROM events", "JOIN events", "INTO events",
	                                    "UPDATE events"};
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		size_t n = strlen(verbs[i]);
		for (const char *p = strstr(sql, verbs[i]); p; p = strstr(p + 1, verbs[i])) {
			char after = p[n];
			if (!(after == '_' || (after >= 'a' && after <= 'z') ||
			      (after >= '0' && after <= '9')))
				return true;
		}
	}
	return false;
}

enum cn_err db_held_flush(struct db *db)
{
	static const char sql[] =
		"INSERT INTO events(id, device_key, type, value, seq, ts, received_at, battery,"
		" alert_id, raw) SELECT * FROM unnest(?1::bigint[], ?2::bigint[], ?3::text[],"
		" ?4::text[], ?5::bigint[], ?6::bigint[], ?7::bigint[], ?8::bigint[], ?9::bigint[],"
		" ?10::bytea[]) ON CONFLICT DO NOTHING";
	struct db_held *h = *db_held_slot(db);
	if (!h || h->n == 0 || h->flushing)
		return CN_OK;
	struct buf col[HELD_COLS];
	memset(col, 0, sizeof(col));
	for (size_t c = 0; c < HELD_COLS; c++)
		buf_str(&col[c], "{");
	for (size_t i = 0; i < h->n; i++) {
		const struct held_row *r = &h->rows[i];
		if (i > 0)
			for (size_t c = 0; c < HELD_COLS; c++)
				buf_str(&col[c], ",");
		buf_int(&col[0], true, r->id);
		buf_int(&col[1], true, r->device_key);
		buf_quoted(&col[2], r->type);
		buf_quoted(&col[3], r->value);
		buf_int(&col[4], r->has_seq, r->seq);
		buf_int(&col[5], r->has_ts, r->ts);
		buf_int(&col[6], true, r->received_at);
		buf_int(&col[7], r->battery >= 0, r->battery);
		buf_int(&col[8], r->alert_id > 0, r->alert_id);
		buf_bytea(&col[9], r->raw, r->raw_len);
	}
	for (size_t c = 0; c < HELD_COLS; c++)
		buf_str(&col[c], "}");
	size_t n = h->n;
	h->flushing = true;
	enum cn_err rc = CN_ERR_DB;
	struct db_stmt *st = db_stmt(db, sql);
	if (st) {
		for (size_t c = 0; c < HELD_COLS; c++)
			db_bind_text(st, (int)c + 1, col[c].p);
		rc = db_step_done(st);
	}
	h->flushing = false;
	held_clear(h);
	for (size_t c = 0; c < HELD_COLS; c++)
		free(col[c].p);
	if (rc == CN_OK && db_changes(db) != (int64_t)n) {
		/* A held event was a repeat after all (the cache was wrong): the
		 * batch fails and is retried with every seq looked up. */
		fprintf(stderr,
		        "carenet db: %lld of %zu held events were stored already;"
		        " retrying the batch\n",
		        (long long)((int64_t)n - db_changes(db)), n);
		free(h->top);
		h->top = NULL;
		h->top_cap = 0;
		rc = CN_ERR_CONFLICT;
	}
	return rc;
}

static struct db_held *held_of(struct db *db)
{
	struct db_held **slot = db_held_slot(db);
	if (!*slot)
		*slot = xcalloc(1, sizeof(**slot));
	return *slot;
}

/* The seq cache entry of `key`, grown as needed; NULL beyond SEQ_KEYS_MAX. */
static struct seq_top *seq_top(struct db_held *h, int64_t key)
{
	if (key < 0 || key >= SEQ_KEYS_MAX)
		return NULL;
	if ((size_t)key >= h->top_cap) {
		size_t cap = h->top_cap ? h->top_cap : 1024;
		while (cap <= (size_t)key)
			cap *= 2;
		h->top = xrealloc(h->top, cap * sizeof(*h->top));
		memset(h->top + h->top_cap, 0, (cap - h->top_cap) * sizeof(*h->top));
		h->top_cap = cap;
	}
	return &h->top[key];
}

/* True when `seq` is certainly not stored for the device yet. */
static bool seq_is_new(struct db *db, struct db_held *h, int64_t key, int64_t seq)
{
	static const char sql[] = "SELECT max(seq), count(seq) FROM events WHERE device_key = ?1";
	struct seq_top *t = seq_top(h, key);
	if (!t)
		return false;
	if (t->state == SEQ_UNKNOWN) {
		/* Nothing of this device is held (an event is held only once its
		 * device's entry is known), so the held rows need not go first. */
		h->flushing = true;
		struct db_stmt *st = db_stmt(db, sql);
		if (st) {
			db_bind_int64(st, 1, key);
			if (db_step(st) == DB_ROW) {
				t->state = db_col_int64(st, 1) > 0 ? SEQ_MAX : SEQ_NONE;
				t->max = db_col_int64(st, 0);
			}
			db_reset(st);
		}
		h->flushing = false;
		if (t->state == SEQ_UNKNOWN)
			return false;
	}
	return t->state == SEQ_NONE || seq > t->max;
}

static void seq_stored(struct db_held *h, int64_t key, int64_t seq)
{
	struct seq_top *t = seq_top(h, key);
	if (!t || t->state == SEQ_UNKNOWN)
		return;
	if (t->state == SEQ_NONE || seq > t->max)
		t->max = seq;
	t->state = SEQ_MAX;
}

static char *dup_or_null(const char *s) { return s ? xstrdup(s) : NULL; }

static void hold(struct db_held *h, const struct db_event_new *ev)
{
	struct held_row *r = &h->rows[h->n++];
	memset(r, 0, sizeof(*r));
	r->id = ev->id;
	r->device_key = ev->device_key;
	r->has_seq = ev->has_seq;
	r->seq = ev->seq;
	r->has_ts = ev->has_ts;
	r->ts = ev->ts;
	r->received_at = ev->received_at;
	r->battery = ev->battery;
	r->type = dup_or_null(ev->type);
	r->value = dup_or_null(ev->value_json);
	if (ev->raw && ev->raw_len) {
		r->raw = xmalloc(ev->raw_len);
		memcpy(r->raw, ev->raw, ev->raw_len);
		r->raw_len = ev->raw_len;
		h->bytes += ev->raw_len;
	}
}

bool db_held_set_alert(struct db *db, int64_t event_id, int64_t alert_id)
{
	struct db_held *h = *db_held_slot(db);
	for (size_t i = h ? h->n : 0; i-- > 0;)
		if (h->rows[i].id == event_id) {
			h->rows[i].alert_id = alert_id;
			return true;
		}
	return false;
}

static enum cn_err event_by_seq(struct db *db, int64_t device_key, int64_t seq,
                                struct db_event_prior *out)
{
	static const char sql[] = "SELECT id, alert_id, type, value, received_at FROM events"
				  " WHERE device_key = ?1 AND seq = ?2";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, device_key);
	db_bind_int64(st, 2, seq);
	int rc = db_step(st);
	enum cn_err err = CN_ERR_NOT_FOUND;
	if (rc == DB_ROW) {
		out->event_id = db_col_int64(st, 0);
		out->alert_id = db_col_int64(st, 1);
		const unsigned char *t = db_col_text(st, 2);
		const unsigned char *v = db_col_text(st, 3);
		snprintf(out->type, sizeof(out->type), "%s", t ? (const char *)t : "");
		snprintf(out->value, sizeof(out->value), "%s", v ? (const char *)v : "");
		out->received_at = db_col_int64(st, 4);
		err = CN_OK;
	} else if (rc != DB_DONE) {
		err = db_err(rc);
	}
	db_reset(st);
	return err;
}

/* PostgreSQL: held when it cannot be a repeat; otherwise looked up over
 * every partition (the per-partition unique index cannot see another
 * month), then stored. */
static enum cn_err pg_event_insert(struct db *db, const struct db_event_new *ev, bool *duplicate,
                                   int64_t *event_id, struct db_event_prior *prior)
{
	static const char sql[] =
		"INSERT INTO events(device_key, type, value, seq, ts, received_at, battery, raw, id)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING";
	struct db_held *h = held_of(db);
	if (db_in_txn(db) && (!ev->has_seq || seq_is_new(db, h, ev->device_key, ev->seq))) {
		if (h->n == HELD_MAX || h->bytes >= HELD_BYTES) {
			enum cn_err frc = db_held_flush(db);
			if (frc != CN_OK)
				return frc;
		}
		hold(h, ev);
		if (ev->has_seq)
			seq_stored(h, ev->device_key, ev->seq);
		*event_id = ev->id;
		return CN_OK;
	}
	if (ev->has_seq) {
		enum cn_err err = event_by_seq(db, ev->device_key, ev->seq, prior);
		if (err == CN_OK) {
			*duplicate = true;
			*event_id = prior->event_id;
			return CN_OK;
		}
		if (err != CN_ERR_NOT_FOUND)
			return err;
	}
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, ev->device_key);
	db_bind_text(st, 2, ev->type);
	db_bind_text(st, 3, ev->value_json);
	db_bind_opt_int(st, 4, ev->has_seq, ev->seq);
	db_bind_opt_int(st, 5, ev->has_ts, ev->ts);
	db_bind_int64(st, 6, ev->received_at);
	db_bind_opt_int(st, 7, ev->battery >= 0, ev->battery);
	if (ev->raw && ev->raw_len)
		db_bind_blob(st, 8, ev->raw, (int)ev->raw_len);
	db_bind_int64(st, 9, ev->id);
	enum cn_err rc = db_step_done(st);
	if (rc == CN_OK && db_changes(db) != 1)
		rc = CN_ERR_CONFLICT;
	if (rc == CN_OK) {
		*event_id = ev->id;
		if (ev->has_seq)
			seq_stored(h, ev->device_key, ev->seq);
	}
	return rc;
}

enum cn_err db_event_insert(struct db *db, const struct db_event_new *ev, bool *duplicate,
                            int64_t *event_id, struct db_event_prior *prior)
{
	static const char sql[] =
		"INSERT INTO events(device_key, type, value, seq, ts, received_at, battery, raw, id)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
		" ON CONFLICT(device_key, seq) WHERE seq IS NOT NULL DO NOTHING";
	*duplicate = false;
	if (db_is_pg(db))
		return pg_event_insert(db, ev, duplicate, event_id, prior);
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, ev->device_key);
	db_bind_text(st, 2, ev->type);
	db_bind_text(st, 3, ev->value_json);
	db_bind_opt_int(st, 4, ev->has_seq, ev->seq);
	db_bind_opt_int(st, 5, ev->has_ts, ev->ts);
	db_bind_int64(st, 6, ev->received_at);
	db_bind_opt_int(st, 7, ev->battery >= 0, ev->battery);
	if (ev->raw && ev->raw_len)
		db_bind_blob(st, 8, ev->raw, (int)ev->raw_len);
	db_bind_int64(st, 9, ev->id);
	enum cn_err rc = db_step_done(st);
	if (rc != CN_OK)
		return rc;
	if (db_changes(db) == 1) {
		*event_id = ev->id;
		return CN_OK;
	}
	*duplicate = true;
	enum cn_err err = event_by_seq(db, ev->device_key, ev->seq, prior);
	*event_id = prior->event_id;
	return err;
}

enum cn_err db_quarantine_insert(struct db *db, const char *topic, const void *payload, size_t len,
                                 const char *reason, int64_t now)
{
	static const char sql[] =
		"INSERT INTO quarantine_topics(topic, count, reason, payload, first_at, last_at)"
		" VALUES (?1, 1, ?3, ?2, ?4, ?4)"
		" ON CONFLICT(topic) DO UPDATE SET count = quarantine_topics.count + 1, reason = excluded.reason,"
		" payload = excluded.payload, last_at = excluded.last_at";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	/* The topic may be anything a client sent: stored as bytes-safe text. */
	db_bind_blob(st, 1, topic, (int)strlen(topic));
	if (len)
		db_bind_blob(st, 2, payload, (int)len);
	db_bind_text(st, 3, reason);
	db_bind_int64(st, 4, now);
	return db_step_done(st);
}

enum cn_err db_quarantine_prune(struct db *db, int64_t before, int max_rows, int *deleted)
{
	static const char by_age[] = "DELETE FROM quarantine_topics WHERE last_at < ?1";
	/* Past the row cap, the topics hit longest ago go first. */
	static const char by_count[] =
		"DELETE FROM quarantine_topics WHERE topic NOT IN (SELECT topic FROM quarantine_topics"
		" ORDER BY last_at DESC LIMIT ?1)";
	*deleted = 0;
	struct db_stmt *st = db_stmt(db, by_age);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, before);
	enum cn_err rc = db_step_done(st);
	if (rc != CN_OK)
		return rc;
	*deleted = db_changes(db);
	st = db_stmt(db, by_count);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, max_rows);
	rc = db_step_done(st);
	if (rc == CN_OK)
		*deleted += db_changes(db);
	return rc;
}

enum cn_err db_device_state_get(struct db *db, int64_t device_key, const char *attr, bool *found,
                                int *value, int64_t *changed_at)
{
	static const char sql[] =
		"SELECT value, changed_at FROM device_state WHERE device_key = ?1 AND attr = ?2";
	*found = false;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, device_key);
	db_bind_text(st, 2, attr);
	int rc = db_step(st);
	enum cn_err err = CN_OK;
	if (rc == DB_ROW) {
		*found = true;
		*value = db_col_int(st, 0);
		*changed_at = db_col_int64(st, 1);
	} else if (rc != DB_DONE) {
		err = db_err(rc);
	}
	db_reset(st);
	return err;
}

enum cn_err db_device_state_set(struct db *db, int64_t device_key, const char *attr, int value,
                                int64_t changed_at)
{
	static const char sql[] =
		"INSERT INTO device_state(device_key, attr, value, changed_at) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT(device_key, attr) DO UPDATE SET value = excluded.value,"
		" changed_at = excluded.changed_at";
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, device_key);
	db_bind_text(st, 2, attr);
	db_bind_int64(st, 3, value);
	db_bind_int64(st, 4, changed_at);
	return db_step_done(st);
}

/* PostgreSQL: whole months dropped (carenet_events_maintain, migration
 * 009), the next two months' partitions made ready; `max` does not apply. */
static enum cn_err pg_events_prune(struct db *db, int64_t before, int *deleted)
{
	static const char sql[] =
		"SELECT carenet_events_maintain((extract(epoch FROM now()) * 1000)::bigint, ?1, 2)";
	int64_t n = 0;
	*deleted = 0;
	enum cn_err rc = db_held_flush(db);
	struct db_stmt *st = rc == CN_OK ? db_stmt(db, sql) : NULL;
	if (!st)
		return rc == CN_OK ? CN_ERR_DB : rc;
	/* The months ahead count from the server's clock. */
	db_bind_int64(st, 1, before);
	rc = db_step_int64(st, &n);
	*deleted = n > 0x7fffffff ? 0x7fffffff : (int)n;
	return rc;
}

enum cn_err db_events_prune(struct db *db, int64_t before, int max, int *deleted)
{
	if (db_is_pg(db))
		return pg_events_prune(db, before, deleted);
	static const char sql[] =
		"DELETE FROM events WHERE id IN (SELECT id FROM events WHERE received_at < ?1"
		" ORDER BY id LIMIT ?2)";
	*deleted = 0;
	struct db_stmt *st = db_stmt(db, sql);
	if (!st)
		return CN_ERR_DB;
	db_bind_int64(st, 1, before);
	db_bind_int64(st, 2, max);
	enum cn_err rc = db_step_done(st);
	if (rc == CN_OK)
		*deleted = db_changes(db);
	return rc;
}

enum cn_err db_events_max_id(struct db *db, int64_t *id)
{
	static const char sql[] = "SELECT coalesce(max(id), 0) FROM events";
	static const char ahead[] =
		"SELECT carenet_events_maintain((extract(epoch FROM now()) * 1000)::bigint, NULL, 2)";
	int64_t none = 0;
	enum cn_err rc = db_held_flush(db);
	/* PostgreSQL: the writer starts here, so this month's partition and
	 * the next two's are made ready before it stores anything. */
	if (rc == CN_OK && db_is_pg(db))
		rc = db_query_int64(db, ahead, &none);
	return rc == CN_OK ? db_query_int64(db, sql, id) : rc;
}

int64_t db_events_next_id(int64_t last, int64_t received_at)
{
	int64_t floor = received_at * 1000;
	return last + 1 > floor ? last + 1 : floor;
}
