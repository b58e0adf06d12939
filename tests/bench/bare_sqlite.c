/* The SQLite limit for `make bench`: the same event rows carenetd stores,
 * inserted in batched transactions with the same schema (migrations
 * applied), WAL and synchronous=FULL, and nothing else. Prints one JSON
 * line: {"rows": N, "seconds": S, "rows_per_s": R}.
 * usage: bare_sqlite DB_PATH ROWS [BATCH] */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "db.h"
#include "db_engine.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bare_sqlite DB_PATH ROWS [BATCH]\n");
		return 2;
	}
	long rows = strtol(argv[2], NULL, 10);
	long batch = argc > 3 ? strtol(argv[3], NULL, 10) : 1000;
	if (rows <= 0 || batch <= 0)
		return 2;
	char err[256];
	struct db *db = NULL;
	int version = 0;
	if (db_open(argv[1], &db, err, sizeof(err)) != CN_OK ||
	    db_migrate(db, &version, err, sizeof(err)) != CN_OK) {
		fprintf(stderr, "bare_sqlite: %s\n", err);
		return 1;
	}
	sqlite3 *h = db_engine_conn(db);
	sqlite3_exec(
		h,
		"INSERT INTO sites(id,name,created_at,updated_at) VALUES('s','s',0,0);"
		"INSERT INTO residents(id,site_id,name,created_at,updated_at) VALUES('r','s','r',0,0)",
		NULL, NULL, NULL);
	/* 10,000 devices, like the benchmark's ingest run. */
	sqlite3_exec(h, "BEGIN", NULL, NULL, NULL);
	sqlite3_stmt *dev = NULL;
	sqlite3_prepare_v2(
		h,
		"INSERT INTO devices(id,resident_id,kind,heartbeat_s,created_at,updated_at)"
		" VALUES(?1,'r','motion',3600,0,0)",
		-1, &dev, NULL);
	for (int i = 0; i < 10000; i++) {
		char id[32];
		snprintf(id, sizeof(id), "load-%d", i);
		sqlite3_bind_text(dev, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_step(dev);
		sqlite3_reset(dev);
	}
	sqlite3_finalize(dev);
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);

	sqlite3_stmt *st = NULL;
	sqlite3_prepare_v2(
		h,
		"INSERT INTO events(id, device_key, type, value, seq, ts, received_at,"
		" battery, raw) VALUES (?1, ?2, 'motion', 'true', ?3, NULL, ?4, NULL, ?5)",
		-1, &st, NULL);
	static const char raw[] = "{\"type\":\"motion\",\"value\":true,\"seq\":123456}";
	long long base = (long long)time(NULL) * 1000000LL;
	double t0 = now_s();
	for (long i = 0; i < rows; i += batch) {
		sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		for (long j = i; j < i + batch && j < rows; j++) {
			sqlite3_bind_int64(st, 1, base + j);
			sqlite3_bind_int64(st, 2, 1 + j % 10000);
			sqlite3_bind_int64(st, 3, j);
			sqlite3_bind_int64(st, 4, (base + j) / 1000);
			sqlite3_bind_blob(st, 5, raw, (int)sizeof(raw) - 1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE) {
				fprintf(stderr, "bare_sqlite: %s\n", sqlite3_errmsg(h));
				return 1;
			}
			sqlite3_reset(st);
		}
		sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	}
	double secs = now_s() - t0;
	sqlite3_finalize(st);
	db_close(db);
	printf("{\"rows\": %ld, \"seconds\": %.3f, \"rows_per_s\": %.0f}\n", rows, secs,
	       rows / secs);
	return 0;
}
