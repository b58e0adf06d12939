/* carenet-sim: MQTT connections driven by our own poll() loop.
 *
 * Why not mosquitto_loop_start(): the simulator runs up to thousands of
 * connections (one per simulated home) and a load generator whose hot
 * path must not hand every message to a second thread. Without a loop
 * thread libmosquitto writes a publish straight to the socket and runs
 * every callback on the caller's thread, so nothing here needs a lock. */
#ifndef SIM_NET_H
#define SIM_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_common.h"

struct mosquitto;
struct mosquitto_message;
struct pollfd;

struct sim_conn;
typedef void (*sim_conn_fn)(struct sim_conn *c);
typedef void (*sim_mid_fn)(struct sim_conn *c, int mid);
typedef void (*sim_msg_fn)(struct sim_conn *c, const struct mosquitto_message *m);

/* One MQTT client. Owned by whoever embeds it; hooks may be NULL. */
struct sim_conn {
	struct mosquitto *mosq;
	const struct sim_common *common;
	char client_id[96];
	bool connected;      /* CONNACK accepted and not lost since */
	int connack_rc;      /* last CONNACK code, -1 before any */
	bool closing;        /* no reconnects */
	int64_t retry_at_ms; /* next reconnect attempt (monotonic) */
	int retry_delay_ms;
	unsigned long n_connects;
	unsigned long n_lost;
	unsigned long n_publish_done; /* on_publish: QoS 1 PUBACKs, QoS 0 writes */
	sim_conn_fn on_connect;       /* after each accepted CONNACK */
	sim_mid_fn on_publish;
	sim_mid_fn on_subscribe;
	sim_msg_fn on_message;
	void *ud;
};

/* Creates the client (MQTT 3.1.1, clean session), with credentials and
 * TLS from common, TCP_NODELAY, and the QoS 1 inflight window
 * `max_inflight` (1..65535). Returns false after printing why. */
bool sim_conn_init(struct sim_conn *c, const struct sim_common *common, const char *client_id,
                   int max_inflight, void *ud);
/* Sets the last will (QoS 1). Call before sim_conn_start(). */
bool sim_conn_will(struct sim_conn *c, const char *topic, const char *payload, bool retain);
/* Opens the TCP connection and sends CONNECT; CONNACK arrives through
 * sim_net_run(). Returns false after printing why. */
bool sim_conn_start(struct sim_conn *c);
/* Publishes; returns the mosquitto error code (0 = queued or sent). */
int sim_conn_publish(struct sim_conn *c, const char *topic, const char *payload, int qos,
                     bool retain, int *mid);
/* Subscribes at QoS 1; returns the mosquitto error code. */
int sim_conn_subscribe(struct sim_conn *c, const char *pattern, int *mid);
/* True when libmosquitto still holds bytes it could not write yet. */
bool sim_conn_want_write(struct sim_conn *c);
/* Ends the client: with `graceful`, sends DISCONNECT (no will); without,
 * just closes the socket so that the broker publishes the will. Frees
 * everything; safe on a never-initialised (zeroed) conn. */
void sim_conn_close(struct sim_conn *c, bool graceful);

/* A set of connections served by one poll() loop. The conns are borrowed
 * and must outlive the net. */
struct sim_net {
	struct sim_conn **conns;
	size_t n, cap;
	struct pollfd *pfd;
	size_t *pfd_conn; /* pfd[i] belongs to conns[pfd_conn[i]] */
	int64_t misc_at;  /* next keepalive housekeeping */
};

void sim_net_add(struct sim_net *net, struct sim_conn *c);
/* Waits up to timeout_ms (0 = just look) for socket activity and serves
 * it: reads (callbacks run here), writes what is pending, keepalives, and
 * reconnects lost clients with a backoff of 0.5 s doubling to 5 s. */
void sim_net_run(struct sim_net *net, int timeout_ms);
/* Runs the net until every conn has an accepted CONNACK. Returns false
 * after printing why on a refused CONNACK, a stop signal or timeout. */
bool sim_net_wait_connected(struct sim_net *net, const char *cmd, double timeout_s);
/* Runs the net until nothing is left to write and `*done >= target`
 * (e.g. PUBACKs counted by a hook), or timeout. True when it got there. */
bool sim_net_drain(struct sim_net *net, const unsigned long *done, unsigned long target,
                   double timeout_s);
void sim_net_free(struct sim_net *net);

#endif
