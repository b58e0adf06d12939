/* The PostgreSQL engine (libpq), selected by `db_url`.
 *
 * The differences from SQLite that callers never see:
 * - Parameters: the one SQL text writes `?N`, `?` or `:name`; translate()
 *   rewrites them to `$N` outside quotes, and keeps the names for
 *   db_param_index(). It also renames json_object( to json_build_object(,
 *   the one SQLite function whose PostgreSQL namesake differs. Other SQLite
 *   names (rowid, json_group_array, json_each, sum(boolean)) the
 *   PostgreSQL schema provides itself (db/migrations/pg/001_init.sql).
 * - Statements are prepared on the server lazily, at their first step, with
 *   the types of the values bound then (int64 -> int8, double -> float8,
 *   blob -> bytea, text -> inferred); a later binding of another type
 *   prepares them again. So `?1 = 0 OR id < ?1` takes a 64-bit id.
 * - Results come as text; booleans read as 0/1, numeric as an integer
 *   when it has no fraction, bytea unescaped: the same values SQLite gives.
 * - BEGIN also takes a transaction advisory lock (WRITE_LOCK_KEY): write
 *   transactions run one at a time over all nodes, as under SQLite's one
 *   writer, so read-then-write code keeps its meaning.
 * - A lost connection is reset (libpq tries every host of a multi-host
 *   URL, honouring target_session_attrs) before the next statement outside
 *   a transaction; statements are then prepared again.
 * - The schema version is the one row of table schema_version. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_engine.h"
#include "xalloc.h"

extern const char *const db_pg_migrations[];
extern const size_t db_pg_migration_count;

/* pg_advisory_xact_lock keys: the one writer, and migrations. */
#define WRITE_LOCK_KEY   "7217001"
#define MIGRATE_LOCK_KEY "7217002"

#define OID_BOOL    16
#define OID_BYTEA   17
#define OID_INT8    20
#define OID_INT2    21
#define OID_INT4    23
#define OID_OID     26
#define OID_FLOAT4  700
#define OID_FLOAT8  701
#define OID_NUMERIC 1700
#define OID_TEXT    25

#define MAX_PARAMS 64
#define MAX_NAMES  64

struct pg_conn {
	PGconn *c;
	unsigned gen;       /* bumped by every reconnect: statements prepare again */
	unsigned next_name; /* server-side statement names s1, s2, ... */
	int64_t changes;
	int64_t last_id;
	char errmsg[512];
};

struct pg_stmt {
	struct db_stmt base;
	struct pg_conn *pc;
	char *sql; /* translated */
	const char *orig;
	int nparams;
	char *names[MAX_NAMES]; /* ":name" of parameter names[i] -> name_idx[i] */
	int name_idx[MAX_NAMES];
	int nnames;
	char name[24];     /* server-side name; "" when not prepared */
	unsigned prep_gen; /* pc->gen when prepared */
	Oid prep_types[MAX_PARAMS];
	Oid types[MAX_PARAMS]; /* of the values bound now; 0 for text and NULL */
	char *vals[MAX_PARAMS];
	int lens[MAX_PARAMS];
	int fmts[MAX_PARAMS];
	PGresult *res;
	int row, nrows;
	bool executed;
	bool probed;
	unsigned char **blob; /* unescaped bytea of the current row, per column */
	size_t *blob_len;
	int ncols_cached;
};

static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static void set_err(struct pg_conn *pc, const char *msg)
{
	snprintf(pc->errmsg, sizeof(pc->errmsg), "%s", msg ? msg : "?");
	size_t n = strlen(pc->errmsg);
	while (n && (pc->errmsg[n - 1] == '\n' || pc->errmsg[n - 1] == ' '))
		pc->errmsg[--n] = '\0';
}

