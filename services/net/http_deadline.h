/* The header deadline: a connection must finish its request line and
 * headers within http_header_timeout_s of opening (or of its previous
 * request ending, on keep-alive), however slowly it trickles them.
 *
 * libmicrohttpd calls the request handler only once the headers are
 * complete, and its idle timeout restarts with every byte, so a client
 * that sends one header byte every few seconds would hold a connection
 * for ever. This module tracks each connection from MHD's connection
 * notification and shuts down the socket of one that is late (MHD still
 * owns and closes the descriptor). */
#ifndef CN_HTTP_DEADLINE_H
#define CN_HTTP_DEADLINE_H

#include <stdbool.h>
#include <stdint.h>

#include <microhttpd.h>

#include "cn_error.h"

struct http_deadlines;

/* Starts the sweeper thread (one check a second). timeout_ms > 0.
 * Returns CN_OK, or CN_ERR_IO when the thread cannot start. Free with
 * http_deadlines_stop() after MHD has stopped. */
enum cn_err http_deadlines_start(int64_t timeout_ms, struct http_deadlines **out);
/* Stops the sweeper and frees what is left; NULL is a no-op. */
void http_deadlines_stop(struct http_deadlines *d);

/* MHD_OPTION_NOTIFY_CONNECTION callback; cls is the struct http_deadlines. */
void http_deadlines_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                           enum MHD_ConnectionNotificationCode toe);

/* The headers of a request on `conn` are complete: the deadline no longer
 * applies until the request ends. */
void http_deadlines_headers_done(struct MHD_Connection *conn);
/* The request on `conn` ended: a kept-alive connection has a new deadline
 * for its next request's headers. */
void http_deadlines_request_done(struct MHD_Connection *conn);

#endif
