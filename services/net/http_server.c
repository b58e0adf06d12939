#define _POSIX_C_SOURCE 200809L
#include "http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api.h"
#include "app.h"
#include "auth.h"
#include "config.h"
#include "console_files.h"
#include "db_pool.h"
#include "http_deadline.h"
#include "http_listen.h"
#include "log.h"
#include "metrics.h"
#include "query_params.h"
#include "stream.h"
#include "xalloc.h"

struct http_server {
	struct app *app;
	const struct route *routes;
	size_t n_routes;
	struct MHD_Daemon *mhd;
	int listen_fd;
	char *tls_cert, *tls_key;         /* file contents, kept while MHD runs */
	struct http_deadlines *deadlines; /* headers within http_header_timeout_s */
};

/* Per-connection request state, from the first call of the access
 * handler to the completion callback. */
struct request_state {
	char *body;
	size_t len, cap;
	bool too_large;
	size_t max;      /* the body's bound: HTTP_BODY_MAX, or HTTP_UPLOAD_MAX for API_UPLOAD */
	size_t drained;  /* bytes of an oversized chunked body read and dropped */
	int64_t started; /* ms (monotonic) when the headers were complete */
};

/* A chunked body (no Content-Length) that grows past HTTP_BODY_MAX is read
 * on and dropped, so that the client gets its 413 at the end; past this
 * many bytes the connection is closed instead (MHD 0.9.75 cannot queue a
 * reply in the middle of an upload, and a client could stream for ever). */
#define HTTP_DRAIN_MAX (1024 * 1024)

/* ---- connection budgets (issue 12) ----
 * One address or one token must not take the API from the others: MHD
 * caps connections per address (http_per_ip_connections); a request body
 * must keep an average rate (http_min_body_rate) once it is older than
 * HTTP_BODY_GRACE_MS, so a body trickled a byte at a time is cut; SSE
 * streams per user are capped in the alerts stream handler. */