/* SQLSTATE classes to our errors. */
static enum cn_err state_err(const PGresult *res, const struct pg_conn *pc)
{
	const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (!st || PQstatus(pc->c) != CONNECTION_OK)
		return CN_ERR_UNAVAILABLE; /* no answer: the server is gone */
	if (strncmp(st, "23", 2) == 0)
		return CN_ERR_CONFLICT;
	if (strcmp(st, "53100") == 0)
		return CN_ERR_FULL; /* disk_full */
	if (strncmp(st, "08", 2) == 0 || strncmp(st, "57P", 3) == 0 || strcmp(st, "40001") == 0 ||
	    strcmp(st, "40P01") == 0 || strcmp(st, "25006") == 0 || strncmp(st, "53", 2) == 0)
		return CN_ERR_UNAVAILABLE; /* connection, shutdown, retry, read-only */
	return CN_ERR_DB;
}

/* Reconnects a lost connection when no transaction is open: returns false
 * when the database is still out of reach. */
static bool ensure_conn(struct pg_conn *pc)
{
	if (PQstatus(pc->c) == CONNECTION_OK)
		return true;
	PQreset(pc->c);
	pc->gen++;
	if (PQstatus(pc->c) != CONNECTION_OK) {
		set_err(pc, PQerrorMessage(pc->c));
		return false;
	}
	PQsetNoticeProcessor(pc->c, quiet_notice, NULL);
	return true;
}

static enum cn_err pg_exec(void *conn, const char *sql, char *err, size_t err_size)
{
	struct pg_conn *pc = conn;
	if (PQtransactionStatus(pc->c) == PQTRANS_IDLE || PQstatus(pc->c) != CONNECTION_OK)
		if (!ensure_conn(pc)) {
			if (err)
				snprintf(err, err_size, "%s", pc->errmsg);
			return CN_ERR_UNAVAILABLE;
		}
	PGresult *res = PQexec(pc->c, sql);
	ExecStatusType s = PQresultStatus(res);
	enum cn_err rc = CN_OK;
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		set_err(pc, res ? PQresultErrorMessage(res) : PQerrorMessage(pc->c));
		if (err)
			snprintf(err, err_size, "%s", pc->errmsg);
		rc = state_err(res, pc);
	}
	PQclear(res);
	return rc;
}

static void pg_close(void *conn)
{
	struct pg_conn *pc = conn;
	if (!pc)
		return;
	PQfinish(pc->c);
	free(pc);
}

static enum cn_err pg_open(const char *url, void **out, char *err, size_t err_size)
{
	*out = NULL;
	struct pg_conn *pc = xcalloc(1, sizeof(*pc));
	pc->c = PQconnectdb(url);
	if (PQstatus(pc->c) != CONNECTION_OK) {
		set_err(pc, PQerrorMessage(pc->c));
		snprintf(err, err_size, "cannot connect to PostgreSQL: %s", pc->errmsg);
		pg_close(pc);
		return CN_ERR_UNAVAILABLE;
	}
	PQsetNoticeProcessor(pc->c, quiet_notice, NULL);
	/* Times are integers and text is UTF-8; nothing depends on the
	 * server's locale or zone. */
	char why[256] = "";
	if (pg_exec(pc, "SET client_encoding = 'UTF8'", why, sizeof(why)) != CN_OK) {
		snprintf(err, err_size, "cannot use PostgreSQL: %s", why);
		pg_close(pc);
		return CN_ERR_DB;
	}
	*out = pc;
	return CN_OK;
}

