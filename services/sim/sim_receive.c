/* carenet-sim receive: a local receiver for the channels of carenetd
 * (contract.md section 4) that prints what arrives, one JSON line per
 * message: webhook and SMS/voice gateway posts and robot messages over
 * HTTP, and mail over SMTP. For the demo and for trying a deployment's
 * channel settings on loopback. Single-threaded, poll(), bounded: at most
 * 32 connections, 64 KiB a request, and every run ends by --seconds. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sim_cmds.h"
#include "sim_common.h"

#define CMD       "receive"
#define MAX_CONNS 32
#define REQ_MAX   (64 * 1024 + 4096)

enum conn_kind { C_FREE, C_HTTP, C_SMTP };
enum smtp_state { S_CMD, S_DATA };

struct conn {
	enum conn_kind kind;
	int fd;
	char *buf;
	size_t len;
	enum smtp_state st;
	char from[256], to[256];
	double opened_s;
};

struct receiver {
	const struct sim_common *common;
	struct conn conns[MAX_CONNS];
	unsigned long received;
};

static int listen_on(const char *bind_addr, long port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, bind_addr, &sa.sin_addr) != 1 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 16) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void conn_close(struct conn *c)
{
	if (c->kind == C_FREE)
		return;
	close(c->fd);
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

static void say(int fd, const char *s)
{
	size_t n = strlen(s);
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static const char *header(const char *head, size_t head_len, const char *name, size_t *vlen)
{
	size_t nlen = strlen(name);
	for (const char *p = head; p && p < head + head_len;) {
		const char *eol = strstr(p, "\r\n");
		if (!eol || eol > head + head_len)
			break;
		if ((size_t)(eol - p) > nlen + 1 && strncasecmp(p, name, nlen) == 0 &&
		    p[nlen] == ':') {
			const char *v = p + nlen + 1;
			while (*v == ' ')
				v++;
			*vlen = (size_t)(eol - v);
			return v;
		}
		p = eol + 2;
	}
	return NULL;
}

static json_t *jstrn(const char *s, size_t n) { return json_stringn_nocheck(s, n); }

/* A whole request is in: print it, answer, close. Returns true when done. */
static bool http_step(struct receiver *r, struct conn *c)
{
	c->buf[c->len] = '\0';
	char *end = strstr(c->buf, "\r\n\r\n");
	if (!end)
		return c->len >= REQ_MAX;
	size_t head_len = (size_t)(end - c->buf) + 2;
	size_t vlen = 0;
	const char *cl = header(c->buf, head_len, "Content-Length", &vlen);
	long body_len = cl ? strtol(cl, NULL, 10) : 0;
	if (body_len < 0 || body_len > 64 * 1024) {
		say(c->fd,
		    "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
		return true;
	}
	char *body = end + 4;
	if ((size_t)(body - c->buf) + (size_t)body_len > c->len)
		return false;
	char method[16] = "", target[1024] = "";
	sscanf(c->buf, "%15s %1023s", method, target);
	char *q = strchr(target, '?');
	if (q)
		*q++ = '\0';
	json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "via", "http", "method", method, "path", target,
	                      "query", q ? q : "");
	static const char *const names[] = {"X-CareNet-Delivery", "X-CareNet-Signature",
	                                    "Content-Type"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = header(c->buf, head_len, names[i], &vlen);
		if (v)
			json_object_set_new(o, names[i], jstrn(v, vlen));
	}
	json_t *parsed = json_loadb(body, (size_t)body_len, 0, NULL);
	json_object_set_new(o, "body", parsed ? parsed : jstrn(body, (size_t)body_len));
	sim_json_print(o);
	r->received++;
	say(c->fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 22\r\n"
	           "Connection: close\r\n\r\n{\"errcode\":0,\"code\":0}");
	return true;
}