#define HTTP_BODY_GRACE_MS 5000

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* True when `len` bytes received over `elapsed_ms` are too slow. */
static bool body_too_slow(size_t len, int64_t elapsed_ms, long min_rate)
{
	if (elapsed_ms <= HTTP_BODY_GRACE_MS)
		return false;
	return (int64_t)len * 1000 < (int64_t)min_rate * (elapsed_ms - HTTP_BODY_GRACE_MS);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *query_lookup(void *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
}

static const char *header_lookup(void *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/* ---- the wire ---- */

/* The request's Origin when http_cors_origins lists it exactly, else
 * NULL: then no CORS header is sent at all. */
static const char *cors_origin(const struct http_server *srv, struct MHD_Connection *conn)
{
	const char *list = srv->app->cfg->http_cors_origins;
	const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	if (!list || !*list || !origin || !*origin)
		return NULL;
	size_t n = strlen(origin);
	for (const char *p = list; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *end = p;
		while (*end && *end != ',' && *end != ' ')
			end++;
		if ((size_t)(end - p) == n && strncmp(p, origin, n) == 0)
			return origin;
		p = end;
	}
	return NULL;
}

static void add_cors(struct http_server *srv, struct MHD_Connection *conn,
                     struct MHD_Response *resp, bool preflight)
{
	const char *origin = cors_origin(srv, conn);
	if (!origin)
		return;
	MHD_add_response_header(resp, "Access-Control-Allow-Origin", origin);
	MHD_add_response_header(resp, "Vary", "Origin");
	if (preflight) {
		MHD_add_response_header(resp, "Access-Control-Allow-Methods",
		                        "GET, HEAD, POST, PUT, PATCH, DELETE");
		MHD_add_response_header(resp, "Access-Control-Allow-Headers",
		                        "Authorization, Content-Type");
		MHD_add_response_header(resp, "Access-Control-Max-Age", "600");
	} else {
		MHD_add_response_header(resp, "Access-Control-Expose-Headers", "Retry-After");
	}
}

static enum MHD_Result send_reply(struct http_server *srv, struct MHD_Connection *conn,
                                  struct api_req *r)
{
	char *buf = NULL;
	size_t len = 0;
	const char *type = "application/json";
	if (r->out) {
		buf = json_dumps(r->out, JSON_COMPACT | JSON_REAL_PRECISION(10));
		len = buf ? strlen(buf) : 0;
	} else if (r->out_text) {
		buf = r->out_text;
		r->out_text = NULL;
		len = r->out_len ? r->out_len : strlen(buf);
		type = r->out_type ? r->out_type : "text/plain; charset=utf-8";
	}
	struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback(
		len, buf ? buf : xstrdup(""), free);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	add_cors(srv, conn, resp, r->preflight);
	if (r->status == 405 && r->match && r->match->allow[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->match->allow);
	if (r->status == 401)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	if (r->status == 413) /* the rest of the body is not read: the connection can't go on */
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	if (r->retry_after_s > 0) {
		char ra[16];
		snprintf(ra, sizeof(ra), "%d", r->retry_after_s);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	metrics_count_http(srv->app->metrics, (unsigned)r->status);
	return ret;
}

static bool is_json_type(const char *ct)
{
	if (!ct)
		return false;
	static const char want[] = "application/json";
	if (strncasecmp(ct, want, sizeof(want) - 1) != 0)
		return false;
	char next = ct[sizeof(want) - 1];
	return next == '\0' || next == ';' || next == ' ';
}

/* False when the Content-Type names a charset other than UTF-8: the
 * contract's JSON is UTF-8 only. */
static bool is_utf8_charset(const char *ct)
{
	const char *p = ct ? strchr(ct, ';') : NULL;
	while (p) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "charset=", 8) == 0) {
			p += 8;
			if (*p == '"')
				p++;
			return strncasecmp(p, "utf-8", 5) == 0 &&
			       (p[5] == '\0' || p[5] == '"' || p[5] == ';' || p[5] == ' ');
		}
		p = strchr(p, ';');
	}
	return true;
}

/* Parses the body into r->body; on failure sets the error response. */
static bool parse_body(struct api_req *r, struct MHD_Connection *conn, struct request_state *st,
                       unsigned flags)
{
	if (flags & API_UPLOAD) {
		/* The handler checks the type and the bytes themselves. */
		r->raw = (const unsigned char *)st->body;
		r->raw_len = st->len;
		r->raw_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		                                          MHD_HTTP_HEADER_CONTENT_TYPE);
		return true;
	}
	if (st->len == 0)
		return true;
	if (!is_json_type(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	                                              MHD_HTTP_HEADER_CONTENT_TYPE))) {
		api_error(r, CN_ERR_MEDIA_TYPE, "request body must be application/json");
		return false;
	}
	if (!is_utf8_charset(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	                                                 MHD_HTTP_HEADER_CONTENT_TYPE))) {
		api_error(r, CN_ERR_MEDIA_TYPE, "request body must be UTF-8 JSON (charset=utf-8)");
		return false;
	}
	/* jansson reads a NUL outside a string as whitespace; JSON has no
	 * such byte, and the MQTT path refuses it, so REST refuses it too. */
	if (memchr(st->body, '\0', st->len)) {
		api_error(r, CN_ERR_INVALID, "body: invalid JSON: a NUL byte is not allowed");
		return false;
	}
	json_error_t jerr;
	r->body = json_loadb(st->body, st->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!r->body) {
		api_error(r, CN_ERR_INVALID, "body: invalid JSON at line %d column %d: %s",
		          jerr.line, jerr.column, jerr.text);
		return false;
	}
	if (!json_is_object(r->body)) {
		api_error(r, CN_ERR_INVALID, "body: must be a JSON object");
		return false;
	}
	return true;
}

struct unknown_query {
	const char *method, *pattern;
	const char *name; /* the first name the operation does not take */
};