/* ?N, ? and :name to $N outside quoted text; false when too many. */
static bool translate(struct pg_stmt *ps, const char *sql)
{
	size_t n = strlen(sql);
	char *out = xmalloc(n * 3 + 16);
	size_t o = 0;
	int maxp = 0;
	char quote = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = sql[i];
		if (quote) {
			out[o++] = ch;
			if (ch == quote)
				quote = 0;
			continue;
		}
		if (ch == '\'' || ch == '"') {
			quote = ch;
			out[o++] = ch;
			continue;
		}
		if (ch == ':' && i + 1 < n && sql[i + 1] == ':') { /* a cast */
			out[o++] = ':';
			out[o++] = ':';
			i++;
			continue;
		}
		/* SQLite's json_object(k, v, ...) is json_build_object here. */
		if (ch == 'j' && strncmp(sql + i, "json_object(", 12) == 0 &&
		    (i == 0 || !(isalnum((unsigned char)sql[i - 1]) || sql[i - 1] == '_'))) {
			memcpy(out + o, "json_build_object(", 18);
			o += 18;
			i += 11;
			continue;
		}
		int idx = 0;
		if (ch == '?') {
			size_t j = i + 1;
			while (j < n && isdigit((unsigned char)sql[j]))
				idx = idx * 10 + (sql[j++] - '0');
			if (j == i + 1)
				idx = maxp + 1;
			i = j - 1;
		} else if (ch == ':' && i + 1 < n &&
		           (isalpha((unsigned char)sql[i + 1]) || sql[i + 1] == '_')) {
			size_t j = i + 1;
			while (j < n && (isalnum((unsigned char)sql[j]) || sql[j] == '_'))
				j++;
			size_t len = j - i;
			for (int k = 0; k < ps->nnames && !idx; k++)
				if (strlen(ps->names[k]) == len &&
				    memcmp(ps->names[k], sql + i, len) == 0)
					idx = ps->name_idx[k];
			if (!idx) {
				if (ps->nnames >= MAX_NAMES) {
					free(out);
					return false;
				}
				idx = maxp + 1;
				char *nm = xmalloc(len + 1);
				memcpy(nm, sql + i, len);
				nm[len] = '\0';
				ps->names[ps->nnames] = nm;
				ps->name_idx[ps->nnames++] = idx;
			}
			i = j - 1;
		} else {
			out[o++] = ch;
			continue;
		}
		if (idx < 1 || idx > MAX_PARAMS) {
			free(out);
			return false;
		}
		if (idx > maxp)
			maxp = idx;
		o += (size_t)snprintf(out + o, 8, "$%d", idx);
	}
	out[o] = '\0';
	ps->sql = out;
	ps->nparams = maxp;
	return true;
}

static const struct db_engine *self(void);

static struct db_stmt *pg_prepare(void *conn, const char *sql)
{
	struct pg_stmt *ps = xcalloc(1, sizeof(*ps));
	ps->base.eng = self();
	ps->pc = conn;
	ps->orig = sql;
	ps->row = -1;
	if (!translate(ps, sql)) {
		fprintf(stderr, "carenet db: too many parameters: %.200s\n", sql);
		for (int k = 0; k < ps->nnames; k++)
			free(ps->names[k]);
		free(ps);
		return NULL;
	}
	return &ps->base;
}

static void drop_blobs(struct pg_stmt *ps)
{
	for (int i = 0; i < ps->ncols_cached; i++) {
		free(ps->blob[i]);
		ps->blob[i] = NULL;
	}
}

static void clear_result(struct pg_stmt *ps)
{
	drop_blobs(ps);
	free(ps->blob);
	free(ps->blob_len);
	ps->blob = NULL;
	ps->blob_len = NULL;
	ps->ncols_cached = 0;
	PQclear(ps->res);
	ps->res = NULL;
	ps->executed = false;
	ps->row = -1;
	ps->nrows = 0;
}

static void unbind(struct pg_stmt *ps, int i)
{
	free(ps->vals[i]);
	ps->vals[i] = NULL;
	ps->lens[i] = 0;
	ps->fmts[i] = 0;
	ps->types[i] = 0;
}

static void pg_reset(struct db_stmt *st, bool clear)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	clear_result(ps);
	if (clear)
		for (int i = 0; i < MAX_PARAMS; i++)
			unbind(ps, i);
}

static void pg_finalize(struct db_stmt *st)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	pg_reset(st, true);
	for (int k = 0; k < ps->nnames; k++)
		free(ps->names[k]);
	free(ps->sql);
	free(ps);
}

/* PostgreSQL types a parameter at its first use and cannot from `$1 IS
 * NULL` alone (the `(:site IS NULL OR site_id = :site)` filters). Then the
 * types come from a probe: the same text with each `$n IS NULL` read as
 * TRUE, described by the server; a parameter used only there is text.
 * Returns false when the probe does not help. */
