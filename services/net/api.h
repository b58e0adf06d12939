/* What a REST handler sees: one request, one response, shared helpers.
 * Handlers never touch libmicrohttpd; http_server.c does the wire work. */
#ifndef CN_API_H
#define CN_API_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "cn_error.h"
#include "router.h"

struct app;
struct db;

enum role {
	ROLE_ADMIN,
	ROLE_COORDINATOR,
	ROLE_CAREGIVER,
	ROLE_VOLUNTEER,
	ROLE_FAMILY,
	ROLE_CLINICIAN,
	ROLE_OFFICER,
	ROLE_COUNT
};

#define ID_MAX 64 /* longest id we accept or create, without the NUL */

/* The authenticated caller. */
struct principal {
	char id[ID_MAX + 1];
	char site_id[ID_MAX + 1];   /* empty: no site (admins) */
	char region_id[ID_MAX + 1]; /* an officer's region; empty for other roles */
	enum role role;
};

const char *role_name(enum role role);
bool role_from_name(const char *name, enum role *out);

/* Route flags. */
#define API_PUBLIC 1u /* no token needed */
#define API_STREAM 2u /* the handler sets up a long-lived stream */
#define API_WRITE  4u /* changes data: 503 while storage is full */
#define API_UPLOAD 8u /* a raw body (not JSON) of up to HTTP_UPLOAD_MAX bytes */

struct api_req;
typedef void (*api_handler)(struct api_req *r);

/* Query-string lookup, supplied by the server. */
typedef const char *(*api_query_fn)(void *conn, const char *name);
typedef const char *(*api_header_fn)(void *conn, const char *name);

struct api_req {
	struct app *app;
	struct db *db; /* borrowed from the pool for this request */
	const char *method;
	const char *path;
	const struct route_match *match;
	const void *route_arg;       /* the route's arg (a resource descriptor) */
	json_t *body;                /* parsed JSON body or NULL; owned by the server */
	const struct principal *who; /* NULL on public routes */
	int64_t now;                 /* ms, read once per request */
	const char *client_ip;
	void *conn;
	api_query_fn query_fn;
	api_header_fn header_fn;

	/* The response. Handlers set these through the helpers below. */
	int status;
	json_t *out;          /* owned */
	char *out_text;       /* owned; used when out is NULL */
	const char *out_type; /* content type of out_text */
	int retry_after_s;    /* > 0: send Retry-After */
	bool preflight;       /* a CORS preflight: answer with the allow headers */
	void *stream;         /* API_STREAM handlers: see stream.h */
	/* issue 19. API_UPLOAD routes: the body as sent (owned by the server)
	 * and its Content-Type (borrowed, or NULL). out_len > 0: out_text
	 * holds that many bytes (a binary answer, api_reply_bytes). */
	const unsigned char *raw;
	size_t raw_len;
	const char *raw_type;
	size_t out_len;
};

/* Path parameter i of the matched route (always a safe id). */
const char *api_param(const struct api_req *r, size_t i);
/* Query parameter or NULL. Borrowed, valid during the request. */
const char *api_query(const struct api_req *r, const char *name);
const char *api_header(const struct api_req *r, const char *name);

/* Sets the response to JSON `body` (takes the reference). */
void api_reply(struct api_req *r, int status, json_t *body);
/* Sets the contract's error body; the message is formatted. */
void api_error(struct api_req *r, enum cn_err err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The one 404 for an object: the same bytes whether it does not exist or
 * is out of the caller's scope, so that a 404 never tells existence. */
void api_not_found(struct api_req *r);
/* Sets a text response (takes ownership of `text`). */
void api_reply_text(struct api_req *r, int status, const char *type, char *text);
/* Sets a binary response of `len` bytes (takes ownership of `data`, from
 * malloc); `type` is static. */
void api_reply_bytes(struct api_req *r, int status, const char *type, char *data, size_t len);

#endif
