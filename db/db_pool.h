/* A fixed set of database connections for the HTTP threads: a request
 * borrows one for its whole handling and gives it back. */
#ifndef CN_DB_POOL_H
#define CN_DB_POOL_H

#include <stddef.h>

#include "cn_error.h"

struct db;
struct db_pool;

/* Opens `size` connections to `path` (already migrated). Free with
 * db_pool_free(). */
enum cn_err db_pool_open(const char *path, size_t size, struct db_pool **out, char *err,
                         size_t err_size);
void db_pool_free(struct db_pool *pool);

/* Blocks until a connection is free. Give it back with db_pool_release. */
struct db *db_pool_acquire(struct db_pool *pool);
void db_pool_release(struct db_pool *pool, struct db *db);

#endif
