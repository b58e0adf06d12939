#define _POSIX_C_SOURCE 200809L
#include "stream.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <microhttpd.h>

#include "app.h"
#include "auth.h"
#include "db_alerts.h"
#include "db_auth.h"
#include "db_pool.h"
#include "log.h"
#include "xalloc.h"

#define STREAM_BATCH 50

struct stream {
	struct stream_hub *hub;
	struct principal who;
	struct MHD_Connection *conn;
	stream_visible_fn visible;
	void *visible_ctx;
	void (*free_ctx)(void *);
	int64_t last_id;      /* highest change id examined */
	int64_t last_write;   /* ms of the last bytes sent */
	bool suspended;       /* guarded by hub->lock */
	bool closing;         /* guarded by hub->lock */
	char *pending;        /* bytes formatted and not yet sent */
	size_t pending_len, pending_off;
	bool has_token;       /* the bearer token the stream was opened with ... */
	unsigned char token_hash[32]; /* ... as stored: checked again on every wake */
	int64_t scope_stamp;  /* the owner's staff updated_at at open: a change ends the stream */
	struct stream *next;  /* hub list, guarded by hub->lock */
};

struct stream_hub {
	struct app *app;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct stream *streams;
	int64_t latest;
	bool stop;
	pthread_t heartbeat;
};

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Resumes a suspended stream. Caller holds hub->lock. */
static void wake_locked(struct stream *s)
{
	if (s->suspended) {
		s->suspended = false;
		MHD_resume_connection(s->conn);
	}
}

static void *heartbeat_main(void *arg)
{
	struct stream_hub *hub = arg;
	pthread_mutex_lock(&hub->lock);
	while (!hub->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&hub->wake, &hub->lock, &until);
		int64_t now = mono_ms();
		for (struct stream *s = hub->streams; s; s = s->next)
			if (now - s->last_write >= STREAM_HEARTBEAT_MS)
				wake_locked(s);
	}
	pthread_mutex_unlock(&hub->lock);
	return NULL;
}

struct stream_hub *stream_hub_new(struct app *app, int64_t latest_change)
{
	struct stream_hub *hub = xcalloc(1, sizeof(*hub));
	hub->app = app;
	hub->latest = latest_change;
	pthread_mutex_init(&hub->lock, NULL);
	pthread_cond_init(&hub->wake, NULL);
	if (pthread_create(&hub->heartbeat, NULL, heartbeat_main, hub) != 0) {
		log_error("stream", "cannot start the heartbeat thread");
		abort();
	}
	return hub;
}

void stream_shutdown_all(struct stream_hub *hub)
{
	if (!hub)
		return;
	pthread_mutex_lock(&hub->lock);
	for (struct stream *s = hub->streams; s; s = s->next) {
		s->closing = true;
		wake_locked(s);
	}
	pthread_mutex_unlock(&hub->lock);
}

void stream_hub_free(struct stream_hub *hub)
{
	if (!hub)
		return;
	pthread_mutex_lock(&hub->lock);
	hub->stop = true;
	pthread_cond_broadcast(&hub->wake);
	pthread_mutex_unlock(&hub->lock);
	pthread_join(hub->heartbeat, NULL);
	pthread_mutex_destroy(&hub->lock);
	pthread_cond_destroy(&hub->wake);
	free(hub);
}

void stream_hub_notify(struct stream_hub *hub, int64_t change_id)
{
	if (!hub)
		return;
	pthread_mutex_lock(&hub->lock);
	if (change_id > hub->latest)
		hub->latest = change_id;
	for (struct stream *s = hub->streams; s; s = s->next)
		wake_locked(s);
	pthread_mutex_unlock(&hub->lock);
}

struct stream *stream_open(struct stream_hub *hub, const struct principal *who, int64_t after_id,
                           stream_visible_fn visible, void *visible_ctx,
                           void (*free_ctx)(void *))
{
	struct stream *s = xcalloc(1, sizeof(*s));
	s->hub = hub;
	s->who = *who;
	s->visible = visible;
	s->visible_ctx = visible_ctx;
	s->free_ctx = free_ctx;
	s->last_id = after_id;
	s->last_write = mono_ms();
	/* Tell EventSource clients how soon to reconnect. */
	s->pending = xstrdup("retry: 3000\n\n");
	s->pending_len = strlen(s->pending);
	return s;
}

static void append(struct stream *s, const char *text, size_t len)
{
	char *grown = xrealloc(s->pending, s->pending_len + len + 1);
	s->pending = grown;
	memcpy(s->pending + s->pending_len, text, len);
	s->pending_len += len;
	s->pending[s->pending_len] = '\0';
}

