#include "login_throttle.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define SLOTS 4096 /* keys hash into slots; a collision only throttles sooner */

struct slot {
	uint64_t key;
	int64_t window_start;
	int failures;
};

struct login_throttle {
	pthread_mutex_t lock;
	struct slot slots[SLOTS];
};

static uint64_t key_of(const char *kind, const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (const char *p = kind; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	for (const char *p = s ? s : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h | 1; /* 0 marks an empty slot */
}

struct login_throttle *login_throttle_new(void)
{
	struct login_throttle *t = xcalloc(1, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

void login_throttle_free(struct login_throttle *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static int wait_for(struct slot *s, uint64_t key, int64_t now)
{
	if (s->key != key || now - s->window_start >= LOGIN_WINDOW_MS ||
	    s->failures < LOGIN_FAILURES_MAX)
		return 0;
	return (int)((s->window_start + LOGIN_WINDOW_MS - now + 999) / 1000);
}

int login_throttle_check(struct login_throttle *t, const char *username, const char *addr,
                         int64_t now)
{
	uint64_t ku = key_of("u:", username), ka = key_of("a:", addr);
	pthread_mutex_lock(&t->lock);
	int wu = wait_for(&t->slots[ku % SLOTS], ku, now);
	int wa = wait_for(&t->slots[ka % SLOTS], ka, now);
	pthread_mutex_unlock(&t->lock);
	return wu > wa ? wu : wa;
}

static void fail_one(struct login_throttle *t, uint64_t key, int64_t now)
{
	struct slot *s = &t->slots[key % SLOTS];
	if (s->key != key || now - s->window_start >= LOGIN_WINDOW_MS) {
		s->key = key;
		s->window_start = now;
		s->failures = 0;
	}
	s->failures++;
}

void login_throttle_fail(struct login_throttle *t, const char *username, const char *addr,
                         int64_t now)
{
	pthread_mutex_lock(&t->lock);
	fail_one(t, key_of("u:", username), now);
	fail_one(t, key_of("a:", addr), now);
	pthread_mutex_unlock(&t->lock);
}
