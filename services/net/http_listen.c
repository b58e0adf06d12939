/* The HTTP server's edges that need no request state (http_listen.h): the
 * listening socket, the TLS files, and the client's address behind
 * trusted proxies. */
#define _POSIX_C_SOURCE 200809L
#include "http_listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "xalloc.h"

/* True when `ip` is one of the comma-separated addresses in `list`. */
static bool ip_in_list(const char *list, const char *ip, size_t ip_len)
{
	const char *p = list;
	while (p && *p) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t n = strcspn(p, ", ");
		if (n && n == ip_len && strncmp(p, ip, n) == 0)
			return true;
		p += n;
	}
	return false;
}

void http_client_address(const struct config *cfg, struct MHD_Connection *conn, char *ip,
                         size_t ip_size)
{
	const char *xff = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For");
	if (!cfg->http_trusted_proxies || !xff ||
	    !ip_in_list(cfg->http_trusted_proxies, ip, strlen(ip)))
		return;
	size_t end = strlen(xff);
	while (end > 0) {
		size_t start = end;
		while (start > 0 && xff[start - 1] != ',')
			start--;
		size_t a = start, b = end;
		while (a < b && xff[a] == ' ')
			a++;
		while (b > a && xff[b - 1] == ' ')
			b--;
		if (b > a && b - a < ip_size &&
		    !ip_in_list(cfg->http_trusted_proxies, xff + a, b - a)) {
			char cand[INET6_ADDRSTRLEN];
			unsigned char bin[sizeof(struct in6_addr)];
			memcpy(cand, xff + a, b - a);
			cand[b - a] = '\0';
			if (inet_pton(AF_INET, cand, bin) == 1 ||
			    inet_pton(AF_INET6, cand, bin) == 1)
				snprintf(ip, ip_size, "%s", cand);
			return; /* an unparsable entry: keep the proxy's own address */
		}
		end = start > 0 ? start - 1 : 0;
	}
}

int http_listen_open(const char *bind_addr, long port, char *err, size_t err_size)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t sl;
	int family;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, bind_addr, &v4->sin_addr) == 1) {
		family = AF_INET;
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		sl = sizeof(*v4);
	} else if (inet_pton(AF_INET6, bind_addr, &v6->sin6_addr) == 1) {
		family = AF_INET6;
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		sl = sizeof(*v6);
	} else {
		snprintf(err, err_size, "http_bind: '%s' is not an IPv4 or IPv6 address",
		         bind_addr);
		return -1;
	}
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, err_size, "http: socket: %s", strerror(errno));
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 128) != 0) {
		snprintf(err, err_size, "http_port: cannot listen on %s:%ld: %s", bind_addr, port,
		         strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

char *http_read_file(const char *path, char *err, size_t err_size, const char *key)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, err_size, "%s: cannot read %s: %s", key, path, strerror(errno));
		return NULL;
	}
	size_t cap = 8192, len = 0;
	char *buf = xmalloc(cap);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap) {
			if (cap >= 1024 * 1024)
				break;
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}