static bool probe_types(struct pg_stmt *ps)
{
	struct pg_conn *pc = ps->pc;
	size_t n = strlen(ps->sql);
	char *probe = xmalloc(n + 1);
	bool used[MAX_PARAMS + 1] = {false};
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		if (ps->sql[i] == '$' && isdigit((unsigned char)ps->sql[i + 1])) {
			size_t j = i + 1;
			int idx = 0;
			while (j < n && isdigit((unsigned char)ps->sql[j]))
				idx = idx * 10 + (ps->sql[j++] - '0');
			if (strncmp(ps->sql + j, " IS NULL", 8) == 0) {
				memcpy(probe + o, "TRUE", 4);
				o += 4;
				i = j + 8;
				continue;
			}
			if (idx >= 1 && idx <= MAX_PARAMS)
				used[idx] = true;
			memcpy(probe + o, ps->sql + i, j - i);
			o += j - i;
			i = j;
			continue;
		}
		probe[o++] = ps->sql[i++];
	}
	probe[o] = '\0';
	Oid types[MAX_PARAMS];
	for (int i = 0; i < ps->nparams; i++)
		types[i] = ps->vals[i] && ps->types[i] ? ps->types[i] : used[i + 1] ? 0 : OID_TEXT;
	bool ok = false;
	PGresult *res = PQprepare(pc->c, "", probe, ps->nparams, types);
	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		PQclear(res);
		res = PQdescribePrepared(pc->c, "");
		if (PQresultStatus(res) == PGRES_COMMAND_OK && PQnparams(res) == ps->nparams) {
			for (int i = 0; i < ps->nparams; i++)
				ps->prep_types[i] = PQparamtype(res, i);
			ok = true;
		}
	}
	PQclear(res);
	free(probe);
	return ok;
}

/* Prepares (again) when never prepared, after a reconnect, or when a bound
 * value's type differs from the prepared one. */
static enum cn_err ensure_prepared(struct pg_stmt *ps)
{
	struct pg_conn *pc = ps->pc;
	bool need = !ps->name[0] || ps->prep_gen != pc->gen;
	for (int i = 0; i < ps->nparams && !need; i++)
		if (ps->vals[i] && ps->types[i] && ps->types[i] != ps->prep_types[i])
			need = true;
	if (!need)
		return CN_OK;
	if (ps->name[0] && ps->prep_gen == pc->gen) {
		char sql[48];
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", ps->name);
		PQclear(PQexec(pc->c, sql));
	}
	for (int i = 0; i < ps->nparams; i++)
		if (ps->vals[i] && ps->types[i]) /* text keeps what the server inferred */
			ps->prep_types[i] = ps->types[i];
	/* Probed before the first prepare: a failed prepare would abort the
	 * transaction it runs in. */
	if ((!ps->probed || ps->prep_gen != pc->gen) && strstr(ps->sql, " IS NULL")) {
		probe_types(ps);
		ps->probed = true;
	}
	snprintf(ps->name, sizeof(ps->name), "s%u", ++pc->next_name);
	PGresult *res = PQprepare(pc->c, ps->name, ps->sql, ps->nparams, ps->prep_types);
	enum cn_err rc = CN_OK;
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		set_err(pc, res ? PQresultErrorMessage(res) : PQerrorMessage(pc->c));
		rc = state_err(res, pc);
		if (rc == CN_ERR_DB)
			fprintf(stderr, "carenet db: cannot prepare: %s: %.300s\n", pc->errmsg,
			        ps->sql);
		ps->name[0] = '\0';
	} else {
		ps->prep_gen = pc->gen;
	}
	PQclear(res);
	return rc;
}