/* Formats the visible changes after s->last_id into s->pending. */
static void fetch(struct stream *s)
{
	struct app *app = s->hub->app;
	struct db *db = db_pool_acquire(app->pool);
	struct db_alert_change changes[STREAM_BATCH];
	size_t n = 0;
	enum cn_err rc = db_alert_changes_after(db, s->last_id, STREAM_BATCH, changes, &n);
	db_pool_release(app->pool, db);
	if (rc != CN_OK) {
		log_warn("stream", "cannot read alert changes: %s", cn_strerror(rc));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct db_alert_change *c = &changes[i];
		s->last_id = c->id;
		if (s->visible(&s->who, s->visible_ctx, c->site_id, c->resident_id)) {
			char *data = json_dumps(c->payload, JSON_COMPACT);
			char head[96];
			int hl = snprintf(head, sizeof(head), "id: %lld\nevent: %s\ndata: ",
			                  (long long)c->id, c->event);
			append(s, head, (size_t)hl);
			if (data)
				append(s, data, strlen(data));
			append(s, "\n\n", 2);
			free(data);
		}
		json_decref(c->payload);
	}
}

/* False once the stream's token is revoked or expired or its owner
 * deactivated: the stream then ends. A failed read keeps it open. */
static bool token_still_valid(struct stream *s)
{
	if (!s->has_token)
		return true;
	struct app *app = s->hub->app;
	struct db *db = db_pool_acquire(app->pool);
	struct db_token_owner owner;
	enum cn_err rc = db_auth_token_owner(db, s->token_hash, wall_ms(), &owner);
	db_pool_release(app->pool, db);
	if (rc == CN_OK && s->scope_stamp == 0)
		s->scope_stamp = owner.updated_at; /* the first check, at open */
	/* The owner's record changed (site, role, linked residents): the scope
	 * the stream was opened with may be wrong now. The client reconnects
	 * and gets the current one. */
	if (rc == CN_OK && owner.updated_at != s->scope_stamp)
		return false;
	return rc != CN_ERR_NOT_FOUND;
}

size_t stream_hub_count_user(struct stream_hub *hub, const char *staff_id)
{
	size_t n = 0;
	pthread_mutex_lock(&hub->lock);
	for (struct stream *s = hub->streams; s; s = s->next)
		if (strcmp(s->who.id, staff_id) == 0)
			n++;
	pthread_mutex_unlock(&hub->lock);
	return n;
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct stream *s = cls;
	struct stream_hub *hub = s->hub;
	for (;;) {
		if (s->pending_off < s->pending_len) {
			size_t n = s->pending_len - s->pending_off;
			if (n > max)
				n = max;
			memcpy(buf, s->pending + s->pending_off, n);
			s->pending_off += n;
			if (s->pending_off == s->pending_len) {
				s->pending_off = s->pending_len = 0;
			}
			s->last_write = mono_ms();
			return (ssize_t)n;
		}
		pthread_mutex_lock(&hub->lock);
		bool closing = s->closing || hub->stop;
		bool more = hub->latest > s->last_id;
		bool heartbeat = mono_ms() - s->last_write >= STREAM_HEARTBEAT_MS;
		if (!closing && !more && !heartbeat) {
			/* Nothing to say: park the connection until notify() or the
			 * heartbeat thread resumes it. Checked under the lock, so a
			 * change committed meanwhile cannot be missed. */
			s->suspended = true;
			MHD_suspend_connection(s->conn);
			pthread_mutex_unlock(&hub->lock);
			return 0;
		}
		pthread_mutex_unlock(&hub->lock);
		if (closing || !token_still_valid(s))
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (more) {
			int64_t before = s->last_id;
			fetch(s);
			if (s->last_id == before)
				heartbeat = true; /* the read failed: keep the client alive */
		}
		if (s->pending_len == 0 && heartbeat) {
			static const char keepalive[] = ": keepalive\n\n"; /* openapi.yaml */
			append(s, keepalive, sizeof(keepalive) - 1);
		}
		/* Otherwise all changes were invisible to this caller: look again. */
	}
}

static void stream_free(void *cls)
{
	struct stream *s = cls;
	struct stream_hub *hub = s->hub;
	pthread_mutex_lock(&hub->lock);
	for (struct stream **p = &hub->streams; *p; p = &(*p)->next) {
		if (*p == s) {
			*p = s->next;
			break;
		}
	}
	pthread_mutex_unlock(&hub->lock);
	if (s->free_ctx)
		s->free_ctx(s->visible_ctx);
	free(s->pending);
	free(s);
}

int stream_respond(struct stream *s, struct MHD_Connection *conn)
{
	s->conn = conn;
	/* The server checked this token before the handler ran. */
	static const char bearer[] = "Bearer ";
	const char *authz =
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (authz && strncasecmp(authz, bearer, sizeof(bearer) - 1) == 0) {
		const char *token = authz + sizeof(bearer) - 1;
		auth_token_hash(token, strlen(token), s->token_hash);
		s->has_token = true;
	}
	token_still_valid(s); /* records the scope stamp */
	struct MHD_Response *resp =
		MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, reader, s, stream_free);
	if (!resp) {
		stream_free(s);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	pthread_mutex_lock(&s->hub->lock);
	s->next = s->hub->streams;
	s->hub->streams = s;
	pthread_mutex_unlock(&s->hub->lock);
	enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}
