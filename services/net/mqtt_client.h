/* carenetd's one MQTT connection (libmosquitto): fixed client id, a
 * session the broker keeps while we are down (clean session off, QoS 1),
 * reconnect with backoff, `offline` as retained last will and `online`
 * once connected, and subscriptions to every device-side topic. */
#ifndef CN_MQTT_CLIENT_H
#define CN_MQTT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "cn_error.h"

struct config;
struct metrics;
struct mqtt_client;

/* Called on libmosquitto's network thread for every message received.
 * `topic` and `payload` are borrowed for the call only. The callback may
 * block briefly (backpressure): while it does, the broker holds further
 * messages for us. */
typedef void (*mqtt_message_fn)(void *ctx, const char *topic, const void *payload, size_t len);

/* Creates the client with its settings (will, credentials, TLS) without
 * connecting, so other parts can hold it before messages flow. Fails only
 * on bad settings. */
enum cn_err mqtt_client_new(const struct config *cfg, struct metrics *metrics,
                            struct mqtt_client **out, char *err, size_t err_size);

/* Sets where received messages go and starts connecting in the
 * background; a broker that is not up yet is retried with backoff. */
enum cn_err mqtt_client_start(struct mqtt_client *c, mqtt_message_fn on_message, void *ctx,
                              char *err, size_t err_size);

/* Publishes (thread-safe). QoS 1 messages are queued by libmosquitto
 * while disconnected and sent on reconnect. */
enum cn_err mqtt_publish(struct mqtt_client *c, const char *topic, const void *payload, size_t len,
                         int qos, bool retain);

bool mqtt_connected(const struct mqtt_client *c);

/* Stops reading: no further message is received (and so none is
 * acknowledged at the MQTT level and then lost). Publishing still works;
 * the broker keeps our session and queues for us while we are down. */
void mqtt_client_stop_reading(struct mqtt_client *c);

/* Stops reading if not yet done, writes out what is queued and the
 * retained `offline` status (at most `wait_ms`), disconnects and frees.
 * NULL is a no-op. */
void mqtt_client_stop(struct mqtt_client *c, int wait_ms);

#endif