static int pg_step(struct db_stmt *st)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	struct pg_conn *pc = ps->pc;
	if (!ps->executed) {
		if (PQtransactionStatus(pc->c) == PQTRANS_IDLE ||
		    PQstatus(pc->c) != CONNECTION_OK) {
			if (PQstatus(pc->c) != CONNECTION_OK &&
			    PQtransactionStatus(pc->c) != PQTRANS_IDLE &&
			    PQtransactionStatus(pc->c) != PQTRANS_UNKNOWN)
				return db_step_error(CN_ERR_UNAVAILABLE);
			if (!ensure_conn(pc))
				return db_step_error(CN_ERR_UNAVAILABLE);
		}
		enum cn_err rc = ensure_prepared(ps);
		if (rc != CN_OK)
			return db_step_error(rc);
		const char *vals[MAX_PARAMS];
		for (int i = 0; i < ps->nparams; i++)
			vals[i] = ps->vals[i];
		ps->res = PQexecPrepared(pc->c, ps->name, ps->nparams, vals, ps->lens, ps->fmts, 0);
		ExecStatusType s = PQresultStatus(ps->res);
		if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
			set_err(pc,
			        ps->res ? PQresultErrorMessage(ps->res) : PQerrorMessage(pc->c));
			rc = state_err(ps->res, pc);
			if (rc == CN_ERR_DB)
				fprintf(stderr, "carenet db: %s: %.300s\n", pc->errmsg, ps->sql);
			PQclear(ps->res);
			ps->res = NULL;
			return db_step_error(rc);
		}
		ps->executed = true;
		ps->nrows = PQntuples(ps->res);
		const char *ct = PQcmdTuples(ps->res);
		pc->changes = ct && ct[0] ? strtoll(ct, NULL, 10) : 0;
		int nc = PQnfields(ps->res);
		if (nc > 0) {
			ps->blob = xcalloc((size_t)nc, sizeof(*ps->blob));
			ps->blob_len = xcalloc((size_t)nc, sizeof(*ps->blob_len));
			ps->ncols_cached = nc;
		}
	}
	drop_blobs(ps);
	if (ps->row + 1 < ps->nrows) {
		ps->row++;
		return DB_ROW;
	}
	ps->row = ps->nrows;
	return DB_DONE;
}

static void put(struct pg_stmt *ps, int idx, char *val, int len, int fmt, Oid type)
{
	if (idx < 1 || idx > MAX_PARAMS) {
		free(val);
		return;
	}
	unbind(ps, idx - 1);
	ps->vals[idx - 1] = val;
	ps->lens[idx - 1] = len;
	ps->fmts[idx - 1] = fmt;
	ps->types[idx - 1] = type;
}

static void pg_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
	char *s = xmalloc(24);
	snprintf(s, 24, "%lld", (long long)v);
	put((struct pg_stmt *)st, idx, s, 0, 0, OID_INT8);
}

static void pg_bind_double(struct db_stmt *st, int idx, double v)
{
	char *s = xmalloc(32);
	snprintf(s, 32, "%.17g", v);
	put((struct pg_stmt *)st, idx, s, 0, 0, OID_FLOAT8);
}

static void pg_bind_null(struct db_stmt *st, int idx)
{
	put((struct pg_stmt *)st, idx, NULL, 0, 0, 0);
}

static void pg_bind_text(struct db_stmt *st, int idx, const char *s, int len)
{
	size_t n = len < 0 ? strlen(s) : (size_t)len;
	char *v = xmalloc(n + 1);
	memcpy(v, s, n);
	v[n] = '\0';
	put((struct pg_stmt *)st, idx, v, 0, 0, 0);
}

static void pg_bind_blob(struct db_stmt *st, int idx, const void *p, int len)
{
	size_t n = len > 0 ? (size_t)len : 0;
	char *v = xmalloc(n + 1);
	memcpy(v, p, n);
	put((struct pg_stmt *)st, idx, v, (int)n, 1, OID_BYTEA);
}

static int pg_param_index(struct db_stmt *st, const char *name)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	for (int k = 0; k < ps->nnames; k++)
		if (strcmp(ps->names[k], name) == 0)
			return ps->name_idx[k];
	return 0;
}

static bool has_row(const struct pg_stmt *ps, int i)
{
	return ps->res && ps->row >= 0 && ps->row < ps->nrows && i >= 0 && i < PQnfields(ps->res);
}

static int pg_col_count(struct db_stmt *st)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	return ps->res ? PQnfields(ps->res) : 0;
}

