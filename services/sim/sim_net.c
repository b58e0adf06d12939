/* carenet-sim MQTT connections on one poll() loop; see sim_net.h. */
#define _POSIX_C_SOURCE 200809L
#include "sim_net.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>

#include "xalloc.h"

#define RETRY_FIRST_MS 500
#define RETRY_MAX_MS   5000
#define MISC_PERIOD_MS 1000

static void cb_connect(struct mosquitto *m, void *ud, int rc)
{
	(void)m;
	struct sim_conn *c = ud;
	c->connack_rc = rc;
	if (rc != 0)
		return;
	c->connected = true;
	c->n_connects++;
	c->retry_delay_ms = RETRY_FIRST_MS;
	if (c->on_connect)
		c->on_connect(c);
}

static void cb_disconnect(struct mosquitto *m, void *ud, int rc)
{
	(void)m;
	struct sim_conn *c = ud;
	bool was = c->connected;
	c->connected = false;
	if (c->closing)
		return;
	if (was || rc != 0)
		c->n_lost++;
	c->retry_at_ms = sim_mono_ms() + c->retry_delay_ms;
}

static void cb_publish(struct mosquitto *m, void *ud, int mid)
{
	(void)m;
	struct sim_conn *c = ud;
	c->n_publish_done++;
	if (c->on_publish)
		c->on_publish(c, mid);
}

static void cb_subscribe(struct mosquitto *m, void *ud, int mid, int n, const int *granted)
{
	(void)m;
	(void)n;
	(void)granted;
	struct sim_conn *c = ud;
	if (c->on_subscribe)
		c->on_subscribe(c, mid);
}

static void cb_message(struct mosquitto *m, void *ud, const struct mosquitto_message *msg)
{
	(void)m;
	struct sim_conn *c = ud;
	if (c->on_message)
		c->on_message(c, msg);
}

static const char *err_text(int rc)
{
	return rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc);
}

