#define _POSIX_C_SOURCE 200809L
#include "http_deadline.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"
#include "xalloc.h"

/* One tracked connection, MHD's socket context. Linked into the owner's
 * list while the connection is open. */
struct tracked {
	struct tracked *prev, *next;
	struct http_deadlines *owner;
	int fd;
	int64_t since_ms; /* when the wait for headers began; 0: not waiting */
	bool cut;
};

struct http_deadlines {
	pthread_mutex_t mu;
	pthread_cond_t wake;
	pthread_t sweeper;
	bool stopping;
	int64_t timeout_ms;
	struct tracked head; /* sentinel of a circular list */
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Shuts down the sockets of connections whose headers are overdue. The
 * lock is held across shutdown(): a connection is unlinked (under the same
 * lock) before MHD closes its descriptor, so the descriptor cannot have
 * been reused by then. */
static void sweep(struct http_deadlines *d, int64_t now)
{
	for (struct tracked *t = d->head.next; t != &d->head; t = t->next) {
		if (t->cut || t->since_ms == 0 || now - t->since_ms < d->timeout_ms)
			continue;
		t->cut = true;
		shutdown(t->fd, SHUT_RDWR);
		log_debug("http",
		          "headers not complete %lld ms after the connection opened; closing",
		          (long long)(now - t->since_ms));
	}
}

static void *sweeper_main(void *arg)
{
	struct http_deadlines *d = arg;
	pthread_mutex_lock(&d->mu);
	while (!d->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&d->wake, &d->mu, &until);
		if (!d->stopping)
			sweep(d, mono_ms());
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

enum cn_err http_deadlines_start(int64_t timeout_ms, struct http_deadlines **out)
{
	struct http_deadlines *d = xcalloc(1, sizeof(*d));
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->wake, NULL);
	d->timeout_ms = timeout_ms;
	d->head.next = d->head.prev = &d->head;
	*out = NULL;
	if (pthread_create(&d->sweeper, NULL, sweeper_main, d) != 0) {
		pthread_cond_destroy(&d->wake);
		pthread_mutex_destroy(&d->mu);
		free(d);
		return CN_ERR_IO;
	}
	*out = d;
	return CN_OK;
}

void http_deadlines_stop(struct http_deadlines *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->mu);
	d->stopping = true;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->mu);
	pthread_join(d->sweeper, NULL);
	/* MHD has stopped and notified every close; anything left is freed. */
	while (d->head.next != &d->head) {
		struct tracked *t = d->head.next;
		d->head.next = t->next;
		free(t);
	}
	pthread_cond_destroy(&d->wake);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

void http_deadlines_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                           enum MHD_ConnectionNotificationCode toe)
{
	struct http_deadlines *d = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (!ci)
			return;
		struct tracked *t = xcalloc(1, sizeof(*t));
		t->owner = d;
		t->fd = ci->connect_fd;
		pthread_mutex_lock(&d->mu);
		t->since_ms = mono_ms();
		t->next = d->head.next;
		t->prev = &d->head;
		d->head.next->prev = t;
		d->head.next = t;
		pthread_mutex_unlock(&d->mu);
		*socket_context = t;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		struct tracked *t = *socket_context;
		if (!t)
			return;
		pthread_mutex_lock(&d->mu);
		t->prev->next = t->next;
		t->next->prev = t->prev;
		pthread_mutex_unlock(&d->mu);
		free(t);
		*socket_context = NULL;
	}
}

static void set_waiting(struct MHD_Connection *conn, bool waiting)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct tracked *t = ci ? ci->socket_context : NULL;
	if (!t)
		return;
	pthread_mutex_lock(&t->owner->mu);
	t->since_ms = waiting ? mono_ms() : 0;
	pthread_mutex_unlock(&t->owner->mu);
}

void http_deadlines_headers_done(struct MHD_Connection *conn) { set_waiting(conn, false); }

void http_deadlines_request_done(struct MHD_Connection *conn) { set_waiting(conn, true); }
