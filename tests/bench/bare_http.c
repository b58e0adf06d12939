/* The libmicrohttpd limit for `make bench`: a server configured like
 * carenetd's (internal epoll thread, a pool of 2) that answers every
 * request with a fixed small JSON and does nothing else.
 * usage: bare_http PORT   (runs until SIGTERM/SIGINT) */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

static const char body[] = "{\"id\":\"1\",\"kind\":\"sos\",\"priority\":1,\"status\":\"open\"}";

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload;
	(void)upload_size;
	(void)con_cls;
	char *copy = malloc(sizeof(body));
	if (!copy)
		return MHD_NO;
	memcpy(copy, body, sizeof(body));
	struct MHD_Response *r =
		MHD_create_response_from_buffer_with_free_callback(sizeof(body) - 1, copy, free);
	MHD_add_response_header(r, "Content-Type", "application/json");
	enum MHD_Result ret = MHD_queue_response(conn, 200, r);
	MHD_destroy_response(r);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	long port = strtol(argv[1], NULL, 10);
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	struct sockaddr_in addr;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((unsigned short)port);
	addr.sin_addr.s_addr = htonl(0x7f000001);
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (unsigned short)port, NULL, NULL,
		answer, NULL, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_THREAD_POOL_SIZE, 2u,
		MHD_OPTION_CONNECTION_LIMIT, 512u, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "bare_http: cannot listen on %ld\n", port);
		return 1;
	}
	int sig;
	sigwait(&sigs, &sig);
	MHD_stop_daemon(d);
	return 0;
}