bool sim_conn_init(struct sim_conn *c, const struct sim_common *common, const char *client_id,
                   int max_inflight, void *ud)
{
	memset(c, 0, sizeof(*c));
	c->common = common;
	c->ud = ud;
	c->connack_rc = -1;
	c->retry_delay_ms = RETRY_FIRST_MS;
	snprintf(c->client_id, sizeof(c->client_id), "%s", client_id);
	c->mosq = mosquitto_new(c->client_id, true, c);
	if (!c->mosq) {
		sim_error("mqtt", "cannot create client %s: %s", c->client_id, strerror(errno));
		return false;
	}
	mosquitto_int_option(c->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	/* Alarm latency is what we measure: do not let Nagle hold a small
	 * publish back waiting for the previous one's ACK. */
	mosquitto_int_option(c->mosq, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_max_inflight_messages_set(c->mosq, (unsigned int)max_inflight);
	int rc = MOSQ_ERR_SUCCESS;
	if (common->username)
		rc = mosquitto_username_pw_set(c->mosq, common->username, common->password);
	if (rc == MOSQ_ERR_SUCCESS && common->cafile)
		rc = mosquitto_tls_set(c->mosq, common->cafile, NULL, NULL, NULL, NULL);
	if (rc != MOSQ_ERR_SUCCESS) {
		sim_error("mqtt", "client %s: credentials or TLS: %s", c->client_id, err_text(rc));
		mosquitto_destroy(c->mosq);
		c->mosq = NULL;
		return false;
	}
	mosquitto_connect_callback_set(c->mosq, cb_connect);
	mosquitto_disconnect_callback_set(c->mosq, cb_disconnect);
	mosquitto_publish_callback_set(c->mosq, cb_publish);
	mosquitto_subscribe_callback_set(c->mosq, cb_subscribe);
	mosquitto_message_callback_set(c->mosq, cb_message);
	return true;
}

bool sim_conn_will(struct sim_conn *c, const char *topic, const char *payload, bool retain)
{
	int rc = mosquitto_will_set(c->mosq, topic, (int)strlen(payload), payload, 1, retain);
	if (rc != MOSQ_ERR_SUCCESS) {
		sim_error("mqtt", "client %s: will on %s: %s", c->client_id, topic, err_text(rc));
		return false;
	}
	return true;
}

bool sim_conn_start(struct sim_conn *c)
{
	const struct sim_common *k = c->common;
	int rc = mosquitto_connect(c->mosq, k->host, (int)k->port, (int)k->keepalive);
	if (rc != MOSQ_ERR_SUCCESS) {
		sim_error("mqtt", "cannot connect to %s:%ld: %s", k->host, k->port, err_text(rc));
		return false;
	}
	return true;
}

int sim_conn_publish(struct sim_conn *c, const char *topic, const char *payload, int qos,
                     bool retain, int *mid)
{
	return mosquitto_publish(c->mosq, mid, topic, (int)strlen(payload), payload, qos, retain);
}

int sim_conn_subscribe(struct sim_conn *c, const char *pattern, int *mid)
{
	return mosquitto_subscribe(c->mosq, mid, pattern, 1);
}

bool sim_conn_want_write(struct sim_conn *c)
{
	return c->mosq && mosquitto_socket(c->mosq) >= 0 && mosquitto_want_write(c->mosq);
}

void sim_conn_close(struct sim_conn *c, bool graceful)
{
	if (!c->mosq)
		return;
	c->closing = true;
	if (graceful && c->connected)
		mosquitto_disconnect(c->mosq);
	/* Without a DISCONNECT the broker sees the socket drop and publishes
	 * the will: that is what --abrupt exercises. */
	mosquitto_destroy(c->mosq);
	c->mosq = NULL;
	c->connected = false;
}

/* ---- the loop ---- */

void sim_net_add(struct sim_net *net, struct sim_conn *c)
{
	if (net->n == net->cap) {
		net->cap = net->cap ? net->cap * 2 : 8;
		net->conns = xrealloc(net->conns, net->cap * sizeof(*net->conns));
		net->pfd = xrealloc(net->pfd, net->cap * sizeof(*net->pfd));
		net->pfd_conn = xrealloc(net->pfd_conn, net->cap * sizeof(*net->pfd_conn));
	}
	net->conns[net->n++] = c;
}

static void reconnect(struct sim_conn *c, int64_t now)
{
	int rc = mosquitto_reconnect(c->mosq);
	if (rc == MOSQ_ERR_SUCCESS)
		return; /* CONNACK comes through the loop; the delay resets there */
	c->retry_delay_ms =
		c->retry_delay_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : c->retry_delay_ms * 2;
	c->retry_at_ms = now + c->retry_delay_ms;
}

void sim_net_run(struct sim_net *net, int timeout_ms)
{
	int64_t now = sim_mono_ms();
	size_t np = 0;
	for (size_t i = 0; i < net->n; i++) {
		struct sim_conn *c = net->conns[i];
		if (!c->mosq)
			continue;
		int s = mosquitto_socket(c->mosq);
		if (s < 0 && !c->closing) {
			if (now >= c->retry_at_ms) {
				reconnect(c, now);
				s = mosquitto_socket(c->mosq);
			}
			if (s < 0) {
				int64_t wait = c->retry_at_ms - now;
				if (wait < timeout_ms)
					timeout_ms = wait < 0 ? 0 : (int)wait;
				continue;
			}
		}
		if (s < 0)
			continue;
		net->pfd[np].fd = s;
		net->pfd[np].events = POLLIN | (mosquitto_want_write(c->mosq) ? POLLOUT : 0);
		net->pfd[np].revents = 0;
		net->pfd_conn[np] = i;
		np++;
	}
	int n = poll(net->pfd, (nfds_t)np, timeout_ms);
	for (size_t j = 0; n > 0 && j < np; j++) {
		short ev = net->pfd[j].revents;
		if (!ev)
			continue;
		struct sim_conn *c = net->conns[net->pfd_conn[j]];
		/* A read error closes the socket (and calls on_disconnect); do
		 * not write to it afterwards. */
		if (ev & (POLLIN | POLLERR | POLLHUP))
			mosquitto_loop_read(c->mosq, 1);
		if ((ev & POLLOUT) && mosquitto_socket(c->mosq) >= 0)
			mosquitto_loop_write(c->mosq, 1);
	}
	now = sim_mono_ms();
	if (now >= net->misc_at) {
		net->misc_at = now + MISC_PERIOD_MS;
		for (size_t i = 0; i < net->n; i++) {
			struct sim_conn *c = net->conns[i];
			if (c->mosq && mosquitto_socket(c->mosq) >= 0)
				mosquitto_loop_misc(c->mosq);
		}
	}
}

bool sim_net_wait_connected(struct sim_net *net, const char *cmd, double timeout_s)
{
	double end = sim_mono_s() + timeout_s;
	for (;;) {
		size_t up = 0;
		for (size_t i = 0; i < net->n; i++) {
			const struct sim_conn *c = net->conns[i];
			if (c->connack_rc > 0) {
				sim_error(cmd, "broker refused client %s: %s", c->client_id,
				          mosquitto_connack_string(c->connack_rc));
				return false;
			}
			if (c->n_connects == 0 && c->n_lost > 0) {
				/* Retrying would only repeat it: a TLS client on a plain
				 * port or the other way round, or not an MQTT broker. */
				sim_error(
					cmd,
					"%s:%ld closed the connection before CONNACK (TLS or port "
					"mismatch?)",
					c->common->host, c->common->port);
				return false;
			}
			up += c->connected;
		}
		if (up == net->n)
			return true;
		if (sim_stopping())
			return false;
		if (sim_mono_s() >= end) {
			const struct sim_common *k = net->n ? net->conns[0]->common : NULL;
			sim_error(cmd, "only %zu of %zu clients connected to %s:%ld within %.1f s",
			          up, net->n, k ? k->host : "?", k ? k->port : 0L, timeout_s);
			return false;
		}
		sim_net_run(net, 50);
	}
}

bool sim_net_drain(struct sim_net *net, const unsigned long *done, unsigned long target,
                   double timeout_s)
{
	double end = sim_mono_s() + timeout_s;
	for (;;) {
		bool pending = done && *done < target;
		for (size_t i = 0; !pending && i < net->n; i++)
			pending = sim_conn_want_write(net->conns[i]);
		if (!pending)
			return true;
		if (sim_mono_s() >= end)
			return false;
		sim_net_run(net, 20);
	}
}

void sim_net_free(struct sim_net *net)
{
	free(net->conns);
	free(net->pfd);
	free(net->pfd_conn);
	memset(net, 0, sizeof(*net));
}
