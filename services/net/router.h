/* A small table-driven router: "/v1/residents/{id}" style patterns, no
 * I/O, no allocation, so it is unit-tested without sockets.
 *
 * Routes are tried in table order; literal segments are written before
 * parameter patterns of the same shape ("/v1/alerts/stream" before
 * "/v1/alerts/{id}"). */
#ifndef CN_ROUTER_H
#define CN_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#define ROUTE_MAX_PARAMS 4
#define ROUTE_PARAM_MAX 128 /* longest path parameter, without the NUL */
#define ROUTE_ALLOW_MAX 64

struct route {
	const char *method;  /* "GET", "POST", "PATCH", "DELETE" */
	const char *pattern; /* "/v1/alerts/{id}/ack" */
	const void *handler; /* opaque to the router */
	unsigned flags;      /* opaque to the router */
	const void *arg;     /* opaque to the router: handed to the handler */
};

enum route_result {
	ROUTE_OK,
	ROUTE_NOT_FOUND,  /* no pattern matches the path: 404 */
	ROUTE_BAD_METHOD, /* a pattern matches, not with this method: 405 */
};

struct route_match {
	const struct route *route; /* borrowed from the table */
	size_t n_params;
	char params[ROUTE_MAX_PARAMS][ROUTE_PARAM_MAX + 1];
	char allow[ROUTE_ALLOW_MAX]; /* "GET, POST" with ROUTE_BAD_METHOD */
};

/* Matches `method` and `path` (no query string). Path parameters must be
 * 1-128 bytes of [A-Za-z0-9._:-]; anything else does not match, so a
 * handler only ever sees a safe id. A trailing slash does not match. */
enum route_result router_match(const struct route *table, size_t n, const char *method,
                               const char *path, struct route_match *m);

#endif
