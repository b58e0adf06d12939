#define _POSIX_C_SOURCE 200809L
#include "login_throttle.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "xalloc.h"

struct slot {
	uint64_t key; /* 0: never used */
	int64_t window_start;
	int failures;
};

struct login_throttle {
	pthread_mutex_t lock;
	unsigned char sipkey[crypto_shorthash_KEYBYTES];
	int max_hashes;
	int hashing;        /* guarded by lock */
	struct slot *slots; /* LOGIN_SLOTS */
};

/* Keyed hash of kind, username and address (NUL-separated). */
static uint64_t key_of(const struct login_throttle *t, char kind, const char *user,
                       const char *addr)
{
	unsigned char buf[2 + 64 + 1 + 64 + 1];
	size_t n = 0;
	buf[n++] = (unsigned char)kind;
	buf[n++] = 0;
	size_t ul = user ? strnlen(user, 64) : 0, al = addr ? strnlen(addr, 64) : 0;
	memcpy(buf + n, user ? user : "", ul);
	n += ul;
	buf[n++] = 0;
	memcpy(buf + n, addr ? addr : "", al);
	n += al;
	unsigned char out[crypto_shorthash_BYTES];
	crypto_shorthash(out, buf, n, t->sipkey);
	uint64_t h;
	memcpy(&h, out, sizeof(h));
	return h | 1; /* 0 marks an unused slot */
}

struct login_throttle *login_throttle_new(int max_hashes)
{
	struct login_throttle *t = xcalloc(1, sizeof(*t));
	t->slots = xcalloc(LOGIN_SLOTS, sizeof(*t->slots));
	pthread_mutex_init(&t->lock, NULL);
	crypto_shorthash_keygen(t->sipkey);
	t->max_hashes = max_hashes < 1 ? 1 : max_hashes;
	return t;
}

void login_throttle_free(struct login_throttle *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	sodium_memzero(t->sipkey, sizeof(t->sipkey));
	free(t->slots);
	free(t);
}

static bool live(const struct slot *s, int64_t now)
{
	return s->key != 0 && now - s->window_start < LOGIN_WINDOW_MS;
}

/* The slot holding `key`, or with `claim` a free one for it; NULL when
 * absent (or, with claim, when no slot is free within the probe limit).
 * Caller holds the lock. */
static struct slot *find(struct login_throttle *t, uint64_t key, int64_t now, bool claim)
{
	struct slot *free_slot = NULL;
	for (size_t i = 0; i < LOGIN_PROBES; i++) {
		struct slot *s = &t->slots[(key + i) % LOGIN_SLOTS];
		if (s->key == key)
			return s;
		if (!live(s, now) && !free_slot)
			free_slot = s;
		if (s->key == 0)
			break; /* never used: the key cannot be further on */
	}
	if (!claim || !free_slot)
		return NULL;
	free_slot->key = key;
	free_slot->window_start = now;
	free_slot->failures = 0;
	return free_slot;
}

/* Seconds `key` must wait; -1 when the key is absent and no slot is free. */
static int wait_for(struct login_throttle *t, uint64_t key, int64_t now)
{
	struct slot *s = find(t, key, now, false);
	if (!s) {
		/* Absent: it could be stored later only if a slot is free. */
		for (size_t i = 0; i < LOGIN_PROBES; i++) {
			const struct slot *p = &t->slots[(key + i) % LOGIN_SLOTS];
			if (!live(p, now))
				return 0;
		}
		return -1;
	}
	if (now - s->window_start >= LOGIN_WINDOW_MS || s->failures < LOGIN_FAILURES_MAX)
		return 0;
	return (int)((s->window_start + LOGIN_WINDOW_MS - now + 999) / 1000);
}

int login_throttle_check(struct login_throttle *t, const char *username, const char *addr,
                         int64_t now)
{
	uint64_t kua = key_of(t, 'u', username, addr), ka = key_of(t, 'a', NULL, addr);
	pthread_mutex_lock(&t->lock);
	int wua = wait_for(t, kua, now);
	int wa = wait_for(t, ka, now);
	pthread_mutex_unlock(&t->lock);
	if (wua < 0 || wa < 0)
		return LOGIN_WINDOW_MS / 1000; /* full: refuse rather than forget */
	return wua > wa ? wua : wa;
}

static void fail_one(struct login_throttle *t, uint64_t key, int64_t now)
{
	struct slot *s = find(t, key, now, true);
	if (!s)
		return; /* full: check() refuses this key until a slot frees */
	if (now - s->window_start >= LOGIN_WINDOW_MS) {
		s->window_start = now;
		s->failures = 0;
	}
	s->failures++;
}

void login_throttle_fail(struct login_throttle *t, const char *username, const char *addr,
                         int64_t now)
{
	uint64_t kua = key_of(t, 'u', username, addr), ka = key_of(t, 'a', NULL, addr);
	pthread_mutex_lock(&t->lock);
	fail_one(t, kua, now);
	fail_one(t, ka, now);
	pthread_mutex_unlock(&t->lock);
}

bool login_throttle_hash_begin(struct login_throttle *t)
{
	pthread_mutex_lock(&t->lock);
	bool ok = t->hashing < t->max_hashes;
	if (ok)
		t->hashing++;
	pthread_mutex_unlock(&t->lock);
	return ok;
}

void login_throttle_hash_end(struct login_throttle *t)
{
	pthread_mutex_lock(&t->lock);
	if (t->hashing > 0)
		t->hashing--;
	pthread_mutex_unlock(&t->lock);
}
