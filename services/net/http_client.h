/* Outgoing HTTP and SMTP on libcurl's multi interface: one owner thread
 * (the notifier) drives every transfer, so a hanging receiver costs a
 * handle, never a thread, and never the ingest path. Bounded: at most
 * `max_active` transfers at once, each with a connect and a total
 * timeout. Not thread-safe except httpc_wakeup(). */
#ifndef CN_HTTP_CLIENT_H
#define CN_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cn_error.h"

struct httpc;

/* Once per process, before any thread starts (libcurl's global set-up).
 * Returns CN_OK or CN_ERR_IO. */
enum cn_err httpc_global_init(void);
void httpc_global_cleanup(void);

#define HTTPC_MAX_HEADERS 6

struct httpc_req {
	int64_t tag;      /* the caller's: handed back on completion */
	const char *url;  /* http(s):// or, with mail_from, smtp(s):// */
	const void *body; /* the request body, or the whole mail */
	size_t len;
	const char *headers[HTTPC_MAX_HEADERS]; /* "Name: value", NULL-terminated early */
	const char *mail_from;                  /* SMTP: envelope sender; NULL: HTTP POST */
	const char *mail_rcpt;
	const char *username, *password; /* SMTP auth; may be NULL */
};

struct httpc_done {
	int64_t tag;
	long status;    /* HTTP status or last SMTP reply code; 0 when none */
	bool transport; /* no answer: refused, timeout, DNS, TLS */
	bool smtp;
	char error[160]; /* what went wrong, empty on success */
};

/* Returns NULL when libcurl cannot make a multi handle. Free with
 * httpc_free(). */
struct httpc *httpc_new(int max_active, long timeout_ms);
void httpc_free(struct httpc *h);
/* How many more transfers httpc_add() takes now. */
int httpc_free_slots(const struct httpc *h);
/* Starts a transfer; everything in `req` is copied.
 * Returns CN_OK, CN_ERR_FULL when no slot is free, CN_ERR_INVALID for a
 * URL libcurl will not take. */
enum cn_err httpc_add(struct httpc *h, const struct httpc_req *req);
/* Drives transfers for up to wait_ms (returns earlier on activity or a
 * wake-up) and reports each finished one through `done`. */
void httpc_run(struct httpc *h, int wait_ms, void (*done)(void *ctx, const struct httpc_done *d),
               void *ctx);
/* Makes a waiting httpc_run() return. Any thread. */
void httpc_wakeup(struct httpc *h);

#endif
