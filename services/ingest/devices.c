#include "devices.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "db_devices.h"
#include "xalloc.h"

#define BUCKETS 65536u

struct node {
	struct device dev;
	struct node *next_id, *next_z2m, *next_key;
	struct node *all_next, *all_prev;
};

struct devices {
	pthread_mutex_t lock;
	struct node *by_id[BUCKETS];
	struct node *by_z2m[BUCKETS];
	struct node *by_key[BUCKETS];
	struct node *all;
};

static unsigned hash_str(const char *s)
{
	unsigned h = 2166136261u; /* FNV-1a */
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % BUCKETS;
}

static unsigned hash_key(int64_t k) { return (unsigned)((uint64_t)k * 11400714819323198485ull >> 48) % BUCKETS; }

static struct node *find_id(struct devices *d, const char *id)
{
	for (struct node *n = d->by_id[hash_str(id)]; n; n = n->next_id)
		if (strcmp(n->dev.id, id) == 0)
			return n;
	return NULL;
}

static struct node *find_z2m(struct devices *d, const char *name)
{
	for (struct node *n = d->by_z2m[hash_str(name)]; n; n = n->next_z2m)
		if (n->dev.z2m && strcmp(n->dev.z2m_name, name) == 0)
			return n;
	return NULL;
}

static struct node *find_key(struct devices *d, int64_t key)
{
	for (struct node *n = d->by_key[hash_key(key)]; n; n = n->next_key)
		if (n->dev.key == key)
			return n;
	return NULL;
}

static void link_node(struct devices *d, struct node *n)
{
	unsigned h = hash_str(n->dev.id);
	n->next_id = d->by_id[h];
	d->by_id[h] = n;
	if (n->dev.z2m) {
		h = hash_str(n->dev.z2m_name);
		n->next_z2m = d->by_z2m[h];
		d->by_z2m[h] = n;
	}
	h = hash_key(n->dev.key);
	n->next_key = d->by_key[h];
	d->by_key[h] = n;
	n->all_prev = NULL;
	n->all_next = d->all;
	if (d->all)
		d->all->all_prev = n;
	d->all = n;
}

static void unlink_node(struct devices *d, struct node *n)
{
	struct node **p;
	for (p = &d->by_id[hash_str(n->dev.id)]; *p; p = &(*p)->next_id)
		if (*p == n) {
			*p = n->next_id;
			break;
		}
	if (n->dev.z2m) {
		for (p = &d->by_z2m[hash_str(n->dev.z2m_name)]; *p; p = &(*p)->next_z2m)
			if (*p == n) {
				*p = n->next_z2m;
				break;
			}
	}
	for (p = &d->by_key[hash_key(n->dev.key)]; *p; p = &(*p)->next_key)
		if (*p == n) {
			*p = n->next_key;
			break;
		}
	if (n->all_prev)
		n->all_prev->all_next = n->all_next;
	else
		d->all = n->all_next;
	if (n->all_next)
		n->all_next->all_prev = n->all_prev;
}

static void load_one(void *ctx, const struct device *dev)
{
	struct devices *d = ctx;
	struct node *n = xcalloc(1, sizeof(*n));
	n->dev = *dev;
	link_node(d, n);
}

enum cn_err devices_load(struct db *db, struct devices **out)
{
	struct devices *d = xcalloc(1, sizeof(*d));
	pthread_mutex_init(&d->lock, NULL);
	enum cn_err rc = db_devices_load_all(db, load_one, d);
	if (rc != CN_OK) {
		devices_free(d);
		*out = NULL;
		return rc;
	}
	*out = d;
	return CN_OK;
}

void devices_free(struct devices *d)
{
	if (!d)
		return;
	struct node *n = d->all;
	while (n) {
		struct node *next = n->all_next;
		free(n);
		n = next;
	}
	pthread_mutex_destroy(&d->lock);
	free(d);
}

bool devices_find(struct devices *d, const char *name, bool by_z2m, struct device *out)
{
	pthread_mutex_lock(&d->lock);
	struct node *n = by_z2m ? find_z2m(d, name) : find_id(d, name);
	if (n)
		*out = n->dev;
	pthread_mutex_unlock(&d->lock);
	return n != NULL;
}