static const char *pg_col_name(struct db_stmt *st, int i)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	return ps->res ? PQfname(ps->res, i) : "";
}

static int pg_col_type(struct db_stmt *st, int i)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	if (!has_row(ps, i) || PQgetisnull(ps->res, ps->row, i))
		return DB_NULL;
	switch (PQftype(ps->res, i)) {
	case OID_BOOL:
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
		return DB_INTEGER;
	case OID_FLOAT4:
	case OID_FLOAT8:
		return DB_FLOAT;
	case OID_NUMERIC:
		return strpbrk(PQgetvalue(ps->res, ps->row, i), ".eE") ? DB_FLOAT : DB_INTEGER;
	case OID_BYTEA:
		return DB_BLOB;
	default:
		return DB_TEXT;
	}
}

static int64_t pg_col_int64(struct db_stmt *st, int i)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	if (!has_row(ps, i) || PQgetisnull(ps->res, ps->row, i))
		return 0;
	const char *v = PQgetvalue(ps->res, ps->row, i);
	if (PQftype(ps->res, i) == OID_BOOL)
		return v[0] == 't';
	if (strpbrk(v, ".eE"))
		return (int64_t)strtod(v, NULL);
	return strtoll(v, NULL, 10);
}

static double pg_col_double(struct db_stmt *st, int i)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	if (!has_row(ps, i) || PQgetisnull(ps->res, ps->row, i))
		return 0;
	const char *v = PQgetvalue(ps->res, ps->row, i);
	if (PQftype(ps->res, i) == OID_BOOL)
		return v[0] == 't';
	return strtod(v, NULL);
}

/* bytea arrives escaped ("\x..."); unescaped once per row and column. */
static const unsigned char *bytea(struct pg_stmt *ps, int i)
{
	if (!ps->blob[i]) {
		size_t n = 0;
		unsigned char *raw =
			PQunescapeBytea((const unsigned char *)PQgetvalue(ps->res, ps->row, i), &n);
		if (!raw)
			return NULL;
		/* NUL-terminated, as SQLite's text of a blob is. */
		unsigned char *b = malloc(n + 1);
		if (!b) {
			PQfreemem(raw);
			return NULL;
		}
		memcpy(b, raw, n);
		b[n] = '\0';
		PQfreemem(raw);
		ps->blob[i] = b;
		ps->blob_len[i] = n;
	}
	return ps->blob[i];
}

static const unsigned char *pg_col_text(struct db_stmt *st, int i)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	if (!has_row(ps, i) || PQgetisnull(ps->res, ps->row, i))
		return NULL;
	if (PQftype(ps->res, i) == OID_BYTEA)
		return bytea(ps, i);
	if (PQftype(ps->res, i) == OID_BOOL)
		return (const unsigned char *)(PQgetvalue(ps->res, ps->row, i)[0] == 't' ? "1"
		                                                                         : "0");
	return (const unsigned char *)PQgetvalue(ps->res, ps->row, i);
}

static const void *pg_col_blob(struct db_stmt *st, int i) { return pg_col_text(st, i); }

static int pg_col_bytes(struct db_stmt *st, int i)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	if (!has_row(ps, i) || PQgetisnull(ps->res, ps->row, i))
		return 0;
	if (PQftype(ps->res, i) == OID_BYTEA)
		return bytea(ps, i) ? (int)ps->blob_len[i] : 0;
	if (PQftype(ps->res, i) == OID_BOOL)
		return 1;
	return PQgetlength(ps->res, ps->row, i);
}

static int64_t pg_changes(void *conn) { return ((struct pg_conn *)conn)->changes; }

static int64_t pg_last_insert_id(void *conn)
{
	struct pg_conn *pc = conn;
	PGresult *res = PQexec(pc->c, "SELECT lastval()");
	int64_t id = 0;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return id;
}

static const char *pg_errmsg(void *conn) { return ((struct pg_conn *)conn)->errmsg; }

