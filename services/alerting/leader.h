/* Leader election between carenetd nodes on one PostgreSQL database.
 *
 * Every node serves the REST API. The leader alone connects to the broker
 * with the fixed client id, ingests and runs escalation and time rules.
 * The leader is the node whose own connection holds a session advisory
 * lock (db_leader.h); a standby tries to take it every LEADER_RETRY_MS.
 * The lock goes with the session: a killed leader's connection closes and
 * the server frees the lock at once. Every LEADER_CHECK_MS the leader reads
 * from the server that it still holds the lock; after a reconnect (primary
 * failover) it takes it again if it can. A leader that finds another node
 * holding it, or that cannot reach the database for LEADER_GRACE_MS, stops
 * (SIGTERM to itself, exit status 3); see docs/architecture.md, "Leader
 * election".
 *
 * On SQLite there is one node and it always leads: no leader object. */
#ifndef CN_LEADER_H
#define CN_LEADER_H

#include <stdbool.h>
#include <stddef.h>

#include "cn_error.h"

#define LEADER_RETRY_MS 500
#define LEADER_CHECK_MS 1000
#define LEADER_GRACE_MS 5000
#define LEADER_RELAY_MS 250

struct app;
struct leader;

/* Opens the lock connection (app->cfg->db_url). Free with leader_free(). */
enum cn_err leader_new(struct app *app, struct leader **out, char *err, size_t err_size);

/* One attempt to lead; true when this node leads now (then it sets
 * app->leader and the carenet_leader metric). */
bool leader_try(struct leader *l);

/* Starts the thread that checks the lock every LEADER_CHECK_MS; on loss
 * it sets app->leadership_lost and sends SIGTERM to this process. */
enum cn_err leader_watch(struct leader *l, char *err, size_t err_size);

/* From now on the leader thread also publishes what standbys' API writes
 * left in the relay table (db_relay.h), within LEADER_RELAY_MS or at once
 * on NOTIFY carenet_relay. Call once the scheduler and MQTT client run;
 * NULL is a no-op. */
void leader_relay_start(struct leader *l);

/* Stops the thread, closes the connection (which frees the lock). */
void leader_free(struct leader *l);

#endif