void devices_put(struct devices *d, const struct device *dev)
{
	pthread_mutex_lock(&d->lock);
	struct node *n = find_id(d, dev->id);
	struct device live = {0};
	bool had = n != NULL;
	if (n) {
		live = n->dev;
		unlink_node(d, n);
	} else {
		n = xcalloc(1, sizeof(*n));
	}
	n->dev = *dev;
	if (had) {
		n->dev.status = live.status;
		n->dev.last_seen = live.last_seen;
		n->dev.battery = live.battery;
		n->dev.low_battery = live.low_battery;
		n->dev.dirty = live.dirty;
		n->dev.flushed_at = live.flushed_at;
	}
	link_node(d, n);
	pthread_mutex_unlock(&d->lock);
}

void devices_remove(struct devices *d, const char *id)
{
	pthread_mutex_lock(&d->lock);
	struct node *n = find_id(d, id);
	if (n) {
		unlink_node(d, n);
		free(n);
	}
	pthread_mutex_unlock(&d->lock);
}

void devices_update_live(struct devices *d, int64_t key, int64_t seen, int battery,
                         enum device_status status, struct device *before, struct device *after)
{
	pthread_mutex_lock(&d->lock);
	struct node *n = find_key(d, key);
	if (n) {
		if (before)
			*before = n->dev;
		if (seen > n->dev.last_seen)
			n->dev.last_seen = seen;
		if (battery >= 0 && battery != n->dev.battery) {
			n->dev.battery = battery;
			n->dev.flushed_at = 0; /* a battery change is written soon */
		}
		if (status != n->dev.status) {
			n->dev.status = status;
			n->dev.flushed_at = 0;
		}
		n->dev.dirty = true;
		if (after)
			*after = n->dev;
	}
	pthread_mutex_unlock(&d->lock);
}

void devices_set_low_battery(struct devices *d, int64_t key, bool low)
{
	pthread_mutex_lock(&d->lock);
	struct node *n = find_key(d, key);
	if (n)
		n->dev.low_battery = low;
	pthread_mutex_unlock(&d->lock);
}

size_t devices_sweep_silent(struct devices *d, int64_t now, long offline_after,
                            int64_t listening_since, struct device *out, size_t max)
{
	size_t count = 0;
	pthread_mutex_lock(&d->lock);
	for (struct node *n = d->all; n && count < max; n = n->all_next) {
		struct device *dev = &n->dev;
		if (dev->status == DEV_OFFLINE || dev->heartbeat_s <= 0)
			continue;
		/* Silence counts only while we could have heard the device: not
		 * before it was enrolled, nor before carenetd (re)connected. */
		int64_t since = dev->last_seen;
		if (dev->enrolled_at > since)
			since = dev->enrolled_at;
		if (listening_since > since)
			since = listening_since;
		if (now - since > (int64_t)offline_after * dev->heartbeat_s * 1000) {
			dev->status = DEV_OFFLINE;
			dev->dirty = true;
			dev->flushed_at = 0;
			out[count++] = *dev;
		}
	}
	pthread_mutex_unlock(&d->lock);
	return count;
}

size_t devices_take_dirty(struct devices *d, int64_t now, bool all, struct device *out, size_t max)
{
	size_t n_out = 0;
	pthread_mutex_lock(&d->lock);
	for (struct node *n = d->all; n && n_out < max; n = n->all_next) {
		if (!n->dev.dirty)
			continue;
		if (!all && now - n->dev.flushed_at < DEVICES_FLUSH_MS)
			continue;
		n->dev.dirty = false;
		n->dev.flushed_at = now;
		out[n_out++] = n->dev;
	}
	pthread_mutex_unlock(&d->lock);
	return n_out;
}

bool devices_live(struct devices *d, const char *id, enum device_status *status,
                  int64_t *last_seen, int *battery)
{
	pthread_mutex_lock(&d->lock);
	struct node *n = find_id(d, id);
	if (n) {
		*status = n->dev.status;
		*last_seen = n->dev.last_seen;
		*battery = n->dev.battery;
	}
	pthread_mutex_unlock(&d->lock);
	return n != NULL;
}
