/* The HTTP server's edges that need no request state: the listening
 * socket, the TLS files, and the client's address behind trusted proxies.
 * Internal to services/net (http_server.c). */
#ifndef CN_HTTP_LISTEN_H
#define CN_HTTP_LISTEN_H

#include <stddef.h>

#include <microhttpd.h>

struct config;

/* Opens a listening TCP socket on `bind_addr` (an IPv4 or IPv6 literal)
 * and `port`. Returns the descriptor, or -1 with `err` naming the key
 * (http_bind, http_port) and the reason. */
int http_listen_open(const char *bind_addr, long port, char *err, size_t err_size);

/* Reads a whole file (at most 1 MiB) for config key `key`. Returns a
 * NUL-terminated buffer the caller frees, or NULL with `err` set. */
char *http_read_file(const char *path, char *err, size_t err_size, const char *key);

/* The client's address: `ip` holds the peer's on entry; behind a trusted
 * proxy (cfg->http_trusted_proxies) it becomes the rightmost
 * X-Forwarded-For entry that is not itself a trusted proxy. An
 * unparsable entry keeps the proxy's own address. */
void http_client_address(const struct config *cfg, struct MHD_Connection *conn, char *ip,
                         size_t ip_size);

#endif
