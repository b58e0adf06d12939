/* What a handler sees of its request and how it answers (api.h): path,
 * query and header lookups, and the reply setters. No libmicrohttpd here:
 * the HTTP server (http_server.c) fills struct api_req and sends what the
 * handler set. */
#include "api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const char *api_param(const struct api_req *r, size_t i)
{
	return (r->match && i < r->match->n_params) ? r->match->params[i] : "";
}

const char *api_query(const struct api_req *r, const char *name)
{
	return r->query_fn ? r->query_fn(r->conn, name) : NULL;
}

const char *api_header(const struct api_req *r, const char *name)
{
	return r->header_fn ? r->header_fn(r->conn, name) : NULL;
}

void api_reply(struct api_req *r, int status, json_t *body)
{
	json_decref(r->out);
	free(r->out_text);
	r->out_text = NULL;
	r->status = status;
	r->out = body;
}

void api_reply_text(struct api_req *r, int status, const char *type, char *text)
{
	json_decref(r->out);
	r->out = NULL;
	free(r->out_text);
	r->status = status;
	r->out_text = text;
	r->out_type = type;
	r->out_len = 0;
}

void api_reply_bytes(struct api_req *r, int status, const char *type, char *data, size_t len)
{
	api_reply_text(r, status, type, data);
	r->out_len = len;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes there
 * are not one (stray continuation, overlong form, surrogate, past
 * U+10FFFF, cut short). The rules are jansson's, which refuses the rest. */
static size_t utf8_seq_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n;
	unsigned cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) /* also stops at the NUL */
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/* Replaces each byte that does not start a valid UTF-8 sequence with '?',
 * in place. Messages quote client bytes (an unknown field name cut at 64
 * bytes, a percent-decoded path) and json_pack refuses invalid UTF-8: the
 * error body would otherwise be lost. */
static void utf8_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;
	while (*p) {
		size_t n = utf8_seq_len(p);
		if (n == 0) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
}

void api_error(struct api_req *r, enum cn_err err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	utf8_scrub(msg);
	api_reply(r, cn_err_http_status(err),
	          json_pack("{s:{s:s,s:s}}", "error", "code", cn_err_code(err), "message", msg));
}
