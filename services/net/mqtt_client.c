#define _POSIX_C_SOURCE 200809L
#include "mqtt_client.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mosquitto.h>

#include "config.h"
#include "encode.h"
#include "log.h"
#include "metrics.h"
#include "xalloc.h"

struct mqtt_client {
	const struct config *cfg;
	struct metrics *metrics;
	struct mosquitto *mosq;
	mqtt_message_fn on_message;
	void *ctx;
	atomic_bool connected;
	atomic_bool stop_reading;
	bool thread_running;
	bool have_socket; /* connect_async succeeded; the thread takes it over */
	pthread_t thread;
	char status_topic[128];
};

static void subscribe_all(struct mqtt_client *c)
{
	const struct config *cfg = c->cfg;
	static const char *const kinds[] = {"event", "status", "heartbeat"};
	char topic[256];
	for (size_t i = 0; i < 3; i++) {
		if (!cn_encode_filter_dev(topic, sizeof(topic), cfg->topic_root, kinds[i]))
			continue;
		int rc = mosquitto_subscribe(c->mosq, NULL, topic, 1);
		if (rc != MOSQ_ERR_SUCCESS)
			log_warn("mqtt", "cannot subscribe to %s: %s", topic, mosquitto_strerror(rc));
	}
	/* Every Zigbee2MQTT base: state and availability live under it. */
	const char *p = cfg->z2m_base;
	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int rc = MOSQ_ERR_INVAL;
		if (cn_encode_filter_base(topic, sizeof(topic), p, len))
			rc = mosquitto_subscribe(c->mosq, NULL, topic, 1);
		if (rc != MOSQ_ERR_SUCCESS)
			log_warn("mqtt", "cannot subscribe to %s: %s", topic, mosquitto_strerror(rc));
		p = comma ? comma + 1 : NULL;
	}
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc, int flags, const mosquitto_property *props)
{
	(void)mosq;
	(void)props;
	struct mqtt_client *c = obj;
	if (rc != 0) {
		log_warn("mqtt", "broker refused the connection: %s", mosquitto_connack_string(rc));
		return;
	}
	bool session = (flags & 1) != 0;
	log_info("mqtt", "connected to %s:%ld (session %s)", c->cfg->mqtt_host, c->cfg->mqtt_port,
	         session ? "resumed" : "new");
	/* Subscribing again is harmless with a kept session and needed
	 * without one (a broker restarted without persistence). */
	subscribe_all(c);
	mosquitto_publish(c->mosq, NULL, c->status_topic, 6, cn_encode_service_status(true), 1, true);
	atomic_store(&c->connected, true);
	atomic_store(&c->metrics->mqtt_connected, 1);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc, const mosquitto_property *props)
{
	(void)mosq;
	(void)props;
	struct mqtt_client *c = obj;
	atomic_store(&c->connected, false);
	atomic_store(&c->metrics->mqtt_connected, 0);
	if (rc != 0)
		log_warn("mqtt", "connection to the broker lost (%s); reconnecting",
		         mosquitto_strerror(rc));
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg,
                       const mosquitto_property *props)
{
	(void)mosq;
	(void)props;
	struct mqtt_client *c = obj;
	c->on_message(c->ctx, msg->topic, msg->payload, msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Our own network loop instead of mosquitto_loop_start(): at shutdown we
 * must stop *reading* (libmosquitto acknowledges a message before our
 * callback sees it) while still *writing* the acks and pages in hand. */
static void *net_main(void *arg)
{
	struct mqtt_client *c = arg;
	int backoff_ms = 0;
	bool have_socket = c->have_socket;
	while (!atomic_load(&c->stop_reading)) {
		if (!have_socket) {
			if (backoff_ms) {
				for (int t = 0; t < backoff_ms && !atomic_load(&c->stop_reading); t += 100)
					sleep_ms(100);
				if (atomic_load(&c->stop_reading))
					break;
			}
			int rc = mosquitto_reconnect(c->mosq);
			if (rc != MOSQ_ERR_SUCCESS) {
				backoff_ms = backoff_ms ? (backoff_ms * 2 > 8000 ? 8000 : backoff_ms * 2) : 500;
				continue;
			}
			have_socket = true;
		}
		int rc = mosquitto_loop(c->mosq, 100, 1);
		if (rc != MOSQ_ERR_SUCCESS) {
			have_socket = false;
			if (atomic_exchange(&c->connected, false)) {
				atomic_store(&c->metrics->mqtt_connected, 0);
				log_warn("mqtt", "connection to the broker lost (%s); reconnecting",
				         mosquitto_strerror(rc));
			}
			backoff_ms = 500;
		} else if (atomic_load(&c->connected)) {
			backoff_ms = 0;
		}
	}
	return NULL;
}

enum cn_err mqtt_client_new(const struct config *cfg, struct metrics *metrics,
                            struct mqtt_client **out, char *err, size_t err_size)
{
	*out = NULL;
	mosquitto_lib_init();
	struct mqtt_client *c = xcalloc(1, sizeof(*c));
	c->cfg = cfg;
	c->metrics = metrics;
	cn_encode_topic_service_status(c->status_topic, sizeof(c->status_topic), cfg->topic_root);
	/* clean_session=false: the broker keeps our subscriptions and queues
	 * QoS 1 messages for us while carenetd is down. */
	c->mosq = mosquitto_new(cfg->mqtt_client_id, false, c);
	if (!c->mosq) {
		snprintf(err, err_size, "mqtt: cannot create the client");
		goto fail;
	}
	mosquitto_int_option(c->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	/* An ack or a page is one small packet that must leave now: Nagle's
	 * algorithm would hold it back for up to 40 ms. */
	mosquitto_int_option(c->mosq, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_connect_v5_callback_set(c->mosq, on_connect);
	mosquitto_disconnect_v5_callback_set(c->mosq, on_disconnect);
	mosquitto_message_v5_callback_set(c->mosq, on_message);
	/* Keep the window moderate: an unlimited one stalls under bursts. */
	mosquitto_int_option(c->mosq, MOSQ_OPT_SEND_MAXIMUM, 100);
	mosquitto_max_inflight_messages_set(c->mosq, 100);
	int rc = mosquitto_will_set(c->mosq, c->status_topic, 7, cn_encode_service_status(false), 1, true);
	if (rc != MOSQ_ERR_SUCCESS) {
		snprintf(err, err_size, "mqtt: cannot set the last will: %s", mosquitto_strerror(rc));
		goto fail;
	}
	if (cfg->mqtt_username) {
		rc = mosquitto_username_pw_set(c->mosq, cfg->mqtt_username, cfg->mqtt_password);
		if (rc != MOSQ_ERR_SUCCESS) {
			snprintf(err, err_size, "mqtt_username: %s", mosquitto_strerror(rc));
			goto fail;
		}
	}
	if (cfg->mqtt_cafile) {
		rc = mosquitto_tls_set(c->mosq, cfg->mqtt_cafile, NULL, NULL, NULL, NULL);
		if (rc != MOSQ_ERR_SUCCESS) {
			snprintf(err, err_size, "mqtt_cafile: cannot use %s: %s", cfg->mqtt_cafile,
			         mosquitto_strerror(rc));
			goto fail;
		}
	}
	/* Resolves the host and sets the target; the network thread connects
	 * and reconnects, so a broker that is not up yet is only a warning. */
	*out = c;
	return CN_OK;
fail:
	if (c->mosq)
		mosquitto_destroy(c->mosq);
	free(c);
	mosquitto_lib_cleanup();
	return CN_ERR_INVALID;
}

enum cn_err mqtt_client_start(struct mqtt_client *c, mqtt_message_fn on_msg, void *ctx,
                              char *err, size_t err_size)
{
	const struct config *cfg = c->cfg;
	c->on_message = on_msg;
	c->ctx = ctx;
	int rc;
	rc = mosquitto_connect_async(c->mosq, cfg->mqtt_host, (int)cfg->mqtt_port, 30);
	if (rc == MOSQ_ERR_SUCCESS) {
		c->have_socket = true;
	} else if (rc == MOSQ_ERR_INVAL) {
		snprintf(err, err_size, "mqtt_host: cannot connect to %s:%ld: %s", cfg->mqtt_host,
		         cfg->mqtt_port, mosquitto_strerror(rc));
		return CN_ERR_INVALID;
	} else {
		log_warn("mqtt", "broker %s:%ld not reachable yet; retrying in the background",
		         cfg->mqtt_host, cfg->mqtt_port);
	}
	if (pthread_create(&c->thread, NULL, net_main, c) != 0) {
		snprintf(err, err_size, "mqtt: cannot start the network thread");
		return CN_ERR_INVALID;
	}
	c->thread_running = true;
	return CN_OK;
}

enum cn_err mqtt_publish(struct mqtt_client *c, const char *topic, const void *payload, size_t len,
                         int qos, bool retain)
{
	int rc = mosquitto_publish(c->mosq, NULL, topic, (int)len, payload, qos, retain);
	if (rc == MOSQ_ERR_NO_CONN) {
		/* Queued by libmosquitto for the reconnect; not an error for QoS 1. */
		return qos > 0 ? CN_OK : CN_ERR_UNAVAILABLE;
	}
	if (rc != MOSQ_ERR_SUCCESS) {
		log_warn("mqtt", "publish to %s failed: %s", topic, mosquitto_strerror(rc));
		return CN_ERR_UNAVAILABLE;
	}
	return CN_OK;
}

bool mqtt_connected(const struct mqtt_client *c) { return c && atomic_load(&c->connected); }

void mqtt_client_stop_reading(struct mqtt_client *c)
{
	if (!c || !c->thread_running)
		return;
	atomic_store(&c->stop_reading, true);
	pthread_join(c->thread, NULL);
	c->thread_running = false;
}

void mqtt_client_stop(struct mqtt_client *c, int wait_ms)
{
	if (!c)
		return;
	mqtt_client_stop_reading(c);
	if (atomic_load(&c->connected)) {
		mosquitto_publish(c->mosq, NULL, c->status_topic, 7, cn_encode_service_status(false), 1, true);
		/* Write out the acks and pages already handed over, then the
		 * offline status; nothing more is read. */
		for (int waited = 0; waited < wait_ms && mosquitto_want_write(c->mosq); waited += 5) {
			if (mosquitto_loop_write(c->mosq, 1) != MOSQ_ERR_SUCCESS)
				break;
			sleep_ms(5);
		}
		mosquitto_disconnect(c->mosq);
		mosquitto_loop_write(c->mosq, 1);
	}
	mosquitto_destroy(c->mosq);
	mosquitto_lib_cleanup();
	free(c);
}
