#define _POSIX_C_SOURCE 200809L
#include "scheduler.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "alerts.h"
#include "app.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "db_alerts.h"
#include "db_reminders.h"
#include "log.h"
#include "mqtt_client.h"
#include "outbox.h"
#include "txn.h"
#include "wellbeing_job.h"
#include "windows.h"
#include "xalloc.h"

#define IDLE_WAIT_MS  1000 /* look again at least this often (and checkpoint) */
#define RETRY_MS      1000 /* after a database error */
#define CHECKPOINT_MS 1000 /* a PASSIVE checkpoint at most this often */

struct scheduler {
	struct app *app;
	struct db *db;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool woken, stop;
	bool resent; /* unsent pages re-published after the first connect */
	struct outbox ob;
	int64_t next_wellbeing;  /* next look for finished days to judge */
	int64_t next_checkpoint; /* clock_mono_ms() of the next checkpoint */
};

void scheduler_wake(struct scheduler *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->woken = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
}

/* Commits a round begun with db_begin() (rc: how it went so far) and
 * publishes what it owes; false after a failure, which is logged. */
static bool commit_and_flush(struct scheduler *s, enum cn_err rc, const char *what)
{
	struct txn_end t = {.app = s->app, .db = s->db, .ob = &s->ob, .note = s->ob.n > 0};
	s->ob.wake_scheduler = false; /* we are awake already */
	rc = txn_commit(&t, rc);
	if (rc != CN_OK) {
		log_error("scheduler", "cannot fire due %s: %s; retrying", what, cn_strerror(rc));
		return false;
	}
	return true;
}

/* Fires everything due at `now`; returns the next deadline (0: none) or
 * -1 on a database error. */
static int64_t fire_due(struct scheduler *s, int64_t now)
{
	struct app *app = s->app;
	int64_t ids[64];
	size_t n = 0;
	if (!s->resent && !mqtt_connected(app->mqtt))
		return -1; /* pages need the broker: wait for the first connection */
	if (!s->resent) {
		/* Pages whose hand-over to the broker failed (marked unsent
		 * again, db_notification_add) go out first. */
		if (alerts_resend_unsent(app, s->db, &s->ob) == CN_OK)
			txn_dispatch(app, s->db, &s->ob);
		else
			outbox_clear(&s->ob);
		s->resent = true;
	}
	/* Escalations and the window rules commit separately, so trouble in
	 * one never holds up the other. What is due is read first, outside
	 * any transaction: the write lock is taken only when there is work,
	 * never as an idle tick that would make ingest wait for it. */
	bool failed = false;
	enum cn_err rc = db_alerts_due(s->db, now, ids, 64, &n);
	if (rc == CN_OK && n > 0) {
		rc = db_begin(s->db);
		for (size_t i = 0; rc == CN_OK && i < n; i++)
			rc = alerts_escalate(app, s->db, ids[i], now, &s->ob);
		failed = !commit_and_flush(s, rc, "escalations");
	} else if (rc != CN_OK) {
		failed = true;
	}
	/* issue 15: on-site reminders, their own round */
	size_t n_rem = 0;
	rc = db_reminders_due(s->db, now, ids, 64, &n_rem);
	if (rc == CN_OK && n_rem > 0) {
		rc = db_begin(s->db);
		for (size_t i = 0; rc == CN_OK && i < n_rem; i++)
			rc = alerts_remind(app, s->db, ids[i], now, &s->ob);
		failed = !commit_and_flush(s, rc, "reminders") || failed;
	} else if (rc != CN_OK) {
		failed = true;
	}
	int64_t window_due = 0;
	rc = windows_next_due(s->db, &window_due);
	if (rc == CN_OK && window_due > 0 && window_due <= now) {
		rc = db_begin(s->db);
		if (rc == CN_OK)
			rc = windows_fire_due(app, s->db, now, &s->ob);
		failed = !commit_and_flush(s, rc, "rule deadlines") || failed;
	} else if (rc != CN_OK) {
		failed = true;
	}
	/* The wellbeing round: day-time only, a P3 for the coordinator. A
	 * read-only look first would cost as much as the round itself, which
	 * writes only when it judged a day. */
	if (now >= s->next_wellbeing) {
		s->next_wellbeing = now + app->cfg->wellbeing_check_s * 1000;
		int judged = 0;
		rc = db_begin(s->db);
		if (rc == CN_OK)
			rc = wellbeing_round(app, s->db, now, &s->ob, &judged);
		failed = !commit_and_flush(s, rc, "wellbeing round") || failed;
	}
	if (failed)
		return -1;
	int64_t next_alert = 0, next_window = 0;
	if (db_alerts_next_due(s->db, &next_alert) != CN_OK ||
	    windows_next_due(s->db, &next_window) != CN_OK)
		return -1;
	if (n == 64 && next_alert > now)
		next_alert = now; /* more were due than one round takes */
	/* issue 15: the next on-site reminder */
	int64_t next_reminder = 0;
	if (db_reminders_next_due(s->db, &next_reminder) != CN_OK)
		return -1;
	if (n_rem == 64 && next_reminder > now)
		next_reminder = now;
	if (next_reminder && (!next_alert || next_reminder < next_alert))
		next_alert = next_reminder;
	if (!next_alert || (next_window && next_window < next_alert))
		return next_window;
	return next_alert;
}

static void *scheduler_main(void *arg)
{
	struct scheduler *s = arg;
	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		s->woken = false;
		pthread_mutex_unlock(&s->lock);
		int64_t now = clock_now_ms();
		int64_t next = fire_due(s, now);
		/* WAL pages go into the database here, off the ingest path, once
		 * a second: every raised alert wakes this thread, and a
		 * checkpoint per wake (two fsyncs each, 50 a second under a
		 * burst of presses) only made the alarm acks' own syncs wait
		 * longer for the disk. */
		if (clock_mono_ms() >= s->next_checkpoint) {
			db_checkpoint_passive(s->db);
			s->next_checkpoint = clock_mono_ms() + CHECKPOINT_MS;
		}
		int64_t wait = next < 0    ? RETRY_MS
		               : next == 0 ? IDLE_WAIT_MS
		                           : next - clock_now_ms();
		if (!s->resent && wait > RETRY_MS)
			wait = RETRY_MS; /* until the broker is there for the re-send */
		if (wait > IDLE_WAIT_MS)
			wait = IDLE_WAIT_MS;
		pthread_mutex_lock(&s->lock);
		if (wait > 0 && !s->woken && !s->stop) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += (time_t)(wait / 1000);
			until.tv_nsec += (long)(wait % 1000) * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&s->wake, &s->lock, &until);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

enum cn_err scheduler_start(struct app *app, struct scheduler **out, char *err, size_t err_size)
{
	struct scheduler *s = xcalloc(1, sizeof(*s));
	s->app = app;
	*out = NULL;
	enum cn_err rc = db_connect(app->cfg->db_path, app->cfg->db_url, &s->db, err, err_size);
	if (rc != CN_OK) {
		free(s);
		return rc;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	outbox_init(&s->ob);
	if (pthread_create(&s->thread, NULL, scheduler_main, s) != 0) {
		snprintf(err, err_size, "scheduler: cannot start the thread");
		db_close(s->db);
		free(s);
		return CN_ERR_IO;
	}
	*out = s;
	return CN_OK;
}

void scheduler_stop(struct scheduler *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	outbox_free(&s->ob);
	db_close(s->db);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	free(s);
}