static void smtp_mail(struct receiver *r, struct conn *c, const char *data, size_t n)
{
	const char *sep = strstr(data, "\r\n\r\n");
	size_t head_len = sep ? (size_t)(sep - data) + 2 : n;
	size_t vlen = 0;
	const char *subj = header(data, head_len, "Subject", &vlen);
	json_t *o = json_pack("{s:s,s:s,s:s}", "via", "smtp", "from", c->from, "to", c->to);
	if (subj)
		json_object_set_new(o, "subject", jstrn(subj, vlen));
	const char *did = header(data, head_len, "X-CareNet-Delivery", &vlen);
	if (did)
		json_object_set_new(o, "X-CareNet-Delivery", jstrn(did, vlen));
	if (sep)
		json_object_set_new(o, "body", jstrn(sep + 4, n - head_len - 2));
	sim_json_print(o);
	r->received++;
}

/* Handles the complete lines in the buffer; returns true to close. */
static bool smtp_step(struct receiver *r, struct conn *c)
{
	for (;;) {
		c->buf[c->len] = '\0';
		if (c->st == S_DATA) {
			char *dot = strstr(c->buf, "\r\n.\r\n");
			if (!dot)
				return c->len >= REQ_MAX;
			smtp_mail(r, c, c->buf, (size_t)(dot - c->buf) + 2);
			say(c->fd, "250 queued\r\n");
			size_t used = (size_t)(dot - c->buf) + 5;
			memmove(c->buf, c->buf + used, c->len - used);
			c->len -= used;
			c->st = S_CMD;
			continue;
		}
		char *eol = strstr(c->buf, "\r\n");
		if (!eol)
			return c->len >= 1024;
		*eol = '\0';
		const char *line = c->buf;
		bool quit = false;
		if (strncasecmp(line, "EHLO", 4) == 0 || strncasecmp(line, "HELO", 4) == 0)
			say(c->fd, "250-carenet-sim\r\n250 8BITMIME\r\n");
		else if (strncasecmp(line, "MAIL FROM:", 10) == 0) {
			snprintf(c->from, sizeof(c->from), "%s", line + 10);
			say(c->fd, "250 ok\r\n");
		} else if (strncasecmp(line, "RCPT TO:", 8) == 0) {
			snprintf(c->to, sizeof(c->to), "%s", line + 8);
			say(c->fd, "250 ok\r\n");
		} else if (strcasecmp(line, "DATA") == 0) {
			say(c->fd, "354 end with <CRLF>.<CRLF>\r\n");
			c->st = S_DATA;
		} else if (strcasecmp(line, "QUIT") == 0) {
			say(c->fd, "221 bye\r\n");
			quit = true;
		} else if (strcasecmp(line, "RSET") == 0 || strcasecmp(line, "NOOP") == 0) {
			say(c->fd, "250 ok\r\n");
		} else {
			say(c->fd, "502 not implemented\r\n");
		}
		size_t used = (size_t)(eol - c->buf) + 2;
		memmove(c->buf, c->buf + used, c->len - used);
		c->len -= used;
		if (quit)
			return true;
		/* DATA's text starts with its own headers: keep a leading CRLF
		 * out of the way of the end marker search. */
		if (c->st == S_DATA && c->len == 0) {
			memcpy(c->buf, "\r\n", 2);
			c->len = 2;
		}
	}
}

static void accept_on(struct receiver *r, int lfd, enum conn_kind kind)
{
	int fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return;
	for (size_t i = 0; i < MAX_CONNS; i++) {
		struct conn *c = &r->conns[i];
		if (c->kind != C_FREE)
			continue;
		c->kind = kind;
		c->fd = fd;
		c->buf = malloc(REQ_MAX + 1);
		if (!c->buf)
			abort();
		c->len = 0;
		c->st = S_CMD;
		c->opened_s = sim_mono_s();
		if (kind == C_SMTP)
			say(fd, "220 carenet-sim ESMTP\r\n");
		return;
	}
	close(fd); /* full: the sender retries */
}