static enum MHD_Result find_unknown_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                          const char *value)
{
	(void)kind;
	(void)value;
	struct unknown_query *uq = cls;
	if (key && !query_params_allowed(uq->method, uq->pattern, key)) {
		uq->name = key;
		return MHD_NO;
	}
	return MHD_YES;
}

/* `who` is the caller's storage for the principal: it outlives the
 * handler call, like r itself. */
static void handle(struct http_server *srv, struct MHD_Connection *conn, const char *url,
                   const char *method, struct request_state *st, struct api_req *r,
                   struct principal *who)
{
	struct route_match *match = xcalloc(1, sizeof(*match));
	r->match = match;
	/* HEAD is served wherever GET is: MHD sends the headers, no body. */
	const char *route_method = strcmp(method, "HEAD") == 0 ? "GET" : method;
	if (strcmp(method, "OPTIONS") == 0 && cors_origin(srv, conn)) {
		/* A CORS preflight from an allowed origin, on any known path. */
		enum route_result pr = router_match(srv->routes, srv->n_routes, "GET", url, match);
		if (pr != ROUTE_NOT_FOUND) {
			r->preflight = true;
			api_reply_text(r, 204, "text/plain; charset=utf-8", xstrdup(""));
			return;
		}
	}
	enum route_result rr = router_match(srv->routes, srv->n_routes, route_method, url, match);
	if (rr == ROUTE_NOT_FOUND) {
		api_error(r, CN_ERR_NOT_FOUND, "no such path: %.200s", url);
		return;
	}
	if (rr == ROUTE_BAD_METHOD) {
		api_error(r, CN_ERR_METHOD, "%s is not allowed here; allowed: %s", method,
		          match->allow);
		return;
	}
	if (st->too_large) {
		api_error(r, CN_ERR_TOO_LARGE, "request body is over %zu bytes", st->max);
		return;
	}
	struct unknown_query uq = {match->route->method, match->route->pattern, NULL};
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, find_unknown_query, &uq);
	if (uq.name) {
		char allowed[256];
		api_error(r, CN_ERR_INVALID, "unknown query parameter: %.64s (allowed here: %s)",
		          uq.name,
		          query_params_list(match->route->method, match->route->pattern, allowed,
		                            sizeof(allowed)));
		return;
	}
	unsigned flags = match->route->flags;
	r->route_arg = match->route->arg;
	if ((flags & API_WRITE) && atomic_load(&srv->app->store_state) == STORE_FULL) {
		/* Keep trying: the flag clears as soon as a write succeeds. */
		api_error(r, CN_ERR_FULL, "storage is full; the change was not made");
		r->retry_after_s = 30;
		return;
	}
	if (!parse_body(r, conn, st, flags))
		return;
	r->db = db_pool_acquire(srv->app->pool);
	if (!(flags & API_PUBLIC)) {
		const char *authz = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		                                                MHD_HTTP_HEADER_AUTHORIZATION);
		enum cn_err rc = auth_bearer(r->db, authz, r->now, who);
		if (rc != CN_OK) {
			api_error(r, rc,
			          rc == CN_ERR_UNAUTHORIZED ? "missing, unknown or expired token"
			                                    : "cannot check the token");
			return;
		}
		r->who = who;
	}
	((api_handler)match->route->handler)(r);
	if (r->status == 0)
		api_error(r, CN_ERR_DB, "handler gave no answer");
}

/* Sends a console file, redirect or error (console_files.h). The file
 * bytes are static: the response borrows them. */
