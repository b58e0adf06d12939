/* The HTTP side: libmicrohttpd with bounds on everything a client sends
 * (connections, per-connection memory, idle time, body size), the router,
 * authentication and the JSON body rules shared by all resources. */
#ifndef CN_HTTP_SERVER_H
#define CN_HTTP_SERVER_H

#include <stddef.h>

#include "cn_error.h"
#include "router.h"

struct app;
struct http_server;

#define HTTP_BODY_MAX (64 * 1024) /* larger bodies get 413 */
/* The bound of an API_UPLOAD route's body (a photo: 2 MiB), 413 past it. */
#define HTTP_UPLOAD_MAX (2 * 1024 * 1024)

/* Binds cfg->http_bind:http_port and starts serving `routes` (borrowed,
 * static). On failure `err` says why in one line (port in use, bad
 * address, TLS files unreadable). Stop with http_server_stop(). */
enum cn_err http_server_start(struct app *app, const struct route *routes, size_t n_routes,
                              struct http_server **out, char *err, size_t err_size);

/* Stops accepting, finishes requests in hand, frees. NULL is a no-op. */
void http_server_stop(struct http_server *srv);

#endif