int sim_receive_main(int argc, char **argv)
{
	struct sim_common common;
	sim_common_defaults(&common);
	long http_port = 9180, smtp_port = 2525, count = 0;
	double seconds = 600;
	const char *bind_addr = "127.0.0.1";
	const struct sim_opt opts[] = {
		{"http-port", SIM_OPT_LONG, &http_port, 1, 65535, "P",
	         "HTTP port (webhooks, gateways, robots)"},
		{"smtp-port", SIM_OPT_LONG, &smtp_port, 0, 65535, "P",
	         "SMTP port (0: no mail sink)"},
		{"bind", SIM_OPT_STR, &bind_addr, 0, 0, "ADDR", "IPv4 address to listen on"},
		{"count", SIM_OPT_LONG, &count, 0, 1e9, "N", "stop after N messages (0: no limit)"},
		{"seconds", SIM_OPT_DOUBLE, &seconds, 0.1, 86400, "S", "stop after S seconds"},
	};
	const struct sim_cmd_spec spec = {
		CMD,
		"[--http-port P] [--smtp-port P] [options]",
		"Listens for what carenetd sends on its channels and prints one JSON line\n"
		"per message: {\"via\":\"http\",\"path\",\"query\",\"X-CareNet-Delivery\",\n"
		"\"X-CareNet-Signature\",\"body\"} for webhooks, SMS/voice gateway posts and\n"
		"robot messages (answered 200), {\"via\":\"smtp\",\"from\",\"to\",\"subject\",\n"
		"\"body\"} for mail. Point a channel's url at http://ADDR:P/any-path and\n"
		"smtp_url at smtp://ADDR:P.",
		opts,
		sizeof(opts) / sizeof(opts[0]),
		0,
		0,
	};
	size_t npos;
	int prc = sim_opts_parse(&spec, argc, argv, &common, NULL, &npos);
	if (prc)
		return prc == 1 ? SIM_EXIT_OK : SIM_EXIT_USAGE;
	struct receiver *r = calloc(1, sizeof(*r));
	if (!r)
		abort();
	r->common = &common;
	int hfd = listen_on(bind_addr, http_port);
	int sfd = smtp_port ? listen_on(bind_addr, smtp_port) : -1;
	int rc = SIM_EXIT_USAGE;
	if (hfd < 0 || (smtp_port && sfd < 0)) {
		sim_error(CMD, "cannot listen on %s:%ld%s: %s", bind_addr,
		          hfd < 0 ? http_port : smtp_port, hfd < 0 ? " (http)" : " (smtp)",
		          strerror(errno));
		goto out;
	}
	sim_note(&common, CMD, "listening: http://%s:%ld/ smtp://%s:%ld", bind_addr, http_port,
	         bind_addr, smtp_port);
	double limit = seconds < common.max_seconds ? seconds : common.max_seconds;
	double end = sim_mono_s() + limit;
	while (!sim_stopping() && sim_mono_s() < end &&
	       (!count || r->received < (unsigned long)count)) {
		struct pollfd pfd[MAX_CONNS + 2];
		size_t idx[MAX_CONNS];
		nfds_t n = 0;
		pfd[n++] = (struct pollfd){.fd = hfd, .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = sfd, .events = POLLIN};
		for (size_t i = 0; i < MAX_CONNS; i++) {
			if (r->conns[i].kind == C_FREE)
				continue;
			idx[n - 2] = i;
			pfd[n++] = (struct pollfd){.fd = r->conns[i].fd, .events = POLLIN};
		}
		if (poll(pfd, n, 200) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN)
			accept_on(r, hfd, C_HTTP);
		if (sfd >= 0 && (pfd[1].revents & POLLIN))
			accept_on(r, sfd, C_SMTP);
		for (nfds_t k = 2; k < n; k++) {
			struct conn *c = &r->conns[idx[k - 2]];
			if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t got = read(c->fd, c->buf + c->len, REQ_MAX - c->len);
			if (got <= 0) {
				conn_close(c);
				continue;
			}
			c->len += (size_t)got;
			bool done = c->kind == C_HTTP ? http_step(r, c) : smtp_step(r, c);
			if (done)
				conn_close(c);
		}
		/* A connection that says nothing for 30 s is dropped. */
		for (size_t i = 0; i < MAX_CONNS; i++)
			if (r->conns[i].kind != C_FREE && sim_mono_s() - r->conns[i].opened_s > 30)
				conn_close(&r->conns[i]);
	}
	rc = SIM_EXIT_OK;
out:
	for (size_t i = 0; i < MAX_CONNS; i++)
		conn_close(&r->conns[i]);
	if (hfd >= 0)
		close(hfd);
	if (sfd >= 0)
		close(sfd);
	free(r);
	return rc;
}