static enum MHD_Result send_console(struct http_server *srv, struct MHD_Connection *conn,
                                    const struct console_reply *cr)
{
	struct MHD_Response *resp;
	if (cr->status == 200)
		resp = MHD_create_response_from_buffer_with_free_callback(
			cr->file->len, (void *)cr->file->data, NULL);
	else
		resp = MHD_create_response_from_buffer_with_free_callback(
			cr->text ? strlen(cr->text) : 0, (void *)(cr->text ? cr->text : ""), NULL);
	if (!resp)
		return MHD_NO;
	if (cr->file) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, cr->file->type);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, cr->file->etag);
	} else {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		                        "text/plain; charset=utf-8");
	}
	if (cr->location)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, cr->location);
	if (cr->status == 405)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	MHD_add_response_header(resp, "Cache-Control", CONSOLE_CACHE_CONTROL);
	MHD_add_response_header(resp, "Content-Security-Policy", CONSOLE_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)cr->status, resp);
	MHD_destroy_response(resp);
	metrics_count_http(srv->app->metrics, (unsigned)cr->status);
	return ret;
}

/* Answers 413 at once, without the body: queued while MHD has read only
 * the headers, it sends the answer and closes instead of reading on. */
static enum MHD_Result refuse_too_large(struct http_server *srv, struct MHD_Connection *conn,
                                        const char *method, const char *url, size_t max)
{
	struct api_req r;
	memset(&r, 0, sizeof(r));
	r.app = srv->app;
	r.method = method;
	r.path = url;
	api_error(&r, CN_ERR_TOO_LARGE, "request body is over %zu bytes", max);
	enum MHD_Result ret = send_reply(srv, conn, &r);
	json_decref(r.out);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	(void)version;
	struct http_server *srv = cls;
	struct request_state *st = *con_cls;
	if (!st) {
		st = xcalloc(1, sizeof(*st));
		st->started = mono_ms();
		*con_cls = st;
		http_deadlines_headers_done(conn);
		/* Only an upload route (a photo) takes more than HTTP_BODY_MAX. */
		st->max = HTTP_BODY_MAX;
		struct route_match *m = xcalloc(1, sizeof(*m));
		if (router_match(srv->routes, srv->n_routes, method, url, m) == ROUTE_OK &&
		    (m->route->flags & API_UPLOAD))
			st->max = HTTP_UPLOAD_MAX;
		free(m);
		/* Refuse an announced oversized body before reading any of it. */
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		                                             MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl) {
			char *end = NULL;
			errno = 0;
			long long n = strtoll(cl, &end, 10);
			if (errno || end == cl || n < 0 || (unsigned long long)n > st->max) {
				st->too_large = true;
				return refuse_too_large(srv, conn, method, url, st->max);
			}
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (body_too_slow(st->len + st->drained + n, mono_ms() - st->started,
		                  srv->app->cfg->http_min_body_rate)) {
			log_debug("http", "%s %.200s: body slower than %ld bytes/s; closing",
			          method, url, srv->app->cfg->http_min_body_rate);
			return MHD_NO;
		}
		if (!st->too_large && st->len + n > st->max) {
			st->too_large = true; /* answered with 413 when the body ends */
			st->drained = st->len;
			free(st->body);
			st->body = NULL;
			st->len = st->cap = 0;
		}
		if (st->too_large) {
			st->drained += n;
			if (st->drained > HTTP_DRAIN_MAX) {
				log_debug("http", "%s %.200s: chunked body over %d bytes; closing",
				          method, url, HTTP_DRAIN_MAX);
				return MHD_NO;
			}
			return MHD_YES;
		}
		if (st->len + n > st->cap) {
			size_t cap = st->cap ? st->cap : 1024;
			while (cap < st->len + n)
				cap *= 2;
			char *grown = xrealloc(st->body, cap);
			st->body = grown;
			st->cap = cap;
		}
		memcpy(st->body + st->len, upload_data, n);
		st->len += n;
		return MHD_YES;
	}

	struct console_reply cr;
	if (!st->too_large &&
	    console_route(method, url,
	                  MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	                                              MHD_HTTP_HEADER_IF_NONE_MATCH),
	                  &cr))
		return send_console(srv, conn, &cr);

	struct api_req r;
	memset(&r, 0, sizeof(r));
	r.app = srv->app;
	r.method = method;
	r.path = url;
	r.now = now_ms();
	r.conn = conn;
	r.query_fn = query_lookup;
	r.header_fn = header_lookup;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char ip[INET6_ADDRSTRLEN] = "?";
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip,
			          sizeof(ip));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ip,
			          sizeof(ip));
	}
	http_client_address(srv->app->cfg, conn, ip, sizeof(ip));
	r.client_ip = ip;

	struct principal who;
	handle(srv, conn, url, method, st, &r, &who);
	enum MHD_Result ret;
	if (r.stream) {
		ret = stream_respond(r.stream, conn);
		metrics_count_http(srv->app->metrics, 200);
	} else {
		ret = send_reply(srv, conn, &r);
	}
	db_pool_release(srv->app->pool, r.db);
	json_decref(r.body);
	json_decref(r.out);
	free(r.out_text);
	free((void *)r.match);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)toe;
	http_deadlines_request_done(conn);
	struct request_state *st = *con_cls;
	if (st) {
		free(st->body);
		free(st);
		*con_cls = NULL;
	}
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_debug("http", "%s", msg);
}

