#define _POSIX_C_SOURCE 200809L
#include "http_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "xalloc.h"

struct xfer {
	CURL *easy;
	int64_t tag;
	char *body;
	size_t len, off;
	struct curl_slist *headers, *rcpt;
	bool smtp;
	size_t seen; /* answer bytes read */
	char errbuf[CURL_ERROR_SIZE];
	struct xfer *next;
};

struct httpc {
	CURLM *multi;
	int max_active, active;
	long timeout_ms;
	struct xfer *xfers;
};

enum cn_err httpc_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? CN_OK : CN_ERR_IO;
}

void httpc_global_cleanup(void) { curl_global_cleanup(); }

struct httpc *httpc_new(int max_active, long timeout_ms)
{
	CURLM *m = curl_multi_init();
	if (!m)
		return NULL;
	struct httpc *h = xcalloc(1, sizeof(*h));
	h->multi = m;
	h->max_active = max_active > 0 ? max_active : 1;
	h->timeout_ms = timeout_ms;
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)h->max_active);
	return h;
}

static void xfer_free(struct httpc *h, struct xfer *x)
{
	curl_multi_remove_handle(h->multi, x->easy);
	curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	curl_slist_free_all(x->rcpt);
	free(x->body);
	free(x);
}

void httpc_free(struct httpc *h)
{
	if (!h)
		return;
	while (h->xfers) {
		struct xfer *x = h->xfers;
		h->xfers = x->next;
		xfer_free(h, x);
	}
	curl_multi_cleanup(h->multi);
	free(h);
}

int httpc_free_slots(const struct httpc *h) { return h->max_active - h->active; }

/* Answers are read and dropped, up to a bound: we only need the status. */
static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	size_t *seen = ud;
	*seen += size * n;
	return *seen > 65536 ? 0 : size * n;
}

static size_t mail_read(char *buf, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t room = size * n, left = x->len - x->off;
	size_t take = left < room ? left : room;
	memcpy(buf, x->body + x->off, take);
	x->off += take;
	return take;
}

enum cn_err httpc_add(struct httpc *h, const struct httpc_req *req)
{
	if (h->active >= h->max_active)
		return CN_ERR_FULL;
	if (!req->url)
		return CN_ERR_INVALID;
	struct xfer *x = xcalloc(1, sizeof(*x));
	x->easy = curl_easy_init();
	if (!x->easy) {
		free(x);
		return CN_ERR_IO;
	}
	x->tag = req->tag;
	x->body = xmalloc(req->len + 1);
	memcpy(x->body, req->body, req->len);
	x->body[req->len] = '\0';
	x->len = req->len;
	x->smtp = req->mail_from != NULL;
	CURL *e = x->easy;
	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	if (x->smtp) {
		curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
		curl_easy_setopt(e, CURLOPT_MAIL_FROM, req->mail_from);
		x->rcpt = curl_slist_append(NULL, req->mail_rcpt ? req->mail_rcpt : "");
		curl_easy_setopt(e, CURLOPT_MAIL_RCPT, x->rcpt);
		curl_easy_setopt(e, CURLOPT_READFUNCTION, mail_read);
		curl_easy_setopt(e, CURLOPT_READDATA, x);
		curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)x->len);
		/* STARTTLS when the server offers it; smtps:// is TLS from the start. */
		curl_easy_setopt(e, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
		if (req->username)
			curl_easy_setopt(e, CURLOPT_USERNAME, req->username);
		if (req->password)
			curl_easy_setopt(e, CURLOPT_PASSWORD, req->password);
	} else {
		curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->len);
		curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(e, CURLOPT_WRITEDATA, &x->seen);
		curl_easy_setopt(e, CURLOPT_USERAGENT, "carenetd");
		x->headers = curl_slist_append(x->headers,
		                               "Content-Type: application/json; charset=utf-8");
		x->headers = curl_slist_append(x->headers, "Expect:");
		for (int i = 0; i < HTTPC_MAX_HEADERS && req->headers[i]; i++)
			x->headers = curl_slist_append(x->headers, req->headers[i]);
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	}
	if (curl_multi_add_handle(h->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		curl_slist_free_all(x->headers);
		curl_slist_free_all(x->rcpt);
		free(x->body);
		free(x);
		return CN_ERR_INVALID;
	}
	x->next = h->xfers;
	h->xfers = x;
	h->active++;
	return CN_OK;
}

static void unlink_xfer(struct httpc *h, struct xfer *x)
{
	for (struct xfer **pp = &h->xfers; *pp; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			return;
		}
}

void httpc_run(struct httpc *h, int wait_ms, void (*done)(void *ctx, const struct httpc_done *d),
               void *ctx)
{
	int running = 0;
	curl_multi_perform(h->multi, &running);
	curl_multi_poll(h->multi, NULL, 0, wait_ms, NULL);
	curl_multi_perform(h->multi, &running);
	CURLMsg *msg;
	int left = 0;
	while ((msg = curl_multi_info_read(h->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct xfer *x = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		struct httpc_done d;
		memset(&d, 0, sizeof(d));
		d.tag = x->tag;
		d.smtp = x->smtp;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &d.status);
		CURLcode cc = msg->data.result;
		if (cc != CURLE_OK) {
			/* An SMTP server that said no has a reply code; anything
			 * without an answer is the transport's. */
			d.transport = !(x->smtp && d.status >= 400);
			snprintf(d.error, sizeof(d.error), "%.150s",
			         x->errbuf[0] ? x->errbuf : curl_easy_strerror(cc));
		} else if (!x->smtp && (d.status < 200 || d.status > 299)) {
			snprintf(d.error, sizeof(d.error), "HTTP %ld", d.status);
		}
		unlink_xfer(h, x);
		xfer_free(h, x);
		h->active--;
		done(ctx, &d);
	}
}

void httpc_wakeup(struct httpc *h)
{
	if (h)
		curl_multi_wakeup(h->multi);
}
