/* carenetd: start-up, the wait for a signal, and an orderly shutdown.
 *
 * Start-up order: config, database (open + migrate + bootstrap admin),
 * the HTTP listener (so "port in use" fails before anything runs), device
 * registry, SSE hub, scheduler, ingest, MQTT, HTTP serving. Any failure
 * prints one line and exits non-zero; a database file this run created is
 * removed again, so a failed start leaves nothing half-made.
 *
 * On PostgreSQL (db_url) several nodes may share the database: each serves
 * the API at once, and waits to lead (leader.h) before it starts the
 * scheduler, ingest and MQTT. A node that loses the lead exits with 3. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "auth.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "db_alerts.h"
#include "db_auth.h"
#include "db_pool.h"
#include "devices.h"
#include "http_client.h"
#include "http_server.h"
#include "ingest.h"
#include "leader.h"
#include "log.h"
#include "login_throttle.h"
#include "metrics.h"
#include "mqtt_client.h"
#include "notifier.h"
#include "routes.h"
#include "scheduler.h"
#include "stream.h"
#include "xalloc.h"

extern char **environ;

#define HTTP_POOL_CONNECTIONS 4
#define SHUTDOWN_FLUSH_MS     1500

static void on_mqtt_message(void *ctx, const char *topic, const void *payload, size_t len)
{
	ingest_submit(ctx, topic, payload, len);
}

static void remove_db_files(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	char name[4096];
	for (size_t i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "%s%s", path, suffixes[i]);
		unlink(name);
	}
}

int main(int argc, char **argv)
{
	struct config cfg;
	char err[1024] = "";
	enum config_result cr = config_load(argc, argv, environ, &cfg, stdout, err, sizeof(err));
	if (cr == CONFIG_HELP)
		return 0;
	if (cr == CONFIG_ERROR) {
		fprintf(stderr, "carenetd: %s\n", err);
		return 2;
	}
	if (!cfg.node_name) {
		char host[256] = "";
		if (gethostname(host, sizeof(host) - 1) != 0 || !host[0])
			snprintf(host, sizeof(host), "carenetd");
		cfg.node_name = xstrdup(host);
	}
	log_set_level(log_level_from_name(cfg.log_level));
	clock_set_zone(cfg.timezone);

	/* Signals are taken by sigwait() in this thread only: block them
	 * before any thread starts so every thread inherits the mask. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	int status = 1;
	struct metrics metrics;
	metrics_init(&metrics);
	struct app app;
	memset(&app, 0, sizeof(app));
	app.cfg = &cfg;
	app.metrics = &metrics;
	struct db *db = NULL;
	struct http_server *http = NULL;
	struct leader *leader = NULL;
	struct stat st;
	bool db_existed = cfg.db_url || stat(cfg.db_path, &st) == 0;

	if (auth_init() != CN_OK) {
		fprintf(stderr, "carenetd: cannot initialise libsodium\n");
		goto out;
	}
	app.throttle = login_throttle_new((int)cfg.login_max_hashes);
	if (httpc_global_init() != CN_OK) {
		fprintf(stderr, "carenetd: cannot initialise libcurl\n");
		goto out;
	}
	if (db_connect(cfg.db_path, cfg.db_url, &db, err, sizeof(err)) != CN_OK) {
		fprintf(stderr, "carenetd: db_path: %s\n", err);
		goto out;
	}
	int version = 0;
	if (db_migrate(db, &version, err, sizeof(err)) != CN_OK) {
		fprintf(stderr, "carenetd: db_path: %s\n", err);
		goto out;
	}
	int64_t now = clock_now_ms();
	if (cfg.bootstrap_token) {
		int created = 0;
		enum cn_err rc = auth_bootstrap(db, cfg.bootstrap_token, now, &created);
		if (rc != CN_OK) {
			fprintf(stderr, "carenetd: bootstrap_token: cannot create the admin: %s\n",
			        cn_strerror(rc));
			goto out;
		}
		if (created)
			log_info("main", "created user admin with the bootstrap token");
	}
	/* The bootstrap token lives only while configured and until an admin
	 * has a password. */
	if (db_auth_bootstrap_retire(db, cfg.bootstrap_token != NULL, now) != CN_OK) {
		fprintf(stderr, "carenetd: db_path: cannot retire the bootstrap token\n");
		goto out;
	}
	if (db_pool_open(cfg.db_path, cfg.db_url, HTTP_POOL_CONNECTIONS, &app.pool, err,
	                 sizeof(err)) != CN_OK) {
		fprintf(stderr, "carenetd: db_path: %s\n", err);
		goto out;
	}
	if (devices_load(db, &app.devices) != CN_OK) {
		fprintf(stderr, "carenetd: db_path: cannot load devices\n");
		goto out;
	}
	int64_t latest_change = 0;
	db_alert_changes_latest(db, &latest_change);
	app.hub = stream_hub_new(&app, latest_change);
	app.wake_scheduler = scheduler_wake;
	/* On PostgreSQL: try to lead before the API answers, so that a node that
	 * will lead never looks like a healthy standby first. */
	bool leads = false;
	if (cfg.db_url) {
		if (leader_new(&app, &leader, err, sizeof(err)) != CN_OK) {
			fprintf(stderr, "carenetd: db_url: %s\n", err);
			goto out;
		}
		leads = leader_try(leader);
	}
	/* Bind the API port before starting any worker: a port in use stops
	 * start-up before anything was read from the broker. */
	if (http_server_start(&app, api_routes, api_route_count, &http, err, sizeof(err)) !=
	    CN_OK) {
		fprintf(stderr, "carenetd: %s\n", err);
		goto out;
	}
	/* The client exists (and queues) before any part may publish; it
	 * connects only once ingest is there to take what arrives. */
	if (mqtt_client_new(&cfg, &metrics, &app.mqtt, err, sizeof(err)) != CN_OK) {
		fprintf(stderr, "carenetd: %s\n", err);
		goto out;
	}
	int sig = 0;
	if (cfg.db_url) {
		const struct timespec retry = {0, LEADER_RETRY_MS * 1000000L};
		if (!leads)
			log_info("main", "node %s stands by, serving the API", cfg.node_name);
		while (!leads && !leader_try(leader)) {
			if (sigtimedwait(&sigs, NULL, &retry) > 0) {
				log_info("main", "signal while standing by: shutting down");
				status = 0;
				goto out;
			}
		}
		/* What the leader before us changed is in the database. */
		if (devices_reload(app.devices, db) != CN_OK ||
		    leader_watch(leader, err, sizeof(err)) != CN_OK) {
			fprintf(stderr, "carenetd: cannot take the lead: %s\n", err);
			goto out;
		}
	} else {
		atomic_store(&app.leader, true);
		atomic_store(&metrics.leader, 1);
	}
	/* Channel messages leave from their own thread, on the leader only (a
	 * standby's API may queue deliveries; the leader's notifier finds them
	 * within a second), before ingest and the scheduler can page:
	 * deliveries queued before a restart or a takeover go out at once. */
	app.wake_notifier = notifier_wake;
	if (notifier_start(&app, &app.notifier, err, sizeof(err)) != CN_OK) {
		fprintf(stderr, "carenetd: %s\n", err);
		goto out;
	}
	if (scheduler_start(&app, &app.scheduler, err, sizeof(err)) != CN_OK ||
	    ingest_start(&app, &app.ingest, err, sizeof(err)) != CN_OK) {
		fprintf(stderr, "carenetd: %s\n", err);
		goto out;
	}
	if (mqtt_client_start(app.mqtt, on_mqtt_message, app.ingest, err, sizeof(err)) != CN_OK) {
		fprintf(stderr, "carenetd: %s\n", err);
		goto out;
	}
	leader_relay_start(leader);
	log_info("main", "carenetd ready: schema v%d, database %s%s%s, broker %s:%ld", version,
	         db_engine_name(db), cfg.db_url ? "" : " ", cfg.db_url ? "" : cfg.db_path,
	         cfg.mqtt_host, cfg.mqtt_port);
	db_existed = true; /* from here on the database is ours to keep */

	while (sigwait(&sigs, &sig) != 0)
		;
	log_info("main", "signal %d: shutting down", sig);
	atomic_store(&app.stopping, true);
	status = atomic_load(&app.leadership_lost) ? 3 : 0;

out:
	/* Stop taking work, finish what is in hand, then close. The order
	 * matters: no new API requests; no new MQTT messages read (the broker
	 * keeps them for our session); ingest stores and acks what it holds;
	 * the scheduler stops; MQTT writes out what is queued and `offline`. */
	http_server_stop(http);
	mqtt_client_stop_reading(app.mqtt);
	ingest_stop(app.ingest);
	/* The notifier and the scheduler wake each other: each thread is
	 * joined before either is freed. */
	notifier_stop(app.notifier);
	scheduler_stop(app.scheduler);
	mqtt_client_stop(app.mqtt, SHUTDOWN_FLUSH_MS);
	leader_free(leader); /* closing its connection frees the lock */
	notifier_free(app.notifier);
	stream_hub_free(app.hub);
	devices_free(app.devices);
	db_pool_free(app.pool);
	login_throttle_free(app.throttle);
	db_close(db);
	if (!db_existed)
		remove_db_files(cfg.db_path);
	if (status == 0)
		log_info("main", "stopped");
	config_free(&cfg);
	httpc_global_cleanup();
	return status;
}