enum cn_err http_server_start(struct app *app, const struct route *routes, size_t n_routes,
                              struct http_server **out, char *err, size_t err_size)
{
	const struct config *cfg = app->cfg;
	struct http_server *srv = xcalloc(1, sizeof(*srv));
	srv->app = app;
	srv->routes = routes;
	srv->n_routes = n_routes;
	srv->listen_fd = -1;
	*out = NULL;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
	                 MHD_ALLOW_SUSPEND_RESUME;
	if (cfg->http_tls_cert) {
		srv->tls_cert = http_read_file(cfg->http_tls_cert, err, err_size, "http_tls_cert");
		if (!srv->tls_cert)
			goto fail;
		srv->tls_key = http_read_file(cfg->http_tls_key, err, err_size, "http_tls_key");
		if (!srv->tls_key)
			goto fail;
		flags |= MHD_USE_TLS;
	}
	srv->listen_fd = http_listen_open(cfg->http_bind, cfg->http_port, err, err_size);
	if (srv->listen_fd < 0)
		goto fail;
	if (http_deadlines_start((int64_t)cfg->http_header_timeout_s * 1000, &srv->deadlines) !=
	    CN_OK) {
		snprintf(err, err_size, "http: cannot start the header-deadline thread");
		goto fail;
	}
	struct MHD_OptionItem tls_opts[] = {
		{MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert},
		{MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key},
		{MHD_OPTION_END, 0, NULL},
	};
	srv->mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
		MHD_OPTION_LISTEN_SOCKET, srv->listen_fd, MHD_OPTION_THREAD_POOL_SIZE, 2u,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->http_max_connections,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->http_timeout_s,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->http_per_ip_connections,
		/* Request line and headers must fit here: oversized ones get 431. */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024, MHD_OPTION_NOTIFY_COMPLETED,
		on_completed, srv, MHD_OPTION_NOTIFY_CONNECTION, http_deadlines_notify,
		srv->deadlines, MHD_OPTION_ARRAY, srv->tls_cert ? tls_opts : tls_opts + 2,
		MHD_OPTION_END);
	if (!srv->mhd) {
		snprintf(err, err_size, "http: cannot start the HTTP server on %s:%ld%s",
		         cfg->http_bind, cfg->http_port,
		         srv->tls_cert ? " (check the TLS certificate and key)" : "");
		goto fail;
	}
	log_info("http", "listening on %s://%s:%ld", srv->tls_cert ? "https" : "http",
	         cfg->http_bind, cfg->http_port);
	*out = srv;
	return CN_OK;
fail:
	http_server_stop(srv);
	return CN_ERR_IO;
}

void http_server_stop(struct http_server *srv)
{
	if (!srv)
		return;
	if (srv->mhd) {
		stream_shutdown_all(srv->app->hub);
		MHD_stop_daemon(srv->mhd);
	}
	http_deadlines_stop(srv->deadlines);
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	free(srv->tls_cert);
	free(srv->tls_key);
	free(srv);
}
