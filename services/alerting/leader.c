#define _POSIX_C_SOURCE 200809L
#include "leader.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "db_leader.h"
#include "db_relay.h"
#include "log.h"
#include "metrics.h"
#include "mqtt_client.h"
#include "xalloc.h"

struct leader {
	struct app *app;
	struct db *db; /* the lock connection: used by one thread at a time */
	pthread_t thread;
	bool thread_running;
	atomic_bool stop;
	atomic_bool relaying; /* the scheduler and MQTT are up: relay */
};

enum cn_err leader_new(struct app *app, struct leader **out, char *err, size_t err_size)
{
	struct leader *l = xcalloc(1, sizeof(*l));
	l->app = app;
	enum cn_err rc = db_connect(app->cfg->db_path, app->cfg->db_url, &l->db, err, err_size);
	if (rc != CN_OK) {
		free(l);
		*out = NULL;
		return rc;
	}
	*out = l;
	return CN_OK;
}

bool leader_try(struct leader *l)
{
	bool got = false;
	if (db_leader_try(l->db, &got) != CN_OK || !got)
		return false;
	atomic_store(&l->app->leader, true);
	atomic_store(&l->app->metrics->leader, 1);
	log_info("leader", "node %s leads", l->app->cfg->node_name);
	return true;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static enum cn_err relay_one(void *ctx, const char *topic, const char *payload)
{
	struct app *app = ctx;
	if (!topic[0]) {
		/* A standby moved a deadline or queued channel deliveries. */
		if (app->wake_scheduler)
			app->wake_scheduler(app->scheduler);
		if (app->wake_notifier)
			app->wake_notifier(app->notifier);
		return CN_OK;
	}
	enum cn_err rc = mqtt_publish(app->mqtt, topic, payload, strlen(payload), 1, false);
	if (rc == CN_OK && strstr(topic, "/notify"))
		atomic_fetch_add(&app->metrics->notifications_sent, 1);
	return rc;
}

/* What standbys' API writes owe goes out here: woken by NOTIFY
 * carenet_relay, and every LEADER_RELAY_MS in any case. */
static void relay(struct leader *l)
{
	size_t taken = 0;
	do {
		if (db_relay_take(l->db, 64, relay_one, l->app, clock_now_ms(), &taken) != CN_OK)
			break;
	} while (taken == 64);
}

/* Every LEADER_CHECK_MS: do we still hold the lock? A connection that was
 * lost and reset (a primary failover) tries to take it again at once; if
 * another node has it, or the database stays out of reach for
 * LEADER_GRACE_MS, this node stops. In between, the relay. */
static void *watch(void *arg)
{
	struct leader *l = arg;
	int64_t failing_since = 0, next_check = mono_ms() + LEADER_CHECK_MS;
	bool listening = false;
	while (!atomic_load(&l->stop)) {
		if (!listening)
			listening = db_exec(l->db, "LISTEN carenet_relay", NULL, 0) == CN_OK;
		db_wait_notify(l->db, LEADER_RELAY_MS);
		if (atomic_load(&l->stop))
			break;
		if (atomic_load(&l->relaying))
			relay(l);
		if (mono_ms() < next_check)
			continue;
		next_check = mono_ms() + LEADER_CHECK_MS;
		bool held = false;
		enum cn_err rc = db_leader_check(l->db, &held);
		if (rc == CN_OK && !held) {
			bool got = false;
			rc = db_leader_try(l->db, &got);
			if (rc == CN_OK && got) {
				log_warn("leader",
				         "node %s took the leader lock again after a reconnect",
				         l->app->cfg->node_name);
				held = true;
				listening = false; /* the new session listens to nothing yet */
			} else if (rc == CN_OK) {
				rc = CN_ERR_CONFLICT; /* another node leads */
			}
		}
		if (rc == CN_OK && held) {
			failing_since = 0;
			continue;
		}
		int64_t now = mono_ms();
		if (rc == CN_ERR_UNAVAILABLE || rc == CN_ERR_DB) {
			listening = false;
			if (!failing_since)
				failing_since = now;
			if (now - failing_since < LEADER_GRACE_MS)
				continue;
		}
		log_error("leader", "node %s lost the lead (%s): stopping", l->app->cfg->node_name,
		          rc == CN_ERR_CONFLICT ? "another node holds the lock" : cn_strerror(rc));
		atomic_store(&l->app->leadership_lost, true);
		atomic_store(&l->app->leader, false);
		atomic_store(&l->app->metrics->leader, 0);
		kill(getpid(), SIGTERM);
		break;
	}
	return NULL;
}

void leader_relay_start(struct leader *l)
{
	if (l)
		atomic_store(&l->relaying, true);
}

enum cn_err leader_watch(struct leader *l, char *err, size_t err_size)
{
	if (pthread_create(&l->thread, NULL, watch, l) != 0) {
		snprintf(err, err_size, "cannot start the leader thread");
		return CN_ERR_UNAVAILABLE;
	}
	l->thread_running = true;
	return CN_OK;
}

void leader_free(struct leader *l)
{
	if (!l)
		return;
	atomic_store(&l->stop, true);
	if (l->thread_running)
		pthread_join(l->thread, NULL);
	db_close(l->db);
	free(l);
}
