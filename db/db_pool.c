#include "db_pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "db.h"
#include "xalloc.h"

struct db_pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	size_t size, n_free;
	struct db **all;
	struct db **free_list;
};

enum cn_err db_pool_open(const char *path, size_t size, struct db_pool **out, char *err,
                         size_t err_size)
{
	struct db_pool *pool = xcalloc(1, sizeof(*pool));
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->freed, NULL);
	pool->all = xcalloc(size, sizeof(*pool->all));
	pool->free_list = xcalloc(size, sizeof(*pool->free_list));
	for (size_t i = 0; i < size; i++) {
		enum cn_err rc = db_open(path, &pool->all[i], err, err_size);
		if (rc != CN_OK) {
			db_pool_free(pool);
			*out = NULL;
			return rc;
		}
		pool->size++;
		pool->free_list[pool->n_free++] = pool->all[i];
	}
	*out = pool;
	return CN_OK;
}

void db_pool_free(struct db_pool *pool)
{
	if (!pool)
		return;
	for (size_t i = 0; i < pool->size; i++)
		db_close(pool->all[i]);
	free(pool->all);
	free(pool->free_list);
	pthread_mutex_destroy(&pool->lock);
	pthread_cond_destroy(&pool->freed);
	free(pool);
}

struct db *db_pool_acquire(struct db_pool *pool)
{
	pthread_mutex_lock(&pool->lock);
	while (pool->n_free == 0)
		pthread_cond_wait(&pool->freed, &pool->lock);
	struct db *db = pool->free_list[--pool->n_free];
	pthread_mutex_unlock(&pool->lock);
	return db;
}

void db_pool_release(struct db_pool *pool, struct db *db)
{
	if (!db)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->free_list[pool->n_free++] = db;
	pthread_cond_signal(&pool->freed);
	pthread_mutex_unlock(&pool->lock);
}
