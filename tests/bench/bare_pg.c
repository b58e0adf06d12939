/* The PostgreSQL limit for `make bench`: how many event rows per second a
 * bare client stores in CareNet's own events table with multi-row INSERTs
 * of BATCH rows, one durable commit each (the server's synchronous_commit),
 * on the same server carenetd is measured on. With a fourth argument
 * "async" the commits use synchronous_commit = off, as ingest's bulk
 * batches do (only a batch that owes an alarm ack waits for the flush).
 * usage: bare_pg CONNINFO ROWS BATCH [async]
 * The database must be migrated and hold devices with keys 1..DEVICES. */
#define _POSIX_C_SOURCE 200809L
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEVICES 2000

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int exec_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		fprintf(stderr, "bare_pg: %s", PQresultErrorMessage(r));
	PQclear(r);
	return ok;
}

int main(int argc, char **argv)
{
	if (argc != 4 && argc != 5)
		return 2;
	int async = argc == 5 && strcmp(argv[4], "async") == 0;
	long rows = strtol(argv[2], NULL, 10), batch = strtol(argv[3], NULL, 10);
	if (rows <= 0 || batch <= 0 || batch > 1000)
		return 2;
	PGconn *c = PQconnectdb(argv[1]);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "bare_pg: %s", PQerrorMessage(c));
		return 1;
	}
	if (async && !exec_ok(c, "SET synchronous_commit = off"))
		return 1;
	size_t cap = (size_t)batch * 160 + 256;
	char *sql = malloc(cap);
	if (!sql)
		return 1;
	/* Ids and seqs of their own in every run: microseconds now. */
	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	long long base = (long long)wall.tv_sec * 1000000LL + wall.tv_nsec / 1000;
	double t0 = now_s();
	for (long i = 0; i < rows; i += batch) {
		size_t o = (size_t)snprintf(
			sql, cap,
			"INSERT INTO events(id, device_key, type, value, seq, received_at,"
			" raw) VALUES ");
		for (long j = i; j < i + batch && j < rows; j++)
			o += (size_t)snprintf(sql + o, cap - o,
			                      "%s(%lld, %ld, 'motion', 'true', %lld, %lld,"
			                      " '\\x7b2274797065223a226d6f74696f6e227d'::bytea)",
			                      j == i ? "" : ",", base + j, 1 + j % DEVICES,
			                      base + j, (base + j) / 1000);
		if (!exec_ok(c, "BEGIN") || !exec_ok(c, sql) || !exec_ok(c, "COMMIT"))
			return 1;
	}
	double secs = now_s() - t0;
	printf("{\"rows\": %ld, \"seconds\": %.3f, \"rows_per_s\": %.0f}\n", rows, secs,
	       rows / secs);
	free(sql);
	PQfinish(c);
	return 0;
}