static bool pg_in_transaction(void *conn)
{
	PGTransactionStatusType t = PQtransactionStatus(((struct pg_conn *)conn)->c);
	return t == PQTRANS_INTRANS || t == PQTRANS_ACTIVE;
}

static void pg_rollback(void *conn)
{
	struct pg_conn *pc = conn;
	PGTransactionStatusType t = PQtransactionStatus(pc->c);
	if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR)
		PQclear(PQexec(pc->c, "ROLLBACK"));
}

static enum cn_err pg_begin(void *conn)
{
	return pg_exec(conn, "BEGIN; SELECT pg_advisory_xact_lock(" WRITE_LOCK_KEY ")", NULL, 0);
}

static int pg_read_version(void *conn)
{
	struct pg_conn *pc = conn;
	PGresult *res = PQexec(pc->c, "SELECT version FROM schema_version");
	int v = -1;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		v = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
	else
		set_err(pc, PQresultErrorMessage(res));
	PQclear(res);
	return v;
}

static enum cn_err pg_write_version(void *conn, int v)
{
	char sql[64];
	snprintf(sql, sizeof(sql), "UPDATE schema_version SET version = %d", v);
	return pg_exec(conn, sql, NULL, 0);
}

static enum cn_err pg_lock_migrations(void *conn)
{
	return pg_exec(conn,
	               "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ");"
	               "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL);"
	               "INSERT INTO schema_version SELECT 0"
	               " WHERE NOT EXISTS (SELECT 1 FROM schema_version)",
	               NULL, 0);
}

/* Durable: the configured synchronous_commit (on, or remote_apply with a
 * synchronous standby); otherwise off, flushed by the WAL writer within
 * wal_writer_delay, and by the next durable commit. */
static enum cn_err pg_set_synchronous(void *conn, bool full)
{
	return pg_exec(conn, full ? "RESET synchronous_commit" : "SET synchronous_commit TO off",
	               NULL, 0);
}

static void pg_autocheckpoint(void *conn, int pages)
{
	(void)conn;
	(void)pages;
}

static enum cn_err pg_checkpoint_passive(void *conn)
{
	(void)conn;
	return CN_OK;
}

static bool pg_wait_notify(void *conn, int timeout_ms)
{
	struct pg_conn *pc = conn;
	bool got = false;
	PQconsumeInput(pc->c);
	PGnotify *n;
	while ((n = PQnotifies(pc->c)) != NULL) {
		got = true;
		PQfreemem(n);
	}
	if (got)
		return true;
	int fd = PQsocket(pc->c);
	if (fd < 0) {
		struct timespec ts = {timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		return false;
	}
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, timeout_ms) > 0) {
		PQconsumeInput(pc->c);
		while ((n = PQnotifies(pc->c)) != NULL) {
			got = true;
			PQfreemem(n);
		}
	}
	return got;
}

const struct db_engine db_engine_pg = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.rollback = pg_rollback,
	.reset = pg_reset,
	.step = pg_step,
	.bind_int64 = pg_bind_int64,
	.bind_double = pg_bind_double,
	.bind_null = pg_bind_null,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.param_index = pg_param_index,
	.col_count = pg_col_count,
	.col_name = pg_col_name,
	.col_type = pg_col_type,
	.col_int64 = pg_col_int64,
	.col_double = pg_col_double,
	.col_text = pg_col_text,
	.col_blob = pg_col_blob,
	.col_bytes = pg_col_bytes,
	.exec = pg_exec,
	.changes = pg_changes,
	.last_insert_id = pg_last_insert_id,
	.errmsg = pg_errmsg,
	.in_transaction = pg_in_transaction,
	.begin = pg_begin,
	.read_version = pg_read_version,
	.write_version = pg_write_version,
	.lock_migrations = pg_lock_migrations,
	.set_synchronous = pg_set_synchronous,
	.autocheckpoint = pg_autocheckpoint,
	.checkpoint_passive = pg_checkpoint_passive,
	.wait_notify = pg_wait_notify,
	.migrations = db_pg_migrations,
	.migration_count = &db_pg_migration_count,
};

static const struct db_engine *self(void) { return &db_engine_pg; }
