/* Server-Sent Events of alert changes (GET /v1/alerts/stream).
 *
 * No thread per client: a stream's connection is suspended in
 * libmicrohttpd while there is nothing to send and resumed by the hub when
 * an alert changes or a 15 s heartbeat falls due. Each stream reads the
 * alert_changes table from its own position, so Last-Event-ID resumes
 * exactly where a client left off. */
#ifndef CN_STREAM_H
#define CN_STREAM_H

#include <stdint.h>

#include "api.h"

struct app;
struct stream_hub;
struct stream;
struct MHD_Connection;

#define STREAM_HEARTBEAT_MS 15000

/* Starts the hub and its heartbeat thread; `latest_change` is the highest
 * alert_changes id at start. Free with stream_hub_free(). */
struct stream_hub *stream_hub_new(struct app *app, int64_t latest_change);
void stream_hub_free(struct stream_hub *hub);

/* Tells the hub that alert_changes up to `change_id` are committed. Any
 * thread; cheap when nobody listens. */
void stream_hub_notify(struct stream_hub *hub, int64_t change_id);

/* Ends every open stream (before the HTTP server stops). */
void stream_shutdown_all(struct stream_hub *hub);

/* A new stream for `who` that starts after change `after_id`. Visible
 * changes are filtered by `visible` (the policy). The returned stream is
 * handed to the server through api_req.stream; the server owns it. */
typedef bool (*stream_visible_fn)(const struct principal *who, void *ctx, const char *site_id,
                                  const char *resident_id);
struct stream *stream_open(struct stream_hub *hub, const struct principal *who, int64_t after_id,
                           stream_visible_fn visible, void *visible_ctx,
                           void (*free_ctx)(void *));

/* Queues the streaming response on `conn` (called by the server). */
int stream_respond(struct stream *s, struct MHD_Connection *conn);

/* Open streams of the staff member `staff_id` (for the per-user cap). */
size_t stream_hub_count_user(struct stream_hub *hub, const char *staff_id);

#endif
